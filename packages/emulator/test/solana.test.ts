/**
 * Solana and both SIWX header forms against the emulator over loopback. Sign-ins are verified for real (EIP-191 and
 * Ed25519); top-ups are built by `@x402/svm`'s own client (an encoder independent of the SDK) and verified by its
 * facilitator; `@x402/extensions`' own clients (`wrapFetchWithSIWx`, the SIWX client hook) sign in. Every key is a
 * throwaway generated here.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import { createSignableMessage, generateKeyPairSigner, getBase58Decoder } from "@solana/kit"
import type { KeyPairSigner } from "@solana/kit"
import * as Siwx from "@venice-effect/core/Siwx"
import * as X402 from "@venice-effect/core/X402"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import { x402Client } from "@x402/core/client"
import { decodePaymentRequiredHeader, encodePaymentSignatureHeader } from "@x402/core/http"
import type { PaymentPayload, PaymentRequired } from "@x402/core/types"
import { createSIWxClientHook, wrapFetchWithSIWx } from "@x402/extensions/sign-in-with-x"
import { ExactSvmScheme, TOKEN_PROGRAM_ADDRESS } from "@x402/svm"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import * as Faults from "../src/Faults.js"
import type * as VeniceEmulator from "../src/VeniceEmulator.js"
import { chatBody, Client, get, post, type Res, send, start } from "./helpers.js"

const SOLANA = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"
const USDC = "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v"

const decodeError = (res: Res) => VeniceError.decode({ status: res.status, headers: res.headers, body: res.text })

/** Core's SIWX signer for a kit key pair (as `VeniceWallet` adapts one). */
const solanaSiwx = (signer: KeyPairSigner): Siwx.SolanaSigner => ({
  namespace: "solana",
  address: signer.address,
  signBytes: async (bytes) => (await signer.signMessages([createSignableMessage(bytes)]))[0]![signer.address]!
})

/**
 * A kit key pair as `@x402/extensions`' wallet-adapter signer: its own `SolanaKitSigner` type does not accept kit's
 * branded `KeyPairSigner` (it works at run time; the types disagree).
 */
const adapter = (signer: KeyPairSigner) => ({ publicKey: signer.address, signMessage: solanaSiwx(signer).signBytes })

const header = (signer: Siwx.Signer, form: Siwx.HeaderForm, options: Siwx.MessageOptions = {}) =>
  Effect.map(Siwx.makeHeader(signer, undefined, { domain: "api.venice.ai", form, ...options }), Redacted.value)

const withWallet = (emulator: VeniceEmulator.Service, value: string) =>
  post(emulator, "/chat/completions", chatBody(), { key: null, headers: { "SIGN-IN-WITH-X": value } })

const fetchJson = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, json: (await response.json()) as unknown }
  })

/** The Solana entry of Venice's own top-up requirements, and the whole document (`@x402/core`'s decoder). */
const discoverSolana = (emulator: VeniceEmulator.Service) =>
  Effect.promise(async () => {
    const response = await fetch(emulator.url("/x402/top-up"), { method: "POST" })
    const document: PaymentRequired = decodePaymentRequiredHeader(response.headers.get("payment-required")!)
    return { document, solana: document.accepts.find((a) => [SOLANA, "solana"].includes(a.network))! }
  })

/**
 * A payment built and signed by `@x402/svm`'s client for `requirements`. The blockhash comes from the emulator's RPC
 * (unless `extra` names one) and the USDC mint is seeded into the scheme's cache: kit's RPC transport sets
 * `content-length` itself, which Node 20's `fetch` refuses once undici 7 is the global dispatcher (as in this process).
 */
const svmPayment = (
  emulator: VeniceEmulator.Service,
  signer: KeyPairSigner,
  document: PaymentRequired,
  requirements: PaymentRequired["accepts"][number]
) =>
  Effect.promise(async () => {
    const scheme = new ExactSvmScheme(signer, { rpcUrl: emulator.solanaRpcUrl })
    const cache: unknown = Reflect.get(scheme, "mintCache")
    if (cache instanceof Map) {
      cache.set(`${SOLANA}:${USDC}`, Promise.resolve({ decimals: 6, programAddress: TOKEN_PROGRAM_ADDRESS }))
    }
    const rpc = await fetch(emulator.solanaRpcUrl, {
      method: "POST",
      body: JSON.stringify({ id: 1, method: "getLatestBlockhash" })
    })
    const { blockhash } = ((await rpc.json()) as { result: { value: { blockhash: string } } }).result.value
    return new x402Client()
      .register(SOLANA, scheme)
      .setSpendControls({ maxAmountPerPayment: "$10" })
      .createPaymentPayload({
        ...document,
        accepts: [{ ...requirements, network: SOLANA, extra: { recentBlockhash: blockhash, ...requirements.extra } }]
      })
  })

const topUp = (emulator: VeniceEmulator.Service, payment: PaymentPayload) =>
  send(
    HttpClientRequest.post(emulator.url("/x402/top-up")).pipe(
      HttpClientRequest.setHeader("PAYMENT-SIGNATURE", encodePaymentSignatureHeader(payment))
    )
  )

describe("Solana wallets and both SIWX header forms", () => {
  it.scopedLive("EVM and Solana × message and structured forms sign in; a replay is NONCE_REUSED", () =>
    Effect.gen(function*() {
      const evm = privateKeyToAccount(generatePrivateKey())
      const solana = solanaSiwx(yield* Effect.promise(() => generateKeyPairSigner()))
      const emulator = yield* start({ x402: { wallets: { [evm.address]: 5, [solana.address]: 5 } } })
      for (const signer of [evm, solana]) {
        for (const form of ["message", "structured"] as const) {
          const value = yield* header(signer, form)
          const served = yield* withWallet(emulator, value)
          expect([signer.address, form, served.status]).toEqual([signer.address, form, 200])
          expect(decodeError(yield* withWallet(emulator, value)).code).toBe("X402_SIGN_IN_NONCE_REUSED")
        }
        // a challenge of the emulator, echoed in the structured form: its domain is the emulator's host
        const discovery = yield* post(emulator, "/chat/completions", chatBody(), { key: null })
        const challenge = Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(discovery.headers["payment-required"])
        const info = (challenge.extensions?.[X402.SIGN_IN_WITH_X] as { readonly info: X402.SignInWithXInfo }).info
        const echoed = yield* Effect.map(
          Siwx.makeHeader(signer, info, { origin: emulator.url("/chat/completions"), form: "structured" }),
          Redacted.value
        )
        expect((yield* withWallet(emulator, echoed)).status).toBe(200)
        const wallet = yield* emulator.wallet(signer.address)
        expect(wallet.transactions.map((t) => t.type)).toEqual(["CHARGE", "CHARGE", "CHARGE"])
      }
    }).pipe(Effect.provide(Client)))

  it.scopedLive("Solana sign-ins Venice refuses get its X402_SIGN_IN_* codes", () =>
    Effect.gen(function*() {
      const kit = yield* Effect.promise(() => generateKeyPairSigner())
      const solana = solanaSiwx(kit)
      const other = solanaSiwx(yield* Effect.promise(() => generateKeyPairSigner()))
      const emulator = yield* start({ x402: { wallets: { [solana.address]: 5 } } })
      const codeOf = (value: string) => Effect.map(withWallet(emulator, value), (res) => decodeError(res).code)
      const wire = (value: string) =>
        JSON.parse(Buffer.from(value, "base64").toString("utf8")) as Record<string, unknown>
      const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64")

      const message = wire(yield* header(solana, "message"))
      const forged = wire(yield* header(other, "message"))
      expect(yield* codeOf(b64({ ...message, signature: forged["signature"] }))).toBe("X402_SIGN_IN_INVALID_SIGNATURE")
      expect(yield* codeOf(yield* header(solana, "message", { domain: "evil.example" }))).toBe(
        "X402_SIGN_IN_DOMAIN_MISMATCH"
      )
      expect(yield* codeOf(yield* header(solana, "message", { chainId: "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1" })))
        .toBe("X402_SIGN_IN_UNSUPPORTED_CHAIN")
      expect(yield* codeOf(b64({ ...message, chainId: "solana" }))).toBe("X402_SIGN_IN_INVALID_CHAIN_ID")
      const structured = wire(yield* header(solana, "structured"))
      const { nonce: _nonce, ...noNonce } = structured
      expect(yield* codeOf(b64(noNonce))).toBe("X402_SIGN_IN_INVALID_PAYLOAD")
      expect(yield* codeOf(b64({ ...structured, address: other.address }))).toBe("X402_SIGN_IN_INVALID_SIGNATURE")

      // the ledger routes compare the base58 path wallet exactly
      const own = yield* get(emulator, `/x402/balance/${solana.address}`, {
        key: null,
        headers: { "SIGN-IN-WITH-X": yield* header(solana, "structured") }
      })
      expect(own.status).toBe(200)
      const flipped = solana.address.replace(/[a-hj-np-z]/, (c) => c.toUpperCase())
      const foreign = yield* get(emulator, `/x402/balance/${flipped}`, {
        key: null,
        headers: { "SIGN-IN-WITH-X": yield* header(solana, "structured") }
      })
      expect(foreign.status).toBe(403)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("@x402/extensions' wrapFetchWithSIWx signs in: EVM as Venice lists its rails, Solana when listed first", () =>
    Effect.gen(function*() {
      const evm = privateKeyToAccount(generatePrivateKey())
      const kit = yield* Effect.promise(() => generateKeyPairSigner())
      const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(chatBody()) }
      const venice = yield* start({ x402: { wallets: { [evm.address]: 5, [kit.address]: 5 } } })
      const served = yield* fetchJson(venice.url("/chat/completions"), init).pipe(
        Effect.zipLeft(Effect.void),
        Effect.flatMap(() => Effect.promise(() => wrapFetchWithSIWx(fetch, evm)(venice.url("/chat/completions"), init)))
      )
      expect(served.status).toBe(200)
      expect((yield* venice.wallet(evm.address)).transactions).toHaveLength(1)
      // wrapFetchWithSIWx signs on the chain of accepts[0] only: with Base first a Solana signer does not sign in
      const unsigned = yield* Effect.promise(() =>
        wrapFetchWithSIWx(fetch, adapter(kit))(venice.url("/chat/completions"), init)
      )
      expect(unsigned.status).toBe(402)
      const solanaFirst = yield* start({ x402: { solanaFirst: true, wallets: { [kit.address]: 5 } } })
      const solanaServed = yield* Effect.promise(() =>
        wrapFetchWithSIWx(fetch, adapter(kit))(solanaFirst.url("/chat/completions"), init)
      )
      expect(solanaServed.status).toBe(200)
      expect((yield* solanaFirst.wallet(kit.address)).transactions).toHaveLength(1)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("@x402/extensions' SIWX client hook signs a Solana wallet in whatever the rail order", () =>
    Effect.gen(function*() {
      const kit = yield* Effect.promise(() => generateKeyPairSigner())
      const emulator = yield* start({ x402: { wallets: { [kit.address]: 5 } } })
      const url = emulator.url("/chat/completions")
      const init = { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(chatBody()) }
      const served = yield* Effect.promise(async () => {
        const first = await fetch(url, init)
        const paymentRequired = decodePaymentRequiredHeader(first.headers.get("payment-required")!)
        const signed = await createSIWxClientHook(adapter(kit))({ paymentRequired, requestUrl: url })
        return fetch(url, { ...init, headers: { ...init.headers, ...signed?.headers } })
      })
      expect(served.status).toBe(200)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("a top-up built by @x402/svm's client is verified by its facilitator and credited once", () =>
    Effect.gen(function*() {
      const kit = yield* Effect.promise(() => generateKeyPairSigner())
      const emulator = yield* start()
      const { document, solana } = yield* discoverSolana(emulator)
      expect(solana).toMatchObject({ network: SOLANA, asset: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v" })
      expect(solana.extra["feePayer"]).toBeTypeOf("string")
      const payment = yield* svmPayment(emulator, kit, document, solana)
      const paid = yield* topUp(emulator, payment)
      expect(paid.status).toBe(200)
      expect(paid.json).toMatchObject({
        success: true,
        data: { walletAddress: kit.address, amountCredited: 5, newBalance: 5 }
      })
      const settlement = Schema.decodeUnknownSync(X402.PaymentResponseHeader)(paid.headers["payment-response"])
      expect(settlement).toMatchObject({ success: true, network: SOLANA, payer: kit.address })
      // the same signed payment again: the same paymentId, credited once
      const again = yield* topUp(emulator, payment)
      expect((again.json as { data: { paymentId: string } }).data.paymentId)
        .toBe((paid.json as { data: { paymentId: string } }).data.paymentId)
      const wallet = yield* emulator.wallet(kit.address)
      expect(wallet.balanceUsd).toBe(5)
      expect(wallet.payments).toMatchObject([{ amountUsd: 5, status: "credited", submissions: 2 }])
      // Venice takes the alias on the way in: a payment whose `accepted` says `solana` is credited too
      const alias = yield* svmPayment(emulator, kit, document, solana)
      expect((yield* topUp(emulator, { ...alias, accepted: { ...alias.accepted, network: "solana:x" } })).status).toBe(
        400
      )
      expect(
        (yield* topUp(emulator, {
          ...alias,
          accepted: { ...alias.accepted, network: "solana" as `${string}:${string}` }
        })).status
      )
        .toBe(200)
      expect((yield* emulator.wallet(kit.address)).balanceUsd).toBe(10)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("Solana payments Venice refuses get its top-up codes (nothing is credited)", () =>
    Effect.gen(function*() {
      const kit = yield* Effect.promise(() => generateKeyPairSigner())
      const stranger = yield* Effect.promise(() => generateKeyPairSigner())
      const emulator = yield* start()
      const { document, solana } = yield* discoverSolana(emulator)
      const codeOf = (payment: PaymentPayload) => Effect.map(topUp(emulator, payment), (res) => decodeError(res).code)
      const good = yield* svmPayment(emulator, kit, document, solana)

      // the echo names another receiver / another token; the transfer goes to another receiver
      expect(yield* codeOf({ ...good, accepted: { ...good.accepted, payTo: stranger.address } })).toBe(
        "INVALID_PAYMENT_RECIPIENT"
      )
      expect(yield* codeOf({ ...good, accepted: { ...good.accepted, asset: stranger.address } })).toBe(
        "UNSUPPORTED_TOKEN"
      )
      const elsewhere = yield* svmPayment(emulator, kit, document, { ...solana, payTo: stranger.address })
      expect(yield* codeOf({ ...elsewhere, accepted: good.accepted })).toBe("INVALID_PAYMENT_RECIPIENT")
      // the echo claims more than the transfer moves
      expect(yield* codeOf({ ...good, accepted: { ...good.accepted, amount: "6000000" } })).toBe("INVALID_AMOUNT")
      // one byte of the signed message changed (in the memo, before the v0 lookup-table count that ends the
      // message): the payer's signature no longer verifies
      const bytes = Buffer.from(good.payload["transaction"] as string, "base64")
      bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 1
      const tampered = { ...good, payload: { transaction: bytes.toString("base64") } }
      expect(yield* codeOf(tampered)).toBe("PAYMENT_VERIFICATION_FAILED")
      // a blockhash the emulator never handed out ("simulation" fails)
      const blockhash = getBase58Decoder().decode(globalThis.crypto.getRandomValues(new Uint8Array(32)))
      const stale = yield* svmPayment(emulator, kit, document, {
        ...solana,
        extra: { ...solana.extra, recentBlockhash: blockhash }
      })
      expect(yield* codeOf(stale)).toBe("PAYMENT_VERIFICATION_FAILED")
      expect(yield* codeOf({ ...good, payload: { transaction: "bm90IGEgdHJhbnNhY3Rpb24=" } })).toBe("INVALID_PAYMENT")
      const small = yield* svmPayment(emulator, kit, document, { ...solana, amount: "1000000" })
      expect(yield* codeOf(small)).toBe("AMOUNT_TOO_LOW")
      expect((yield* emulator.wallet(kit.address)).payments).toEqual([])
    }).pipe(Effect.provide(Client)))

  it.scopedLive("the top-up requirements name Solana bare under the BareSolanaNetwork fault", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      yield* emulator.script({ route: "x402/top-up" }, 1, Faults.bareSolanaNetwork)
      expect((yield* discoverSolana(emulator)).solana.network).toBe("solana")
      expect((yield* discoverSolana(emulator)).solana.network).toBe(SOLANA)
    }).pipe(Effect.provide(Client)))
})
