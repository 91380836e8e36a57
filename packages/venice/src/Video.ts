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
import * as JobEndpoints from "./internal/jobEndpoints.js"
import type * as JobMedia from "./JobMedia.js"
import type * as Jobs from "./Jobs.js"
import type * as AudioSchemas from "./schema/Audio.js"
import * as Schemas from "./schema/Video.js"

const jobs = JobEndpoints.jobEndpoints("video", {
  queueRequest: Schemas.QueueVideoRequest,
  queueResponse: Schemas.QueueVideoResponse,
  retrieveRequest: Schemas.RetrieveVideoRequest,
  quoteRequest: Schemas.QuoteVideoRequest,
  quoteResponse: Schemas.QuoteVideoResponse
})

/**
 * Queues a video job (sent at most once: a lost answer is surfaced, never re-queued blindly).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const queue: Jobs.Call<typeof Schemas.QueueVideoRequest.Encoded, Schemas.QueueVideoResponse> = jobs.queue

/**
 * Reads a job's state once: processing, completed, or the video bytes.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const retrieve: Jobs.Retrieve<typeof Schemas.RetrieveVideoRequest.Encoded> = jobs.retrieve

/**
 * Queues a video and polls it to completion (see `Jobs` for the polling policy): the states seen, ending on the
 * media. Polling failures are `JobFailedError` / `JobTimeoutError` with the job's `queueId` (resume it with
 * {@link resume}); the queue call is sent at most once (R9).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generate: Jobs.Generate<typeof Schemas.QueueVideoRequest.Encoded> = jobs.generate

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
export const resume: Jobs.Resume = jobs.resume

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
export const download: JobMedia.Download = jobs.download

/**
 * Prices a video request.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const quote: Jobs.Call<typeof Schemas.QuoteVideoRequest.Encoded, typeof Schemas.QuoteVideoResponse.Type> =
  jobs.quote

/**
 * Deletes a finished video job's stored media (`POST /video/complete`; `success: false` when it did not go through).
 * Not needed after a `retrieve` with `delete_media_on_completion: true`. See `JobMedia` for the media as a stream.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const complete: Jobs.Call<typeof AudioSchemas.CompleteJobRequest.Encoded, AudioSchemas.CompleteJobResponse> =
  jobs.complete
