/**
 * Request validation with the venice request schemas, answered the way Venice answers a failed zod parse: the
 * DetailedError `{ error: "Invalid request parameters", details: <zod format() tree>, issues: [<zod issues>] }`.
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/** A zod-style issue. */
interface ZodIssue {
  readonly code: string
  readonly path: ReadonlyArray<string | number>
  readonly message: string
  readonly keys?: ReadonlyArray<string>
}

type Tree = { _errors: Array<string>; [field: string]: Tree | Array<string> }

const toZodIssue = (issue: ParseResult.ArrayFormatterIssue): ZodIssue => {
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))
  switch (issue._tag) {
    case "Missing":
      return { code: "invalid_type", path, message: "Required" }
    case "Unexpected": {
      const key = String(path[path.length - 1] ?? "")
      return {
        code: "unrecognized_keys",
        keys: [key],
        path: path.slice(0, -1),
        message: `Unrecognized key(s) in object: '${key}'`
      }
    }
    case "Type":
      return { code: "invalid_type", path, message: issue.message }
    default:
      return { code: "custom", path, message: issue.message }
  }
}

/** Zod's `format()`: `_errors` recursively keyed by field. */
export const formatTree = (issues: ReadonlyArray<ZodIssue>): Tree => {
  const root: Tree = { _errors: [] }
  for (const issue of issues) {
    let node = root
    for (const segment of issue.path) {
      const key = String(segment)
      const child = Object.hasOwn(node, key) ? node[key] : undefined
      if (child === undefined || Array.isArray(child)) {
        const fresh: Tree = { _errors: [] }
        Object.defineProperty(node, key, { value: fresh, enumerable: true, writable: true, configurable: true })
        node = fresh
      } else {
        node = child
      }
    }
    node._errors.push(issue.message)
  }
  return root
}

/** The DetailedError body for zod-style issues. */
export const detailedError = (issues: ReadonlyArray<ZodIssue>, error = "Invalid request parameters") => ({
  error,
  details: formatTree(issues),
  issues
})

/** One issue at a path (for the few checks made by hand). */
export const issue = (path: ReadonlyArray<string | number>, message: string, code = "custom"): ZodIssue => ({
  code,
  path,
  message
})

/**
 * Decodes `body` with `schema` (all errors). `Left` carries the DetailedError body.
 */
export const validate = <A, I>(
  schema: Schema.Schema<A, I>,
  body: unknown
): Either.Either<A, ReturnType<typeof detailedError>> => {
  const decoded = Schema.decodeUnknownEither(schema, { errors: "all" })(body)
  if (Either.isRight(decoded)) return Either.right(decoded.right)
  const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map(toZodIssue)
  return Either.left(detailedError(issues))
}
