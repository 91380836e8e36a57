/**
 * The payment policy's money rules over loopback against the emulator, on the TestClock: a payment whose answer is
 * lost and that the ledger shows (or that lands later, or never), the bounds of the waits and their defaults, a
 * rejected payment given back, a ledger that cannot be read before signing, a reservation the shared budget refuses,
 * the plain insufficient-balance 402 of the wallet's own request, and the layer's settings. Written from the surviving
 * mutants of `PaymentPolicy.ts` (docs/testing.md "Mutation testing"): each test says what it pins.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as ClientError from "@venice-effect/core/ClientError"
import * as TopUpCoordinator from "@venice-effect/core/TopUpCoordinator"
import * as X402 from "@venice-effect/core/X402"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import type * as RetryPolicy from "../src/RetryPolicy.js"
import * as VeniceError from "../src/VeniceError.js"
import * as VeniceWallet from "../src/VeniceWallet.js"
import { drive as driveClock, failureOf, recordingTracer } from "./support.js"
import { controlledChain, hello, throwawayKey, walletLayer } from "./walletSupport.js"

/**
 * `drive` with a long stall threshold: under load (these tests run for every mutant) the emulator's EIP-712 check can
 * take seconds of real time, which must not be taken for a stalled request (time would jump to its timeout).
 */
const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 5_000, ...options })

/** The amounts of the wallet's `TOP_UP` entries on the emulator, oldest first. */
const topUps = (address: string) =>
  Effect.flatMap(
    VeniceEmulator,
    (emu) =>
      Effect.map(emu.wallet(address), (w) => w.transactions.filter((t) => t.type === "TOP_UP").map((t) => t.amount))
  )

/** Discoveries (unpaid `POST /x402/top-up`, answered 402): one per signed payment. */
const discoveries = Effect.flatMap(VeniceEmulator, (emu) => emu.count({ route: "x402/top-up", status: 402 }))

/** Every submission of a payment (20 of them) is forwarded `forwardAfter` ms late and its answer reset at once. */
const loseAnswers = (forwardAfter: number) =>
  Effect.flatMap(
    VeniceEmulator,
    (emu) =>
      emu.script(
        { route: "x402/top-up", paying: true },
        20,
        Faults.lostAnswer(forwardAfter, "reset", { answerAfter: 0 })
      )
  )

/** A wallet whose policy shares `coordinator` (so the test can read what it records), x402 requests timing out in 1 s. */
const withCoordinator = (
  payments: Partial<PaymentPolicy.Options>,
  coordinator: TopUpCoordinator.Service = TopUpCoordinator.makeMemory()
) => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, timeout: "1 second", ...payments } })
  return {
    ...t,
    coordinator,
    layer: Layer.provideMerge(t.layer, Layer.succeed(TopUpCoordinator.TopUpCoordinator, coordinator))
  }
}

describe("PaymentPolicy: a payment whose answer is lost", () => {
  {
    const t = withCoordinator({ settlement: { wait: "1 minute", poll: "2 seconds", retries: 1 } })
    it.scoped("the ledger shows it while the top-up waits: InLedger, spent = the ledger, nothing left unconfirmed", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        // every submission is forwarded 2 s late (the first one credits it) and its answer reset at once
        yield* loseAnswers(2_000)
        const tracing = recordingTracer()
        const exit = yield* drive(payments.topUp(10).pipe(Effect.withTracer(tracing.tracer)))
        if (Exit.isFailure(exit)) throw new Error("expected the ledger to settle it")
        expect(exit.value).toMatchObject({ _tag: "InLedger", amountUsd: 10, entry: { type: "TOP_UP", amount: 10 } })
        // what telemetry sees: the top-up's span and its events, the settlement's lost answer, the discovery's request
        const identity = (yield* VeniceWallet.VeniceWallet).identity
        const span = (name: string) => tracing.records.find((r) => r.name === name)
        expect(span("venice.x402.top-up")?.attributes).toMatchObject({
          "venice.identity": identity,
          "payment.manual": true
        })
        expect(span("venice.x402.top-up")?.events).toEqual([
          {
            name: "payment.unconfirmed",
            attributes: {
              "venice.identity": identity,
              "payment.amount_usd": 10,
              "payment.valid_before": expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/)
            }
          },
          {
            name: "payment.unconfirmed.landed",
            attributes: { "venice.identity": identity, "payment.amount_usd": 10 }
          }
        ])
        expect(span("venice.x402.settle")?.attributes).toMatchObject({
          "venice.identity": identity,
          "x402.settlement": "answer-lost"
        })
        expect(span("venice.x402.top-up.discover")?.attributes).toMatchObject({
          "http.request.method": "POST",
          "url.full": `${emu.baseUrl}/x402/top-up`,
          "venice.identity": identity
        })
        expect(span("venice.x402.ledger")?.attributes).toMatchObject({ "venice.identity": identity })
        expect(yield* topUps(t.address)).toEqual([10])
        expect(yield* payments.spentUsd).toBe(10)
        expect(yield* payments.unconfirmedUsd).toBe(0)
        expect(yield* discoveries).toBe(1)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = withCoordinator({ settlement: { wait: "1 second", poll: "2 seconds", retries: 1 } })
    it.scoped("it lands after the call gave up: the next manual top-up settles it first (landed), then pays its own", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* loseAnswers(5_000)
        const lost = failureOf(yield* drive(payments.topUp(10)))
        expect(lost).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          fundsMayHaveMoved: true,
          mayStillLand: true,
          amountUsd: 10
        })
        expect(lost).not.toHaveProperty("paymentRequired") // a manual top-up answers no 402
        expect(yield* payments.spentUsd).toBe(10)
        expect(yield* payments.unconfirmedUsd).toBe(10)
        yield* TestClock.adjust("10 seconds") // the first forward lands
        yield* emu.clearFaults
        const own = yield* drive(payments.topUp(5))
        if (Exit.isFailure(own)) throw new Error("expected the second top-up to be credited")
        expect(own.value._tag === "Credited" && own.value.receipt.amountCredited).toBe(5)
        expect(yield* topUps(t.address)).toEqual([10, 5])
        expect(yield* payments.spentUsd).toBe(15)
        expect(yield* payments.unconfirmedUsd).toBe(0)
        expect(yield* discoveries).toBe(2)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = withCoordinator({
      settlement: { wait: "1 second", poll: "2 seconds", retries: 0, landingGrace: "1 minute" }
    })
    it.scoped("it never lands: unknown until validBefore + landingGrace to the millisecond, then released; refusals say by when", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const wallet = yield* VeniceWallet.VeniceWallet
        const payments = yield* PaymentPolicy.PaymentPolicy
        // the signed payment never reaches Venice, but the client cannot know
        yield* emu.script({ route: "x402/top-up", paying: true }, 50, Faults.resetBeforeHeaders)
        const lost = failureOf(yield* drive(payments.topUp(10)))
        expect(lost).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          fundsMayHaveMoved: true
        })
        const held = yield* t.coordinator.unconfirmed(wallet.identity)
        if (held === undefined) throw new Error("expected the payment to be recorded as unconfirmed")
        expect(held).toMatchObject({ amountUsd: 10 })
        expect(held.validBefore).toBeGreaterThan(held.submittedAt) // its EIP-3009 validBefore
        const decidedBy = held.validBefore + 60_000
        expect(yield* payments.reconcile).toEqual({ _tag: "Unknown", amountUsd: 10, decidedBy })

        // a call's 402 meanwhile: no new signature; refused once its wait is over, saying when it will be known
        const tracing402 = recordingTracer()
        const asked = yield* Clock.currentTimeMillis
        const submitted = yield* emu.count({ route: "x402/top-up" })
        const refused = failureOf(yield* drive(Chat.completions(hello).pipe(Effect.withTracer(tracing402.tracer))))
        // looked at when the 402 came and when the 1 s wait ended (each look resubmits it: it is still valid)
        expect((yield* Clock.currentTimeMillis) - asked).toBe(1_000)
        expect((yield* emu.count({ route: "x402/top-up" })) - submitted).toBe(2)
        const decision = tracing402.records.find((r) => r.name === "venice.x402.payment")
        expect(decision?.attributes).toMatchObject({
          "venice.identity": wallet.identity,
          "venice.code": "PAYMENT_REQUIRED"
        })
        expect(decision?.events).toEqual([{
          name: "payment.refused",
          attributes: { "payment.error": "PaymentRefusedError", "payment.reason": "settlement-pending" }
        }])
        expect(refused).toMatchObject({
          _tag: "PaymentRefusedError",
          reason: "settlement-pending",
          amountUsd: 10,
          spentUsd: 10,
          budgetUsd: 50,
          maxPerPaymentUsd: 10,
          method: "POST",
          attempt: 1
        })
        expect(refused.message).toContain(`(by ${new Date(decidedBy).toISOString()} at the latest)`)
        expect(refused._tag === "PaymentRefusedError" && refused.cause?._tag).toBe("VenicePaymentRequiredError")
        expect(yield* discoveries).toBe(1)

        yield* TestClock.setTime(decidedBy - 1)
        expect(yield* payments.reconcile).toEqual({ _tag: "Unknown", amountUsd: 10, decidedBy })
        expect(yield* payments.unconfirmedUsd).toBe(10)
        yield* TestClock.setTime(decidedBy)
        // expired: never resubmitted again; a ledger that cannot be read proves nothing
        const sent = yield* emu.count({ route: "x402/top-up" })
        yield* emu.script({ route: "x402/transactions" }, 3, Faults.htmlPage(503))
        expect(yield* drive(payments.reconcile)).toEqual(Exit.succeed({ _tag: "Unknown", amountUsd: 10, decidedBy }))
        expect(yield* payments.unconfirmedUsd).toBe(10)
        yield* TestClock.setTime(decidedBy)
        const tracing = recordingTracer()
        expect(yield* payments.reconcile.pipe(Effect.withSpan("reconcile"), Effect.withTracer(tracing.tracer))).toEqual(
          { _tag: "Released", amountUsd: 10 }
        )
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(sent)
        expect(tracing.records.find((r) => r.name === "reconcile")?.events).toEqual([{
          name: "payment.unconfirmed.released",
          attributes: { "venice.identity": wallet.identity, "payment.amount_usd": 10 }
        }])
        expect(yield* payments.spentUsd).toBe(0)
        expect(yield* payments.unconfirmedUsd).toBe(0)
        expect(yield* payments.reconcile).toEqual({ _tag: "Nothing" })
        expect(yield* topUps(t.address)).toEqual([])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = withCoordinator({
      settlement: { wait: "10 minutes", poll: "1 minute", retries: 0, landingGrace: "0 seconds" }
    })
    it.scoped("it expires while the top-up waits: the look lands on validBefore itself, released, settlement-failed", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* emu.script({ route: "x402/top-up", paying: true }, 50, Faults.resetBeforeHeaders)
        const start = yield* Clock.currentTimeMillis
        const error = failureOf(yield* drive(payments.topUp(10)))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-failed",
          fundsMayHaveMoved: false,
          amountUsd: 10
        })
        expect(error.message).toBe(
          "the payment of $10 expired without being credited (the ledger does not show it): no funds moved"
        )
        expect(yield* payments.spentUsd).toBe(0)
        expect(yield* payments.unconfirmedUsd).toBe(0)
        // the ledger reads: the mark, then a look every minute, the last one at the authorization's validBefore (whole
        // seconds: where the landing grace of 0 s ends), not at the next poll
        const reads = (yield* emu.requests).filter((r) => r.route === "x402/transactions").map((r) => r.at)
        const last = reads.at(-1)!
        expect(last % 1000).toBe(0)
        expect(last - start).toBeGreaterThan(240_000)
        // validBefore is 300 s after the signature, on the signer's (real) clock, a few seconds ahead of the TestClock
        expect(last - start).toBeLessThanOrEqual(330_000)
        expect((yield* Clock.currentTimeMillis) - start).toBeLessThan(600_000)
        // resubmitted at the looks before validBefore, not at the one on validBefore: expired, it cannot be executed
        const submitted = (yield* emu.requests).filter((r) => r.route === "x402/top-up" && r.status !== 402)
        expect(submitted.length).toBeGreaterThan(1)
        expect(Math.max(...submitted.map((r) => r.at))).toBeLessThan(last)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = withCoordinator({ settlement: { wait: "1 minute", poll: "2 seconds", retries: 0 } })
    it.scoped("the look resubmits it and is answered this time: Credited with Venice's receipt, not read from the ledger", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        // the first submission is forwarded at once and its answer lost; the resubmission is answered
        yield* emu.script(
          { route: "x402/top-up", paying: true },
          1,
          Faults.lostAnswer(0, "reset", { answerAfter: 0 })
        )
        const tracing = recordingTracer()
        const exit = yield* drive(payments.topUp(10).pipe(Effect.withTracer(tracing.tracer)))
        if (Exit.isFailure(exit)) throw new Error("expected the resubmission to settle it")
        expect(exit.value).toMatchObject({ _tag: "Credited", receipt: { amountCredited: 10 } })
        expect(tracing.records.find((r) => r.name === "venice.x402.top-up")?.events).toMatchObject([
          { name: "payment.unconfirmed" },
          { name: "payment.unconfirmed.landed" }
        ])
        expect((yield* emu.wallet(t.address)).payments).toMatchObject([{ status: "credited", submissions: 2 }])
        expect(yield* topUps(t.address)).toEqual([10])
        expect(yield* payments.spentUsd).toBe(10)
        expect(yield* payments.unconfirmedUsd).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }
})

describe("PaymentPolicy: a Solana payment expires by block height", () => {
  const chain = controlledChain()
  const t = walletLayer({
    chain: "solana",
    solanaRpc: chain.rpc,
    payments: {
      maxPerPaymentUsd: 10,
      budgetUsd: 50,
      timeout: "1 second",
      settlement: { wait: "1 second", poll: "2 seconds", retries: 0, landingGrace: "1 minute" }
    }
  })
  it.scoped("the landing grace runs from when the chain is first seen past the height, not from maxTimeoutSeconds", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      const wallet = yield* VeniceWallet.VeniceWallet
      yield* emu.script({ route: "x402/top-up", paying: true }, 50, Faults.resetBeforeHeaders)
      const lost = failureOf(yield* drive(payments.topUp(10)))
      expect(lost).toMatchObject({ _tag: "TopUpFailedError", reason: "settlement-unconfirmed", amountUsd: 10 })
      // before its validBefore the chain is not asked, whatever its height: the payment cannot have expired yet
      chain.control.blockHeight = "forward"
      const early = chain.control.heightReads
      const unexpired = yield* payments.reconcile
      expect(unexpired).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
      expect(chain.control.heightReads).toBe(early)
      // past maxTimeoutSeconds and the grace, but the chain lags at the payment's height: not expired
      chain.control.blockHeight = "lagging"
      yield* TestClock.adjust("20 minutes")
      const lagging = yield* payments.reconcile
      expect(lagging).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
      const refused = failureOf(yield* drive(Chat.completions(hello)))
      expect(refused).toMatchObject({ _tag: "PaymentRefusedError", reason: "settlement-pending" })
      expect(refused.message).toContain(`, once the chain is past block ${chain.control.lastValid})`)
      // the chain is past it now: expired from this moment, decided one grace later
      chain.control.blockHeight = "forward"
      const seen = yield* Clock.currentTimeMillis
      const tracing = recordingTracer()
      const expired = yield* payments.reconcile.pipe(Effect.withSpan("reconcile"), Effect.withTracer(tracing.tracer))
      expect(expired).toEqual({ _tag: "Unknown", amountUsd: 10, decidedBy: seen + 60_000 })
      expect(tracing.records.find((r) => r.name === "reconcile")?.events).toEqual([{
        name: "payment.unconfirmed.expired",
        attributes: { "venice.identity": wallet.identity, "payment.last_valid_block_height": chain.control.lastValid }
      }])
      const reads = chain.control.heightReads
      // once seen expired it stays so (the chain is not asked again), and the refusal names the time
      chain.control.blockHeight = "refused"
      const later = failureOf(yield* drive(Chat.completions(hello)))
      expect(later.message).toContain(`(by ${new Date(seen + 60_000).toISOString()} at the latest)`)
      yield* TestClock.setTime(seen + 60_000 - 1)
      expect(yield* payments.reconcile).toMatchObject({ _tag: "Unknown" })
      yield* TestClock.setTime(seen + 60_000)
      expect(yield* payments.reconcile).toEqual({ _tag: "Released", amountUsd: 10 })
      expect(chain.control.heightReads).toBe(reads)
      expect(yield* payments.spentUsd).toBe(0)
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: another process's payment whose outcome is unknown", () => {
  const t = withCoordinator({ settlement: { wait: "1 second", poll: "2 seconds", retries: 0 } })
  it.scoped("a policy that did not sign it never resubmits it: its look reads the ledger only", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const a = yield* PaymentPolicy.PaymentPolicy
      yield* emu.script({ route: "x402/top-up", paying: true }, 50, Faults.resetBeforeHeaders)
      expect(failureOf(yield* drive(a.topUp(10)))).toMatchObject({ reason: "settlement-unconfirmed" })
      // process B: the same coordinator, none of A's signed payments
      const b = yield* PaymentPolicy.make({
        maxPerPaymentUsd: 10,
        budgetUsd: 50,
        baseUrl: emu.baseUrl,
        timeout: "1 second"
      })
      const sent = yield* emu.count({ route: "x402/top-up" })
      const ledgerReads = yield* emu.count({ route: "x402/transactions" })
      const exit = yield* drive(b.reconcile)
      if (Exit.isFailure(exit)) throw new Error(`expected an answer, got ${String(exit.cause)}`)
      expect(exit.value).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
      expect(yield* emu.count({ route: "x402/top-up" })).toBe(sent)
      expect(yield* emu.count({ route: "x402/transactions" })).toBe(ledgerReads + 1)
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: a manual top-up during a call's top-up", () => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
  it.scoped("waits for it, then makes its own payment (it never joins the call's)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      // the call's payment takes 2 s to settle: the manual top-up starts meanwhile
      yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.delay(2_000))
      const [call, manual] = yield* drive(
        Effect.all([
          Chat.completions(hello),
          Effect.zipRight(Effect.sleep("500 millis"), payments.topUp(5))
        ], { concurrency: 2 }),
        { stallAfter: 300 }
      ).pipe(Effect.flatten)
      expect(call.choices.length).toBeGreaterThan(0)
      expect(manual._tag === "Credited" && manual.receipt.amountCredited).toBe(5)
      expect(yield* topUps(t.address)).toEqual([10, 5])
      expect(yield* payments.spentUsd).toBe(15)
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: the ledger is read back to the mark taken before signing", () => {
  const t = withCoordinator({ settlement: { wait: "1 second", poll: "2 seconds", retries: 0 } })
  it.scoped("an earlier credited top-up of the same amount is not taken for the lost payment", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      expect(Exit.isSuccess(yield* drive(payments.topUp(10)))).toBe(true)
      yield* emu.script({ route: "x402/top-up", paying: true }, 20, Faults.resetBeforeHeaders)
      const lost = failureOf(yield* drive(payments.topUp(10)))
      expect(lost).toMatchObject({ _tag: "TopUpFailedError", reason: "settlement-unconfirmed", amountUsd: 10 })
      const wallet = yield* VeniceWallet.VeniceWallet
      const held = yield* t.coordinator.unconfirmed(wallet.identity)
      const first = (yield* emu.wallet(t.address)).transactions[0]!
      expect(held?.mark).toEqual({ id: first.id, createdAt: first.createdAt })
      expect(yield* payments.reconcile).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
      expect(yield* payments.spentUsd).toBe(20)
      expect(yield* payments.unconfirmedUsd).toBe(10)
      expect(yield* topUps(t.address)).toEqual([10])
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: a call while a payment's outcome is unknown", () => {
  const t = withCoordinator({ settlement: { wait: "1 second", poll: "2 seconds", retries: 0 } })
  it.scoped("the balance can serve the wallet: the call goes on without a new payment; the old one stays unconfirmed", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      yield* emu.script({ route: "x402/top-up", paying: true }, 50, Faults.resetBeforeHeaders)
      expect(failureOf(yield* drive(payments.topUp(10)))).toMatchObject({ reason: "settlement-unconfirmed" })
      // credit arrived from elsewhere; Venice still answers this call's request with a 402 (sent before it)
      yield* emu.setWalletBalance(t.address, 5)
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("PAYMENT_REQUIRED"))
      const tracing = recordingTracer()
      const asked = yield* Clock.currentTimeMillis
      const exit = yield* drive(Chat.completions(hello).pipe(Effect.withTracer(tracing.tracer)))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect((yield* Clock.currentTimeMillis) - asked).toBe(0) // at once, not after the wait
      expect(tracing.records.find((r) => r.name === "venice.x402.payment")?.events).toEqual([{
        name: "payment.retry",
        attributes: {
          "payment.decision": "Paid",
          "payment.amount_usd": 0,
          "payment.joined": false,
          "payment.settled": "Admitted"
        }
      }])
      expect(yield* discoveries).toBe(1)
      expect(yield* payments.unconfirmedUsd).toBe(10)
      expect(yield* payments.spentUsd).toBe(10)
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: the balance admits a call while a payment's outcome is unknown", () => {
  const t = withCoordinator({ settlement: { wait: "1 second", poll: "2 seconds", retries: 0 } })
  it.scoped("one more look finds the payment in the ledger: it is settled as landed, not left unconfirmed", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      // each submission is forwarded 5 s late, after the top-up gave up on it; its answers are lost
      yield* loseAnswers(5_000)
      expect(failureOf(yield* drive(payments.topUp(10)))).toMatchObject({ reason: "settlement-unconfirmed" })
      yield* TestClock.adjust("10 seconds") // it lands: $10 on the wallet, in its ledger
      yield* emu.clearFaults
      expect(yield* topUps(t.address)).toEqual([10])
      expect(yield* payments.unconfirmedUsd).toBe(10)
      // the call's 402 (sent before the landing): the first look cannot tell (resubmission reset, the ledger read fails
      // all three attempts), the balance admits the call, and the second look reads the ledger
      yield* emu.script({ route: "x402/top-up", paying: true }, 10, Faults.resetBeforeHeaders)
      yield* emu.script({ route: "x402/transactions" }, 3, Faults.htmlPage(503))
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("PAYMENT_REQUIRED"))
      const tracing = recordingTracer()
      const exit = yield* drive(Chat.completions(hello).pipe(Effect.withTracer(tracing.tracer)))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* emu.count({ route: "x402/transactions" })).toBeGreaterThanOrEqual(4) // the failed read, then the look
      expect(tracing.records.find((r) => r.name === "venice.x402.payment")?.events).toEqual([{
        name: "payment.retry",
        attributes: {
          "payment.decision": "Paid",
          "payment.amount_usd": 10,
          "payment.joined": false,
          "payment.settled": "InLedger"
        }
      }])
      expect(yield* payments.unconfirmedUsd).toBe(0)
      expect(yield* payments.spentUsd).toBe(10)
      expect(yield* topUps(t.address)).toEqual([10])
      expect(yield* discoveries).toBe(1)
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: the retry after a payment signs in with the 402's challenge", () => {
  // the emulator's challenges carry 16 hex characters of nonce; a client-side message 32 (Siwx's default)
  const serverNonce = /^[0-9a-f]{16}$/
  const ours = "headerchallenge0123"
  /** A `PAYMENT-REQUIRED` header whose only content is a sign-in challenge for `url`, with the nonce `ours`. */
  const challengeHeader = (url: string) =>
    Effect.map(Clock.currentTimeMillis, (now) =>
      Schema.encodeSync(X402.PaymentRequiredHeader)({
        x402Version: 2,
        error: "Payment required",
        resource: { url, description: "Venice API", mimeType: "application/json" },
        accepts: [],
        extensions: {
          [X402.SIGN_IN_WITH_X]: {
            info: {
              domain: new URL(url).host,
              uri: url,
              version: "1",
              nonce: ours,
              issuedAt: new Date(now).toISOString(),
              expirationTime: new Date(now + 5 * 60_000).toISOString(),
              statement: "Sign in to Venice AI"
            },
            supportedChains: [{ chainId: "eip155:8453", type: "eip191" }]
          }
        }
      }))
  /** The nonce the retried chat request signed in with (the last one the emulator verified). */
  const retryNonce = (t: ReturnType<typeof walletLayer>) => t.recorder.nonces.at(-1)

  {
    const t = walletLayer({ balanceUsd: 0, payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("the body's siwxChallenge: the retry's nonce is the one the 402 offered", () =>
      Effect.gen(function*() {
        expect(Exit.isSuccess(yield* drive(Chat.completions(hello)))).toBe(true)
        const answered402 = t.recorder.responses.filter((r) => r.status === 402 && r.url.endsWith("/chat/completions"))
        expect(answered402).toHaveLength(1)
        // the one 402 (its length checked above) carries the header: a 402 of this emulator always does
        const offered = X402.signInWithX(
          Schema.decodeSync(X402.PaymentRequiredHeader)(
            answered402[0]!.headers["payment-required"]!
          )
        )
        expect(offered._tag).toBe("Some")
        if (offered._tag !== "Some") return
        expect(offered.value.info.nonce).toMatch(serverNonce)
        expect(retryNonce(t)).toBe(offered.value.info.nonce)
        expect(t.recorder.nonces[0]).toMatch(/^[0-9a-f]{32}$/) // the first request's own, client-side
      }).pipe(Effect.provide(t.layer)))
  }

  // the 402's body shape: "coded" carries no siwxChallenge, "x402-payment-required" carries the emulator's
  const scripted: ReadonlyArray<readonly [string, Faults.Shape, (nonce: string | undefined) => void]> = [
    [
      "a 402 whose body has no challenge: the one in its PAYMENT-REQUIRED header is used",
      "coded",
      (nonce) => expect(nonce).toBe(ours)
    ],
    [
      "a 402 with a challenge in both: the body's is used, not the header's",
      "x402-payment-required",
      (nonce) => expect(nonce).toMatch(serverNonce)
    ]
  ]
  for (const [title, shape, check] of scripted) {
    const t = walletLayer({ balanceUsd: 0, payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped(title, () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const header = yield* challengeHeader(emu.url("/chat/completions"))
        yield* emu.script(
          { route: "chat/completions" },
          1,
          Faults.error("PAYMENT_REQUIRED", { shape, headers: { "PAYMENT-REQUIRED": header } })
        )
        expect(Exit.isSuccess(yield* drive(Chat.completions(hello)))).toBe(true)
        check(retryNonce(t))
      }).pipe(Effect.provide(t.layer)))
  }
})

describe("PaymentPolicy: a DIEM-linked wallet (its credit is not used)", () => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
  it.scoped("each refusal says why topping up cannot help; one payment in all", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      yield* emu.setDiemLinked(t.address, true)
      const first = failureOf(yield* drive(Chat.completions(hello)))
      expect(first.message).toBe(
        "Venice still asks for payment after this call's top-up: topping up again would not help (a DIEM-linked wallet?); the wallet's payments stop until resetLoopDetection"
      )
      const second = failureOf(yield* drive(Chat.completions(hello)))
      expect(second.message).toBe(
        "an earlier top-up did not clear this wallet's 402s: not paying again until resetLoopDetection"
      )
      yield* payments.resetLoopDetection
      const third = failureOf(yield* drive(Chat.completions(hello)))
      expect(third.message).toBe(
        "the wallet has $10 of credit, above the minimum, and still gets 402: a top-up cannot fix it (a DIEM-linked wallet?)"
      )
      expect(yield* topUps(t.address)).toEqual([10])
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: the per-payment cap", () => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 5, budgetUsd: 50 } })
  it.scoped("a cap equal to Venice's $5 minimum pays $5", () =>
    Effect.gen(function*() {
      expect(Exit.isSuccess(yield* drive(Chat.completions(hello)))).toBe(true)
      expect(yield* topUps(t.address)).toEqual([5])
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: what a failed top-up leaves reserved", () => {
  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("INVALID_PAYMENT on a call's top-up: rejected with the call's facts, the budget given back, the next call signs anew", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.error("INVALID_PAYMENT"))
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "rejected",
          code: "INVALID_PAYMENT",
          fundsMayHaveMoved: false,
          amountUsd: 10,
          method: "POST",
          url: emu.url("/chat/completions"),
          attempt: 1
        })
        expect(error).not.toHaveProperty("mayStillLand")
        expect(error._tag === "TopUpFailedError" && error.paymentRequired?._tag).toBe("VenicePaymentRequiredError")
        expect(error.correlationId).toMatch(/^ve-/)
        expect(yield* payments.spentUsd).toBe(0)
        expect(yield* payments.unconfirmedUsd).toBe(0)
        const tracing = recordingTracer()
        expect(Exit.isSuccess(yield* drive(Chat.completions(hello).pipe(Effect.withTracer(tracing.tracer))))).toBe(true)
        expect(tracing.records.find((r) => r.name === "venice.x402.payment")?.events).toEqual([{
          name: "payment.retry",
          attributes: {
            "payment.decision": "Paid",
            "payment.amount_usd": 10,
            "payment.joined": false,
            "payment.settled": "Credited"
          }
        }])
        expect(yield* topUps(t.address)).toEqual([10])
        expect(yield* discoveries).toBe(2)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, timeout: "1 second" } })
    it.scoped("the ledger cannot be read before signing: discovery-failed, nothing signed, nothing reserved", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* emu.script({ route: "x402/transactions" }, 5, Faults.htmlPage(503))
        const error = failureOf(yield* drive(payments.topUp(10)))
        expect(error).toMatchObject({ _tag: "TopUpFailedError", reason: "discovery-failed", fundsMayHaveMoved: false })
        expect(error.message).toMatch(
          /^cannot read the wallet's ledger before paying \(it settles a payment whose answer/
        )
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(1) // the discovery only
        expect(yield* emu.count({ route: "x402/transactions" })).toBe(3) // a ledger read is retried twice
        expect(yield* payments.spentUsd).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const inner = TopUpCoordinator.makeMemory()
    // another process reserved $48 of the shared $50 between this policy's budget check and its reservation
    const coordinator: TopUpCoordinator.Service = {
      ...inner,
      reserve: () => Effect.succeed({ _tag: "OverBudget", spentUsd: 48 })
    }
    const t = withCoordinator({}, coordinator)
    it.scoped("the shared budget refuses the reservation: budget-exhausted naming what is left, nothing signed", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({
          _tag: "PaymentRefusedError",
          reason: "budget-exhausted",
          amountUsd: 10,
          spentUsd: 48
        })
        expect(error.message).toBe("a payment of $10 exceeds the remaining budget ($2 of $50)")
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(1) // discovered, never signed
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 15 } })
    it.scoped("a manual top-up is never trimmed to the budget left: refused with the remaining cents; all of it is fine", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* drive(payments.topUp(9.5))
        const error = yield* Effect.flip(payments.topUp(6))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "budget-exhausted", amountUsd: 6 })
        expect(error.message).toBe("a payment of $6 exceeds the remaining budget ($5.5 of $15)")
        expect(yield* emu.count({ route: "x402/top-up", status: 402 })).toBe(1)
        expect(Exit.isSuccess(yield* drive(payments.topUp(5.5)))).toBe(true) // exactly what is left
        const newest = yield* payments.transactions({ limit: 1 })
        expect(newest.data.transactions.map((x) => x.amount)).toEqual([5.5])
        expect((yield* payments.balance).data.balanceUsd).toBe(15)
        // nothing left: a 402 is refused
        yield* emu.setWalletBalance(t.address, 0)
        const call = failureOf(yield* drive(Chat.completions(hello)))
        expect(call).toMatchObject({ _tag: "PaymentRefusedError", reason: "budget-exhausted", spentUsd: 15 })
        expect(yield* topUps(t.address)).toEqual([9.5, 5.5])
      }).pipe(Effect.provide(t.layer)))
  }
})

describe("PaymentPolicy: the plain insufficient-balance 402 of the wallet's own request", () => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
  it.scoped("paid once and retried; when it persists after the call's own top-up: still-required, saying the price", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INSUFFICIENT_BALANCE"))
      expect(Exit.isSuccess(yield* drive(Chat.completions(hello)))).toBe(true)
      expect(yield* topUps(t.address)).toEqual([10])
      yield* emu.script({ route: "chat/completions" }, 2, Faults.error("INSUFFICIENT_BALANCE"))
      const error = failureOf(yield* drive(Chat.completions(hello)))
      expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "still-required-after-top-up" })
      expect(error.message).toContain("the wallet's balance is still below this call's price after this call's top-up")
      expect(yield* topUps(t.address)).toEqual([10, 10])
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: the bounds' defaults", () => {
  {
    const inner = TopUpCoordinator.makeMemory()
    const acquires: Array<{ readonly owner: string; readonly now: number; readonly ttl: number }> = []
    // a coordinator without a lease (as the in-memory one), recording how the policy asks for the lock
    const coordinator: TopUpCoordinator.Service = {
      ...inner,
      acquire: (wallet, owner, now, ttl) =>
        Effect.zipRight(Effect.sync(() => acquires.push({ owner, now, ttl })), inner.acquire(wallet, owner, now, ttl))
    }
    const t = withCoordinator({ timeout: "1 second", settlement: { wait: "2 seconds" } }, coordinator)
    it.scoped("lockWait defaults to wait + 3 × timeout: another process's lock is polled every 50 ms for 5 s, then lock-timeout", () =>
      Effect.gen(function*() {
        const wallet = yield* VeniceWallet.VeniceWallet
        const payments = yield* PaymentPolicy.PaymentPolicy
        const now = yield* Clock.currentTimeMillis
        yield* inner.acquire(wallet.identity, "other-process", now, 3_600_000)
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "lock-timeout" })
        expect(error.message).toBe(
          "another process's top-up of this wallet still holds its lock after 5s: not paying now"
        )
        expect((yield* Clock.currentTimeMillis) - now).toBe(5_000)
        // one owner (this policy's first top-up), a 10-minute hold without a lease, asked every 50 ms
        expect(new Set(acquires.map((a) => a.owner)).size).toBe(1)
        expect(acquires[0]!.owner).toMatch(/^pid:\d+:[0-9a-f]{8}#1$/)
        expect(acquires.every((a) => a.ttl === 600_000)).toBe(true)
        expect(acquires.slice(0, 3).map((a) => a.now - now)).toEqual([0, 50, 100])
        expect(acquires).toHaveLength(101)

        // reconcile cannot take the lock either: it reports what the coordinator records, open (default grace 2 min)
        yield* inner.markUnconfirmed(wallet.identity, {
          id: "other-process#1",
          amountUsd: 7,
          validBefore: now + 300_000,
          submittedAt: now,
          mark: { id: null, createdAt: null }
        })
        expect(yield* drive(payments.reconcile)).toEqual(
          Exit.succeed({ _tag: "Unknown", amountUsd: 7, decidedBy: now + 300_000 + 120_000 })
        )
        expect(yield* payments.unconfirmedUsd).toBe(7)
        expect(acquires[101]!.owner).toMatch(/#2$/)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, settlement: {} } })
    it.scoped("wait 2 min and poll 10 s by default: PAYMENT_IN_PROGRESS is resubmitted every 10 s for 2 minutes", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* emu.script({ route: "x402/top-up", paying: true }, 30, Faults.paymentInProgress)
        const start = yield* Clock.currentTimeMillis
        const error = failureOf(yield* drive(payments.topUp(10)))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          code: "PAYMENT_IN_PROGRESS",
          fundsMayHaveMoved: true
        })
        expect((yield* Clock.currentTimeMillis) - start).toBe(120_000)
        const sent = (yield* emu.requests).filter((r) => r.route === "x402/top-up" && r.status === 409).map((r) => r.at)
        expect(sent.slice(1, 4).map((at, i) => at - sent[i]!)).toEqual([10_000, 10_000, 10_000])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, settlement: { retries: 1.9 } } })
    it.scoped("retries are whole: 1.9 resubmits once after SETTLEMENT_FAILED", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up", paying: true }, 5, Faults.settlementFailed)
        const start = yield* Clock.currentTimeMillis
        const error = failureOf(yield* drive((yield* PaymentPolicy.PaymentPolicy).topUp(10)))
        expect(error).toMatchObject({ _tag: "TopUpFailedError", reason: "settlement-failed" })
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(3) // discovery, the payment, once more
        // Venice said nothing moved: kept reserved, but not waited for (one 0.5 s backoff, no ledger reads)
        expect((yield* Clock.currentTimeMillis) - start).toBe(500)
        expect(yield* emu.count({ route: "x402/transactions" })).toBe(1) // the mark
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, settlement: { retries: -2 } } })
    it.scoped("retries below zero are none: one submission", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up", paying: true }, 5, Faults.settlementFailed)
        const error = failureOf(yield* drive((yield* PaymentPolicy.PaymentPolicy).topUp(10)))
        expect(error).toMatchObject({ _tag: "TopUpFailedError", reason: "settlement-failed" })
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(2)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, timeout: undefined } })
    it.scoped("an x402 request times out after 60 s by default", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.stall)
        const error = failureOf(yield* drive((yield* PaymentPolicy.PaymentPolicy).topUp(10), { stallAfter: 300 }))
        expect(error).toMatchObject({ _tag: "TopUpFailedError", reason: "discovery-failed" })
        expect(error.message).toContain("within 1m")
      }).pipe(Effect.provide(t.layer)))
  }
})

describe("PaymentPolicy: settings", () => {
  const deps = Layer.merge(
    VeniceWallet.layer({ privateKey: Redacted.make(throwawayKey().key) }),
    NodeHttpClient.layerUndici
  )
  it.scoped("the base URL loses its trailing slashes; Venice's by default; the layer from configuration", () =>
    Effect.gen(function*() {
      const slashed = yield* PaymentPolicy.make({
        maxPerPaymentUsd: 5,
        budgetUsd: 20,
        baseUrl: "http://127.0.0.1:9/api/v1//"
      })
      expect(slashed.baseUrl).toBe("http://127.0.0.1:9/api/v1")
      const plain = yield* PaymentPolicy.make({ maxPerPaymentUsd: 5, budgetUsd: 20 })
      expect(plain).toMatchObject({ baseUrl: "https://api.venice.ai/api/v1", maxPerPaymentUsd: 5, budgetUsd: 20 })
      const configured = yield* Effect.provide(
        PaymentPolicy.PaymentPolicy,
        PaymentPolicy.layerConfig().pipe(Layer.provide(deps))
      ).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([
            ["VENICE_X402_MAX_PER_PAYMENT_USD", "7"],
            ["VENICE_X402_BUDGET_USD", "30"],
            ["VENICE_BASE_URL", "http://127.0.0.1:9/api/v1/"]
          ])
        ))
      )
      expect(configured).toMatchObject({ maxPerPaymentUsd: 7, budgetUsd: 30, baseUrl: "http://127.0.0.1:9/api/v1" })
      const byDefault = yield* Effect.provide(
        PaymentPolicy.PaymentPolicy,
        PaymentPolicy.layerConfig().pipe(Layer.provide(deps))
      ).pipe(
        Effect.withConfigProvider(ConfigProvider.fromMap(
          new Map([["VENICE_X402_MAX_PER_PAYMENT_USD", "7"], ["VENICE_X402_BUDGET_USD", "30"]])
        ))
      )
      expect(byDefault.baseUrl).toBe("https://api.venice.ai/api/v1")
      const missing = yield* Effect.flip(
        Effect.provide(PaymentPolicy.PaymentPolicy, PaymentPolicy.layerConfig().pipe(Layer.provide(deps))).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["VENICE_X402_BUDGET_USD", "30"]])))
        )
      )
      expect(missing._tag).not.toBe("PaymentSettingsError") // the missing cap is a ConfigError: no default spend
      // each refused setting is named
      const noCap = yield* Effect.flip(PaymentPolicy.make({ maxPerPaymentUsd: 0, budgetUsd: 20 }))
      expect(noCap.message).toBe("maxPerPaymentUsd must be a positive number of USD")
      const noBudget = yield* Effect.flip(PaymentPolicy.make({ maxPerPaymentUsd: 5, budgetUsd: 0 }))
      expect(noBudget.message).toBe("budgetUsd must be a positive number of USD")
    }).pipe(Effect.provide(deps)))
})

describe("PaymentPolicy.orElse: which failures are the payment schedule's", () => {
  const decoded = (status: number, body: unknown) =>
    VeniceError.decode({ status, headers: {}, body: JSON.stringify(body), nowMillis: 0 })
  const paymentRequired = decoded(402, {
    code: "PAYMENT_REQUIRED",
    error: "Payment required",
    minimumBalanceUsd: 0.1,
    currentBalanceUsd: 0,
    suggestedTopUpUsd: 10,
    minimumTopUpUsd: 5
  })
  const overloaded = decoded(503, { error: "Service unavailable" })
  /** The schedule a single failure is routed to. */
  const routeOf = (failure: RetryPolicy.VeniceClientError) =>
    Effect.map(
      Schedule.run(PaymentPolicy.orElse(Schedule.recurs(1), Schedule.recurs(1)), 0, [failure]),
      (out) => Chunk.unsafeHead(out)._tag
    )

  it.effect("PAYMENT_REQUIRED and the plain insufficient-balance 402 (coded, or in Venice's words) pay; nothing else", () =>
    Effect.gen(function*() {
      expect(yield* routeOf(paymentRequired)).toBe("Payment")
      const plain = decoded(402, {
        error:
          "Insufficient USD or Diem balance to complete request. Visit https://venice.ai/settings/api to add credits."
      })
      expect(plain.code).toBe("INSUFFICIENT_BALANCE")
      expect(yield* routeOf(plain)).toBe("Payment")
      // an uncatalogued 402 whose message says so (a video job's), in any case
      const job = decoded(402, { error: "insufficient USDC balance for this job" })
      expect(job.code).toBe("UNKNOWN")
      expect(yield* routeOf(job)).toBe("Payment")
      // the words must be whole and in that order, on a 402, with no other code
      expect(yield* routeOf(decoded(402, { error: "insufficientbalance" }))).toBe("Retry")
      expect(yield* routeOf(decoded(402, { error: "Your balance is insufficient" }))).toBe("Retry")
      expect(yield* routeOf(decoded(400, { error: "Insufficient USDC balance for this job" }))).toBe("Retry")
      const otherCode = decoded(402, { error: "insufficient DIEM balance", code: "API_KEY_DIEM_SPEND_LIMIT_EXCEEDED" })
      expect([otherCode.code, otherCode.message]).toEqual([
        "API_KEY_DIEM_SPEND_LIMIT_EXCEEDED",
        "insufficient DIEM balance"
      ])
      expect(yield* routeOf(otherCode)).toBe("Retry")
      expect(yield* routeOf(overloaded)).toBe("Retry")
      const reset = new ClientError.TransportError({
        provider: "venice",
        reason: "reset",
        message: "socket hang up",
        maybeDelivered: true
      })
      expect(yield* routeOf(reset)).toBe("Retry")
    }))

  it.effect("each schedule keeps its own state: payments are not counted against retries nor the reverse", () =>
    Effect.gen(function*() {
      const schedule = PaymentPolicy.orElse(Schedule.recurs(1), Schedule.recurs(3))
      const out = yield* Schedule.run(schedule, 0, [paymentRequired, overloaded, overloaded, paymentRequired])
      expect(Chunk.toReadonlyArray(out)).toEqual([
        { _tag: "Payment", output: 0 },
        { _tag: "Retry", output: 0 },
        { _tag: "Retry", output: 1 },
        { _tag: "Payment", output: 1 }
      ])
    }))
})

describe("PaymentPolicy.recover: only Venice's own 402s are paid for", () => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
  class AppError extends Data.TaggedError("AppError")<{
    readonly status: number
    readonly code: string
    readonly message: string
  }> {}
  it.scoped("an application error shaped like an insufficient-balance 402 is the call's own: failed as is, nothing paid", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      const mine = new AppError({ status: 402, code: "INSUFFICIENT_BALANCE", message: "insufficient balance" })
      const error = failureOf(yield* drive(payments.recover(Effect.fail(mine))))
      expect(error).toBe(mine)
      expect(yield* emu.count({ route: "x402/top-up" })).toBe(0)
      expect(yield* payments.spentUsd).toBe(0)
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: a 402 of a run that began before a top-up took effect", () => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
  it.scoped("is retried without paying (AlreadyPaid): one payment for both calls", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      // the first call's payment takes 2 s to settle; the second call's first request (another model) gets a 402
      // once it is sent — after that payment took effect, in a run that began before
      yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.delay(2_000))
      yield* emu.script({ route: "chat/completions", model: "qwen3-4b" }, 1, Faults.error("PAYMENT_REQUIRED"))
      const tracing = recordingTracer()
      const second = Effect.zipRight(
        Effect.sleep("500 millis"),
        Chat.completions({ ...hello, model: "qwen3-4b" }).pipe(Effect.withTracer(tracing.tracer))
      )
      const exit = yield* drive(Effect.all([Chat.completions(hello), second], { concurrency: 2 }), {
        stallAfter: 300
      })
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(tracing.records.find((r) => r.name === "venice.x402.payment")?.events).toEqual([{
        name: "payment.retry",
        attributes: { "payment.decision": "AlreadyPaid" }
      }])
      expect(yield* topUps(t.address)).toEqual([10])
      expect(yield* discoveries).toBe(1)
      const statuses = (yield* emu.requests).filter((r) => r.route === "chat/completions").map((r) => r.status)
      expect(statuses.sort()).toEqual([200, 200, 402, 402])
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: the payment cannot be signed", () => {
  const t = walletLayer({
    chain: "solana",
    // the wallet's RPC refuses connections: no blockhash, no signature
    solanaRpc: () => Effect.succeed("http://127.0.0.1:9"),
    payments: { maxPerPaymentUsd: 10, budgetUsd: 50, timeout: "1 second" }
  })
  it.scoped("WalletSignError with the call's facts; the reservation given back, nothing sent, nothing unconfirmed", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      const error = failureOf(yield* drive(Chat.completions(hello)))
      expect(error).toMatchObject({
        _tag: "WalletSignError",
        wallet: t.address,
        operation: "payment",
        method: "POST",
        url: emu.url("/chat/completions"),
        attempt: 1
      })
      expect(error.message).toMatch(/^cannot sign the x402 payment: /)
      expect(yield* emu.count({ route: "x402/top-up" })).toBe(1) // the discovery only
      expect(yield* payments.spentUsd).toBe(0)
      expect(yield* payments.unconfirmedUsd).toBe(0)
    }).pipe(Effect.provide(t.layer)))
})

describe("PaymentPolicy: the plain 402 names no amount: Venice's minimum from the top-up's requirements", () => {
  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 4, budgetUsd: 50 } })
    it.scoped("raised to Venice's $5 minimum, above a $4 cap: per-payment-cap for $5, nothing signed", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INSUFFICIENT_BALANCE"))
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "per-payment-cap", amountUsd: 5 })
        expect(error.message).toBe("a payment of $5 exceeds the per-payment cap ($4)")
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(1) // the discovery only
        expect(yield* emu.count({ route: "x402/transactions" })).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 13 } })
    it.scoped("trimmed to the $3 left, then raised to the $5 minimum: budget-exhausted for $5", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        expect(Exit.isSuccess(yield* drive(Chat.completions(hello)))).toBe(true) // pays $10
        yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INSUFFICIENT_BALANCE"))
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "budget-exhausted", amountUsd: 5 })
        expect(error.message).toBe("a payment of $5 exceeds the remaining budget ($3 of $13)")
        expect(yield* topUps(t.address)).toEqual([10])
      }).pipe(Effect.provide(t.layer)))
  }
})

describe("PaymentPolicy: a request about to be signed while a top-up runs", () => {
  const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
  it.scoped("waits for the top-up instead of collecting a 402: sent once it took effect, answered 200", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.PaymentPolicy
      yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.delay(2_000))
      const start = yield* Clock.currentTimeMillis
      const exit = yield* drive(
        Effect.all([payments.topUp(10), Effect.zipRight(Effect.sleep("500 millis"), Chat.completions(hello))], {
          concurrency: 2
        }),
        { stallAfter: 300 }
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      const chats = (yield* emu.requests).filter((r) => r.route === "chat/completions")
      expect(chats.map((r) => r.status)).toEqual([200])
      expect(chats[0]!.at - start).toBeGreaterThanOrEqual(2_000)
      expect(yield* topUps(t.address)).toEqual([10])
    }).pipe(Effect.provide(t.layer)))
})
