/**
 * One worker process of a fleet test (forked by `Fleet.test.ts`, run from its compiled `.js` on the packages'
 * `dist`): `fibers` concurrent callers on one API key (calls until a deadline) or one wallet (a number of calls each,
 * paying with the x402 payment policy), with the limiter store and top-up coordinator in Redis (`store: "redis"`) or
 * in this process (`"memory"`). Talks to the parent over IPC: `ready` once built, then waits for `go` (a shared start
 * time), then reports `done` with its counts.
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
  readonly id: number
  readonly baseUrl: string
  readonly fibers: number
  readonly store: "redis" | "memory"
  readonly redisUrl: string
  readonly keyPrefix: string
  readonly model: string
  readonly mode:
    | { readonly _tag: "key"; readonly apiKey: string; readonly durationMs: number }
    | {
      readonly _tag: "wallet"
      readonly privateKey: `0x${string}`
      readonly callsPerFiber: number
      readonly leaseTtlMs: number
      readonly pollMs: number
    }
}

export type ToWorker = { readonly _tag: "start"; readonly config: WorkerConfig } | { readonly _tag: "go"; readonly at: number }

export type FromWorker =
  | { readonly _tag: "ready"; readonly pid: number }
  | {
    readonly _tag: "done"
    readonly ok: number
    readonly failed: number
    readonly errors: Readonly<Record<string, number>>
    /** "Redis unreachable" warnings logged. */
    readonly warnings: number
    /** "Redis reachable again" lines logged. */
    readonly rejoins: number
    readonly spentUsd: number | undefined
  }

const send = (message: FromWorker) => process.send?.(message)

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
    ? RedisFleet.layer({
      url: config.redisUrl,
      keyPrefix: config.keyPrefix,
      retryAfter: Duration.millis(250),
      ...(config.mode._tag === "wallet"
        ? { leaseTtl: Duration.millis(config.mode.leaseTtlMs), pollInterval: Duration.millis(config.mode.pollMs) }
        : {})
    })
    : LimiterStore.layerMemory
  const mode = config.mode
  const client = mode._tag === "key"
    ? VeniceClient.layer({ apiKey: Redacted.make(mode.apiKey), baseUrl: config.baseUrl })
    : PaymentPolicy.layerClient().pipe(
      Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50, baseUrl: config.baseUrl })),
      Layer.provide(VeniceWallet.layer({ privateKey: Redacted.make(mode.privateKey) }))
    )
  const layer = client.pipe(
    Layer.provide(fleet),
    Layer.provide(NodeHttpClient.layerUndici),
    Layer.provideMerge(Logger.replace(Logger.defaultLogger, logger))
  )

  const program = Effect.gen(function*() {
    send({ _tag: "ready", pid: process.pid })
    const { at } = yield* Effect.promise(() => next("go"))
    yield* Effect.promise(() => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()))))
    let ok = 0
    let failed = 0
    const errors: Record<string, number> = {}
    const request = { model: config.model, messages: [{ role: "user" as const, content: `hello from worker ${config.id}` }] }
    const one = Chat.completions(request).pipe(
      Effect.match({
        onFailure: (error) => {
          failed++
          errors[error._tag] = (errors[error._tag] ?? 0) + 1
        },
        onSuccess: () => void ok++
      })
    )
    const fiber = mode._tag === "key"
      ? Effect.gen(function*() {
        const deadline = at + mode.durationMs
        while (Date.now() < deadline) yield* one
      })
      : Effect.repeatN(one, mode.callsPerFiber - 1)
    yield* Effect.all(Array.from({ length: config.fibers }, () => fiber), { concurrency: "unbounded", discard: true })
    const spentUsd = mode._tag === "wallet" ? yield* Effect.flatMap(PaymentPolicy.PaymentPolicy, (p) => p.spentUsd) : undefined
    send({ _tag: "done", ok, failed, errors, warnings, rejoins, spentUsd })
  })
  await Effect.runPromise(Effect.scoped(Effect.provide(program, layer as Layer.Layer<VeniceClient.VeniceClient | PaymentPolicy.PaymentPolicy>)))
  process.disconnect?.()
}

main().catch((error: unknown) => {
  console.error(`fleet worker: ${error instanceof Error ? error.stack : String(error)}`)
  process.exit(1)
})
