/**
 * Header decoding never fails a call: a garbage value is ignored and reported here, so the client can log it
 * at debug level (design.md §3: "garbage values are ignored with a debug log, never a failure").
 *
 * @since 0.1.0
 */

/**
 * A header whose value was present but could not be used.
 *
 * @since 0.1.0
 * @category models
 */
export interface IgnoredHeader {
  /** The header name, lower-cased. */
  readonly name: string
  /** Why it was ignored, for people. */
  readonly reason: string
  /** The value, cut to 120 characters. Only response headers are decoded, never credentials. */
  readonly value: string
}

/**
 * A decoded value together with the headers that were ignored while decoding it.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decoded<A> {
  readonly value: A
  readonly ignored: ReadonlyArray<IgnoredHeader>
}

/**
 * @since 0.1.0
 * @category constructors
 */
export const ignored = (name: string, value: string, reason: string): IgnoredHeader => ({
  name: name.toLowerCase(),
  reason,
  value: value.length > 120 ? `${value.slice(0, 120)}…` : value
})
