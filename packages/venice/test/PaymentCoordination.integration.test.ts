/**
 * The payment policy's coordination paths against the emulator, with coordinators that behave like a fleet's (a lock
 * held by another owner, leases): the bounded lock wait (W1), lease renewal while a top-up runs, a top-up made by
 * another policy of the wallet (the generation moved: no second payment when the balance suffices), `reconcile`
 * while another process holds the lock, and the settlement option bounds.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import { drive as driveClock } from "./support.js"
import { hello, walletLayer } from "./walletSupport.js"

const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 2_000, ...options })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

/** A memory coordinator with leases, recording who asked for the lock and when (as a Redis one would be used). */
const leasedCoordinator = (ttl: Duration.DurationInput) => {
  const inner = PaymentPolicy.makeMemoryCoordinator()
  const acquires: Array<{ readonly owner: string; readonly at: number }> = []
  const service: PaymentPolicy.CoordinatorService = {
    ...inner,
    acquire: (wallet, owner, now, ttlMillis) =>
      Effect.zipRight(
        Effect.sync(() => acquires.push({ owner, at: now })),
        inner.acquire(wallet, owner, now, ttlMillis)
      ),
    lease: { ttl: Duration.decode(ttl), pollInterval: Duration.millis(100) }
  }
  return { service, acquires }
}

describe("PaymentPolicy coordination", () => {
  {
    const coordinator = leasedCoordinator("3 seconds")
    const t = walletLayer({
      payments: { maxPerPaymentUsd: 10, budgetUsd: 50, settlement: { lockWait: "2 seconds" } }
    })
    const layer = Layer.provideMerge(t.layer, Layer.succeed(PaymentPolicy.Coordinator, coordinator.service))
    it.scoped("W1: another process holds the wallet's lock past lockWait → PaymentRefusedError(lock-timeout), nothing paid", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        const now = yield* TestClock.currentTimeMillis
        // "another process" took the lock (a lease of an hour)
        yield* coordinator.service.acquire(`wallet:${t.address.toLowerCase()}`, "other-process", now, 3_600_000)
        const started = yield* TestClock.currentTimeMillis
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "lock-timeout" })
        const waited = (yield* TestClock.currentTimeMillis) - started
        expect(waited).toBeGreaterThanOrEqual(2_000)
        expect(waited).toBeLessThan(2_200) // polled every 100 ms, up to lockWait
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(0)
        // reconcile cannot take the lock either: it says what is recorded (nothing) after lockWait
        expect(yield* drive(payments.reconcile)).toEqual(Exit.succeed({ _tag: "Nothing" }))
      }).pipe(Effect.provide(layer)))
  }

  {
    const coordinator = leasedCoordinator("3 seconds")
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, timeout: "20 seconds" } })
    const layer = Layer.provideMerge(t.layer, Layer.succeed(PaymentPolicy.Coordinator, coordinator.service))
    it.scoped("the holder renews its lease every third of its TTL while a slow top-up runs", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        // the payment takes 10 s to settle: the 3 s lease must be renewed meanwhile
        yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.delay(10_000))
        // the top-up is in flight while time moves: each step waits for 300 real ms of quiet
        const exit = yield* driveClock(Chat.completions(hello), { stallAfter: 300 })
        expect(Exit.isSuccess(exit)).toBe(true)
        const owners = new Set(coordinator.acquires.map((a) => a.owner))
        expect(owners.size).toBe(1) // one top-up, one owner
        const times = coordinator.acquires.map((a) => a.at)
        const gaps = times.slice(1).map((at, i) => at - times[i]!)
        expect(times.length).toBeGreaterThanOrEqual(4) // taken, then renewed at 1 s, 2 s … while the payment settles
        expect(gaps.every((gap) => gap <= 1_000)).toBe(true)
      }).pipe(Effect.provide(layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    const layer = Layer.provideMerge(t.layer, PaymentPolicy.layerMemoryCoordinator)
    it.scoped("another policy of the wallet topped up meanwhile (the generation moved): the balance suffices, nothing paid", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const a = yield* PaymentPolicy.PaymentPolicy
        const b = yield* PaymentPolicy.make({ maxPerPaymentUsd: 10, budgetUsd: 50, baseUrl: emu.baseUrl })
        // B pays (the shared generation moves); A has not coordinated a top-up since
        yield* drive(b.topUp(10))
        // A's call: answered 402 (as if sent before B's credit), A takes the lock, sees the generation moved, and the
        // balance says the wallet can be served: no payment
        yield* emu.script({ route: "chat/completions" }, 1, Faults.error("PAYMENT_REQUIRED"))
        const exit = yield* drive(Chat.completions(hello))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect((yield* emu.wallet(t.address)).transactions.filter((x) => x.type === "TOP_UP")).toHaveLength(1)
        expect(yield* a.spentUsd).toBe(10) // the fleet's one budget
      }).pipe(Effect.provide(layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("manual top-ups: a non-positive or non-finite amount is refused; above the cap is refused; nothing is sent", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        for (const amount of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
          expect(yield* Effect.flip(payments.topUp(amount))).toMatchObject({
            _tag: "PaymentRefusedError",
            reason: "per-payment-cap"
          })
        }
        expect(yield* Effect.flip(payments.topUp(10.5))).toMatchObject({
          _tag: "PaymentRefusedError",
          reason: "per-payment-cap",
          amountUsd: 10.5,
          maxPerPaymentUsd: 10
        })
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(0)
        // cents: $7.239 is paid as $7.23
        const paid = yield* drive(payments.topUp(7.239))
        expect(Exit.isSuccess(paid) && paid.value._tag === "Credited" && paid.value.receipt.amountCredited).toBe(7.23)
        expect(yield* payments.spentUsd).toBe(7.23)
      }).pipe(Effect.provide(t.layer)))
  }

  it.effect("settings: caps and budgets must be positive finite numbers", () =>
    Effect.gen(function*() {
      for (
        const bad of [{ maxPerPaymentUsd: 0, budgetUsd: 5 }, { maxPerPaymentUsd: 5, budgetUsd: -1 }, {
          maxPerPaymentUsd: Number.NaN,
          budgetUsd: 5
        }, { maxPerPaymentUsd: 5, budgetUsd: Number.POSITIVE_INFINITY }]
      ) {
        const error = yield* Effect.flip(
          Effect.scoped(PaymentPolicy.make(bad)).pipe(Effect.provide(walletLayer({ payments: false }).layer))
        )
        expect(error).toMatchObject({ _tag: "PaymentSettingsError" })
      }
    }))
})
