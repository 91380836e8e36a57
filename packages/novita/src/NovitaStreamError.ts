/**
 * How a Novita chat stream fails once it has started (S2, S3, S6, B1): an in-band error event, an end without
 * `data: [DONE]` (truncation), a connection broken mid-stream, an event that is not a chunk, or one larger than the
 * configured bound. Each is a `Schema.TaggedError` with the call's correlation facts and how many chunks had been
 * delivered; the tags are distinct from Venice's so one program can `catchTags` both.
 *
 * Failures before the stream starts (HTTP errors, transport failures before the first event) are not here: they are
 * the client's `NovitaClientError`s, retried by the client's policy.
 *
 * @since 0.1.0
 */
import * as ClientError from "@venice-effect/core/ClientError"
import * as Predicate from "effect/Predicate"
import * as Duration from "effect/Duration"
import * as Schema from "effect/Schema"
import * as NovitaErrorCatalog from "./NovitaErrorCatalog.js"

/**
 * Fields every stream error carries: the call's correlation facts (O1), the operation, the `X-Request-ID` of the
 * `200` that started the stream, and how many chunks had been delivered before the failure.
 *
 * @since 0.1.0
 * @category schemas
 */
export const StreamFields = {
  ...ClientError.CallFields,
  operation: Schema.String,
  requestId: Schema.optionalWith(Schema.String, { exact: true }),
  received: Schema.Int,
  message: Schema.String
}

/**
 * An in-band error event: the server answered `200`, streamed, then sent `data: {"error": …}` (OpenAI-style
 * `{message, type, code}` or Novita's `{code, reason, message}`, with or without the `error` wrapper). Terminal.
 * `reason` is the Novita reason as sent; `code` the catalog code it names (LLM table first), when it names one.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaStreamEventError extends Schema.TaggedError<NovitaStreamEventError>()("NovitaStreamEventError", {
  ...StreamFields,
  /** The catalog code the event names, when it names one. */
  code: Schema.optionalWith(NovitaErrorCatalog.NovitaErrorCode, { exact: true }),
  /** Novita's `reason`, or the OpenAI-style `code` string, exactly as sent. */
  reason: Schema.optionalWith(Schema.String, { exact: true }),
  /** OpenAI-style `type` (`server_error` …). */
  type: Schema.optionalWith(Schema.String, { exact: true }),
  /** A numeric status-like `code` the event carried. */
  statusCode: Schema.optionalWith(Schema.Number, { exact: true }),
  /** The event's data, bounded (first 64 KiB). */
  raw: Schema.String
}) {}

/**
 * The stream ended before `data: [DONE]`. `incomplete`: a partial event was dropped at the end.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaStreamTruncatedError extends Schema.TaggedError<NovitaStreamTruncatedError>()(
  "NovitaStreamTruncatedError",
  { ...StreamFields, incomplete: Schema.Boolean }
) {}

/**
 * The connection broke after the stream had started: `reset` (closed uncleanly), `protocol` (bad chunked
 * framing), `idle-timeout` (no data event within the stream's idle bound; keep-alive comments do not count), or
 * `first-event-timeout` (no data event within the first-event bound after the headers: it fires before the stream
 * starts, so the call's retry policy sees a `TransportError` `timeout` naming the bound).
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaStreamTransportError extends Schema.TaggedError<NovitaStreamTransportError>()(
  "NovitaStreamTransportError",
  { ...StreamFields, reason: Schema.Literal("reset", "protocol", "idle-timeout", "first-event-timeout") }
) {}

/**
 * The default bounds of a stream's waits: 2 minutes from the response headers to the first data event, 60 s between
 * data events once started (keep-alive comments count for neither). Overridable per stream.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultBounds: { readonly firstEvent: Duration.Duration; readonly idle: Duration.Duration } = {
  firstEvent: Duration.minutes(2),
  idle: Duration.seconds(60)
}

/**
 * An event's data was not a chunk: not JSON (`json`) or JSON of the wrong shape (`shape`). Terminal.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaStreamDecodeError extends Schema.TaggedError<NovitaStreamDecodeError>()(
  "NovitaStreamDecodeError",
  { ...StreamFields, reason: Schema.Literal("json", "shape"), raw: Schema.String }
) {}

/**
 * One event outgrew `maxEventBytes` (S6, default 1 MiB): the stream fails instead of buffering without end.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaStreamTooLargeError extends Schema.TaggedError<NovitaStreamTooLargeError>()(
  "NovitaStreamTooLargeError",
  { ...StreamFields, limit: Schema.Number, size: Schema.Number }
) {}

/**
 * Every way a started Novita stream fails.
 *
 * @since 0.1.0
 * @category models
 */
export type NovitaStreamError =
  | NovitaStreamEventError
  | NovitaStreamTruncatedError
  | NovitaStreamTransportError
  | NovitaStreamDecodeError
  | NovitaStreamTooLargeError

const tags: ReadonlySet<string> = new Set([
  "NovitaStreamEventError",
  "NovitaStreamTruncatedError",
  "NovitaStreamTransportError",
  "NovitaStreamDecodeError",
  "NovitaStreamTooLargeError"
])

/**
 * @since 0.1.0
 * @category guards
 */
export const isNovitaStreamError = (u: unknown): u is NovitaStreamError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)
