/**
 * Local validation of request bodies before anything is sent (SPEC B2), for any provider: the field-level messages of
 * a failed `Schema` decode become a {@link ClientError.RequestValidationError}, so nothing is spent — neither money
 * nor a provider's error budget — on a request the SDK already knows is wrong.
 *
 * @example
 * ```ts
 * import * as RequestValidation from "@venice-effect/core/RequestValidation"
 * import * as Schema from "effect/Schema"
 *
 * const Request = Schema.Struct({ model: Schema.NonEmptyString, max_tokens: Schema.optional(Schema.Int) })
 *
 * // fails with RequestValidationError { issues: ["model: Expected a non empty string, actual \"\""] }
 * const checked = RequestValidation.validate("novita", "chat.completions", Request, { model: "" })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as ClientError from "./ClientError.js"

/**
 * The issues of a parse error as `field.path: message` lines (`(root)` for the value itself).
 *
 * @since 0.1.0
 * @category formatting
 */
export const formatIssues = (error: ParseResult.ParseError): ReadonlyArray<string> =>
  ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) =>
    `${issue.path.length === 0 ? "(root)" : issue.path.map(String).join(".")}: ${issue.message}`
  )

/**
 * How many issues the error's `message` lists (all of them are in `issues`).
 *
 * @since 0.1.0
 * @category constants
 */
export const MESSAGE_ISSUES = 5

/**
 * Decodes `input` (a request as JSON, the way users write it) with `schema`, reporting every issue. On failure the
 * error names the provider and operation and says the request was not sent.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = <A, I>(
  provider: string,
  operation: string,
  schema: Schema.Schema<A, I>,
  input: unknown
): Effect.Effect<A, ClientError.RequestValidationError> =>
  Either.match(Schema.decodeUnknownEither(schema, { errors: "all" })(input), {
    onLeft: (error) => Effect.fail(fromParseError(provider, operation, error)),
    onRight: Effect.succeed
  })

/**
 * The {@link ClientError.RequestValidationError} of a parse error.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromParseError = (
  provider: string,
  operation: string,
  error: ParseResult.ParseError
): ClientError.RequestValidationError => {
  const issues = formatIssues(error)
  return new ClientError.RequestValidationError({
    provider,
    operation,
    issues,
    message: `${provider} ${operation}: invalid request, not sent — ${issues.slice(0, MESSAGE_ISSUES).join("; ")}${
      issues.length > MESSAGE_ISSUES ? ` (+${issues.length - MESSAGE_ISSUES} more)` : ""
    }`
  })
}
