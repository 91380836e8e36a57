/**
 * The end of an asynchronous job (`/video/*`, `/audio/*`, SPEC R9): its media as a byte `Stream` (the bytes
 * `retrieve` returned, or the pre-signed `download_url` of VPS-backed video models fetched without credentials, with
 * a size bound), and the cleanup call `POST /{video,audio}/complete` that deletes the stored media.
 *
 * A download is bounded: a declared `Content-Length` above `maxBytes` fails before any byte is read, and a body that
 * grows past it fails the stream (`MediaTooLargeError`), so memory and disk stay bounded whatever the URL serves.
 * Transport failures and `5xx` answers before the first byte are retried (3 times, exponential from 0.5 s); a
 * `4xx` (an expired URL) is final (`MediaDownloadError`).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { JobMedia, Jobs, Video } from "@venice-effect/venice"
 *
 * const program = Effect.gen(function*() {
 *   const request = { model: "wan-2.6-text-to-video", prompt: "Venice at dawn", duration: "5s", aspect_ratio: "16:9" }
 *   const done = yield* Jobs.await_(Video.generate(request))
 *   const size = yield* JobMedia.stream(done, { maxBytes: 200 * 1024 * 1024 }).pipe(
 *     Stream.runFold(0, (n, chunk) => n + chunk.length)
 *   )
 *   return size
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as ClientError from "@venice-effect/core/ClientError"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as SafeUrl from "@venice-effect/core/SafeUrl"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as Jobs from "./Jobs.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Audio.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * The default bound of a download: 2 GiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MAX_BYTES = 2 * 1024 * 1024 * 1024

/**
 * The download URL answered an error (an expired or deleted object is a `4xx`; retried `5xx`s end here too).
 *
 * @since 0.1.0
 * @category errors
 */
export class MediaDownloadError extends Schema.TaggedError<MediaDownloadError>()("MediaDownloadError", {
  /** The URL without its query (pre-signed URLs carry credentials there). */
  url: Schema.String,
  status: Schema.Int,
  message: Schema.String
}) {}

/**
 * The media is larger than the download's bound: declared by `Content-Length` (nothing read) or found while reading
 * (the stream fails as soon as the bound is crossed).
 *
 * @since 0.1.0
 * @category errors
 */
export class MediaTooLargeError extends Schema.TaggedError<MediaTooLargeError>()("MediaTooLargeError", {
  url: Schema.String,
  maxBytes: Schema.Number,
  /** `Content-Length`, when the server declared it. */
  declaredBytes: Schema.optionalWith(Schema.Number, { exact: true }),
  message: Schema.String
}) {}

/**
 * Every way a download fails.
 *
 * @since 0.1.0
 * @category models
 */
export type DownloadError = MediaDownloadError | MediaTooLargeError | ClientError.TransportError

/**
 * Options of a download.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadOptions {
  /** The most bytes accepted (default {@link DEFAULT_MAX_BYTES}). */
  readonly maxBytes?: number | undefined
  /** Timeout until the response headers (default 60 s). */
  readonly timeout?: Duration.DurationInput | undefined
}

/** A pre-signed URL's query is its credential: errors keep the origin and path only. */
const withoutQuery = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return SafeUrl.sanitize(url).replace(/[?#].*$/, "")
  }
}

const retryable = (error: DownloadError): boolean =>
  error._tag === "TransportError" || (error._tag === "MediaDownloadError" && error.status >= 500)

/**
 * Streams the media at a pre-signed URL (a VPS-backed video's `download_url`), without Venice credentials, bounded
 * by `maxBytes`.
 *
 * @since 0.1.0
 * @category download
 */
export const download = (
  url: string,
  options: DownloadOptions = {}
): Stream.Stream<Uint8Array, DownloadError, VeniceClient.VeniceClient> => {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const safeUrl = withoutQuery(url)
  const transport = (reason: ClientError.TransportReason, message: string) =>
    new ClientError.TransportError({
      provider: "venice",
      method: "GET",
      url: safeUrl,
      reason,
      message: `venice media download: ${message}`,
      maybeDelivered: false
    })
  const tooLarge = (declaredBytes?: number) =>
    new MediaTooLargeError({
      url: safeUrl,
      maxBytes,
      ...(declaredBytes !== undefined ? { declaredBytes } : {}),
      message: `venice media download: ${declaredBytes ?? `more than ${maxBytes}`} bytes is over the bound of ${
        maxBytes
      }`
    })
  const open = Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const response = yield* client.http.execute(HttpClientRequest.get(url)).pipe(
      // never the error's own message: it names the URL, whose query is a credential
      Effect.mapError((e) => transport(Pipeline.transportReason(e.cause).reason, "no answer from the download URL")),
      Effect.timeoutFail({
        duration: options.timeout ?? Duration.seconds(60),
        onTimeout: () => transport("timeout", "no answer before the timeout")
      })
    )
    if (response.status >= 300) {
      return yield* new MediaDownloadError({
        url: safeUrl,
        status: response.status,
        message: `venice media download: the URL answered ${response.status}`
      })
    }
    const declared = Number(response.headers["content-length"])
    if (Number.isFinite(declared) && declared > maxBytes) return yield* tooLarge(declared)
    return response
  }).pipe(
    Effect.retry({
      schedule: Schedule.exponential("500 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
      while: retryable
    })
  )
  return Stream.unwrapScoped(
    Effect.map(open, (response) => {
      let received = 0
      return response.stream.pipe(
        Stream.mapError((e) => transport(Pipeline.transportReason(e.cause).reason, "the connection ended early")),
        Stream.mapEffect((chunk) => {
          received += chunk.length
          return received > maxBytes ? Effect.fail(tooLarge()) : Effect.succeed(chunk)
        })
      )
    })
  )
}

/**
 * The media of a finished job as a byte stream: the bytes `retrieve` returned, or the download of its
 * `download_url`. A `Completed` job without a URL fails with `MediaDownloadError` (status 0): nothing to fetch.
 *
 * @since 0.1.0
 * @category download
 */
export const stream = (
  state: Exclude<Jobs.JobState, { readonly _tag: "Processing" }>,
  options?: DownloadOptions
): Stream.Stream<Uint8Array, DownloadError, VeniceClient.VeniceClient> => {
  if (state._tag === "Media") return Stream.make(state.bytes)
  if (state.downloadUrl !== undefined) return download(state.downloadUrl, options)
  return Stream.fail(
    new MediaDownloadError({
      url: "",
      status: 0,
      message: "venice media download: the job completed without a download_url (pass the queue answer's)"
    })
  )
}

const completeEndpoint = (kind: "video" | "audio") =>
  jsonEndpoint({
    operation: `${kind}.complete`,
    method: "POST",
    path: `${kind}/complete`,
    request: Schemas.CompleteJobRequest,
    response: Schemas.CompleteJobResponse,
    model: (request) => request.model
  })

const endpoints = { video: completeEndpoint("video"), audio: completeEndpoint("audio") }

/**
 * Deletes a finished job's stored media (`POST /{kind}/complete`); `success: false` when the delete did not go
 * through (the call may be repeated). Not needed after a `retrieve` with `delete_media_on_completion: true`. Venice
 * currently answers `/video/complete` for queue ids of `/video/queue` with `400 "Request ID is invalid."` (skill
 * venice-video): prefer `delete_media_on_completion` for video.
 *
 * @since 0.1.0
 * @category cleanup
 */
export const complete = <R = never>(
  kind: "video" | "audio",
  request: typeof Schemas.CompleteJobRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.CompleteJobResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(endpoints[kind](request, options), (response) => response.value)

/**
 * Whether a value is one of the download errors.
 *
 * @since 0.1.0
 * @category guards
 */
export const isDownloadError = (u: unknown): u is DownloadError =>
  Predicate.isTagged(u, "MediaDownloadError") || Predicate.isTagged(u, "MediaTooLargeError") ||
  Predicate.isTagged(u, "TransportError")
