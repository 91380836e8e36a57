/** @deprecated Use `StreamError` (core's one family, tags `StreamEventError` …); removed in the next release. @since 0.1.0 */
export {
  defaultBounds,
  isStreamError as isNovitaStreamError,
  StreamDecodeError as NovitaStreamDecodeError,
  type StreamError as NovitaStreamError,
  StreamEventError as NovitaStreamEventError,
  StreamFields,
  StreamTooLargeError as NovitaStreamTooLargeError,
  StreamTransportError as NovitaStreamTransportError,
  StreamTruncatedError as NovitaStreamTruncatedError
} from "@venice-effect/core/StreamError"
