/**
 * `SignedTopUp` on the unknown-outcome rule (X3, issue 13 #4), over loopback against the emulator: a payment the
 * caller signed itself whose answer is lost settles with `TopUpFailedError` `settlement-unconfirmed`
 * (`fundsMayHaveMoved`, `mayStillLand`), and `SignedTopUp.expired` says when it can no longer land — on Base at its
 * EIP-3009 `validBefore`, on Solana only once the chain is past its blockhash's `lastValidBlockHeight`, never while
 * the chain cannot be read.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as SignedTopUp from "../src/SignedTopUp.js"
import * as TopUp from "../src/TopUp.js"
import * as VeniceWallet from "../src/VeniceWallet.js"
import { drive, failureOf } from "./support.js"
import { controlledChain, walletLayer } from "./walletSupport.js"

/** Signs a $10 payment for the emulator's requirements on the wallet's chain; sends it with every answer lost. */
const signAndLose = Effect.gen(function*() {
  const emu = yield* VeniceEmulator
  const wallet = yield* VeniceWallet.VeniceWallet
  // the signed payment never reaches Venice, but the client cannot know: a reset after it was sent
  yield* emu.script({ route: "x402/top-up", paying: true }, 10, Faults.resetBeforeHeaders)
  const paymentRequired = yield* TopUp.discover({ baseUrl: emu.baseUrl })
  const rail = wallet.selectRequirements(paymentRequired)
  if (Either.isLeft(rail)) return yield* Effect.dieMessage(rail.left.message)
  const payment = yield* wallet.signPayment(paymentRequired, { ...rail.right, amount: "10000000" }, {
    maxAmountPerPaymentUsd: 10
  })
  const submittedAt = yield* Clock.currentTimeMillis
  const settled = yield* drive(
    SignedTopUp.settle(payment, {
      baseUrl: emu.baseUrl,
      timeout: "1 second",
      settlement: { wait: "5 seconds", poll: "2 seconds", retries: 1 }
    }),
    { stallAfter: 1_500 }
  )
  return { payment, submittedAt, failure: failureOf(settled) }
})

describe("SignedTopUp: a payment whose answer is lost", () => {
  {
    const t = walletLayer({ payments: false })
    it.scoped(
      "Base: settlement-unconfirmed, may still land; expired once its validBefore has passed",
      () =>
        Effect.gen(function*() {
          const { failure, payment, submittedAt } = yield* signAndLose
          expect(failure).toMatchObject({
            _tag: "TopUpFailedError",
            reason: "settlement-unconfirmed",
            fundsMayHaveMoved: true,
            mayStillLand: true,
            amountUsd: 10
          })
          expect(payment.lastValidBlockHeight).toBeUndefined()
          // the EIP-3009 authorization's validBefore (unix seconds), as signed
          const validBefore = Number(
            (JSON.parse(Buffer.from(Redacted.value(payment.header), "base64").toString("utf8")) as {
              readonly payload: { readonly authorization: { readonly validBefore: string } }
            }).payload.authorization.validBefore
          ) * 1000
          expect(validBefore).toBeGreaterThan(submittedAt)
          expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(false)
          yield* TestClock.setTime(validBefore - 1)
          expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(false)
          yield* TestClock.setTime(validBefore)
          expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(true)
        }).pipe(Effect.provide(t.layer)),
      60_000
    )
  }

  {
    const chain = controlledChain()
    const t = walletLayer({ chain: "solana", solanaRpc: chain.rpc, payments: false })
    it.scoped(
      "Solana: expired only once the chain says it is past the blockhash's lastValidBlockHeight",
      () =>
        Effect.gen(function*() {
          const { failure, payment, submittedAt } = yield* signAndLose
          expect(failure).toMatchObject({
            _tag: "TopUpFailedError",
            reason: "settlement-unconfirmed",
            fundsMayHaveMoved: true,
            mayStillLand: true
          })
          expect(payment.lastValidBlockHeight).toBe(chain.control.lastValid)
          expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(false)
          // long past maxTimeoutSeconds, but the chain lags at the payment's height, then cannot be read
          yield* TestClock.adjust("20 minutes")
          chain.control.blockHeight = "lagging"
          expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(false)
          chain.control.blockHeight = "refused"
          expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(false)
          const reads = chain.control.heightReads
          chain.control.blockHeight = "forward"
          expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(true)
          expect(chain.control.heightReads).toBe(reads + 1)
        }).pipe(Effect.provide(t.layer)),
      60_000
    )
  }
})
