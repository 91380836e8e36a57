/**
 * The emulator's x402 settlement and wallet behaviour (skills venice-x402, venice-auth): settlement timeouts whose
 * transfer lands later on the Clock, resubmissions (`PAYMENT_IN_PROGRESS` while settling, the credited answer after),
 * failed settlements, DIEM-linked wallets, and the SIWX time window. Payments are signed by the real `@x402/evm`.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Siwx from "@venice-effect/core/Siwx"
import * as X402Api from "@venice-effect/venice/schema/X402Api"
import { x402Client } from "@x402/core/client"
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http"
import { registerExactEvmScheme } from "@x402/evm/exact/client"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import { createSiweMessage } from "viem/siwe"
import * as Faults from "../src/Faults.js"
import type * as VeniceEmulator from "../src/VeniceEmulator.js"
import { chatBody, Client, get, post, send, start } from "./helpers.js"

const siwx = (account: ReturnType<typeof privateKeyToAccount>) =>
  Effect.map(
    Siwx.makeHeader(account, undefined, { domain: "api.venice.ai", statement: "Sign in to Venice AI" }),
    Redacted.value
  )

/** A signed $amount payment to the emulator's own requirements (discovery first), as a PAYMENT-SIGNATURE value. */
const signPayment = (
  emulator: VeniceEmulator.Service,
  account: ReturnType<typeof privateKeyToAccount>,
  amount = "10000000"
) =>
  Effect.gen(function*() {
    const discovery = yield* send(HttpClientRequest.post(emulator.url("/x402/top-up")))
    expect(discovery.status).toBe(402)
    const required = decodePaymentRequiredHeader(discovery.headers["payment-required"]!)
    const base = required.accepts.find((a) => a.network === "eip155:8453")!
    const client = registerExactEvmScheme(new x402Client(), { signer: account }).setSpendControls({
      maxAmountPerPayment: "$10"
    })
    const payload = yield* Effect.promise(() =>
      client.createPaymentPayload({ ...required, accepts: [{ ...base, amount }] })
    )
    return encodePaymentSignatureHeader(payload)
  })

const pay = (emulator: VeniceEmulator.Service, header: string) =>
  send(
    HttpClientRequest.post(emulator.url("/x402/top-up")).pipe(HttpClientRequest.setHeader("PAYMENT-SIGNATURE", header))
  )

describe("x402 settlement", () => {
  it.scoped("SETTLEMENT_TIMEOUT: 504, resubmissions get 409 PAYMENT_IN_PROGRESS, the transfer lands later on the Clock, once", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start()
      yield* emulator.script({ route: "x402/top-up" }, 1, Faults.settlementTimeout({ landsAfter: 10_000 }))
      const header = yield* signPayment(emulator, account) // the discovery did not take the fault
      const first = yield* pay(emulator, header)
      expect([first.status, first.json]).toEqual([504, {
        error: "SETTLEMENT_TIMEOUT",
        message: "Payment settlement timed out"
      }])
      const again = yield* pay(emulator, header)
      expect([again.status, (again.json as { error: string }).error]).toEqual([409, "PAYMENT_IN_PROGRESS"])
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(0)

      yield* TestClock.adjust("10 seconds")
      const landed = yield* emulator.wallet(account.address)
      expect(landed.balanceUsd).toBe(10)
      expect(landed.transactions).toMatchObject([{
        type: "TOP_UP",
        amount: 10,
        createdAt: new Date(10_000).toISOString()
      }])
      // the balance route sees it too
      const balance = yield* get(emulator, `/x402/balance/${account.address}`, {
        key: null,
        headers: { "SIGN-IN-WITH-X": yield* siwx(account) }
      })
      expect(Schema.decodeUnknownSync(X402Api.X402Balance)(balance.json).data).toMatchObject({
        balanceUsd: 10,
        canConsume: true
      })

      // a resubmission now gets the credited answer (same payment id), and credits nothing more
      const settled = yield* pay(emulator, header)
      expect(settled.status).toBe(200)
      const receipt = Schema.decodeUnknownSync(X402Api.TopUpResponse)(settled.json)
      expect(receipt.data).toMatchObject({ amountCredited: 10, newBalance: 10 })
      expect(settled.headers["payment-response"]).toBeDefined()
      const after = yield* emulator.wallet(account.address)
      expect(after.balanceUsd).toBe(10)
      expect(after.payments).toEqual([{
        paymentId: receipt.data.paymentId,
        amountUsd: 10,
        status: "credited",
        submissions: 3
      }])
    }).pipe(Effect.provide(Client)))

  it.scoped("a settlement that never lands stays PAYMENT_IN_PROGRESS", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start()
      yield* emulator.script({ route: "x402/top-up" }, 1, Faults.settlementTimeout({ lands: false }))
      const header = yield* signPayment(emulator, account)
      expect((yield* pay(emulator, header)).status).toBe(504)
      yield* TestClock.adjust("1 hour")
      expect((yield* pay(emulator, header)).status).toBe(409)
      expect((yield* emulator.wallet(account.address)).payments).toMatchObject([{ status: "pending" }])
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(0)
    }).pipe(Effect.provide(Client)))

  it.scoped("SETTLEMENT_FAILED moves nothing (the same payment may be resubmitted); an in-progress fault credits nothing", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start()
      yield* emulator.script({ route: "x402/top-up" }, 1, Faults.settlementFailed)
      yield* emulator.script({ route: "x402/top-up" }, 1, Faults.paymentInProgress)
      const header = yield* signPayment(emulator, account)
      const failed = yield* pay(emulator, header)
      expect([failed.status, (failed.json as { error: string }).error]).toEqual([402, "SETTLEMENT_FAILED"])
      const busy = yield* pay(emulator, header)
      expect([busy.status, (busy.json as { error: string }).error]).toEqual([409, "PAYMENT_IN_PROGRESS"])
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(0)
      expect((yield* pay(emulator, header)).status).toBe(200)
      expect((yield* pay(emulator, header)).status).toBe(200) // replay: already processed, credited once
      const wallet = yield* emulator.wallet(account.address)
      expect(wallet.balanceUsd).toBe(10)
      expect(wallet.transactions).toHaveLength(1)
    }).pipe(Effect.provide(Client)))
})

describe("x402 wallets", () => {
  it.scoped("a DIEM-linked wallet gets PAYMENT_REQUIRED whatever its credit; a top-up does not clear it", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start({ x402: { wallets: { [account.address]: 5 }, diemLinked: [account.address] } })
      const ask = Effect.flatMap(
        siwx(account),
        (header) =>
          post(emulator, "/chat/completions", chatBody(), { key: null, headers: { "SIGN-IN-WITH-X": header } })
      )
      const refused = yield* ask
      expect(refused.status).toBe(402)
      expect(refused.json).toMatchObject({ code: "PAYMENT_REQUIRED", currentBalanceUsd: 5 })
      expect((yield* pay(emulator, yield* signPayment(emulator, account))).status).toBe(200)
      expect((yield* ask).json).toMatchObject({ code: "PAYMENT_REQUIRED", currentBalanceUsd: 15 })
      yield* emulator.setDiemLinked(account.address, false)
      expect((yield* ask).status).toBe(200)
      expect((yield* emulator.wallet(account.address)).diemLinked).toBe(false)
    }).pipe(Effect.provide(Client)))

  it.scoped("SIWX time window: EXPIRED after 5 minutes, FUTURE_TIMESTAMP, NOT_BEFORE; reuse and domain are refused", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      yield* TestClock.setTime(Date.UTC(2026, 10, 22, 12, 0, 0))
      const emulator = yield* start({ x402: { wallets: { [account.address]: 5 } } })
      const send = (header: string) =>
        post(emulator, "/chat/completions", chatBody(), { key: null, headers: { "SIGN-IN-WITH-X": header } })
      const codeOf = (res: { readonly json: unknown }) => (res.json as { code?: string }).code

      const old = yield* siwx(account)
      yield* TestClock.adjust("6 minutes")
      expect(codeOf(yield* send(old))).toBe("X402_SIGN_IN_EXPIRED")

      const early = yield* siwx(account)
      yield* TestClock.setTime((yield* TestClock.currentTimeMillis) - 2 * 60_000) // the server's clock is 2 minutes behind
      expect(codeOf(yield* send(early))).toBe("X402_SIGN_IN_FUTURE_TIMESTAMP")

      const now = new Date(yield* TestClock.currentTimeMillis)
      const notYet = createSiweMessage({
        address: account.address,
        chainId: 8453,
        domain: "api.venice.ai",
        uri: "https://api.venice.ai",
        version: "1",
        nonce: "0123456789abcdef",
        issuedAt: now,
        notBefore: new Date(now.getTime() + 60_000)
      })
      const signed = Redacted.value(Siwx.encodeHeader(yield* Siwx.sign(account, notYet)))
      expect(codeOf(yield* send(signed))).toBe("X402_SIGN_IN_NOT_BEFORE")

      const fresh = yield* siwx(account)
      expect((yield* send(fresh)).status).toBe(200)
      expect(codeOf(yield* send(fresh))).toBe("X402_SIGN_IN_NONCE_REUSED")
      const foreign = yield* Effect.map(Siwx.makeHeader(account, undefined, { domain: "evil.example" }), Redacted.value)
      expect(codeOf(yield* send(foreign))).toBe("X402_SIGN_IN_DOMAIN_MISMATCH")
    }).pipe(Effect.provide(Client)))
})

describe("lost answers and duplicates (issue 13 #4)", () => {
  it.scoped("LostAnswer: the client gets a reset at once; the payment is forwarded 5 s later and credited then", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start()
      // only the paying request: the discovery passes
      yield* emulator.script(
        { route: "x402/top-up", paying: true },
        1,
        Faults.lostAnswer(5_000, "reset", { answerAfter: 0 })
      )
      const header = yield* signPayment(emulator, account)
      const lost = yield* Effect.either(pay(emulator, header))
      expect(lost._tag).toBe("Left") // the connection was reset: no answer
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(0)
      yield* TestClock.adjust("5 seconds")
      for (let i = 0; i < 200 && (yield* emulator.wallet(account.address)).balanceUsd === 0; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      }
      const view = yield* emulator.wallet(account.address)
      expect(view.balanceUsd).toBe(10)
      expect(view.payments).toMatchObject([{ amountUsd: 10, status: "credited", submissions: 1 }])
      // the same payment again: the credited answer, nothing more credited
      const again = yield* pay(emulator, header)
      expect(again.status).toBe(200)
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(10)
    }).pipe(Effect.provide(Client)))

  it.scoped("LostAnswer html-502: the proxy's page comes back once the forwarded request is answered", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start()
      yield* emulator.script({ route: "x402/top-up", paying: true }, 1, Faults.lostAnswer(3_000, "html-502"))
      const header = yield* signPayment(emulator, account)
      const fiber = yield* Effect.fork(pay(emulator, header))
      for (let i = 0; i < 200 && (yield* emulator.stats).total < 2; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      }
      yield* TestClock.adjust("3 seconds")
      const page = yield* Fiber.join(fiber)
      expect(page.status).toBe(502)
      expect(page.headers["content-type"]).toMatch(/text\/html/)
      expect(page.headers["x-venice-version"]).toBeUndefined() // a proxy's page, not Venice's
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(10)
    }).pipe(Effect.provide(Client)))

  it.scoped("Duplicate: one copy answered SETTLEMENT_FAILED, the other settles it later — credited once", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start()
      yield* emulator.script(
        { route: "x402/top-up", paying: true },
        1,
        Faults.duplicate(2_000, Faults.settlementFailed)
      )
      const header = yield* signPayment(emulator, account)
      const failed = yield* pay(emulator, header)
      expect([failed.status, (failed.json as { error: string }).error]).toEqual([402, "SETTLEMENT_FAILED"])
      yield* TestClock.adjust("2 seconds")
      for (let i = 0; i < 200 && (yield* emulator.wallet(account.address)).balanceUsd === 0; i++) {
        yield* Effect.promise(() => new Promise((r) => setTimeout(r, 5)))
      }
      expect((yield* emulator.wallet(account.address)).transactions.filter((t) => t.type === "TOP_UP")).toHaveLength(1)
      yield* emulator.script({ route: "x402/top-up", paying: true }, 1, Faults.duplicate(0))
      expect((yield* pay(emulator, header)).status).toBe(200) // both copies: the credited answer
      yield* Effect.promise(() => new Promise((r) => setTimeout(r, 50)))
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(10)
    }).pipe(Effect.provide(Client)))

  it.scoped("a transfer never lands after its authorization expired (validBefore)", () =>
    Effect.gen(function*() {
      const account = privateKeyToAccount(generatePrivateKey())
      const emulator = yield* start()
      yield* TestClock.setTime(Date.now())
      // lands 10 minutes later: past validBefore (signing time + 300 s)
      yield* emulator.script({ route: "x402/top-up" }, 1, Faults.settlementTimeout({ landsAfter: 600_000 }))
      const header = yield* signPayment(emulator, account)
      expect((yield* pay(emulator, header)).status).toBe(504)
      yield* TestClock.adjust("20 minutes")
      const view = yield* emulator.wallet(account.address)
      expect(view.balanceUsd).toBe(0)
      expect(view.payments).toMatchObject([{ status: "pending" }])
    }).pipe(Effect.provide(Client)))
})
