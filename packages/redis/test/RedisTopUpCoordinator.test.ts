/**
 * The Redis top-up coordinator against a real Redis: one lock per wallet across connections (atomic), leases that
 * lapse by the caller's clock, the generation, and one budget reserved atomically. Then two complete payment stacks
 * in one process (separate wallets services, policies, clients and Redis connections, as two processes would have)
 * against the emulator: concurrent 402s in both cause one payment, and the budget is shared.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as TopUpCoordinator from "@venice-effect/core/TopUpCoordinator"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Chat from "@venice-effect/venice/Chat"
import * as PaymentPolicy from "@venice-effect/venice/PaymentPolicy"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
// these tests sign with wallets: their calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import * as RedisConnection from "../src/RedisConnection.js"
import * as RedisFleet from "../src/RedisFleet.js"
import * as RedisTopUpCoordinator from "../src/RedisTopUpCoordinator.js"
import { inspector, missingRedis, redisUrl, uniquePrefix } from "./support.js"

const coordinator = (url: string, keyPrefix: string, options: RedisTopUpCoordinator.Options = {}) =>
  Effect.flatMap(
    RedisConnection.make({ url, keyPrefix }),
    (connection) =>
      Effect.provideService(RedisTopUpCoordinator.make(options), RedisConnection.RedisConnection, connection)
  )

const WALLET = "wallet:0x00000000000000000000000000000000000000aa"

describe.skipIf(missingRedis !== undefined)("RedisTopUpCoordinator", () => {
  it.scopedLive("one lock per wallet: held for others, renewed by its owner, released with a new generation when paid", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      const prefix = uniquePrefix("lock")
      const a = yield* coordinator(url, prefix)
      const b = yield* coordinator(url, prefix)
      const now = 1_763_812_800_000
      expect(yield* a.acquire(WALLET, "A", now, 30_000)).toEqual({ _tag: "Acquired", generation: 0 })
      expect(yield* b.acquire(WALLET, "B", now + 1, 30_000)).toEqual({ _tag: "Held", generation: 0 })
      expect(yield* a.acquire(WALLET, "A", now + 20_000, 30_000)).toEqual({ _tag: "Acquired", generation: 0 }) // renewed
      expect(yield* b.acquire(WALLET, "B", now + 40_000, 30_000)).toEqual({ _tag: "Held", generation: 0 }) // to now + 50 s
      expect(yield* b.release(WALLET, "B", false, now + 40_000)).toBe(0) // not B's: ignored
      expect(yield* a.release(WALLET, "A", true, now + 41_000)).toBe(1)
      expect(yield* b.acquire(WALLET, "B", now + 41_001, 30_000)).toEqual({ _tag: "Acquired", generation: 1 })
      expect(yield* b.release(WALLET, "B", false, now + 41_002)).toBe(1)
      // another wallet is another lock
      expect(yield* a.acquire("wallet:0xbb", "A", now, 30_000)).toEqual({ _tag: "Acquired", generation: 0 })
    }))

  it.scopedLive("a holder that never releases (crashed) loses the lock when its lease lapses, by the caller's clock", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      const prefix = uniquePrefix("lease")
      const a = yield* coordinator(url, prefix)
      const b = yield* coordinator(url, prefix)
      const now = 1_763_812_800_000
      expect((yield* a.acquire(WALLET, "A", now, 1_000))._tag).toBe("Acquired")
      expect((yield* b.acquire(WALLET, "B", now + 999, 1_000))._tag).toBe("Held")
      expect((yield* b.acquire(WALLET, "B", now + 1_000, 1_000))._tag).toBe("Acquired")
      // the late holder's release does not free B's lock; had it paid, the generation would still advance
      expect(yield* a.release(WALLET, "A", true, now + 1_001)).toBe(1)
      expect((yield* a.acquire(WALLET, "A2", now + 1_002, 1_000))._tag).toBe("Held")
    }))

  it.scopedLive("atomic across connections: 3 × 10 concurrent lock requests → one owner; 3 × 15 reservations of $1 in a $10 budget → 10", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      const prefix = uniquePrefix("atomic")
      const cs = yield* Effect.all([coordinator(url, prefix), coordinator(url, prefix), coordinator(url, prefix)])
      const now = 1_763_812_800_000
      const locks = yield* Effect.all(
        cs.flatMap((c, i) => Array.from({ length: 10 }, (_, j) => c.acquire(WALLET, `o${i}-${j}`, now, 30_000))),
        { concurrency: "unbounded" }
      )
      expect(locks.filter((l) => l._tag === "Acquired")).toHaveLength(1)
      const reservations = yield* Effect.all(
        cs.flatMap((c) => Array.from({ length: 15 }, () => c.reserve(WALLET, 1, 10))),
        { concurrency: "unbounded" }
      )
      expect(reservations.filter((r) => r._tag === "Reserved")).toHaveLength(10)
      expect(reservations.filter((r) => r._tag === "OverBudget").every((r) => r.spentUsd === 10)).toBe(true)
      expect(yield* cs[1]!.spent(WALLET)).toBe(10)
      expect(yield* cs[2]!.unreserve(WALLET, 2.5)).toBe(7.5)
      expect(yield* cs[0]!.reserve(WALLET, 2.51, 10)).toEqual({ _tag: "OverBudget", spentUsd: 7.5 })
      expect(yield* cs[0]!.reserve(WALLET, 2.5, 10)).toEqual({ _tag: "Reserved", spentUsd: 10 })
      // one key per wallet, namespaced, expiring (retention: 7 days by default)
      const client = yield* inspector(url)
      expect(yield* Effect.promise(() => client.keys(`${prefix}*`))).toEqual([`${prefix}topup:${WALLET}`])
      const ttl = yield* Effect.promise(() => client.pttl(`${prefix}topup:${WALLET}`))
      expect(ttl).toBeGreaterThan(6 * 86_400_000)
      expect(ttl).toBeLessThanOrEqual(7 * 86_400_000 + 60_000)
    }))

  it.scopedLive("an unconfirmed payment is the fleet's: recorded once (the first wins), settled by id, its amount given back atomically when it never landed (Redis and memory alike)", () =>
    Effect.gen(function*() {
      const url = yield* redisUrl
      const prefix = uniquePrefix("unconfirmed")
      const payment = (id: string, amountUsd: number): TopUpCoordinator.UnconfirmedPayment => ({
        id,
        amountUsd,
        validBefore: 1_763_813_100_000,
        submittedAt: 1_763_812_800_000,
        mark: { id: "tx-1", createdAt: "2025-11-22T12:00:00.000Z" }
      })
      const memory = TopUpCoordinator.makeMemory()
      const pairs = [
        [yield* coordinator(url, prefix), yield* coordinator(url, prefix)],
        [memory, memory]
      ] as const
      for (const [a, b] of pairs) {
        expect(yield* a.unconfirmed(WALLET)).toBeUndefined()
        expect(yield* a.reserve(WALLET, 10, 50)).toEqual({ _tag: "Reserved", spentUsd: 10 })
        expect(yield* a.markUnconfirmed(WALLET, payment("A#1", 10))).toEqual(payment("A#1", 10))
        // another process sees it, and cannot record a second one
        expect(yield* b.unconfirmed(WALLET)).toEqual(payment("A#1", 10))
        expect(yield* b.markUnconfirmed(WALLET, payment("B#1", 7))).toEqual(payment("A#1", 10))
        // settling another id is ignored
        expect(yield* b.resolveUnconfirmed(WALLET, "B#1", "absent")).toBe(10)
        expect(yield* a.unconfirmed(WALLET)).toEqual(payment("A#1", 10))
        // it never landed: removed, and its $10 given back in the same step
        expect(yield* b.resolveUnconfirmed(WALLET, "A#1", "absent")).toBe(0)
        expect(yield* a.unconfirmed(WALLET)).toBeUndefined()
        expect(yield* a.spent(WALLET)).toBe(0)
        // landed: removed, the amount stays spent; settling it twice changes nothing
        yield* a.reserve(WALLET, 5, 50)
        yield* a.markUnconfirmed(WALLET, payment("A#2", 5))
        expect(yield* b.resolveUnconfirmed(WALLET, "A#2", "landed")).toBe(5)
        expect(yield* a.resolveUnconfirmed(WALLET, "A#2", "absent")).toBe(5)
        expect(yield* b.unconfirmed(WALLET)).toBeUndefined()
        // a Solana payment keeps its expiry by block height for every process
        const solana = { ...payment("A#3", 5), lastValidBlockHeight: 312_000_150 }
        yield* a.reserve(WALLET, 5, 50)
        yield* a.markUnconfirmed(WALLET, solana)
        expect(yield* b.unconfirmed(WALLET)).toEqual(solana)
        expect(yield* b.resolveUnconfirmed(WALLET, "A#3", "absent")).toBe(5)
      }
    }))

  it.scopedLive(
    "two payment stacks on one wallet (as two processes): concurrent 402s in both → ONE payment; the budget is shared",
    () =>
      Effect.gen(function*() {
        const url = yield* redisUrl
        const prefix = uniquePrefix("stacks")
        const key = generatePrivateKey()
        const address = privateKeyToAccount(key).address
        const emu = yield* Emulator.make({ x402: { wallets: { [address]: 0 } } })
        const stack = () =>
          PaymentPolicy.layerClient().pipe(
            Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 15, baseUrl: emu.baseUrl })),
            Layer.provide(VeniceWallet.layer({ privateKey: Redacted.make(key) })),
            Layer.provide(RedisFleet.layer({ url, keyPrefix: prefix, pollInterval: "50 millis" })),
            Layer.provide(NodeHttpClient.layerUndici)
          )
        const [a, b] = yield* Effect.all([Layer.build(stack()), Layer.build(stack())])
        const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
        const calls = (context: typeof a) =>
          Effect.all(Array.from({ length: 8 }, () => Chat.completions(hello)), { concurrency: "unbounded" }).pipe(
            Effect.provide(context)
          )
        const results = yield* Effect.all([calls(a), calls(b)], { concurrency: "unbounded" })
        expect(results.flat()).toHaveLength(16)
        const view = yield* emu.wallet(address)
        expect(view.payments).toMatchObject([{ amountUsd: 10, status: "credited" }])
        expect(yield* emu.count({ route: "x402/top-up", status: 200 })).toBe(1)
        expect(yield* emu.count({ status: 429 })).toBe(0) // the 5-in-flight limit is shared too
        // one budget: B sees A's payment (whichever paid), and $5 are left for both
        const spent = yield* Effect.all(
          [a, b].map((c) => Effect.provide(Effect.flatMap(PaymentPolicy.PaymentPolicy, (p) => p.spentUsd), c))
        )
        expect(spent).toEqual([10, 10])
        const refused = yield* Effect.flip(
          Effect.provide(Effect.flatMap(PaymentPolicy.PaymentPolicy, (p) => p.topUp(6)), b)
        )
        expect(refused).toMatchObject({ _tag: "PaymentRefusedError", reason: "budget-exhausted", spentUsd: 10 })
      }),
    30_000
  )

  it.scopedLive(
    "two payment stacks: A's payment answer is lost → B signs nothing, waits for the ledger, and goes on once it shows the payment",
    () =>
      Effect.gen(function*() {
        const url = yield* redisUrl
        const prefix = uniquePrefix("lost")
        const key = generatePrivateKey()
        const address = privateKeyToAccount(key).address
        const emu = yield* Emulator.make({ x402: { wallets: { [address]: 0 } } })
        // every answer to the signed payment is lost; the first submission is forwarded 1.5 s later
        yield* emu.script(
          { route: "x402/top-up", paying: true },
          20,
          Faults.lostAnswer(1_500, "reset", { answerAfter: 0 })
        )
        const stack = (wait: Duration.DurationInput) =>
          PaymentPolicy.layerClient().pipe(
            Layer.provideMerge(PaymentPolicy.layer({
              maxPerPaymentUsd: 10,
              budgetUsd: 15,
              baseUrl: emu.baseUrl,
              timeout: "1 second",
              settlement: { wait, poll: "200 millis", retries: 1 }
            })),
            Layer.provide(VeniceWallet.layer({ privateKey: Redacted.make(key) })),
            Layer.provide(RedisFleet.layer({ url, keyPrefix: prefix, pollInterval: "50 millis" })),
            Layer.provide(NodeHttpClient.layerUndici)
          )
        const a = yield* Layer.build(stack("300 millis"))
        const b = yield* Layer.build(stack("10 seconds"))
        const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
        const lost = yield* Effect.flip(Effect.provide(Chat.completions(hello), a))
        expect(lost).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          fundsMayHaveMoved: true
        })
        const unconfirmed = yield* Effect.provide(
          Effect.flatMap(PaymentPolicy.PaymentPolicy, (p) => p.unconfirmedUsd),
          b
        )
        expect(unconfirmed).toBe(10) // B, another process, sees A's unknown payment
        yield* Effect.provide(Chat.completions(hello), b) // waits for the ledger, then goes on
        expect(yield* emu.count({ route: "x402/top-up", status: 402 })).toBe(1) // one discovery: one signature
        const view = yield* emu.wallet(address)
        expect(view.transactions.filter((t) => t.type === "TOP_UP")).toHaveLength(1)
        const books = yield* Effect.all([a, b].map((c) =>
          Effect.provide(
            Effect.flatMap(PaymentPolicy.PaymentPolicy, (p) => Effect.all([p.spentUsd, p.unconfirmedUsd])),
            c
          )
        ))
        expect(books).toEqual([[10, 0], [10, 0]])
      }),
    30_000
  )
})
