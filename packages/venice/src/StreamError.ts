/**
 * How a Venice stream fails once it has started: core's one `StreamError` family (`provider: "venice"`), re-exported
 * here — an in-band error event, a `/responses` `response.failed`, an end before the terminator, a connection broken
 * mid-body, an event that is not what the API promises, or one larger than the configured bound (SPEC S2–S6, B1).
 *
 * Failures before the stream starts (HTTP errors, transport failures before the first event) are not here: they are
 * the client's `VeniceClientError`s, retried by the client's policy (SPEC S3).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ChatStream } from "@venice-effect/venice"
 *
 * const program = ChatStream.stream({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }).pipe(
 *   Stream.runCollect,
 *   Effect.catchTag("StreamEventError", (e) =>
 *     Effect.logWarning(`in-band ${e.code ?? e.type}: ${e.message}, retry after ${e.retryAfter ?? "-"}`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as StreamError from "@venice-effect/core/StreamError"

export * from "@venice-effect/core/StreamError"

/**
 * @deprecated Use {@link StreamError.StreamEventError} (tag `StreamEventError`); removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export const VeniceStreamEventError = StreamError.StreamEventError

/**
 * @deprecated Use {@link StreamError.StreamEventError}; removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export type VeniceStreamEventError = StreamError.StreamEventError

/**
 * @deprecated Use {@link StreamError.ResponseFailedError} (tag `ResponseFailedError`); removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export const VeniceResponseFailedError = StreamError.ResponseFailedError

/**
 * @deprecated Use {@link StreamError.ResponseFailedError}; removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export type VeniceResponseFailedError = StreamError.ResponseFailedError

/**
 * @deprecated Use {@link StreamError.StreamTruncatedError} (tag `StreamTruncatedError`); removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export const VeniceStreamTruncatedError = StreamError.StreamTruncatedError

/**
 * @deprecated Use {@link StreamError.StreamTruncatedError}; removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export type VeniceStreamTruncatedError = StreamError.StreamTruncatedError

/**
 * @deprecated Use {@link StreamError.StreamTransportError} (tag `StreamTransportError`); removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export const VeniceStreamTransportError = StreamError.StreamTransportError

/**
 * @deprecated Use {@link StreamError.StreamTransportError}; removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export type VeniceStreamTransportError = StreamError.StreamTransportError

/**
 * @deprecated Use {@link StreamError.StreamDecodeError} (tag `StreamDecodeError`); removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export const VeniceStreamDecodeError = StreamError.StreamDecodeError

/**
 * @deprecated Use {@link StreamError.StreamDecodeError}; removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export type VeniceStreamDecodeError = StreamError.StreamDecodeError

/**
 * @deprecated Use {@link StreamError.StreamTooLargeError} (tag `StreamTooLargeError`); removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export const VeniceStreamTooLargeError = StreamError.StreamTooLargeError

/**
 * @deprecated Use {@link StreamError.StreamTooLargeError}; removed in the next release.
 * @since 0.1.0
 * @category errors
 */
export type VeniceStreamTooLargeError = StreamError.StreamTooLargeError

/**
 * @deprecated Use {@link StreamError.StreamError}; removed in the next release.
 * @since 0.1.0
 * @category models
 */
export type VeniceStreamError = StreamError.StreamError

/**
 * @deprecated Use {@link StreamError.isStreamError}; removed in the next release.
 * @since 0.1.0
 * @category guards
 */
export const isVeniceStreamError: (u: unknown) => u is StreamError.StreamError = StreamError.isStreamError
