/**
 * The emulator's fault model: what a test (or a person, over the admin route) can make the next N matching responses
 * be. A fault is plain data (a `Schema` union), so the same value is scripted in-process with
 * `VeniceEmulator.script(match, times, fault)` and over HTTP with `POST /__emulator/faults`.
 *
 * Three families:
 * - **Error** — any code of Venice's catalog (`ErrorCatalog.entries`) with the body shape and headers Venice sends
 *   for it (E1–E9, the lockout message with the error-budget headers, overload with `Retry-After`, …).
 * - **Transport** — a connection reset before the headers or in the middle of the body, truncated JSON, a CDN's HTML
 *   502 page, an empty body, a stall, a delay, garbage headers.
 * - **Stream** — after K chunks of a streamed response (chat SSE, `/responses` SSE, TTS bytes): an in-band error
 *   event, a reset, a stall, or a clean end without the terminator.
 * - **Documents** — how the x402 documents of an answer spell things: `BareSolanaNetwork` names the Solana rail
 *   `solana` instead of its CAIP-2 id, as Venice's inference challenges do today.
 * - **Settlement** — what becomes of a signed x402 top-up payment: a settlement timeout after which the transfer
 *   lands later (or never), a payment already in progress, a failed settlement.
 * - **Lost answer** — a proxy in front of Venice forwards the request late and loses Venice's answer (silence, a
 *   reset, an HTML 502): the request takes effect (a payment is credited), the client never learns it.
 * - **Content** — a `200` whose content is wrong: a structured output that does not validate against its schema.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Faults, VeniceEmulator } from "@venice-effect/emulator"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* VeniceEmulator.VeniceEmulator
 *   // the next two chat calls for this model are overloaded, then one resets mid-stream after 3 chunks
 *   yield* emulator.script({ route: "chat/completions", model: "venice-uncensored" }, 2, Faults.error("MODEL_OVERLOADED", { retryAfter: 1 }))
 *   yield* emulator.script({ route: "chat/completions" }, 1, Faults.streamReset(3))
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as ErrorCatalog from "@venice-effect/venice/ErrorCatalog"
import * as Schema from "effect/Schema"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())
const Status = Schema.Int.pipe(Schema.between(100, 599))
const HeaderRecord = Schema.Record({ key: Schema.String, value: Schema.String })

/**
 * Which requests a scripted fault applies to. Every given member must match; an empty match matches every request.
 *
 * - `key`: the raw API key of the request (hashed when the script is stored; the key itself is never kept).
 * - `keyLabel`: the label the emulator shows for a key in its stats (see `VeniceEmulator.labelOf`).
 * - `wallet`: a SIWX wallet address (case-insensitive).
 * - `route`: a route name as in the stats (`"chat/completions"`, `"crypto/rpc"`, `"x402/balance"`) or a path
 *   (`"/api/v1/chat/completions"`).
 * - `model`: the `model` of the request body.
 * - `paying`: `true` matches only requests carrying an x402 payment header (a top-up's settlement), `false` only
 *   those without one (e.g. the top-up discovery).
 *
 * @since 0.1.0
 * @category models
 */
export const Match = Schema.Struct({
  key: optional(Schema.String),
  keyLabel: optional(Schema.String),
  wallet: optional(Schema.String),
  route: optional(Schema.String),
  model: optional(Schema.String),
  paying: optional(Schema.Boolean)
}).annotations({ identifier: "Match" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Match extends Schema.Schema.Type<typeof Match> {}

/**
 * The body shapes of Venice's errors (E1–E9). Each catalog code has a default shape (see
 * `VeniceEmulator`'s docs); an {@link ErrorFault} may force another one, e.g. `provider-content-policy` for the E5
 * body `/video/retrieve` sends, or `standard` for the plain 400 Venice sends for many validation failures.
 *
 * @since 0.1.0
 * @category models
 */
export const Shape = Schema.Literal(
  "standard",
  "detailed",
  "openai",
  "content-violation",
  "provider-content-policy",
  "payload-too-large",
  "x402-discovery",
  "x402-payment-required",
  "coded",
  "top-up",
  "consent"
)

/**
 * @since 0.1.0
 * @category models
 */
export type Shape = typeof Shape.Type

/**
 * The body shape Venice uses for a code (skills venice-errors, venice-x402, venice-auth; the error-code page): the
 * shape an {@link ErrorFault} answers with unless it names another.
 *
 * @since 0.1.0
 * @category models
 */
export const defaultShape = (code: ErrorCatalog.VeniceErrorCode): Shape => {
  switch (code) {
    case "INVALID_REQUEST":
      return "detailed"
    case "context_length_exceeded":
      return "openai"
    case "CONTENT_POLICY_VIOLATION":
      return "content-violation"
    case "PAYLOAD_TOO_LARGE":
      return "payload-too-large"
    case "AUTHENTICATION_REQUIRED":
      return "x402-discovery"
    case "PAYMENT_REQUIRED":
      return "x402-payment-required"
    case "needs_consent":
      return "consent"
    case "PROVIDER_CONTENT_POLICY":
      return "provider-content-policy"
    case "X402_CONCURRENCY_LIMIT":
    case "PAYMENT_HEADER_NOT_ACCEPTED":
      return "coded"
    case "FAILED_REQUESTS":
    case "UNSUPPORTED_FEATURE_REQUESTS":
      return "standard"
  }
  if (code.startsWith("X402_SIGN_IN_")) return "coded"
  const row = ErrorCatalog.entry(code)
  return row.origin === "skill" && /^[A-Z0-9_]+$/.test(code) ? "top-up" : "standard"
}

/**
 * Rate-limit header values to send instead of the emulator's own (for `RATE_LIMIT_EXCEEDED` the `-requests`
 * family, for the lockouts the error-budget family, on crypto RPC the `X-RateLimit-*` family). `reset` is in the
 * family's unit (Unix ms; Unix seconds for crypto RPC).
 *
 * @since 0.1.0
 * @category models
 */
export const RateLimitOverride = Schema.Struct({
  limit: optional(Schema.Number),
  remaining: optional(Schema.Number),
  reset: optional(Schema.Number)
})

/**
 * Answer with a catalog code, in the shape and with the headers Venice uses for it.
 *
 * - `status`, `message`: override the catalog's.
 * - `retryAfter`: the `Retry-After` header (seconds, or any string — garbage included). `MODEL_OVERLOADED` sends
 *   `30` unless given.
 * - `headers`: extra headers, set last (they win).
 * - `rateLimit`: override the rate-limit header values of the code's family.
 * - `suggestedPrompt` (E4), `recommendedModel` / `creditsRefunded` (E5, E1), `requestId` (body `request_id`),
 *   `details` (E2 tree or string, top-up `details`), `shape` (force a body shape).
 *
 * @since 0.1.0
 * @category faults
 */
export class ErrorFault extends Schema.TaggedClass<ErrorFault>()("Error", {
  code: Schema.Literal(...ErrorCatalog.codes),
  status: optional(Status),
  message: optional(Schema.String),
  retryAfter: optional(Schema.Union(Schema.Number, Schema.String)),
  headers: optional(HeaderRecord),
  rateLimit: optional(RateLimitOverride),
  suggestedPrompt: optional(Schema.String),
  recommendedModel: optional(Schema.String),
  creditsRefunded: optional(Schema.Boolean),
  requestId: optional(Schema.String),
  details: optional(Schema.Unknown),
  shape: optional(Shape)
}) {}

/**
 * Reset the connection (TCP RST) before any response byte is sent.
 *
 * @since 0.1.0
 * @category faults
 */
export class ResetBeforeHeaders extends Schema.TaggedClass<ResetBeforeHeaders>()("ResetBeforeHeaders", {}) {}

/**
 * Send the real response's status, headers (with its full `Content-Length`) and the first `afterBytes` bytes of its
 * body (default: half), then reset the connection. On a streamed response, counts bytes of the stream.
 *
 * @since 0.1.0
 * @category faults
 */
export class ResetMidBody extends Schema.TaggedClass<ResetMidBody>()("ResetMidBody", {
  afterBytes: optional(NonNegativeInt)
}) {}

/**
 * Send the real response's status, headers (with its full `Content-Length`) and the first `afterBytes` bytes of its
 * body (default: half), then nothing more, keeping the connection open: a body that stalls mid-way (a client's idle
 * bound or timeout must end it). On a streamed response, counts bytes of the stream.
 *
 * @since 0.1.0
 * @category faults
 */
export class StallMidBody extends Schema.TaggedClass<StallMidBody>()("StallMidBody", {
  afterBytes: optional(NonNegativeInt)
}) {}

/**
 * Answer the real status with the real JSON body cut after `keepBytes` bytes (default: half), framed correctly
 * (`Content-Length` of the cut body): a complete HTTP response whose body is not valid JSON.
 *
 * @since 0.1.0
 * @category faults
 */
export class TruncatedJson extends Schema.TaggedClass<TruncatedJson>()("TruncatedJson", {
  keepBytes: optional(NonNegativeInt)
}) {}

/**
 * A Cloudflare-like HTML error page (`content-type: text/html`), status 502 unless given.
 *
 * @since 0.1.0
 * @category faults
 */
export class HtmlPage extends Schema.TaggedClass<HtmlPage>()("HtmlPage", {
  status: optional(Status)
}) {}

/**
 * A status with an empty body (`Content-Length: 0`, no content type).
 *
 * @since 0.1.0
 * @category faults
 */
export class EmptyBody extends Schema.TaggedClass<EmptyBody>()("EmptyBody", {
  status: Status
}) {}

/**
 * Accept the request and never answer, until the client gives up (or the emulator stops).
 *
 * @since 0.1.0
 * @category faults
 */
export class Stall extends Schema.TaggedClass<Stall>()("Stall", {}) {}

/**
 * Wait `millis` (on the emulator's `Clock`) before handling the request normally.
 *
 * @since 0.1.0
 * @category faults
 */
export class Delay extends Schema.TaggedClass<Delay>()("Delay", {
  millis: NonNegativeInt
}) {}

/**
 * Handle the request normally and add (or replace) these response headers.
 *
 * @since 0.1.0
 * @category faults
 */
export class Headers extends Schema.TaggedClass<Headers>()("Headers", {
  headers: HeaderRecord
}) {}

/**
 * Kinds of garbage header {@link GarbageHeaders} can send:
 * - `retry-after-text`: `Retry-After: soon` on an overload 429;
 * - `retry-after-duplicate`: `Retry-After: 1, 2` (two values folded into one) on an overload 429;
 * - `retry-after-absurd`: `Retry-After: 99999999999` on an overload 429;
 * - `retry-after-negative`: `Retry-After: -5` on an overload 429;
 * - `rate-limit-garbage`: `x-ratelimit-*` values that are not numbers on a `Rate limit exceeded` 429;
 * - `payment-required-invalid`: a `PAYMENT-REQUIRED` header that is not base64 JSON on the discovery 402.
 *
 * @since 0.1.0
 * @category models
 */
export const GarbageKind = Schema.Literal(
  "retry-after-text",
  "retry-after-duplicate",
  "retry-after-absurd",
  "retry-after-negative",
  "rate-limit-garbage",
  "payment-required-invalid"
)

/**
 * @since 0.1.0
 * @category models
 */
export type GarbageKind = typeof GarbageKind.Type

/**
 * An error response whose headers are garbage (see {@link GarbageKind}).
 *
 * @since 0.1.0
 * @category faults
 */
export class GarbageHeaders extends Schema.TaggedClass<GarbageHeaders>()("GarbageHeaders", {
  kind: GarbageKind
}) {}

/**
 * After `afterChunks` content chunks of a streamed response, send the in-band error and end the stream: on chat,
 * `data: {"error":{message,type,code,param,retry_after}}` then `data: [DONE]` (defaults: `server_error`,
 * `model_overloaded`, `retry_after: 30`); on `/responses`, `response.failed` with `response.error: {code, message}`
 * then `data: [DONE]`. Pass `retryAfter: null` to omit `retry_after`.
 *
 * @since 0.1.0
 * @category faults
 */
export class StreamError extends Schema.TaggedClass<StreamError>()("StreamError", {
  afterChunks: NonNegativeInt,
  message: optional(Schema.String),
  type: optional(Schema.String),
  code: optional(Schema.String),
  retryAfter: optional(Schema.NullOr(Schema.Number))
}) {}

/**
 * Reset the connection after `afterChunks` chunks of a streamed response (SSE events or audio chunks).
 *
 * @since 0.1.0
 * @category faults
 */
export class StreamReset extends Schema.TaggedClass<StreamReset>()("StreamReset", {
  afterChunks: NonNegativeInt
}) {}

/**
 * Stop sending after `afterChunks` chunks of a streamed response and keep the connection open. With `keepAliveEvery`
 * (SSE streams), keep sending a `: keepalive` comment every that many ms meanwhile (on the emulator's `Clock`): bytes
 * that never complete an event.
 *
 * @since 0.1.0
 * @category faults
 */
export class StreamStall extends Schema.TaggedClass<StreamStall>()("StreamStall", {
  afterChunks: NonNegativeInt,
  keepAliveEvery: optional(Schema.Int.pipe(Schema.positive()))
}) {}

/**
 * End a streamed response early after `afterChunks` chunks: an SSE stream ends cleanly without `data: [DONE]` /
 * `response.completed`; a TTS stream announces its full `Content-Length` and the connection closes before it.
 *
 * @since 0.1.0
 * @category faults
 */
export class StreamEnd extends Schema.TaggedClass<StreamEnd>()("StreamEnd", {
  afterChunks: NonNegativeInt
}) {}

/**
 * What becomes of a signed x402 payment (`POST /x402/top-up` with a payment header; top-up discovery requests never
 * match this fault). The payment is verified first (signature, recipient, asset, amount), as Venice does.
 *
 * - `timeout` — `504 SETTLEMENT_TIMEOUT`; the transfer lands `landsAfter` ms later on the emulator's `Clock`
 *   (default 10 s; the wallet's balance rises then) unless `lands` is `false` or its authorization has expired by
 *   then (`validBefore`). Until it lands a resubmission of the same payment gets `409 PAYMENT_IN_PROGRESS`;
 *   afterwards it gets the `200` of the credited payment.
 * - `in-progress` — `409 PAYMENT_IN_PROGRESS` (as if another submission of it were settling); nothing is credited.
 * - `failed` — `402 SETTLEMENT_FAILED`; nothing moved, the same payment may be submitted again.
 *
 * @since 0.1.0
 * @category faults
 */
export class Settlement extends Schema.TaggedClass<Settlement>()("Settlement", {
  outcome: Schema.Literal("timeout", "in-progress", "failed"),
  landsAfter: optional(NonNegativeInt),
  lands: optional(Schema.Boolean)
}) {}

/**
 * What the client gets instead of the real answer of a {@link LostAnswer}.
 *
 * - `silence`: nothing, ever (the connection stays open until the client gives up).
 * - `reset`: the connection is reset (TCP RST).
 * - `html-502`: a CDN's HTML 502 page.
 *
 * @since 0.1.0
 * @category models
 */
export const LostAnswerKind = Schema.Literal("silence", "reset", "html-502")

/**
 * @since 0.1.0
 * @category models
 */
export type LostAnswerKind = typeof LostAnswerKind.Type

/**
 * A proxy that forwards the request `forwardAfter` ms late (on the emulator's `Clock`) and loses the answer: the
 * route handles the request then — a signed top-up payment is verified and credited as Venice would, even if the
 * client has given up meanwhile — while the client gets `answer` instead, `answerAfter` ms after the request arrived
 * (default: when the forwarded request is answered; `silence` never answers). The fault of an unknown outcome: the
 * request may or may not have taken effect, and the client cannot tell.
 *
 * @since 0.1.0
 * @category faults
 */
export class LostAnswer extends Schema.TaggedClass<LostAnswer>()("LostAnswer", {
  forwardAfter: NonNegativeInt,
  answer: LostAnswerKind,
  answerAfter: optional(NonNegativeInt)
}) {}

/**
 * A duplicating proxy: the request is handled now and once more `after` ms later (on the emulator's `Clock`; the
 * copy's answer goes nowhere). `first` applies to the immediate copy only (a settlement answer, or a lost answer), so
 * a payment can be refused on one path and settle on the other, as a resubmission by anyone holding it could.
 *
 * @since 0.1.0
 * @category faults
 */
export class Duplicate extends Schema.TaggedClass<Duplicate>()("Duplicate", {
  after: NonNegativeInt,
  first: optional(Schema.Union(Settlement, LostAnswer))
}) {}

/**
 * Handle the request normally, then answer its status with a body of `bytes` bytes instead of the real one (a JSON
 * prefix, then padding), streamed without being held in memory. `announce` (default true) sends its
 * `Content-Length`; `gzip` sends it gzip-compressed instead (`Content-Encoding: gzip`, chunked: a bomb of a few
 * hundred KiB that inflates to `bytes`).
 *
 * @since 0.1.0
 * @category faults
 */
export class HugeBody extends Schema.TaggedClass<HugeBody>()("HugeBody", {
  bytes: NonNegativeInt,
  announce: optional(Schema.Boolean),
  gzip: optional(Schema.Boolean)
}) {}

/**
 * Answer a chat request with `response_format: { type: "json_schema" }` (plain or streamed) with JSON that does **not**
 * validate against its schema: the valid example with its first property of the wrong type (a model that ignored
 * the schema). Matches only such requests.
 *
 * @since 0.1.0
 * @category faults
 */
export class StructuredOutputViolation
  extends Schema.TaggedClass<StructuredOutputViolation>()("StructuredOutputViolation", {})
{}

/**
 * Handle the request normally, but name the Solana rail `solana` (Venice's short alias, what its inference 402s send
 * today) instead of `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp` in every x402 document of the answer: the discovery
 * 402, the insufficient-balance 402, the top-up requirements. It matches on key, wallet and route (not model), and is
 * taken before any other fault, so it combines with them.
 *
 * @since 0.1.0
 * @category faults
 */
export class BareSolanaNetwork extends Schema.TaggedClass<BareSolanaNetwork>()("BareSolanaNetwork", {}) {}

/**
 * Any fault.
 *
 * @since 0.1.0
 * @category models
 */
export const Fault = Schema.Union(
  ErrorFault,
  ResetBeforeHeaders,
  ResetMidBody,
  StallMidBody,
  TruncatedJson,
  HtmlPage,
  EmptyBody,
  Stall,
  Delay,
  Headers,
  GarbageHeaders,
  StreamError,
  StreamReset,
  StreamStall,
  StreamEnd,
  Settlement,
  LostAnswer,
  Duplicate,
  HugeBody,
  StructuredOutputViolation,
  BareSolanaNetwork
)

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = typeof Fault.Type

/**
 * The faults that act on a streamed response (they only match streaming requests: chat or `/responses` with
 * `stream: true`, `/audio/speech` with `streaming: true`).
 *
 * @since 0.1.0
 * @category models
 */
export type StreamFault = StreamError | StreamReset | StreamStall | StreamEnd

/**
 * Whether a fault acts on a streamed response.
 *
 * @since 0.1.0
 * @category guards
 */
export const isStreamFault = (fault: Fault): fault is StreamFault =>
  fault._tag === "StreamError" || fault._tag === "StreamReset" || fault._tag === "StreamStall" ||
  fault._tag === "StreamEnd"

/**
 * Whether a fault acts on the settlement of a signed top-up payment (it only matches paying top-up requests).
 *
 * @since 0.1.0
 * @category guards
 */
export const isSettlementFault = (fault: Fault): fault is Settlement => fault._tag === "Settlement"

/**
 * Whether a fault acts on the content of a structured-output answer (it only matches `json_schema` chat requests).
 *
 * @since 0.1.0
 * @category guards
 */
export const isContentFault = (fault: Fault): fault is StructuredOutputViolation =>
  fault._tag === "StructuredOutputViolation"

/**
 * Whether a fault changes how the answer's x402 documents are written (taken before the others, see
 * {@link BareSolanaNetwork}).
 *
 * @since 0.1.0
 * @category guards
 */
export const isDocumentFault = (fault: Fault): fault is BareSolanaNetwork => fault._tag === "BareSolanaNetwork"

/**
 * A script: the next `times` responses matching `match` get `fault`. The body of `POST /__emulator/faults`.
 *
 * @since 0.1.0
 * @category models
 */
export const Script = Schema.Struct({
  match: Schema.optionalWith(Match, { default: () => ({}) }),
  times: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1 }),
  fault: Fault
}).annotations({ identifier: "Script" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Script extends Schema.Schema.Type<typeof Script> {}

// ─── constructors ────────────────────────────────────────────────────────────────────────────────

/**
 * Options of {@link error}: every field of {@link ErrorFault} but the code.
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorOptions = Omit<ConstructorParameters<typeof ErrorFault>[0], "code">

/**
 * A catalog code, with the shape and headers Venice sends for it.
 *
 * @example
 * ```ts
 * import { Faults } from "@venice-effect/emulator"
 *
 * Faults.error("MODEL_OVERLOADED", { retryAfter: 2 })
 * Faults.error("CONTENT_POLICY_VIOLATION", { suggestedPrompt: "a calm instrumental track" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (code: ErrorCatalog.VeniceErrorCode, options: ErrorOptions = {}): ErrorFault =>
  new ErrorFault({ ...options, code })

/**
 * The E5 body of `/video/retrieve`: the model provider refused on content policy (422).
 *
 * @since 0.1.0
 * @category constructors
 */
export const providerContentPolicy = (
  options: { readonly recommendedModel?: string; readonly creditsRefunded?: boolean; readonly message?: string } = {}
): ErrorFault => new ErrorFault({ code: "CONTENT_POLICY_VIOLATION", shape: "provider-content-policy", ...options })

/**
 * @since 0.1.0
 * @category constructors
 */
export const resetBeforeHeaders: ResetBeforeHeaders = new ResetBeforeHeaders()

/**
 * @since 0.1.0
 * @category constructors
 */
export const resetMidBody = (afterBytes?: number): ResetMidBody =>
  new ResetMidBody(afterBytes === undefined ? {} : { afterBytes })

/**
 * The real answer's first `afterBytes` bytes (default: half), then a stall with the connection open (see
 * {@link StallMidBody}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const stallMidBody = (afterBytes?: number): StallMidBody =>
  new StallMidBody(afterBytes === undefined ? {} : { afterBytes })

/**
 * @since 0.1.0
 * @category constructors
 */
export const truncatedJson = (keepBytes?: number): TruncatedJson =>
  new TruncatedJson(keepBytes === undefined ? {} : { keepBytes })

/**
 * @since 0.1.0
 * @category constructors
 */
export const htmlPage = (status?: number): HtmlPage => new HtmlPage(status === undefined ? {} : { status })

/**
 * @since 0.1.0
 * @category constructors
 */
export const emptyBody = (status: number): EmptyBody => new EmptyBody({ status })

/**
 * @since 0.1.0
 * @category constructors
 */
export const stall: Stall = new Stall()

/**
 * @since 0.1.0
 * @category constructors
 */
export const delay = (millis: number): Delay => new Delay({ millis })

/**
 * @since 0.1.0
 * @category constructors
 */
export const headers = (headers: Readonly<Record<string, string>>): Headers => new Headers({ headers })

/**
 * @since 0.1.0
 * @category constructors
 */
export const garbageHeaders = (kind: GarbageKind): GarbageHeaders => new GarbageHeaders({ kind })

/**
 * @since 0.1.0
 * @category constructors
 */
export const streamError = (
  afterChunks: number,
  options: Omit<ConstructorParameters<typeof StreamError>[0], "afterChunks"> = {}
): StreamError => new StreamError({ ...options, afterChunks })

/**
 * @since 0.1.0
 * @category constructors
 */
export const streamReset = (afterChunks: number): StreamReset => new StreamReset({ afterChunks })

/**
 * @since 0.1.0
 * @category constructors
 */
export const streamStall = (
  afterChunks: number,
  options: { readonly keepAliveEvery?: number | undefined } = {}
): StreamStall =>
  new StreamStall({
    afterChunks,
    ...(options.keepAliveEvery !== undefined ? { keepAliveEvery: options.keepAliveEvery } : {})
  })

/**
 * @since 0.1.0
 * @category constructors
 */
export const streamEnd = (afterChunks: number): StreamEnd => new StreamEnd({ afterChunks })

/**
 * The settlement of the next signed payment times out (`504 SETTLEMENT_TIMEOUT`); the transfer lands `landsAfter`
 * milliseconds later on the emulator's `Clock` (default 10 s), or never with `lands: false`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const settlementTimeout = (
  options: { readonly landsAfter?: number | undefined; readonly lands?: boolean | undefined } = {}
): Settlement =>
  new Settlement({
    outcome: "timeout",
    ...(options.landsAfter !== undefined ? { landsAfter: options.landsAfter } : {}),
    ...(options.lands !== undefined ? { lands: options.lands } : {})
  })

/**
 * The next signed payment gets `409 PAYMENT_IN_PROGRESS`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const paymentInProgress: Settlement = new Settlement({ outcome: "in-progress" })

/**
 * The next signed payment gets `402 SETTLEMENT_FAILED` (no funds moved).
 *
 * @since 0.1.0
 * @category constructors
 */
export const settlementFailed: Settlement = new Settlement({ outcome: "failed" })

/**
 * The request is forwarded `forwardAfter` ms late and takes effect then; the client gets `answer` instead of the real
 * answer (see {@link LostAnswer}). `Faults.lostAnswer(8_000, "silence")` on `x402/top-up` is a payment credited 8 s
 * after the client sent it, whose answer never comes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const lostAnswer = (
  forwardAfter: number,
  answer: LostAnswerKind,
  options: { readonly answerAfter?: number | undefined } = {}
): LostAnswer =>
  new LostAnswer({
    forwardAfter,
    answer,
    ...(options.answerAfter !== undefined ? { answerAfter: options.answerAfter } : {})
  })

/**
 * The request is handled now (as `first` says, if given) and again `after` ms later (see {@link Duplicate}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const duplicate = (after: number, first?: Settlement | LostAnswer): Duplicate =>
  new Duplicate({ after, ...(first !== undefined ? { first } : {}) })

/**
 * The real status, and a body of `bytes` bytes instead of the real one (see {@link HugeBody}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const hugeBody = (
  bytes: number,
  options: { readonly announce?: boolean | undefined; readonly gzip?: boolean | undefined } = {}
): HugeBody =>
  new HugeBody({
    bytes,
    ...(options.announce !== undefined ? { announce: options.announce } : {}),
    ...(options.gzip !== undefined ? { gzip: options.gzip } : {})
  })

/**
 * The next structured-output answer (`response_format: json_schema`) violates its schema.
 *
 * @since 0.1.0
 * @category constructors
 */
export const structuredOutputViolation: StructuredOutputViolation = new StructuredOutputViolation()

/**
 * The next answers name the Solana rail by its bare alias `solana` (see {@link BareSolanaNetwork}).
 *
 * @since 0.1.0
 * @category constructors
 */
export const bareSolanaNetwork: BareSolanaNetwork = new BareSolanaNetwork()
