/**
 * The `Retry-After` header (RFC 9110 §10.2.3; H1): delta-seconds or an HTTP-date. Negative, non-numeric,
 * non-finite and absurd values are ignored rather than trusted.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as HeaderDiagnostics from "./HeaderDiagnostics.js"

/**
 * A decoded `Retry-After` value: a relative delay, or an absolute date that still needs "now" to become a wait.
 *
 * @since 0.1.0
 * @category models
 */
export type RetryAfter =
  | { readonly _tag: "Delay"; readonly delay: Duration.Duration }
  | { readonly _tag: "At"; readonly epochMillis: number }

/**
 * Waits longer than this are treated as garbage (default: 7 days). Long but sane waits (a 24 h crypto-RPC credit
 * cap) pass and are then handled by the retry policy's maximum-wait rule (R3).
 *
 * @since 0.1.0
 * @category constants
 */
export const ABSURD_AFTER: Duration.Duration = Duration.days(7)

const DeltaSeconds = Schema.String.pipe(
  Schema.pattern(/^\s*\d{1,12}(?:\.\d{1,6})?\s*$/, { message: () => "delta-seconds must be a non-negative number" })
)

const HTTP_DATE =
  /^\s*(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT|(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), \d{2}-(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)-\d{2} \d{2}:\d{2}:\d{2} GMT|(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [ \d]\d \d{2}:\d{2}:\d{2} \d{4})\s*$/

const HttpDate = Schema.String.pipe(
  Schema.pattern(HTTP_DATE, { message: () => "not an HTTP-date (IMF-fixdate, RFC 850 or asctime)" })
)

/**
 * Schema from the header's text to a {@link RetryAfter}. Decoding fails (with a ParseError, never a throw) on
 * anything that is neither delta-seconds nor an HTTP-date.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RetryAfterFromString: Schema.Schema<RetryAfter, string> = Schema.Union(
  Schema.transform(DeltaSeconds, Schema.Struct({ _tag: Schema.Literal("Delay"), delay: Schema.DurationFromSelf }), {
    strict: true,
    decode: (s) => ({ _tag: "Delay" as const, delay: Duration.millis(Math.round(Number(s.trim()) * 1000)) }),
    encode: (v) => String(Duration.toSeconds(v.delay))
  }),
  Schema.transformOrFail(HttpDate, Schema.Struct({ _tag: Schema.Literal("At"), epochMillis: Schema.Number }), {
    strict: true,
    decode: (s, _, ast) => {
      const epochMillis = Date.parse(s.trim())
      return Number.isFinite(epochMillis)
        ? ParseResult.succeed({ _tag: "At" as const, epochMillis })
        : ParseResult.fail(new ParseResult.Type(ast, s, "not a valid HTTP-date"))
    },
    encode: (v) => ParseResult.succeed(new Date(v.epochMillis).toUTCString())
  })
)

/**
 * Resolves a decoded value against "now": a past date waits zero.
 *
 * @since 0.1.0
 * @category conversions
 */
export const toDuration = (value: RetryAfter, nowMillis: number): Duration.Duration =>
  value._tag === "Delay" ? value.delay : Duration.millis(Math.max(0, value.epochMillis - nowMillis))

/**
 * Parses a raw header value into a wait, or `None` when the value is garbage (unparseable, negative, or longer
 * than {@link ABSURD_AFTER}). Total.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parse = (
  value: string,
  nowMillis: number,
  absurdAfter: Duration.Duration = ABSURD_AFTER
): Option.Option<Duration.Duration> =>
  Schema.decodeUnknownOption(RetryAfterFromString)(value).pipe(
    Option.map((v) => toDuration(v, nowMillis)),
    Option.filter((d) => Duration.lessThanOrEqualTo(d, absurdAfter))
  )

/**
 * The `Retry-After` of response headers (names lower-cased, as `ResponseHeaders.normalize` gives them): the wait,
 * and the header itself when it was present but unusable, for a debug log (design.md §3: ignored, never a failure).
 * Total.
 *
 * @since 0.2.0
 * @category parsing
 */
export const fromHeaders = (
  headers: Readonly<Record<string, string>>,
  nowMillis: number
): HeaderDiagnostics.Decoded<Option.Option<Duration.Duration>> => {
  const raw = headers["retry-after"]
  if (raw === undefined) return { value: Option.none(), ignored: [] }
  const value = parse(raw, nowMillis)
  return Option.isSome(value)
    ? { value, ignored: [] }
    : {
      value,
      ignored: [HeaderDiagnostics.ignored("retry-after", raw, "not delta-seconds or an HTTP-date, or absurd")]
    }
}
