/**
 * One worker process of the `fleet` suite: `fibers` concurrent callers on one API key (calls until a deadline) or one
 * wallet (a number of calls each, paying with the x402 payment policy), with the limiter store and top-up coordinator
 * in Redis (`@venice-effect/redis`, `store: "redis"`) or in this process (`"memory"`). IPC: `start` → `ready`; `go`
 * (a shared start time) → `done` with its counts.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as RedisFleet from "@venice-effect/redis/RedisFleet"
import * as Chat from "@venice-effect/venice/Chat"
import * as PaymentPolicy from "@venice-effect/venice/PaymentPolicy"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"

export interface WorkerConfig {
  readonly baseUrl: string
  readonly fibers: number
  readonly store: "redis" | "memory"
  readonly redisUrl: string
  readonly keyPrefix: string
  readonly model: string
  readonly mode:
    | { readonly _tag: "key"; readonly apiKey: string; readonly durationMs: number }
    | { readonly _tag: "wallet"; readonly privateKey: `0x${string}`; readonly callsPerFiber: number }
}

export type ToWorker = { readonly _tag: "start"; readonly config: WorkerConfig } | { readonly _tag: "go"; readonly at: number }

export type FromWorker =
  | { readonly _tag: "ready" }
  | {
    readonly _tag: "done"
    readonly ok: number
    readonly failed: number
    readonly errors: Readonly<Record<string, number>>
    readonly latencies: ReadonlyArray<number>
    readonly warnings: number
    readonly rejoins: number
  }

const next = <T extends ToWorker["_tag"]>(tag: T): Promise<Extract<ToWorker, { _tag: T }>> =>
  new Promise((resolve) => {
    const listener = (message: ToWorker) => {
      if (message._tag !== tag) return
      process.off("message", listener)
      resolve(message as Extract<ToWorker, { _tag: T }>)
    }
    process.on("message", listener)
  })

const main = async () => {
  const { config } = await next("start")
  let warnings = 0
  let rejoins = 0
  const logger = Logger.make(({ message }) => {
    const text = Array.isArray(message) ? message.join(" ") : String(message)
    if (text.startsWith("Redis unreachable")) warnings++
    if (text.startsWith("Redis reachable again")) rejoins++
  })
  const fleet = config.store === "redis"
    ? RedisFleet.layer({ url: config.redisUrl, keyPrefix: config.keyPrefix, retryAfter: Duration.millis(250) })
    : LimiterStore.layerMemory
  const mode = config.mode
  const client: Layer.Layer<VeniceClient.VeniceClient, unknown, never> = (mode._tag === "key"
    ? VeniceClient.layer({ apiKey: Redacted.make(mode.apiKey), baseUrl: config.baseUrl })
    : PaymentPolicy.layerClient().pipe(
      Layer.provide(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50, baseUrl: config.baseUrl })),
      Layer.provide(VeniceWallet.layer({ privateKey: Redacted.make(mode.privateKey) }))
    )).pipe(Layer.provide(fleet), Layer.provide(NodeHttpClient.layerUndici))

  const program = Effect.gen(function*() {
    process.send?.({ _tag: "ready" } satisfies FromWorker)
    const { at } = yield* Effect.promise(() => next("go"))
    yield* Effect.promise(() => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()))))
    let ok = 0
    let failed = 0
    const errors: Record<string, number> = {}
    const latencies: Array<number> = []
    const request = { model: config.model, messages: [{ role: "user" as const, content: "hello" }] }
    const one = Effect.suspend(() => {
      const t0 = performance.now()
      return Chat.completions(request).pipe(
        Effect.match({
          onFailure: (error) => {
            failed++
            errors[error._tag] = (errors[error._tag] ?? 0) + 1
          },
          onSuccess: () => {
            ok++
            latencies.push(performance.now() - t0)
          }
        })
      )
    })
    const fiber = mode._tag === "key"
      ? Effect.gen(function*() {
        const deadline = at + mode.durationMs
        while (Date.now() < deadline) yield* one
      })
      : Effect.repeatN(one, mode.callsPerFiber - 1)
    yield* Effect.all(Array.from({ length: config.fibers }, () => fiber), { concurrency: "unbounded", discard: true })
    process.send?.({ _tag: "done", ok, failed, errors, latencies, warnings, rejoins } satisfies FromWorker)
  })
  await Effect.runPromise(
    Effect.scoped(Effect.provide(program, client.pipe(Layer.provideMerge(Logger.replace(Logger.defaultLogger, logger)))))
  )
  process.disconnect?.()
}

main().catch((error: unknown) => {
  console.error(`fleet worker: ${error instanceof Error ? error.stack : String(error)}`)
  process.exit(1)
})
