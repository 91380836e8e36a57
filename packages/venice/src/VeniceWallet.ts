/**
 * An x402 wallet as a service (X1, R10), on Base or on Solana: it signs a fresh `SIGN-IN-WITH-X` header (via
 * core's `Siwx`, built on `@x402/extensions`) for every attempt, and signs x402 top-up payments with the real x402
 * client libraries.
 *
 * - **Base**: an EVM account (EIP-4361 message, EIP-191 signature); payments are EIP-3009
 *   `transferWithAuthorization`s of USDC on Base (`@x402/core` + `@x402/evm`). Build it from a private key
 *   (`Redacted`, 0x + 64 hex) or any viem-style signer.
 * - **Solana**: an Ed25519 key pair (`@solana/kit`; Solana SIWX message, bare genesis hash in its `Chain ID` line);
 *   payments are SPL `TransferChecked`s of USDC on Solana mainnet, partially signed (`@x402/svm`), Venice's fee payer
 *   signs last. Building one reads the USDC mint and a recent blockhash from a Solana RPC (`rpcUrl`). Build it from a
 *   64-byte secret key (`Redacted`, base58 or the JSON array of `solana-keygen`) or a kit `KeyPairSigner`.
 *
 * The key itself is never stored, printed or logged. Give {@link authenticator} to `VeniceClient` (or use
 * {@link layerClient}): calls authenticate with the wallet instead of a Bearer key, and the client keeps at most 5 of
 * them in flight (X4). `PaymentPolicy` pays for either chain with the same caps, budget and single flight.
 *
 * ## Header form (X6)
 *
 * `headerForm: "message"` (the default) sends `{ address, message, signature, chainId }`: the form Venice's OpenAPI
 * security scheme, its x402 guide and its own SDK document, verified over the exact bytes signed. `"structured"`
 * sends the x402 v2 fields `@x402/extensions` sends and parses (Venice rebuilds the message from them).
 *
 * ## Nonces and challenges
 *
 * Each header is good for one request: Venice consumes its nonce. {@link Service.signIn} therefore signs a new
 * message every time. When the wallet holds a fresh server challenge (handed over with {@link Service.offerChallenge},
 * e.g. by the payment policy from a 402's `siwxChallenge`) bound to the origin of the request being signed, the header
 * uses that challenge's nonce and times, once; otherwise a client-side nonce (128 random bits) and the current time.
 * A challenge bound to another origin is never signed: a sign-in proof can be replayed against the domain it names
 * (X5).
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
import { createKeyPairSignerFromBytes, getBase58Encoder } from "@solana/kit"
import * as ProviderClient from "@venice-effect/core/ProviderClient"
import * as Siwx from "@venice-effect/core/Siwx"
import type * as X402 from "@venice-effect/core/X402"
import { encodePaymentSignatureHeader } from "@x402/core/http"
import type {
  PaymentRequired as LibPaymentRequired,
  PaymentRequirements as LibPaymentRequirements
} from "@x402/core/types"
import type { ClientEvmSigner } from "@x402/evm"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import { privateKeyToAccount } from "viem/accounts"
import * as Evm from "./internal/evm.js"
import * as Svm from "./internal/svm.js"
import * as Wallet from "./internal/wallet.js"
import * as VeniceClient from "./VeniceClient.js"
import * as WalletError from "./WalletError.js"

/**
 * What signs for an EVM wallet: an address, EIP-191 `signMessage` (sign-in) and, to pay, EIP-712 `signTypedData`. A
 * viem `LocalAccount` (`privateKeyToAccount(key)`) has all three.
 *
 * @since 0.1.0
 * @category models
 */
export interface Signer extends Siwx.EvmSigner {
  readonly signTypedData?: ClientEvmSigner["signTypedData"] | undefined
}

/**
 * What signs for a Solana wallet: a `@solana/kit` signer of messages (sign-in) and transactions (payments), such as
 * the `KeyPairSigner` of `createKeyPairSignerFromBytes` or `generateKeyPairSigner`.
 *
 * @since 0.1.0
 * @category models
 */
export type SolanaSigner = Svm.KeyPairSigner

/**
 * Wallet options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The SIWX domain of client-side messages (default `api.venice.ai`). */
  readonly domain?: string | undefined
  /** The SIWX statement (default `Sign in to Venice AI`). */
  readonly statement?: string | undefined
  /** Lifetime of a client-side sign-in message (default 4 minutes; Venice accepts at most 5). */
  readonly expiresIn?: Duration.DurationInput | undefined
  /**
   * The `SIGN-IN-WITH-X` JSON form (default `message`, the form Venice documents: see the module docs; `structured`
   * is the x402 v2 form `@x402/extensions` parses).
   */
  readonly headerForm?: Siwx.HeaderForm | undefined
  /**
   * Requests in flight per wallet, enforced by the client (X4): default 5, Venice's limit; `false` turns the
   * client-side limit off (Venice then answers the extra requests `429 X402_CONCURRENCY_LIMIT`).
   */
  readonly maxInFlight?: number | false | undefined
  /**
   * The receivers a top-up may pay (default: the `payTo` of Venice's own `/x402/top-up` answer). Pin Venice's
   * published receiver(s) to refuse any other (`PaymentRefusedError` with reason `payee-not-allowed`).
   */
  readonly payTo?: ReadonlyArray<string> | undefined
}

/**
 * Options of a Solana wallet.
 *
 * @since 0.1.0
 * @category models
 */
export interface SolanaOptions extends Options {
  /**
   * The Solana RPC a payment reads the USDC mint and a recent blockhash from (default the public mainnet endpoint,
   * rate-limited: use your own in production).
   */
  readonly rpcUrl?: string | undefined
  /** The longest the RPC read of a payment may take (default 30 seconds). */
  readonly rpcTimeout?: Duration.DurationInput | undefined
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
  /**
   * A Solana payment's expiry: the transaction can land while the chain's block height is at most this (its
   * blockhash's `lastValidBlockHeight`), however long that takes. Absent on Base, where the EIP-3009 authorization's
   * `validBefore` (in the payload) is a time.
   */
  readonly lastValidBlockHeight?: number | undefined
}

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The wallet address (EIP-55 on Base, base58 on Solana). */
  readonly address: string
  /** The wallet's chain, CAIP-2 (`eip155:8453` or `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp`). */
  readonly network: string
  /** `wallet:<address>` (lower case on EVM): the non-secret identity for limiter buckets and logs. */
  readonly identity: string
  /** The SIWX domain of client-side messages. */
  readonly domain: string
  /** Requests in flight per wallet the client allows (`undefined`: no client-side limit). */
  readonly maxInFlight: number | undefined
  /**
   * Signs a new `SIGN-IN-WITH-X` header for one request: from a fresh offered challenge bound to the origin of `url`
   * (used once), else with a client-side nonce. Never reuse the result for another request.
   */
  readonly signIn: (
    options?: { readonly uri?: string | undefined; readonly url?: string | undefined }
  ) => Effect.Effect<Redacted.Redacted<string>, WalletError.WalletSignError>
  /**
   * Hands over a server challenge (`siwxChallenge.info`, `extensions["sign-in-with-x"].info`) that answered a request
   * to `url`: the next {@link signIn} for that origin uses its nonce and times once, if it is still fresh then.
   * Returns whether it was kept: a challenge not bound to the origin of `url` (its `domain` the URL's host, its `uri`
   * of that origin) is dropped, and without `url` one for another domain than the wallet's.
   */
  readonly offerChallenge: (challenge: X402.SignInWithXInfo, url?: string | undefined) => Effect.Effect<boolean>
  /**
   * Signs an x402 payment for `requirements` (one entry of a `PaymentRequired`'s `accepts[]`, on the wallet's chain)
   * with `@x402/core`'s client and the chain's exact scheme (`@x402/evm`, `@x402/svm`), capped at
   * `maxAmountPerPaymentUsd` (the library refuses anything above it too). The caller chooses and checks the
   * requirements; see `TopUp`.
   */
  readonly signPayment: (
    paymentRequired: X402.PaymentRequired,
    requirements: X402.PaymentRequirements,
    options: { readonly maxAmountPerPaymentUsd: number }
  ) => Effect.Effect<SignedPayment, WalletError.WalletSignError>
  /**
   * The `accepts[]` entry this wallet would pay: scheme `exact` on its chain (the CAIP-2 id or Venice's alias, `base` /
   * `solana`; returned as CAIP-2), the chain's USDC, a `payTo` that is an address of the chain and one the user allows
   * (`Options.payTo`). Otherwise the refusal to report (`no-usdc-on-base`, `no-usdc-on-solana`, `payee-not-allowed`).
   */
  readonly selectRequirements: (
    paymentRequired: X402.PaymentRequired
  ) => Either.Either<X402.PaymentRequirements, RailRefusal>
  /**
   * Whether a payment this wallet signed can no longer land (X3): its `validBefore` (epoch ms) has passed and —
   * for a payment that expires by block height (Solana, `lastValidBlockHeight`) — the chain's finalized block height,
   * read from the wallet's RPC, is above it. `false` when the chain cannot be read: an unknown is never "expired".
   */
  readonly expired: (
    payment: { readonly validBefore: number; readonly lastValidBlockHeight?: number | undefined }
  ) => Effect.Effect<boolean>
}

/**
 * Why a wallet pays none of a document's `accepts[]`.
 *
 * @since 0.1.0
 * @category models
 */
export interface RailRefusal {
  readonly reason: WalletError.RefusalReason
  readonly message: string
}

/**
 * @since 0.1.0
 * @category tags
 */
export class VeniceWallet extends Context.Tag("@venice-effect/venice/VeniceWallet")<VeniceWallet, Service>() {}

/** Offered challenges kept at most (older ones are dropped). */
const MAX_CHALLENGES = 64

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

/** An offered challenge and the origin it is bound to (`undefined`: offered without a URL, matched by domain). */
interface Offered {
  readonly challenge: X402.SignInWithXInfo
  readonly origin: string | undefined
}

/** What differs between chains when building the service. */
interface Chain {
  readonly siwx: Siwx.Signer
  readonly rail: Wallet.PaymentSigner
  /** The refusal when Venice offers no entry on the rail. */
  readonly noRail: "no-usdc-on-base" | "no-usdc-on-solana"
}

const build = (chain: Chain, options: Options): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const domain = options.domain ?? "api.venice.ai"
    const statement = options.statement ?? "Sign in to Venice AI"
    const expiresIn = options.expiresIn ?? Duration.minutes(4)
    const form = options.headerForm ?? "message"
    const maxInFlight = options.maxInFlight === false ? undefined : Math.max(1, Math.floor(options.maxInFlight ?? 5))
    const signer = chain.siwx
    const address = signer.address
    const network = Siwx.defaultChainOf(signer)
    const challenges = yield* Ref.make<ReadonlyArray<Offered>>([])
    const signError = (operation: "sign-in" | "payment", message: string) =>
      new WalletError.WalletSignError({ wallet: address, operation, message })

    // The first offered challenge for this origin that is still fresh, removed (single use); stale ones are dropped.
    const takeChallenge = (origin: string | undefined) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(challenges, (queue): readonly [Offered | undefined, ReadonlyArray<Offered>] => {
          const fresh = queue.filter((offered) =>
            Siwx.isFreshChallenge(offered.challenge, now)
          )
          const index = fresh.findIndex((offered) => offered.origin === undefined || offered.origin === origin)
          return index < 0 ? [undefined, fresh] : [fresh[index], fresh.filter((_, i) => i !== index)]
        }))

    const signIn: Service["signIn"] = (signInOptions) =>
      Effect.gen(function*() {
        const url = signInOptions?.url
        const offered = yield* takeChallenge(url === undefined ? undefined : originOf(url))
        const messageOptions: Siwx.MessageOptions = {
          domain,
          statement,
          expiresIn,
          form,
          chainId: network,
          ...(signInOptions?.uri !== undefined ? { uri: signInOptions.uri } : {})
        }
        const challenge = offered?.challenge
        const withChallenge: Siwx.MessageOptions = offered?.origin !== undefined && url !== undefined
          ? { ...messageOptions, origin: url }
          : messageOptions
        return yield* Siwx.makeHeader(signer, challenge, withChallenge).pipe(
          // a challenge we cannot use (malformed fields) must not cost the request: sign with a client nonce instead
          Effect.catchTag("SiwxSignError", (error) =>
            challenge !== undefined && error.reason !== "SignerFailed"
              ? Siwx.makeHeader(signer, undefined, messageOptions)
              : Effect.fail(error)),
          Effect.mapError((error) => signError("sign-in", `cannot sign the SIGN-IN-WITH-X message: ${error.message}`))
        )
      })

    const offerChallenge: Service["offerChallenge"] = (challenge, url) => {
      const origin = url === undefined ? undefined : originOf(url)
      const bound = url === undefined
        ? Siwx.normalizeDomain(challenge.domain) === Siwx.normalizeDomain(domain)
        : origin !== undefined && Siwx.isBoundToOrigin(challenge, url)
      return !bound || challenge.version !== "1"
        ? Effect.succeed(false)
        : Effect.as(
          Ref.update(challenges, (queue) =>
            queue.some((offered) => offered.challenge.nonce === challenge.nonce)
              ? queue
              : [...queue, { challenge, origin }].slice(-MAX_CHALLENGES)),
          true
        )
    }

    const signPayment: Service["signPayment"] = (paymentRequired, requirements, paymentOptions) =>
      Effect.gen(function*() {
        const rail = chain.rail
        const cap = paymentOptions.maxAmountPerPaymentUsd
        if (!(Number.isFinite(cap) && cap > 0)) {
          return yield* signError("payment", "maxAmountPerPaymentUsd must be a positive number")
        }
        if (requirements.network !== rail.network) {
          return yield* signError(
            "payment",
            `requirements on ${requirements.network}: the wallet pays ${rail.description}`
          )
        }
        // our X402 schemas mirror the x402 library's wire types: the same document under the library's type
        const document = {
          x402Version: 2,
          ...(paymentRequired.resource !== undefined ? { resource: paymentRequired.resource } : {}),
          accepts: [requirements],
          ...(paymentRequired.extensions !== undefined ? { extensions: paymentRequired.extensions } : {})
        } as unknown as LibPaymentRequired
        const { lastValidBlockHeight, payload } = yield* Effect.mapError(
          rail.createPayload(document, cap),
          (message) => signError("payment", `cannot sign the x402 payment: ${message}`)
        )
        // the library signs the one requirements it was offered: its payload echoes them
        const accepted = payload.accepted as LibPaymentRequirements
        return {
          header: Redacted.make(encodePaymentSignatureHeader(payload)),
          // same wire shape, back under our X402 type
          accepted: accepted as unknown as X402.PaymentRequirements,
          amount: BigInt(accepted.amount),
          ...(lastValidBlockHeight !== undefined ? { lastValidBlockHeight } : {})
        }
      })

    const expired: Service["expired"] = (payment) =>
      Effect.gen(function*() {
        if ((yield* Clock.currentTimeMillis) < payment.validBefore) return false
        const height = chain.rail.blockHeight
        if (payment.lastValidBlockHeight === undefined || height === undefined) return true
        const read = yield* Effect.either(height)
        return read._tag === "Right" && read.right > payment.lastValidBlockHeight
      })

    const selectRequirements: Service["selectRequirements"] = (paymentRequired) =>
      Either.mapLeft(
        Wallet.selectRail({ signer: chain.rail, payTo: options.payTo }, paymentRequired),
        (why): RailRefusal =>
          why === "no-rail"
            ? { reason: chain.noRail, message: `Venice's top-up requirements offer no ${chain.rail.description}` }
            : {
              reason: "payee-not-allowed",
              message: `Venice's top-up requirements name a receiver (payTo) that is not one this wallet may pay`
            }
      )

    return {
      address,
      network,
      identity: `wallet:${address.startsWith("0x") ? address.toLowerCase() : address}`,
      domain,
      maxInFlight,
      signIn,
      offerChallenge,
      signPayment,
      selectRequirements,
      expired
    } satisfies Service
  })

/**
 * A Base (EVM) wallet service from any signer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (signer: Signer, options: Options = {}): Effect.Effect<Service> =>
  build({
    siwx: { address: signer.address, signMessage: signer.signMessage },
    rail: Evm.paymentSigner(signer.address, signer.signTypedData),
    noRail: "no-usdc-on-base"
  }, options)

/**
 * A Solana wallet service from a `@solana/kit` key pair signer.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeSolana = (signer: SolanaSigner, options: SolanaOptions = {}): Effect.Effect<Service> =>
  build({
    siwx: Svm.siwxSigner(signer),
    rail: Svm.paymentSigner(signer, {
      rpcUrl: options.rpcUrl,
      rpcTimeout: Duration.decode(options.rpcTimeout ?? Duration.seconds(30))
    }),
    noRail: "no-usdc-on-solana"
  }, options)

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
      // viem's type for a hex key; a malformed one throws, caught as the WalletKeyError below
      try: () => privateKeyToAccount(Redacted.value(privateKey) as `0x${string}`),
      catch: () =>
        new WalletError.WalletKeyError({
          message: "the wallet private key is not a valid secp256k1 key (expected 0x + 64 hex characters)"
        })
    }),
    (account) => make(account, options)
  )

/** The 64 bytes of a Solana secret key given as bytes, base58, or the JSON array `solana-keygen` writes. */
const solanaKeyBytes = (secretKey: Uint8Array | string): Uint8Array => {
  if (typeof secretKey !== "string") return secretKey
  const text = secretKey.trim()
  if (text.startsWith("[")) {
    const numbers: unknown = JSON.parse(text)
    if (!Array.isArray(numbers) || !numbers.every((n) => Number.isInteger(n) && n >= 0 && n < 256)) throw new Error()
    return Uint8Array.from(numbers)
  }
  return new Uint8Array(getBase58Encoder().encode(text))
}

/**
 * A Solana wallet service from a secret key (`Redacted`): the 64 bytes of an Ed25519 key pair (private key then public
 * key), as bytes, base58 (a wallet's export) or the JSON array of a `solana-keygen` file. It becomes a non-extractable
 * `CryptoKey` at once and is not kept; an invalid key fails with {@link WalletError.WalletKeyError}, whose message
 * never quotes it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromSolanaSecretKey = (
  secretKey: Redacted.Redacted<Uint8Array> | Redacted.Redacted<string>,
  options: SolanaOptions = {}
): Effect.Effect<Service, WalletError.WalletKeyError> =>
  Effect.flatMap(
    Effect.tryPromise({
      try: () => createKeyPairSignerFromBytes(solanaKeyBytes(Redacted.value<Uint8Array | string>(secretKey))),
      catch: () =>
        new WalletError.WalletKeyError({
          message: "the Solana secret key is not a valid Ed25519 key pair (64 bytes: base58, a JSON array or bytes)"
        })
    }),
    (signer) => makeSolana(signer, options)
  )

/**
 * The wallet from a private key.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options & { readonly privateKey: Redacted.Redacted<`0x${string}`> | Redacted.Redacted<string> }
): Layer.Layer<VeniceWallet, WalletError.WalletKeyError> =>
  Layer.effect(VeniceWallet, fromPrivateKey(options.privateKey, options))

/**
 * The wallet from a signer of yours.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSigner = (signer: Signer, options: Options = {}): Layer.Layer<VeniceWallet> =>
  Layer.effect(VeniceWallet, make(signer, options))

/**
 * A Solana wallet from a secret key.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSolana = (
  options: SolanaOptions & { readonly secretKey: Redacted.Redacted<Uint8Array> | Redacted.Redacted<string> }
): Layer.Layer<VeniceWallet, WalletError.WalletKeyError> =>
  Layer.effect(VeniceWallet, fromSolanaSecretKey(options.secretKey, options))

/**
 * A Solana wallet from a `@solana/kit` signer of yours.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSolanaSigner = (signer: SolanaSigner, options: SolanaOptions = {}): Layer.Layer<VeniceWallet> =>
  Layer.effect(VeniceWallet, makeSolana(signer, options))

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
 * A Solana wallet from configuration: `VENICE_WALLET_SOLANA_SECRET_KEY` (base58 or a JSON array, read with
 * `Config.redacted`) and `VENICE_SOLANA_RPC_URL` (optional).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSolanaConfig = (
  options: SolanaOptions = {}
): Layer.Layer<VeniceWallet, WalletError.WalletKeyError | ConfigError.ConfigError> =>
  Layer.effect(
    VeniceWallet,
    Effect.gen(function*() {
      const key = yield* Config.redacted("VENICE_WALLET_SOLANA_SECRET_KEY")
      const rpcUrl = yield* Config.option(Config.string("VENICE_SOLANA_RPC_URL"))
      return yield* fromSolanaSecretKey(key, rpcUrl._tag === "Some" ? { ...options, rpcUrl: rpcUrl.value } : options)
    })
  )

/**
 * The `VeniceClient` authenticator of a wallet: a fresh `SIGN-IN-WITH-X` header for every attempt (R10), the
 * identity `wallet:<address>`, and the wallet's in-flight limit (X4). It pays for nothing: a `402` is the call's
 * failure (`PaymentPolicy.Service.authenticator` is this plus the payment step).
 *
 * @since 0.1.0
 * @category constructors
 */
export const authenticator = (wallet: Service): ProviderClient.Authenticator<WalletError.WalletError> => ({
  identity: wallet.identity,
  ...(wallet.maxInFlight !== undefined ? { maxInFlight: wallet.maxInFlight } : {}),
  authorize: (request) =>
    Effect.map(
      wallet.signIn({ url: request.url }),
      (header) => HttpClientRequest.setHeader(request, "sign-in-with-x", Redacted.value(header))
    )
})

/**
 * A `VeniceClient` authenticated by the wallet in context (no payments: a `402 PAYMENT_REQUIRED` is surfaced; see
 * `PaymentPolicy.layerClient` to pay within caps). Its calls may fail with a `WalletError`: the program declares it
 * (`import type {} from "@venice-effect/venice/WalletErrors"`), else the layer's `Declared<WalletError>` requirement
 * is not met.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Omit<VeniceClient.OptionsWith<WalletError.WalletError>, "authenticator"> = {}
): Layer.Layer<
  VeniceClient.VeniceClient,
  VeniceClient.BuildError,
  VeniceWallet | HttpClient.HttpClient | VeniceClient.Declared<WalletError.WalletError>
> =>
  VeniceClient.layerWith(
    Effect.flatMap(VeniceWallet, (wallet) =>
      ProviderClient.make(VeniceClient.providerWith<WalletError.WalletError>(), {
        ...options,
        authenticator: authenticator(wallet)
      }))
  )
