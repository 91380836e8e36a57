/**
 * What the liveness properties generate: a retry policy, a call (plain or streamed), and the sequence of faults the
 * emulator answers its requests with, in order — every catalog code in every body shape, transport faults (resets
 * before the headers and mid-body, truncated JSON, HTML pages, empty bodies, stalls, delays), garbage headers,
 * success responses with odd rate-limit headers, and on streams in-band errors, resets, early ends and stalls (silent
 * or sending only keep-alive comments, before or after the first event) — with random `Retry-After` and rate-limit
 * values (absent, 0, small, huge, garbage, HTTP-dates, each header family); the caller an API key or a wallet (Base
 * or Solana, signing in on every attempt). From a case, the bounds the properties check.
 */
import * as Faults from "@venice-effect/emulator/Faults"
import * as Duration from "effect/Duration"
import * as FastCheck from "effect/FastCheck"
import * as ErrorCatalog from "../../src/ErrorCatalog.js"

/** A value computed at scripting time from the (virtual) clock: a `Retry-After` date, a reset time. */
export type Timed =
  | { readonly _tag: "HttpDate"; readonly offsetSeconds: number }
  | { readonly _tag: "ResetMs"; readonly offsetMs: number }

export type RetryAfter = number | string | Timed | undefined

export interface RateLimitSpec {
  readonly limit?: number | undefined
  readonly remaining?: number | undefined
  /** Offset from now in ms (the family's unit is applied when scripting), or an absolute raw value. */
  readonly reset?:
    | { readonly _tag: "offset"; readonly ms: number }
    | { readonly _tag: "raw"; readonly value: number }
    | undefined
}

/** A fault spec: plain data, turned into an emulator fault at scripting time. */
export type FaultSpec =
  | {
    readonly _tag: "Error"
    readonly code: ErrorCatalog.VeniceErrorCode
    readonly shape?: Faults.Shape | undefined
    readonly status?: number | undefined
    readonly retryAfter?: RetryAfter
    readonly rateLimit?: RateLimitSpec | undefined
    readonly headers?: Readonly<Record<string, string | Timed>> | undefined
  }
  | { readonly _tag: "ResetBeforeHeaders" }
  | { readonly _tag: "ResetMidBody"; readonly afterBytes?: number | undefined }
  | { readonly _tag: "TruncatedJson"; readonly keepBytes?: number | undefined }
  | { readonly _tag: "HtmlPage"; readonly status: number }
  | { readonly _tag: "EmptyBody"; readonly status: number }
  | { readonly _tag: "Stall" }
  | { readonly _tag: "Delay"; readonly millis: number }
  | { readonly _tag: "Headers"; readonly headers: Readonly<Record<string, string | Timed>> }
  | { readonly _tag: "GarbageHeaders"; readonly kind: Faults.GarbageKind }
  | {
    readonly _tag: "StreamError"
    readonly afterChunks: number
    readonly retryAfter?: number | null | undefined
    readonly code?: string | undefined
  }
  | { readonly _tag: "StreamReset"; readonly afterChunks: number }
  | { readonly _tag: "StreamEnd"; readonly afterChunks: number }
  | { readonly _tag: "StreamStall"; readonly afterChunks: number; readonly keepAliveEvery?: number | undefined }

export interface Policy {
  readonly maxRetries: number
  readonly maxWait: number
  readonly timeout: number
  readonly base: number
  readonly cap: number
}

/** Who calls: an API key, or a wallet that signs in with SIWX on every attempt (no payment policy: a 402 is final). */
export type Caller = "key" | "base" | "solana"

export interface Case {
  readonly streaming: boolean
  readonly caller: Caller
  readonly policy: Policy
  /** The stream's idle bound between data events; `undefined`: the default (60 s, W7). */
  readonly idleTimeout?: number | undefined
  /** The stream's first-event bound; `undefined`: the default (2 min, W6). */
  readonly firstEventTimeout?: number | undefined
  readonly faults: ReadonlyArray<FaultSpec>
}

// ─── values ──────────────────────────────────────────────────────────────────────────────────────

const HOUR = 3_600_000
const DAY = 24 * HOUR

const retryAfter: FastCheck.Arbitrary<RetryAfter> = FastCheck.oneof(
  { arbitrary: FastCheck.constant(undefined), weight: 4 },
  FastCheck.constant(0),
  FastCheck.integer({ min: 1, max: 5 }),
  FastCheck.integer({ min: 6, max: 600 }),
  FastCheck.constantFrom(3600, 86_400, 90_000, 604_800, 99_999_999_999),
  FastCheck.constantFrom("soon", "-5", "1, 2", "NaN", "", "1e3", " 7 ", "Infinity", "0.5", "2.25"),
  FastCheck.record({
    _tag: FastCheck.constant("HttpDate" as const),
    offsetSeconds: FastCheck.constantFrom(-3600, -1, 0, 2, 45, 3600, 86_400, 30 * 86_400)
  })
)

const resetOffset = FastCheck.constantFrom(
  1_000,
  5_000,
  60_000,
  -60_000,
  0,
  1_000,
  5_000,
  60_000,
  HOUR,
  DAY,
  2 * DAY,
  300 * DAY
)

const rateLimit: FastCheck.Arbitrary<RateLimitSpec | undefined> = FastCheck.oneof(
  { arbitrary: FastCheck.constant(undefined), weight: 2 },
  FastCheck.record({
    // small windows, used up, most of the time: the states pacing can get stuck in
    limit: FastCheck.option(FastCheck.constantFrom(1, 1, 2, 0, 5, 50, 1_000_000_000), { nil: undefined, freq: 6 }),
    remaining: FastCheck.option(FastCheck.constantFrom(0, 0, 0, 1, 5, 100), { nil: undefined, freq: 6 }),
    reset: FastCheck.option(
      FastCheck.oneof(
        { arbitrary: FastCheck.record({ _tag: FastCheck.constant("offset" as const), ms: resetOffset }), weight: 4 },
        FastCheck.record({
          _tag: FastCheck.constant("raw" as const),
          value: FastCheck.constantFrom(0, 1, 30, 1e10, 9e15)
        })
      ),
      { nil: undefined }
    )
  }, { requiredKeys: [] })
)

/** Headers of the three rate-limit families, with sane, nonsense and garbage values. */
const limitHeaders: FastCheck.Arbitrary<Readonly<Record<string, string | Timed>>> = FastCheck.dictionary(
  FastCheck.constantFrom(
    "x-ratelimit-limit-requests",
    "x-ratelimit-remaining-requests",
    "x-ratelimit-reset-requests",
    "x-ratelimit-limit-tokens",
    "x-ratelimit-remaining-tokens",
    "x-ratelimit-reset-tokens",
    "x-ratelimit-remaining",
    "x-ratelimit-resets",
    "retry-after"
  ),
  FastCheck.oneof(
    FastCheck.constantFrom("0", "1", "5", "20", "1000000000000", "-1", "lots", "NaN", "1e999", "", "1m30s", "250ms"),
    FastCheck.record({ _tag: FastCheck.constant("ResetMs" as const), offsetMs: resetOffset })
  ),
  { maxKeys: 4 }
)

const shapes = Faults.Shape.literals

/** The codes that wait or back off: where liveness can go wrong, so they are drawn as often as all the others. */
const transient: ReadonlyArray<ErrorCatalog.VeniceErrorCode> = ErrorCatalog.codes.filter((code) => {
  const retryClass = ErrorCatalog.entry(code).retryClass
  return retryClass === "backoff" || retryClass === "header-wait"
})

const errorFault: FastCheck.Arbitrary<FaultSpec> = FastCheck.record({
  _tag: FastCheck.constant("Error" as const),
  code: FastCheck.oneof(
    FastCheck.constantFrom(...ErrorCatalog.codes),
    FastCheck.constantFrom(...transient),
    FastCheck.constantFrom<ErrorCatalog.VeniceErrorCode>("RATE_LIMIT_EXCEEDED", "MODEL_OVERLOADED", "MODEL_AT_CAPACITY")
  ),
  // the code's own shape most of the time, any other shape too
  shape: FastCheck.option(FastCheck.constantFrom(...shapes), { nil: undefined, freq: 3 }),
  status: FastCheck.option(FastCheck.constantFrom(400, 408, 429, 500, 502, 503, 504), { nil: undefined, freq: 8 }),
  retryAfter,
  rateLimit,
  headers: FastCheck.option(limitHeaders, { nil: undefined, freq: 4 })
}, { requiredKeys: ["_tag", "code"] })

const transportFault: FastCheck.Arbitrary<FaultSpec> = FastCheck.oneof(
  FastCheck.constant({ _tag: "ResetBeforeHeaders" } as const),
  FastCheck.record({
    _tag: FastCheck.constant("ResetMidBody" as const),
    afterBytes: FastCheck.constantFrom(undefined, 0, 10, 200)
  }),
  FastCheck.record({
    _tag: FastCheck.constant("TruncatedJson" as const),
    keepBytes: FastCheck.constantFrom(undefined, 0, 5)
  }),
  FastCheck.record({
    _tag: FastCheck.constant("HtmlPage" as const),
    status: FastCheck.constantFrom(200, 403, 429, 500, 502, 503, 504)
  }),
  FastCheck.record({
    _tag: FastCheck.constant("EmptyBody" as const),
    status: FastCheck.constantFrom(200, 400, 408, 429, 500, 502, 503)
  }),
  FastCheck.constant({ _tag: "Stall" } as const),
  FastCheck.record({
    _tag: FastCheck.constant("Delay" as const),
    millis: FastCheck.constantFrom(10, 900, 4_000, 40_000)
  }),
  FastCheck.record({ _tag: FastCheck.constant("Headers" as const), headers: limitHeaders }),
  FastCheck.record({
    _tag: FastCheck.constant("GarbageHeaders" as const),
    kind: FastCheck.constantFrom(...Faults.GarbageKind.literals)
  })
)

/**
 * Stream faults. A stall (the connection kept open, nothing more sent, or only keep-alive comments) may come before the
 * first event or after any: the default first-event and idle bounds (W6, W7) end it, keep-alive comments resetting
 * neither.
 */
const streamFault: FastCheck.Arbitrary<FaultSpec> = FastCheck.oneof(
  FastCheck.record({
    _tag: FastCheck.constant("StreamError" as const),
    afterChunks: FastCheck.integer({ min: 0, max: 4 }),
    retryAfter: FastCheck.constantFrom(undefined, null, 0, 1, 30, 86_400),
    code: FastCheck.constantFrom(undefined, "model_overloaded", "upstream_error", "rate_limit_exceeded")
  }, { requiredKeys: ["_tag", "afterChunks"] }),
  FastCheck.record({
    _tag: FastCheck.constant("StreamReset" as const),
    afterChunks: FastCheck.integer({ min: 0, max: 4 })
  }),
  FastCheck.record({
    _tag: FastCheck.constant("StreamEnd" as const),
    afterChunks: FastCheck.integer({ min: 0, max: 4 })
  }),
  FastCheck.record({
    _tag: FastCheck.constant("StreamStall" as const),
    afterChunks: FastCheck.integer({ min: 0, max: 3 }),
    keepAliveEvery: FastCheck.constantFrom(undefined, 5_000, 25_000)
  }, { requiredKeys: ["_tag", "afterChunks"] })
)

const policy: FastCheck.Arbitrary<Policy> = FastCheck.record({
  maxRetries: FastCheck.oneof(FastCheck.integer({ min: 0, max: 5 }), FastCheck.integer({ min: 3, max: 6 })),
  maxWait: FastCheck.constantFrom(0, 500, 5_000, 60_000, 60_000, 10 * 60_000, 10 * 60_000, 25 * HOUR),
  timeout: FastCheck.constantFrom(1_000, 10_000, 180_000),
  base: FastCheck.constantFrom(10, 500),
  cap: FastCheck.constantFrom(100, 30_000)
})

/** A whole case. */
export const cases = (options: { readonly streaming: boolean }): FastCheck.Arbitrary<Case> => {
  const fault = FastCheck.oneof(
    { arbitrary: errorFault, weight: 5 },
    { arbitrary: transportFault, weight: 3 },
    ...(options.streaming ? [{ arbitrary: streamFault, weight: 3 }] : [])
  )
  return FastCheck.record({
    streaming: FastCheck.constant(options.streaming),
    // an API key half of the time, a wallet on either chain the other half
    caller: FastCheck.constantFrom<Caller>("key", "key", "base", "solana"),
    policy,
    idleTimeout: options.streaming
      ? FastCheck.constantFrom(undefined, undefined, 2_000, 30_000)
      : FastCheck.constant(undefined),
    firstEventTimeout: options.streaming
      ? FastCheck.constantFrom(undefined, undefined, 5_000)
      : FastCheck.constant(undefined),
    faults: FastCheck.array(fault, { minLength: 0, maxLength: 6 })
  }, { requiredKeys: ["streaming", "caller", "policy", "faults"] })
}

// ─── scripting ───────────────────────────────────────────────────────────────────────────────────

const timed = (value: Timed, now: number): string =>
  value._tag === "HttpDate"
    ? new Date(now + value.offsetSeconds * 1000).toUTCString()
    : String(now + value.offsetMs)

const resolveHeaders = (headers: Readonly<Record<string, string | Timed>>, now: number): Record<string, string> =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, typeof v === "string" ? v : timed(v, now)]))

/** The emulator fault of a spec, its times resolved against `now` (the virtual clock). */
export const toFault = (spec: FaultSpec, now: number): Faults.Fault => {
  switch (spec._tag) {
    case "Error": {
      const ra = spec.retryAfter
      const reset = spec.rateLimit?.reset
      // crypto RPC counts in Unix seconds; chat's family in Unix ms
      const resetValue = reset === undefined ? undefined : reset._tag === "raw" ? reset.value : now + reset.ms
      return Faults.error(spec.code, {
        ...(spec.shape !== undefined ? { shape: spec.shape } : {}),
        ...(spec.status !== undefined ? { status: spec.status } : {}),
        ...(ra !== undefined ? { retryAfter: typeof ra === "object" ? timed(ra, now) : ra } : {}),
        ...(spec.rateLimit !== undefined
          ? {
            rateLimit: {
              ...(spec.rateLimit.limit !== undefined ? { limit: spec.rateLimit.limit } : {}),
              ...(spec.rateLimit.remaining !== undefined ? { remaining: spec.rateLimit.remaining } : {}),
              ...(resetValue !== undefined ? { reset: resetValue } : {})
            }
          }
          : {}),
        ...(spec.headers !== undefined ? { headers: resolveHeaders(spec.headers, now) } : {})
      })
    }
    case "ResetBeforeHeaders":
      return Faults.resetBeforeHeaders
    case "ResetMidBody":
      return Faults.resetMidBody(spec.afterBytes)
    case "TruncatedJson":
      return Faults.truncatedJson(spec.keepBytes)
    case "HtmlPage":
      return Faults.htmlPage(spec.status)
    case "EmptyBody":
      return Faults.emptyBody(spec.status)
    case "Stall":
      return Faults.stall
    case "Delay":
      return Faults.delay(spec.millis)
    case "Headers":
      return Faults.headers(resolveHeaders(spec.headers, now))
    case "GarbageHeaders":
      return Faults.garbageHeaders(spec.kind)
    case "StreamError":
      return Faults.streamError(spec.afterChunks, {
        ...(spec.retryAfter !== undefined ? { retryAfter: spec.retryAfter } : {}),
        ...(spec.code !== undefined ? { code: spec.code } : {})
      })
    case "StreamReset":
      return Faults.streamReset(spec.afterChunks)
    case "StreamEnd":
      return Faults.streamEnd(spec.afterChunks)
    case "StreamStall":
      return Faults.streamStall(spec.afterChunks, { keepAliveEvery: spec.keepAliveEvery })
  }
}

// ─── oracles and bounds ──────────────────────────────────────────────────────────────────────────

/** Statuses a body-less or non-JSON answer is never retried on (R1, and 408: docs/retries.md). */
const FINAL_STATUSES = new Set([400, 401, 403, 404, 408, 410, 413, 415])

/**
 * Whether the answer of a fault can never be retried by the default classes: a catalog code in its own shape and
 * status whose class is neither `backoff` nor `header-wait` (a payment or a modified request needs a policy this
 * suite does not give), or an HTML page / empty body whose status is final. Other combinations decode by inference
 * (an explicit `code` may name a retryable row whatever the status) and are left out of this oracle.
 */
export const isFinal = (spec: FaultSpec): boolean => {
  switch (spec._tag) {
    case "Error": {
      if (spec.status !== undefined || (spec.shape !== undefined && spec.shape !== Faults.defaultShape(spec.code))) {
        return false
      }
      const retryClass = ErrorCatalog.entry(spec.code).retryClass
      return retryClass !== "backoff" && retryClass !== "header-wait"
    }
    case "HtmlPage":
    case "EmptyBody":
      return FINAL_STATUSES.has(spec.status)
    default:
      return false
  }
}

/** Index of the first fault whose answer can never be retried, if any: the server sees at most that many + 1. */
export const firstFinal = (c: Case): number | undefined => {
  const i = c.faults.findIndex(isFinal)
  return i < 0 ? undefined : i
}

/** The default bounds of a stream between data events (W7) and before its first (W6). */
export const DEFAULT_IDLE = 60_000
export const DEFAULT_FIRST_EVENT = 120_000

/** The retry policy's jitter on announced waits, and its relative backoff jitter (RetryPolicy defaults). */
const ANNOUNCED_JITTER = 250
const JITTER = 0.2

/**
 * The longest a call may take under its policy (L1, docs/retries.md): at most `maxRetries + 1` attempts, each
 * preceded by at most `maxWait` of waiting for its turn (pacing, slots) and lasting at most the attempt timeout;
 * between attempts at most one retry delay — an announced wait no longer than `maxWait` (longer ones fail at once) or
 * the backoff cap, with their jitter; then a stream's tail, bounded by its idle bound between events (a stream's
 * first-event bound lies within its attempt's timeout, which runs until the first event).
 */
export const callBound = (c: Case): number => {
  const p = c.policy
  const attempts = p.maxRetries + 1
  const delay = Math.max(p.maxWait + ANNOUNCED_JITTER, Math.ceil(p.cap * (1 + JITTER)) + ANNOUNCED_JITTER)
  const tail = c.streaming ? (c.idleTimeout ?? DEFAULT_IDLE) : 0
  return attempts * (p.maxWait + 10 + p.timeout) + p.maxRetries * delay + tail + 1_000
}

/** The longest any wait the faults announce may hold the model's pacing after the call (up to the pacing horizon). */
export const recoveryBound = (c: Case): number => {
  const horizon = 25 * HOUR
  let longest = 60_000 // a window whose end no response named lasts at most a span (≤ the longest reset seen)
  const consider = (ms: number) => {
    if (ms > 0 && ms <= horizon) longest = Math.max(longest, ms)
  }
  for (const f of c.faults) {
    if (f._tag === "Error") {
      const ra = f.retryAfter
      if (typeof ra === "number") consider(ra * 1000)
      else if (typeof ra === "string") consider(horizon) // garbage may still read as a number of seconds
      else if (ra !== undefined) consider(ra._tag === "HttpDate" ? ra.offsetSeconds * 1000 : ra.offsetMs)
      if (f.code === "MODEL_OVERLOADED" && ra === undefined) consider(30_000)
      // the crypto-RPC credit cap names its rolling 24 h window (a later call may pace on it within its maxWait), also
      // when the announced wait is one the SDK ignores (past the 25 h horizon, L3)
      if (f.code === "RPC_CREDIT_LIMIT_EXCEEDED") consider(24 * HOUR)
      const reset = f.rateLimit?.reset
      if (reset !== undefined) consider(reset._tag === "offset" ? reset.ms : horizon)
      if (f.rateLimit !== undefined || f.code === "RATE_LIMIT_EXCEEDED") consider(60_000)
      if (f.headers !== undefined) consider(horizon)
    }
    if (f._tag === "Headers" || f._tag === "GarbageHeaders") consider(horizon)
  }
  return longest + 2 * 180_000 + 60_000
}

/** Stalls: faults whose request the emulator answers late or never (the clock driver moves time for them). */
export const stalls = (spec: FaultSpec | undefined): boolean =>
  spec !== undefined && (spec._tag === "Stall" || spec._tag === "Delay" || spec._tag === "StreamStall")

export const describeCase = (c: Case): string =>
  JSON.stringify(c, (_, v) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v))

export const durationOf = (millis: number): Duration.Duration => Duration.millis(millis)
