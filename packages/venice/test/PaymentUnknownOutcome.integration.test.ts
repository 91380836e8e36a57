/**
 * Issue 13 #4 (regression, over loopback against the emulator): a top-up whose answer is lost is an unknown outcome,
 * never "no funds moved". A proxy forwards the signed payment late and loses Venice's answer (silence, a reset, an HTML
 * 502): the SDK reports `TopUpFailedError` `settlement-unconfirmed` with `fundsMayHaveMoved: true` (or, when the ledger
 * shows the payment while the call waits, goes on), keeps the amount reserved as unconfirmed, and signs no new payment
 * for the wallet until the ledger settles the question. At 8cb3725 the same runs paid twice.
 *
 * Also issue 17's rule: the plain `Insufficient USD or Diem balance…` 402 of a wallet above the $0.10 floor (a job
 * that costs more than it holds) is paid within the caps, then retried.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import * as Video from "../src/Video.js"
import { drive as driveClock } from "./support.js"
import { controlledChain, hello, walletLayer } from "./walletSupport.js"

/** A stalled attempt is declared after 1.5 real seconds (the emulator's first EIP-712 check can take a few hundred ms). */
const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 1_500, ...options })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

const topUps = (address: string) =>
  Effect.flatMap(
    VeniceEmulator,
    (emu) =>
      Effect.map(emu.wallet(address), (w) => w.transactions.filter((t) => t.type === "TOP_UP").map((t) => t.amount))
  )

/** x402 requests time out after 1 s; 3 resubmissions of a payment (0.5 s, 1 s, 2 s apart). */
const lostAnswerLayer = () =>
  walletLayer({
    payments: {
      maxPerPaymentUsd: 10,
      budgetUsd: 50,
      timeout: "1 second",
      settlement: { wait: "2 minutes", poll: "2 seconds", retries: 3 }
    }
  })

describe("issue 13 #4: a top-up whose answer is lost is an unknown outcome", () => {
  for (const answer of ["silence", "reset", "html-502"] as const) {
    const t = lostAnswerLayer()
    it.scoped(
      `a payment forwarded 8 s late, its answers lost (${answer}) ×5: one credit; the SDK waits for the ledger and never signs again`,
      () =>
        Effect.gen(function*() {
          const emu = yield* VeniceEmulator
          const payments = yield* PaymentPolicy.PaymentPolicy
          // every submission of the signed payment is forwarded 8 s late and its answer lost; a reset or a 502 comes back
          // at once (a proxy that gave up), silence never does
          yield* emu.script(
            { route: "x402/top-up", paying: true },
            5,
            Faults.lostAnswer(8_000, answer, answer === "silence" ? {} : { answerAfter: 0 })
          )
          const first = yield* drive(Chat.completions(hello))
          const second = yield* drive(Chat.completions(hello))
          yield* TestClock.adjust("10 minutes") // every forward has happened; the authorization has expired
          // one credit: at 8cb3725 the first call gave up ("no funds moved"), the second signed a new payment, and the
          // late forward of the first landed too — [10, 10]
          expect(yield* topUps(t.address)).toEqual([10])
          // the first submission lands at 8 s; the call waited for the ledger (not for a new payment) and went on
          expect(Exit.isSuccess(first)).toBe(true)
          const log = (yield* emu.requests).map((r) => `${r.status} ${r.method} ${r.route}`)
          expect(log.filter((line) => line === "402 POST x402/top-up")).toHaveLength(1) // one discovery: one signature
          expect(log).toContain("200 GET x402/transactions") // the ledger settled it
          // the second call needed no payment: the wallet holds the $10
          expect(Exit.isSuccess(second)).toBe(true)
          expect((yield* emu.wallet(t.address)).payments).toMatchObject([{ amountUsd: 10, status: "credited" }])
          expect(yield* payments.spentUsd).toBe(10) // = the ledger
          expect(yield* payments.unconfirmedUsd).toBe(0)
        }).pipe(Effect.provide(t.layer)),
      60_000
    )
  }

  {
    const t = walletLayer({
      payments: {
        maxPerPaymentUsd: 10,
        budgetUsd: 50,
        timeout: "1 second",
        settlement: { wait: "5 seconds", poll: "2 seconds", retries: 3 }
      }
    })
    it.scoped(
      "the ledger does not show it within the call's wait: TopUpFailedError(settlement-unconfirmed, fundsMayHaveMoved), no second payment",
      () =>
        Effect.gen(function*() {
          const emu = yield* VeniceEmulator
          const payments = yield* PaymentPolicy.PaymentPolicy
          // forwarded 60 s late: the call's 5 s wait ends long before the ledger can show it
          yield* emu.script(
            { route: "x402/top-up", paying: true },
            20,
            Faults.lostAnswer(60_000, "reset", { answerAfter: 0 })
          )
          const first = failureOf(yield* drive(Chat.completions(hello)))
          expect(first).toMatchObject({
            _tag: "TopUpFailedError",
            reason: "settlement-unconfirmed",
            fundsMayHaveMoved: true,
            amountUsd: 10
          })
          expect(yield* payments.spentUsd).toBe(10) // kept reserved
          expect(yield* payments.unconfirmedUsd).toBe(10)
          // the next call signs nothing new: it waits for the ledger (bounded) and is refused
          const second = failureOf(yield* drive(Chat.completions(hello)))
          expect(second).toMatchObject({ _tag: "PaymentRefusedError", reason: "settlement-pending", amountUsd: 10 })
          expect(yield* emu.count({ route: "x402/top-up", status: 402 })).toBe(1) // one discovery, one signature
          // the forward lands at 60 s: the ledger shows it, and the question is settled
          yield* TestClock.adjust("1 minute")
          expect(yield* payments.reconcile).toEqual({ _tag: "Landed", amountUsd: 10 })
          expect(yield* payments.unconfirmedUsd).toBe(0)
          expect(yield* payments.spentUsd).toBe(10)
          expect(yield* topUps(t.address)).toEqual([10])
          const third = yield* drive(Chat.completions(hello))
          expect(Exit.isSuccess(third)).toBe(true)
          expect(yield* topUps(t.address)).toEqual([10])
        }).pipe(Effect.provide(t.layer)),
      60_000
    )
  }

  {
    // two policies sharing one coordinator: two processes of a fleet, as far as the state is concerned
    const t = walletLayer({
      payments: {
        maxPerPaymentUsd: 10,
        budgetUsd: 50,
        timeout: "1 second",
        settlement: { wait: "800 millis", poll: "2 seconds", retries: 1 }
      }
    })
    const shared = Layer.provideMerge(t.layer, PaymentPolicy.layerMemoryCoordinator)
    it.scoped(
      "the unknown outcome is the fleet's: another policy on the same coordinator signs nothing and waits for the ledger",
      () =>
        Effect.gen(function*() {
          const emu = yield* VeniceEmulator
          const a = yield* PaymentPolicy.PaymentPolicy
          yield* emu.script(
            { route: "x402/top-up", paying: true },
            20,
            Faults.lostAnswer(20_000, "reset", { answerAfter: 0 })
          )
          const lost = failureOf(yield* drive(Chat.completions(hello)))
          expect(lost).toMatchObject({
            _tag: "TopUpFailedError",
            reason: "settlement-unconfirmed",
            fundsMayHaveMoved: true
          })
          // process B: its own policy (own signed payments, own in-process state), the same coordinator
          const b = yield* PaymentPolicy.make({
            maxPerPaymentUsd: 10,
            budgetUsd: 50,
            baseUrl: emu.baseUrl,
            timeout: "1 second",
            settlement: { wait: "1 minute", poll: "2 seconds" }
          })
          expect(yield* b.unconfirmedUsd).toBe(10)
          const viaB = yield* drive(b.topUp(5))
          // B cannot resubmit A's payment; it reads the ledger until A's payment shows up (20 s), then pays its own $5
          expect(Exit.isSuccess(viaB)).toBe(true)
          expect(yield* emu.count({ route: "x402/top-up", status: 402 })).toBe(2) // A's discovery, then B's after it landed
          expect(yield* topUps(t.address)).toEqual([10, 5])
          expect(yield* a.spentUsd).toBe(15)
          expect(yield* b.unconfirmedUsd).toBe(0)
        }).pipe(Effect.provide(shared)),
      60_000
    )
  }
})

describe("issue 13 #4 on Solana: a payment expires by block height, which only the chain can tell", () => {
  const chain = controlledChain()
  const t = walletLayer({
    chain: "solana",
    solanaRpc: chain.rpc,
    payments: {
      maxPerPaymentUsd: 10,
      budgetUsd: 50,
      timeout: "1 second",
      settlement: { wait: "5 seconds", poll: "2 seconds", retries: 1, landingGrace: "2 minutes" }
    }
  })
  it.scoped(
    "lost before Venice saw it: unknown while the chain lags or cannot be read, released once it is past the height",
    () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        // the signed payment never reaches Venice, but the client cannot know: a reset after it was sent
        yield* emu.script({ route: "x402/top-up", paying: true }, 20, Faults.resetBeforeHeaders)
        const lost = failureOf(yield* drive(Chat.completions(hello)))
        expect(lost).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          fundsMayHaveMoved: true
        })
        expect(yield* payments.unconfirmedUsd).toBe(10)

        // long past maxTimeoutSeconds (300 s) and the grace: a Base authorization would have expired by now, but this
        // chain has not passed the payment's lastValidBlockHeight — the transaction could still land
        chain.control.blockHeight = "lagging"
        yield* TestClock.adjust("20 minutes")
        expect(yield* payments.reconcile).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
        const refused = failureOf(yield* drive(Chat.completions(hello)))
        expect(refused).toMatchObject({ _tag: "PaymentRefusedError", reason: "settlement-pending", amountUsd: 10 })
        expect(refused.message).toContain(`once the chain is past block ${chain.control.lastValid}`)
        // the chain cannot be read: still unknown, never "expired"
        chain.control.blockHeight = "refused"
        expect(yield* payments.reconcile).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
        expect(yield* payments.unconfirmedUsd).toBe(10)
        expect(yield* emu.count({ route: "x402/top-up", status: 402 })).toBe(1) // one discovery: one signature

        // the chain is past the height: the landing grace runs from now, then the ledger's silence releases it
        chain.control.blockHeight = "forward"
        expect(yield* payments.reconcile).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
        yield* TestClock.adjust("2 minutes")
        expect(yield* payments.reconcile).toEqual({ _tag: "Released", amountUsd: 10 })
        expect(yield* payments.unconfirmedUsd).toBe(0)
        expect(yield* payments.spentUsd).toBe(0)
        expect(chain.control.heightReads).toBeGreaterThanOrEqual(3)
        // a new payment may be signed: one credit in all
        yield* emu.clearFaults
        expect(Exit.isSuccess(yield* drive(Chat.completions(hello)))).toBe(true)
        expect(yield* topUps(t.address)).toEqual([10])
      }).pipe(Effect.provide(t.layer)),
    60_000
  )
})

describe("issue 17: the plain insufficient-balance 402 of a wallet above the floor", () => {
  const t = walletLayer({ balanceUsd: 0.3, payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
  it.scoped("a video job above the wallet's $0.30 → plain 402 → one top-up within the caps → retried → queued", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      const exit = yield* drive(
        Video.queue({
          model: "wan-2.5-preview-text-to-video",
          prompt: "Venice at dawn",
          duration: "5s",
          aspect_ratio: "16:9"
        })
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      const log = (yield* emu.requests).map((r) => `${r.status} ${r.method} ${r.route}`)
      expect(log[0]).toBe("402 POST video/queue")
      expect(log.at(-1)).toBe("200 POST video/queue")
      expect(yield* topUps(t.address)).toEqual([10])
      expect(yield* payments.spentUsd).toBe(10)
    }).pipe(Effect.provide(t.layer)))
})
