/**
 * Venice's asynchronous jobs (`/video/queue`, `/audio/queue` → `…/retrieve`), R9: queueing may bill, so a queue
 * call is never re-sent after it may have reached Venice; the job is then polled, as a `Stream` of progress that ends
 * on the media (or a typed failure).
 *
 * ## Polling has its own policy (W5)
 *
 * - **Cadence**: a `Schedule` over the states seen (default {@link defaultPolling}: seeded by Venice's
 *   `average_execution_time`, between 1 s and 15 s).
 * - **Bound, job-length aware**: polling stops with {@link JobTimeoutError} once it has lasted
 *   {@link PollOptions.pollFor} — by default 4 × Venice's P80 estimate of the job (`average_execution_time`), at
 *   least 10 minutes, at most 2 hours (10 minutes until Venice has given an estimate).
 * - **A retrieve that fails is not the job failing**: a transport failure, a timeout, an unreadable answer, a `502`,
 *   `503`, `504`, a `429` or the client's own error-budget guard means "keep polling" (after the cadence's delay, or
 *   the wait announced), within the bound. Each retrieve is sent once (the polling is its retry policy), unless `retry` is given.
 * - **Terminal answers are not retried blindly**: a `500` on retrieve is the job's failure (Venice returns the
 *   generation's error there, and replays it on every retrieve), as are content-policy `422`s and validation `400`s:
 *   {@link JobFailedError} at once. Other `4xx` (not found, expired, unauthorized) too.
 * - **Every job error carries the `queue_id`** (and the model): the job is billed and may still finish; resume polling
 *   it with `Video.resume(queueId, { model })` / `Audio.resume(…)`.
 *
 * @since 0.1.0
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as ClientError from "@venice-effect/core/ClientError"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Poll from "@venice-effect/core/Poll"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as ScheduleDecision from "effect/ScheduleDecision"
import * as ScheduleIntervals from "effect/ScheduleIntervals"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import type * as ResponseMeta from "./ResponseMeta.js"
import * as RetryPolicy from "./RetryPolicy.js"
import type * as VeniceClient from "./VeniceClient.js"
import * as VeniceError from "./VeniceError.js"

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
export const isDone = (state: JobState): state is Exclude<JobState, { readonly _tag: "Processing" }> =>
  state._tag !== "Processing"

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
 * 5 s. (How long polling may last is {@link PollOptions.pollFor}.)
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultPolling: Schedule.Schedule<JobState, JobState> = Poll.delayFrom<JobState>(
  (state: JobState) => cadence(state, { min: Duration.zero, max: Duration.infinity }),
  { min: "1 second", max: "15 seconds" }
)

/**
 * The default cadence's pause after a state (`undefined`: nothing seen yet): half the estimated remaining time of a
 * job still processing, else 5 s, clamped to `[min, max]` (default 1 s and 15 s). Durable pollers (the workflow
 * package) pace their own recorded retrieves with it.
 *
 * @since 0.1.0
 * @category schedules
 */
export const cadence = (
  state: JobState | undefined,
  bounds: { readonly min?: Duration.DurationInput | undefined; readonly max?: Duration.DurationInput | undefined } = {}
): Duration.Duration =>
  Duration.clamp(
    state?._tag === "Processing" && state.averageExecutionTime > state.executionDuration
      ? Duration.millis((state.averageExecutionTime - state.executionDuration) / 2)
      : Duration.seconds(5),
    { minimum: bounds.min ?? Duration.seconds(1), maximum: bounds.max ?? Duration.seconds(15) }
  )

/**
 * How long polling may last by default, from what Venice said of the job (`undefined`: nothing yet): 4 × its P80
 * estimate, at least 10 minutes, at most 2 hours.
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultPollFor = (state: JobState | undefined): Duration.Duration => {
  const estimate = state?._tag === "Processing" ? state.averageExecutionTime : 0
  return Duration.millis(Math.min(MAX_POLL, Math.max(MIN_POLL, 4 * (Number.isFinite(estimate) ? estimate : 0))))
}

const MIN_POLL = 10 * 60_000
const MAX_POLL = 2 * 60 * 60_000

/**
 * The job was still processing (or its retrieve kept failing in ways that mean "try later") when polling reached its
 * bound. The job is billed and may still finish: resume with its `queueId`.
 *
 * @since 0.1.0
 * @category errors
 */
export class JobTimeoutError extends Schema.TaggedError<JobTimeoutError>()("JobTimeoutError", {
  queueId: Schema.String,
  model: Schema.String,
  message: Schema.String,
  /** The last retrieve failure, when the last attempts failed. */
  cause: Schema.optionalWith(Schema.Unknown, { exact: true })
}) {}

/**
 * Why a job failed.
 *
 * - `failed` — Venice answered the retrieve with the job's own failure (a `500`, a content-policy `422`, a
 *   validation `400`): the generation failed (refunded, per Venice). Asking again replays the same answer.
 * - `rejected` — the retrieve was refused in a way polling cannot fix: an unknown or expired queue id (`400`
 *   `REQUEST_ID_NOT_FOUND`, "Request ID is invalid."), expired or deleted media (`404`), auth, a body too large, an
 *   invalid request, a wait longer than `maxWait`.
 *
 * @since 0.1.0
 * @category models
 */
export const JobFailure = Schema.Literal("failed", "rejected")

/**
 * @since 0.1.0
 * @category models
 */
export type JobFailure = typeof JobFailure.Type

/**
 * A queued job ended in a failure, or could not be retrieved. `cause` is the retrieve's error (a `VeniceError`, a
 * client error); `queueId` and `model` identify the job for a later `resume` or `retrieve`.
 *
 * @since 0.1.0
 * @category errors
 */
export class JobFailedError extends Schema.TaggedError<JobFailedError>()("JobFailedError", {
  queueId: Schema.String,
  model: Schema.String,
  reason: JobFailure,
  message: Schema.String,
  cause: Schema.Unknown
}) {}

const StatusJson = Schema.Struct({
  status: Schema.String,
  average_execution_time: Schema.optional(Schema.Number),
  execution_duration: Schema.optional(Schema.Number),
  download_url: Schema.optional(Schema.String)
})
const decodeStatus = Schema.decodeUnknownEither(StatusJson)

/**
 * Reads a `retrieve` answer: JSON status, or the media bytes (each within the call's bound for its family).
 *
 * @since 0.1.0
 * @category decoding
 */
export const readRetrieve = (
  operation: string,
  raw: VeniceClient.RawResponse,
  downloadUrl?: string | undefined
): Effect.Effect<
  JobState,
  ClientError.ResponseDecodeError | ClientError.ResponseTooLargeError | ClientError.TransportError
> => {
  const contentType = raw.response.headers["content-type"] ?? "application/octet-stream"
  if (/\bjson\b/i.test(contentType)) {
    return Pipeline.decodeJsonBody(
      "venice",
      operation,
      raw.response,
      raw.facts,
      (u) =>
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
        ),
      raw.response.headers["x-request-id"],
      { maxBytes: raw.maxBytes.json }
    )
  }
  return Effect.map(readBytes(operation, raw.response, raw.facts, raw.maxBytes.binary), (bytes): JobState => ({
    _tag: "Media",
    bytes,
    contentType,
    meta: raw.meta
  }))
}

/**
 * Reads a whole binary body of at most `maxBytes` (default `Pipeline.defaultMaxResponseBytes.binary`): larger is
 * `ResponseTooLargeError`; a body cut short is a transport error.
 *
 * @since 0.1.0
 * @category decoding
 */
export const readBytes = (
  operation: string,
  response: HttpClientResponse.HttpClientResponse,
  facts: ClientError.CallFacts,
  maxBytes: number = Pipeline.defaultMaxResponseBytes.binary
): Effect.Effect<Uint8Array, ClientError.ResponseTooLargeError | ClientError.TransportError> =>
  Pipeline.readLimited(response, {
    provider: "venice",
    operation,
    facts,
    limit: maxBytes,
    requestId: response.headers["x-request-id"]
  })

/**
 * Options of {@link poll}.
 *
 * - `schedule`: the cadence (default {@link defaultPolling}); when it stops, polling stops ({@link JobTimeoutError}).
 * - `pollFor`: how long polling may last (default {@link defaultPollFor}, from Venice's estimate of the job).
 * - `maxWait`: the longest wait Venice may announce on a `429` that polling sleeps (default 60 s).
 *
 * @since 0.1.0
 * @category models
 */
export interface PollOptions<Out = unknown, R2 = never> {
  readonly schedule?: Schedule.Schedule<Out, JobState, R2> | undefined
  readonly pollFor?: Duration.DurationInput | undefined
  readonly maxWait?: Duration.DurationInput | undefined
}

/**
 * How `Video.generate` / `Audio.generate` and `resume` poll: the per-call options of each retrieve (a retrieve is
 * sent once unless `retry` is given: polling is its retry policy), the cadence `polling` (default
 * {@link defaultPolling}) and the bound `pollFor` (default {@link defaultPollFor}).
 *
 * @since 0.1.0
 * @category models
 */
export type PollingOptions<R = never, Out = unknown, R2 = never> = VeniceClient.CallOptions<R> & {
  readonly polling?: Schedule.Schedule<Out, JobState, R2> | undefined
  readonly pollFor?: Duration.DurationInput | undefined
}

/** What a retrieve's failure means for the job. */
type Verdict =
  | { readonly _tag: "Again"; readonly wait: Duration.Duration | undefined }
  | { readonly _tag: "Failed"; readonly reason: JobFailure }

/**
 * What a failed retrieve means (see the module docs): keep polling, or the job failed / cannot be retrieved.
 *
 * @since 0.1.0
 * @category polling
 */
export const classifyRetrieveFailure = (error: RetryPolicy.VeniceClientError): Verdict => {
  switch (error._tag) {
    case "TransportError":
    case "ResponseDecodeError":
      return { _tag: "Again", wait: undefined }
    case "WaitTooLongError":
      return { _tag: "Again", wait: error.wait }
    // the client's own "not now": sending would risk Venice's error budget until the window moves on
    case "ErrorBudgetExhaustedError":
      return { _tag: "Again", wait: error.resetIn }
    case "ResponseTooLargeError":
    case "RequestValidationError":
      return { _tag: "Failed", reason: "rejected" }
  }
  if (!VeniceError.isVeniceError(error)) return { _tag: "Failed", reason: "rejected" }
  const status = error.status
  if (status === 429) {
    return { _tag: "Again", wait: RetryPolicy.classify(error).announced }
  }
  if (status === 502 || status === 503 || status === 504) return { _tag: "Again", wait: error.retryAfter }
  // a 400 on retrieve is the job's own failure (a provider-side validation failure, refunded) — except "Request ID
  // is invalid.": the queue id is unknown to this key or expired after 24 h, so there is no job to report on
  if (status === 400) return { _tag: "Failed", reason: error.code === "REQUEST_ID_NOT_FOUND" ? "rejected" : "failed" }
  if (status === 500 || status === 422) return { _tag: "Failed", reason: "failed" }
  if (status >= 500) return { _tag: "Again", wait: error.retryAfter }
  return { _tag: "Failed", reason: "rejected" }
}

/**
 * Polls a job until it is done, emitting every state seen; ends with a `Media` or `Completed` state. Fails with
 * {@link JobFailedError} (the job failed, or cannot be retrieved) or {@link JobTimeoutError} (still processing, or
 * its retrieve still failing, when the cadence or the bound stops) — both with the job's `queueId`.
 *
 * @since 0.1.0
 * @category polling
 */
export const poll = <R, Out = unknown, R2 = never>(
  job: { readonly queueId: string; readonly model: string },
  retrieve: Effect.Effect<JobState, RetryPolicy.VeniceClientError, R>,
  options: PollOptions<Out, R2> = {}
): Stream.Stream<JobState, JobFailedError | JobTimeoutError, R | R2> =>
  Stream.unwrap(Effect.gen(function*() {
    const schedule: Schedule.Schedule<unknown, JobState, R2> = options.schedule ?? defaultPolling
    const started = yield* Clock.currentTimeMillis
    const fixed = options.pollFor === undefined ? undefined : Duration.toMillis(Duration.decode(options.pollFor))
    const maxWait = Duration.toMillis(Duration.decode(options.maxWait ?? Duration.seconds(60)))
    let cadence: unknown = schedule.initial
    let last: JobState | undefined
    let lastFailure: RetryPolicy.VeniceClientError | undefined
    /** Before the next retrieve: a delay (ms), the cadence's end, or the end of the stream. */
    let before: { readonly _tag: "Wait"; readonly millis: number } | { readonly _tag: "Stopped" } | {
      readonly _tag: "End"
    } = {
      _tag: "Wait",
      millis: 0
    }
    const bound = () => fixed ?? Duration.toMillis(defaultPollFor(last))
    const timeout = (why: string) =>
      new JobTimeoutError({
        ...job,
        message: `venice job ${job.queueId} (${job.model}) ${why}; it may still finish: resume it with its queue id`,
        ...(lastFailure !== undefined ? { cause: lastFailure } : {})
      })
    const failed = (reason: JobFailure, message: string, cause: unknown) =>
      Effect.fail(Option.some<JobFailedError | JobTimeoutError>(new JobFailedError({ ...job, reason, message, cause })))
    /** Sleeps `millis` unless that passes the bound. */
    const pause = (millis: number, why: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        now + millis > started + bound()
          ? Effect.fail(Option.some<JobFailedError | JobTimeoutError>(
            timeout(`${why} when polling reached its bound of ${Duration.format(Duration.millis(bound()))}`)
          ))
          : Effect.sleep(Duration.millis(millis)))
    /** The cadence's delay after a state, or `undefined` when the schedule stops. */
    const delayAfter = (state: JobState) =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const [next, , decision] = yield* schedule.step(now, state, cadence)
        cadence = next
        return ScheduleDecision.isDone(decision)
          ? undefined
          : Math.max(0, ScheduleIntervals.start(decision.intervals) - now)
      })
    const next: Effect.Effect<JobState, Option.Option<JobFailedError | JobTimeoutError>, R | R2> = Effect.gen(
      function*() {
        for (;;) {
          const plan = before
          if (plan._tag === "End") return yield* Effect.fail(Option.none())
          if (plan._tag === "Stopped") {
            before = { _tag: "End" }
            return yield* Effect.fail(Option.some(timeout("was still processing when the polling schedule ended")))
          }
          before = { _tag: "End" } // a failure below ends the stream
          yield* pause(
            plan.millis,
            lastFailure !== undefined ? "had its retrieve still failing" : "was still processing"
          )
          const result = yield* Effect.either(retrieve)
          if (Either.isRight(result)) {
            const state = result.right
            last = state
            lastFailure = undefined
            if (!isDone(state)) {
              const delay = yield* delayAfter(state)
              before = delay === undefined ? { _tag: "Stopped" } : { _tag: "Wait", millis: delay }
            }
            return state
          }
          const error = result.left
          const verdict = classifyRetrieveFailure(error)
          if (verdict._tag === "Failed") {
            return yield* failed(
              verdict.reason,
              `venice job ${job.queueId} (${job.model}) ${
                verdict.reason === "failed" ? "failed" : "cannot be retrieved"
              }: ${error.message}`,
              error
            )
          }
          lastFailure = error
          const wait = verdict.wait === undefined ? 0 : Duration.toMillis(verdict.wait)
          if (wait > maxWait) {
            return yield* failed(
              "rejected",
              `venice job ${job.queueId} (${job.model}): Venice asks to wait ${
                Duration.format(Duration.millis(wait))
              } before the next retrieve, more than ${Duration.format(Duration.millis(maxWait))}`,
              error
            )
          }
          // keep polling: after the cadence's pause for the last state seen, or the wait Venice announced
          before = { _tag: "Wait", millis: Math.max(wait, cadenceAfterFailure(last)) }
        }
      }
    )
    return Stream.repeatEffectOption(next)
  }))

/** The pause before the retrieve that follows a failed one: what the default cadence would wait for the last state. */
const cadenceAfterFailure = (last: JobState | undefined): number => Math.round(Duration.toMillis(cadence(last)))

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
    Option.getOrElse((): Exclude<JobState, { readonly _tag: "Processing" }> => ({ _tag: "Completed" }))
  )

/**
 * The errors of job functions: the queue call's (nothing was queued, or — a transport failure after sending — it is
 * not known whether a job was), and the polling's (with the job's `queueId`).
 *
 * @since 0.1.0
 * @category models
 */
export type JobError = RetryPolicy.VeniceClientError | JobTimeoutError | JobFailedError

// ─── the endpoint quartet of `Video` and `Audio` ─────────────────────────────────────────────────

/**
 * Options of `resume`: the polling options, the job's `model`, and the `download_url` its queue answer named (media
 * stored elsewhere), if any.
 *
 * @since 0.2.0
 * @category models
 */
export type ResumeOptions<R = never, Out = unknown, R2 = never> = PollingOptions<R, Out, R2> & {
  readonly model: string
  readonly downloadUrl?: string | undefined
}

/**
 * One call of a job endpoint (`queue`, `quote`, `complete` of `Video` and `Audio`): the request, validated locally
 * first, and the decoded answer.
 *
 * @since 0.2.0
 * @category models
 */
export type Call<Request, Answer> = <R = never>(
  request: Request,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Answer, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>

/**
 * `Video.retrieve` / `Audio.retrieve`: reads a job's state once.
 *
 * @since 0.2.0
 * @category models
 */
export type Retrieve<Request> = <R = never>(
  request: Request,
  options?: VeniceClient.CallOptions<R> & { readonly downloadUrl?: string | undefined }
) => Effect.Effect<JobState, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>

/**
 * `Video.generate` / `Audio.generate`: queues a job and polls it to completion.
 *
 * @since 0.2.0
 * @category models
 */
export type Generate<Request> = <R = never, Out = unknown, R2 = never>(
  request: Request,
  options?: PollingOptions<R, Out, R2>
) => Stream.Stream<JobState, JobError, VeniceClient.VeniceClient | R | R2>

/**
 * `Video.resume` / `Audio.resume`: polls an already queued job by its `queue_id`.
 *
 * @since 0.2.0
 * @category models
 */
export type Resume = <R = never, Out = unknown, R2 = never>(
  queueId: string,
  options: ResumeOptions<R, Out, R2>
) => Stream.Stream<JobState, JobFailedError | JobTimeoutError, VeniceClient.VeniceClient | R | R2>
