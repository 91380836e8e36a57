/**
 * Deprecated: Novita's stream errors are core's one `StreamError` family (`provider: "novita"`), re-exported by
 * `StreamError`; the tags are now `StreamEventError`, `StreamTruncatedError`, `StreamTransportError`,
 * `StreamDecodeError`, `StreamTooLargeError`. This module keeps the old names for one release.
 *
 * @deprecated Use `StreamError`; removed in the next release.
 * @since 0.1.0
 */
import * as StreamError from "@venice-effect/core/StreamError"

export { defaultBounds, StreamFields } from "@venice-effect/core/StreamError"

/** @deprecated Use `StreamError.StreamEventError` (tag `StreamEventError`). @since 0.1.0 */
export const NovitaStreamEventError = StreamError.StreamEventError
/** @deprecated Use `StreamError.StreamEventError`. @since 0.1.0 */
export type NovitaStreamEventError = StreamError.StreamEventError
/** @deprecated Use `StreamError.StreamTruncatedError` (tag `StreamTruncatedError`). @since 0.1.0 */
export const NovitaStreamTruncatedError = StreamError.StreamTruncatedError
/** @deprecated Use `StreamError.StreamTruncatedError`. @since 0.1.0 */
export type NovitaStreamTruncatedError = StreamError.StreamTruncatedError
/** @deprecated Use `StreamError.StreamTransportError` (tag `StreamTransportError`). @since 0.1.0 */
export const NovitaStreamTransportError = StreamError.StreamTransportError
/** @deprecated Use `StreamError.StreamTransportError`. @since 0.1.0 */
export type NovitaStreamTransportError = StreamError.StreamTransportError
/** @deprecated Use `StreamError.StreamDecodeError` (tag `StreamDecodeError`). @since 0.1.0 */
export const NovitaStreamDecodeError = StreamError.StreamDecodeError
/** @deprecated Use `StreamError.StreamDecodeError`. @since 0.1.0 */
export type NovitaStreamDecodeError = StreamError.StreamDecodeError
/** @deprecated Use `StreamError.StreamTooLargeError` (tag `StreamTooLargeError`). @since 0.1.0 */
export const NovitaStreamTooLargeError = StreamError.StreamTooLargeError
/** @deprecated Use `StreamError.StreamTooLargeError`. @since 0.1.0 */
export type NovitaStreamTooLargeError = StreamError.StreamTooLargeError
/** @deprecated Use `StreamError.StreamError`. @since 0.1.0 */
export type NovitaStreamError = StreamError.StreamError
/** @deprecated Use `StreamError.isStreamError`. @since 0.1.0 */
export const isNovitaStreamError: (u: unknown) => u is StreamError.StreamError = StreamError.isStreamError
