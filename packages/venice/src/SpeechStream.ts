/**
 * Streamed text to speech (`POST /audio/speech` with `streaming: true`, S5): the audio as a byte `Stream`, chunk
 * by chunk as Venice generates it. A connection that ends early — before the announced `Content-Length`, or without
 * the chunked body's end — fails with a `StreamTruncatedError` (expected and received bytes attached); a reset
 * (RST) with a `StreamTransportError`. Audio has no in-band error event: the connection just ends.
 *
 * Retries follow the chat stream's rules (S3): up to the first bytes of audio, the client's policy retries; after
 * them nothing is retried implicitly.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { SpeechStream } from "@venice-effect/venice"
 * import * as fs from "node:fs"
 *
 * const out = fs.createWriteStream("hello.mp3")
 * const program = SpeechStream.stream({ model: "tts-kokoro", input: "Hello there", response_format: "mp3" }).pipe(
 *   Stream.runForEach((bytes) => Effect.sync(() => out.write(bytes)))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Pipeline from "@venice-effect/core/Pipeline"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Streaming from "./internal/streaming.js"
import type * as ResponseMeta from "./ResponseMeta.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Audio.js"
import * as StreamError from "./StreamError.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * A speech request as JSON; `streaming` is set for you.
 *
 * @since 0.1.0
 * @category models
 */
export type SpeechRequest = typeof Schemas.SpeechRequest.Encoded

/**
 * Options of a speech stream: the per-call options and the two bounds of its waits (W6, W7):
 *
 * - `firstEventTimeout` (default 2 minutes): no audio bytes this long after the response headers fails the attempt
 *   (a `TransportError` `timeout` naming the bound; the call's retry policy decides);
 * - `idleTimeout` (default 60 s): no bytes for this long once audio has started fails the stream with
 *   `StreamTransportError` `idle-timeout`.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions<R = never> extends VeniceClient.CallOptions<R> {
  readonly idleTimeout?: Duration.DurationInput | undefined
  readonly firstEventTimeout?: Duration.DurationInput | undefined
}

/**
 * An opened speech stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly meta: ResponseMeta.ResponseMeta
  /** `audio/mpeg`, `audio/opus` … */
  readonly contentType: string
  /** The announced `Content-Length`, when Venice sent one. */
  readonly contentLength: number | undefined
  readonly bytes: Stream.Stream<Uint8Array, StreamError.StreamError>
}

const OPERATION = "audio.speech"

const contentLengthOf = (headers: Readonly<Record<string, string>>): number | undefined => {
  const value = headers["content-length"]
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined
  const n = Number(value)
  return Number.isSafeInteger(n) ? n : undefined
}

/** Whether a body failure is an RST (reset) rather than a connection that closed early. */
const isReset = (cause: unknown): boolean => {
  let current: unknown = cause
  for (let depth = 0; depth < 6 && Predicate.isObject(current); depth++) {
    const code = Predicate.hasProperty(current, "code") ? current.code : undefined
    if (code === "ECONNRESET" || code === "EPIPE") return true
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return false
}

const decodeBody = (raw: VeniceClient.RawResponse, ctx: Streaming.StreamContext, bounds: Streaming.Bounds) =>
  Stream.suspend(() => {
    const expected = contentLengthOf(raw.response.headers)
    let received = 0
    const truncated = (why: string) =>
      new StreamError.StreamTruncatedError({
        ...Streaming.fields(
          ctx,
          received,
          `the audio ended early: ${why} after ${received} byte(s)${expected !== undefined ? ` of ${expected}` : ""}`
        ),
        ...(expected !== undefined ? { expectedBytes: expected } : {}),
        receivedBytes: received
      })
    const body = Streaming.bounded(
      raw.response.stream,
      () => received,
      bounds,
      (which, after) => Streaming.boundError(ctx, received, which, after, "byte(s)")
    ).pipe(
      Stream.mapChunks((chunk) => {
        for (const bytes of chunk) received += bytes.byteLength
        return chunk
      })
    )
    return body.pipe(
      Stream.mapError((error): StreamError.StreamError => {
        if (StreamError.isStreamError(error)) return error
        if (isReset(error.cause) || Pipeline.transportReason(error.cause).reason === "protocol") {
          return Streaming.transportError(ctx, received, error.cause, received)
        }
        return truncated("the connection closed")
      }),
      Stream.concat(
        Stream.suspend(() =>
          expected !== undefined && received < expected ? Stream.fail(truncated("the body ended")) : Stream.empty
        )
      )
    )
  })

/**
 * Opens a speech stream: validates the request locally, sends it with `streaming: true`, and returns once the first
 * bytes have arrived (everything before them is retried by the client's policy), with the response's facts.
 *
 * @since 0.1.0
 * @category streaming
 */
export const streamWithMeta = <R = never>(
  request: SpeechRequest,
  options: StreamOptions<R> = {}
): Effect.Effect<StreamResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R | Scope.Scope> => {
  const { firstEventTimeout, idleTimeout, ...callOptions } = options
  const bounds = Streaming.boundsOf({ firstEventTimeout, idleTimeout })
  return Effect.gen(function*() {
    const body = { ...request, streaming: true }
    yield* VeniceClient.validateRequest(OPERATION, Schemas.SpeechRequest, body)
    const opened = yield* Streaming.open(
      {
        operation: OPERATION,
        method: "POST",
        path: "audio/speech",
        body: { _tag: "json", value: body },
        model: request.model
      },
      "audio",
      (raw, ctx) => decodeBody(raw, ctx, bounds),
      callOptions
    )
    return {
      status: opened.status,
      headers: opened.headers,
      meta: opened.meta,
      contentType: opened.headers["content-type"] ?? "application/octet-stream",
      contentLength: contentLengthOf(opened.headers),
      bytes: opened.values
    }
  })
}

/**
 * Streams synthesized speech as bytes. The request is sent when the stream runs.
 *
 * @since 0.1.0
 * @category streaming
 */
export const stream = <R = never>(
  request: SpeechRequest,
  options?: StreamOptions<R>
): Stream.Stream<Uint8Array, StreamError.StreamError | RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Stream.unwrapScoped(Effect.map(streamWithMeta(request, options), (response) => response.bytes))
