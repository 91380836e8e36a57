/**
 * A Solana wallet through the SDK against the emulator over loopback (X1–X4 on Solana): sign-in in both header
 * forms, top-ups paid on Solana through `@x402/svm` with the same caps, budget and single flight as on Base, the
 * payTo / asset / network rules, and its secret key nowhere. `@x402/extensions` and `@x402/svm` decode what the SDK
 * sent, independently of it. Every key is a throwaway generated here.
 */
import { describe, expect, it } from "@effect/vitest"
import { getBase58Encoder } from "@solana/kit"
import * as Siwx from "@venice-effect/core/Siwx"
import * as X402 from "@venice-effect/core/X402"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import { decodePaymentSignatureHeader } from "@x402/core/http"
import { parseSIWxHeader, verifySIWxSignature } from "@x402/extensions/sign-in-with-x"
import { decodeTransactionFromPayload, getTokenPayerFromTransaction } from "@x402/svm"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import * as VeniceWallet from "../src/VeniceWallet.js"
import * as WalletError from "../src/WalletError.js"
import { drive as driveClock, recordingLogger, recordingTracer } from "./support.js"
import { hello, throwawaySolanaKey, walletLayer } from "./walletSupport.js"

const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 5_000, ...options })

const SOLANA = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

const ledger = (address: string) =>
  Effect.flatMap(VeniceEmulator, (emu) =>
    Effect.map(emu.wallet(address), (w) => ({
      balanceUsd: w.balanceUsd,
      topUps: w.transactions.filter((t) => t.type === "TOP_UP").map((t) => t.amount),
      payments: w.payments
    })))

/** `n` chat calls at once. */
const burst = (n: number) =>
  Effect.forEach(Array.from({ length: n }, () => hello), (r) => Chat.completions(r), {
    concurrency: "unbounded"
  })

describe("a Solana wallet", () => {
  it.effect("from a secret key: base58, the JSON array of solana-keygen, or bytes; a bad key is never quoted", () =>
    Effect.gen(function*() {
      const { address, key } = throwawaySolanaKey()
      const raw = new Uint8Array(getBase58Encoder().encode(key))
      for (const secret of [Redacted.make(key), Redacted.make(JSON.stringify([...raw])), Redacted.make(raw)]) {
        const wallet = yield* VeniceWallet.fromSolanaSecretKey(secret)
        expect(wallet).toMatchObject({ address, network: SOLANA, identity: `wallet:${address}` })
      }
      const bad = key.slice(0, -4) + "1111"
      const error = yield* Effect.flip(VeniceWallet.fromSolanaSecretKey(Redacted.make(bad)))
      expect(error).toBeInstanceOf(WalletError.WalletKeyError)
      expect(JSON.stringify(error) + String(error)).not.toContain(bad.slice(0, 12))
    }))

  {
    const t = walletLayer({ chain: "solana", balanceUsd: 5, payments: false })
    it.scoped("signs in with the Solana message (bare genesis hash in Chain ID), a new nonce per attempt", () =>
      Effect.gen(function*() {
        yield* Chat.completions(hello)
        yield* Chat.completions(hello)
        expect(t.recorder.nonces).toHaveLength(2)
        expect(new Set(t.recorder.nonces).size).toBe(2)
        const payload = yield* Siwx.decodeHeader(t.recorder.siwxHeaders[0]!)
        expect(payload).toMatchObject({ form: "message", address: t.address, chainId: SOLANA, type: "ed25519" })
        expect(payload.message).toContain(`wants you to sign in with your Solana account:\n${t.address}\n`)
        expect(payload.message).toContain("\nChain ID: 5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp\n")
        expect((yield* ledger(t.address)).balanceUsd).toBeLessThan(5)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ chain: "solana", balanceUsd: 5, payments: false, wallet: { headerForm: "structured" } })
    it.scoped("headerForm structured: the header @x402/extensions parses and verifies; the emulator accepts it", () =>
      Effect.gen(function*() {
        yield* Chat.completions(hello)
        const header = t.recorder.siwxHeaders[0]!
        const parsed = parseSIWxHeader(header)
        expect(parsed).toMatchObject({ address: t.address, chainId: SOLANA, type: "ed25519", domain: "api.venice.ai" })
        expect(yield* Effect.promise(() => verifySIWxSignature(parsed))).toMatchObject({
          isValid: true,
          payer: t.address
        })
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ chain: "solana", balanceUsd: 0, payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("402 → top-up paid on Solana (@x402/svm) → retry → 200; @x402/svm decodes what was sent", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        const exit = yield* drive(Chat.completions(hello))
        expect(Exit.isSuccess(exit)).toBe(true)
        expect((yield* emu.requests).map((r) => `${r.status} ${r.route}`)).toEqual([
          "402 chat/completions",
          "402 x402/top-up",
          "200 x402/transactions", // the ledger's newest entry before signing: where a lost payment would appear
          "200 x402/top-up",
          "200 chat/completions"
        ])
        const after = yield* ledger(t.address)
        expect(after.topUps).toEqual([10])
        expect(after.payments).toMatchObject([{ amountUsd: 10, status: "credited", submissions: 1 }])
        expect(yield* payments.spentUsd).toBe(10)

        // the PAYMENT-SIGNATURE, decoded by @x402/core and @x402/svm: USDC on Solana, paid by the wallet to Venice's payTo
        const sent = t.recorder.requests.find((r) => r.headers["payment-signature"] !== undefined)!
        const payment = decodePaymentSignatureHeader(sent.headers["payment-signature"]!)
        expect(payment.accepted).toMatchObject({
          scheme: "exact",
          network: SOLANA,
          asset: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
          amount: "10000000",
          payTo: "2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4"
        })
        expect(payment.accepted.extra).not.toHaveProperty("recentBlockhash") // the echo is Venice's requirements
        const transaction = decodeTransactionFromPayload(payment.payload as { transaction: string })
        expect(getTokenPayerFromTransaction(transaction)).toBe(t.address)
        // the retry signed in with the emulator's challenge, bound to its origin
        const retried = yield* Siwx.decodeHeader(t.recorder.siwxHeaders.at(-1)!) // after the ledger read's
        expect(retried.message.split("\n")[0]).toBe(
          `${new URL(emu.origin).host} wants you to sign in with your Solana account:`
        )
      }).pipe(Effect.provide(t.layer)))
  }

  {
    // 50 simultaneous 402s: the error budget and the client's in-flight limit are relaxed to see the single flight alone
    const t = walletLayer({
      chain: "solana",
      payments: { maxPerPaymentUsd: 10, budgetUsd: 15 },
      wallet: { maxInFlight: false },
      client: { errorBudgetGuard: false },
      emulator: { x402: { concurrency: 100 }, errorBudget: { threshold: 1_000 } }
    })
    it.scoped("50 concurrent 402s → one top-up; the budget ($15) is never exceeded: $10, then the $5 left, then none", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payments = yield* PaymentPolicy.PaymentPolicy
        expect(Exit.isSuccess(yield* drive(burst(50)))).toBe(true)
        const chats = (yield* emu.requests).filter((r) => r.route === "chat/completions")
        expect(chats.filter((r) => r.status === 402).length).toBeGreaterThanOrEqual(45) // all (or nearly) at once
        expect(chats.filter((r) => r.status === 200)).toHaveLength(50)
        expect((yield* ledger(t.address)).topUps).toEqual([10])
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(2) // one discovery, one payment

        // the credit is gone: the next top-up is what the budget has left
        yield* emu.setWalletBalance(t.address, 0)
        expect(Exit.isSuccess(yield* drive(burst(50)))).toBe(true)
        expect((yield* ledger(t.address)).topUps).toEqual([10, 5])
        expect(yield* payments.spentUsd).toBe(15)

        // and then nothing more: every call fails with the typed refusal, no third payment
        yield* emu.setWalletBalance(t.address, 0)
        const exit = yield* drive(
          Effect.forEach(Array.from({ length: 10 }, () => hello), (r) => Effect.exit(Chat.completions(r)), {
            concurrency: "unbounded"
          })
        )
        const refusals = Exit.isSuccess(exit) ? exit.value.map(failureOf) : []
        expect(refusals).toHaveLength(10)
        for (const refusal of refusals) {
          expect(refusal).toMatchObject({ _tag: "PaymentRefusedError", reason: "budget-exhausted" })
        }
        expect((yield* ledger(t.address)).topUps).toEqual([10, 5])
        expect((yield* ledger(t.address)).payments.reduce((sum, p) => sum + p.amountUsd, 0)).toBeLessThanOrEqual(15)
        expect(yield* emu.count({ status: 401 })).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ chain: "solana", payments: { maxPerPaymentUsd: 10, budgetUsd: 50 } })
    it.scoped("the top-up requirements may name Solana bare (`solana`): the same rail, paid in CAIP-2", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.bareSolanaNetwork)
        expect(Exit.isSuccess(yield* drive(Chat.completions(hello)))).toBe(true)
        expect((yield* ledger(t.address)).topUps).toEqual([10])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({
      chain: "solana",
      payments: { maxPerPaymentUsd: 10, budgetUsd: 50 },
      wallet: { payTo: ["CKPKJWNdJEqa81x7CkZ14BVPiY6y16Sxs7owznqtWYp5"] }
    })
    it.scoped("a receiver the user did not allow is refused (payee-not-allowed); nothing is signed or paid", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({ _tag: "PaymentRefusedError", reason: "payee-not-allowed" })
        expect(yield* emu.count({ route: "x402/top-up" })).toBe(1) // the discovery only
        expect(yield* (yield* PaymentPolicy.PaymentPolicy).spentUsd).toBe(0)
      }).pipe(Effect.provide(t.layer)))
  }

  it.effect("only USDC on Solana mainnet from Venice: other networks, tokens or receivers are not selected", () =>
    Effect.gen(function*() {
      const { key } = throwawaySolanaKey()
      const wallet = yield* VeniceWallet.fromSolanaSecretKey(Redacted.make(key))
      const rail: X402.PaymentRequirements = {
        scheme: "exact",
        network: SOLANA,
        amount: "5000000",
        asset: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
        payTo: "2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4",
        maxTimeoutSeconds: 300,
        extra: { feePayer: "CKPKJWNdJEqa81x7CkZ14BVPiY6y16Sxs7owznqtWYp5" }
      }
      const select = (...accepts: ReadonlyArray<X402.PaymentRequirements>) =>
        wallet.selectRequirements({ x402Version: 2, accepts })
      expect(select(rail)).toMatchObject({ _tag: "Right", right: { network: SOLANA } })
      expect(select({ ...rail, network: "solana" })).toMatchObject({ _tag: "Right", right: { network: SOLANA } })
      for (
        const other of [
          { ...rail, network: "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1" }, // devnet
          { ...rail, network: "eip155:8453", asset: "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913" },
          { ...rail, asset: "Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB" }, // USDT
          { ...rail, asset: rail.asset.toLowerCase() }, // base58 is case-sensitive
          { ...rail, scheme: "upto" },
          { ...rail, payTo: "0x2670B922ef37C7Df47158725C0CC407b5382293F" }
        ]
      ) expect(select(other)).toMatchObject({ _tag: "Left", left: { reason: "no-usdc-on-solana" } })
    }))

  {
    const t = walletLayer({ chain: "solana", balanceUsd: 0, payments: { maxPerPaymentUsd: 10, budgetUsd: 15 } })
    it.scoped("its secret key, SIWX headers and payment headers never reach an error, a log line or a span", () =>
      Effect.gen(function*() {
        const payments = yield* PaymentPolicy.PaymentPolicy
        const tracing = recordingTracer()
        const logging = recordingLogger()
        const exits: Array<Exit.Exit<unknown, unknown>> = []
        const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
          drive(effect).pipe(
            Effect.tap((exit) => Effect.sync(() => exits.push(exit))),
            Effect.withTracer(tracing.tracer),
            Effect.provide(logging.layer),
            Logger.withMinimumLogLevel(LogLevel.All)
          )
        yield* run(Chat.completions(hello))
        yield* run(payments.balance)
        yield* run(payments.topUp(1)) // rejected: below Venice's minimum
        yield* run(payments.topUp(9)) // refused: over the budget
        const secrets: Array<string> = [t.key]
        for (const request of t.recorder.requests) {
          const siwx = request.headers["sign-in-with-x"]
          if (siwx !== undefined) secrets.push(siwx, Redacted.value((yield* Siwx.decodeHeader(siwx)).signature))
          const payment = request.headers["payment-signature"]
          if (payment !== undefined) {
            const decoded = Schema.decodeUnknownSync(X402.PaymentSignatureHeader)(payment)
            secrets.push(payment, String(decoded.payload["transaction"]))
          }
        }
        expect(secrets.length).toBeGreaterThan(6)
        const errors = exits.flatMap((exit) =>
          Exit.isFailure(exit) ? [Cause.pretty(exit.cause), JSON.stringify(Cause.squash(exit.cause))] : []
        )
        expect(errors.length).toBeGreaterThanOrEqual(4)
        const spans = tracing.dump()
        const logs = logging.dump()
        for (const secret of secrets) {
          expect(spans.includes(secret)).toBe(false)
          expect(logs.includes(secret)).toBe(false)
          for (const text of errors) expect(text.includes(secret)).toBe(false)
        }
      }).pipe(Effect.provide(t.layer)))
  }
})
