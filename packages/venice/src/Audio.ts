/**
 * Audio: text to speech (`POST /audio/speech`), transcription (`POST /audio/transcriptions`, multipart), and the
 * asynchronous music / sound jobs (`/audio/quote`, `/audio/queue`, `/audio/retrieve`, R9).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as JobEndpoints from "./internal/jobEndpoints.js"
import type * as JobMedia from "./JobMedia.js"
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
  queueResponse: Schemas.QueueAudioResponse,
  retrieveRequest: Schemas.RetrieveAudioRequest,
  quoteRequest: Schemas.QuoteAudioRequest,
  quoteResponse: Schemas.QuoteAudioResponse
})

/**
 * Queues an audio job (sent at most once).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const queue: Jobs.Call<typeof Schemas.QueueAudioRequest.Encoded, Schemas.QueueAudioResponse> = jobs.queue

/**
 * Reads an audio job's state once.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const retrieve: Jobs.Retrieve<typeof Schemas.RetrieveAudioRequest.Encoded> = jobs.retrieve

/**
 * Queues audio and polls it to completion (see `Jobs` for the polling policy): the states seen, ending on the
 * media. Polling failures are `JobFailedError` / `JobTimeoutError` with the job's `queueId` (resume it with
 * {@link resume}); the queue call is sent at most once (R9).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generate: Jobs.Generate<typeof Schemas.QueueAudioRequest.Encoded> = jobs.generate

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
export const resume: Jobs.Resume = jobs.resume

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
export const download: JobMedia.Download = jobs.download

/**
 * Prices an audio job.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const quote: Jobs.Call<typeof Schemas.QuoteAudioRequest.Encoded, typeof Schemas.QuoteAudioResponse.Type> =
  jobs.quote

/**
 * Deletes a finished audio job's stored media (`POST /audio/complete`; `success: false` when it did not go through).
 * Not needed after a `retrieve` with `delete_media_on_completion: true`. See `JobMedia` for the media as a stream.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const complete: Jobs.Call<typeof Schemas.CompleteJobRequest.Encoded, Schemas.CompleteJobResponse> = jobs.complete
