/**
 * Ready workflows. {@link VideoToFile}: prompt → quote → (with a wallet: balance, durable top-up) → queue → poll →
 * download → a file or bytes, each step durable (see `VeniceActivity`), every Venice failure on the way a typed
 * `WorkflowError.StepError`. Register it on a worker with {@link layer}; start or join a run with {@link videoToFile}
 * (the `id` is the run's idempotency key: the same id joins the same run, in any process).
 *
 * @example
 * ```ts
 * import { NodeContext, NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Redacted } from "effect"
 * import { VeniceClient } from "@venice-effect/venice"
 * import { VeniceWorkflows, WorkflowStorage } from "@venice-effect/workflow"
 *
 * const Worker = VeniceWorkflows.layer().pipe(
 *   Layer.provideMerge(WorkflowStorage.layerSqlite({ filename: "./workflows.sqlite" })),
 *   Layer.provide(VeniceClient.layer({ apiKey: Redacted.make(process.env.VENICE_API_KEY ?? "") })),
 *   Layer.provide(NodeHttpClient.layerUndici),
 *   Layer.provide(NodeContext.layer)
 * )
 *
 * const program = VeniceWorkflows.videoToFile({
 *   id: "launch-teaser-1",
 *   request: {
 *     model: "wan-2.5-preview-text-to-video",
 *     prompt: "Venice at dawn",
 *     duration: "5s",
 *     aspect_ratio: "16:9"
 *   },
 *   output: { _tag: "File", path: "./teaser.mp4" }
 * })
 * Effect.runPromise(program.pipe(Effect.provide(Worker)))
 * ```
 *
 * @since 0.1.0
 */
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine, WorkflowInstance } from "@effect/workflow/WorkflowEngine"
import * as VideoSchemas from "@venice-effect/venice/schema/Video"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
import * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as DurablePayments from "./DurablePayments.js"
import * as Sdk from "./internal/sdk.js"
import * as SqlFailure from "./internal/sqlFailure.js"
import * as VeniceActivity from "./VeniceActivity.js"
import * as WorkflowError from "./WorkflowError.js"

/**
 * What {@link VideoToFile} delivers: the quoted price, the top-up it made (if any) and the finished job.
 *
 * @since 0.1.0
 * @category models
 */
export const VideoToFileResult = Schema.Struct({
  priceUsd: Schema.Number,
  topUp: Schema.optionalWith(VeniceActivity.TopUpReceipt, { exact: true }),
  job: VeniceActivity.JobResult
})

/**
 * @since 0.1.0
 * @category models
 */
export type VideoToFileResult = typeof VideoToFileResult.Type

/**
 * The video request of a run, as JSON (the SDK validates it when the queue step sends it).
 *
 * @since 0.1.0
 * @category models
 */
export const VideoRequest: Schema.Schema<Sdk.VideoRequest> = Schema.encodedSchema(VideoSchemas.QueueVideoRequest)

/**
 * The workflow: `id` names the run (its idempotency key), `request` is the video, `output` where it goes, `maxBytes`
 * its size bound (default 1 GiB to a file, 64 MiB as bytes).
 *
 * @since 0.1.0
 * @category workflows
 */
export const VideoToFile = Workflow.make({
  name: "venice/video-to-file",
  payload: {
    id: Schema.String,
    request: VideoRequest,
    output: VeniceActivity.Output,
    maxBytes: Schema.optionalWith(Schema.Number, { exact: true })
  },
  success: VideoToFileResult,
  error: WorkflowError.StepError,
  idempotencyKey: (payload) => payload.id
})

/**
 * Options of the workers' {@link layer}: job polling and lost-answer reconciliation (see `VeniceActivity`), and the
 * credit kept above a video's price before it is queued with a wallet (default $0.10, Venice's minimum balance).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly polling?: VeniceActivity.PollingOptions | undefined
  readonly reconcile?: VeniceActivity.ReconcileOptions | undefined
  readonly minimumBalanceUsd?: number | undefined
}

const BalanceFacts = Schema.Struct({ balanceUsd: Schema.Number, minimumTopUpUsd: Schema.Number })

const cents = (usd: number): number => Math.ceil(usd * 100 - 1e-9) / 100

/**
 * The body of {@link VideoToFile}. With a `VeniceWallet` and `DurablePayments` in context, the wallet's balance is
 * read (a recorded step) and, when it is short of the price, topped up first (a durable step); a queue request that
 * still answers that the wallet lacks credit gets one more top-up and one more queue request.
 *
 * @since 0.1.0
 * @category workflows
 */
export const run = (
  payload: typeof VideoToFile.payloadSchema.Type,
  options: Options = {}
): Effect.Effect<
  VideoToFileResult,
  WorkflowError.StepError,
  VeniceActivity.Requirements | WorkflowEngine | WorkflowInstance
> =>
  Effect.gen(function*() {
    const request = payload.request
    const priceUsd = yield* VeniceActivity.call({
      name: "quote",
      operation: "video.quote",
      success: Schema.Number,
      execute: Sdk.quote("video", request)
    })
    const wallet = yield* Sdk.wallet
    const payments = yield* Effect.serviceOption(DurablePayments.DurablePayments)
    let topUp: VeniceActivity.TopUpReceipt | undefined
    let topUpAmount: number | undefined
    if (Option.isSome(wallet) && Option.isSome(payments)) {
      const { baseUrl } = yield* Sdk.client
      const balance = yield* VeniceActivity.call({
        name: "balance",
        operation: "x402.balance",
        success: BalanceFacts,
        execute: Effect.provideService(
          Effect.map(Sdk.balance(baseUrl), (b) => ({
            balanceUsd: b.data.balanceUsd,
            minimumTopUpUsd: b.data.minimumTopUpUsd
          })),
          VeniceWallet.VeniceWallet,
          wallet.value
        )
      })
      topUpAmount = cents(Math.max(priceUsd + (options.minimumBalanceUsd ?? 0.1), balance.minimumTopUpUsd))
      const shortfall = priceUsd + (options.minimumBalanceUsd ?? 0.1) - balance.balanceUsd
      if (shortfall > 0) {
        const amountUsd = cents(Math.max(shortfall, balance.minimumTopUpUsd))
        topUp = yield* VeniceActivity.topUp("top-up", { amountUsd }).pipe(
          Effect.provideService(VeniceWallet.VeniceWallet, wallet.value),
          Effect.provideService(DurablePayments.DurablePayments, payments.value)
        )
      }
    }
    const job = yield* VeniceActivity.generateVideo("video", request, {
      output: payload.output,
      ...(payload.maxBytes !== undefined ? { maxBytes: payload.maxBytes } : {}),
      ...(options.polling !== undefined ? { polling: options.polling } : {}),
      ...(options.reconcile !== undefined ? { reconcile: options.reconcile } : {}),
      ...(topUpAmount !== undefined ? { topUp: { amountUsd: topUpAmount } } : {})
    })
    return { priceUsd, ...(topUp !== undefined ? { topUp } : {}), job }
  })

/**
 * Registers the ready workflows on this worker (provide a storage layer, a `VeniceClient`, an `HttpClient` and a
 * `FileSystem`; a `VeniceWallet` and `DurablePayments` to pay with a wallet).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options = {}
): Layer.Layer<never, never, VeniceActivity.Requirements | WorkflowEngine> =>
  VideoToFile.toLayer((payload) => run(payload, options))

/**
 * Starts the run named `payload.id`, or joins it if it exists (in this process or any other on the same storage),
 * and waits for its result. A failure of the engine's own storage is a `WorkflowStorageError`.
 *
 * @since 0.1.0
 * @category workflows
 */
export const videoToFile = (
  payload: Parameters<typeof VideoToFile.execute>[0]
): Effect.Effect<VideoToFileResult, WorkflowError.StepError, WorkflowEngine> =>
  VideoToFile.execute(payload).pipe(
    // `@effect/cluster` dies when its own storage fails (a `PersistenceError` under `Effect.orDie`): typed (D6)
    Effect.catchSomeDefect((defect) =>
      Predicate.isTagged(defect, "PersistenceError") || Predicate.isTagged(defect, "SqlError")
        ? Option.some(Effect.fail(SqlFailure.storageError("the workflow engine's storage failed", defect, true)))
        : Option.none()
    )
  )
