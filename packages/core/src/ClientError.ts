/**
 * Failures the client itself observes or decides, for any provider: the transport broke, a request was refused
 * locally (invalid body, error budget nearly spent, a wait too long to sleep), or a 2xx body was not what the API
 * promises. Each is a `Schema.TaggedError` with the call's correlation facts (O1, B1, B2, R3, R8).
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as RetryClass from "./RetryClass.js"

/**
 * Correlation facts every client error carries. No credentials, ever.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CallFields = {
  /** The provider the call was for (`venice`, `novita`). */
  provider: Schema.String,
  /** HTTP method. */
  method: Schema.optionalWith(Schema.String, { exact: true }),
  /** URL without secrets. */
  url: Schema.optionalWith(Schema.String, { exact: true }),
  /** 1-based attempt number, when the failure belongs to one attempt. */
  attempt: Schema.optionalWith(Schema.Int, { exact: true }),
  /** The client's correlation id for the logical call. */
  correlationId: Schema.optionalWith(Schema.String, { exact: true })
}

/**
 * What went wrong on the wire.
 *
 * - `refused` — nothing listens (ECONNREFUSED), DNS failed, or the connection could not be made.
 * - `reset` — the connection was reset or closed before a complete response (before headers or mid-body).
 * - `timeout` — no complete response within the attempt's timeout (a stalled server).
 * - `protocol` — the response could not be read as HTTP (malformed headers, bad chunked encoding).
 * - `body-too-large` — an error body exceeded the read limit.
 *
 * @since 0.1.0
 * @category models
 */
export const TransportReason = Schema.Literal("refused", "reset", "timeout", "protocol", "body-too-large")

/**
 * @since 0.1.0
 * @category models
 */
export type TransportReason = typeof TransportReason.Type

/**
 * The request or its response was lost in transport. Retried with backoff (R2) unless the route forbids blind
 * retries (async queues, R9).
 *
 * @since 0.1.0
 * @category errors
 */
export class TransportError extends Schema.TaggedError<TransportError>()("TransportError", {
  ...CallFields,
  reason: TransportReason,
  message: Schema.String,
  /** Whether the request may have reached the server (false only when the connection was never made). */
  maybeDelivered: Schema.Boolean
}) {}

/**
 * The request body failed the SDK's schema before anything was sent (B2): nothing was spent, neither money nor
 * error budget. `issues` are `field.path: message` lines.
 *
 * @since 0.1.0
 * @category errors
 */
export class RequestValidationError extends Schema.TaggedError<RequestValidationError>()("RequestValidationError", {
  ...CallFields,
  operation: Schema.String,
  issues: Schema.Array(Schema.String),
  message: Schema.String
}) {}

/**
 * The server answered 2xx but the body is not what the API promises (malformed JSON, wrong types, truncated). The raw
 * text is kept, bounded.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseDecodeError extends Schema.TaggedError<ResponseDecodeError>()("ResponseDecodeError", {
  ...CallFields,
  status: Schema.Int,
  operation: Schema.String,
  message: Schema.String,
  raw: Schema.String,
  requestId: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * A 2xx body was larger than the call allows (its route family's bound, `maxResponseBytes`: B1): the client
 * stopped reading at the limit — or did not start, when the announced `Content-Length` was already above it — and let
 * the connection go. Bytes are counted as they are decoded, so a compressed body (a gzip bomb) is bounded by what it
 * inflates to. Never retried: asking again gets the same body, and may bill again.
 *
 * @since 0.1.0
 * @category errors
 */
export class ResponseTooLargeError extends Schema.TaggedError<ResponseTooLargeError>()("ResponseTooLargeError", {
  ...CallFields,
  status: Schema.Int,
  operation: Schema.String,
  /** The bound, bytes. */
  limit: Schema.Number,
  /** Bytes read when reading stopped (after any `Content-Encoding`); absent when the `Content-Length` refused it. */
  received: Schema.optionalWith(Schema.Number, { exact: true }),
  /** The announced `Content-Length`, when there was one. */
  declared: Schema.optionalWith(Schema.Number, { exact: true }),
  message: Schema.String,
  requestId: Schema.optionalWith(Schema.String, { exact: true })
}) {}

/**
 * The server asked for a wait longer than the client's maximum (R3, e.g. a 24 h crypto-RPC credit cap): the wait
 * was not slept. `cause` is the error that announced it, so callers can decide.
 *
 * @since 0.1.0
 * @category errors
 */
export class WaitTooLongError extends Schema.TaggedError<WaitTooLongError>()("WaitTooLongError", {
  ...CallFields,
  wait: Schema.DurationFromSelf,
  maxWait: Schema.DurationFromSelf,
  cause: Schema.Unknown,
  message: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  static fromCause(options: {
    readonly provider: string
    readonly wait: Duration.Duration
    readonly maxWait: Duration.Duration
    readonly cause: unknown
    readonly call?: CallFacts | undefined
  }): WaitTooLongError {
    const what = Predicate.hasProperty(options.cause, "message") && typeof options.cause.message === "string"
      ? options.cause.message
      : "the server asked to wait"
    return new WaitTooLongError({
      provider: options.provider,
      ...options.call,
      wait: options.wait,
      maxWait: options.maxWait,
      cause: options.cause,
      message: `${what} — the announced wait of ${Duration.format(options.wait)} exceeds the client's maximum of ${
        Duration.format(options.maxWait)
      }; not retried`
    })
  }
}

/**
 * The client refused to send: its own count of failed requests in this bucket is about to reach the provider's error
 * budget, and one more failure would lock every request out (R8). Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class ErrorBudgetExhaustedError extends Schema.TaggedError<ErrorBudgetExhaustedError>()(
  "ErrorBudgetExhaustedError",
  {
    ...CallFields,
    bucket: Schema.String,
    failures: Schema.Int,
    limit: Schema.Int,
    resetIn: Schema.DurationFromSelf,
    message: Schema.String
  }
) {}

/**
 * Correlation facts of one call, filled in by the pipeline.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallFacts {
  readonly method?: string
  readonly url?: string
  readonly attempt?: number
  readonly correlationId?: string
}

/**
 * Every client-side error.
 *
 * @since 0.1.0
 * @category models
 */
export type ClientError =
  | TransportError
  | RequestValidationError
  | ResponseDecodeError
  | WaitTooLongError
  | ErrorBudgetExhaustedError
  | ResponseTooLargeError

const tags: ReadonlySet<string> = new Set([
  "TransportError",
  "RequestValidationError",
  "ResponseDecodeError",
  "WaitTooLongError",
  "ErrorBudgetExhaustedError",
  "ResponseTooLargeError"
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isClientError = (u: unknown): u is ClientError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)

/**
 * Retry class of a client-side error: transport failures back off; everything the client decided itself is final.
 * A 2xx body that did not decode, or was too large, is final too: asking again would bill again.
 *
 * @since 0.1.0
 * @category retry
 */
export const retryClass = (error: ClientError): RetryClass.RetryClass =>
  error._tag === "TransportError" ? "backoff" : "never"
