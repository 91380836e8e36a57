/**
 * One worker process of the crash tests (forked by `Crash.test.ts`, run from its compiled `.js` on the packages'
 * `dist`): the ready workflows on SQLite or PostgreSQL storage, a wallet (or API-key) client on the given base URL,
 * and one `videoToFile` run it starts or joins. Reports over IPC: `ready` once its layers are built, then `result` or
 * `failure`. The test SIGKILLs it whenever it likes.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
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
import { CONFIG_ENV, type FromWorker, type WorkerConfig } from "./protocol.js"

const send = (message: FromWorker) =>
  new Promise<void>((resolve) => {
    if (process.send === undefined) {
      console.error(JSON.stringify(message))
      resolve()
    } else process.send(message, () => resolve())
  })

const config: WorkerConfig = JSON.parse(process.env[CONFIG_ENV] ?? "{}")

// short failover and polling for tests: a dead worker's shards move after ~3 s
const sharding = {
  entityMessagePollInterval: "250 millis",
  shardLockExpiration: "3 seconds",
  shardLockRefreshInterval: "1 second",
  refreshAssignmentsInterval: "500 millis"
} as const

const storage = config.storage._tag === "sqlite"
  ? WorkflowStorage.layerSqlite({ filename: config.storage.filename, shardingConfig: sharding })
  : WorkflowStorage.layerPg({
    url: Redacted.make(config.storage.url),
    runner: config.storage.runner,
    shardingConfig: sharding
  })

const base = Layer.mergeAll(NodeHttpClient.layerUndici, NodeContext.layer)
const client = config.auth._tag === "wallet"
  ? VeniceWallet.layerClient({ baseUrl: config.baseUrl }).pipe(
    Layer.provideMerge(VeniceWallet.layer({ privateKey: Redacted.make(config.auth.key) })),
    Layer.provideMerge(base)
  )
  : VeniceClient.layer({ apiKey: Redacted.make(config.auth.apiKey), baseUrl: config.baseUrl }).pipe(
    Layer.provideMerge(base)
  )

const worker = VeniceWorkflows.layer({
  polling: { min: "300 millis", max: "1 second" },
  reconcile: { window: "20 seconds", interval: "500 millis" }
}).pipe(
  Layer.provideMerge(storage),
  Layer.provideMerge(config.payments !== undefined ? DurablePayments.layer(config.payments) : Layer.empty),
  Layer.provideMerge(client)
)

const program = Effect.gen(function*() {
  yield* Effect.promise(() => send({ _tag: "ready", pid: process.pid }))
  return yield* VeniceWorkflows.videoToFile(config.payload)
}).pipe(
  Effect.provide(worker),
  // VENICE_WORKFLOW_TEST_DEBUG=1 shows the cluster's own logs (shard locks, message polling) in a failing test's output
  Logger.withMinimumLogLevel(
    process.env["VENICE_WORKFLOW_TEST_DEBUG"] !== undefined ? LogLevel.Debug : LogLevel.Warning
  )
)

/** The causes under a defect, down to the driver's error: PostgreSQL's code, message, detail and constraint. */
const causes = (defect: unknown): string => {
  const out: Array<string> = []
  let e: unknown = defect
  for (let depth = 0; typeof e === "object" && e !== null && depth < 5; depth++) {
    const record: Readonly<Record<string, unknown>> = { ...e, message: "message" in e ? e.message : undefined }
    const fields = ["_tag", "code", "message", "detail", "constraint", "table", "routine", "where"]
    out.push(fields.flatMap((k) => (record[k] === undefined ? [] : [`${k}=${String(record[k])}`])).join(" "))
    e = "cause" in e ? e.cause : undefined
  }
  return out.join("\n  caused by ")
}

Effect.runPromiseExit(program).then(async (exit) => {
  if (Exit.isSuccess(exit)) {
    const { job } = exit.value
    const media = { ...job.media, bytes: undefined }
    await send({ _tag: "result", result: { ...exit.value, job: { ...job, media } } })
  } else {
    const failure = Cause.failureOption(exit.cause)
    await send(
      failure._tag === "Some"
        ? { _tag: "failure", error: failure.value._tag, message: failure.value.message }
        : {
          _tag: "failure",
          error: "Defect",
          message: [Cause.pretty(exit.cause), ...Array.from(Cause.defects(exit.cause), causes)].join("\n")
        }
    )
  }
  process.exit(0)
})
