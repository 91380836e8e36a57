/**
 * The payment step wired by hand (issue 14 #3): `PaymentPolicy.retry(payments)` around calls of a wallet client that
 * pays for nothing (`VeniceWallet.layerClient`), over loopback against the emulator. The caller gets what the client
 * built by `PaymentPolicy.layerClient` gives: a top-up and the call run again, or the typed refusal carrying the
 * `402` — never the bare `402`. No fiber-local stamp or side channel carries the decision (the step is plain
 * `Effect.catchIf` around the call).
 */
import { describe, expect, it } from "@effect/vitest"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import * as VeniceClient from "../src/VeniceClient.js"
import { drive as driveClock } from "./support.js"
import { failureOf, hello, walletLayer } from "./walletSupport.js"

const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 5_000, ...options })

/** A wallet client without payments, and a policy for the same wallet built beside it. */
const byHand = (payments: Partial<PaymentPolicy.Options>) => {
  const t = walletLayer({ payments: false })
  const policy = Effect.flatMap(
    VeniceEmulator,
    (emu) =>
      PaymentPolicy.make({ maxPerPaymentUsd: 10, budgetUsd: 50, ...payments, baseUrl: emu.baseUrl }).pipe(Effect.orDie)
  )
  return { t, policy }
}

const routes = Effect.map(
  Effect.flatMap(VeniceEmulator, (emu) => emu.requests),
  (requests) => requests.map((r) => `${r.status} ${r.method} ${r.route}`)
)

describe("PaymentPolicy.retry: the payment step around a call wired by hand", () => {
  {
    const { policy, t } = byHand({})
    it.scoped("402 → top-up → the call again → 200; without the step the same call fails with the bare 402", () =>
      Effect.gen(function*() {
        const payments = yield* policy
        const bare = failureOf(yield* drive(Chat.completions(hello)))
        expect(bare).toMatchObject({ _tag: "VenicePaymentRequiredError", status: 402 })
        const completion = yield* drive(Chat.completions(hello).pipe(PaymentPolicy.retry(payments)))
        expect(Exit.isSuccess(completion)).toBe(true)
        expect((yield* routes).filter((r) => r.endsWith("chat/completions"))).toEqual([
          "402 POST chat/completions",
          "402 POST chat/completions",
          "200 POST chat/completions"
        ])
        expect(yield* payments.spentUsd).toBe(10)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const { policy, t } = byHand({ maxPerPaymentUsd: 4 })
    it.scoped("a refusal is the typed PaymentRefusedError carrying the 402, not the 402; nothing is paid", () =>
      Effect.gen(function*() {
        const payments = yield* policy
        const client = yield* VeniceClient.VeniceClient
        const error = failureOf(yield* drive(Chat.completions(hello).pipe(PaymentPolicy.retry(payments))))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "per-payment-cap", amountUsd: 5 })
        if (error._tag !== "PaymentRefusedError") return
        expect(error.cause?._tag).toBe("VenicePaymentRequiredError")
        // the same refusal through the service's own step, told whose requests the call signs
        const again = failureOf(yield* drive(payments.recover(Chat.completions(hello), client.identity)))
        expect(again).toMatchObject({ _tag: "PaymentRefusedError", reason: "per-payment-cap" })
        expect(yield* payments.spentUsd).toBe(0)
        expect((yield* routes).filter((r) => r.includes("x402/top-up"))).toEqual([])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const { policy, t } = byHand({})
    it.scoped("a 402 after the call's own top-up: still-required-after-top-up, one payment, never a second", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* policy
        yield* emu.setDiemLinked(t.address, true)
        const error = failureOf(yield* drive(Chat.completions(hello).pipe(PaymentPolicy.retry(payments))))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "still-required-after-top-up" })
        expect((yield* emu.wallet(t.address)).payments).toHaveLength(1)
      }).pipe(Effect.provide(t.layer)))
  }
})
