/**
 * The one place a provider failure becomes an `AiError` (the table in docs/ai.md): each SDK error maps to the
 * `AiError` class that says the same thing in `@effect/ai`'s terms, and the original error rides along — as `cause`
 * where the class has one, and always under a non-enumerable symbol, so `VeniceAi.failure` gets it back intact.
 */
import * as AiError from "@effect/ai/AiError"
import * as ClientError from "@venice-effect/core/ClientError"
import * as NovitaError from "@venice-effect/novita/NovitaError"
import type * as NovitaRetryPolicy from "@venice-effect/novita/RetryPolicy"
import type * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as StreamError from "@venice-effect/venice/StreamError"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as WalletError from "@venice-effect/venice/WalletError"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

// ─── the package's own failures ──────────────────────────────────────────────────────────────────

/**
 * A structured output (`generateObject`) whose text does not validate against the requested Schema: the model ignored
 * the `json_schema` it was sent. `raw` is the text as received; `issues` the Schema's `path: message` lines.
 */
export class StructuredOutputError extends Schema.TaggedError<StructuredOutputError>()("StructuredOutputError", {
  provider: Schema.String,
  model: Schema.String,
  objectName: Schema.String,
  raw: Schema.String,
  issues: Schema.Array(Schema.String),
  requestId: Schema.optionalWith(Schema.String, { exact: true }),
  message: Schema.String
}) {}

/** A tool call whose arguments are not a JSON object (`raw` as received). */
export class ToolCallArgumentsError extends Schema.TaggedError<ToolCallArgumentsError>()("ToolCallArgumentsError", {
  provider: Schema.String,
  tool: Schema.String,
  toolCallId: Schema.String,
  raw: Schema.String,
  message: Schema.String
}) {}

/** Every failure of a Venice call (with a wallet's errors, whether or not the program declared them). */
export type VeniceFailure = RetryPolicy.VeniceClientError | WalletError.WalletError | StreamError.StreamError

/** Every failure of a Novita call. */
export type NovitaFailure = NovitaRetryPolicy.NovitaClientError | StreamError.StreamError

/** Everything an `AiError` of this package may carry. */
export type Failure = VeniceFailure | NovitaFailure | StructuredOutputError | ToolCallArgumentsError

const FailureId: unique symbol = Symbol.for("@venice-effect/ai/Failure")

/** The failure an `AiError` of this package carries. */
export const failureOf = (u: unknown): Failure | undefined =>
  // the symbol is only ever set by `attach`, with a `Failure`
  Predicate.hasProperty(u, FailureId) ? (u[FailureId] as Failure) : undefined

const attach = <E extends AiError.AiError>(error: E, failure: Failure): E => {
  Object.defineProperty(error, FailureId, { value: failure, enumerable: false, writable: false })
  return error
}

/** Whether a value is a failure of a Venice call. */
export const isVeniceFailure = (u: unknown): u is VeniceFailure =>
  VeniceError.isVeniceError(u) || ClientError.isClientError(u) || WalletError.isWalletError(u) ||
  StreamError.isStreamError(u)

/** Whether a value is a failure of a Novita call. */
export const isNovitaFailure = (u: unknown): u is NovitaFailure =>
  NovitaError.isNovitaError(u) || ClientError.isClientError(u) || StreamError.isStreamError(u)

// ─── the mapping ─────────────────────────────────────────────────────────────────────────────────

const METHODS = ["GET", "POST", "PATCH", "PUT", "DELETE", "HEAD", "OPTIONS"] as const
type Method = typeof METHODS[number]
const isMethod = (u: unknown): u is Method => METHODS.some((method) => method === u)

/** The request as `AiError` shows it: method and URL only (never a header: no credential can leak). */
const request = (facts: { readonly method?: string | undefined; readonly url?: string | undefined }) => ({
  method: isMethod(facts.method) ? facts.method : "POST",
  url: facts.url ?? "",
  urlParams: [],
  hash: Option.none(),
  headers: {}
})

/** The response headers that identify the failure (none is a secret). */
const responseHeaders = (error: {
  readonly requestId?: string | undefined
  readonly cfRay?: string | undefined
  readonly veniceVersion?: string | undefined
  readonly retryAfter?: Duration.Duration | undefined
}): Record<string, string> => ({
  ...(error.requestId !== undefined ? { "x-request-id": error.requestId } : {}),
  ...(error.cfRay !== undefined ? { "cf-ray": error.cfRay } : {}),
  ...(error.veniceVersion !== undefined ? { "x-venice-version": error.veniceVersion } : {}),
  ...(error.retryAfter !== undefined ? { "retry-after": String(Math.ceil(Duration.toSeconds(error.retryAfter))) } : {})
})

/** Where the failure happened: `VeniceLanguageModel.generateText` … */
export interface Site {
  readonly module: string
  readonly method: string
}

/** An answer with an error status: the HTTP response error, as `@effect/ai`'s own providers report it. */
const statusError = (
  site: Site,
  failure: VeniceError.VeniceError | NovitaError.NovitaError,
  description: string
): AiError.AiError =>
  attach(
    new AiError.HttpResponseError({
      module: site.module,
      method: site.method,
      reason: "StatusCode",
      request: request(failure),
      response: { status: failure.status, headers: responseHeaders(failure) },
      body: failure.raw,
      description
    }),
    failure
  )

/** The `AiError` for a failure, carrying it (A1; see docs/ai.md for the table). */
export const toAiError = (failure: Failure, site: Site): AiError.AiError => {
  switch (failure._tag) {
    case "VeniceStandardError":
    case "VeniceValidationError":
    case "VeniceOpenAIError":
    case "VeniceContentViolationError":
    case "VeniceProviderContentPolicyError":
    case "VenicePayloadTooLargeError":
    case "VeniceX402DiscoveryError":
    case "VenicePaymentRequiredError":
    case "VeniceCodedError":
    case "VeniceConsentRequiredError":
    case "VeniceUnrecognizedError":
      return statusError(site, failure, `${failure.code}: ${failure.message}`)
    case "NovitaApiError":
    case "NovitaNotFoundRouteError":
    case "NovitaUnrecognizedError":
      return statusError(
        site,
        failure,
        failure._tag === "NovitaApiError" ? `${failure.code}: ${failure.message}` : failure.message
      )
    // the connection broke (before the answer, or mid-stream)
    case "TransportError":
    case "StreamTransportError":
      return attach(
        new AiError.HttpRequestError({
          ...site,
          reason: "Transport",
          request: request(failure),
          description: failure.message,
          cause: failure
        }),
        failure
      )
    // refused before sending: nothing was spent
    case "RequestValidationError":
      return attach(new AiError.MalformedInput({ ...site, description: failure.message, cause: failure }), failure)
    // a 2xx whose body (or an event, or the model's own output) is not what was promised
    case "ResponseDecodeError":
    case "ResponseTooLargeError":
    case "StreamDecodeError":
    case "StreamTooLargeError":
    case "StructuredOutputError":
    case "ToolCallArgumentsError":
      return attach(new AiError.MalformedOutput({ ...site, description: failure.message, cause: failure }), failure)
    // the client's own decisions (a wait too long, the error budget, a payment not made) and in-band stream errors
    case "WaitTooLongError":
    case "ErrorBudgetExhaustedError":
    case "WalletSignError":
    case "PaymentRefusedError":
    case "TopUpFailedError":
    case "StreamEventError":
    case "ResponseFailedError":
    case "StreamTruncatedError":
      return attach(new AiError.UnknownError({ ...site, description: failure.message, cause: failure }), failure)
  }
}
