/**
 * How a Novita stream fails once it has started: core's one `StreamError` family (`provider: "novita"`), re-exported
 * here — an in-band error event, an end without `data: [DONE]`, a connection broken mid-stream, an event that is not
 * a chunk, or one larger than the configured bound (S2, S3, S6, B1).
 *
 * @since 0.2.0
 */
export * from "@venice-effect/core/StreamError"
