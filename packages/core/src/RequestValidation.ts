/**
 * Local validation of request bodies before anything is sent (B2), for any provider: the field-level messages of
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
import * as Predicate from "effect/Predicate"
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
 * How deep a request body may nest (objects and arrays; B3). JSON itself sets no limit, but serializers and
 * parsers do (recursion), and no API request nests anywhere near this.
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_JSON_DEPTH = 512

/** Issues beyond this many are not looked for: the request is refused either way. */
const MAX_JSON_ISSUES = 20

const describe = (cause: unknown): string => (cause instanceof Error ? cause.message : String(cause))

/**
 * What keeps a value from being sent as a JSON body (B3): a `BigInt`, a circular reference, nesting deeper than
 * `maxDepth`, a member that cannot be read (a throwing getter). `field.path: message` lines, as {@link formatIssues};
 * empty when the value can be encoded. Iterative, so nesting of any depth is reported rather than overflowing the
 * stack. Values with a `toJSON` method (dates) are taken as they encode themselves. Total.
 *
 * @since 0.1.0
 * @category validation
 */
export const jsonIssues = (value: unknown, maxDepth: number = MAX_JSON_DEPTH): ReadonlyArray<string> =>
  isClean(value, maxDepth) ? [] : walk(value, maxDepth)

/** Nesting the quick check follows before it leaves the value to the iterative walk (no deep recursion). */
const QUICK_DEPTH = 64

/**
 * The common case, quickly: whether the value has none of {@link jsonIssues}'s issues, by a recursive look that
 * builds no paths. Anything it cannot settle (an issue, nesting past {@link QUICK_DEPTH}, a member that throws) is
 * `false`, and the walk that names the issues decides.
 */
const isClean = (value: unknown, maxDepth: number): boolean => {
  const ancestors = new Set<object>()
  const clean = (v: unknown, depth: number): boolean => {
    if (typeof v === "bigint") return false
    if (v === null || typeof v !== "object") return true
    if (ancestors.has(v) || depth >= maxDepth || depth >= QUICK_DEPTH) return false
    if ("toJSON" in v && typeof v.toJSON === "function") return true
    ancestors.add(v)
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) if (!clean(v[i], depth + 1)) return false
    } else {
      // `v` is a non-array object here: its own keys index it
      for (const key of Object.keys(v)) if (!clean((v as Record<string, unknown>)[key], depth + 1)) return false
    }
    ancestors.delete(v)
    return true
  }
  try {
    return clean(value, 0)
  } catch {
    return false
  }
}

const walk = (value: unknown, maxDepth: number): ReadonlyArray<string> => {
  interface Path {
    readonly key: string
    readonly parent: Path | undefined
    readonly depth: number
  }
  const at = (path: Path | undefined): string => {
    const keys: Array<string> = []
    for (let p = path; p !== undefined; p = p.parent) keys.push(p.key)
    return keys.length === 0 ? "(root)" : keys.reverse().join(".")
  }
  type Frame = { readonly value: unknown; readonly path: Path | undefined } | { readonly leave: object }
  const issues: Array<string> = []
  const stack: Array<Frame> = [{ value, path: undefined }]
  /** The objects on the path to the value being looked at: meeting one again is a cycle (a shared one is not). */
  const ancestors = new Set<object>()
  for (let frame = stack.pop(); frame !== undefined && issues.length < MAX_JSON_ISSUES; frame = stack.pop()) {
    if ("leave" in frame) {
      ancestors.delete(frame.leave)
      continue
    }
    const { path, value: v } = frame
    if (typeof v === "bigint") {
      issues.push(`${at(path)}: a BigInt cannot be sent as JSON (send it as a string or a number)`)
      continue
    }
    if (!Predicate.isObject(v) || Predicate.isFunction(v)) continue
    if (ancestors.has(v)) {
      issues.push(`${at(path)}: circular reference (a value that contains itself cannot be sent as JSON)`)
      continue
    }
    const depth = path?.depth ?? 0
    if (depth >= maxDepth) {
      issues.push(`${at(path)}: nested deeper than ${maxDepth} levels`)
      continue
    }
    try {
      if (Predicate.hasProperty(v, "toJSON") && Predicate.isFunction(v.toJSON)) continue
      ancestors.add(v)
      stack.push({ leave: v })
      // an array's entries are its indices; reversed so that the first member is looked at first
      for (const [key, member] of Object.entries(v).reverse()) {
        stack.push({ value: member, path: { key, parent: path, depth: depth + 1 } })
      }
    } catch (cause) {
      issues.push(`${at(path)}: cannot be read (${describe(cause)})`)
    }
  }
  return issues
}

const refusal = (
  provider: string,
  operation: string,
  issues: ReadonlyArray<string>
): ClientError.RequestValidationError =>
  new ClientError.RequestValidationError({
    provider,
    operation,
    issues,
    message: `${provider} ${operation}: invalid request, not sent — ${issues.slice(0, MESSAGE_ISSUES).join("; ")}${
      issues.length > MESSAGE_ISSUES ? ` (+${issues.length - MESSAGE_ISSUES} more)` : ""
    }`
  })

/**
 * Decodes `input` (a request as JSON, the way users write it) with `schema`, reporting every issue. On failure the
 * error names the provider and operation and says the request was not sent. A value JSON cannot carry
 * ({@link jsonIssues}: a `BigInt`, a cycle, absurd nesting) is refused before the schema looks at it, and so is
 * anything the schema cannot read: user input never becomes a defect (B3).
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
  Effect.suspend(() => {
    const issues = jsonIssues(input)
    if (issues.length > 0) return Effect.fail(refusal(provider, operation, issues))
    let decoded: Either.Either<A, ParseResult.ParseError>
    try {
      decoded = Schema.decodeUnknownEither(schema, { errors: "all" })(input)
    } catch (cause) {
      return Effect.fail(refusal(provider, operation, [`(root): cannot be read (${describe(cause)})`]))
    }
    return Either.match(decoded, {
      onLeft: (error) => Effect.fail(fromParseError(provider, operation, error)),
      onRight: Effect.succeed
    })
  })

/**
 * Encodes a request body as JSON text, or says why it cannot be (B3): {@link jsonIssues}, and whatever
 * `JSON.stringify` still throws (a `toJSON` that fails). Never throws.
 *
 * @since 0.1.0
 * @category validation
 */
export const encodeJson = (
  provider: string,
  operation: string,
  value: unknown
): Either.Either<string, ClientError.RequestValidationError> => {
  const issues = jsonIssues(value)
  if (issues.length > 0) return Either.left(refusal(provider, operation, issues))
  try {
    const text: string | undefined = JSON.stringify(value)
    return text === undefined
      ? Either.left(refusal(provider, operation, ["(root): has no JSON form (undefined, a function or a symbol)"]))
      : Either.right(text)
  } catch (cause) {
    return Either.left(refusal(provider, operation, [`(root): cannot be encoded as JSON (${describe(cause)})`]))
  }
}

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
): ClientError.RequestValidationError => refusal(provider, operation, formatIssues(error))
