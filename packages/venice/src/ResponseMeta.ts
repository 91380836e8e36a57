/**
 * What Venice's response headers say (H1–H9), decoded into one typed value kept on every success and every
 * error: correlation ids, the three rate-limit families (read by exact name, since they share a prefix but not
 * units), balances, content-safety flags, deprecation notices, and the image and audio facts
 * (`x-venice-enhanced-prompt`, `x-venice-audio-*`). Garbage values are ignored and reported, never fatal.
 *
 * @since 0.1.0
 */
import * as HeaderDiagnostics from "@venice-effect/core/HeaderDiagnostics"
import * as RateLimit from "@venice-effect/core/RateLimit"
import * as RetryAfter from "@venice-effect/core/RetryAfter"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The rate-limit families of one response.
 *
 * - `requests` / `tokens` — model limits, `x-ratelimit-{limit,remaining,reset}-{requests,tokens}` (H2).
 * - `errorBudget` — the failed-request budget, `x-ratelimit-remaining` / `x-ratelimit-resets` (H3).
 * - `rpc` — crypto RPC's per-minute cap, `X-RateLimit-{Limit,Remaining,Reset}` (H4).
 * - `advisory` — any other `X-Rate-Limit-*` / `X-RateLimit*` header, kept verbatim and never acted on (H5).
 *
 * @since 0.1.0
 * @category models
 */
export class RateLimits extends Schema.Class<RateLimits>("@venice-effect/venice/RateLimits")({
  requests: Schema.optionalWith(RateLimit.Window, { exact: true }),
  tokens: Schema.optionalWith(RateLimit.Window, { exact: true }),
  errorBudget: Schema.optionalWith(RateLimit.Window, { exact: true }),
  rpc: Schema.optionalWith(RateLimit.Window, { exact: true }),
  advisory: Schema.optionalWith(Schema.Record({ key: Schema.String, value: Schema.String }), { exact: true })
}) {
  /**
   * Whether no family was present.
   *
   * @since 0.1.0
   */
  get isEmpty(): boolean {
    return this.requests === undefined && this.tokens === undefined && this.errorBudget === undefined &&
      this.rpc === undefined && this.advisory === undefined
  }
}

/**
 * Model deprecation notices (`x-venice-deprecated`, `x-venice-deprecated-replacement`,
 * `x-venice-model-deprecation-warning` / `-date`) and RFC 9745 / 8594 endpoint deprecation (`Deprecation`, `Sunset`,
 * `Link`).
 *
 * @since 0.1.0
 * @category models
 */
export class Deprecation extends Schema.Class<Deprecation>("@venice-effect/venice/Deprecation")({
  deprecated: Schema.optionalWith(Schema.Boolean, { exact: true }),
  replacement: Schema.optionalWith(Schema.String, { exact: true }),
  warning: Schema.optionalWith(Schema.String, { exact: true }),
  date: Schema.optionalWith(Schema.String, { exact: true }),
  deprecation: Schema.optionalWith(Schema.String, { exact: true }),
  sunset: Schema.optionalWith(Schema.String, { exact: true }),
  link: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * Everything the headers of one Venice response say.
 *
 * @since 0.1.0
 * @category models
 */
export class ResponseMeta extends Schema.Class<ResponseMeta>("@venice-effect/venice/ResponseMeta")({
  /** `X-Request-ID` (crypto RPC and some inference routes). */
  requestId: Schema.optionalWith(Schema.String, { exact: true }),
  /** `CF-RAY`: Cloudflare's id of the request; Venice support keys logs by it. */
  cfRay: Schema.optionalWith(Schema.String, { exact: true }),
  /** `x-venice-version`: the API build that answered. */
  veniceVersion: Schema.optionalWith(Schema.String, { exact: true }),
  /** `Retry-After`, resolved to a wait. */
  retryAfter: Schema.optionalWith(Schema.DurationFromSelf, { exact: true }),
  /** The rate-limit families. */
  rateLimits: RateLimits,
  /** `x-venice-balance-usd`: USD credit before the request. */
  balanceUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  /** `x-venice-balance-diem`: DIEM balance before the request. */
  balanceDiem: Schema.optionalWith(Schema.Number, { exact: true }),
  /** `X-Balance-Remaining`: x402 credit left after the request. */
  balanceRemainingUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  /** `x-venice-is-content-violation`. */
  contentViolation: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** `x-venice-is-adult-model-content-violation`. */
  adultContentViolation: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** `x-venice-is-blurred`. */
  blurred: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** `x-venice-model-id` / `x-venice-model-name`. */
  modelId: Schema.optionalWith(Schema.String, { exact: true }),
  modelName: Schema.optionalWith(Schema.String, { exact: true }),
  /** Deprecation notices, when any header of that family is present. */
  deprecation: Schema.optionalWith(Deprecation, { exact: true }),
  /** `Idempotent-Replayed: true`: crypto RPC served this from its idempotency cache. */
  idempotentReplayed: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** `X-Venice-RPC-Credits` / `X-Venice-RPC-Cost-USD`. */
  rpcCredits: Schema.optionalWith(Schema.Number, { exact: true }),
  rpcCostUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  /** `x-venice-enhanced-prompt`, URL-decoded: the prompt an image route used after `enhance_prompt` rewrote it. */
  enhancedPrompt: Schema.optionalWith(Schema.String, { exact: true }),
  /** `x-venice-audio-format`: the container of finished audio (`/audio/retrieve`). */
  audioFormat: Schema.optionalWith(Schema.String, { exact: true }),
  /** `x-venice-inference-time`: seconds the job ran. */
  inferenceTimeSeconds: Schema.optionalWith(Schema.Number, { exact: true }),
  /** `x-venice-audio-duration`: seconds of audio (Seed Audio). */
  audioDurationSeconds: Schema.optionalWith(Schema.Number, { exact: true }),
  /** `x-venice-audio-subtitle`, URL-decoded when encoded: the subtitle track (Seed Audio). */
  audioSubtitle: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions {
  /** "Now" in epoch milliseconds, for HTTP-dates and relative resets. */
  readonly nowMillis: number
  /** The route the response answered, when known: on `crypto-rpc` a bare `X-RateLimit-Remaining` is H4. */
  readonly route?: "crypto-rpc" | "other" | undefined
}

const NUMBER = /^\s*-?\d+(?:\.\d+)?\s*$/
const BOOLEAN = /^\s*(true|false)\s*$/i

const consumedRateLimit = new Set([
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-ratelimit-limit-tokens",
  "x-ratelimit-remaining-tokens",
  "x-ratelimit-reset-tokens",
  "x-ratelimit-remaining",
  "x-ratelimit-resets",
  "x-ratelimit-limit",
  "x-ratelimit-reset"
])

/**
 * Decodes a response's headers (a lower-cased record, e.g. `@effect/platform`'s `Headers`). Total: garbage values
 * land in `ignored`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (
  headers: Readonly<Record<string, string>>,
  options: DecodeOptions
): HeaderDiagnostics.Decoded<ResponseMeta> => {
  const ignored: Array<HeaderDiagnostics.IgnoredHeader> = []
  const now = options.nowMillis
  const text = (name: string): string | undefined => {
    const v = headers[name]
    return v === undefined || v.trim().length === 0 ? undefined : v.trim()
  }
  const number = (name: string): number | undefined => {
    const v = headers[name]
    if (v === undefined) return undefined
    if (NUMBER.test(v) && Number.isFinite(Number(v))) return Number(v)
    ignored.push(HeaderDiagnostics.ignored(name, v, "not a number"))
    return undefined
  }
  const bool = (name: string): boolean | undefined => {
    const v = headers[name]
    if (v === undefined) return undefined
    const m = BOOLEAN.exec(v)
    // BOOLEAN's group 1 is not optional: it takes part in every match
    if (m !== null) return m[1]!.toLowerCase() === "true"
    ignored.push(HeaderDiagnostics.ignored(name, v, "not true/false"))
    return undefined
  }
  /** A header Venice URL-encodes: decoded, or kept as sent when it is not valid percent-encoding. */
  const urlText = (name: string): string | undefined => {
    const v = text(name)
    if (v === undefined) return undefined
    try {
      return decodeURIComponent(v)
    } catch {
      return v
    }
  }
  const window = (names: RateLimit.WindowNames): RateLimit.Window | undefined => {
    const decoded = RateLimit.readWindow(headers, names, now)
    ignored.push(...decoded.ignored)
    return Option.getOrUndefined(decoded.value)
  }

  // H1
  const retryAfterHeader = RetryAfter.fromHeaders(headers, now)
  ignored.push(...retryAfterHeader.ignored)
  const retryAfter = Option.getOrUndefined(retryAfterHeader.value)

  // H2
  const requests = window({
    limit: "x-ratelimit-limit-requests",
    remaining: "x-ratelimit-remaining-requests",
    reset: "x-ratelimit-reset-requests"
  })
  const tokens = window({
    limit: "x-ratelimit-limit-tokens",
    remaining: "x-ratelimit-remaining-tokens",
    reset: "x-ratelimit-reset-tokens"
  })
  // H3 vs H4 share names case-insensitively. `x-ratelimit-resets` (plural) belongs to the error budget; a limit, a
  // singular reset or the crypto RPC route mean the RPC family. `x-ratelimit-remaining` goes to the RPC family on
  // the RPC route or when there is no budget evidence, otherwise to the budget (a bare one is the budget: skill).
  const hasResets = headers["x-ratelimit-resets"] !== undefined
  const isRpc = options.route === "crypto-rpc" || headers["x-ratelimit-limit"] !== undefined ||
    headers["x-ratelimit-reset"] !== undefined
  const remainingIsRpc = isRpc && (options.route === "crypto-rpc" || !hasResets)
  const errorBudget = hasResets || !remainingIsRpc
    ? window({ remaining: remainingIsRpc ? undefined : "x-ratelimit-remaining", reset: "x-ratelimit-resets" })
    : undefined
  const rpc = isRpc
    ? window({
      limit: "x-ratelimit-limit",
      remaining: remainingIsRpc ? "x-ratelimit-remaining" : undefined,
      reset: "x-ratelimit-reset"
    })
    : undefined
  // H5
  const advisoryEntries = Object.entries(headers).filter(([name]) =>
    (name.startsWith("x-rate-limit") || name.startsWith("x-ratelimit")) && !consumedRateLimit.has(name)
  )
  const advisory = advisoryEntries.length > 0 ? Object.fromEntries(advisoryEntries) : undefined
  const rateLimits = new RateLimits({
    ...(requests && { requests }),
    ...(tokens && { tokens }),
    ...(errorBudget && { errorBudget }),
    ...(rpc && { rpc }),
    ...(advisory && { advisory })
  })

  // H9 deprecation
  const deprecationFields = {
    deprecated: bool("x-venice-deprecated"),
    replacement: text("x-venice-deprecated-replacement"),
    warning: text("x-venice-model-deprecation-warning"),
    date: text("x-venice-model-deprecation-date"),
    deprecation: text("deprecation"),
    sunset: text("sunset"),
    link: text("link")
  }
  const hasDeprecation = Object.entries(deprecationFields).some(([k, v]) => v !== undefined && k !== "link")

  const fields = {
    requestId: text("x-request-id"),
    cfRay: text("cf-ray"),
    veniceVersion: text("x-venice-version"),
    retryAfter,
    rateLimits,
    balanceUsd: number("x-venice-balance-usd"),
    balanceDiem: number("x-venice-balance-diem"),
    balanceRemainingUsd: number("x-balance-remaining"),
    contentViolation: bool("x-venice-is-content-violation"),
    adultContentViolation: bool("x-venice-is-adult-model-content-violation"),
    blurred: bool("x-venice-is-blurred"),
    modelId: text("x-venice-model-id"),
    modelName: text("x-venice-model-name"),
    deprecation: hasDeprecation ? new Deprecation(defined(deprecationFields)) : undefined,
    idempotentReplayed: bool("idempotent-replayed"),
    rpcCredits: number("x-venice-rpc-credits"),
    rpcCostUsd: number("x-venice-rpc-cost-usd"),
    enhancedPrompt: urlText("x-venice-enhanced-prompt"),
    audioFormat: text("x-venice-audio-format"),
    inferenceTimeSeconds: number("x-venice-inference-time"),
    audioDurationSeconds: number("x-venice-audio-duration"),
    audioSubtitle: urlText("x-venice-audio-subtitle")
  }
  return { value: new ResponseMeta(defined(fields)), ignored }
}

/** Drops `undefined` values so optional fields stay absent (exactOptionalPropertyTypes). */
const defined = <A extends Record<string, unknown>>(
  record: A
):
  & { [K in keyof A as undefined extends A[K] ? never : K]: A[K] }
  & {
    [K in keyof A as undefined extends A[K] ? K : never]?: Exclude<A[K], undefined>
  } =>
{
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v
  // `out` is `record` without its undefined entries: exactly the mapped type above
  return out as never
}

/**
 * An empty meta, for errors that never got a response (transport failures, local guards).
 *
 * @since 0.1.0
 * @category constructors
 */
export const empty: ResponseMeta = new ResponseMeta({ rateLimits: new RateLimits({}) })
