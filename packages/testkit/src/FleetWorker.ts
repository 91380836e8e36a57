/**
 * One worker process of a fleet (the redis package's fleet tests, the `fleet` benchmark suite): `fibers` concurrent
 * callers on one API key (calls until a deadline) or one wallet (a number of calls each, paying with the x402 payment
 * policy), with the limiter store and top-up coordinator in Redis (`@venice-effect/redis`, `store: "redis"`) or in
 * this process (`"memory"`). A script: fork its compiled `.js` (`dist/FleetWorker.js`, which runs on the packages'
 * `dist`) and import only its types. IPC: `start` → `ready`; `go` (a shared start time) → `done` with its counts.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as RedisFleet from "@venice-effect/redis/RedisFleet"
import * as Chat from "@venice-effect/venice/Chat"
import * as PaymentPolicy from "@venice-effect/venice/PaymentPolicy"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
// this program signs with a wallet: its calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/** What one worker does. */
export interface WorkerConfig {
  /** Shown in its requests' prompts (default: its pid). */
  readonly id?: number | undefined
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
      /** The top-up lock's lease and the waiters' poll (default: the coordinator's). */
      readonly leaseTtlMs?: number | undefined
      readonly pollMs?: number | undefined
    }
}

/** Parent → worker. */
export type ToWorker = { readonly _tag: "start"; readonly config: WorkerConfig } | {
  readonly _tag: "go"
  readonly at: number
}

/** Worker → parent. */
export type FromWorker =
  | { readonly _tag: "ready"; readonly pid: number }
  | {
    readonly _tag: "done"
    readonly ok: number
    readonly failed: number
    readonly errors: Readonly<Record<string, number>>
    /** Milliseconds per successful call. */
    readonly latencies: ReadonlyArray<number>
    /** "Redis unreachable" warnings logged. */
    readonly warnings: number
    /** "Redis reachable again" lines logged. */
    readonly rejoins: number
    /** What the payment policy spent (wallet mode). */
    readonly spentUsd: number | undefined
  }

const send = (message: FromWorker) => process.send?.(message)

const isToWorker = (u: unknown): u is ToWorker =>
  typeof u === "object" && u !== null && "_tag" in u && (u._tag === "start" || u._tag === "go")

const next = <T extends ToWorker["_tag"]>(tag: T): Promise<Extract<ToWorker, { _tag: T }>> =>
  new Promise((resolve) => {
    const listener = (message: unknown) => {
      if (!isToWorker(message) || message._tag !== tag) return
      process.off("message", listener)
      // the tag was just compared: TypeScript does not narrow a union by a generic tag
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
  const mode = config.mode
  const fleet = config.store === "redis"
    ? RedisFleet.layer({
      url: config.redisUrl,
      keyPrefix: config.keyPrefix,
      retryAfter: Duration.millis(250),
      ...(mode._tag === "wallet" && mode.leaseTtlMs !== undefined
        ? { leaseTtl: Duration.millis(mode.leaseTtlMs) }
        : {}),
      ...(mode._tag === "wallet" && mode.pollMs !== undefined ? { pollInterval: Duration.millis(mode.pollMs) } : {})
    })
    : LimiterStore.layerMemory
  // wallet mode also exposes the payment policy (its `spentUsd`), found with `Effect.serviceOption`
  const client: Layer.Layer<VeniceClient.VeniceClient, unknown> = (mode._tag === "key"
    ? VeniceClient.layer({ apiKey: Redacted.make(mode.apiKey), baseUrl: config.baseUrl })
    : PaymentPolicy.layerClient().pipe(
      Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50, baseUrl: config.baseUrl })),
      Layer.provide(VeniceWallet.layer({ privateKey: Redacted.make(mode.privateKey) }))
    )).pipe(Layer.provide(fleet), Layer.provide(NodeHttpClient.layerUndici))
  const layer = client.pipe(Layer.provideMerge(Logger.replace(Logger.defaultLogger, logger)))

  const program = Effect.gen(function*() {
    send({ _tag: "ready", pid: process.pid })
    const { at } = yield* Effect.promise(() => next("go"))
    yield* Effect.promise(() => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now()))))
    let ok = 0
    let failed = 0
    const errors: Record<string, number> = {}
    const latencies: Array<number> = []
    const prompt = `hello from worker ${config.id ?? process.pid}`
    const request = { model: config.model, messages: [{ role: "user" as const, content: prompt }] }
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
    const policy = yield* Effect.serviceOption(PaymentPolicy.PaymentPolicy)
    const spentUsd = Option.isSome(policy) ? yield* policy.value.spentUsd : undefined
    send({ _tag: "done", ok, failed, errors, latencies, warnings, rejoins, spentUsd })
  })
  await Effect.runPromise(Effect.scoped(Effect.provide(program, layer)))
  process.disconnect?.()
}

main().catch((error: unknown) => {
  console.error(`fleet worker: ${error instanceof Error ? error.stack : String(error)}`)
  process.exit(1)
})
