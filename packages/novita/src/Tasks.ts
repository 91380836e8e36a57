/**
 * Novita's asynchronous tasks (N4): submit (`POST /v3/async/<api>`, e.g. `txt2img`) → `task_id`; then poll
 * `GET /v3/async/task-result?task_id=` with a `Schedule` (core's `Poll`) until `TASK_STATUS_SUCCEED` or
 * `TASK_STATUS_FAILED`. Progress (`TASK_STATUS_QUEUED`, `TASK_STATUS_PROCESSING` with `progress_percent` and `eta`)
 * is a `Stream` of the states seen; a failed task — HTTP 200 with `task.status: TASK_STATUS_FAILED` and a `reason` —
 * fails it with {@link NovitaTaskFailedError}.
 *
 * Submissions may bill and are not idempotent: they are never re-sent once they may have reached Novita (a
 * transport failure after sending is final), and their retry policy continues only on failures that prove Novita
 * did nothing (`RetryPolicy.forSubmission`). Polling is a plain read and retries like any call.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Tasks } from "@venice-effect/novita"
 *
 * const images = Tasks.run("/v3/async/txt2img", {
 *   request: { model_name: "sd_xl_base_1.0.safetensors", prompt: "a lighthouse at dusk", width: 1024, height: 1024,
 *     image_num: 1, steps: 20, guidance_scale: 7.5, sampler_name: "Euler a" }
 * }).pipe(
 *   Stream.tap((state) => Effect.log(`${state.task.status} ${state.task.progress_percent ?? 0}%`)),
 *   Tasks.last,
 *   Effect.map((done) => done.images ?? []),
 *   Effect.catchTag("NovitaTaskFailedError", (e) => Effect.fail(`task failed: ${e.reason}`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as ErrorBody from "@venice-effect/core/ErrorBody"
import * as Poll from "@venice-effect/core/Poll"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as NovitaClient from "./NovitaClient.js"
import * as RetryPolicy from "./RetryPolicy.js"

// ─── schemas ─────────────────────────────────────────────────────────────────────────────────────

const Extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * The task states Novita documents. Others may appear: they are treated as "not done yet".
 *
 * @since 0.1.0
 * @category schemas
 */
export const TaskStatus = Schema.Literal(
  "TASK_STATUS_QUEUED",
  "TASK_STATUS_PROCESSING",
  "TASK_STATUS_SUCCEED",
  "TASK_STATUS_FAILED"
)

/**
 * @since 0.1.0
 * @category models
 */
export type TaskStatus = typeof TaskStatus.Type

/**
 * The `task` member of a task result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Task = Schema.Struct({
  task_id: Schema.String,
  task_type: Schema.optional(Schema.String),
  /** One of {@link TaskStatus} (kept as a string: an unknown state is "not done yet"). */
  status: Schema.String,
  /** Why the task failed (empty otherwise). */
  reason: Schema.optional(Schema.String),
  /** Estimated seconds until done. */
  eta: Schema.optional(Schema.Number),
  progress_percent: Schema.optional(Schema.Number)
})

const Ttl = Schema.optional(Schema.Union(Schema.String, Schema.Number))

/**
 * The result of `GET /v3/async/task-result`: the task, and the outputs once it succeeded.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TaskResult = Schema.Struct({
  task: Task,
  extra: Schema.optional(Schema.Unknown),
  images: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({
    image_url: Schema.String,
    image_url_ttl: Ttl,
    image_type: Schema.optional(Schema.String),
    nsfw_detection_result: Schema.optional(Schema.Unknown)
  })))),
  videos: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({
    video_url: Schema.String,
    video_url_ttl: Ttl,
    video_type: Schema.optional(Schema.String)
  })))),
  audios: Schema.optional(Schema.NullOr(Schema.Array(Schema.Struct({
    audio_url: Schema.String,
    audio_url_ttl: Ttl,
    audio_type: Schema.optional(Schema.String)
  }))))
}).annotations({ identifier: "TaskResult" })

/**
 * @since 0.1.0
 * @category models
 */
export type TaskResult = typeof TaskResult.Type

/**
 * The answer of a submission.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Submitted = Schema.Struct({ task_id: Schema.String.pipe(Schema.minLength(1)) })

/**
 * @since 0.1.0
 * @category models
 */
export type Submitted = typeof Submitted.Type

/**
 * `POST /v3/async/txt2img`: the fields the SDK checks locally (ranges from Novita's reference), other members kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Txt2ImgRequest = Schema.Struct({
  extra: Schema.optional(Schema.Struct({
    response_image_type: Schema.optional(Schema.Literal("png", "webp", "jpeg")),
    enable_nsfw_detection: Schema.optional(Schema.Boolean)
  }, Extra)),
  request: Schema.Struct({
    model_name: Schema.String.pipe(Schema.minLength(1, { message: () => "model_name must be a non-empty string" })),
    prompt: Schema.String.pipe(
      Schema.minLength(1, { message: () => "prompt must not be empty" }),
      Schema.maxLength(1024)
    ),
    negative_prompt: Schema.optional(Schema.String.pipe(Schema.maxLength(1024))),
    width: Schema.Int.pipe(Schema.between(128, 2048)),
    height: Schema.Int.pipe(Schema.between(128, 2048)),
    image_num: Schema.Int.pipe(Schema.between(1, 8)),
    steps: Schema.Int.pipe(Schema.between(1, 100)),
    guidance_scale: Schema.Number.pipe(Schema.between(1, 30)),
    sampler_name: Schema.String.pipe(Schema.minLength(1)),
    seed: Schema.optional(Schema.Int),
    clip_skip: Schema.optional(Schema.Int.pipe(Schema.between(1, 12)))
  }, Extra)
}).annotations({ identifier: "Txt2ImgRequest" })

/**
 * A txt2img request as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type Txt2ImgRequest = typeof Txt2ImgRequest.Encoded

// ─── errors ──────────────────────────────────────────────────────────────────────────────────────

/**
 * The task ran and failed: `GET /v3/async/task-result` answered 200 with `task.status: TASK_STATUS_FAILED`.
 * `reason` is Novita's. Not retried: re-submitting is a new (billed) task, the caller's decision. `code` is the
 * catalog's `TASK_FAILED` (retry class `never`).
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaTaskFailedError extends Schema.TaggedError<NovitaTaskFailedError>()("NovitaTaskFailedError", {
  code: Schema.Literal("TASK_FAILED"),
  taskId: Schema.String,
  taskType: Schema.optionalWith(Schema.String, { exact: true }),
  /** `task.reason` as sent (may be empty). */
  reason: Schema.String,
  message: Schema.String,
  /** The task result, as JSON, bounded. */
  raw: Schema.String
}) {}

/**
 * The polling schedule ended while the task was still queued or processing.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaTaskTimeoutError extends Schema.TaggedError<NovitaTaskTimeoutError>()("NovitaTaskTimeoutError", {
  taskId: Schema.String,
  lastStatus: Schema.optionalWith(Schema.String, { exact: true }),
  progressPercent: Schema.optionalWith(Schema.Number, { exact: true }),
  message: Schema.String
}) {}

/**
 * Every way polling a task fails.
 *
 * @since 0.1.0
 * @category models
 */
export type TaskError = RetryPolicy.NovitaClientError | NovitaTaskFailedError | NovitaTaskTimeoutError

// ─── states ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Whether the task succeeded.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSucceeded = (result: TaskResult): boolean => result.task.status === "TASK_STATUS_SUCCEED"

/**
 * Whether the task failed.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFailed = (result: TaskResult): boolean => result.task.status === "TASK_STATUS_FAILED"

/**
 * Whether the task is finished, either way.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isDone = (result: TaskResult): boolean => isSucceeded(result) || isFailed(result)

/**
 * Progress as a fraction in [0, 1] (`progress_percent` / 100; 1 once succeeded).
 *
 * @since 0.1.0
 * @category getters
 */
export const progress = (result: TaskResult): number =>
  isSucceeded(result) ? 1 : Math.min(1, Math.max(0, (result.task.progress_percent ?? 0) / 100))

/**
 * The default polling cadence: half of Novita's `eta`, between 1 s and 10 s (2 s when there is no estimate); at most
 * 30 minutes of polling.
 *
 * @since 0.1.0
 * @category schedules
 */
export const defaultPolling: Schedule.Schedule<TaskResult, TaskResult> = Poll.delayFrom<TaskResult>(
  (result) =>
    result.task.eta !== undefined && result.task.eta > 0 ? Duration.millis(result.task.eta * 500) : Duration.seconds(2),
  { min: "1 second", max: "10 seconds" }
).pipe(Schedule.upTo("30 minutes"))

const failedError = (result: TaskResult): NovitaTaskFailedError =>
  new NovitaTaskFailedError({
    code: "TASK_FAILED",
    taskId: result.task.task_id,
    ...(result.task.task_type !== undefined ? { taskType: result.task.task_type } : {}),
    reason: result.task.reason ?? "",
    message: `novita task ${result.task.task_id}${
      result.task.task_type !== undefined ? ` (${result.task.task_type})` : ""
    } failed: ${
      result.task.reason !== undefined && result.task.reason !== "" ? result.task.reason : "no reason given"
    }`,
    raw: ErrorBody.bound(JSON.stringify(result))
  })

// ─── calls ───────────────────────────────────────────────────────────────────────────────────────

/** `/v3/async/txt2img` → `async.txt2img` (span and error operation names). */
const submitOperation = (path: string): string => {
  const api = path.replace(/[?#].*$/, "").replace(/\/+$/, "").split("/").pop()
  return api === undefined || api === "" ? "async.submit" : `async.${api}`
}
const RESULT = "async.task-result"
const RESULT_PATH = "/v3/async/task-result"

/**
 * Submits a task to an async API (`/v3/async/txt2img`, `/v3/async/img2img`, `/v3/async/txt2video` …) with a JSON
 * body (operation name `async.<api>`). Non-resendable: never re-sent after it may have reached Novita; the retry
 * policy (the call's, else the client's) is narrowed by `RetryPolicy.forSubmission`.
 *
 * @since 0.1.0
 * @category submitting
 */
export const submit = <R = never>(
  path: string,
  body: unknown,
  options?: NovitaClient.CallOptions<R>
): Effect.Effect<Submitted, RetryPolicy.NovitaClientError, NovitaClient.NovitaClient | R> =>
  Effect.gen(function*() {
    const client = yield* NovitaClient.NovitaClient
    const retry = RetryPolicy.forSubmission(options?.retry ?? client.retryPolicy)
    const response = yield* client.json(
      {
        operation: submitOperation(path),
        method: "POST",
        path,
        body: { _tag: "json", value: body },
        resendable: false
      },
      Submitted,
      { ...options, retry }
    )
    return response.value
  })

/**
 * `POST /v3/async/txt2img`, validated locally first (B2).
 *
 * @since 0.1.0
 * @category submitting
 */
export const txt2img = <R = never>(
  request: Txt2ImgRequest,
  options?: NovitaClient.CallOptions<R>
): Effect.Effect<Submitted, RetryPolicy.NovitaClientError, NovitaClient.NovitaClient | R> =>
  Effect.zipRight(
    NovitaClient.validateRequest("async.txt2img", Txt2ImgRequest, request),
    submit("/v3/async/txt2img", request, options)
  )

/**
 * One observation of a task (`GET /v3/async/task-result?task_id=`). A failed task is a state here, not an error.
 *
 * @since 0.1.0
 * @category polling
 */
export const get = <R = never>(
  taskId: string,
  options?: NovitaClient.CallOptions<R>
): Effect.Effect<TaskResult, RetryPolicy.NovitaClientError, NovitaClient.NovitaClient | R> =>
  Effect.flatMap(NovitaClient.NovitaClient, (client) =>
    Effect.map(
      client.json(
        { operation: RESULT, method: "GET", path: RESULT_PATH, query: { task_id: taskId } },
        TaskResult,
        options
      ),
      (response) => response.value
    ))

/**
 * Options of {@link poll} and {@link run}: the per-call options (for every request), and the polling `Schedule` over
 * the states seen (default {@link defaultPolling}).
 *
 * @since 0.1.0
 * @category models
 */
export interface PollOptions<R = never, Out = unknown, R2 = never> extends NovitaClient.CallOptions<R> {
  readonly polling?: Schedule.Schedule<Out, TaskResult, R2> | undefined
}

/**
 * Polls a task until it is done, emitting every state seen (queued, processing with `progress_percent`, then the
 * succeeded one, which ends the stream). A failed task fails the stream with {@link NovitaTaskFailedError}; a
 * schedule that gives up first, with {@link NovitaTaskTimeoutError}.
 *
 * @since 0.1.0
 * @category polling
 */
export const poll = <R = never, Out = unknown, R2 = never>(
  taskId: string,
  options: PollOptions<R, Out, R2> = {}
): Stream.Stream<TaskResult, TaskError, NovitaClient.NovitaClient | R | R2> => {
  const { polling, ...callOptions } = options
  const schedule: Schedule.Schedule<unknown, TaskResult, R2> = polling ?? defaultPolling
  const check = Effect.flatMap(
    get(taskId, callOptions),
    (result): Effect.Effect<TaskResult, NovitaTaskFailedError> =>
      isFailed(result) ? Effect.fail(failedError(result)) : Effect.succeed(result)
  )
  return Poll.untilDone(check, {
    isDone: isSucceeded,
    schedule,
    onGiveUp: (last) =>
      new NovitaTaskTimeoutError({
        taskId,
        ...Option.match(last, {
          onNone: () => ({}),
          onSome: (state) => ({
            lastStatus: state.task.status,
            ...(state.task.progress_percent !== undefined ? { progressPercent: state.task.progress_percent } : {})
          })
        }),
        message: `novita task ${taskId} still ${
          Option.match(last, { onNone: () => "pending", onSome: (s) => s.task.status })
        } when polling stopped`
      })
  })
}

/**
 * Submits a task, then polls it ({@link submit} then {@link poll}).
 *
 * @since 0.1.0
 * @category polling
 */
export const run = <R = never, Out = unknown, R2 = never>(
  path: string,
  body: unknown,
  options: PollOptions<R, Out, R2> = {}
): Stream.Stream<TaskResult, TaskError, NovitaClient.NovitaClient | R | R2> => {
  const { polling: _polling, ...callOptions } = options
  return Stream.unwrap(Effect.map(submit(path, body, callOptions), (submitted) => poll(submitted.task_id, options)))
}

/**
 * The last state of a poll: the succeeded task.
 *
 * @since 0.1.0
 * @category polling
 */
export const last = <E, R>(
  states: Stream.Stream<TaskResult, E, R>
): Effect.Effect<TaskResult, E | NovitaTaskTimeoutError, R> =>
  Effect.flatMap(Stream.runLast(states), (result) =>
    Option.match(result, {
      onNone: () =>
        Effect.fail(new NovitaTaskTimeoutError({ taskId: "", message: "novita task: polling produced no state" })),
      onSome: Effect.succeed
    }))

/**
 * Polls a task to the end: the succeeded task's result.
 *
 * @since 0.1.0
 * @category polling
 */
export const wait = <R = never, Out = unknown, R2 = never>(
  taskId: string,
  options?: PollOptions<R, Out, R2>
): Effect.Effect<TaskResult, TaskError, NovitaClient.NovitaClient | R | R2> => last(poll(taskId, options))
