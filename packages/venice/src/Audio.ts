/**
 * Audio: text to speech (`POST /audio/speech`), transcription (`POST /audio/transcriptions`, multipart), and the
 * asynchronous music / sound jobs (`/audio/quote`, `/audio/queue`, `/audio/retrieve`, R9).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Stream from "effect/Stream"
import { jsonEndpoint } from "./internal/endpoint.js"
import * as JobEndpoints from "./internal/jobEndpoints.js"
import * as JobMedia from "./JobMedia.js"
import * as Jobs from "./Jobs.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Audio.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * Synthesized speech.
 *
 * @since 0.1.0
 * @category models
 */
export interface Speech {
  readonly bytes: Uint8Array
  readonly contentType: string
}

/**
 * Synthesizes speech and returns the whole audio, read within the client's binary bound (`maxResponseBytes`, default
 * 256 MiB: larger is `ResponseTooLargeError`). For long audio, stream it instead: `SpeechStream.stream`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const speech = <R = never>(
  request: typeof Schemas.SpeechRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Speech, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    yield* VeniceClient.validateRequest("audio.speech", Schemas.SpeechRequest, request)
    return yield* client.execute(
      {
        operation: "audio.speech",
        method: "POST",
        path: "audio/speech",
        body: { _tag: "json", value: { ...request, streaming: false } },
        model: request.model
      },
      (raw) =>
        Effect.map(Jobs.readBytes("audio.speech", raw.response, raw.facts, raw.maxBytes.binary), (bytes) => ({
          bytes,
          contentType: raw.response.headers["content-type"] ?? "application/octet-stream"
        })),
      options
    )
  })

/**
 * Transcribes audio (the file as a `Blob`).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const transcribe = <R = never>(
  request: Schemas.TranscriptionRequest,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.TranscriptionResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const valid = yield* VeniceClient.validateRequest("audio.transcriptions", Schemas.TranscriptionRequest, request)
    const response = yield* client.json(
      {
        operation: "audio.transcriptions",
        method: "POST",
        path: "audio/transcriptions",
        body: { _tag: "form", value: Schemas.toFormData(valid) },
        model: valid.model
      },
      Schemas.TranscriptionResponse,
      options
    )
    return response.value
  })

const jobs = JobEndpoints.jobEndpoints("audio", {
  queueRequest: Schemas.QueueAudioRequest,
  queueResponse: Schemas.QueueAudioResponse as never,
  retrieveRequest: Schemas.RetrieveAudioRequest
})

/**
 * Queues an audio job (sent at most once).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const queue: <R = never>(
  request: typeof Schemas.QueueAudioRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Schemas.QueueAudioResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = jobs
  .queue as never

/**
 * Reads an audio job's state once.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const retrieve: <R = never>(
  request: typeof Schemas.RetrieveAudioRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Jobs.JobState, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = jobs.retrieve

/**
 * Queues audio and polls it to completion (see `Jobs` for the polling policy): the states seen, ending on the
 * media. Polling failures are `JobFailedError` / `JobTimeoutError` with the job's `queueId` (resume it with
 * {@link resume}); the queue call is sent at most once (R9).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generate: <R = never, Out = unknown, R2 = never>(
  request: typeof Schemas.QueueAudioRequest.Encoded,
  options?: Jobs.PollingOptions<R, Out, R2>
) => Stream.Stream<Jobs.JobState, Jobs.JobError, VeniceClient.VeniceClient | R | R2> = jobs.generate

/**
 * Polls an already queued audio job by its `queue_id` (after a `JobTimeoutError` or `JobFailedError`, another
 * process, a restart): the same stream as {@link generate}'s, without queueing anything.
 *
 * @example
 * ```ts
 * import { Audio, Jobs } from "@venice-effect/venice"
 *
 * declare const queueId: string
 * const media = Audio.resume(queueId, { model: "elevenlabs-music" }).pipe(Jobs.await_)
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
 * Polls an already queued audio job (as {@link resume}), then streams its media as it arrives instead of reading it
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
  operation: "audio.quote",
  method: "POST",
  path: "audio/quote",
  request: Schemas.QuoteAudioRequest,
  response: Schemas.QuoteAudioResponse,
  model: (req) => req.model
})

/**
 * Prices an audio job.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const quote = <R = never>(
  request: typeof Schemas.QuoteAudioRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<
  typeof Schemas.QuoteAudioResponse.Type,
  RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> => Effect.map(quoteEndpoint(request, options), (response) => response.value)

/**
 * Deletes a finished audio job's stored media (`POST /audio/complete`; `success: false` when it did not go through).
 * Not needed after a `retrieve` with `delete_media_on_completion: true`. See `JobMedia` for the media as a stream.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const complete = <R = never>(
  request: typeof Schemas.CompleteJobRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.CompleteJobResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  JobMedia.complete("audio", request, options)
