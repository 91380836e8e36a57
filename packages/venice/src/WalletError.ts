/**
 * What can go wrong on the client's side of an x402 wallet (X1–X3, R4): signing failed, the payment policy
 * refused to pay, or a top-up it attempted failed. Venice's own answers stay what they are (`VeniceCodedError` with
 * the top-up code, `VenicePaymentRequiredError` …); these errors are the client's decisions about them, and they
 * carry them as `cause`.
 *
 * None of them ever holds a private key, a signature, a `SIGN-IN-WITH-X` header or a `PAYMENT-SIGNATURE` header
 * (O3): only addresses, amounts and reasons.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Chat, WalletError } from "@venice-effect/venice"
 *
 * const program = Chat.completions(request).pipe(
 *   Effect.catchTag("PaymentRefusedError", (e) =>
 *     Effect.logWarning(`not paying: ${e.reason}`).pipe(Effect.zipRight(Effect.fail(e))))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as ClientError from "@venice-effect/core/ClientError"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as VeniceError from "./VeniceError.js"

/**
 * The call's correlation facts (O1), when the error belongs to a call: method, URL without secrets, attempt,
 * the client's correlation id.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CallFields = {
  method: ClientError.CallFields.method,
  url: ClientError.CallFields.url,
  attempt: ClientError.CallFields.attempt,
  correlationId: ClientError.CallFields.correlationId
}

/**
 * A private key given to a wallet layer is not a secp256k1 key. The message never quotes the key.
 *
 * @since 0.1.0
 * @category errors
 */
export class WalletKeyError extends Schema.TaggedError<WalletKeyError>()("WalletKeyError", {
  message: Schema.String
}) {}

/**
 * The wallet could not sign: a `SIGN-IN-WITH-X` message (`operation: "sign-in"`), an x402 payment
 * (`"payment"`) or the token of `ApiKeys.mintWeb3Key` (`"web3-key"`). Typically a remote signer that refused, or a signer without `signTypedData` asked to pay. Nothing
 * was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class WalletSignError extends Schema.TaggedError<WalletSignError>()("WalletSignError", {
  ...CallFields,
  /** The wallet address (public). */
  wallet: Schema.String,
  operation: Schema.Literal("sign-in", "payment", "web3-key"),
  message: Schema.String
}) {}

/**
 * Why the payment policy did not pay.
 *
 * - `per-payment-cap` — Venice's minimum top-up is above the per-payment cap.
 * - `budget-exhausted` — paying Venice's minimum would exceed the cumulative budget.
 * - `no-usdc-on-base` — Venice's `/x402/top-up` requirements offer no USDC-on-Base option (`eip155:8453`, asset
 *   `0x8335…2913`, scheme `exact`).
 * - `no-usdc-on-solana` — (a Solana wallet) they offer no USDC-on-Solana option
 *   (`solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp` or `solana`, mint `EPjF…Dt1v`, scheme `exact`).
 * - `payee-not-allowed` — the option's receiver (`payTo`) is not one the wallet's `payTo` option allows.
 * - `foreign-requirements` — the payment requirements do not come from the configured base URL (a redirect or
 *   another host): never paid.
 * - `still-required-after-top-up` — this call already retried after a top-up and got another 402: topping up again
 *   would not help (e.g. a DIEM-linked wallet, whose requests are billed to the linked account). The wallet's
 *   payments stop until `PaymentPolicy.resetLoopDetection`.
 * - `credit-not-used` — the 402 says the wallet's credit is above the minimum already: a top-up cannot fix it
 *   (DIEM-linked).
 * - `loop-detected` — an earlier top-up did not clear this wallet's 402s (see above); not paying again.
 * - `not-this-wallet` — the 402 answered a request this policy's wallet did not sign (another wallet, an API key).
 * - `settlement-pending` — an earlier payment of this wallet has an unknown outcome (its answer was lost, or it
 *   timed out in settlement) and may have landed; no new payment is signed until its resubmission or the wallet's
 *   ledger settles it (at the latest once its authorization's `validBefore` has passed).
 * - `lock-timeout` — another process's top-up of this wallet (a shared `Coordinator`) still held the lock after the
 *   policy's `lockWait`.
 *
 * @since 0.1.0
 * @category models
 */
export const RefusalReason = Schema.Literal(
  "per-payment-cap",
  "budget-exhausted",
  "no-usdc-on-base",
  "foreign-requirements",
  "still-required-after-top-up",
  "credit-not-used",
  "loop-detected",
  "not-this-wallet",
  "settlement-pending",
  "no-usdc-on-solana",
  "payee-not-allowed",
  "lock-timeout"
)

/**
 * @since 0.1.0
 * @category models
 */
export type RefusalReason = typeof RefusalReason.Type

/**
 * The payment policy refused to pay for a 402 (or a manual top-up): nothing was signed, nothing was paid. When it
 * answers a call's `402 PAYMENT_REQUIRED`, that 402 is the `cause` (with its balance facts and Venice's challenge):
 * the call fails with this error instead of the bare 402, so the refusal is typed and says why.
 *
 * @since 0.1.0
 * @category errors
 */
export class PaymentRefusedError extends Schema.TaggedError<PaymentRefusedError>()("PaymentRefusedError", {
  ...CallFields,
  /** The wallet address (public). */
  wallet: Schema.String,
  reason: RefusalReason,
  message: Schema.String,
  /** The amount the policy would have paid, USD. */
  amountUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  /** The per-payment cap, USD. */
  maxPerPaymentUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  /** The cumulative budget, USD. */
  budgetUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  /** Spent (or committed to payments that may still land) so far, USD. */
  spentUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  /** The 402 the refusal answers. */
  cause: Schema.optionalWith(VeniceError.VenicePaymentRequiredError, { exact: true })
}) {}

/**
 * How a top-up failed.
 *
 * - `discovery-failed` — `POST /x402/top-up` did not answer with a 402 and a decodable `PAYMENT-REQUIRED`.
 * - `rejected` — Venice refused the signed payment (`INVALID_PAYMENT`, `AMOUNT_TOO_LOW`, … in `code`).
 * - `settlement-failed` — settlement failed and kept failing (`SETTLEMENT_FAILED`, `X402_NOT_CONFIGURED`, `429`, a
 *   refused connection): no funds moved when Venice answered. The signed authorization stays executable until its
 *   `validBefore`, though: unless it never left the process, the payment stays reserved as unconfirmed and the next
 *   402 resubmits it (never a new signature) until it is credited or the ledger shows it expired.
 * - `settlement-unconfirmed` — the outcome is unknown: the answer to the signed payment was lost (a transport
 *   failure, a timeout, a `5xx` that is not a top-up code, after the payment was sent), or settlement timed out
 *   (`SETTLEMENT_TIMEOUT`) or stayed in progress, and the wallet's ledger did not show it while the client waited. It
 *   may have been credited or may still land (`fundsMayHaveMoved: true`): the amount stays reserved in the budget as
 *   unconfirmed, and no new payment is signed for this wallet until a resubmission of the same payment or the
 *   ledger (`GET /x402/transactions/{wallet}`) settles it — shown there: spent; absent once the authorization's
 *   `validBefore` has passed: released.
 *
 * @since 0.1.0
 * @category models
 */
export const TopUpFailure = Schema.Literal(
  "discovery-failed",
  "rejected",
  "settlement-failed",
  "settlement-unconfirmed"
)

/**
 * @since 0.1.0
 * @category models
 */
export type TopUpFailure = typeof TopUpFailure.Type

/**
 * A top-up was attempted and did not complete. `cause` is Venice's answer (a `VeniceCodedError` with the top-up
 * code and its catalog retry class) or the transport failure; `fundsMayHaveMoved` says whether the transfer could
 * have been credited or could still land (`settlement-unconfirmed`: its answer was lost, or settlement timed out).
 *
 * @since 0.1.0
 * @category errors
 */
export class TopUpFailedError extends Schema.TaggedError<TopUpFailedError>()("TopUpFailedError", {
  ...CallFields,
  /** The wallet address (public). */
  wallet: Schema.String,
  reason: TopUpFailure,
  message: Schema.String,
  /** Venice's top-up code, when it named one (`INVALID_PAYMENT`, `SETTLEMENT_TIMEOUT` …). */
  code: Schema.optionalWith(Schema.String, { exact: true }),
  /** The amount of the payment, USD. */
  amountUsd: Schema.optionalWith(Schema.Number, { exact: true }),
  fundsMayHaveMoved: Schema.Boolean,
  /**
   * The signed payment may still be executed (it reached Venice, and its authorization — an EIP-3009 `validBefore`, a
   * Solana blockhash — has not expired): even when Venice said no funds moved (`SETTLEMENT_FAILED`), a resubmission
   * or a duplicate could still land it. Keep its amount reserved and sign no other payment until the ledger shows it,
   * or shows nothing once it has expired. `true` whenever `fundsMayHaveMoved` is.
   */
  mayStillLand: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** What failed: Venice's error or the transport failure. */
  cause: Schema.optionalWith(Schema.Unknown, { exact: true }),
  /** The 402 the top-up was for, when it answers a call's 402. */
  paymentRequired: Schema.optionalWith(VeniceError.VenicePaymentRequiredError, { exact: true })
}) {}

/**
 * Every client-side wallet error of a call.
 *
 * @since 0.1.0
 * @category models
 */
export type WalletError = WalletSignError | PaymentRefusedError | TopUpFailedError

const tags: ReadonlySet<string> = new Set(["WalletSignError", "PaymentRefusedError", "TopUpFailedError"])

/**
 * @since 0.1.0
 * @category guards
 */
export const isWalletError = (u: unknown): u is WalletError =>
  Predicate.hasProperty(u, "_tag") && typeof u._tag === "string" && tags.has(u._tag)
