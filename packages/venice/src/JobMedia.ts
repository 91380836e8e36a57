/**
 * The end of an asynchronous job (`/video/*`, `/audio/*`, R9): its media as a byte `Stream` — from the body of
 * `retrieve`, or from the pre-signed `download_url` of VPS-backed video models (fetched without credentials) — and
 * the cleanup call `POST /{video,audio}/complete` that deletes the stored media.
 *
 * ## One download path, two bounds (B1, W7)
 *
 * Every media body streamed by the SDK ({@link download}, {@link retrieve}, `Video.download`, `Audio.download`)
 * goes through the same reader:
 *
 * - **size**: at most `maxBytes` (default {@link DEFAULT_MAX_BYTES}, 2 GiB). A declared `Content-Length` above it
 *   fails before any byte is read, a body that grows past it fails the stream as soon as the bound is crossed: both
 *   `ResponseTooLargeError`, the error every body bound of the SDK reports (never retried). Memory and disk stay
 *   bounded whatever the URL serves.
 * - **idle**: no more than `idleTimeout` (default 60 s) between two chunks, else the stream fails with
 *   `StreamTransportError` `idle-timeout`; a connection that breaks mid-body is `StreamTransportError`
 *   `reset` (the bytes received are on the error).
 *
 * Opening a pre-signed URL retries transport failures and `5xx` answers before the first byte (3 times, exponential
 * from 0.5 s); a `4xx` (an expired URL) is final (`MediaDownloadError`). Media read whole instead (`Video.retrieve`,
 * `Audio.speech`) is bounded by the client's `maxResponseBytes.binary` (256 MiB).
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
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ClientError from "@venice-effect/core/ClientError"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as CoreRetryPolicy from "@venice-effect/core/RetryPolicy"
import * as SafeUrl from "@venice-effect/core/SafeUrl"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { jsonEndpoint } from "./internal/endpoint.js"
import * as Streaming from "./internal/streaming.js"
import * as Jobs from "./Jobs.js"
import type * as ResponseMeta from "./ResponseMeta.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Audio.js"
import * as VideoSchemas from "./schema/Video.js"
import type * as StreamError from "./StreamError.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * The default size bound of a streamed media body: 2 GiB.
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
 * Every way a media stream fails: the URL's error answer, the size bound (`ResponseTooLargeError`), no answer
 * (`TransportError`, before the body), and a body that broke or went idle (`StreamTransportError`).
 *
 * @since 0.1.0
 * @category models
 */
export type DownloadError =
  | MediaDownloadError
  | ClientError.ResponseTooLargeError
  | ClientError.TransportError
  | StreamError.StreamTransportError

/**
 * Options of a media stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface DownloadOptions {
  /** The most bytes accepted (default {@link DEFAULT_MAX_BYTES}): `ResponseTooLargeError` above. */
  readonly maxBytes?: number | undefined
  /** Timeout until the response headers of a pre-signed URL (default 60 s). */
  readonly timeout?: Duration.DurationInput | undefined
  /** The longest pause between two chunks of the body (default 60 s): `StreamTransportError` `idle-timeout`. */
  readonly idleTimeout?: Duration.DurationInput | undefined
}

/**
 * `Video.download` / `Audio.download`: polls an already queued job, then streams its media.
 *
 * @since 0.2.0
 * @category models
 */
export type Download = <R = never, Out = unknown, R2 = never>(
  queueId: string,
  options: Jobs.ResumeOptions<R, Out, R2> & DownloadOptions
) => Stream.Stream<
  Uint8Array,
  Jobs.JobFailedError | Jobs.JobTimeoutError | DownloadError,
  VeniceClient.VeniceClient | R | R2
>

/** A pre-signed URL's query is its credential: errors keep the origin and path only. */
const withoutQuery = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.origin}${parsed.pathname}`
  } catch {
    return SafeUrl.sanitize(url).replace(/[?#].*$/, "")
  }
}

/** Where a media body comes from, for its errors. */
interface Source {
  readonly operation: string
  readonly facts: ClientError.CallFacts
  readonly requestId: string | undefined
}

const tooLarge = (
  source: Source,
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  received: number | undefined,
  declared: number | undefined
) =>
  new ClientError.ResponseTooLargeError({
    provider: "venice",
    ...source.facts,
    status: response.status,
    operation: source.operation,
    limit,
    ...(received !== undefined ? { received } : {}),
    ...(declared !== undefined ? { declared } : {}),
    ...(source.requestId !== undefined ? { requestId: source.requestId } : {}),
    message: `venice ${source.operation}: the media is larger than ${limit} bytes (${
      received === undefined ? `Content-Length ${declared}` : `${received} bytes read, then stopped`
    }); not read further, not retried`
  })

/**
 * The one reader of streamed media (see the module docs): the declared size checked first (the stream fails before
 * any byte), then the body within `maxBytes` and the idle bound.
 */
const boundedBody = (
  source: Source,
  response: HttpClientResponse.HttpClientResponse,
  options: DownloadOptions
): Stream.Stream<Uint8Array, DownloadError> => {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const header = response.headers["content-length"]
  const declared = header !== undefined && /^\d+$/.test(header) ? Number(header) : undefined
  if (declared !== undefined && declared > maxBytes) {
    // refused on its word: take one chunk at most, so the connection is released rather than left with a body on it
    return Stream.fromEffect(Effect.zipRight(
      Effect.ignore(Stream.runHead(response.stream)),
      Effect.fail(tooLarge(source, response, maxBytes, undefined, declared))
    ))
  }
  const ctx: Streaming.StreamContext = {
    provider: "venice",
    operation: source.operation,
    facts: source.facts,
    requestId: source.requestId
  }
  let received = 0
  // a response's body is read once: the count belongs to this stream
  return Streaming.bounded(
    response.stream,
    () => received,
    // the headers are in: the first bytes are held to the idle bound too
    { firstEvent: Streaming.boundsOf(options).idle, idle: Streaming.boundsOf(options).idle },
    (_, after) => Streaming.boundError(ctx, received, "idle", after, "byte(s)")
  ).pipe(
    Stream.mapError((error): DownloadError =>
      error._tag === "StreamTransportError" ? error : Streaming.transportError(ctx, 0, error.cause, received)
    ),
    Stream.mapEffect((chunk) => {
      received += chunk.byteLength
      return received > maxBytes
        ? Effect.fail(tooLarge(source, response, maxBytes, received, declared))
        : Effect.succeed(chunk)
    })
  )
}

const retryable = (error: DownloadError): boolean =>
  error._tag === "TransportError" || (error._tag === "MediaDownloadError" && error.status >= 500)

/**
 * Streams the media at a pre-signed URL (a VPS-backed video's `download_url`), without Venice credentials, within
 * the size and idle bounds of the module docs.
 *
 * @since 0.1.0
 * @category download
 */
export const download = (
  url: string,
  options: DownloadOptions = {}
): Stream.Stream<Uint8Array, DownloadError, VeniceClient.VeniceClient> => {
  const safeUrl = withoutQuery(url)
  const source: Source = { operation: "media.download", facts: { method: "GET", url: safeUrl }, requestId: undefined }
  const transport = (reason: ClientError.TransportReason, message: string) =>
    new ClientError.TransportError({
      provider: "venice",
      method: "GET",
      url: safeUrl,
      reason,
      message: `venice media.download: ${message}`,
      maybeDelivered: false
    })
  const timeout = options.timeout === undefined ? Duration.seconds(60) : Duration.decode(options.timeout)
  // each request is an attempt for the pipeline's observers (telemetry, the TestClock driver): the body that follows
  // reports its own activity. Attempts are counted per run of the stream.
  const open = (attempts: { count: number }) =>
    Effect.gen(function*() {
      const client = yield* VeniceClient.VeniceClient
      const observe = yield* Pipeline.Observer
      const attempt = ++attempts.count
      yield* observe({ _tag: "AttemptStarted", operation: source.operation, attempt, timeout })
      const response = yield* client.http.execute(HttpClientRequest.get(url)).pipe(
        // never the error's own message: it names the URL, whose query is a credential
        Effect.mapError((e) => transport(Pipeline.transportReason(e.cause).reason, "no answer from the download URL")),
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () => transport("timeout", "no answer before the timeout")
        }),
        Effect.tapError((error) => observe({ _tag: "AttemptFailed", operation: source.operation, attempt, error }))
      )
      if (response.status >= 300) {
        const error = new MediaDownloadError({
          url: safeUrl,
          status: response.status,
          message: `venice media.download: the URL answered ${response.status}`
        })
        yield* observe({ _tag: "AttemptFailed", operation: source.operation, attempt, error })
        return yield* error
      }
      yield* observe({ _tag: "AttemptSucceeded", operation: source.operation, attempt, status: response.status })
      return boundedBody(source, response, options)
    }).pipe(
      Effect.retry({
        schedule: Schedule.exponential("500 millis").pipe(Schedule.intersect(Schedule.recurs(3))),
        while: retryable
      })
    )
  return Stream.unwrapScoped(Effect.suspend(() => open({ count: 0 })))
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
  return Stream.fail(noUrl)
}

const noUrl = new MediaDownloadError({
  url: "",
  status: 0,
  message: "venice media.download: the job completed without a download_url (pass the queue answer's)"
})

/**
 * One `retrieve` of a job whose media is streamed rather than read whole: still processing, or done — with the media
 * as a bounded byte stream (the retrieve's own body, or the `download_url` when the media is elsewhere).
 *
 * @since 0.1.0
 * @category models
 */
export type Retrieved =
  | Extract<Jobs.JobState, { readonly _tag: "Processing" }>
  | {
    readonly _tag: "Streaming"
    /** `application/octet-stream` when the URL's answer is not opened yet. */
    readonly contentType: string
    /** The answer's header facts (a retrieve's body only). */
    readonly meta?: ResponseMeta.ResponseMeta | undefined
    /** The media: read it inside the scope the retrieve ran in. */
    readonly bytes: Stream.Stream<Uint8Array, DownloadError, VeniceClient.VeniceClient>
  }

const retrieveSchemas = { video: VideoSchemas.RetrieveVideoRequest, audio: Schemas.RetrieveAudioRequest }

/**
 * Sends one `POST /{kind}/retrieve` (once, unless `retry` is given: polling is its retry policy) and answers the job's
 * state, the media of a finished job streamed within the bounds of the module docs. The body of the answer lives in
 * the `Scope`: read `bytes` before it closes. A finished job whose media is elsewhere streams its `download_url` (the
 * queue answer's, or the retrieve's).
 *
 * @since 0.1.0
 * @category download
 */
export const retrieve = <R = never>(
  kind: "video" | "audio",
  job: { readonly queueId: string; readonly model: string; readonly downloadUrl?: string | undefined },
  options: VeniceClient.CallOptions<R> & DownloadOptions = {}
): Effect.Effect<Retrieved, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | Scope.Scope | R> =>
  Effect.gen(function*() {
    const { idleTimeout, maxBytes, timeout: _headers, ...callOptions } = options
    const bounds: DownloadOptions = { maxBytes, idleTimeout }
    const client = yield* VeniceClient.VeniceClient
    const operation = `${kind}.retrieve`
    const request = { model: job.model, queue_id: job.queueId }
    yield* VeniceClient.validateRequest(operation, retrieveSchemas[kind], request)
    return yield* client.execute(
      { operation, method: "POST", path: `${kind}/retrieve`, body: { _tag: "json", value: request }, model: job.model },
      (raw): Effect.Effect<Retrieved, RetryPolicy.VeniceClientError> => {
        const contentType = raw.response.headers["content-type"] ?? "application/octet-stream"
        if (/\bjson\b/i.test(contentType)) {
          return Effect.map(Jobs.readRetrieve(operation, raw, job.downloadUrl), (state): Retrieved => {
            if (state._tag === "Processing") return state
            const url = state._tag === "Completed" ? state.downloadUrl : undefined
            return {
              _tag: "Streaming",
              contentType: "application/octet-stream",
              bytes: url === undefined ? Stream.fail(noUrl) : download(url, bounds)
            }
          })
        }
        const source: Source = { operation, facts: raw.facts, requestId: raw.response.headers["x-request-id"] }
        return Effect.succeed<Retrieved>({
          _tag: "Streaming",
          contentType,
          meta: raw.meta,
          bytes: boundedBody(source, raw.response, bounds)
        })
      },
      { ...callOptions, retry: callOptions.retry ?? CoreRetryPolicy.none, bodyConsumedLater: true }
    )
  })

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
  Predicate.isTagged(u, "MediaDownloadError") || Predicate.isTagged(u, "ResponseTooLargeError") ||
  Predicate.isTagged(u, "TransportError") || Predicate.isTagged(u, "StreamTransportError")
