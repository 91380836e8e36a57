import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Siwx from "@venice-effect/core/Siwx"
import * as X402 from "@venice-effect/core/X402"
import * as X402Api from "@venice-effect/venice/schema/X402Api"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import { x402Client } from "@x402/core/client"
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http"
import { parsePaymentRequired } from "@x402/core/schemas"
import { registerExactEvmScheme } from "@x402/evm/exact/client"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { privateKeyToAccount } from "viem/accounts"
import * as Faults from "../src/Faults.js"
import type * as VeniceEmulator from "../src/VeniceEmulator.js"
import { chatBody, Client, get, INFERENCE_KEY, post, type Res, send, start } from "./helpers.js"

/** A throwaway test account (a well-known test key, never funded anywhere). */
const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
const poor = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")

const decodeError = (res: Res) => VeniceError.decode({ status: res.status, headers: res.headers, body: res.text })

const siwxHeader = (signer: typeof account, domain = "api.venice.ai") =>
  Effect.map(Siwx.makeHeader(signer, undefined, { domain, statement: "Sign in to Venice AI" }), Redacted.value)

const withWallet = (emulator: VeniceEmulator.Service, path: string, body: unknown, header: string) =>
  post(emulator, path, body, { key: null, headers: { "SIGN-IN-WITH-X": header } })

describe("auth", () => {
  it.scopedLive("no credentials: the x402 discovery 402 with a decodable PAYMENT-REQUIRED header (not counted)", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ x402: { payTo: "0x1111111111111111111111111111111111111111" } })
      const res = yield* post(emulator, "/chat/completions", chatBody(), { key: null })
      expect(res.status).toBe(402)
      const header = Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(res.headers["payment-required"])
      expect(header.accepts[0]).toMatchObject({
        scheme: "exact",
        network: "eip155:8453",
        amount: "10000000",
        payTo: "0x1111111111111111111111111111111111111111"
      })
      // Solana in CAIP-2, so that @x402/core's own schema takes the document (it refuses bare names in v2)
      expect(header.accepts[1]?.network).toBe("solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp")
      expect(parsePaymentRequired(decodePaymentRequiredHeader(res.headers["payment-required"]!)).success).toBe(true)
      expect(X402.signInWithX(header)._tag).toBe("Some")
      // the challenge is bound to the emulator's origin, as Venice binds its own to the host the client called
      const challenge = Option.getOrThrow(X402.signInWithX(header)).info
      expect(challenge.domain).toBe(new URL(emulator.origin).host)
      expect(challenge.uri).toBe(`${emulator.origin}/api/v1/chat/completions`)
      // under the BareSolanaNetwork fault the rail is the bare `solana`, as Venice's inference 402s send it today
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.bareSolanaNetwork)
      const bare = yield* post(emulator, "/chat/completions", chatBody(), { key: null })
      const bareHeader = Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(bare.headers["payment-required"])
      expect(bareHeader.accepts.map((a) => a.network)).toEqual(["eip155:8453", "solana"])
      const refused = parsePaymentRequired(decodePaymentRequiredHeader(bare.headers["payment-required"]!))
      expect(refused.error?.message).toContain("CAIP-2")
      expect(res.headers["x-ratelimit-remaining"]).toBeUndefined()
      const error = decodeError(res)
      expect(error._tag).toBe("VeniceX402DiscoveryError")
      expect(error.code).toBe("AUTHENTICATION_REQUIRED")
      if (error._tag === "VeniceX402DiscoveryError") {
        expect(error.body.authOptions?.x402Wallet?.header).toBe("SIGN-IN-WITH-X")
        expect(error.paymentRequired?.accepts).toHaveLength(2)
      }
      // bearer-only routes too; wallet routes list no payment options
      expect((yield* get(emulator, "/billing/balance", { key: null })).status).toBe(402)
      const balance = yield* get(emulator, `/x402/balance/${account.address}`, { key: null })
      expect(balance.status).toBe(402)
      expect(Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(balance.headers["payment-required"]).accepts).toEqual(
        []
      )
      // the discovery 402 does not count against the error budget
      const ok = yield* post(emulator, "/chat/completions", chatBody())
      expect(ok.headers["x-ratelimit-remaining"]).toBe("50")
    }).pipe(Effect.provide(Client)))

  it.scopedLive("a wrong key is 401 Authentication failed; a payment header on inference is 400", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const res = yield* post(emulator, "/chat/completions", chatBody(), { key: "wrong" })
      expect([res.status, res.json]).toEqual([401, { error: "Authentication failed" }])
      expect(res.headers["x-ratelimit-remaining"]).toBe("50")
      expect(
        (yield* post(emulator, "/chat/completions", chatBody(), { key: "wrong" })).headers["x-ratelimit-remaining"]
      ).toBe("49")
      expect(decodeError(res).code).toBe("AUTHENTICATION_FAILED")
      const paid = yield* post(emulator, "/chat/completions", chatBody(), { headers: { "PAYMENT-SIGNATURE": "abc" } })
      expect(paid.status).toBe(400)
      expect(paid.json).toEqual({
        error: "Payment headers are only accepted on POST /api/v1/x402/top-up",
        code: "PAYMENT_HEADER_NOT_ACCEPTED"
      })
      const siwxOnly = yield* get(emulator, "/api_keys/rate_limits", { key: null, headers: { "SIGN-IN-WITH-X": "x" } })
      expect([siwxOnly.status, siwxOnly.json]).toEqual([401, { error: "Authentication failed" }])
      expect((yield* get(emulator, "/api_keys/rate_limits", { key: INFERENCE_KEY })).status).toBe(200)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("SIWX: a funded wallet is served and charged; nonces are single use; the domain is checked", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ x402: { wallets: { [account.address]: 5 } } })
      const header = yield* siwxHeader(account)
      const res = yield* withWallet(emulator, "/chat/completions", chatBody(), header)
      expect(res.status).toBe(200)
      const wallet = yield* emulator.wallet(account.address)
      expect(wallet.balanceUsd).toBeLessThan(5)
      expect(wallet.transactions.map((t) => t.type)).toEqual(["CHARGE"])

      const replay = yield* withWallet(emulator, "/chat/completions", chatBody(), header)
      expect(replay.status).toBe(401)
      expect(replay.json).toEqual({
        error: "Sign-in-with-X nonce has already been used",
        code: "X402_SIGN_IN_NONCE_REUSED"
      })
      expect(decodeError(replay)).toMatchObject({ _tag: "VeniceCodedError", code: "X402_SIGN_IN_NONCE_REUSED" })

      const foreign = yield* withWallet(
        emulator,
        "/chat/completions",
        chatBody(),
        yield* siwxHeader(account, "evil.example")
      )
      expect(decodeError(foreign).code).toBe("X402_SIGN_IN_DOMAIN_MISMATCH")
      const garbage = yield* withWallet(emulator, "/chat/completions", chatBody(), "%%%")
      expect(decodeError(garbage).code).toBe("X402_SIGN_IN_PARSE_ERROR")

      // the ledger, newest first; another wallet's ledger is refused
      const balance = yield* get(emulator, `/x402/balance/${account.address}`, {
        key: null,
        headers: { "SIGN-IN-WITH-X": yield* siwxHeader(account) }
      })
      const decoded = Schema.decodeUnknownSync(X402Api.X402Balance)(balance.json)
      expect(decoded.data.balanceUsd).toBe(wallet.balanceUsd)
      const history = yield* get(emulator, `/x402/transactions/${account.address}?limit=10`, {
        key: null,
        headers: { "SIGN-IN-WITH-X": yield* siwxHeader(account) }
      })
      expect(Schema.decodeUnknownSync(X402Api.X402Transactions)(history.json).data.transactions[0]?.type).toBe("CHARGE")
      const other = yield* get(emulator, `/x402/balance/${poor.address}`, {
        key: null,
        headers: { "SIGN-IN-WITH-X": yield* siwxHeader(account) }
      })
      expect([other.status, other.json]).toEqual([403, { error: "You can only access balance for your own wallet" }])
      expect(decodeError(other).code).toBe("X402_WALLET_MISMATCH")
      const invalid = yield* get(emulator, `/x402/balance/${account.address}`, {
        key: null,
        headers: { "SIGN-IN-WITH-X": "%%%" }
      })
      expect([invalid.status, invalid.json]).toEqual([401, { error: "Invalid Sign-in-with-x signature" }])
    }).pipe(Effect.provide(Client)))

  it.scopedLive("SIWX: a wallet under $0.10 gets the PAYMENT_REQUIRED 402 (E7b) with a PAYMENT-REQUIRED header", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ x402: { wallets: { [poor.address]: 0.04 } } })
      const res = yield* withWallet(emulator, "/chat/completions", chatBody(), yield* siwxHeader(poor))
      expect(res.status).toBe(402)
      expect(res.json).toMatchObject({
        code: "PAYMENT_REQUIRED",
        reason: "insufficient_balance",
        currentBalanceUsd: 0.04
      })
      const header = Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(res.headers["payment-required"])
      expect(header.accepts[0]?.amount).toBe("10000000")
      const error = decodeError(res)
      expect(error._tag).toBe("VenicePaymentRequiredError")
      expect(VeniceError.retryClass(error)).toBe("pay-then-retry")
      if (error._tag === "VenicePaymentRequiredError") {
        expect(error.body.siwxChallenge?.info.domain).toBe(new URL(emulator.origin).host)
      }
    }).pipe(Effect.provide(Client)))

  it.scopedLive("SIWX: at most 5 requests in flight per wallet; the 6th gets X402_CONCURRENCY_LIMIT", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ x402: { wallets: { [account.address]: 5 } } })
      yield* emulator.script({ route: "chat/completions" }, 5, Faults.streamStall(0))
      const client = yield* HttpClient.HttpClient
      const open = (header: string) =>
        client.execute(
          HttpClientRequest.post(emulator.url("/chat/completions")).pipe(
            HttpClientRequest.setHeader("SIGN-IN-WITH-X", header),
            HttpClientRequest.bodyUnsafeJson(chatBody({ stream: true }))
          )
        )
      // five streams answered (headers sent) and held open
      const held = yield* Effect.forEach([1, 2, 3, 4, 5], () => Effect.flatMap(siwxHeader(account), open), {
        concurrency: 5
      })
      expect(held.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
      const sixth = yield* withWallet(emulator, "/chat/completions", chatBody(), yield* siwxHeader(account))
      expect([sixth.status, sixth.json]).toEqual([429, {
        error: "Too many concurrent requests",
        code: "X402_CONCURRENCY_LIMIT"
      }])
    }).pipe(Effect.provide(Client)))

  it.scopedLive("top-up: discovery 402, then a payment signed by @x402/evm is verified, credited once, and answered with PAYMENT-RESPONSE", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const discovery = yield* send(HttpClientRequest.post(emulator.url("/x402/top-up")))
      expect(discovery.status).toBe(402)
      const required = decodePaymentRequiredHeader(discovery.headers["payment-required"]!)
      expect(required.accepts.map((a) => a.network)).toEqual(["eip155:8453", "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"])
      expect(discovery.json).toMatchObject({ x402Version: 2, accepts: [{ amount: "5000000" }, { amount: "5000000" }] })

      // a $10 cap, as a careful caller would set (the library defaults to $1)
      const client = registerExactEvmScheme(new x402Client(), { signer: account }).setSpendControls({
        maxAmountPerPayment: "$10"
      })
      const payload = yield* Effect.promise(() => client.createPaymentPayload(required))
      const pay = (header: string) =>
        send(
          HttpClientRequest.post(emulator.url("/x402/top-up")).pipe(
            HttpClientRequest.setHeader("PAYMENT-SIGNATURE", header)
          )
        )
      const settled = yield* pay(encodePaymentSignatureHeader(payload))
      expect(settled.status).toBe(200)
      const topUp = Schema.decodeUnknownSync(X402Api.TopUpResponse)(settled.json)
      expect(topUp.data).toMatchObject({ walletAddress: account.address, amountCredited: 5, newBalance: 5 })
      const settlement = Schema.decodeUnknownSync(X402.PaymentResponseHeader)(settled.headers["payment-response"])
      expect(settlement).toMatchObject({ success: true, network: "eip155:8453", payer: account.address })

      // the same signed payment again: credited at most once
      const again = Schema.decodeUnknownSync(X402Api.TopUpResponse)(
        (yield* pay(encodePaymentSignatureHeader(payload))).json
      )
      expect(again.data.paymentId).toBe(topUp.data.paymentId)
      expect((yield* emulator.wallet(account.address)).balanceUsd).toBe(5)

      // a payment to another recipient is refused with a top-up error body
      const elsewhere = { ...payload, accepted: { ...payload.accepted, payTo: poor.address } }
      const refused = yield* pay(encodePaymentSignatureHeader(elsewhere))
      expect(refused.status).toBe(400)
      expect(refused.json).toMatchObject({ error: "INVALID_PAYMENT_RECIPIENT" })
      expect(decodeError(refused)).toMatchObject({ _tag: "VeniceCodedError", code: "INVALID_PAYMENT_RECIPIENT" })
      const forged = { ...payload, payload: { ...payload.payload, signature: `0x${"11".repeat(65)}` } }
      expect(decodeError(yield* pay(encodePaymentSignatureHeader(forged))).code).toBe("PAYMENT_VERIFICATION_FAILED")
      expect(decodeError(yield* pay("not base64 %%%")).code).toBe("INVALID_PAYMENT_FORMAT")

      // /x402/top-up allows 10 requests a minute per IP (this test sent 6), then a header-less 429
      for (let i = 0; i < 4; i++) {
        expect((yield* send(HttpClientRequest.post(emulator.url("/x402/top-up")))).status).toBe(402)
      }
      const limited = yield* send(HttpClientRequest.post(emulator.url("/x402/top-up")))
      expect([limited.status, limited.json]).toEqual([429, { error: "Rate limit exceeded. Please try again later." }])
      expect(decodeError(limited).code).toBe("RATE_LIMIT_EXCEEDED")
    }).pipe(Effect.provide(Client)))
})
