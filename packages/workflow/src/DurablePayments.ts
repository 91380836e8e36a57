/**
 * The settings of durable x402 top-ups (`VeniceActivity.topUp`): a per-payment cap and a cumulative budget, both
 * required, kept in the workflow's own SQL storage so that every worker sharing the database shares one budget.
 *
 * Why the workflow's storage and not the Redis coordinator of `@venice-effect/redis`: the budget reservation, the
 * payment's recorded identity (its EIP-3009 nonce) and the rule "one unresolved payment per wallet" are written in
 * one SQL transaction, in the database that also records the workflow's progress. A crash can therefore never leave a
 * reservation without its payment record (or the reverse), which two stores could not promise; and a deployment on
 * SQLite alone gets the same guarantee without a Redis.
 *
 * @example
 * ```ts
 * import { DurablePayments } from "@venice-effect/workflow"
 *
 * // at most $10 per payment, $50 in all for this wallet (across every worker on the database)
 * const Payments = DurablePayments.layer({ maxPerPaymentUsd: 10, budgetUsd: 50 })
 * ```
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

/**
 * Options. `maxPerPaymentUsd` and `budgetUsd` are required: there is no default spend.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The most one payment may be, USD. */
  readonly maxPerPaymentUsd: number
  /** The most all payments under `budgetKey` may add up to, USD (payments that may still land count). */
  readonly budgetUsd: number
  /** What the budget is counted under (default: the wallet, `wallet:0x…`). Use e.g. a month to renew it. */
  readonly budgetKey?: string | undefined
  /**
   * The lifetime of a signed authorization (its `validBefore`): after it, a payment that has not landed never will.
   * A payment whose answer was lost blocks the need until the ledger shows it or this has passed. Default 5 minutes
   * (Venice's `maxTimeoutSeconds`).
   */
  readonly authorizationWindow?: Duration.DurationInput | undefined
  /** How often the ledger is read while a payment's outcome is unknown. Default 5 seconds. */
  readonly reconcileInterval?: Duration.DurationInput | undefined
  /** Clock difference allowed between this machine and Venice's ledger timestamps. Default 30 seconds. */
  readonly ledgerSkew?: Duration.DurationInput | undefined
  /** How long after `validBefore` a landed payment may take to appear in the ledger. Default 1 minute. */
  readonly landingMargin?: Duration.DurationInput | undefined
  /** How long a need waits for another open payment of the wallet to resolve. Default 10 minutes. */
  readonly walletBusyWait?: Duration.DurationInput | undefined
  /** Payments one need may sign at most, each after the previous provably moved no funds. Default 3. */
  readonly maxAttempts?: number | undefined
}

/**
 * The resolved settings.
 *
 * @since 0.1.0
 * @category models
 */
export interface Settings {
  readonly maxPerPaymentUsd: number
  readonly budgetUsd: number
  readonly budgetKey: string | undefined
  readonly authorizationWindow: Duration.Duration
  readonly reconcileInterval: Duration.Duration
  readonly ledgerSkew: Duration.Duration
  readonly landingMargin: Duration.Duration
  readonly walletBusyWait: Duration.Duration
  readonly maxAttempts: number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class DurablePayments extends Context.Tag("@venice-effect/workflow/DurablePayments")<
  DurablePayments,
  Settings
>() {}

/**
 * The settings are not usable (a cap or budget that is not a positive number).
 *
 * @since 0.1.0
 * @category errors
 */
export class PaymentSettingsError extends Schema.TaggedError<PaymentSettingsError>()("PaymentSettingsError", {
  message: Schema.String
}) {}

/**
 * Validates and resolves the options.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Settings, PaymentSettingsError> =>
  Effect.gen(function*() {
    if (!(Number.isFinite(options.maxPerPaymentUsd) && options.maxPerPaymentUsd > 0)) {
      return yield* new PaymentSettingsError({ message: "maxPerPaymentUsd must be a positive number of USD" })
    }
    if (!(Number.isFinite(options.budgetUsd) && options.budgetUsd > 0)) {
      return yield* new PaymentSettingsError({ message: "budgetUsd must be a positive number of USD" })
    }
    return {
      maxPerPaymentUsd: options.maxPerPaymentUsd,
      budgetUsd: options.budgetUsd,
      budgetKey: options.budgetKey,
      authorizationWindow: Duration.decode(options.authorizationWindow ?? Duration.minutes(5)),
      reconcileInterval: Duration.decode(options.reconcileInterval ?? Duration.seconds(5)),
      ledgerSkew: Duration.decode(options.ledgerSkew ?? Duration.seconds(30)),
      landingMargin: Duration.decode(options.landingMargin ?? Duration.minutes(1)),
      walletBusyWait: Duration.decode(options.walletBusyWait ?? Duration.minutes(10)),
      maxAttempts: Math.max(1, Math.floor(options.maxAttempts ?? 3))
    }
  })

/**
 * The settings as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<DurablePayments, PaymentSettingsError> =>
  Layer.effect(DurablePayments, make(options))

/**
 * The settings from configuration: `VENICE_X402_MAX_PER_PAYMENT_USD` and `VENICE_X402_BUDGET_USD` (both required),
 * other options as given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "maxPerPaymentUsd" | "budgetUsd"> = {}
): Layer.Layer<DurablePayments, PaymentSettingsError | ConfigError.ConfigError> =>
  Layer.effect(
    DurablePayments,
    Effect.gen(function*() {
      const maxPerPaymentUsd = yield* Config.number("VENICE_X402_MAX_PER_PAYMENT_USD")
      const budgetUsd = yield* Config.number("VENICE_X402_BUDGET_USD")
      return yield* make({ ...options, maxPerPaymentUsd, budgetUsd })
    })
  )
