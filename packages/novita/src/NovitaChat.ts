/**
 * Deprecated: the chat schemas and completions are in `Chat`, the streams in `ChatStream` (the module names every
 * provider uses). This module re-exports both for one release.
 *
 * @deprecated Use `Chat` and `ChatStream`; removed in the next release.
 * @since 0.1.0
 */
export * from "./Chat.js"
export * from "./ChatStream.js"
