/**
 * Response headers as every provider's decoder wants them: one null-prototype record, names lower-cased,
 * repeated headers joined with `, ` (as HTTP folds them). Accepts what users and libraries hand over: records
 * (any case, string arrays), `@effect/platform` `Headers`, `Headers` objects and iterables of pairs.
 *
 * @since 0.1.0
 */
import * as Predicate from "effect/Predicate"

/**
 * What {@link normalize} accepts.
 *
 * @since 0.1.0
 * @category models
 */
export type Input =
  | Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  | Iterable<readonly [string, string]>

/**
 * Normalises headers. Total: odd inputs (non-string names or values) are skipped. The result has no prototype,
 * so a header named `__proto__` is just a header.
 *
 * @since 0.1.0
 * @category constructors
 */
export const normalize = (input: Input): Readonly<Record<string, string>> => {
  const out: Record<string, string> = Object.create(null)
  const put = (name: unknown, value: unknown) => {
    if (typeof name !== "string") return
    const v = typeof value === "string"
      ? value
      : Array.isArray(value)
      ? value.filter(Predicate.isString).join(", ")
      : undefined
    if (v === undefined) return
    const key = name.toLowerCase()
    const previous = out[key]
    out[key] = previous === undefined ? v : `${previous}, ${v}`
  }
  if (Predicate.isIterable(input) && !Predicate.isString(input)) {
    const pairs: Iterable<unknown> = input
    for (const pair of pairs) {
      if (Array.isArray(pair)) put(pair[0], pair[1])
    }
  } else if (Predicate.isRecord(input)) {
    for (const [k, v] of Object.entries(input)) put(k, v)
  }
  return out
}
