/**
 * An x402 wallet as a service (SPEC X1, R10): it signs a fresh `SIGN-IN-WITH-X` header (EIP-4361 message, EIP-191
 * signature, via core's `Siwx`) for every attempt, and signs x402 payments (EIP-3009 `transferWithAuthorization` for
 * USDC on Base) with the real x402 client libraries (`@x402/core` + `@x402/evm`'s exact scheme).
 *
 * Build it from a private key (`Redacted`, turned into a viem account: the key itself is never stored, printed or
 * logged) or from any signer you supply (a viem account, a wallet client's account, a remote signer). Then give
 * {@link authenticator} to `VeniceClient` (or use {@link layerClient}): calls authenticate with the wallet instead
 * of a Bearer key, and the client keeps at most 5 of them in flight (SPEC X4).
 *
 * ## Nonces
 *
 * Each header is good for one request: Venice consumes its nonce. {@link Service.signIn} therefore signs a new
 * message every time. When the wallet knows a fresh server challenge (handed over with
 * {@link Service.offerChallenge}, e.g. by the payment policy from a 402's `siwxChallenge`), the next header uses
 * that challenge's nonce and times, once; otherwise it uses a client-side nonce (128 random bits) and the current
 * time.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Redacted } from "effect"
 * import { Chat, VeniceWallet } from "@venice-effect/venice"
 *
 * const Wallet = VeniceWallet.layer({ privateKey: Redacted.make(process.env.WALLET_KEY as `0x${string}`) })
 * const Venice = VeniceWallet.layerClient().pipe(Layer.provide(Wallet), Layer.provide(NodeHttpClient.layerUndici))
 *
 * Effect.runPromise(Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
 *   .pipe(Effect.provide(Venice)))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Siwx from "@venice-effect/core/Siwx"
import type * as X402 from "@venice-effect/core/X402"
import { x402Client } from "@x402/core/client"
import { encodePaymentSignatureHeader } from "@x402/core/http"
import type { PaymentRequired as LibPaymentRequired, PaymentRequirements as LibPaymentRequirements } from "@x402/core/types"
import type { ClientEvmSigner } from "@x402/evm"
import { registerExactEvmScheme } from "@x402/evm/exact/client"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { privateKeyToAccount } from "viem/accounts"
import * as Wallet from "./internal/wallet.js"
import * as VeniceClient from "./VeniceClient.js"
import * as WalletError from "./WalletError.js"

/**
 * What signs for the wallet: an address, EIP-191 `signMessage` (sign-in) and, to pay, EIP-712 `signTypedData`. A
 * viem `LocalAccount` (`privateKeyToAccount(key)`) has all three.
 *
 * @since 0.1.0
 * @category models
 */
export interface Signer extends Siwx.Signer {
  readonly signTypedData?: ClientEvmSigner["signTypedData"] | undefined
}

/**
 * Wallet options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The SIWX domain (default `api.venice.ai`). A challenge for another domain is never signed. */
  readonly domain?: string | undefined
  /** The SIWX statement (default `Sign in to Venice AI`). */
  readonly statement?: string | undefined
  /** Lifetime of a client-side sign-in message (default 4 minutes; Venice accepts at most 5). */
  readonly expiresIn?: Duration.DurationInput | undefined
  /**
   * Requests in flight per wallet, enforced by the client (SPEC X4): default 5, Venice's limit; `false` turns the
   * client-side limit off (Venice then answers the extra requests `429 X402_CONCURRENCY_LIMIT`).
   */
  readonly maxInFlight?: number | false | undefined
}

/**
 * A signed x402 payment, ready to send. `header` is the `PAYMENT-SIGNATURE` value: a bearer payment authorisation,
 * so it is `Redacted` and never logged.
 *
 * @since 0.1.0
 * @category models
 */
export interface SignedPayment {
  readonly header: Redacted.Redacted<string>
  /** The requirements the payment answers (echoed as `accepted`). */
  readonly accepted: X402.PaymentRequirements
  /** The amount, in the asset's base units. */
  readonly amount: bigint
}

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The wallet address (EIP-55). */
  readonly address: `0x${string}`
  /** `wallet:<lower-case address>`: the non-secret identity for limiter buckets and logs. */
  readonly identity: string
  /** The SIWX domain. */
  readonly domain: string
  /** Requests in flight per wallet the client allows (`undefined`: no client-side limit). */
  readonly maxInFlight: number | undefined
  /**
   * Signs a new `SIGN-IN-WITH-X` header for one request: from a fresh offered challenge (used once), else with a
   * client-side nonce. Never reuse the result for another request.
   */
  readonly signIn: (options?: { readonly uri?: string | undefined }) => Effect.Effect<Redacted.Redacted<string>, WalletError.WalletSignError>
  /**
   * Hands over a server challenge (`siwxChallenge.info`, `extensions["sign-in-with-x"].info`): the next
   * {@link signIn} uses its nonce and times once, if it is still fresh then. Challenges for another domain are
   * dropped. Returns whether the challenge was kept.
   */
  readonly offerChallenge: (challenge: X402.SignInWithXInfo) => Effect.Effect<boolean>
  /**
   * Signs an x402 payment for `requirements` (one entry of a `PaymentRequired`'s `accepts[]`) with `@x402/core`'s
   * client and `@x402/evm`'s exact scheme, capped at `maxAmountPerPaymentUsd` (the library refuses anything above
   * it too). The caller chooses and checks the requirements; see `TopUp`.
   */
  readonly signPayment: (
    paymentRequired: X402.PaymentRequired,
    requirements: X402.PaymentRequirements,
    options: { readonly maxAmountPerPaymentUsd: number }
  ) => Effect.Effect<SignedPayment, WalletError.WalletSignError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class VeniceWallet extends Context.Tag("@venice-effect/venice/VeniceWallet")<VeniceWallet, Service>() {}

/** Offered challenges kept at most (older ones are dropped). */
const MAX_CHALLENGES = 64

const messageOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const short = (error as { shortMessage?: unknown }).shortMessage
    if (typeof short === "string") return short
    if (error instanceof Error) return error.message
  }
  return String(error)
}

/**
 * A wallet service from any signer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (signer: Signer, options: Options = {}): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const domain = options.domain ?? "api.venice.ai"
    const statement = options.statement ?? "Sign in to Venice AI"
    const expiresIn = options.expiresIn ?? Duration.minutes(4)
    const maxInFlight = options.maxInFlight === false ? undefined : Math.max(1, Math.floor(options.maxInFlight ?? 5))
    const address = signer.address
    const challenges = yield* Ref.make<ReadonlyArray<X402.SignInWithXInfo>>([])
    const signError = (operation: "sign-in" | "payment", message: string) =>
      new WalletError.WalletSignError({ wallet: address, operation, message })

    // The first offered challenge that is still fresh, removed (single use); stale ones are dropped on the way.
    const takeChallenge = Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Ref.modify(challenges, (queue): readonly [X402.SignInWithXInfo | undefined, ReadonlyArray<X402.SignInWithXInfo>] => {
        const fresh = queue.filter((c) => Siwx.isFreshChallenge(c, now))
        return [fresh[0], fresh.slice(1)]
      }))

    const signIn: Service["signIn"] = (signInOptions) =>
      Effect.gen(function*() {
        const challenge = yield* takeChallenge
        const messageOptions: Siwx.MessageOptions = {
          domain,
          statement,
          expiresIn,
          ...(signInOptions?.uri !== undefined ? { uri: signInOptions.uri } : {})
        }
        return yield* Siwx.makeHeader(signer, challenge, messageOptions).pipe(
          // a challenge we cannot use (malformed fields) must not cost the request: sign with a client nonce instead
          Effect.catchTag("SiwxSignError", (error) =>
            challenge !== undefined && error.reason !== "SignerFailed"
              ? Siwx.makeHeader(signer, undefined, messageOptions)
              : Effect.fail(error)),
          Effect.mapError((error) => signError("sign-in", `cannot sign the SIGN-IN-WITH-X message: ${error.message}`))
        )
      })

    const offerChallenge: Service["offerChallenge"] = (challenge) =>
      Siwx.normalizeDomain(challenge.domain) !== Siwx.normalizeDomain(domain) || challenge.version !== "1"
        ? Effect.succeed(false)
        : Effect.as(
          Ref.update(challenges, (queue) =>
            queue.some((c) => c.nonce === challenge.nonce) ? queue : [...queue, challenge].slice(-MAX_CHALLENGES)),
          true
        )

    const signPayment: Service["signPayment"] = (paymentRequired, requirements, paymentOptions) =>
      Effect.gen(function*() {
        const signTypedData = signer.signTypedData
        if (signTypedData === undefined) {
          return yield* signError("payment", "the signer has no signTypedData: it cannot sign x402 payments")
        }
        const cap = paymentOptions.maxAmountPerPaymentUsd
        if (!(Number.isFinite(cap) && cap > 0)) {
          return yield* signError("payment", "maxAmountPerPaymentUsd must be a positive number")
        }
        // The library's own spend control is set to the caller's cap explicitly (its default is $1, below Venice's
        // $5 minimum); only the exact scheme on Base is registered, and only the given requirements are offered.
        const client = registerExactEvmScheme(new x402Client(), {
          signer: { address, signTypedData },
          networks: ["eip155:8453"]
        }).setSpendControls({ maxAmountPerPayment: `$${cap}` })
        const document = {
          x402Version: 2,
          ...(paymentRequired.resource !== undefined ? { resource: paymentRequired.resource } : {}),
          accepts: [requirements],
          ...(paymentRequired.extensions !== undefined ? { extensions: paymentRequired.extensions } : {})
        } as unknown as LibPaymentRequired
        const payload = yield* Effect.tryPromise({
          try: () => client.createPaymentPayload(document),
          catch: (error) => signError("payment", `cannot sign the x402 payment: ${messageOf(error)}`)
        })
        const accepted = payload.accepted as LibPaymentRequirements
        return {
          header: Redacted.make(encodePaymentSignatureHeader(payload)),
          accepted: accepted as unknown as X402.PaymentRequirements,
          amount: BigInt(accepted.amount)
        }
      })

    return {
      address,
      identity: `wallet:${address.toLowerCase()}`,
      domain,
      maxInFlight,
      signIn,
      offerChallenge,
      signPayment
    } satisfies Service
  })

/**
 * A wallet service from a private key (`Redacted`, 0x + 64 hex). The key becomes a viem account at once and is not
 * kept; an invalid key fails with {@link WalletError.WalletKeyError}, whose message never quotes it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromPrivateKey = (
  privateKey: Redacted.Redacted<`0x${string}`> | Redacted.Redacted<string>,
  options: Options = {}
): Effect.Effect<Service, WalletError.WalletKeyError> =>
  Effect.flatMap(
    Effect.try({
      try: () => privateKeyToAccount(Redacted.value(privateKey) as `0x${string}`),
      catch: () => new WalletError.WalletKeyError({ message: "the wallet private key is not a valid secp256k1 key (expected 0x + 64 hex characters)" })
    }),
    (account) => make(account, options)
  )

/**
 * The wallet from a private key.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options & { readonly privateKey: Redacted.Redacted<`0x${string}`> | Redacted.Redacted<string> }
): Layer.Layer<VeniceWallet, WalletError.WalletKeyError> => Layer.effect(VeniceWallet, fromPrivateKey(options.privateKey, options))

/**
 * The wallet from a signer of yours.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSigner = (signer: Signer, options: Options = {}): Layer.Layer<VeniceWallet> =>
  Layer.effect(VeniceWallet, make(signer, options))

/**
 * The wallet from configuration: `VENICE_WALLET_PRIVATE_KEY` (read with `Config.redacted`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Options = {}
): Layer.Layer<VeniceWallet, WalletError.WalletKeyError | ConfigError.ConfigError> =>
  Layer.effect(
    VeniceWallet,
    Effect.flatMap(Config.redacted("VENICE_WALLET_PRIVATE_KEY"), (key) => fromPrivateKey(key, options))
  )

/**
 * The `VeniceClient` authenticator of a wallet: a fresh `SIGN-IN-WITH-X` header for every attempt (SPEC R10), the
 * identity `wallet:<address>`, and the wallet's in-flight limit (SPEC X4).
 *
 * @since 0.1.0
 * @category constructors
 */
export const authenticator = (wallet: Service): VeniceClient.Authenticator => {
  const coordination = Wallet.coordinationOf(wallet)
  return {
    identity: wallet.identity,
    ...(wallet.maxInFlight !== undefined ? { maxInFlight: wallet.maxInFlight } : {}),
    authorize: (request, attempt) =>
      Effect.gen(function*() {
        // a top-up of this wallet is under way: wait for it instead of collecting a 402
        const topUp = coordination.topUpInFlight
        if (topUp !== undefined) yield* topUp
        const header = yield* wallet.signIn()
        // which wallet signed this attempt, and at which payment generation (read by the payment policy)
        yield* FiberRef.set(Wallet.currentAttempt, {
          wallet: wallet.identity,
          attempt,
          generation: coordination.generation
        })
        return HttpClientRequest.setHeader(request, "sign-in-with-x", Redacted.value(header))
      })
  }
}

/**
 * A `VeniceClient` authenticated by the wallet in context (no payments: a `402 PAYMENT_REQUIRED` is surfaced; see
 * `PaymentPolicy.layerClient` to pay within caps).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Omit<VeniceClient.Options, "apiKey" | "authenticator"> = {}
): Layer.Layer<VeniceClient.VeniceClient, VeniceClient.BuildError, VeniceWallet | HttpClient.HttpClient> =>
  Layer.effect(
    VeniceClient.VeniceClient,
    Effect.flatMap(VeniceWallet, (wallet) => VeniceClient.make({ ...options, authenticator: authenticator(wallet) }))
  )
