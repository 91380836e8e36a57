/**
 * How a `venice` subcommand ends in failure, with the process exit code (1 an API error, 2 a usage error). When
 * `rendered` is set the command has printed the failure for people already; otherwise the root prints `message`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * @since 0.1.0
 * @category errors
 */
export class CommandFailed extends Schema.TaggedError<CommandFailed>()("CommandFailed", {
  exitCode: Schema.Literal(1, 2),
  message: Schema.String,
  rendered: Schema.optionalWith(Schema.Boolean, { exact: true })
}) {}
