/**
 * How a Venice stream fails once it has started: core's one `StreamError` family (`provider: "venice"`), re-exported
 * here — an in-band error event, a `/responses` `response.failed`, an end before the terminator, a connection broken
 * mid-body, an event that is not what the API promises, or one larger than the configured bound (S2–S6, B1).
 *
 * Failures before the stream starts (HTTP errors, transport failures before the first event) are not here: they are
 * the client's `VeniceClientError`s, retried by the client's policy (S3).
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
export * from "@venice-effect/core/StreamError"
