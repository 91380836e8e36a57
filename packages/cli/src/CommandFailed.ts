/**
 * How a `venice` subcommand ends in failure: already rendered for people, with the process exit code
 * (1 an API error, 2 a usage error).
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
  message: Schema.String
}) {}
