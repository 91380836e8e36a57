/**
 * Venice's x402 wallet routes (X2, skill venice-x402), spoken with the wallet in context: top-up discovery
 * (`POST /x402/top-up` → `402` + `PAYMENT-REQUIRED`, which is not an error), the choice of the USDC-on-Base option,
 * the balance and the ledger. Paying is `PaymentPolicy`'s job (caps, budget, single flight, settlement).
 *
 * The top-up codes Venice answers on `/x402/top-up` decode to `VeniceCodedError` with `code` set and the catalog's
 * retry class (`VeniceError.retryClass`): `INVALID_PAYMENT` … never, `SETTLEMENT_FAILED` and `PAYMENT_IN_PROGRESS`
 * back off, `SETTLEMENT_TIMEOUT` never (check the balance first). {@link isTopUpError} narrows to them.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import type * as X402 from "@venice-effect/core/X402"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Option from "effect/Option"
import type * as ErrorCatalog from "./ErrorCatalog.js"
import * as TopUps from "./internal/topUp.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import type * as X402Api from "./schema/X402Api.js"
import * as VeniceClient from "./VeniceClient.js"
import * as VeniceError from "./VeniceError.js"
import * as VeniceWallet from "./VeniceWallet.js"
import * as WalletError from "./WalletError.js"

/**
 * CAIP-2 id of Base mainnet, the only network the client pays on.
 *
 * @since 0.1.0
 * @category constants
 */
export const BASE_NETWORK: string = TopUps.BASE_NETWORK

/**
 * Native USDC on Base, lower case (compare case-insensitively): the only asset the client pays with.
 *
 * @since 0.1.0
 * @category constants
 */
export const BASE_USDC: string = TopUps.BASE_USDC

/**
 * The codes `POST /x402/top-up` answers with (each a catalog code, with its retry class).
 *
 * @since 0.1.0
 * @category catalog
 */
export const codes = [
  "INVALID_PAYMENT_FORMAT",
  "INVALID_PAYMENT",
  "UNSUPPORTED_NETWORK",
  "INVALID_PAYMENT_RECIPIENT",
  "UNSUPPORTED_TOKEN",
  "UNSUPPORTED_SCHEME",
  "INVALID_AMOUNT",
  "INVALID_PAYMENT_PAYER",
  "AMOUNT_TOO_LOW",
  "AMOUNT_TOO_HIGH",
  "PAYMENT_VERIFICATION_FAILED",
  "SETTLEMENT_FAILED",
  "PAYMENT_IN_PROGRESS",
  "SETTLEMENT_TIMEOUT",
  "X402_NOT_CONFIGURED"
] as const satisfies ReadonlyArray<ErrorCatalog.VeniceErrorCode>

/**
 * @since 0.1.0
 * @category catalog
 */
export type Code = (typeof codes)[number]

const codeSet: ReadonlySet<string> = new Set(codes)

/**
 * Is this a top-up error of Venice (`VeniceCodedError` with one of {@link codes})?
 *
 * @since 0.1.0
 * @category guards
 */
export const isTopUpError = (u: unknown): u is VeniceError.VeniceCodedError & { readonly code: Code } =>
  VeniceError.isVeniceError(u) && u._tag === "VeniceCodedError" && codeSet.has(u.code)

/**
 * A credited top-up: what Venice's `200` says, and its decoded `PAYMENT-RESPONSE` header.
 *
 * @since 0.1.0
 * @category models
 */
export type Receipt = TopUps.Receipt

/**
 * The USDC-on-Base option (`exact`, `eip155:8453`, asset `0x8335…2913` compared case-insensitively) of a
 * `PaymentRequired`, if any.
 *
 * @since 0.1.0
 * @category payment
 */
export const selectBaseUsdc: (paymentRequired: X402.PaymentRequired) => Option.Option<X402.PaymentRequirements> =
  TopUps.selectBaseUsdc

/**
 * Where the x402 routes are (default `https://api.venice.ai/api/v1`) and the timeout of one request (default 60 s).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly baseUrl?: string | URL | undefined
  readonly timeout?: Duration.DurationInput | undefined
}

const envOf = (options: Options) =>
  Effect.gen(function*() {
    const wallet = yield* VeniceWallet.VeniceWallet
    const httpClient = yield* HttpClient.HttpClient
    const store = yield* Effect.serviceOption(LimiterStore.LimiterStore)
    const env: TopUps.Env = {
      baseUrl: String(options.baseUrl ?? VeniceClient.DEFAULT_BASE_URL).replace(/\/+$/, ""),
      httpClient,
      store: store._tag === "Some" ? store.value : LimiterStore.makeMemory(),
      wallet,
      timeout: Duration.decode(options.timeout ?? Duration.seconds(60))
    }
    return env
  })

/**
 * `POST /x402/top-up` without a payment: the requirements of Venice's `402`, from its `PAYMENT-REQUIRED` header (the
 * body is not trusted). Requirements naming another origin than `baseUrl` are refused (`foreign-requirements`).
 *
 * @since 0.1.0
 * @category payment
 */
export const discover = (
  options: Options = {}
): Effect.Effect<
  X402.PaymentRequired,
  WalletError.PaymentRefusedError | WalletError.TopUpFailedError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> =>
  Effect.flatMap(envOf(options), (env) =>
    Effect.mapError(TopUps.discover(env), (failure) =>
      failure._tag === "Refused"
        ? new WalletError.PaymentRefusedError({
          wallet: env.wallet.address,
          reason: failure.reason,
          message: failure.message
        })
        : new WalletError.TopUpFailedError({
          wallet: env.wallet.address,
          reason: failure.reason,
          message: failure.message,
          fundsMayHaveMoved: false,
          ...(failure.code !== undefined ? { code: failure.code } : {}),
          ...(failure.cause !== undefined ? { cause: failure.cause } : {})
        })))

/**
 * `GET /x402/balance/{wallet}` for the wallet in context (signed in with a fresh header).
 *
 * @since 0.1.0
 * @category wallet
 */
export const balance = (
  options: Options = {}
): Effect.Effect<
  X402Api.X402Balance,
  RetryPolicy.VeniceClientError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> => Effect.flatMap(envOf(options), TopUps.balance)

/**
 * `GET /x402/transactions/{wallet}` for the wallet in context: newest first, `limit` 1–100 (default 50).
 *
 * @since 0.1.0
 * @category wallet
 */
export const transactions = (
  params: { readonly limit?: number | undefined; readonly offset?: number | undefined } = {},
  options: Options = {}
): Effect.Effect<
  X402Api.X402Transactions,
  RetryPolicy.VeniceClientError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> => Effect.flatMap(envOf(options), (env) => TopUps.transactions(env, params))
