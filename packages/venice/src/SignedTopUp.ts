/**
 * Settling an x402 top-up that the caller signed itself (`VeniceWallet.Service.signPayment`), for callers that must
 * record the payment's identity (its EIP-3009 nonce) before it is sent: a durable workflow writes the nonce to its
 * store, then calls {@link settle}. Caps, budget and single flight are the caller's business here (see `PaymentPolicy`
 * for the in-process policy that does all of it).
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as TopUps from "./internal/topUp.js"
import type * as PaymentPolicy from "./PaymentPolicy.js"
import * as VeniceClient from "./VeniceClient.js"
import * as VeniceWallet from "./VeniceWallet.js"
import * as WalletError from "./WalletError.js"

/**
 * Where the x402 routes are, the timeout of one request (default 60 s), and how long to wait for a settlement that
 * Venice reports as in progress or whose answer was lost (default 2 minutes, resubmitting the same payment every
 * 10 s while it settles; 3 resubmissions after a failure or a lost answer).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly baseUrl?: string | URL | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly settlement?: {
    readonly wait?: Duration.DurationInput | undefined
    readonly poll?: Duration.DurationInput | undefined
    readonly retries?: number | undefined
  } | undefined
}

/**
 * Submits a signed payment to `POST /x402/top-up` and sees it settled: every resubmission sends the same payment,
 * never a new signature, and the whole settlement ends within `settlement.wait` (W2).
 *
 * The outcome is never guessed (X3). Fails with `TopUpFailedError`:
 *
 * - `rejected` — Venice refused this payment for good (`INVALID_PAYMENT`, `AMOUNT_TOO_LOW` …): it never moves funds.
 * - `settlement-unconfirmed`, `fundsMayHaveMoved: true` — the answer was lost (a transport failure, a timeout, a `5xx`
 *   that is not a top-up code, after the payment was sent) or settlement was still running at the deadline: it may
 *   have been credited, or may still land.
 * - `settlement-failed` — Venice said no funds moved (`SETTLEMENT_FAILED` …); `mayStillLand: true` when the payment
 *   reached Venice, because its authorization stays executable until it expires.
 *
 * Whenever `mayStillLand` is `true`, the caller keeps the amount reserved and signs no other payment for the wallet
 * until `GET /x402/transactions/{wallet}` shows the payment's `TOP_UP`, or shows nothing once the payment has
 * {@link expired} (its EIP-3009 `validBefore`; on Solana, its blockhash's `lastValidBlockHeight`) and a landing grace
 * has passed — as `PaymentPolicy` does.
 *
 * @since 0.1.0
 * @category payment
 */
export const settle = (
  payment: VeniceWallet.SignedPayment,
  options: Options = {}
): Effect.Effect<
  PaymentPolicy.TopUpResult,
  WalletError.TopUpFailedError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const wallet = yield* VeniceWallet.VeniceWallet
    const env: TopUps.Env = {
      baseUrl: String(options.baseUrl ?? VeniceClient.DEFAULT_BASE_URL).replace(/\/+$/, ""),
      httpClient: yield* HttpClient.HttpClient,
      store: Option.getOrElse(yield* Effect.serviceOption(LimiterStore.LimiterStore), LimiterStore.makeMemory),
      wallet,
      timeout: Duration.decode(options.timeout ?? Duration.seconds(60))
    }
    const wait = Duration.decode(options.settlement?.wait ?? Duration.minutes(2))
    const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(wait)
    return yield* Effect.mapError(
      TopUps.settle(env, payment, {
        wait,
        poll: Duration.decode(options.settlement?.poll ?? Duration.seconds(10)),
        retries: Math.max(0, Math.floor(options.settlement?.retries ?? 3)),
        // unused here: the caller settles the question with the ledger
        landingGrace: Duration.zero
      }, deadline),
      (failure) => {
        const mayStillLand = failure._tag === "Failed" && (failure.fundsMayHaveMoved || failure.mayStillLand === true)
        return new WalletError.TopUpFailedError({
          wallet: wallet.address,
          reason: failure._tag === "Failed" ? failure.reason : "rejected",
          message: failure.message,
          fundsMayHaveMoved: failure._tag === "Failed" && failure.fundsMayHaveMoved,
          ...(mayStillLand ? { mayStillLand } : {}),
          ...(failure.amountUsd !== undefined ? { amountUsd: failure.amountUsd } : {}),
          ...(failure._tag === "Failed" && failure.code !== undefined ? { code: failure.code } : {}),
          ...(failure._tag === "Failed" && failure.cause !== undefined ? { cause: failure.cause } : {})
        })
      }
    )
  })

/**
 * Whether a signed payment can no longer land (X3), for a caller that holds one whose outcome is unknown
 * (`mayStillLand`): on Base, once its EIP-3009 `validBefore` has passed; on Solana, not before `maxTimeoutSeconds`
 * after `submittedAt` (epoch ms of its first submission) and only once the wallet's RPC says the finalized chain is
 * past its blockhash's `lastValidBlockHeight`. `false` while the chain cannot be read: an unknown is never "expired".
 * A transfer that executed just before may still take a moment to show in the ledger: leave a grace after this turns
 * `true` before taking the ledger's silence as proof.
 *
 * @since 0.1.0
 * @category payment
 */
export const expired = (
  payment: VeniceWallet.SignedPayment,
  submittedAt: number
): Effect.Effect<boolean, never, VeniceWallet.VeniceWallet> =>
  Effect.flatMap(VeniceWallet.VeniceWallet, (wallet) =>
    wallet.expired({
      validBefore: TopUps.validBeforeOf(payment, submittedAt),
      lastValidBlockHeight: payment.lastValidBlockHeight
    }))
