/**
 * The worker process of `venice workflow` (forked by `WorkflowDemo`, never imported): the ready workflows on a SQLite
 * file, a wallet client on the given base URL (no in-process payments: the workflow's durable top-ups pay), and one
 * `videoToFile` run it starts or joins. Its config comes in `VENICE_WORKFLOW_DEMO_WORKER` (the throwaway wallet key
 * of the demo among it; never printed); it reports over IPC: `ready`, then `result` or `failure`.
 *
 * @since 0.1.0
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
// this program signs with a wallet: its calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import * as DurablePayments from "@venice-effect/workflow/DurablePayments"
import * as VeniceWorkflows from "@venice-effect/workflow/VeniceWorkflows"
import * as WorkflowStorage from "@venice-effect/workflow/WorkflowStorage"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"

/**
 * What the demo gives its worker.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  readonly baseUrl: string
  readonly walletKey: `0x${string}`
  readonly filename: string
  readonly payload: Parameters<typeof VeniceWorkflows.videoToFile>[0]
}

/**
 * What the worker says over IPC.
 *
 * @since 0.1.0
 * @category models
 */
export type Message =
  | { readonly _tag: "ready"; readonly pid: number }
  | { readonly _tag: "result"; readonly result: VeniceWorkflows.VideoToFileResult }
  | { readonly _tag: "failure"; readonly message: string }

const send = (message: Message) => new Promise<void>((resolve) => void process.send?.(message, () => resolve()))

const config: Config = JSON.parse(process.env["VENICE_WORKFLOW_DEMO_WORKER"] ?? "{}")

const worker = VeniceWorkflows.layer({
  polling: { min: "300 millis", max: "1 second" },
  reconcile: { interval: "500 millis" }
}).pipe(
  Layer.provideMerge(WorkflowStorage.layerSqlite({ filename: config.filename })),
  Layer.provideMerge(DurablePayments.layer({ maxPerPaymentUsd: 10, budgetUsd: 20, reconcileInterval: "500 millis" })),
  Layer.provideMerge(VeniceWallet.layerClient({ baseUrl: config.baseUrl })),
  Layer.provideMerge(VeniceWallet.layer({ privateKey: Redacted.make(config.walletKey) })),
  Layer.provideMerge(Layer.mergeAll(NodeHttpClient.layerUndici, NodeContext.layer))
)

Effect.runPromiseExit(
  Effect.zipRight(
    Effect.promise(() => send({ _tag: "ready", pid: process.pid })),
    VeniceWorkflows.videoToFile(config.payload)
  ).pipe(
    Effect.provide(worker),
    Logger.withMinimumLogLevel(LogLevel.None)
  )
).then(async (exit) => {
  await send(
    Exit.isSuccess(exit)
      ? { _tag: "result", result: exit.value }
      : { _tag: "failure", message: Cause.pretty(exit.cause) }
  )
  process.exit(0)
})
