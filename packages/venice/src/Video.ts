/**
 * Video generation: `POST /video/quote`, `/video/queue`, `/video/retrieve` (R9). `generate` queues once and
 * polls until the video is ready, as a `Stream` of {@link Jobs.JobState} (progress, then the media).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Jobs, Video } from "@venice-effect/venice"
 *
 * const video = Video.generate({ model: "wan-2.5-preview-text-to-video", prompt: "Venice at dawn", duration: "5s" }).pipe(
 *   Stream.tap((state) => Effect.log(`progress ${Math.round(Jobs.progress(state) * 100)}%`)),
 *   Jobs.await_
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { jsonEndpoint } from "./internal/endpoint.js"
import * as JobEndpoints from "./internal/jobEndpoints.js"
import * as JobMedia from "./JobMedia.js"
import type * as Jobs from "./Jobs.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import type * as AudioSchemas from "./schema/Audio.js"
import * as Schemas from "./schema/Video.js"
import type * as VeniceClient from "./VeniceClient.js"

const jobs = JobEndpoints.jobEndpoints("video", {
  queueRequest: Schemas.QueueVideoRequest,
  queueResponse: Schemas.QueueVideoResponse as never,
  retrieveRequest: Schemas.RetrieveVideoRequest
})

/**
 * Queues a video job (sent at most once: a lost answer is surfaced, never re-queued blindly).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const queue: <R = never>(
  request: typeof Schemas.QueueVideoRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Schemas.QueueVideoResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = jobs
  .queue as never

/**
 * Reads a job's state once: processing, completed, or the video bytes.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const retrieve: <R = never>(
  request: typeof Schemas.RetrieveVideoRequest.Encoded,
  options?: VeniceClient.CallOptions<R> & { readonly downloadUrl?: string | undefined }
) => Effect.Effect<Jobs.JobState, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = jobs.retrieve

/**
 * Queues a video and polls it to completion (see `Jobs` for the polling policy): the states seen, ending on the
 * media. Polling failures are `JobFailedError` / `JobTimeoutError` with the job's `queueId` (resume it with
 * {@link resume}); the queue call is sent at most once (R9).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generate: <R = never, Out = unknown, R2 = never>(
  request: typeof Schemas.QueueVideoRequest.Encoded,
  options?: Jobs.PollingOptions<R, Out, R2>
) => Stream.Stream<Jobs.JobState, Jobs.JobError, VeniceClient.VeniceClient | R | R2> = jobs.generate

/**
 * Polls an already queued video job by its `queue_id` (after a `JobTimeoutError` or `JobFailedError`, another
 * process, a restart): the same stream as {@link generate}'s, without queueing anything.
 *
 * @example
 * ```ts
 * import { Jobs, Video } from "@venice-effect/venice"
 *
 * declare const queueId: string
 * const media = Video.resume(queueId, { model: "wan-2.5-preview-text-to-video" }).pipe(Jobs.await_)
 * ```
 *
 * @since 0.1.0
 * @category endpoints
 */
export const resume: <R = never, Out = unknown, R2 = never>(
  queueId: string,
  options: Jobs.PollingOptions<R, Out, R2> & { readonly model: string; readonly downloadUrl?: string | undefined }
) => Stream.Stream<Jobs.JobState, Jobs.JobFailedError | Jobs.JobTimeoutError, VeniceClient.VeniceClient | R | R2> =
  jobs.resume

/**
 * Polls an already queued video job (as {@link resume}), then streams its media as it arrives instead of reading it
 * whole: for media too large to hold, written to a file or a socket. Bounded like every media stream (`JobMedia`):
 * at most `maxBytes` (default 2 GiB, `ResponseTooLargeError`), no pause longer than `idleTimeout` between chunks
 * (default 60 s, `StreamTransportError` `idle-timeout`). Media stored elsewhere (`downloadUrl`, VPS-backed
 * models) is fetched from there.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const download: <R = never, Out = unknown, R2 = never>(
  queueId: string,
  options: Jobs.PollingOptions<R, Out, R2> & JobMedia.DownloadOptions & {
    readonly model: string
    readonly downloadUrl?: string | undefined
  }
) => Stream.Stream<
  Uint8Array,
  Jobs.JobFailedError | Jobs.JobTimeoutError | JobMedia.DownloadError,
  VeniceClient.VeniceClient | R | R2
> = jobs.download

const quoteEndpoint = jsonEndpoint({
  operation: "video.quote",
  method: "POST",
  path: "video/quote",
  request: Schemas.QuoteVideoRequest,
  response: Schemas.QuoteVideoResponse,
  model: (req) => req.model
})

/**
 * Prices a video request.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const quote = <R = never>(
  request: typeof Schemas.QuoteVideoRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<
  typeof Schemas.QuoteVideoResponse.Type,
  RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> => Effect.map(quoteEndpoint(request, options), (response) => response.value)

/**
 * Deletes a finished video job's stored media (`POST /video/complete`; `success: false` when it did not go through).
 * Not needed after a `retrieve` with `delete_media_on_completion: true`. See `JobMedia` for the media as a stream.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const complete = <R = never>(
  request: typeof AudioSchemas.CompleteJobRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<AudioSchemas.CompleteJobResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  JobMedia.complete("video", request, options)
