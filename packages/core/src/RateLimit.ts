/**
 * Rate-limit headers, provider-agnostic: a limit / remaining / reset window, and reset values whose unit must be
 * detected (H2–H4: Unix milliseconds, Unix seconds, or a relative duration, depending on who sent them).
 * Providers map their own header names onto {@link readWindow}.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as HeaderDiagnostics from "./HeaderDiagnostics.js"

/**
 * How a reset value was read.
 *
 * - `unix-ms` — an absolute time in Unix milliseconds (≥ 10¹², i.e. after 2001-09-09 in ms).
 * - `unix-s` — an absolute time in Unix seconds (≥ 10⁹).
 * - `delta-s` — a small number: seconds from now (older docs).
 * - `duration` — a Go/OpenAI-style duration string such as `1m30s`, `250ms`, `6m0s`.
 *
 * @since 0.1.0
 * @category models
 */
export const ResetUnit = Schema.Literal("unix-ms", "unix-s", "delta-s", "duration")

/**
 * @since 0.1.0
 * @category models
 */
export type ResetUnit = typeof ResetUnit.Type

/**
 * One rate-limit window as the server announced it. Every field is optional: servers send subsets.
 *
 * @since 0.1.0
 * @category models
 */
export class Window extends Schema.Class<Window>("@venice-effect/core/RateLimit/Window")({
  /** The cap for the window. */
  limit: Schema.optionalWith(Schema.NonNegative, { exact: true }),
  /** What is left of the cap in the current window. */
  remaining: Schema.optionalWith(Schema.Number, { exact: true }),
  /** When the window resets. */
  resetAt: Schema.optionalWith(Schema.DateTimeUtcFromSelf, { exact: true }),
  /** How the reset value was read. */
  resetUnit: Schema.optionalWith(ResetUnit, { exact: true })
}) {
  /**
   * Time from `now` until the reset (zero when it is past or unknown).
   *
   * @since 0.1.0
   */
  untilReset(now: DateTime.Utc): Duration.Duration {
    return this.resetAt === undefined
      ? Duration.zero
      : Duration.millis(Math.max(0, DateTime.toEpochMillis(this.resetAt) - DateTime.toEpochMillis(now)))
  }

  /**
   * Whether the window is exhausted (`remaining` ≤ 0).
   *
   * @since 0.1.0
   */
  get exhausted(): boolean {
    return this.remaining !== undefined && this.remaining <= 0
  }
}

const UNIX_MS_FLOOR = 1e12
const UNIX_S_FLOOR = 1e9
/** Resets further away than this are garbage (an epoch-ms value misread, a corrupted header …). */
const MAX_RESET_HORIZON_MS = 366 * 24 * 3600 * 1000

const NUMBER = /^\s*\d{1,16}(?:\.\d{1,6})?\s*$/
const DURATION = /^\s*(?:(\d+(?:\.\d+)?)h)?(?:(\d+(?:\.\d+)?)m(?!s))?(?:(\d+(?:\.\d+)?)s)?(?:(\d+(?:\.\d+)?)ms)?\s*$/

/**
 * A reset value resolved to an absolute time.
 *
 * @since 0.1.0
 * @category models
 */
export interface Reset {
  readonly resetAt: DateTime.Utc
  readonly unit: ResetUnit
}

/**
 * Reads a reset header value, deciding its unit by magnitude (H2): ≥ 10¹² is Unix ms, ≥ 10⁹ Unix seconds,
 * anything smaller is seconds from now; duration strings (`1m30s`) are relative too. Returns `None` for garbage:
 * negative, non-numeric, or more than a year away. Total.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseReset = (value: string, nowMillis: number): Option.Option<Reset> => {
  let at: number
  let unit: ResetUnit
  if (NUMBER.test(value)) {
    const n = Number(value.trim())
    if (n >= UNIX_MS_FLOOR) {
      at = n
      unit = "unix-ms"
    } else if (n >= UNIX_S_FLOOR) {
      at = n * 1000
      unit = "unix-s"
    } else {
      at = nowMillis + n * 1000
      unit = "delta-s"
    }
  } else {
    const m = DURATION.exec(value)
    if (m === null || value.trim().length === 0) return Option.none()
    const [, h, min, s, ms] = m
    const millis = Number(h ?? 0) * 3_600_000 + Number(min ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0)
    at = nowMillis + millis
    unit = "duration"
  }
  if (!Number.isFinite(at) || at - nowMillis > MAX_RESET_HORIZON_MS) return Option.none()
  return Option.some({ resetAt: DateTime.unsafeMake(Math.round(at)), unit })
}

/**
 * A count header (`limit`, `remaining`): a non-negative integer.
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseCount = (value: string): Option.Option<number> =>
  /^\s*\d{1,15}\s*$/.test(value) ? Option.some(Number(value.trim())) : Option.none()

/**
 * The header names (lower-case) of one window family.
 *
 * @since 0.1.0
 * @category models
 */
export interface WindowNames {
  readonly limit?: string | undefined
  readonly remaining?: string | undefined
  readonly reset?: string | undefined
}

/**
 * Reads one window from headers (a lower-cased record, as `@effect/platform`'s `Headers` is). Absent headers
 * give `None`; present but garbage values are reported in `ignored` and left out of the window.
 *
 * @since 0.1.0
 * @category parsing
 */
export const readWindow = (
  headers: Readonly<Record<string, string>>,
  names: WindowNames,
  nowMillis: number
): HeaderDiagnostics.Decoded<Option.Option<Window>> => {
  const ignored: Array<HeaderDiagnostics.IgnoredHeader> = []
  const fields: { limit?: number; remaining?: number; resetAt?: DateTime.Utc; resetUnit?: ResetUnit } = {}
  let seen = false
  const count = (name: string | undefined, set: (n: number) => void) => {
    if (name === undefined) return
    const raw = headers[name]
    if (raw === undefined) return
    seen = true
    Option.match(parseCount(raw), {
      onNone: () => ignored.push(HeaderDiagnostics.ignored(name, raw, "not a non-negative integer")),
      onSome: set
    })
  }
  count(names.limit, (n) => (fields.limit = n))
  count(names.remaining, (n) => (fields.remaining = n))
  const resetName = names.reset
  if (resetName !== undefined) {
    const raw = headers[resetName]
    if (raw !== undefined) {
      seen = true
      Option.match(parseReset(raw, nowMillis), {
        onNone: () => ignored.push(HeaderDiagnostics.ignored(resetName, raw, "not a reset time or duration")),
        onSome: (r) => {
          fields.resetAt = r.resetAt
          fields.resetUnit = r.unit
        }
      })
    }
  }
  const hasField = fields.limit !== undefined || fields.remaining !== undefined || fields.resetAt !== undefined
  return { value: seen && hasField ? Option.some(new Window(fields)) : Option.none(), ignored }
}
