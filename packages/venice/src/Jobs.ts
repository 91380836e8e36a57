/**
 * Venice's asynchronous jobs (`/video/queue`, `/audio/queue` → `…/retrieve`), SPEC R9: queueing may bill, so a queue
 * call is never re-sent after it may have reached Venice; the job is then polled with a `Schedule` seeded by Venice's
 * `average_execution_time`, as a `Stream` of progress that ends on the media (or a typed failure).
 *
 * @since 0.1.0
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ClientError from "@venice-effect/core/ClientError"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Poll from "@venice-effect/core/Poll"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ResponseMeta from "./ResponseMeta.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * One observation of a job.
 *
 * - `Processing` — running; `averageExecutionTime` (Venice's P80 estimate) and `executionDuration` in ms.
 * - `Completed` — done, the media is elsewhere (`downloadUrl` of the queue answer, VPS-backed video models).
 * - `Media` — done, with the bytes, their content type and the answer's header facts (audio: `audioFormat`,
 *   `inferenceTimeSeconds` …).
 *
 * @since 0.1.0
 * @category models
 */
export type JobState =
  | {
    readonly _tag: "Processing"
    readonly averageExecutionTime: number
    readonly executionDuration: number
  }
  | { readonly _tag: "Completed"; readonly downloadUrl?: string | undefined }
  | {
    readonly _tag: "Media"
    readonly bytes: Uint8Array
    readonly contentType: string
    /** The answer's header facts (`x-venice-audio-format`, `x-venice-inference-time`, the model …). */
    readonly meta?: ResponseMeta.ResponseMeta | undefined
  }

/**
 * Whether a state ends the job.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isDone = (state: JobState): boolean => state._tag !== "Processing"

/**
 * Progress as a fraction in [0, 1) from Venice's estimate (never 1 before the job is done).
 *
 * @since 0.1.0
 * @category getters
 */
export const progress = (state: JobState): number =>
  state._tag !== "Processing"
    ? 1
    : state.averageExecutionTime <= 0
    ? 0
    : Math.min(0.99, state.executionDuration / state.averageExecutionTime)

/**
 * The default polling cadence: half the estimated remaining time, between 1 s and 15 s; once past the estimate, every
 * 5 s. At most 2 hours of polling.
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultPolling: Schedule.Schedule<JobState, JobState> = Poll.delayFrom<JobState>(
  (state: JobState) =>
    state._tag === "Processing" && state.averageExecutionTime > state.executionDuration
      ? Duration.millis((state.averageExecutionTime - state.executionDuration) / 2)
      : Duration.seconds(5),
  { min: "1 second", max: "15 seconds" }
).pipe(Schedule.upTo("2 hours"))

/**
 * The job was still processing when the polling schedule ended.
 *
 * @since 0.1.0
 * @category errors
 */
export class JobTimeoutError extends Schema.TaggedError<JobTimeoutError>()("JobTimeoutError", {
  queueId: Schema.String,
  model: Schema.String,
  message: Schema.String
}) {}

const StatusJson = Schema.Struct({
  status: Schema.String,
  average_execution_time: Schema.optional(Schema.Number),
  execution_duration: Schema.optional(Schema.Number),
  download_url: Schema.optional(Schema.String)
})
const decodeStatus = Schema.decodeUnknownEither(StatusJson)

/**
 * Reads a `retrieve` answer: JSON status, or the media bytes.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readRetrieve = (
  operation: string,
  raw: VeniceClient.RawResponse,
  downloadUrl?: string | undefined
): Effect.Effect<JobState, ClientError.ResponseDecodeError | ClientError.TransportError> => {
  const contentType = raw.response.headers["content-type"] ?? "application/octet-stream"
  if (/\bjson\b/i.test(contentType)) {
    return Pipeline.decodeJsonBody("venice", operation, raw.response, raw.facts, (u) =>
      Either.map(
        Either.mapLeft(decodeStatus(u), () => "not a job status"),
        (s): JobState =>
          s.status === "PROCESSING"
            ? {
              _tag: "Processing",
              averageExecutionTime: s.average_execution_time ?? 0,
              executionDuration: s.execution_duration ?? 0
            }
            : { _tag: "Completed", downloadUrl: s.download_url ?? downloadUrl }
      ))
  }
  return Effect.map(readBytes(operation, raw.response, raw.facts), (bytes): JobState => ({
    _tag: "Media",
    bytes,
    contentType,
    meta: raw.meta
  }))
}

/**
 * Reads a whole binary body; a body cut short is a transport error.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readBytes = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse,
  facts: ClientError.CallFacts
): Effect.Effect<Uint8Array, ClientError.TransportError> =>
  Effect.map(
    response.arrayBuffer,
    (buffer) => new Uint8Array(buffer)
  ).pipe(
    Effect.mapError((e) =>
      new ClientError.TransportError({
        provider: "venice",
        ...facts,
        reason: "reset",
        message: `venice ${operation}: connection reset while reading the media (${Pipeline.transportReason(e.cause).reason})`,
        maybeDelivered: true
      })
    )
  )

/**
 * Polls a job until it is done, emitting every state seen. Ends with a `Media` or `Completed` state, or fails with
 * {@link JobTimeoutError} when the schedule gives up first.
 *
 * @since 0.1.0
 * @category polling
 */
export const poll = <E, R, Out = unknown, R2 = never>(
  job: { readonly queueId: string; readonly model: string },
  retrieve: Effect.Effect<JobState, E, R>,
  schedule: Schedule.Schedule<Out, JobState, R2> = defaultPolling as unknown as Schedule.Schedule<Out, JobState, R2>
): Stream.Stream<JobState, E | JobTimeoutError, R | R2> =>
  Poll.untilDone(retrieve, {
    isDone,
    schedule,
    onGiveUp: () =>
      new JobTimeoutError({
        ...job,
        message: `venice job ${job.queueId} (${job.model}) still processing when polling stopped`
      })
  })

/**
 * The last state of a poll: the finished job.
 *
 * @since 0.1.0
 * @category polling
 */
export const await_ = <E, R>(
  states: Stream.Stream<JobState, E, R>
): Effect.Effect<Exclude<JobState, { readonly _tag: "Processing" }>, E, R> =>
  Effect.map(
    Stream.runLast(Stream.filter(states, isDone)),
    (last) => (last._tag === "Some" ? last.value : { _tag: "Completed" }) as Exclude<JobState, { readonly _tag: "Processing" }>
  )

/**
 * Re-exported for callers naming the error union of job functions.
 *
 * @since 0.1.0
 * @category models
 */
export type JobError = RetryPolicy.VeniceClientError | JobTimeoutError
