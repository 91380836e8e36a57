/**
 * Venice calls as durable steps of an `@effect/workflow` workflow. Each step is an activity: its outcome (value or
 * typed failure) is recorded in the workflow's storage, and a replay — in this process or another, minutes or hours
 * later — reads the record instead of calling Venice again.
 *
 * A worker that dies *during* a step runs the step again (activities run at least once), so the billed steps write
 * what identifies their side effect to the store *before* they cause it, and a rerun reconciles with Venice instead of
 * repeating it:
 *
 * - {@link generateVideo} / {@link generateAudio}: the queue step commits `sending` before the request leaves and the
 *   `queue_id` before anything else is done with the answer; a rerun that finds `sending` without a `queue_id` looks
 *   for the job in the wallet's ledger (`GET /x402/transactions`) and never queues blindly. Polling is a chain of
 *   recorded `retrieve` steps separated by durable sleeps; the media is downloaded by the step that sees the job done
 *   (streamed to `<path>.part`, renamed into place, within `maxBytes`), and a rerun downloads it again.
 * - {@link topUp}: the payment's EIP-3009 nonce and `validBefore` are committed (with the budget reservation) before
 *   the payment is sent; a rerun reconciles with the ledger and signs a new payment for the same need only once the
 *   previous one provably moved no funds.
 * - {@link call} / {@link chat}: any other SDK call, recorded. A call that dies mid-flight is sent again (at least
 *   once): use it for calls that identify nothing before they are answered.
 *
 * @example
 * ```ts
 * import { Workflow } from "@effect/workflow"
 * import { Effect, Schema } from "effect"
 * import { VeniceActivity } from "@venice-effect/workflow"
 *
 * const Summarize = Workflow.make({
 *   name: "Summarize",
 *   payload: { text: Schema.String },
 *   idempotencyKey: (p) => p.text
 * })
 * const SummarizeLive = Summarize.toLayer((payload) =>
 *   Effect.asVoid(VeniceActivity.chat("summary", {
 *     model: "venice-uncensored",
 *     messages: [{ role: "user", content: `Summarize: ${payload.text}` }]
 *   }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as SqlClient from "@effect/sql/SqlClient"
import * as Activity from "@effect/workflow/Activity"
import * as DurableClock from "@effect/workflow/DurableClock"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import { WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import type * as Chat from "@venice-effect/venice/Chat"
import type * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as ChatSchemas from "@venice-effect/venice/schema/Chat"
import type * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
import type * as WalletError from "@venice-effect/venice/WalletError"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as DurablePayments from "./DurablePayments.js"
import type * as MediaSink from "./internal/media.js"
import * as Sdk from "./internal/sdk.js"
import * as Store from "./internal/store.js"
import * as WorkflowError from "./WorkflowError.js"

// ─── schemas of what steps record ─────────────────────────────────────────────────────────────────

/**
 * Where a job's media goes: a file (written to `<path>.part`, then renamed to `path`) or bytes in the workflow's
 * result (recorded in its storage: keep `maxBytes` small then).
 *
 * @since 0.1.0
 * @category models
 */
export const Output = Schema.Union(
  Schema.TaggedStruct("File", { path: Schema.String }),
  Schema.TaggedStruct("Bytes", {})
)

/**
 * @since 0.1.0
 * @category models
 */
export type Output = typeof Output.Type

/**
 * A job's media as delivered: the file written (size, SHA-256, content type), or the bytes.
 *
 * @since 0.1.0
 * @category models
 */
export const Media = Schema.Union(
  Schema.TaggedStruct("File", {
    path: Schema.String,
    size: Schema.Number,
    sha256: Schema.String,
    contentType: Schema.String
  }),
  Schema.TaggedStruct("Bytes", {
    bytes: Schema.Uint8ArrayFromBase64,
    size: Schema.Number,
    sha256: Schema.String,
    contentType: Schema.String
  })
)

/**
 * @since 0.1.0
 * @category models
 */
export type Media = typeof Media.Type

/**
 * A queued job, as its queue step recorded it: `queuedAt` is when the request left (Unix ms), `recovered` says the
 * answer was lost and the job was found in the ledger.
 *
 * @since 0.1.0
 * @category models
 */
export const Queued = Schema.Struct({
  queueId: Schema.String,
  model: Schema.String,
  downloadUrl: Schema.optionalWith(Schema.String, { exact: true }),
  queuedAt: Schema.Number,
  recovered: Schema.Boolean
})

/**
 * @since 0.1.0
 * @category models
 */
export type Queued = typeof Queued.Type

/**
 * A finished job: what was queued, and its media.
 *
 * @since 0.1.0
 * @category models
 */
export const JobResult = Schema.Struct({
  queueId: Schema.String,
  model: Schema.String,
  recovered: Schema.Boolean,
  media: Media
})

/**
 * @since 0.1.0
 * @category models
 */
export type JobResult = typeof JobResult.Type

/** One recorded look at a job. */
const Observation = Schema.Union(
  Schema.TaggedStruct("Processing", {
    averageExecutionTime: Schema.Number,
    executionDuration: Schema.Number,
    at: Schema.Number
  }),
  Schema.TaggedStruct("Unavailable", { error: Schema.String, message: Schema.String, at: Schema.Number }),
  Schema.TaggedStruct("Done", { media: Media, at: Schema.Number })
)
type Observation = typeof Observation.Type

/**
 * What a durable top-up came to: the amount credited, the attempt of the need that landed, its nonce, and how it was
 * known — Venice's receipt, or the ledger (after a lost answer).
 *
 * @since 0.1.0
 * @category models
 */
export const TopUpReceipt = Schema.Struct({
  amountUsd: Schema.Number,
  attempt: Schema.Number,
  nonce: Schema.String,
  via: Schema.Literal("receipt", "ledger"),
  paymentId: Schema.optionalWith(Schema.String, { exact: true }),
  ledgerTx: Schema.optionalWith(Schema.String, { exact: true })
})

/**
 * @since 0.1.0
 * @category models
 */
export type TopUpReceipt = typeof TopUpReceipt.Type

// ─── options ─────────────────────────────────────────────────────────────────────────────────────

/**
 * How a job is polled: half the remaining estimate between `min` (default 1 s) and `max` (default 15 s), every 5 s once
 * past the estimate; transient `retrieve` failures back off (1 s × 2ⁿ ≤ 30 s) up to `maxUnavailable` in a row (default
 * 10). The job fails with `JobTimeoutError` once `maxDuration` (default 2 hours) has passed since it was queued. Sleeps
 * up to `inMemoryThreshold` (default 60 s) run in the worker as recorded steps; longer ones are durable clocks in the
 * storage (the workflow suspends, and any worker resumes it when the clock fires).
 *
 * @since 0.1.0
 * @category models
 */
export interface PollingOptions {
  readonly min?: Duration.DurationInput | undefined
  readonly max?: Duration.DurationInput | undefined
  readonly maxDuration?: Duration.DurationInput | undefined
  readonly maxUnavailable?: number | undefined
  readonly inMemoryThreshold?: Duration.DurationInput | undefined
}

/**
 * How a lost queue answer is looked for in the wallet's ledger: until `window` after the request left (default 2
 * minutes) the ledger is read every `interval` (default 2 s) for a `CHARGE` of the model with a `requestId` no step
 * owns, created at most `skew` (default 30 s) before the request left. A `sending` record older than `staleAfter`
 * (default 10 minutes) no longer blocks other queue requests of the account and model.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReconcileOptions {
  readonly window?: Duration.DurationInput | undefined
  readonly interval?: Duration.DurationInput | undefined
  readonly skew?: Duration.DurationInput | undefined
  readonly staleAfter?: Duration.DurationInput | undefined
}

/**
 * Options of {@link generateVideo} / {@link generateAudio}.
 *
 * - `output` — where the media goes (default bytes).
 * - `maxBytes` — the media's size bound (default 1 GiB to a file, 64 MiB as bytes).
 * - `topUp` — with a wallet: when the queue request answers that the wallet lacks credit, top up this much (USD,
 *   within the `DurablePayments` caps) and queue once more.
 *
 * @since 0.1.0
 * @category models
 */
export interface JobOptions {
  readonly output?: Output | undefined
  readonly maxBytes?: number | undefined
  readonly polling?: PollingOptions | undefined
  readonly reconcile?: ReconcileOptions | undefined
  readonly topUp?: { readonly amountUsd: number } | undefined
}

/**
 * What the durable steps need from the context: the Venice client, the workflow's SQL client (the store), the file
 * system (media files) and an HTTP client (download URLs, x402 routes).
 *
 * @since 0.1.0
 * @category models
 */
export type Requirements =
  | VeniceClient.VeniceClient
  | SqlClient.SqlClient
  | FileSystem.FileSystem
  | HttpClient.HttpClient

// ─── the generic step ────────────────────────────────────────────────────────────────────────────

const needIdOf = (name: string): Effect.Effect<string, never, WorkflowInstance> =>
  Effect.map(WorkflowInstance, (instance) => `${instance.executionId}/${name}`)

/**
 * Any SDK call as a durable step named `name` (unique within the workflow, D1): its value (encoded with `success`) or
 * its error (as a {@link WorkflowError.VeniceCallError}) is recorded, and a replay returns the record. A worker that
 * dies while the call is in flight runs it again: the call is executed at least once, its outcome recorded exactly
 * once.
 *
 * @since 0.1.0
 * @category steps
 */
export const call = <A, I, R>(options: {
  readonly name: string
  readonly operation: string
  readonly success: Schema.Schema<A, I>
  readonly execute: Effect.Effect<A, RetryPolicy.VeniceClientError | WalletError.WalletError, R>
}): Effect.Effect<A, WorkflowError.VeniceCallError, R | WorkflowEngine | WorkflowInstance> =>
  Activity.make({
    name: options.name,
    success: options.success,
    error: WorkflowError.VeniceCallError,
    execute: Effect.mapError(options.execute, (e) => WorkflowError.fromClientError(options.name, options.operation, e))
  })

/**
 * `POST /chat/completions` as a durable step (see {@link call}: at least once, recorded once).
 *
 * @since 0.1.0
 * @category steps
 */
export const chat = (
  name: string,
  request: Chat.ChatCompletionRequest,
  options?: Chat.ChatOptions
): Effect.Effect<
  Chat.ChatCompletion,
  WorkflowError.VeniceCallError,
  VeniceClient.VeniceClient | WorkflowEngine | WorkflowInstance
> =>
  call({
    name,
    operation: "chat.completions",
    success: ChatSchemas.ChatCompletion,
    execute: Sdk.chat(request, options)
  })

// ─── jobs ────────────────────────────────────────────────────────────────────────────────────────

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput): number =>
  Duration.toMillis(Duration.decode(input ?? fallback))

const isPaymentShortfall = (error: WorkflowError.StepError): boolean =>
  error._tag === "VeniceCallError" &&
  (error.error === "VenicePaymentRequiredError" || error.code === "INSUFFICIENT_BALANCE" ||
    error.code === "PAYMENT_REQUIRED")

/**
 * Whether the SDK's error proves the queue request created no job: Venice answered it with an error status (it
 * validates and charges before it answers `200`), or it was never sent.
 */
const provesNoJob = (error: RetryPolicy.VeniceClientError): boolean => {
  if (VeniceError.isVeniceError(error)) return true
  switch (error._tag) {
    case "TransportError":
      return !error.maybeDelivered
    case "ResponseDecodeError":
      // a 2xx whose body did not decode: the job exists, its id is unknown
      return !(error.status >= 200 && error.status < 300)
    default:
      return true
  }
}

/** Venice's queue ids are UUIDs (chat completions are `chatcmpl-…`). */
const QUEUE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

type Reconciled =
  | { readonly _tag: "Found"; readonly queueId: string }
  | { readonly _tag: "NotDelivered" }
  | { readonly _tag: "Unknown"; readonly candidates: ReadonlyArray<string>; readonly why: string }

/**
 * A queue request whose answer was lost: which job of the wallet's ledger is it? Exactly one unowned `CHARGE` of the
 * model since the request left → that job. None until the window has passed → it created none. Several, or no ledger
 * to read (an API-key caller) → unknown.
 */
const reconcileQueue = (
  row: Store.JobRow,
  options: ReconcileOptions | undefined
): Effect.Effect<
  Reconciled,
  WorkflowError.WorkflowStorageError,
  VeniceClient.VeniceClient | HttpClient.HttpClient | SqlClient.SqlClient
> =>
  Effect.gen(function*() {
    const wallet = yield* Sdk.wallet
    if (Option.isNone(wallet) || wallet.value.identity !== row.account) {
      return { _tag: "Unknown", candidates: [], why: "no ledger can be read for this account (an API key)" } as const
    }
    const { baseUrl } = yield* Sdk.client
    const deadline = row.sentAt + millis(options?.window, Duration.minutes(2))
    const skew = millis(options?.skew, Duration.seconds(30))
    const interval = Duration.decode(options?.interval ?? Duration.seconds(2))
    let lastError = "the ledger was never read"
    for (;;) {
      const read = yield* Effect.either(
        Effect.provideService(Sdk.ledger(baseUrl), VeniceWallet.VeniceWallet, wallet.value)
      )
      if (Either.isRight(read)) {
        const charges = read.right.data.transactions.filter((t) =>
          t.type === "CHARGE" && t.requestId !== null && Date.parse(t.createdAt) >= row.sentAt - skew
        )
        const owned = yield* Store.claimedQueueIds([...new Set(charges.map((t) => t.requestId ?? ""))])
        const unowned = charges.filter((t) => !owned.has(t.requestId ?? ""))
        const idsOf = (ts: typeof unowned) => [...new Set(ts.map((t) => t.requestId ?? ""))]
        // the model as asked; else (an alias or trait: the ledger names the model it resolved to) any charge whose
        // request id has the shape of a queue id
        const exact = idsOf(unowned.filter((t) => t.modelId === row.model))
        const candidates = exact.length > 0 ? exact : idsOf(unowned).filter((id) => QUEUE_ID.test(id))
        if (candidates.length === 1 && candidates[0] !== undefined) {
          return { _tag: "Found", queueId: candidates[0] } as const
        }
        if (candidates.length > 1) {
          const why = `the ledger shows ${candidates.length} unowned jobs of ${row.model}`
          return { _tag: "Unknown", candidates, why } as const
        }
      } else {
        lastError = read.left.message
      }
      const now = yield* Clock.currentTimeMillis
      if (now >= deadline) {
        return Either.isRight(read)
          ? { _tag: "NotDelivered" } as const
          : { _tag: "Unknown", candidates: [], why: `the ledger could not be read: ${lastError}` } as const
      }
      yield* Effect.sleep(Duration.min(interval, Duration.millis(deadline - now)))
    }
  })

/** The queue step (D2): `sending` committed before the request leaves, the `queue_id` first thing after the answer. */
const queueStep = (
  name: string,
  kind: Sdk.Kind,
  request: Sdk.QueueRequest,
  options: JobOptions | undefined
): Effect.Effect<Queued, WorkflowError.StepError, Requirements | WorkflowEngine | WorkflowInstance> =>
  Activity.make({
    name,
    success: Queued,
    error: WorkflowError.StepError,
    execute: Effect.gen(function*() {
      const needId = yield* needIdOf(name)
      const { identity: account } = yield* Sdk.client
      const unknown = (row: Store.JobRow, candidates: ReadonlyArray<string>, why: string) =>
        new WorkflowError.QueueOutcomeUnknownError({
          step: name,
          kind,
          model: row.model,
          account,
          sentAt: row.sentAt,
          candidates,
          message: `the ${kind} queue request of step ${name} may have reached Venice and its outcome is unknown ` +
            `(${why}): not sent again`
        })
      const found = (row: Store.JobRow, queueId: string) =>
        Effect.as(Store.recordQueued(needId, queueId, undefined), {
          queueId,
          model: row.model,
          queuedAt: row.sentAt,
          recovered: true
        })

      // 1. what a previous run of this step left
      const existing = yield* Store.job(needId)
      if (existing !== undefined && existing.state === "queued" && existing.queueId !== undefined) {
        return {
          queueId: existing.queueId,
          model: existing.model,
          ...(existing.downloadUrl !== undefined ? { downloadUrl: existing.downloadUrl } : {}),
          queuedAt: existing.sentAt,
          recovered: false
        }
      }
      if (existing !== undefined) {
        const outcome = yield* reconcileQueue(existing, options?.reconcile)
        if (outcome._tag === "Found") return yield* found(existing, outcome.queueId)
        if (outcome._tag === "Unknown") return yield* unknown(existing, outcome.candidates, outcome.why)
        yield* Store.forgetJob(needId)
      }

      // 2. one unresolved queue request per account and model (a lost answer then matches one ledger entry)
      const staleAfter = millis(options?.reconcile?.staleAfter, Duration.minutes(10))
      let sentAt = yield* Clock.currentTimeMillis
      for (;;) {
        if (yield* Store.claimSending({ needId, account, kind, model: request.model, sentAt })) break
        yield* Store.staleSending(account, request.model, sentAt - staleAfter)
        yield* Effect.sleep(Duration.millis(200))
        sentAt = yield* Clock.currentTimeMillis
      }

      // 3. send; the queue_id is recorded before anything else is done with the answer
      const sent = yield* Effect.either(Sdk.queue(kind, request))
      if (Either.isRight(sent)) {
        yield* Store.recordQueued(needId, sent.right.queueId, sent.right.downloadUrl)
        return {
          queueId: sent.right.queueId,
          model: sent.right.model,
          ...(sent.right.downloadUrl !== undefined ? { downloadUrl: sent.right.downloadUrl } : {}),
          queuedAt: sentAt,
          recovered: false
        }
      }
      const error = sent.left
      if (provesNoJob(error)) {
        yield* Store.forgetJob(needId)
        return yield* WorkflowError.fromClientError(name, `${kind}.queue`, error)
      }
      // the request may have arrived: look for the job rather than guess
      const row: Store.JobRow = {
        needId,
        account,
        kind,
        model: request.model,
        state: "sending",
        sentAt,
        queueId: undefined,
        downloadUrl: undefined
      }
      const outcome = yield* reconcileQueue(row, options?.reconcile)
      if (outcome._tag === "Found") return yield* found(row, outcome.queueId)
      if (outcome._tag === "Unknown") return yield* unknown(row, outcome.candidates, outcome.why)
      yield* Store.forgetJob(needId)
      return yield* WorkflowError.fromClientError(name, `${kind}.queue`, error)
    })
  })

/** One `retrieve` as a recorded step: progress, a transient failure, or the media written (D5). */
const retrieveStep = (
  name: string,
  kind: Sdk.Kind,
  queued: Queued,
  sink: MediaSink.Sink,
  maxBytes: number
): Effect.Effect<Observation, WorkflowError.StepError, Requirements | WorkflowEngine | WorkflowInstance> =>
  Activity.make({
    name,
    success: Observation,
    error: WorkflowError.StepError,
    execute: Effect.gen(function*() {
      const seen = yield* Effect.either(Sdk.retrieve(kind, {
        queueId: queued.queueId,
        model: queued.model,
        downloadUrl: queued.downloadUrl
      }, { sink, maxBytes }))
      const at = yield* Clock.currentTimeMillis
      if (Either.isLeft(seen)) {
        const error = seen.left
        // the SDK's polling policy: transport failures, 502–504, 429 and the client's own "not now" (its error-budget
        // guard, a wait longer than its maximum) mean poll again later; a 500 is the job's own failure
        if (Sdk.retrieveIsTransient(error)) {
          return { _tag: "Unavailable", error: error._tag, message: error.message, at } as const
        }
        return yield* WorkflowError.fromClientError(name, `${kind}.retrieve`, error, queued.queueId)
      }
      const state = seen.right
      if (state._tag === "Processing") {
        return {
          _tag: "Processing",
          averageExecutionTime: state.averageExecutionTime,
          executionDuration: state.executionDuration,
          at
        } as const
      }
      const written = state.written
      switch (written._tag) {
        case "TooLarge":
          return yield* new WorkflowError.MediaTooLargeError({
            step: name,
            queueId: queued.queueId,
            maxBytes,
            receivedBytes: written.receivedBytes,
            message: `the media of job ${queued.queueId} exceeds ${maxBytes} bytes (${written.receivedBytes} read)`
          })
        case "WriteFailed":
          return yield* new WorkflowError.MediaWriteError({
            step: name,
            queueId: queued.queueId,
            path: written.path,
            message: written.message
          })
        case "File":
        case "Bytes":
          return { _tag: "Done", media: written, at } as const
      }
    })
  })

/**
 * The next poll's delay after an observation: the SDK's polling cadence (`Jobs.cadence`: half the remaining estimate,
 * clamped to `[min, max]`), or a backoff when the retrieve was unavailable.
 */
const nextDelay = (seen: Observation, unavailable: number, polling: PollingOptions | undefined): Duration.Duration => {
  if (seen._tag === "Unavailable") return Duration.millis(Math.min(30_000, 1_000 * 2 ** Math.max(0, unavailable - 1)))
  if (seen._tag !== "Processing") return Duration.zero
  return Sdk.cadence(seen, {
    min: millis(polling?.min, Duration.seconds(1)),
    max: millis(polling?.max, Duration.seconds(15))
  })
}

/**
 * Polls a queued job to its media with recorded `retrieve` steps (`<name>/retrieve/<n>`) and durable sleeps
 * (`<name>/wait/<n>`). Usable on its own to resume a job queued elsewhere (give it the `queueId` and `model`).
 *
 * @since 0.1.0
 * @category steps
 */
export const awaitJob = (
  name: string,
  kind: "video" | "audio",
  queued: Queued,
  options?: JobOptions
): Effect.Effect<JobResult, WorkflowError.StepError, Requirements | WorkflowEngine | WorkflowInstance> =>
  Effect.gen(function*() {
    const output = options?.output ?? { _tag: "Bytes" }
    const sink: MediaSink.Sink = output._tag === "File" ? { _tag: "File", path: output.path } : { _tag: "Bytes" }
    const maxBytes = options?.maxBytes ?? (output._tag === "File" ? 1024 ** 3 : 64 * 1024 ** 2)
    const maxDuration = millis(options?.polling?.maxDuration, Duration.hours(2))
    const maxUnavailable = options?.polling?.maxUnavailable ?? 10
    const inMemoryThreshold = options?.polling?.inMemoryThreshold ?? Duration.seconds(60)
    let unavailable = 0
    for (let n = 1;; n++) {
      const seen = yield* retrieveStep(`${name}/retrieve/${n}`, kind, queued, sink, maxBytes)
      if (seen._tag === "Done") {
        return { queueId: queued.queueId, model: queued.model, recovered: queued.recovered, media: seen.media }
      }
      unavailable = seen._tag === "Unavailable" ? unavailable + 1 : 0
      if (unavailable > maxUnavailable && seen._tag === "Unavailable") {
        return yield* new WorkflowError.VeniceCallError({
          step: `${name}/retrieve/${n}`,
          operation: `${kind}.retrieve`,
          error: seen.error,
          message: `${seen.message} (${unavailable} failed retrieves in a row)`,
          queueId: queued.queueId
        })
      }
      if (seen.at - queued.queuedAt >= maxDuration) {
        return yield* new WorkflowError.JobTimeoutError({
          step: name,
          queueId: queued.queueId,
          model: queued.model,
          message: `the ${kind} job ${queued.queueId} was still running ` +
            `${Duration.format(Duration.millis(maxDuration))} after it was queued: resume it with its queue id`
        })
      }
      yield* DurableClock.sleep({
        name: `${name}/wait/${n}`,
        duration: nextDelay(seen, unavailable, options?.polling),
        inMemoryThreshold
      })
    }
  })

const generate = (
  kind: Sdk.Kind,
  name: string,
  request: Sdk.QueueRequest,
  options: JobOptions | undefined
): Effect.Effect<JobResult, WorkflowError.StepError, Requirements | WorkflowEngine | WorkflowInstance> =>
  Effect.gen(function*() {
    const first = yield* Effect.either(queueStep(`${name}/queue`, kind, request, options))
    let queued: Queued
    if (Either.isRight(first)) {
      queued = first.right
    } else if (options?.topUp !== undefined && isPaymentShortfall(first.left)) {
      // the wallet lacked credit (nothing was queued): one durable top-up, then one more queue request
      const wallet = yield* Sdk.wallet
      const settings = yield* Effect.serviceOption(DurablePayments.DurablePayments)
      if (Option.isNone(wallet) || Option.isNone(settings)) {
        return yield* Effect.dieMessage("JobOptions.topUp needs a VeniceWallet and DurablePayments in context")
      }
      yield* topUpWith(`${name}/top-up`, options.topUp.amountUsd, wallet.value, settings.value)
      queued = yield* queueStep(`${name}/queue#2`, kind, request, options)
    } else {
      return yield* first.left
    }
    return yield* awaitJob(name, kind, queued, options)
  })

/**
 * A video: queue (once — see the module docs), poll with durable sleeps, download within `maxBytes` to a file or to
 * bytes. Steps are named `<name>/queue`, `<name>/retrieve/<n>`, `<name>/wait/<n>` (and `<name>/top-up`,
 * `<name>/queue#2` when `topUp` is set and the wallet lacked credit).
 *
 * @since 0.1.0
 * @category steps
 */
export const generateVideo = (
  name: string,
  request: Sdk.VideoRequest,
  options?: JobOptions
): Effect.Effect<JobResult, WorkflowError.StepError, Requirements | WorkflowEngine | WorkflowInstance> =>
  generate("video", name, request, options)

/**
 * Audio (music, sound effects, voice): as {@link generateVideo}.
 *
 * @since 0.1.0
 * @category steps
 */
export const generateAudio = (
  name: string,
  request: Sdk.AudioRequest,
  options?: JobOptions
): Effect.Effect<JobResult, WorkflowError.StepError, Requirements | WorkflowEngine | WorkflowInstance> =>
  generate("audio", name, request, options)

// ─── payments ────────────────────────────────────────────────────────────────────────────────────

const receiptOf = (row: Store.PaymentRow): TopUpReceipt => ({
  amountUsd: Store.fromMicros(row.amountMicros),
  attempt: row.attempt,
  nonce: row.nonce ?? "",
  via: row.ledgerTx !== undefined ? "ledger" : "receipt",
  ...(row.paymentId !== undefined ? { paymentId: row.paymentId } : {}),
  ...(row.ledgerTx !== undefined ? { ledgerTx: row.ledgerTx } : {})
})

type Landing =
  | { readonly _tag: "Credited"; readonly receipt: TopUpReceipt }
  | { readonly _tag: "Void" }
  | { readonly _tag: "Unconfirmed"; readonly why: string }

/**
 * A submitted payment whose answer is unknown: read the ledger until a `TOP_UP` of its amount, created since it was
 * signed and matched to no other payment, shows (credited), or until its authorization can no longer land and the
 * ledger still shows nothing (void: it moved no funds). One open payment per wallet makes the match unambiguous among
 * the store's own payments.
 */
const reconcilePayment = (
  row: Store.PaymentRow,
  wallet: VeniceWallet.Service,
  settings: DurablePayments.Settings,
  baseUrl: string
): Effect.Effect<Landing, WorkflowError.WorkflowStorageError, HttpClient.HttpClient | SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const amount = Store.fromMicros(row.amountMicros)
    const since = (row.signedAt ?? row.createdAt) - Duration.toMillis(settings.ledgerSkew)
    const deadline = (row.validBefore ?? 0) * 1000 + Duration.toMillis(settings.landingMargin)
    // an unreadable ledger proves nothing: keep reading a while longer, then leave the payment unconfirmed
    const giveUp = deadline + Duration.toMillis(Duration.minutes(10))
    for (;;) {
      const read = yield* Effect.either(Effect.provideService(Sdk.ledger(baseUrl), VeniceWallet.VeniceWallet, wallet))
      if (Either.isRight(read)) {
        const candidates = read.right.data.transactions.filter((t) =>
          t.type === "TOP_UP" && Math.abs(t.amount - amount) < 0.005 && Date.parse(t.createdAt) >= since
        )
        const claimed = yield* Store.claimedLedgerTxs(candidates.map((t) => t.id))
        const mine = candidates
          .filter((t) => !claimed.has(t.id))
          .sort((a, b) => Date.parse(a.createdAt) - Date.parse(b.createdAt))[0]
        if (mine !== undefined) {
          yield* Store.recordCredited(row.needId, row.attempt, { ledgerTx: mine.id })
          return { _tag: "Credited", receipt: receiptOf({ ...row, state: "credited", ledgerTx: mine.id }) } as const
        }
      }
      const now = yield* Clock.currentTimeMillis
      if (now >= deadline && Either.isRight(read)) {
        yield* Store.recordVoid(row)
        return { _tag: "Void" } as const
      }
      if (now >= giveUp) {
        return { _tag: "Unconfirmed", why: Either.isLeft(read) ? read.left.message : "not in the ledger" } as const
      }
      yield* Effect.sleep(Duration.min(settings.reconcileInterval, Duration.millis(Math.max(1, deadline - now))))
    }
  })

const cents = (usd: number): number => Math.ceil(usd * 100 - 1e-9) / 100

/**
 * How a durable top-up fails: a {@link WorkflowError.PaymentError} (nothing credited, and no funds moved), or a
 * `WorkflowStorageError` (its record could not be read or written).
 *
 * @since 0.1.0
 * @category models
 */
export const TopUpError = Schema.Union(WorkflowError.PaymentError, WorkflowError.WorkflowStorageError)

/**
 * @since 0.1.0
 * @category models
 */
export type TopUpError = typeof TopUpError.Type

const topUpWith = (
  name: string,
  amountUsd: number,
  wallet: VeniceWallet.Service,
  settings: DurablePayments.Settings
): Effect.Effect<TopUpReceipt, TopUpError, Requirements | WorkflowEngine | WorkflowInstance> =>
  Activity.make({
    name,
    success: TopUpReceipt,
    error: TopUpError,
    execute: Effect.gen(function*() {
      const needId = yield* needIdOf(name)
      const { baseUrl } = yield* Sdk.client
      const budgetKey = settings.budgetKey ?? wallet.identity
      const refuse = (reason: WorkflowError.PaymentFailure, message: string, extra: { readonly code?: string } = {}) =>
        new WorkflowError.PaymentError({ step: name, wallet: wallet.address, reason, message, amountUsd, ...extra })
      const inWallet = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        Effect.provideService(effect, VeniceWallet.VeniceWallet, wallet)
      if (!(Number.isFinite(amountUsd) && amountUsd > 0)) {
        return yield* refuse("per-payment-cap", "the top-up amount must be a positive number of USD")
      }
      for (;;) {
        // 1. what earlier runs of this step left: a credited attempt is the answer; an open one is settled first
        const attempts = yield* Store.payments(needId)
        const credited = attempts.find((row) => row.state === "credited")
        if (credited !== undefined) return receiptOf(credited)
        for (const row of attempts) {
          // a `reserved` payment was never sent: it leaves only once `submitted` (its identity) is committed
          if (row.state === "reserved") yield* Store.recordVoid(row)
          if (row.state === "submitted") {
            const landed = yield* reconcilePayment(row, wallet, settings, baseUrl)
            if (landed._tag === "Credited") return landed.receipt
            if (landed._tag === "Unconfirmed") {
              return yield* Effect.dieMessage(
                `payment ${row.nonce ?? "?"} of step ${name} is still unconfirmed (${landed.why}): not signing another`
              )
            }
          }
        }
        const attempt = attempts.length + 1
        if (attempt > settings.maxAttempts) {
          return yield* refuse(
            "attempts-exhausted",
            `${attempts.length} payment(s) of this need moved no funds; not signing another ` +
              `(maxAttempts ${settings.maxAttempts})`
          )
        }

        // 2. the amount, within the cap, at least Venice's minimum; Venice's own requirements (USDC on Base)
        let amount = cents(amountUsd)
        const discovered = yield* inWallet(Sdk.discover(baseUrl)).pipe(
          Effect.mapError((e) =>
            refuse(e._tag === "PaymentRefusedError" ? "no-usdc-on-base" : "discovery-failed", e.message)
          )
        )
        if (Option.isNone(discovered.rail)) {
          return yield* refuse("no-usdc-on-base", "Venice's top-up requirements offer no USDC-on-Base option")
        }
        const rail = discovered.rail.value
        amount = Math.max(amount, Number(BigInt(rail.amount)) / 1_000_000)
        if (amount > settings.maxPerPaymentUsd) {
          return yield* refuse(
            "per-payment-cap",
            `a payment of $${amount} exceeds the per-payment cap ($${settings.maxPerPaymentUsd})`
          )
        }

        // 3. one transaction: the budget (shared by every process on the database) and the open payment row (D4)
        const busyUntil = (yield* Clock.currentTimeMillis) + Duration.toMillis(settings.walletBusyWait)
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          const reservation = yield* Store.reserve({
            needId,
            attempt,
            wallet: wallet.identity,
            budgetKey,
            amountMicros: Store.toMicros(amount),
            createdAt: now
          }, Store.toMicros(settings.budgetUsd))
          if (reservation._tag === "Reserved") break
          if (reservation._tag === "OverBudget") {
            return yield* refuse(
              "budget-exhausted",
              `a payment of $${amount} exceeds the remaining budget ($${
                Store.fromMicros(Store.toMicros(settings.budgetUsd) - reservation.spentMicros)
              } of $${settings.budgetUsd} under ${budgetKey})`
            )
          }
          if (now >= busyUntil) {
            return yield* refuse(
              "wallet-busy",
              `another payment of ${wallet.address} stayed unresolved for ${Duration.format(settings.walletBusyWait)}`
            )
          }
          yield* Effect.sleep(Duration.seconds(1))
        }
        const reserved = (yield* Store.payments(needId)).find((row) => row.attempt === attempt)
        if (reserved === undefined) {
          return yield* Effect.dieMessage(`payment ${needId}#${attempt} vanished after it was reserved`)
        }

        // 4. sign; record the identity (nonce, validBefore); only then send (D3)
        const signed = yield* Effect.either(Sdk.sign(wallet, discovered.paymentRequired, {
          ...rail,
          amount: Sdk.atomic(amount),
          maxTimeoutSeconds: Math.max(1, Math.floor(Duration.toSeconds(settings.authorizationWindow)))
        }, settings.maxPerPaymentUsd))
        if (Either.isLeft(signed)) {
          yield* Store.recordVoid(reserved)
          return yield* refuse("sign-failed", signed.left.message)
        }
        const signedAt = yield* Clock.currentTimeMillis
        const identity = { nonce: signed.right.nonce, validBefore: signed.right.validBefore, signedAt }
        yield* Store.recordSigned(needId, attempt, identity)
        const submitted: Store.PaymentRow = { ...reserved, ...identity, state: "submitted" }
        const settled = yield* Effect.either(inWallet(Sdk.settle(baseUrl, signed.right.payment)))
        if (Either.isRight(settled) && settled.right._tag === "Credited") {
          const paymentId = settled.right.receipt.paymentId
          yield* Store.recordCredited(needId, attempt, { paymentId })
          return receiptOf({ ...submitted, state: "credited", paymentId })
        }
        // Venice answered that this payment moved no funds, and it can no longer land (rejected, or it never left)
        const failed = Either.isLeft(settled) ? settled.left : undefined
        const refusedByVenice = failed !== undefined && !failed.fundsMayHaveMoved &&
          (failed.reason === "rejected" || failed.code === "SETTLEMENT_FAILED")
        if (failed !== undefined && refusedByVenice && failed.mayStillLand !== true) {
          yield* Store.recordVoid(submitted)
          return yield* refuse("rejected", failed.message, failed.code !== undefined ? { code: failed.code } : {})
        }
        // 5. the outcome is unknown (a lost answer, a settlement still running), or the signed authorization can still
        // be executed (SETTLEMENT_FAILED after it reached Venice, X3): the ledger decides, once it has expired
        const landed = yield* reconcilePayment(submitted, wallet, settings, baseUrl)
        if (landed._tag === "Credited") return landed.receipt
        if (landed._tag === "Unconfirmed") {
          return yield* Effect.dieMessage(
            `payment ${identity.nonce} of step ${name} is still unconfirmed (${landed.why}): not signing another`
          )
        }
        // void: it provably moved no funds. Venice had refused it: that is the answer; otherwise the need is still open
        if (failed !== undefined && refusedByVenice) {
          return yield* refuse("rejected", failed.message, failed.code !== undefined ? { code: failed.code } : {})
        }
      }
    })
  })

/**
 * Tops the wallet in context up by `amountUsd` (raised to Venice's minimum, within the `DurablePayments` caps) as a
 * durable step named `name`: one credited payment per step, whatever crashes in between.
 *
 * The budget is reserved and the payment row opened in one SQL transaction (one open payment per wallet, across
 * processes); the payment is signed, its EIP-3009 nonce and `validBefore` committed, and only then sent. When the
 * answer is lost (the worker died, the connection failed, the settlement timed out), the step reads
 * `GET /x402/transactions` until the payment shows as a `TOP_UP` (credited) or its authorization has expired with
 * nothing in the ledger (void: its amount goes back to the budget and a new payment may be signed for the same need,
 * at most `maxAttempts` in all). A payment is never treated as failed while it may still land.
 *
 * @since 0.1.0
 * @category steps
 */
export const topUp = (
  name: string,
  options: { readonly amountUsd: number }
): Effect.Effect<
  TopUpReceipt,
  TopUpError,
  Requirements | VeniceWallet.VeniceWallet | DurablePayments.DurablePayments | WorkflowEngine | WorkflowInstance
> =>
  Effect.flatMap(
    Effect.all([VeniceWallet.VeniceWallet, DurablePayments.DurablePayments]),
    ([wallet, settings]) => topUpWith(name, options.amountUsd, wallet, settings)
  )

/**
 * The spend recorded under a budget key (default: the wallet's identity), USD.
 *
 * @since 0.1.0
 * @category payments
 */
export const spentUsd = (
  budgetKey: string
): Effect.Effect<number, WorkflowError.WorkflowStorageError, SqlClient.SqlClient> => Store.spent(budgetKey)

/**
 * Re-exported for callers naming a queued job's recorded form.
 *
 * @since 0.1.0
 * @category models
 */
export type Kind = Sdk.Kind
