/**
 * How a started stream fails, for any provider (S2–S6, B1): an in-band error event, a `/responses`
 * `response.failed`, an end before the terminator (truncation), a connection broken mid-body, an event that is not
 * what the API promises, or one larger than the configured bound. One family for every provider, like
 * `ClientError`: each is a `Schema.TaggedError` whose `provider` field says whose stream it was (`venice`, `novita`),
 * with the call's correlation facts and how much had been delivered before the failure.
 *
 * Failures before the stream starts (HTTP errors, transport failures before the first event) are not here: they are
 * the client's errors, retried by the client's policy (S3).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ChatStream } from "@venice-effect/venice"
 *
 * const program = ChatStream.stream({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }).pipe(
 *   Stream.runCollect,
 *   Effect.catchTag("StreamEventError", (e) =>
 *     Effect.logWarning(`${e.provider} in-band ${e.code ?? e.type}: ${e.message}, retry after ${e.retryAfter ?? "-"}`))
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as ClientError from "./ClientError.js"
import type * as RetryClass from "./RetryClass.js"

/**
 * Fields every stream error carries: the provider and the call's correlation facts (O1), the operation, the
 * correlation ids of the `200` that started the stream, and how much had been delivered downstream before the
 * failure.
 *
 * @since 0.2.0
 * @category schemas
 */
export const StreamFields = {
  ...ClientError.CallFields,
  /** `chat.completions`, `responses`, `audio.speech`. */
  operation: Schema.String,
  /** `X-Request-ID` of the response that carried the stream. */
  requestId: Schema.optionalWith(Schema.String, { exact: true }),
  /** `CF-RAY` of that response. */
  cfRay: Schema.optionalWith(Schema.String, { exact: true }),
  /** The API version the provider announced on that response (Venice's `x-venice-version`). */
  veniceVersion: Schema.optionalWith(Schema.String, { exact: true }),
  /** What was delivered before the failure: events for SSE streams, bytes for audio. */
  received: Schema.Int,
  message: Schema.String
}

/**
 * An in-band error event (S2): the server sent `200`, streamed, then `data: {"error": {message, type, code?,
 * param?, retry_after?}}` (OpenAI-style), Novita's `{code, reason, message}` with or without the `error` wrapper, or
 * an SSE `event: error`. Terminal: the stream ends here. Overloads use `type: "server_error"`,
 * `code: "model_overloaded"`.
 *
 * @since 0.2.0
 * @category errors
 */
export class StreamEventError extends Schema.TaggedError<StreamEventError>()("StreamEventError", {
  ...StreamFields,
  /** `error.type` (`server_error`, `api_error`, `upstream_error`, `content_filter_error` …). */
  type: Schema.optionalWith(Schema.String, { exact: true }),
  /** `error.code` as sent (`model_overloaded` …), else Novita's `reason` (`SERVICE_NOT_AVAILABLE` …). */
  code: Schema.optionalWith(Schema.String, { exact: true }),
  /** Novita's `reason`, exactly as sent. */
  reason: Schema.optionalWith(Schema.String, { exact: true }),
  /** `error.param`. */
  param: Schema.optionalWith(Schema.String, { exact: true }),
  /** A numeric status-like `code` (or `status`) the event carried. */
  statusCode: Schema.optionalWith(Schema.Number, { exact: true }),
  /** `error.retry_after`, as a duration. */
  retryAfter: Schema.optionalWith(Schema.DurationFromSelf, { exact: true }),
  /** The event's data, bounded (first 64 KiB). */
  raw: Schema.String
}) {}

/**
 * A `/responses` stream ended with `response.failed` (S4). `code` / `message` come from `response.error`.
 *
 * @since 0.2.0
 * @category errors
 */
export class ResponseFailedError extends Schema.TaggedError<ResponseFailedError>()("ResponseFailedError", {
  ...StreamFields,
  /** `response.error.code` (`upstream_error` …). */
  code: Schema.optionalWith(Schema.String, { exact: true }),
  /** The id of the failed response (`resp_…`). */
  responseId: Schema.optionalWith(Schema.String, { exact: true }),
  /** The event's data, bounded (first 64 KiB). */
  raw: Schema.String
}) {}

/**
 * The stream ended before its terminator: an SSE stream without `data: [DONE]` (chat) or a final
 * `response.completed` / `response.incomplete` (`/responses`), or a body shorter than its `Content-Length`
 * (S5, B1). `incomplete` is `true` when a partial event was dropped at the end.
 *
 * @since 0.2.0
 * @category errors
 */
export class StreamTruncatedError extends Schema.TaggedError<StreamTruncatedError>()("StreamTruncatedError", {
  ...StreamFields,
  /** A partial SSE event was dropped at the end. */
  incomplete: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** The announced `Content-Length` (audio). */
  expectedBytes: Schema.optionalWith(Schema.Int, { exact: true }),
  /** Body bytes received. */
  receivedBytes: Schema.optionalWith(Schema.Int, { exact: true })
}) {}

/**
 * What broke a stream's connection after it had started.
 *
 * - `reset` — the connection was reset or closed uncleanly mid-body.
 * - `protocol` — the body could not be read as HTTP (bad chunked encoding).
 * - `idle-timeout` — no data event (SSE) or no bytes (audio) arrived within the stream's idle bound after the first
 *   one; keep-alive comments do not count.
 * - `first-event-timeout` — no data event arrived within the first-event bound after the response headers. It fires
 *   before the stream has started, so the call's retry policy sees it as a `TransportError` (`timeout`) whose message
 *   names the bound.
 *
 * @since 0.2.0
 * @category models
 */
export const StreamTransportReason = Schema.Literal("reset", "protocol", "idle-timeout", "first-event-timeout")

/**
 * @since 0.2.0
 * @category models
 */
export type StreamTransportReason = typeof StreamTransportReason.Type

/**
 * The connection broke after the stream had started (B1): never a defect, never a hang.
 *
 * @since 0.2.0
 * @category errors
 */
export class StreamTransportError extends Schema.TaggedError<StreamTransportError>()("StreamTransportError", {
  ...StreamFields,
  reason: StreamTransportReason,
  /** Body bytes received before the failure. */
  receivedBytes: Schema.optionalWith(Schema.Int, { exact: true })
}) {}

/**
 * An event's data was not what the API promises: not JSON, or not the event's shape (B1). Terminal.
 *
 * @since 0.2.0
 * @category errors
 */
export class StreamDecodeError extends Schema.TaggedError<StreamDecodeError>()("StreamDecodeError", {
  ...StreamFields,
  /** `json`: not JSON; `shape`: JSON of the wrong shape. */
  reason: Schema.Literal("json", "shape"),
  /** The event's data, bounded (first 64 KiB). */
  raw: Schema.String
}) {}

/**
 * One event outgrew the stream's `maxEventBytes` (S6, default 1 MiB): the stream fails instead of buffering
 * without end.
 *
 * @since 0.2.0
 * @category errors
 */
export class StreamTooLargeError extends Schema.TaggedError<StreamTooLargeError>()("StreamTooLargeError", {
  ...StreamFields,
  /** The configured `maxEventBytes`. */
  limit: Schema.Number,
  /** Bytes buffered when the limit was crossed. */
  size: Schema.Number
}) {}

/**
 * The default bounds of a stream's waits (W6, W7 in `docs/retries.md`), each overridable per stream:
 *
 * - `firstEvent` (2 minutes): from the response headers to the first data event — a model's time to first token,
 *   keep-alive comments not counted;
 * - `idle` (60 seconds): between two data events (audio: two chunks of bytes) once the stream has started; keep-alive
 *   comments do not reset it, so a stream that sends only comments ends.
 *
 * @since 0.2.0
 * @category constants
 */
export const defaultBounds: { readonly firstEvent: Duration.Duration; readonly idle: Duration.Duration } = {
  firstEvent: Duration.minutes(2),
  idle: Duration.seconds(60)
}

/**
 * Every way a started stream fails.
 *
 * @since 0.2.0
 * @category models
 */
export type StreamError =
  | StreamEventError
  | ResponseFailedError
  | StreamTruncatedError
  | StreamTransportError
  | StreamDecodeError
  | StreamTooLargeError

/**
 * The stream error classes.
 *
 * @since 0.2.0
 * @category models
 */
export const classes = [
  StreamEventError,
  ResponseFailedError,
  StreamTruncatedError,
  StreamTransportError,
  StreamDecodeError,
  StreamTooLargeError
] as const

const tags: ReadonlySet<string> = new Set(classes.map((c) => c._tag))

/**
 * @since 0.2.0
 * @category guards
 */
export const isStreamError = (u: unknown): u is StreamError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)

const NEVER_CODES =
  /content|policy|filter|blocked|moderation|invalid|context_length|not_found|unauthori[sz]ed|forbidden/i

/**
 * The retry class of a stream error — what a caller's opt-in restart should do with it (nothing is retried
 * implicitly once a stream has started, S3):
 *
 * - in-band errors: `never` for content-policy, validation and context-length codes; `header-wait` when the event
 *   names a `retry_after`; `backoff` otherwise (`server_error`, `model_overloaded`, `upstream_error` …);
 * - `response.failed`: the same rules on `response.error.code`;
 * - truncation and transport failures: `backoff`;
 * - malformed and oversized events: `never` (asking again gets the same answer).
 *
 * @since 0.2.0
 * @category retry
 */
export const retryClass = (error: StreamError): RetryClass.RetryClass => {
  switch (error._tag) {
    case "StreamEventError": {
      const what = `${error.type ?? ""} ${error.code ?? ""}`
      if (NEVER_CODES.test(what)) return "never"
      return error.retryAfter !== undefined ? "header-wait" : "backoff"
    }
    case "ResponseFailedError":
      return NEVER_CODES.test(error.code ?? "") ? "never" : "backoff"
    case "StreamTruncatedError":
    case "StreamTransportError":
      return "backoff"
    case "StreamDecodeError":
    case "StreamTooLargeError":
      return "never"
  }
}

/**
 * Whether a caller's restart may help (the retry class is not `never`).
 *
 * @since 0.2.0
 * @category retry
 */
export const isRetryable = (error: StreamError): boolean => retryClass(error) !== "never"

/**
 * The wait the server announced in the stream (`retry_after` of an in-band error), if any.
 *
 * @since 0.2.0
 * @category retry
 */
export const retryAfter = (error: unknown): Option.Option<Duration.Duration> =>
  error instanceof StreamEventError && error.retryAfter !== undefined ? Option.some(error.retryAfter) : Option.none()
