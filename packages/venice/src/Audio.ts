/**
 * Audio: text to speech (`POST /audio/speech`), transcription (`POST /audio/transcriptions`, multipart), and the
 * asynchronous music / sound jobs (`/audio/quote`, `/audio/queue`, `/audio/retrieve`, SPEC R9).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Schedule from "effect/Schedule"
import type * as Stream from "effect/Stream"
import { jsonEndpoint } from "./internal/endpoint.js"
import { jobEndpoints } from "./internal/jobEndpoints.js"
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
 * Synthesizes speech and returns the whole audio (for a byte stream, see the streaming speech API).
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
        Effect.map(Jobs.readBytes("audio.speech", raw.response, raw.facts), (bytes) => ({
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

const jobs = jobEndpoints("audio", {
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
) => Effect.Effect<Schemas.QueueAudioResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =
  jobs.queue as never

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
 * Queues audio and polls it to completion.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generate: <R = never, Out = unknown, R2 = never>(
  request: typeof Schemas.QueueAudioRequest.Encoded,
  options?: VeniceClient.CallOptions<R> & { readonly polling?: Schedule.Schedule<Out, Jobs.JobState, R2> | undefined }
) => Stream.Stream<Jobs.JobState, Jobs.JobError, VeniceClient.VeniceClient | R | R2> = jobs.generate

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
): Effect.Effect<typeof Schemas.QuoteAudioResponse.Type, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(quoteEndpoint(request, options), (response) => response.value)

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
