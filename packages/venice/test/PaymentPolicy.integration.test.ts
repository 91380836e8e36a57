/**
 * Payment-then-retry against the emulator over loopback (R4, X2, X3): a wallet call that gets
 * `402 PAYMENT_REQUIRED` tops up with a payment signed by the real x402 libraries, then retries; caps, budget, single
 * flight, settlement timeouts, DIEM-linked loops, Bearer 402s, and the payTo/asset rules. Every key is a throwaway
 * generated here.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as X402 from "@venice-effect/core/X402"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as TopUp from "../src/TopUp.js"
import * as VeniceError from "../src/VeniceError.js"
import * as VeniceWallet from "../src/VeniceWallet.js"
import { drive as driveClock, KEY, layer as bearerLayer } from "./support.js"
import { hello, throwawayKey, walletLayer } from "./walletSupport.js"

/**
 * `drive` with a longer stall threshold: the emulator's first EIP-712 signature check can take a few hundred real
 * milliseconds (cold code), which must not be mistaken for a stalled attempt (time would jump past its timeout).
 */
const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 5_000, ...options })

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

/** The emulator's request log as `status route` lines. */
const trail = Effect.map(
  Effect.flatMap(VeniceEmulator, (emu) => emu.requests),
  (requests) => requests.map((r) => `${r.status} ${r.method} ${r.route}`)
)

const ledger = (address: string) =>
  Effect.flatMap(VeniceEmulator, (emu) =>
    Effect.map(emu.wallet(address), (w) => ({
      balanceUsd: w.balanceUsd,
      transactions: w.transactions.map((t) => `${t.type} ${t.amount >= 0 ? "+" : ""}${t.amount} → ${t.balanceAfter}`),
      payments: w.payments
    })))

describe("PaymentPolicy against the emulator", () => {
  {
    const t = walletLayer({ balanceUsd: 0, payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("end to end: wallet call → 402 → top-up (x402 signed) → retry → 200, ledger before and after", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        const before = yield* ledger(t.address)
        const completion = yield* Chat.completions(hello)
        const after = yield* ledger(t.address)
        const history = yield* payments.transactions({ limit: 10 })
        const log = yield* trail

        console.log([
          "── x402 end-to-end run (emulator on loopback, throwaway wallet) ──",
          `wallet ${t.address}`,
          `ledger before: balance $${before.balanceUsd}, ${before.transactions.length} transactions`,
          `requests:\n  ${log.join("\n  ")}`,
          `completion: ${JSON.stringify(Chat.text(completion))}`,
          `ledger after: balance $${after.balanceUsd}`,
          `  ${after.transactions.join("\n  ")}`,
          `payments seen by the emulator: ${JSON.stringify(after.payments)}`,
          `GET /x402/transactions (client): ${
            JSON.stringify(history.data.transactions.map((x) => [x.type, x.amount, x.balanceAfter]))
          }`,
          `budget spent: $${yield* payments.spentUsd}`
        ].join("\n"))

        expect(Chat.text(completion)?.length).toBeGreaterThan(0)
        expect(before).toMatchObject({ balanceUsd: 0, transactions: [] })
        expect(log).toEqual([
          "402 POST chat/completions",
          "402 POST x402/top-up",
          "200 GET x402/transactions", // the ledger's newest entry, before signing (settles a lost answer)
          "200 POST x402/top-up",
          "200 POST chat/completions",
          "200 GET x402/transactions"
        ])
        expect(after.transactions[0]).toBe("TOP_UP +10 → 10")
        expect(after.transactions[1]).toMatch(/^CHARGE -/)
        expect(after.payments).toMatchObject([{ amountUsd: 10, status: "credited", submissions: 1 }])
        expect(after.balanceUsd).toBeLessThan(10)
        expect(yield* payments.spentUsd).toBe(10)
        expect(yield* emu.count({ status: 401 })).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({
      payments: { maxPerPaymentUsd: 10, budgetUsd: 50 },
      retry: RetryPolicy.make({ maxRetries: 1 })
    })
    it.scoped("402 → 503 → 200: the payment step around RetryPolicy.make() tops up, retries at once, then backs off", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const exit = yield* drive(Chat.completions(hello), {
          // the retry after the top-up meets a 503
          observer: (e) =>
            e._tag === "AttemptFailed" && e.operation === "chat.completions" && e.attempt === 1
              ? emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_AT_CAPACITY"))
              : Effect.void
        })
        expect(Exit.isSuccess(exit)).toBe(true)
        const requests = (yield* emu.requests).filter((r) => r.route === "chat/completions")
        expect(requests.map((r) => r.status)).toEqual([402, 503, 200])
        expect(requests[1]!.at - requests[0]!.at).toBe(0) // paid, then retried at once
        const backoff = requests[2]!.at - requests[1]!.at
        expect(backoff).toBeGreaterThanOrEqual(400) // 0.5 s ± 20 %
        expect(backoff).toBeLessThanOrEqual(600)
        // the payment did not use up the backoff policy's single retry
        expect((yield* ledger(t.address)).payments).toHaveLength(1)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("402 → 503 → 200 with a per-call retry policy: the payment step runs around the call's own policy", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const retry = RetryPolicy.make({ maxRetries: 2 }).pipe(Schedule.upTo("1 minute"))
        const exit = yield* drive(Chat.completions(hello, { retry }), {
          observer: (e) =>
            e._tag === "AttemptFailed" && e.operation === "chat.completions" && e.attempt === 1
              ? emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_AT_CAPACITY"))
              : Effect.void
        })
        expect(Exit.isSuccess(exit)).toBe(true)
        expect((yield* emu.requests).filter((r) => r.route === "chat/completions").map((r) => r.status)).toEqual([
          402,
          503,
          200
        ])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    // 50 simultaneous 402s are 50 failed requests in Venice's error budget (50 per 30 s): the emulator would lock the
    // retries out, and the client's guard (R8) rightly refuses them first. Both are relaxed here to see the single
    // flight alone.
    const t = walletLayer({
      payments: { maxPerPaymentUsd: 10, budgetUsd: 50 },
      wallet: { maxInFlight: false },
      client: { errorBudgetGuard: false },
      emulator: { x402: { concurrency: 100 }, errorBudget: { threshold: 1_000 } }
    })
    it.scoped("50 concurrent calls get 402 together → exactly one top-up; the others wait for it and retry", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const results = yield* drive(
          Effect.forEach(Array.from({ length: 50 }, () => hello), (r) => Chat.completions(r), {
            concurrency: "unbounded"
          })
        )
        expect(Exit.isSuccess(results)).toBe(true)
        const chats = (yield* emu.requests).filter((r) => r.route === "chat/completions")
        expect(chats.filter((r) => r.status === 402).length).toBeGreaterThanOrEqual(45) // all (or nearly) at once
        expect(chats.filter((r) => r.status === 200)).toHaveLength(50)
        const after = yield* ledger(t.address)
        expect(after.payments).toHaveLength(1)
        expect(after.transactions.filter((x) => x.startsWith("TOP_UP"))).toHaveLength(1)
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(2) // one discovery, one payment
        expect(yield* emu.count({ status: 401 })).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("50 concurrent calls with the client's 5-in-flight limit: one top-up, no X402_CONCURRENCY_LIMIT", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const results = yield* drive(
          Effect.forEach(Array.from({ length: 50 }, () => hello), (r) => Chat.completions(r), {
            concurrency: "unbounded"
          })
        )
        expect(Exit.isSuccess(results)).toBe(true)
        expect((yield* ledger(t.address)).payments).toHaveLength(1)
        expect(yield* emu.count({ status: 429 })).toBe(0)
        expect(yield* emu.count({ status: 401 })).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 4, budgetUsd: 50 } })
    it.scoped("cap below Venice's $5 minimum: PaymentRefusedError(per-payment-cap) carrying the 402; nothing paid", () =>
      Effect.gen(function*() {
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({
          _tag: "PaymentRefusedError",
          reason: "per-payment-cap",
          maxPerPaymentUsd: 4,
          amountUsd: 5
        })
        if (error._tag !== "PaymentRefusedError") return
        // refused on the 402's own minimum, before any amount is worked out
        expect(error.message).toContain("Venice's minimum top-up ($5) exceeds the per-payment cap ($4)")
        expect(error.cause?._tag).toBe("VenicePaymentRequiredError")
        expect(error.correlationId).toMatch(/^ve-/)
        expect(yield* trail).toEqual(["402 POST chat/completions"])
        expect(yield* (yield* PaymentPolicy.PaymentPolicy).spentUsd).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 7, budgetUsd: 12 } })
    it.scoped("amount = min(suggested $10, cap $7); a second payment beyond the budget is refused", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* Chat.completions(hello)
        expect((yield* ledger(t.address)).transactions[0]).toBe("TOP_UP +7 → 7")
        yield* emu.setWalletBalance(t.address, 0) // spent
        // $5 left in the budget: Venice's minimum still fits
        yield* Chat.completions(hello)
        expect((yield* ledger(t.address)).transactions.filter((x) => x.startsWith("TOP_UP"))).toEqual([
          "TOP_UP +7 → 7",
          "TOP_UP +5 → 5"
        ])
        yield* emu.setWalletBalance(t.address, 0)
        const error = yield* Effect.flip(Chat.completions(hello))
        expect(error).toMatchObject({
          _tag: "PaymentRefusedError",
          reason: "budget-exhausted",
          budgetUsd: 12,
          spentUsd: 12
        })
        expect((yield* ledger(t.address)).payments).toHaveLength(2)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, settlement: { poll: "2 seconds" } } })
    it.scoped("SETTLEMENT_TIMEOUT: the balance is read before anything else; the same payment is resubmitted (409) until it lands", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.settlementTimeout({ landsAfter: 7_000 }))
        const exit = yield* drive(Chat.completions(hello))
        expect(Exit.isSuccess(exit)).toBe(true)
        const log = yield* trail
        expect(log).toEqual([
          "402 POST chat/completions",
          "402 POST x402/top-up", // discovery
          "200 GET x402/transactions", // the ledger mark
          "504 POST x402/top-up", // SETTLEMENT_TIMEOUT
          "200 GET x402/balance", // read before any new payment: not landed yet
          "409 POST x402/top-up", // the same payment: PAYMENT_IN_PROGRESS
          "409 POST x402/top-up",
          "409 POST x402/top-up",
          "200 POST x402/top-up", // landed at 7 s: credited once
          "200 POST chat/completions"
        ])
        const after = yield* ledger(t.address)
        expect(after.payments).toMatchObject([{ amountUsd: 10, status: "credited", submissions: 5 }])
        expect(after.transactions.filter((x) => x.startsWith("TOP_UP"))).toEqual(["TOP_UP +10 → 10"])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("SETTLEMENT_TIMEOUT that has landed by the balance check: the call goes on at once", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.settlementTimeout({ landsAfter: 0 }))
        const exit = yield* drive(Chat.completions(hello))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(yield* trail).toEqual([
          "402 POST chat/completions",
          "402 POST x402/top-up",
          "200 GET x402/transactions",
          "504 POST x402/top-up",
          "200 GET x402/balance",
          "200 POST chat/completions"
        ])
        expect((yield* ledger(t.address)).payments).toMatchObject([{ status: "credited", submissions: 1 }])
        // admitted without a receipt: unconfirmed until the ledger shows it
        const payments = yield* PaymentPolicy.PaymentPolicy
        expect(yield* payments.unconfirmedUsd).toBe(10)
        expect(yield* payments.reconcile).toEqual({ _tag: "Landed", amountUsd: 10 })
        expect(yield* payments.unconfirmedUsd).toBe(0)
        expect(yield* payments.spentUsd).toBe(10)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({
      payments: { maxPerPaymentUsd: 10, budgetUsd: 50, settlement: { wait: "10 seconds", poll: "4 seconds" } }
    })
    it.scoped("a settlement that never lands: TopUpFailedError(settlement-unconfirmed); the next 402 re-checks it and pays nothing new", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.settlementTimeout({ lands: false }))
        const first = failureOf(yield* drive(Chat.completions(hello)))
        expect(first).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          fundsMayHaveMoved: true,
          amountUsd: 10
        })
        expect(yield* payments.spentUsd).toBe(10) // it may still land: counted
        const before = (yield* emu.requests).length
        const second = failureOf(yield* drive(Chat.completions(hello)))
        expect(second).toMatchObject({ _tag: "PaymentRefusedError", reason: "settlement-pending" })
        const next = (yield* trail).slice(before)
        expect(next[0]).toBe("402 POST chat/completions")
        // each look: the same payment resubmitted, the ledger read back to the mark, the balance (may the call go on?)
        expect(next.slice(1, 4)).toEqual(["409 POST x402/top-up", "200 GET x402/transactions", "200 GET x402/balance"])
        expect(new Set(next.slice(1))).toEqual(
          new Set(["409 POST x402/top-up", "200 GET x402/transactions", "200 GET x402/balance"])
        )
        expect(next).not.toContain("402 POST x402/top-up") // no new discovery, no new signature
        const after = yield* ledger(t.address)
        expect(after.payments).toHaveLength(1)
        expect(after.payments[0]!.status).toBe("pending")
        expect(after.transactions).toEqual([])
        expect(yield* payments.unconfirmedUsd).toBe(10)

        // once its authorization has expired (validBefore, 300 s) and the grace (2 min) has passed, the ledger's
        // silence proves it never landed: released, and the budget given back
        expect(yield* payments.reconcile).toMatchObject({ _tag: "Unknown", amountUsd: 10 })
        yield* TestClock.adjust("8 minutes")
        expect(yield* payments.reconcile).toEqual({ _tag: "Released", amountUsd: 10 })
        expect(yield* payments.spentUsd).toBe(0)
        expect(yield* payments.unconfirmedUsd).toBe(0)
        expect(yield* payments.reconcile).toEqual({ _tag: "Nothing" })
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50, settlement: { poll: "2 seconds" } } })
    it.scoped("PAYMENT_IN_PROGRESS waits and resubmits the same payment; SETTLEMENT_FAILED resubmits after a backoff", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.paymentInProgress)
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.settlementFailed)
        const exit = yield* drive(Chat.completions(hello))
        expect(Exit.isSuccess(exit)).toBe(true)
        const topUps = (yield* emu.requests).filter((r) => r.route === "x402/top-up")
        expect(topUps.map((r) => r.status)).toEqual([402, 409, 402, 200])
        expect(topUps[2]!.at - topUps[1]!.at).toBe(2_000) // waited the poll interval
        expect(topUps[3]!.at - topUps[2]!.at).toBe(500) // backoff after SETTLEMENT_FAILED
        expect((yield* ledger(t.address)).payments).toMatchObject([{ status: "credited" }])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("top-up codes are typed with the catalog's retry class (SETTLEMENT_FAILED ×4 kept reserved, AMOUNT_TOO_LOW)", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* emu.script({ route: "x402/top-up" }, 4, Faults.settlementFailed)
        const failedError = failureOf(yield* drive(Chat.completions(hello)))
        expect(failedError).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-failed",
          code: "SETTLEMENT_FAILED",
          fundsMayHaveMoved: false
        })
        if (failedError._tag !== "TopUpFailedError") return
        expect(TopUp.isTopUpError(failedError.cause)).toBe(true)
        if (TopUp.isTopUpError(failedError.cause)) expect(VeniceError.retryClass(failedError.cause)).toBe("backoff")
        expect(failedError.paymentRequired?._tag).toBe("VenicePaymentRequiredError")
        // nothing moved when Venice answered, but the signed authorization stays executable until validBefore: kept
        // reserved as unconfirmed, never re-signed
        expect(yield* payments.spentUsd).toBe(10)
        expect(yield* payments.unconfirmedUsd).toBe(10)

        // the next top-up first resubmits that same payment (credited now), then makes its own: $1 is too low
        const tooLow = yield* Effect.flip(payments.topUp(1))
        expect(tooLow).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "rejected",
          code: "AMOUNT_TOO_LOW",
          fundsMayHaveMoved: false
        })
        if (tooLow._tag === "TopUpFailedError" && TopUp.isTopUpError(tooLow.cause)) {
          expect(VeniceError.retryClass(tooLow.cause)).toBe("never")
        }
        expect(yield* payments.spentUsd).toBe(10) // a rejected payment is given back; the resubmitted one landed
        expect(yield* payments.unconfirmedUsd).toBe(0)
        expect((yield* ledger(t.address)).payments).toMatchObject([{ amountUsd: 10, status: "credited" }])
        const manual = yield* payments.topUp(6)
        expect(manual._tag === "Credited" && manual.receipt).toMatchObject({ amountCredited: 6, newBalance: 16 })
        expect(manual._tag === "Credited" && manual.receipt.settlement).toMatchObject({
          success: true,
          network: "eip155:8453"
        })
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("only Venice's own /x402/top-up requirements are paid: not the payTo of the call's 402", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const attacker = "0x000000000000000000000000000000000000dEaD"
        const forged = Schema.encodeSync(X402.PaymentRequiredHeader)({
          x402Version: 2,
          accepts: [{
            scheme: "exact",
            network: "eip155:8453",
            amount: "10000000",
            asset: TopUp.BASE_USDC,
            payTo: attacker,
            maxTimeoutSeconds: 300,
            extra: { name: "USD Coin", version: "2" }
          }]
        })
        yield* emu.script(
          { route: "chat/completions" },
          1,
          Faults.error("PAYMENT_REQUIRED", { headers: { "PAYMENT-REQUIRED": forged } })
        )
        const exit = yield* drive(Chat.completions(hello))
        // the emulator only credits payments to its own payTo: the payment went there
        expect(Exit.isSuccess(exit)).toBe(true)
        expect((yield* ledger(t.address)).payments).toHaveLength(1)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("requirements without USDC on Base, or from another origin, are refused; the asset compares case-insensitively", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const requirement = {
          scheme: "exact",
          network: "eip155:8453",
          amount: "5000000",
          asset: TopUp.BASE_USDC,
          payTo: "0x2670B922ef37C7Df47158725C0CC407b5382293F",
          maxTimeoutSeconds: 300,
          extra: { name: "USD Coin", version: "2" }
        }
        const header = (document: Omit<X402.PaymentRequired, "x402Version">) =>
          Faults.headers({
            "PAYMENT-REQUIRED": Schema.encodeSync(X402.PaymentRequiredHeader)({ x402Version: 2, ...document })
          })

        // Base Sepolia USDC and USDbC on Base: not USDC on Base
        yield* emu.script(
          { route: "x402/top-up" },
          1,
          header({
            accepts: [
              { ...requirement, network: "eip155:84532", asset: "0x036CbD53842c5426634e7929541eC2318f3dCF7e" },
              { ...requirement, asset: "0xd9aAEc86B65D86f6A7B5B1b0c42FFA531710b6CA" }
            ]
          })
        )
        const noUsdc = failureOf(yield* drive(Chat.completions(hello)))
        expect(noUsdc).toMatchObject({ _tag: "PaymentRefusedError", reason: "no-usdc-on-base" })

        yield* emu.script(
          { route: "x402/top-up" },
          1,
          header({
            resource: { url: "https://evil.example/api/v1/x402/top-up" },
            accepts: [requirement]
          })
        )
        const foreign = failureOf(yield* drive(Chat.completions(hello)))
        expect(foreign).toMatchObject({ _tag: "PaymentRefusedError", reason: "foreign-requirements" })
        expect((yield* ledger(t.address)).payments).toEqual([]) // nothing signed

        yield* emu.script(
          { route: "x402/top-up" },
          1,
          header({
            resource: { url: emu.url("/x402/top-up") },
            accepts: [{ ...requirement, asset: TopUp.BASE_USDC.toUpperCase().replace("0X", "0x") }]
          })
        )
        const exit = yield* drive(Chat.completions(hello))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect((yield* ledger(t.address)).payments).toHaveLength(1)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("a DIEM-linked wallet: the top-up does not clear the 402 → typed refusal, never a second payment", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        yield* emu.setDiemLinked(t.address, true)
        const first = failureOf(yield* drive(Chat.completions(hello)))
        expect(first).toMatchObject({ _tag: "PaymentRefusedError", reason: "still-required-after-top-up" })
        const second = failureOf(yield* drive(Chat.completions(hello)))
        expect(second).toMatchObject({ _tag: "PaymentRefusedError", reason: "loop-detected" })
        yield* payments.resetLoopDetection
        const third = failureOf(yield* drive(Chat.completions(hello)))
        // the 402 itself says the wallet has credit: a top-up cannot help
        expect(third).toMatchObject({ _tag: "PaymentRefusedError", reason: "credit-not-used" })
        const after = yield* ledger(t.address)
        expect(after.payments).toHaveLength(1)
        expect(after.transactions).toEqual(["TOP_UP +10 → 10"])
        expect((yield* emu.requests).filter((r) => r.route === "chat/completions").map((r) => r.status)).toEqual([
          402,
          402,
          402,
          402
        ])
      }).pipe(Effect.provide(t.layer)))
  }

  it.scoped("Bearer-key 402s (INSUFFICIENT_BALANCE, spend limits) are surfaced, never paid, even with the payment step", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const payments = yield* PaymentPolicy.make({ maxPerPaymentUsd: 10, budgetUsd: 50, baseUrl: emu.baseUrl }).pipe(
        Effect.provide(VeniceWallet.layer({ privateKey: Redacted.make(throwawayKey().key) })),
        Effect.provide(NodeHttpClient.layerUndici),
        Effect.orDie
      )
      const paying = PaymentPolicy.retry(payments)
      const broke = yield* Effect.flip(paying(Chat.completions(hello)))
      expect(broke).toMatchObject({
        _tag: "VeniceStandardError",
        code: "INSUFFICIENT_BALANCE",
        status: 402,
        attempt: 1
      })
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("API_KEY_USD_SPEND_LIMIT_EXCEEDED"))
      const limited = yield* Effect.flip(paying(Chat.completions(hello)))
      expect(limited).toMatchObject({ code: "API_KEY_USD_SPEND_LIMIT_EXCEEDED", attempt: 1 })
      // even a PAYMENT_REQUIRED 402 on a request the wallet did not sign is not paid
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("PAYMENT_REQUIRED"))
      const notMine = yield* Effect.flip(paying(Chat.completions(hello)))
      expect(notMine).toMatchObject({ _tag: "PaymentRefusedError", reason: "not-this-wallet" })
      expect(yield* emu.count({ route: "x402/top-up" })).toBe(0)
      expect(yield* payments.spentUsd).toBe(0)
    }).pipe(Effect.provide(bearerLayer({ keys: [{ key: KEY, balanceUsd: 0 }] }))))
})
