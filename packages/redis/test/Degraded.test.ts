/**
 * Degraded, not down, with a real `redis-server` killed (SIGKILL) and started again on the same port: calls go on
 * through the outage on the process's own state (no call fails), one warning is logged for the outage and one info
 * line when Redis is back, and the state is in Redis again afterwards. The top-up coordinator counts spend made during
 * the outage and adds it to the shared budget when Redis is back.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Chat from "@venice-effect/venice/Chat"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as RedisConnection from "../src/RedisConnection.js"
import * as RedisFleet from "../src/RedisFleet.js"
import * as RedisLimiterStore from "../src/RedisLimiterStore.js"
import * as RedisTopUpCoordinator from "../src/RedisTopUpCoordinator.js"
import { inspector, missingRedisServer, startPrivateRedis, uniquePrefix } from "./support.js"

const recordingLogger = () => {
  const lines: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    lines.push({
      level: logLevel.label,
      message: Array.isArray(message) ? message.join(" ") : String(message),
      annotations: Object.fromEntries(annotations)
    })
  })
  return { layer: Logger.replace(Logger.defaultLogger, logger), lines }
}

const privateRedis = (options: { readonly persistent?: boolean } = {}) =>
  Effect.acquireRelease(Effect.promise(() => startPrivateRedis(options)), (r) => Effect.promise(r.kill))

describe.skipIf(missingRedisServer !== undefined)("degraded, not down", () => {
  it.scopedLive(
    "Redis killed mid-run: calls continue on local state, one warning, then it rejoins when Redis is back",
    () =>
      Effect.gen(function*() {
        const redis = yield* privateRedis()
        const keyPrefix = uniquePrefix("degraded")
        const log = recordingLogger()
        const emu = yield* Emulator.make({
          keys: ["degraded-key"],
          rateLimit: { requestsPerWindow: 20, window: Duration.millis(500) }
        })
        const context = yield* Layer.build(
          VeniceClient.layer({ apiKey: Redacted.make("degraded-key"), baseUrl: emu.baseUrl }).pipe(
            Layer.provideMerge(
              RedisFleet.layer({ url: Redacted.make(redis.url), keyPrefix, retryAfter: Duration.millis(100) })
            ),
            Layer.provide(NodeHttpClient.layerUndici)
          )
        )
        const connection = yield* Effect.provide(RedisConnection.RedisConnection, context)
        const ok = yield* Ref.make(0)
        const health: Array<string> = []
        // Eight fibers call in a loop: at least `calls` calls in all, then on until the connection reports `until` (at
        // most 40 × `calls`: a connection that never gets there fails the health assertion below). No clock involved.
        const callUntil = (calls: number, until: RedisConnection.Health) =>
          Effect.gen(function*() {
            let made = 0
            const fiber = Effect.gen(function*() {
              while (made < calls || ((yield* connection.health) !== until && made < calls * 40)) {
                made++
                yield* Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
                yield* Ref.update(ok, (n) => n + 1)
              }
            })
            yield* Effect.all(Array.from({ length: 8 }, () => fiber), { concurrency: "unbounded", discard: true })
            health.push(yield* connection.health)
          }).pipe(Effect.provide(context), Effect.provide(log.layer))

        yield* callUntil(40, "connected")
        yield* Effect.promise(redis.kill)
        yield* callUntil(60, "degraded")
        yield* Effect.promise(redis.start)
        yield* callUntil(60, "connected")

        const warnings = log.lines.filter((l) => l.level === "WARN" && l.message.startsWith("Redis unreachable"))
        const rejoins = log.lines.filter((l) => l.level === "INFO" && l.message.startsWith("Redis reachable again"))
        const requests = yield* emu.requests
        console.log(
          `degraded: ${yield* Ref.get(ok)} calls ok, ${requests.length} requests (${
            requests.filter((r) => r.status === 429).length
          } × 429); ` +
            `health after each phase ${health.join(" → ")}; warning ${JSON.stringify(warnings)}; rejoin ${
              JSON.stringify(rejoins)
            }`
        )
        // every call succeeded (a failure would have ended the run with an error); nothing was lost
        expect(yield* Ref.get(ok)).toBe(requests.filter((r) => r.status === 200).length)
        expect(health).toEqual(["connected", "degraded", "connected"])
        expect(warnings).toHaveLength(1)
        expect(warnings[0]!.annotations).toMatchObject({ redis: `127.0.0.1:${redis.port}` })
        expect(rejoins).toHaveLength(1)
        // the URL (it could hold a password) is never logged
        expect(JSON.stringify(log.lines)).not.toContain("redis://")
        // the state is in Redis again
        const client = yield* inspector(redis.url)
        const keys = yield* Effect.promise(() => client.keys(`${keyPrefix}win:*`))
        expect(keys).toHaveLength(1)
        expect(keys[0]).toMatch(/:win:key:[0-9a-f]+:venice-uncensored$/)
      }),
    30_000
  )

  it.scopedLive(
    "the top-up coordinator keeps the budget through an outage and adds what was spent to Redis when it is back",
    () =>
      Effect.gen(function*() {
        const redis = yield* privateRedis({ persistent: true })
        const keyPrefix = uniquePrefix("carry")
        const log = recordingLogger()
        const coordinator = () =>
          Effect.flatMap(
            RedisConnection.make({ url: redis.url, keyPrefix, retryAfter: Duration.millis(50) }),
            (connection) =>
              Effect.map(
                Effect.provideService(RedisTopUpCoordinator.make(), RedisConnection.RedisConnection, connection),
                (service) => [service, connection] as const
              )
          )
        const [[a, connectionA], [b]] = yield* Effect.all([coordinator(), coordinator()])
        const wallet = "wallet:0x00000000000000000000000000000000000000cc"
        const steps = Effect.gen(function*() {
          expect(yield* a.reserve(wallet, 3, 6)).toEqual({ _tag: "Reserved", spentUsd: 3 })
          yield* Effect.promise(redis.kill)
          // on its own: what it last knew ($3) plus its own spend, within the budget
          expect(yield* a.acquire(wallet, "a-1", Date.now(), 30_000)).toEqual({ _tag: "Acquired", generation: 0 })
          expect(yield* a.reserve(wallet, 2, 6)).toEqual({ _tag: "Reserved", spentUsd: 5 })
          expect(yield* a.reserve(wallet, 2, 6)).toEqual({ _tag: "OverBudget", spentUsd: 5 })
          expect(yield* a.release(wallet, "a-1", true, Date.now())).toBe(1)
          yield* Effect.promise(redis.start)
          // back: the $2 spent during the outage are added to the shared spend, which B sees
          for (let i = 0; i < 100; i++) {
            expect(yield* a.spent(wallet)).toBe(5)
            if ((yield* connectionA.health) === "connected") break
            yield* Effect.sleep(Duration.millis(50))
          }
          expect(yield* connectionA.health).toBe("connected")
          expect(yield* b.spent(wallet)).toBe(5)
          expect(yield* b.reserve(wallet, 1.01, 6)).toEqual({ _tag: "OverBudget", spentUsd: 5 })
        })
        yield* Effect.provide(steps, log.layer)
        expect(log.lines.filter((l) => l.message.startsWith("Redis unreachable"))).toHaveLength(1)
      }),
    30_000
  )

  it.scopedLive(
    "a process cut off from Redis paces on its share of the window: limit ÷ the processes seen in the bucket",
    () =>
      Effect.gen(function*() {
        const redis = yield* privateRedis()
        const keyPrefix = uniquePrefix("share")
        const store = () =>
          Effect.flatMap(
            RedisConnection.make({ url: redis.url, keyPrefix, retryAfter: Duration.seconds(30) }),
            (connection) => Effect.provideService(RedisLimiterStore.make(), RedisConnection.RedisConnection, connection)
          )
        const [a, b, c, d] = yield* Effect.all([store(), store(), store(), store()])
        const bucket = "key:share:venice-uncensored"
        const now = Date.now()
        // four processes reserve in the bucket; the window says 40 per minute, 8 taken so far (two each)
        for (let i = 0; i < 2; i++) {
          for (const s of [d, c, b, a]) expect((yield* s.reserve(bucket, now))._tag).toBe("Granted")
        }
        yield* a.observeWindow(bucket, { limit: 40, remaining: 32, resetAt: now + 60_000 }, now)
        yield* Effect.promise(redis.kill)
        // alone, A may take its share of what is left: 40 ÷ 4 = 10 per window, 2 of them used → 8 more, then it waits
        let granted = 0
        for (let i = 0; i < 20; i++) if ((yield* a.reserve(bucket, now + 1))._tag === "Granted") granted++
        expect(granted).toBe(8)
        expect(yield* a.reserve(bucket, now + 1)).toEqual({ _tag: "Wait", until: now + 60_000 })
        // the next window: 10 again, not 40
        granted = 0
        for (let i = 0; i < 20; i++) if ((yield* a.reserve(bucket, now + 60_000))._tag === "Granted") granted++
        expect(granted).toBe(10)
      }).pipe(Effect.provide(Logger.remove(Logger.defaultLogger))),
    30_000
  )
})
