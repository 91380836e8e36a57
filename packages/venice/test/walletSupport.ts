/**
 * Test support for x402 wallets: a throwaway key (viem's `generatePrivateKey()` on Base, an Ed25519 key pair from
 * `node:crypto` on Solana; never funded anywhere), the Venice emulator on loopback with that wallet's credit, the wallet
 * service (`chain: "base" | "solana"`: the same suites run with either), optionally a payment policy, and a VeniceClient
 * authenticated by the wallet. Everything is built inside the test's runtime, so client and emulator read the same
 * clock. The emulator records every SIGN-IN-WITH-X header it verifies (raw value, nonce), and the client's HTTP layer
 * records every outgoing request's headers, so tests can check nonces and search for secrets.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { getBase58Decoder } from "@solana/kit"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as Siwx from "@venice-effect/core/Siwx"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as TestClock from "effect/TestClock"
import * as crypto from "node:crypto"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import type * as VeniceClient from "../src/VeniceClient.js"
import * as VeniceWallet from "../src/VeniceWallet.js"
// these tests sign with wallets: their calls may fail with a WalletError
import type {} from "../src/WalletErrors.js"

export const MODEL = "venice-uncensored"
export const hello = { model: MODEL, messages: [{ role: "user" as const, content: "hello" }] }

/** The typed failure of an exit (a test fails on a success, a defect or an interruption). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

/** A fresh throwaway wallet key and its address. */
export const throwawayKey = () => {
  const key = generatePrivateKey()
  return { key, address: privateKeyToAccount(key).address }
}

/**
 * A fresh throwaway Solana key pair: `key` is its 64-byte secret key in base58 (private then public key, as wallets
 * export it), `address` its public key in base58.
 */
export const throwawaySolanaKey = () => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519")
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url")
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url")
  return { key: getBase58Decoder().decode(Buffer.concat([seed, raw])), address: getBase58Decoder().decode(raw) }
}

/** The chains a wallet test can run on. */
export type Chain = "base" | "solana"

/** What the emulator and the client's HTTP layer saw. */
export interface Recorder {
  /** Raw SIGN-IN-WITH-X header values the emulator verified, in order. */
  readonly siwxHeaders: Array<string>
  /** The nonces of those headers that verified. */
  readonly nonces: Array<string>
  /** Every request the client sent: method, URL, headers (raw, for secret searches). */
  readonly requests: Array<
    { readonly method: string; readonly url: string; readonly headers: Readonly<Record<string, string>> }
  >
  /** Every response the client received: the request's URL, the status, the headers (bodies are not read). */
  readonly responses: Array<
    { readonly url: string; readonly status: number; readonly headers: Readonly<Record<string, string>> }
  >
}

export interface WalletTestOptions {
  /** The wallet's chain (default `base`). */
  readonly chain?: Chain
  /** The wallet's initial credit on the emulator (USD). */
  readonly balanceUsd?: number
  readonly emulator?: Omit<Emulator.Config, "x402"> & {
    readonly x402?: Omit<NonNullable<Emulator.Config["x402"]>, "verifySiwx">
  }
  readonly wallet?: VeniceWallet.Options
  /** Payment settings (cap 10, budget 50 unless given); `false`: a wallet client without payments. */
  readonly payments?: Partial<PaymentPolicy.Options> | false
  /** The client's retry policy (the payment step runs around it). */
  readonly retry?: VeniceClient.Options["retry"]
  readonly client?: Omit<VeniceClient.Options, "apiKey" | "authenticator" | "baseUrl" | "retry">
  /** A Solana wallet's RPC, given the emulator's (default: the emulator's own, `/solana-rpc`). */
  readonly solanaRpc?: (emulatorRpcUrl: string) => Effect.Effect<string, never, Scope.Scope>
  /** Set the TestClock to the real time first (x402 authorizations are valid from real time). Default true. */
  readonly realTime?: boolean
}

/** What the emulator accepts: Venice's domains, and its own host (its challenges are bound to its origin). */
export const DOMAINS = ["api.venice.ai", "venice.ai", "127.0.0.1"]

/**
 * The emulator, the wallet, the payment policy (unless `payments: false`) and a wallet client on the emulator.
 * `key` is the wallet's private key (a throwaway), for secret searches.
 */
export const walletLayer = (options: WalletTestOptions = {}) => {
  const chain = options.chain ?? "base"
  const { address, key } = chain === "solana" ? throwawaySolanaKey() : throwawayKey()
  const recorder: Recorder = { siwxHeaders: [], nonces: [], requests: [], responses: [] }
  const verifySiwx: Emulator.SiwxVerifier = (header) =>
    Effect.sync(() => recorder.siwxHeaders.push(header)).pipe(
      Effect.zipRight(Siwx.verify(header, { domain: DOMAINS })),
      Effect.map((verified) => {
        recorder.nonces.push(verified.nonce)
        return { address: verified.address, nonce: verified.nonce, validUntil: verified.validUntil.getTime() }
      })
    )
  const emulator = Emulator.layer({
    ...options.emulator,
    x402: {
      ...options.emulator?.x402,
      wallets: { ...options.emulator?.x402?.wallets, [address]: options.balanceUsd ?? 0 },
      verifySiwx
    }
  })
  const http = Layer.effect(
    HttpClient.HttpClient,
    Effect.map(
      HttpClient.HttpClient,
      (client) =>
        HttpClient.tapRequest(
          client,
          (request: HttpClientRequest.HttpClientRequest) =>
            Effect.sync(() =>
              recorder.requests.push({ method: request.method, url: request.url, headers: { ...request.headers } })
            )
        ).pipe(HttpClient.tap((response) =>
          Effect.sync(() =>
            recorder.responses.push({
              url: response.request.url,
              status: response.status,
              headers: { ...response.headers }
            })
          )
        ))
    )
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  const wallet = chain === "solana"
    ? Layer.unwrapScoped(Effect.gen(function*() {
      const emu = yield* Emulator.VeniceEmulator
      const rpcUrl = options.solanaRpc === undefined ? emu.solanaRpcUrl : yield* options.solanaRpc(emu.solanaRpcUrl)
      return VeniceWallet.layerSolana({ ...options.wallet, secretKey: Redacted.make(key), rpcUrl })
    }))
    : VeniceWallet.layer({ ...options.wallet, privateKey: Redacted.make(key) })
  const realTime = options.realTime === false
    ? Layer.empty
    : Layer.effectDiscard(TestClock.setTime(Date.now()))

  const clientAndPayments = Layer.unwrapEffect(
    Effect.map(Emulator.VeniceEmulator, (emu): Layer.Layer<
      VeniceClient.VeniceClient | PaymentPolicy.PaymentPolicy,
      unknown,
      VeniceWallet.VeniceWallet | HttpClient.HttpClient
    > => {
      if (options.payments === false) {
        // no PaymentPolicy in this layer: tests with `payments: false` never ask for it
        return VeniceWallet.layerClient({
          ...options.client,
          baseUrl: emu.baseUrl,
          ...(options.retry !== undefined ? { retry: options.retry } : {})
        }) as Layer.Layer<
          VeniceClient.VeniceClient | PaymentPolicy.PaymentPolicy,
          unknown,
          VeniceWallet.VeniceWallet | HttpClient.HttpClient
        >
      }
      const payments = PaymentPolicy.layer({
        maxPerPaymentUsd: 10,
        budgetUsd: 50,
        settlement: { poll: "2 seconds" },
        ...options.payments,
        baseUrl: emu.baseUrl
      })
      return PaymentPolicy.layerClient({
        ...options.client,
        retry: options.retry ?? RetryPolicy.defaultPolicy
      }).pipe(Layer.provideMerge(payments))
    })
  )

  const all = clientAndPayments.pipe(
    Layer.provideMerge(wallet),
    Layer.provideMerge(emulator),
    Layer.provideMerge(http),
    Layer.provideMerge(LimiterStore.layerMemory),
    Layer.provideMerge(realTime)
  )
  return { layer: all, address, key, recorder }
}

/**
 * A Solana RPC in front of the emulator's (a real loopback server) whose `getBlockHeight` the test controls: passed on,
 * refused (HTTP 500), or a chain that lags at the `lastValidBlockHeight` of the newest blockhash it handed out (a payment
 * signed with it could still land). Everything else is forwarded.
 */
export const controlledChain = () => {
  const control = { blockHeight: "forward" as "forward" | "refused" | "lagging", lastValid: 0, heightReads: 0 }
  const rpc = (upstream: string) =>
    Effect.map(
      Effect.acquireRelease(
        Effect.async<http.Server>((resume) => {
          const server = http.createServer((req, res) => {
            const parts: Array<Buffer> = []
            req.on("data", (c: Buffer) => parts.push(c))
            req.on("end", () => {
              const body = Buffer.concat(parts).toString("utf8")
              const call = JSON.parse(body) as { readonly id: unknown; readonly method: string }
              if (call.method === "getBlockHeight") {
                control.heightReads++
                if (control.blockHeight === "refused") return void res.writeHead(500).end("upstream unavailable")
                if (control.blockHeight === "lagging") {
                  res.writeHead(200, { "content-type": "application/json" })
                  return void res.end(JSON.stringify({ jsonrpc: "2.0", id: call.id, result: control.lastValid }))
                }
              }
              void fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body })
                .then((answer) => answer.text())
                .then((text) => {
                  if (call.method === "getLatestBlockhash") {
                    control.lastValid = (JSON.parse(text) as { result: { value: { lastValidBlockHeight: number } } })
                      .result.value.lastValidBlockHeight
                  }
                  res.writeHead(200, { "content-type": "application/json" })
                  res.end(text)
                })
                .catch(() => res.destroy())
            })
          })
          server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
        }),
        (server) =>
          Effect.async<void>((resume) => {
            server.closeAllConnections()
            server.close(() => resume(Effect.void))
          })
      ),
      (server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    )
  return { control, rpc }
}
