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
 * Venice reports as in progress (default 2 minutes, resubmitting the same payment every 10 s; 3 resubmissions after
 * failures that moved no funds).
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
 * never a new signature. Fails with `TopUpFailedError` (`fundsMayHaveMoved` as far as this process can tell: a
 * transport failure after the payment was sent is reported by `reason` and `cause`, and a caller that must never pay
 * twice treats anything but `rejected` as an outcome to reconcile with `/x402/transactions`).
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
    return yield* Effect.mapError(
      TopUps.settle(env, payment, {
        wait: Duration.decode(options.settlement?.wait ?? Duration.minutes(2)),
        poll: Duration.decode(options.settlement?.poll ?? Duration.seconds(10)),
        retries: Math.max(0, Math.floor(options.settlement?.retries ?? 3))
      }),
      (failure) =>
        new WalletError.TopUpFailedError({
          wallet: wallet.address,
          reason: failure._tag === "Failed" ? failure.reason : "rejected",
          message: failure.message,
          fundsMayHaveMoved: failure._tag === "Failed" && failure.fundsMayHaveMoved,
          ...(failure.amountUsd !== undefined ? { amountUsd: failure.amountUsd } : {}),
          ...(failure._tag === "Failed" && failure.code !== undefined ? { code: failure.code } : {}),
          ...(failure._tag === "Failed" && failure.cause !== undefined ? { cause: failure.cause } : {})
        })
    )
  })
