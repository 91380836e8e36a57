/**
 * The Redis limiter store against a real Redis: it answers every operation exactly as the in-memory store does (a
 * model-based property test over random operation sequences), its operations are atomic across connections (no
 * read-modify-write races), its keys are namespaced and expire, and time is the caller's `now` (a TestClock-driven
 * client paces through it).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Chat from "@venice-effect/venice/Chat"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as RedisConnection from "../src/RedisConnection.js"
import * as RedisLimiterStore from "../src/RedisLimiterStore.js"
import { inspector, missingRedis, redisUrl, uniquePrefix } from "./support.js"

/** A Redis store on its own connection (scoped). */
const redisStore = (url: string, keyPrefix: string) =>
  Effect.flatMap(
    RedisConnection.make({ url, keyPrefix }),
    (connection) => Effect.provideService(RedisLimiterStore.make(), RedisConnection.RedisConnection, connection)
  )

type Op =
  | { readonly _tag: "advance"; readonly by: number }
  | { readonly _tag: "reserve"; readonly bucket: string }
  | {
    readonly _tag: "observeWindow"
    readonly bucket: string
    readonly limit: number
    readonly remaining: number
    readonly resetIn: number
  }
  | { readonly _tag: "block"; readonly bucket: string; readonly untilIn: number }
  | { readonly _tag: "recordFailure"; readonly bucket: string; readonly window: number }
  | { readonly _tag: "observeBudget"; readonly bucket: string; readonly remaining: number; readonly resetIn: number }
  | { readonly _tag: "budget"; readonly bucket: string }
  | {
    readonly _tag: "acquireSlot"
    readonly bucket: string
    readonly lease: string
    readonly limit: number
    readonly ttl: number
  }
  | { readonly _tag: "releaseSlot"; readonly bucket: string; readonly lease: string }
  | { readonly _tag: "slotsInUse"; readonly bucket: string }

const bucket = FastCheck.constantFrom("a", "b")
const op: FastCheck.Arbitrary<Op> = FastCheck.oneof(
  FastCheck.record({ _tag: FastCheck.constant("advance" as const), by: FastCheck.integer({ min: 0, max: 1500 }) }),
  // reservations are weighted up: windows must fill, and outlive their (known or estimated) end, to be compared
  { arbitrary: FastCheck.record({ _tag: FastCheck.constant("reserve" as const), bucket }), weight: 4 },
  FastCheck.integer({ min: 0, max: 5 }).chain((limit) =>
    FastCheck.record({
      _tag: FastCheck.constant("observeWindow" as const),
      bucket,
      limit: FastCheck.constant(limit),
      remaining: FastCheck.integer({ min: 0, max: limit }),
      resetIn: FastCheck.integer({ min: -500, max: 2000 })
    })
  ),
  FastCheck.record({
    _tag: FastCheck.constant("block" as const),
    bucket,
    untilIn: FastCheck.integer({ min: -100, max: 1500 })
  }),
  FastCheck.record({
    _tag: FastCheck.constant("recordFailure" as const),
    bucket,
    window: FastCheck.constantFrom(500, 1000)
  }),
  FastCheck.record({
    _tag: FastCheck.constant("observeBudget" as const),
    bucket,
    remaining: FastCheck.integer({ min: 0, max: 10 }),
    resetIn: FastCheck.integer({ min: -200, max: 1500 })
  }),
  FastCheck.record({ _tag: FastCheck.constant("budget" as const), bucket }),
  FastCheck.record({
    _tag: FastCheck.constant("acquireSlot" as const),
    bucket,
    lease: FastCheck.constantFrom("l1", "l2", "l3", "l4"),
    limit: FastCheck.integer({ min: 0, max: 3 }),
    ttl: FastCheck.integer({ min: 1, max: 1000 })
  }),
  FastCheck.record({
    _tag: FastCheck.constant("releaseSlot" as const),
    bucket,
    lease: FastCheck.constantFrom("l1", "l2", "l3", "l4")
  }),
  FastCheck.record({ _tag: FastCheck.constant("slotsInUse" as const), bucket })
)

const apply = (store: LimiterStore.Service, prefix: string, o: Op, now: number): Effect.Effect<unknown> => {
  switch (o._tag) {
    case "advance":
      return Effect.void
    case "reserve":
      return store.reserve(prefix + o.bucket, now)
    case "observeWindow":
      return store.observeWindow(prefix + o.bucket, {
        limit: o.limit,
        remaining: o.remaining,
        resetAt: now + o.resetIn
      }, now)
    case "block":
      return store.block(prefix + o.bucket, now + o.untilIn, now)
    case "recordFailure":
      return store.recordFailure(prefix + o.bucket, o.window, now)
    case "observeBudget":
      return store.observeBudget(
        prefix + o.bucket,
        { remaining: o.remaining, resetAt: now + o.resetIn, limit: 10 },
        now
      )
    case "budget":
      return store.budget(prefix + o.bucket, now)
    case "acquireSlot":
      return store.acquireSlot(prefix + o.bucket, o.lease, o.limit, now, o.ttl)
    case "releaseSlot":
      return store.releaseSlot(prefix + o.bucket, o.lease)
    case "slotsInUse":
      return store.slotsInUse(prefix + o.bucket, now)
  }
}

describe.skipIf(missingRedis !== undefined)("RedisLimiterStore", () => {
  it.scopedLive(
    "answers every operation as the in-memory store does (random operation sequences)",
    () =>
      Effect.gen(function*() {
        const store = yield* redisStore(yield* redisUrl, uniquePrefix("parity"))
        let run = 0
        const property = FastCheck.asyncProperty(FastCheck.array(op, { minLength: 1, maxLength: 60 }), (ops) =>
          Effect.runPromise(Effect.gen(function*() {
            const memory = LimiterStore.makeMemory()
            const prefix = `run${run++}:`
            let now = 1_763_812_800_000
            for (const [i, o] of ops.entries()) {
              if (o._tag === "advance") {
                now += o.by
              }
              const expected = yield* apply(memory, prefix, o, now)
              const actual = yield* apply(store, prefix, o, now)
              if (JSON.stringify(actual) !== JSON.stringify(expected)) {
                throw new Error(
                  `step ${i} ${JSON.stringify(o)}: redis ${JSON.stringify(actual)}, memory ${JSON.stringify(expected)}`
                )
              }
            }
          })))
        yield* Effect.promise(() =>
          FastCheck.assert(property, { numRuns: 500 })
        )
      }),
    60_000
  )

  it.scopedLive("a window whose end no response named ends one span after it began, in Redis as in memory (L2)", () =>
    Effect.gen(function*() {
      const store = yield* redisStore(yield* redisUrl, uniquePrefix("span"))
      const memory = LimiterStore.makeMemory()
      const t = 1_763_812_800_000
      const both = <A>(f: (s: LimiterStore.Service) => Effect.Effect<A>) =>
        Effect.map(Effect.all([f(memory), f(store)]), ([m, r]) => {
          expect(r).toEqual(m)
          return m
        })
      // a window of 1, its only request answered with the window's end 1 s away
      yield* both((s) => s.observeWindow("b", { limit: 1, remaining: 1, resetAt: t + 1000 }, t))
      expect(yield* both((s) => s.reserve("b", t))).toEqual({ _tag: "Granted" })
      expect(yield* both((s) => s.reserve("b", t + 10))).toEqual({ _tag: "Wait", until: t + 1000 })
      // the next window: its probe is answered without limit headers (a 503), so its end stays unknown
      expect(yield* both((s) => s.reserve("b", t + 1000))).toEqual({ _tag: "Granted" })
      expect(yield* both((s) => s.reserve("b", t + 1500))).toEqual({ _tag: "Wait", until: t + 2000 })
      // one span (1 s) after it began it is over, though no response said so
      expect(yield* both((s) => s.reserve("b", t + 2000))).toEqual({ _tag: "Granted" })
      expect(yield* both((s) => s.reserve("b", t + 2001))).toEqual({ _tag: "Wait", until: t + 3000 })
    }))

  it.scopedLive("reserve is atomic: 4 connections × 40 concurrent reservations on a window of 37 → exactly 37 granted", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      const prefix = uniquePrefix("atomic")
      const stores = yield* Effect.all(Array.from({ length: 4 }, () => redisStore(url, prefix)))
      const now = 1_763_812_800_000
      yield* stores[0]!.observeWindow("key:x:m", { limit: 37, remaining: 37, resetAt: now + 60_000 }, now)
      const answers = yield* Effect.all(
        stores.flatMap((store) => Array.from({ length: 40 }, () => store.reserve("key:x:m", now + 1))),
        { concurrency: "unbounded" }
      )
      expect(answers.filter((a) => a._tag === "Granted")).toHaveLength(37)
      expect(answers.filter((a) => a._tag === "Wait").every((a) => a._tag === "Wait" && a.until === now + 60_000)).toBe(
        true
      )
      // the failed-request count is atomic too
      const failures = yield* Effect.all(
        stores.flatMap((store) => Array.from({ length: 25 }, () => store.recordFailure("key:x:m:-", 30_000, now))),
        { concurrency: "unbounded" }
      )
      expect(failures.map((f) => f.failures).sort((a, b) => a - b)).toEqual(
        Array.from({ length: 100 }, (_, i) => i + 1)
      )
      expect(yield* stores[3]!.budget("key:x:m:-", now + 1)).toEqual({ failures: 100, resetAt: now + 30_000 })
    }))

  it.scopedLive("slots are atomic across connections, and a lease never released (a crashed holder) lapses by the caller's clock", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      const prefix = uniquePrefix("slots")
      const stores = yield* Effect.all(Array.from({ length: 4 }, () => redisStore(url, prefix)))
      const now = 1_763_812_800_000
      const answers = yield* Effect.all(
        stores.flatMap((store, s) =>
          Array.from({ length: 25 }, (_, i) => store.acquireSlot("inflight:wallet:0xabc", `p${s}-${i}`, 5, now, 10_000))
        ),
        { concurrency: "unbounded" }
      )
      expect(answers.filter((a) => a._tag === "Granted")).toHaveLength(5)
      expect(yield* stores[1]!.slotsInUse("inflight:wallet:0xabc", now + 9_999)).toBe(5)
      expect(yield* stores[2]!.acquireSlot("inflight:wallet:0xabc", "late", 5, now + 9_999, 10_000)).toEqual({
        _tag: "Busy",
        inUse: 5
      })
      // nobody released: at the leases' end they are reclaimed
      expect(yield* stores[2]!.slotsInUse("inflight:wallet:0xabc", now + 10_000)).toBe(0)
      expect(yield* stores[2]!.acquireSlot("inflight:wallet:0xabc", "late", 5, now + 10_000, 10_000)).toEqual({
        _tag: "Granted"
      })
    }))

  it.scopedLive("keys are namespaced by the prefix and all expire", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      const prefix = uniquePrefix("ttl")
      const store = yield* redisStore(url, prefix)
      const now = Date.now()
      yield* store.observeWindow("key:abc:m", { limit: 5, remaining: 4, resetAt: now + 60_000 }, now)
      yield* store.reserve("key:abc:m", now)
      yield* store.block("key:abc:n", now + 5_000, now)
      yield* store.recordFailure("key:abc:m:-", 30_000, now)
      yield* store.observeBudget("key:abc:n:-", { remaining: 40, resetAt: now + 20_000, limit: 50 }, now)
      yield* store.acquireSlot("inflight:wallet:0x1", "lease-1", 5, now, 60_000)
      const client = yield* inspector(url)
      const keys = (yield* Effect.promise(() => client.keys(`${prefix}*`))).sort()
      expect(keys).toEqual([
        `${prefix}budget:key:abc:m:-`,
        `${prefix}budget:key:abc:n:-`,
        `${prefix}slots:inflight:wallet:0x1`,
        `${prefix}win:key:abc:m`,
        `${prefix}win:key:abc:n`
      ])
      for (const key of keys) {
        const ttl = yield* Effect.promise(() => client.pttl(key))
        // state end (≤ 60 s away) plus the idle time (10 minutes)
        expect(ttl).toBeGreaterThan(0)
        expect(ttl).toBeLessThanOrEqual(60_000 + 600_000)
      }
    }))

  it.scoped("time is the caller's Clock: a client under TestClock paces through Redis, no 429", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      yield* TestClock.setTime(Date.UTC(2026, 10, 22, 12, 0, 0))
      const emulator = yield* Emulator.make({
        keys: ["k-testclock"],
        rateLimit: { requestsPerWindow: 2, window: Duration.minutes(1) }
      })
      const connection = yield* RedisConnection.make({ url, keyPrefix: uniquePrefix("testclock") })
      const store = yield* Effect.provideService(RedisLimiterStore.make(), RedisConnection.RedisConnection, connection)
      const http = yield* Layer.build(NodeHttpClient.layerUndici)
      const client = yield* VeniceClient.make({ apiKey: Redacted.make("k-testclock"), baseUrl: emulator.baseUrl }).pipe(
        Effect.provideService(LimiterStore.LimiterStore, store),
        Effect.provide(http)
      )
      const paced: Array<number> = []
      // the calls' fiber is asleep on the TestClock only after announcing a wait (pacing or a retry delay)
      let asleep = false
      const calls = Effect.forEach(
        [1, 2, 3, 4, 5],
        () => Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }),
        { concurrency: 1 }
      ).pipe(
        Effect.provideService(VeniceClient.VeniceClient, client),
        Effect.provideService(Pipeline.Observer, (e) =>
          Effect.sync(() => {
            if (e._tag === "Pacing") paced.push(Duration.toMillis(e.delay))
            asleep = e._tag === "Pacing" || e._tag === "Waiting"
          }))
      )
      const fiber = yield* Effect.fork(calls)
      // move the TestClock to the wake-up of each announced wait (never while a request is in flight: its timeout is a
      // wake-up too)
      for (let i = 0; i < 5000; i++) {
        const done = yield* Fiber.poll(fiber)
        if (done._tag === "Some") break
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 2)))
        if (!asleep) continue
        const sleeps = yield* TestClock.sleeps()
        const next = [...sleeps].reduce((min, t) => Math.min(min, t), Infinity)
        if (Number.isFinite(next)) {
          yield* TestClock.adjust(Duration.millis(Math.max(0, next - (yield* TestClock.currentTimeMillis))))
        }
      }
      yield* Fiber.join(fiber)
      const log = yield* emulator.requests
      expect(log.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
      // calls 3 and 5 waited for the window's end (one minute on the TestClock), through the Redis store
      expect(paced).toHaveLength(2)
      expect(log[2]!.at - log[0]!.at).toBeGreaterThanOrEqual(60_000)
      expect(log[4]!.at - log[2]!.at).toBeGreaterThanOrEqual(60_000)
    }))
})
