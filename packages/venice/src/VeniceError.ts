/**
 * Venice's error shapes (design.md §1, E1–E10), each its own `Schema.TaggedError`, and the one total decoder that turns
 * any `(status, headers, body)` into exactly one of them, with the code inferred from the catalog (C2).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { VeniceError } from "@venice-effect/venice"
 *
 * declare const call: Effect.Effect<string, VeniceError.VeniceError>
 *
 * const program = call.pipe(
 *   // by shape
 *   Effect.catchTag("VeniceValidationError", (e) => Effect.succeed(VeniceError.renderFieldErrors(e).join("\n"))),
 *   // by code, whatever the shape
 *   VeniceError.catchCode(["MODEL_OFFLINE", "MODEL_AT_CAPACITY"], (e) => Effect.succeed(`later: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { CatalogLogLevel } from "@venice-effect/core/CatalogLogLevel"
import * as ErrorBody from "@venice-effect/core/ErrorBody"
import type * as HeaderDiagnostics from "@venice-effect/core/HeaderDiagnostics"
import type * as RateLimit from "@venice-effect/core/RateLimit"
import * as ResponseHeaders from "@venice-effect/core/ResponseHeaders"
import * as RetryClass from "@venice-effect/core/RetryClass"
import * as SafeUrl from "@venice-effect/core/SafeUrl"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as ErrorCatalog from "./ErrorCatalog.js"
import * as ResponseMeta from "./ResponseMeta.js"
import * as X402Body from "./X402Body.js"

// ─── Shared field schemas ────────────────────────────────────────────────────────────────────────

/**
 * Which header or field announced a wait.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WaitSource = Schema.Literal(
  "retry-after",
  "body retry_after",
  "x-ratelimit-reset-requests",
  "x-ratelimit-reset-tokens",
  "x-ratelimit-resets",
  "x-ratelimit-reset",
  "rpc credit window (24 h)"
)

/**
 * A catalog code or `"UNKNOWN"`, as a schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CodeOrUnknown: Schema.Schema<ErrorCatalog.CodeOrUnknown> = Schema.Literal(
  ...ErrorCatalog.codes,
  "UNKNOWN"
)

/**
 * A Zod `format()` tree normalised: the messages at this level, and the same structure per field.
 *
 * @since 0.1.0
 * @category models
 */
export interface FieldErrors {
  readonly errors: ReadonlyArray<string>
  readonly fields: { readonly [field: string]: FieldErrors }
}

/**
 * @since 0.1.0
 * @category schemas
 */
export const FieldErrors: Schema.Schema<FieldErrors> = Schema.Struct({
  errors: Schema.Array(Schema.String),
  fields: Schema.Record({ key: Schema.String, value: Schema.suspend(() => FieldErrors) })
})

const MAX_TREE_DEPTH = 32

const toFieldErrors = (input: unknown, depth: number): FieldErrors | undefined => {
  if (!Predicate.isRecord(input) || depth > MAX_TREE_DEPTH) return undefined
  const errors = Array.isArray(input._errors) ? input._errors.filter(Predicate.isString) : []
  // Object.fromEntries defines own properties: a field named "__proto__" stays a field.
  const fields = Object.fromEntries(
    Object.entries(input).flatMap(([key, value]) => {
      if (key === "_errors") return []
      const child = toFieldErrors(value, depth + 1)
      return child === undefined ? [] : [[key, child] as const]
    })
  )
  return { errors, fields }
}

/**
 * Schema from Zod's `format()` output (`{ _errors: [...], field: { _errors: [...] } }`, recursively keyed by field)
 * to {@link FieldErrors}. Non-object nodes are rejected; unknown leaves are skipped; depth is bounded.
 *
 * @since 0.1.0
 * @category schemas
 */
export const FieldErrorsFromZodFormat: Schema.Schema<FieldErrors, unknown> = Schema.transformOrFail(
  Schema.Unknown,
  Schema.typeSchema(FieldErrors),
  {
    strict: true,
    decode: (input, _, ast) => {
      const tree = Predicate.isRecord(input) && "_errors" in input ? toFieldErrors(input, 0) : undefined
      return tree === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, input, "not a Zod format() tree"))
        : ParseResult.succeed(tree)
    },
    encode: (tree) => {
      const encode = (node: FieldErrors): Record<string, unknown> => {
        const out: Record<string, unknown> = { _errors: node.errors }
        for (const [k, v] of Object.entries(node.fields)) out[k] = encode(v)
        return out
      }
      return ParseResult.succeed(encode(tree))
    }
  }
)

/**
 * One entry of Zod's flat `issues` list.
 *
 * @since 0.1.0
 * @category models
 */
export class ValidationIssue extends Schema.Class<ValidationIssue>("@venice-effect/venice/ValidationIssue")({
  code: Schema.optionalWith(Schema.String, { exact: true }),
  path: Schema.optionalWith(Schema.Array(Schema.Union(Schema.String, Schema.Number)), { default: () => [] }),
  message: Schema.String
}) {}

/**
 * Fields every Venice error carries (design.md §1, O1).
 *
 * @since 0.1.0
 * @category schemas
 */
export const CommonFields = {
  /** HTTP status. */
  status: Schema.Int,
  /** The catalog code: explicit in the body, else inferred from the message at this status (C2). */
  code: CodeOrUnknown,
  /** The code the body named when it is not in the catalog (kept verbatim). */
  reportedCode: Schema.optionalWith(Schema.String, { exact: true }),
  /** Venice's message for people. */
  message: Schema.String,
  /** `X-Request-ID` header or body `request_id`. */
  requestId: Schema.optionalWith(Schema.String, { exact: true }),
  /** The client's own correlation id for this call (always set by the client). */
  correlationId: Schema.optionalWith(Schema.String, { exact: true }),
  /** `CF-RAY`. */
  cfRay: Schema.optionalWith(Schema.String, { exact: true }),
  /** `x-venice-version`. */
  veniceVersion: Schema.optionalWith(Schema.String, { exact: true }),
  /**
   * The wait the server announced: `Retry-After`, a body `retry_after`, or — on a 429 without either — the time until
   * the reset of the limit that refused (R3).
   */
  retryAfter: Schema.optionalWith(Schema.DurationFromSelf, { exact: true }),
  /** Where `retryAfter` came from. */
  retryAfterFrom: Schema.optionalWith(WaitSource, { exact: true }),
  /** The rate-limit families of the response (H2–H5). */
  rateLimit: Schema.optionalWith(ResponseMeta.RateLimits, { exact: true }),
  /**
   * `Deprecation` / `Sunset` / `Link` (and Venice's model deprecation headers) of the response: a 410 names its
   * successor here.
   */
  deprecation: Schema.optionalWith(ResponseMeta.Deprecation, { exact: true }),
  /** The raw body, bounded (first 64 KiB). */
  raw: Schema.String,
  /** Request method (set by the client). */
  method: Schema.optionalWith(Schema.String, { exact: true }),
  /** Request URL without secrets (set by the client). */
  url: Schema.optionalWith(Schema.String, { exact: true }),
  /** 1-based attempt number (set by the client). */
  attempt: Schema.optionalWith(Schema.Int, { exact: true })
}

// ─── The shapes ──────────────────────────────────────────────────────────────────────────────────

/**
 * E1 — `{ error: string }`, the default shape (+ `credits_refunded`, `request_id`, `hint`).
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceStandardError extends Schema.TaggedError<VeniceStandardError>()("VeniceStandardError", {
  ...CommonFields,
  creditsRefunded: Schema.optionalWith(Schema.Boolean, { exact: true }),
  hint: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * E2 — a schema-validation failure: `{ error, details, issues? }`. `details` is a Zod `format()` tree (normalised
 * to {@link FieldErrors}) or a plain string. Render both with {@link renderFieldErrors}.
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceValidationError extends Schema.TaggedError<VeniceValidationError>()("VeniceValidationError", {
  ...CommonFields,
  details: Schema.optionalWith(Schema.Union(FieldErrors, Schema.String), { exact: true }),
  issues: Schema.Array(ValidationIssue)
}) {}

/**
 * E3 — OpenAI-style `{ error: { message, type, param?, code? } }` (e.g. `context_length_exceeded`). Match on `code`,
 * not on the message.
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceOpenAIError extends Schema.TaggedError<VeniceOpenAIError>()("VeniceOpenAIError", {
  ...CommonFields,
  type: Schema.optionalWith(Schema.String, { exact: true }),
  param: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * E4 — 422 content policy: `{ error, suggested_prompt? }`. With `suggestedPrompt` the call may be retried once with
 * it, if the caller's consent policy agrees (R5).
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceContentViolationError
  extends Schema.TaggedError<VeniceContentViolationError>()("VeniceContentViolationError", {
    ...CommonFields,
    suggestedPrompt: Schema.optionalWith(Schema.String, { exact: true })
  })
{}

/**
 * E5 — 422 from `/video/retrieve`: the model provider refused; credits may be refunded and another model suggested.
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceProviderContentPolicyError
  extends Schema.TaggedError<VeniceProviderContentPolicyError>()("VeniceProviderContentPolicyError", {
    ...CommonFields,
    creditsRefunded: Schema.optionalWith(Schema.Boolean, { exact: true }),
    recommendedModel: Schema.optionalWith(Schema.String, { exact: true })
  })
{}

/**
 * E6 — 413 `{ code: "PAYLOAD_TOO_LARGE", error }`.
 *
 * @since 0.1.0
 * @category errors
 */
export class VenicePayloadTooLargeError
  extends Schema.TaggedError<VenicePayloadTooLargeError>()("VenicePayloadTooLargeError", CommonFields)
{}

/**
 * E7a — 402 x402 discovery, sent when a request carried no credentials at all: the x402 v2 payment requirements
 * plus `authOptions`. Not a balance problem: add a Bearer key or a SIGN-IN-WITH-X header.
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceX402DiscoveryError extends Schema.TaggedError<VeniceX402DiscoveryError>()(
  "VeniceX402DiscoveryError",
  {
    ...CommonFields,
    body: X402Body.DiscoveryBody,
    /** The `PAYMENT-REQUIRED` header, decoded (not the same JSON as the body). */
    paymentRequired: Schema.optionalWith(X402Body.PaymentRequired, { exact: true })
  }
) {}

/**
 * E7b — 402 `{ code: "PAYMENT_REQUIRED", … }`: a signed-in wallet's credit is below the minimum. The one 402 the
 * SDK may pay for (R4), within the caller's caps.
 *
 * @since 0.1.0
 * @category errors
 */
export class VenicePaymentRequiredError extends Schema.TaggedError<VenicePaymentRequiredError>()(
  "VenicePaymentRequiredError",
  {
    ...CommonFields,
    body: X402Body.PaymentRequiredBody,
    /** The `PAYMENT-REQUIRED` header, decoded. */
    paymentRequired: Schema.optionalWith(X402Body.PaymentRequired, { exact: true })
  }
) {}

/**
 * E8 — a coded error: `{ error: message, code }` on inference routes (`X402_SIGN_IN_*`, `X402_CONCURRENCY_LIMIT`,
 * `PAYMENT_HEADER_NOT_ACCEPTED` …) or `{ error: CODE, message, details? }` from `/x402/top-up`.
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceCodedError extends Schema.TaggedError<VeniceCodedError>()("VeniceCodedError", {
  ...CommonFields,
  details: Schema.optionalWith(Schema.Unknown, { exact: true })
}) {}

/**
 * E9 — 409 from `/video/queue`: the model needs the caller's consent before queueing.
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceConsentRequiredError extends Schema.TaggedError<VeniceConsentRequiredError>()(
  "VeniceConsentRequiredError",
  {
    ...CommonFields,
    consentFlow: Schema.optionalWith(Schema.String, { exact: true }),
    faceMediaRoles: Schema.Array(Schema.String),
    consentVersion: Schema.optionalWith(Schema.String, { exact: true }),
    policyText: Schema.optionalWith(Schema.String, { exact: true }),
    docsUrl: Schema.optionalWith(Schema.String, { exact: true })
  }
) {}

/**
 * What kind of body an {@link VeniceUnrecognizedError} had.
 *
 * @since 0.1.0
 * @category models
 */
export const BodyKind = Schema.Literal("empty", "html", "text", "truncated-json", "unexpected-json", "too-large")

/**
 * E10 — a body that is not a Venice error document: empty, an HTML page from a CDN or proxy, plain text, truncated
 * JSON, or JSON of an unexpected shape. Status, raw text and header facts are still kept.
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceUnrecognizedError extends Schema.TaggedError<VeniceUnrecognizedError>()(
  "VeniceUnrecognizedError",
  {
    ...CommonFields,
    bodyKind: BodyKind
  }
) {}

/**
 * Every error a Venice response can decode to.
 *
 * @since 0.1.0
 * @category models
 */
export type VeniceError =
  | VeniceStandardError
  | VeniceValidationError
  | VeniceOpenAIError
  | VeniceContentViolationError
  | VeniceProviderContentPolicyError
  | VenicePayloadTooLargeError
  | VeniceX402DiscoveryError
  | VenicePaymentRequiredError
  | VeniceCodedError
  | VeniceConsentRequiredError
  | VeniceUnrecognizedError

/**
 * The classes of {@link VeniceError}, e.g. for `instanceof` checks and exhaustive tests.
 *
 * @since 0.1.0
 * @category models
 */
export const classes = [
  VeniceStandardError,
  VeniceValidationError,
  VeniceOpenAIError,
  VeniceContentViolationError,
  VeniceProviderContentPolicyError,
  VenicePayloadTooLargeError,
  VeniceX402DiscoveryError,
  VenicePaymentRequiredError,
  VeniceCodedError,
  VeniceConsentRequiredError,
  VeniceUnrecognizedError
] as const

/**
 * Every tag of {@link VeniceError}.
 *
 * @since 0.1.0
 * @category models
 */
export type Tag = VeniceError["_tag"]

const tags: ReadonlySet<string> = new Set(classes.map((c) => c._tag))

/**
 * Is this value a decoded Venice response error?
 *
 * @since 0.1.0
 * @category guards
 */
export const isVeniceError = (u: unknown): u is VeniceError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)

// ─── Body schemas (what Venice sends) ────────────────────────────────────────────────────────────

const OptString = Schema.optional(Schema.NullOr(Schema.String))
const OptBool = Schema.optional(Schema.NullOr(Schema.Boolean))

const ErrorObject = Schema.Struct({
  message: Schema.String,
  type: OptString,
  param: OptString,
  code: OptString,
  credits_refunded: OptBool,
  recommended_model: OptString,
  retry_after: Schema.optional(Schema.Unknown)
})

const TopLevel = Schema.Struct({
  error: Schema.optional(Schema.Unknown),
  code: Schema.optional(Schema.Unknown),
  message: Schema.optional(Schema.Unknown),
  details: Schema.optional(Schema.Unknown),
  issues: Schema.optional(Schema.Unknown),
  suggested_prompt: Schema.optional(Schema.Unknown),
  credits_refunded: Schema.optional(Schema.Unknown),
  request_id: Schema.optional(Schema.Unknown),
  hint: Schema.optional(Schema.Unknown),
  retry_after: Schema.optional(Schema.Unknown),
  x402Version: Schema.optional(Schema.Unknown)
})

const ConsentBody = Schema.Struct({
  consent_flow: OptString,
  face_media_roles: Schema.optional(Schema.Array(Schema.String)),
  consent: Schema.optional(
    Schema.Struct({ consent_version: OptString, policy_text: OptString })
  ),
  docs_url: OptString
})

const Issues = Schema.Array(ValidationIssue)

const decodeOption = <A, I>(schema: Schema.Schema<A, I>) => Schema.decodeUnknownOption(schema)
const decodeErrorObject = decodeOption(ErrorObject)
const decodeTopLevel = decodeOption(TopLevel)
const decodeConsent = decodeOption(ConsentBody)
const decodeIssues = decodeOption(Issues)
const decodeTree = decodeOption(FieldErrorsFromZodFormat)

const CODE_LIKE = /^[A-Z][A-Z0-9_]{2,}$/

/** The window of crypto RPC's credit cap (skill venice-crypto-rpc: credits per rolling 24 hours). */
const RPC_CREDIT_WINDOW = Duration.hours(24)

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)
const nonNull = <A>(u: A | null | undefined): A | undefined => (u === null ? undefined : u)

/** `retry_after` in a body: seconds, bounded like the header. */
const bodyRetryAfter = (u: unknown): Duration.Duration | undefined =>
  typeof u === "number" && Number.isFinite(u) && u >= 0 && u <= 7 * 24 * 3600
    ? Duration.millis(Math.round(u * 1000))
    : undefined

// ─── Decoding ────────────────────────────────────────────────────────────────────────────────────

/**
 * What the client knows about the request that failed (O1). Never includes credentials.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestContext {
  readonly method?: string | undefined
  readonly url?: string | URL | undefined
  readonly attempt?: number | undefined
  readonly correlationId?: string | undefined
  /** On `crypto-rpc` a bare `X-RateLimit-Remaining` is the RPC family, not the error budget. */
  readonly route?: "crypto-rpc" | "other" | undefined
}

/**
 * The input of {@link decode}: an HTTP response as status, headers and body.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeInput {
  readonly status: number
  /** Response headers: a record (any case; arrays are joined) or an iterable of pairs. */
  readonly headers: ResponseHeaders.Input
  readonly body: Uint8Array | string
  /** "Now" in epoch ms, for HTTP-date `Retry-After` and relative resets (default: `Date.now()`). */
  readonly nowMillis?: number | undefined
  readonly request?: RequestContext | undefined
}

/**
 * The decoded error with the response's header facts and the headers that were ignored as garbage (for a debug
 * log).
 *
 * @since 0.1.0
 * @category models
 */
export interface Decoded {
  readonly error: VeniceError
  readonly meta: ResponseMeta.ResponseMeta
  readonly ignoredHeaders: ReadonlyArray<HeaderDiagnostics.IgnoredHeader>
}

/**
 * Decodes one error response. Total: any status, any headers, any bytes give exactly one {@link VeniceError}
 * (never a throw), with the response's header facts.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse = (input: DecodeInput): Decoded => {
  const nowMillis = input.nowMillis ?? Date.now()
  const status = Number.isInteger(input.status) ? input.status : 0
  const headers = ResponseHeaders.normalize(input.headers)
  const metaDecoded = ResponseMeta.decode(headers, { nowMillis, route: input.request?.route })
  const meta = metaDecoded.value
  const ignored = [...metaDecoded.ignored]
  const paymentRequired = X402Body.decodePaymentRequiredHeader(headers["payment-required"])
  if (paymentRequired._tag === "Left") ignored.push(paymentRequired.left)
  const body = ErrorBody.inspect(input.body, { contentType: headers["content-type"] })
  const req = input.request

  const announcedWait = (
    code: ErrorCatalog.CodeOrUnknown,
    bodyWait: Duration.Duration | undefined
  ): readonly [Duration.Duration, typeof WaitSource.Type] | undefined => {
    if (meta.retryAfter !== undefined) return [meta.retryAfter, "retry-after"]
    if (bodyWait !== undefined) return [bodyWait, "body retry_after"]
    if (status !== 429) return undefined
    const limits = meta.rateLimits
    const now = DateTime.unsafeMake(nowMillis)
    const until = (
      window: RateLimit.Window | undefined,
      source: typeof WaitSource.Type
    ): readonly [Duration.Duration, typeof WaitSource.Type] | undefined =>
      window?.resetAt !== undefined ? [window.untilReset(now), source] : undefined
    if (code === "FAILED_REQUESTS" || code === "UNSUPPORTED_FEATURE_REQUESTS") {
      return until(limits.errorBudget, "x-ratelimit-resets")
    }
    // the crypto-RPC credit cap frees up over a rolling 24 h window and names no reset (its X-RateLimit-* headers, if
    // any, describe the per-minute window): the window is the bound
    if (code === "RPC_CREDIT_LIMIT_EXCEEDED") return [RPC_CREDIT_WINDOW, "rpc credit window (24 h)"]
    if (req?.route === "crypto-rpc") return until(limits.rpc, "x-ratelimit-reset")
    if (limits.requests?.exhausted) return until(limits.requests, "x-ratelimit-reset-requests")
    if (limits.tokens?.exhausted) return until(limits.tokens, "x-ratelimit-reset-tokens")
    return until(limits.requests, "x-ratelimit-reset-requests") ?? until(limits.tokens, "x-ratelimit-reset-tokens") ??
      until(limits.rpc, "x-ratelimit-reset")
  }

  const common = (
    fields: {
      readonly message: string | undefined
      readonly code?: string | undefined
      readonly requestId?: string | undefined
      readonly retryAfter?: Duration.Duration | undefined
    }
  ) => {
    const explicit = fields.code
    const code = ErrorCatalog.infer(status, { code: explicit, message: fields.message })
    const message = fields.message ??
      (code === "UNKNOWN" ? ErrorBody.describe(body, status) : ErrorCatalog.entry(code).message)
    const requestId = meta.requestId ?? fields.requestId
    const wait = announcedWait(code, fields.retryAfter)
    return {
      status,
      code,
      ...(explicit !== undefined && !ErrorCatalog.isCode(explicit) ? { reportedCode: explicit } : {}),
      message,
      ...(requestId !== undefined ? { requestId } : {}),
      ...(req?.correlationId !== undefined ? { correlationId: req.correlationId } : {}),
      ...(meta.cfRay !== undefined ? { cfRay: meta.cfRay } : {}),
      ...(meta.veniceVersion !== undefined ? { veniceVersion: meta.veniceVersion } : {}),
      ...(wait !== undefined ? { retryAfter: wait[0], retryAfterFrom: wait[1] } : {}),
      ...(!meta.rateLimits.isEmpty ? { rateLimit: meta.rateLimits } : {}),
      ...(meta.deprecation !== undefined ? { deprecation: meta.deprecation } : {}),
      raw: body.raw,
      ...(req?.method !== undefined ? { method: req.method } : {}),
      ...(req?.url !== undefined ? { url: SafeUrl.sanitize(req.url) } : {}),
      ...(req?.attempt !== undefined && Number.isInteger(req.attempt) ? { attempt: req.attempt } : {})
    }
  }

  const unrecognized = (bodyKind: typeof BodyKind.Type, message?: string): VeniceUnrecognizedError => {
    if (body._tag === "text") {
      // A plain-text body may still be a catalog message ("Rate limit exceeded") or a proxy's one-liner.
      // `split` with a limit of 1 returns exactly one element, even for an empty string
      const line = body.raw.split(/\r?\n/, 1)[0]!.trim()
      const fields = common({ message: line.length > 0 ? line : undefined })
      return new VeniceUnrecognizedError({ ...fields, bodyKind })
    }
    return new VeniceUnrecognizedError({ ...common({ message }), bodyKind })
  }

  const error = ((): VeniceError => {
    if (body._tag !== "json") {
      return unrecognized(body._tag === "empty" ? "empty" : body._tag)
    }
    const top = Option.getOrUndefined(decodeTopLevel(body.value))
    if (top === undefined || Array.isArray(body.value)) return unrecognized("unexpected-json")
    const requestId = str(top.request_id)
    const retryAfter = bodyRetryAfter(top.retry_after)
    const headerPaymentRequired = paymentRequired._tag === "Right" ? paymentRequired.right : undefined

    // E7a — x402 discovery
    if (typeof top.x402Version === "number") {
      const discovery = X402Body.decodeDiscoveryBody(body.value)
      if (Option.isSome(discovery)) {
        return new VeniceX402DiscoveryError({
          ...common({ message: str(top.error), code: "AUTHENTICATION_REQUIRED", requestId, retryAfter }),
          body: discovery.value,
          ...(headerPaymentRequired !== undefined ? { paymentRequired: headerPaymentRequired } : {})
        })
      }
    }

    // Object-valued `error`: E9, E5, E3
    if (Predicate.isRecord(top.error)) {
      const errorCode = str(top.error.code)
      if (errorCode === "needs_consent") {
        const consent = Option.getOrUndefined(decodeConsent(body.value))
        return new VeniceConsentRequiredError({
          ...common({ message: str(top.error.message), code: errorCode, requestId, retryAfter }),
          faceMediaRoles: consent?.face_media_roles ?? [],
          ...definedFields({
            consentFlow: nonNull(consent?.consent_flow),
            consentVersion: nonNull(consent?.consent?.consent_version),
            policyText: nonNull(consent?.consent?.policy_text),
            docsUrl: nonNull(consent?.docs_url)
          })
        })
      }
      const object = Option.getOrUndefined(decodeErrorObject(top.error))
      if (object === undefined) return unrecognized("unexpected-json", str(top.error.message))
      const objectRetryAfter = bodyRetryAfter(object.retry_after) ?? retryAfter
      if (object.type === "provider_content_policy") {
        return new VeniceProviderContentPolicyError({
          ...common({
            message: object.message,
            code: nonNull(object.code) ?? "PROVIDER_CONTENT_POLICY",
            requestId,
            retryAfter: objectRetryAfter
          }),
          ...definedFields({
            creditsRefunded: nonNull(object.credits_refunded),
            recommendedModel: nonNull(object.recommended_model)
          })
        })
      }
      return new VeniceOpenAIError({
        ...common({ message: object.message, code: nonNull(object.code), requestId, retryAfter: objectRetryAfter }),
        ...definedFields({ type: nonNull(object.type), param: nonNull(object.param) })
      })
    }

    const errorText = str(top.error)
    const codeField = str(top.code)

    // E7b — wallet below the minimum balance
    if (codeField === "PAYMENT_REQUIRED") {
      const decoded = X402Body.decodePaymentRequiredBody(body.value)
      if (Option.isSome(decoded)) {
        return new VenicePaymentRequiredError({
          ...common({ message: str(top.message) ?? errorText, code: codeField, requestId, retryAfter }),
          body: decoded.value,
          ...(headerPaymentRequired !== undefined ? { paymentRequired: headerPaymentRequired } : {})
        })
      }
    }

    // E6 — payload too large
    if (codeField === "PAYLOAD_TOO_LARGE" || (status === 413 && errorText !== undefined && codeField === undefined)) {
      return new VenicePayloadTooLargeError(common({ message: errorText, code: codeField, requestId, retryAfter }))
    }

    // E2 — validation details
    if (
      top.details !== undefined && top.details !== null && codeField === undefined &&
      !(errorText !== undefined && CODE_LIKE.test(errorText))
    ) {
      const details = typeof top.details === "string" ? top.details : Option.getOrUndefined(decodeTree(top.details))
      const issues = Option.getOrElse(decodeIssues(top.issues ?? []), () => [])
      return new VeniceValidationError({
        ...common({ message: errorText ?? str(top.message), requestId, retryAfter }),
        ...(details !== undefined ? { details } : {}),
        issues
      })
    }

    // E4 — content policy
    const suggestedPrompt = str(top.suggested_prompt)
    if (
      status === 422 && errorText !== undefined && codeField === undefined &&
      (suggestedPrompt !== undefined ||
        ErrorCatalog.infer(status, { message: errorText }) === "CONTENT_POLICY_VIOLATION")
    ) {
      return new VeniceContentViolationError({
        ...common({ message: errorText, requestId, retryAfter }),
        ...(suggestedPrompt !== undefined ? { suggestedPrompt } : {})
      })
    }

    // E8 — coded errors: `{ error: message, code }` or `{ error: CODE, message }`
    if (codeField !== undefined || (errorText !== undefined && CODE_LIKE.test(errorText))) {
      const code = codeField ?? errorText
      const message = codeField !== undefined ? errorText ?? str(top.message) : str(top.message)
      return new VeniceCodedError({
        ...common({ message, code, requestId, retryAfter }),
        ...(top.details !== undefined ? { details: top.details } : {})
      })
    }

    // E1 — standard
    if (errorText !== undefined) {
      const refunded = top.credits_refunded
      return new VeniceStandardError({
        ...common({ message: errorText, requestId, retryAfter }),
        ...(typeof refunded === "boolean" ? { creditsRefunded: refunded } : {}),
        ...definedFields({ hint: str(top.hint) })
      })
    }

    return unrecognized("unexpected-json", str(top.message))
  })()

  return { error, meta, ignoredHeaders: ignored }
}

const definedFields = <A extends Record<string, unknown>>(record: A): { [K in keyof A]?: Exclude<A[K], undefined> } => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v
  // `out` is `record` without its undefined entries: exactly this mapped type
  return out as { [K in keyof A]?: Exclude<A[K], undefined> }
}

/**
 * Decodes one error response into exactly one {@link VeniceError}. Total. Use {@link decodeResponse} to also get
 * the header facts and the ignored headers.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: DecodeInput): VeniceError => decodeResponse(input).error

// ─── Helpers ─────────────────────────────────────────────────────────────────────────────────────

/**
 * How this error may be retried (R1–R5): from its catalog code, refined by what the body proves — a 422 is
 * only `modify-then-retry` with a `suggestedPrompt`; a 402 is only `pay-then-retry` with `code: PAYMENT_REQUIRED`;
 * an uncatalogued code falls back to its status, except a 408, which is final (R1: it spends the error budget).
 *
 * @since 0.1.0
 * @category retry
 */
export const retryClass = (error: VeniceError): RetryClass.RetryClass => {
  switch (error._tag) {
    case "VeniceContentViolationError":
      return error.suggestedPrompt !== undefined ? "modify-then-retry" : "never"
    case "VenicePaymentRequiredError":
      return "pay-then-retry"
    case "VeniceX402DiscoveryError":
      return "never"
  }
  // A 408 is not Venice's (its docs and catalog list none): a proxy's. Venice's error budget counts every 4xx but 429,
  // and our guard does too, so each retry would spend the budget on a request that may have been delivered: final.
  if (error.code === "UNKNOWN") return error.status === 408 ? "never" : RetryClass.fromStatus(error.status)
  const fromCatalog = ErrorCatalog.entry(error.code).retryClass
  // A code's class never upgrades a shape that cannot carry the retry's evidence.
  return fromCatalog === "modify-then-retry" || fromCatalog === "pay-then-retry" ? "never" : fromCatalog
}

/**
 * Whether any automatic retry is allowed.
 *
 * @since 0.1.0
 * @category retry
 */
export const isRetryable = (error: VeniceError): boolean => RetryClass.isRetryable(retryClass(error))

/**
 * The catalog log level of this error (C4); uncatalogued 5xx log at `error`, other unknowns at `-`.
 *
 * @since 0.1.0
 * @category logging
 */
export const logLevel = (error: VeniceError): CatalogLogLevel =>
  error.code === "UNKNOWN" ? (error.status >= 500 ? "error" : "-") : ErrorCatalog.entry(error.code).logLevel

/**
 * The catalog's one-line remedy for this error (C5).
 *
 * @since 0.1.0
 * @category rendering
 */
export const remedy = (error: VeniceError): string =>
  error.code === "UNKNOWN"
    ? error.status >= 500
      ? "A server-side failure Venice did not name; retried with backoff."
      : "An error Venice did not name; see the message and raw body."
    : ErrorCatalog.entry(error.code).remedy

const joinPath = (path: ReadonlyArray<string | number>): string =>
  path.length === 0 ? "(root)" : path.map(String).join(".")

/**
 * The field-level messages of a validation error as `field.path: message` lines: from the `details` tree (or the
 * plain-string `details`), then the `issues` not already listed. Empty for errors that have none.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderFieldErrors = (error: VeniceError): ReadonlyArray<string> => {
  if (error._tag !== "VeniceValidationError") return []
  const lines: Array<string> = []
  const seen = new Set<string>()
  const add = (line: string) => {
    if (!seen.has(line)) {
      seen.add(line)
      lines.push(line)
    }
  }
  if (typeof error.details === "string") {
    add(error.details)
  } else if (error.details !== undefined) {
    const walk = (node: FieldErrors, path: ReadonlyArray<string>) => {
      for (const message of node.errors) add(`${joinPath(path)}: ${message}`)
      for (const [field, child] of Object.entries(node.fields)) walk(child, [...path, field])
    }
    walk(error.details, [])
  }
  for (const issue of error.issues) add(`${joinPath(issue.path)}: ${issue.message}`)
  return lines
}

/**
 * Recovers from Venice errors with one of the given codes, whatever their shape. Other errors pass through.
 *
 * @since 0.1.0
 * @category combinators
 */
export const catchCode: {
  <C extends ErrorCatalog.CodeOrUnknown, A2, E2, R2>(
    codes: C | ReadonlyArray<C>,
    f: (error: VeniceError & { readonly code: C }) => Effect.Effect<A2, E2, R2>
  ): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A | A2, E | E2, R | R2>
  <A, E, R, C extends ErrorCatalog.CodeOrUnknown, A2, E2, R2>(
    self: Effect.Effect<A, E, R>,
    codes: C | ReadonlyArray<C>,
    f: (error: VeniceError & { readonly code: C }) => Effect.Effect<A2, E2, R2>
  ): Effect.Effect<A | A2, E | E2, R | R2>
} = dual(3, <A, E, R, C extends ErrorCatalog.CodeOrUnknown, A2, E2, R2>(
  self: Effect.Effect<A, E, R>,
  codes: C | ReadonlyArray<C>,
  f: (error: VeniceError & { readonly code: C }) => Effect.Effect<A2, E2, R2>
): Effect.Effect<A | A2, E | E2, R | R2> => {
  const wanted: ReadonlySet<string> = new Set(typeof codes === "string" ? [codes] : codes)
  const matches = (e: unknown): e is VeniceError & { readonly code: C } => isVeniceError(e) && wanted.has(e.code)
  return Effect.catchAll(self, (e): Effect.Effect<A2, E | E2, R2> => matches(e) ? f(e) : Effect.fail(e))
})

/**
 * Whether this error has one of the given codes (narrowing).
 *
 * @since 0.1.0
 * @category guards
 */
export const hasCode = <C extends ErrorCatalog.CodeOrUnknown>(
  error: unknown,
  ...codes: ReadonlyArray<C>
): error is VeniceError & { readonly code: C } => isVeniceError(error) && codes.some((code) => code === error.code)
