/**
 * Payment-then-retry (R4, X2, X3) as a typed step of the call: when a wallet's call gets `402 PAYMENT_REQUIRED`
 * (E7b), the policy tops the wallet up — within a per-payment cap and a cumulative budget, both required — and runs
 * the call again, once. Everything else (Bearer-key 402s such as `INSUFFICIENT_BALANCE` included) is the call's own
 * failure, for its retry policy to decide.
 *
 * ## Wiring
 *
 * {@link layerClient} builds the wallet's client with {@link Service.authenticator}, which runs the payment step
 * around every call, outside the client's retry policy: each keeps its own state, so a payment does not use up a
 * backoff retry, and `402 → 503 → 200` tops up, runs the call again at once, backs off 0.5 s, succeeds. For a client
 * you wired yourself, {@link retry} is the same step around any effect.
 *
 * ## Refusals are typed errors
 *
 * When the policy will not pay (cap, budget, a DIEM-linked wallet, a requirement that is not USDC on Base from
 * Venice's own `/x402/top-up` …) or its top-up fails, the call fails with the `PaymentRefusedError` /
 * `TopUpFailedError` / `WalletSignError`, which carries the 402 as `cause`, and a span event says why. Nothing is paid
 * in any refusal. (The step is not a `Schedule`: a `Schedule` can only stop, never fail with a reason.)
 *
 * ## Safety (X3)
 *
 * - Only the `payTo` and asset of the `PAYMENT-REQUIRED` header of Venice's own `402` to `POST <baseUrl>/x402/top-up`
 *   are paid: never a body, another host, or the 402 of the failed call. Only USDC on the wallet's chain, scheme
 *   `exact`: on Base `eip155:8453` / `0x8335…2913` (case-insensitive), on Solana
 *   `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp` (or `solana`) / `EPjF…Dt1v`; a `payTo` the wallet allows.
 * - Amount: the 402's `suggestedTopUpUsd` capped at `maxPerPaymentUsd`, at least Venice's minimum; above the cap or
 *   the remaining budget → refused.
 * - One top-up in flight per wallet: concurrent 402s wait for it and retry; requests are signed once it has taken
 *   effect, and a 402 of a call whose run began before a top-up of the wallet took effect is retried without paying.
 * - `SETTLEMENT_TIMEOUT` reads the balance before anything else; `PAYMENT_IN_PROGRESS` waits and resubmits the same
 *   payment; a payment that may still land blocks any new one until the balance or a resubmission settles it.
 * - A 402 after the call's run following a top-up, or a 402 saying the wallet already has credit, means topping up does not
 *   help (a DIEM-linked wallet): refused, and the wallet's payments stop until {@link Service.resetLoopDetection}.
 *
 * The state (budget spent, the top-up in flight) belongs to one service instance by default: build one per wallet and
 * process. To share the lock and the budget between processes (a fleet of workers on one wallet), provide a shared
 * `TopUpCoordinator` (core; in Redis: `@venice-effect/redis`): concurrent 402s in different processes then cause one payment, and
 * the budget is the fleet's. A top-up runs in its own fiber (scoped to the service): interrupting the calls that wait for it does not abandon a
 * signed payment half-way.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Redacted } from "effect"
 * import { Chat, PaymentPolicy, VeniceWallet } from "@venice-effect/venice"
 *
 * const Venice = PaymentPolicy.layerClient().pipe(
 *   Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50 })),
 *   Layer.provide(VeniceWallet.layer({ privateKey: Redacted.make(process.env.WALLET_KEY as `0x${string}`) })),
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * const program = Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
 * Effect.runPromise(program.pipe(Effect.provide(Venice)))
 * ```
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as ProviderClient from "@venice-effect/core/ProviderClient"
import * as TopUpCoordinator from "@venice-effect/core/TopUpCoordinator"
import * as X402 from "@venice-effect/core/X402"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as TopUps from "./internal/topUp.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import type * as X402Api from "./schema/X402Api.js"
import * as VeniceClient from "./VeniceClient.js"
import * as VeniceError from "./VeniceError.js"
import * as VeniceWallet from "./VeniceWallet.js"
import * as WalletError from "./WalletError.js"

/**
 * Settings. `maxPerPaymentUsd` and `budgetUsd` are required: there is no default spend.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The most one payment may be, USD (Venice's minimum is $5; pick far less than its $10,000 maximum). */
  readonly maxPerPaymentUsd: number
  /** The most all payments of this policy may add up to, USD (payments that may still land count). */
  readonly budgetUsd: number
  /** The Venice API the wallet's client talks to (default `https://api.venice.ai/api/v1`): requirements come from here only. */
  readonly baseUrl?: string | URL | undefined
  /**
   * Waiting for a settlement (see {@link SettlementOptions}).
   */
  readonly settlement?: SettlementOptions | undefined
  /** Timeout of one x402 request (default 60 s). */
  readonly timeout?: Duration.DurationInput | undefined
}

/**
 * How long and how often the policy waits for a payment to settle, and for the ledger to settle a payment whose
 * outcome is unknown (W2–W4 in `docs/retries.md`).
 *
 * - `wait` (default 2 min): the most one call waits for its payment — resubmissions while Venice settles it, then
 *   the ledger when its answer was lost — and the most a call waits for an earlier unknown payment to be settled.
 * - `poll` (default 10 s): the pause between resubmissions of the same payment and between ledger reads (Venice
 *   allows 10 top-up requests a minute per IP, 20 ledger reads a minute per wallet).
 * - `retries` (default 3): resubmissions of the same payment after a failure (backoff 0.5 s, 1 s, 2 s …).
 * - `landingGrace` (default 2 min): how long after its authorization has expired a transfer may still show up in the
 *   ledger. A payment the ledger does not show by then never will: it is released (its budget given back). A Base
 *   payment expires at its EIP-3009 `validBefore`; a Solana payment once the wallet's RPC says the finalized chain is
 *   past its blockhash's `lastValidBlockHeight` (and not before `maxTimeoutSeconds` after it was sent) — while the
 *   RPC cannot be read, it has not expired.
 * - `lockWait` (default `wait` + 3 × `timeout`): the most a call waits for another process's top-up of the wallet
 *   (the lock of a shared `Coordinator`) before failing with `PaymentRefusedError` `lock-timeout`.
 *
 * @since 0.1.0
 * @category models
 */
export interface SettlementOptions {
  readonly wait?: Duration.DurationInput | undefined
  readonly poll?: Duration.DurationInput | undefined
  readonly retries?: number | undefined
  readonly landingGrace?: Duration.DurationInput | undefined
  readonly lockWait?: Duration.DurationInput | undefined
}

/**
 * What the payment step decided for one `402` of a call.
 *
 * - `NotPaymentRequired` — not the policy's business (another's plain insufficient-balance `402`): the call fails
 *   with it.
 * - `Paid` — a top-up took effect (this call's, or one it waited for): run the call again now.
 * - `AlreadyPaid` — a top-up of the wallet took effect since the call's run started: run it again without paying.
 * - `Refused` — not paid (or the top-up failed): the call fails with `error`.
 *
 * @since 0.1.0
 * @category models
 */
export type PaymentDecision =
  | { readonly _tag: "NotPaymentRequired" }
  | { readonly _tag: "Paid"; readonly amountUsd: number; readonly joined: boolean; readonly settled: TopUps.Settled }
  | { readonly _tag: "AlreadyPaid" }
  | { readonly _tag: "Refused"; readonly error: WalletError.WalletError }

/**
 * The outcome of a top-up: credited (with Venice's receipt), found in the ledger (its answer was lost, the ledger
 * shows the `TOP_UP`), or admitted (its outcome is not known yet, but the balance read right after says the wallet
 * can be served; the payment stays unconfirmed until the ledger settles it).
 *
 * @since 0.1.0
 * @category models
 */
export type TopUpResult = TopUps.Settled

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  readonly wallet: VeniceWallet.Service
  /** Where payment requirements come from (and where the wallet's client should point). */
  readonly baseUrl: string
  readonly maxPerPaymentUsd: number
  readonly budgetUsd: number
  /**
   * The wallet's `VeniceClient` authenticator with the payment step (what {@link layerClient} builds its client
   * with): a fresh `SIGN-IN-WITH-X` header per attempt — signed once a top-up in flight has taken effect — and
   * {@link Service.recover} around every call.
   */
  readonly authenticator: ProviderClient.Authenticator<WalletError.WalletError>
  /**
   * The payment step around a call (X2, X3): a `402` the policy pays for (`PAYMENT_REQUIRED`, or the plain
   * insufficient-balance `402` of a request its wallet signed) runs the call again at once, once per top-up; a
   * refusal or a failed top-up fails the call with its typed `WalletError` (carrying the `402`); every other failure
   * is the call's own. `signedBy`: the identity of the credentials that sign the call's requests (default: the
   * policy's wallet); a `PAYMENT_REQUIRED` on another's request is refused (`not-this-wallet`), another's plain
   * `402` is left alone. {@link retry} reads it from the `VeniceClient` in context.
   */
  readonly recover: <A, E, R>(
    call: Effect.Effect<A, E, R>,
    signedBy?: string | undefined
  ) => Effect.Effect<A, E | WalletError.WalletError, R>
  /**
   * Spent so far, USD: payments credited, in flight, or whose outcome is unknown (they count against the budget until
   * the ledger says they did not land). Once nothing is unconfirmed, it is what the wallet's ledger shows for the
   * policy's payments.
   */
  readonly spentUsd: Effect.Effect<number>
  /** The part of {@link spentUsd} whose outcome is unknown (its answer was lost): it may or may not have landed. */
  readonly unconfirmedUsd: Effect.Effect<number>
  /**
   * Settles an unconfirmed payment now, if there is one: resubmits it (when this process signed it and it is still
   * valid), then reads the ledger. Waits for nothing (one pass, under the wallet's top-up lock).
   */
  readonly reconcile: Effect.Effect<ReconcileResult>
  /** Tops the wallet up by `amountUsd` now (caps, budget and single flight as for a 402). */
  readonly topUp: (amountUsd: number) => Effect.Effect<TopUpResult, WalletError.WalletError>
  /** `GET /x402/balance/{wallet}`. */
  readonly balance: Effect.Effect<X402Api.X402Balance, TopUps.WalletCallError>
  /** `GET /x402/transactions/{wallet}` (newest first). */
  readonly transactions: (
    params?: { readonly limit?: number | undefined; readonly offset?: number | undefined }
  ) => Effect.Effect<X402Api.X402Transactions, TopUps.WalletCallError>
  /** After a detected payment loop (a DIEM-linked wallet), allows payments again. */
  readonly resetLoopDetection: Effect.Effect<void>
}

/**
 * What {@link Service.reconcile} found.
 *
 * - `Nothing` — no payment of the wallet is unconfirmed.
 * - `Landed` — the unconfirmed payment was credited (its resubmission's receipt, or a `TOP_UP` in the ledger): it
 *   stays spent, new payments may be signed again.
 * - `Released` — its authorization has expired (Base: `validBefore`; Solana: the chain past the blockhash's
 *   `lastValidBlockHeight`), `landingGrace` has passed since, and the ledger does not show it: it never landed; its
 *   amount is given back to the budget.
 * - `Unknown` — the question is still open (the ledger does not show it yet and it may still land, the ledger could
 *   not be read, or — Solana — the chain is not known to be past the payment's block height); `decidedBy` is the
 *   earliest epoch ms from which the ledger's silence can prove it never landed (for a Solana payment whose expiry
 *   the chain has not confirmed yet, the chain may put it later).
 *
 * @since 0.1.0
 * @category models
 */
export type ReconcileResult =
  | { readonly _tag: "Nothing" }
  | { readonly _tag: "Landed"; readonly amountUsd: number }
  | { readonly _tag: "Released"; readonly amountUsd: number }
  | { readonly _tag: "Unknown"; readonly amountUsd: number; readonly decidedBy: number }

/**
 * @since 0.1.0
 * @category tags
 */
export class PaymentPolicy extends Context.Tag("@venice-effect/venice/PaymentPolicy")<PaymentPolicy, Service>() {}

/**
 * The settings are not usable (a cap or budget that is not a positive number).
 *
 * @since 0.1.0
 * @category errors
 */
export class PaymentSettingsError extends Schema.TaggedError<PaymentSettingsError>()("PaymentSettingsError", {
  message: Schema.String
}) {}

// ─── Coordination: one top-up per wallet, one budget, across processes ──────────────────────────────

/**
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.LockAnswer` from `@venice-effect/core/TopUpCoordinator`.
 */
export type LockAnswer = TopUpCoordinator.LockAnswer

/**
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.BudgetAnswer` from `@venice-effect/core/TopUpCoordinator`.
 */
export type BudgetAnswer = TopUpCoordinator.BudgetAnswer

/**
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.Service` from `@venice-effect/core/TopUpCoordinator`.
 */
export type CoordinatorService = TopUpCoordinator.Service

/**
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.UnconfirmedPayment` from `@venice-effect/core/TopUpCoordinator`.
 */
export type UnconfirmedPayment = TopUpCoordinator.UnconfirmedPayment

/**
 * The tag of the wallet's top-up coordination: the same tag as core's `TopUpCoordinator.TopUpCoordinator`.
 *
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.TopUpCoordinator` from `@venice-effect/core/TopUpCoordinator`.
 */
export const Coordinator = TopUpCoordinator.TopUpCoordinator

/**
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.TopUpCoordinator` from `@venice-effect/core/TopUpCoordinator`.
 */
export type Coordinator = TopUpCoordinator.TopUpCoordinator

/**
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.makeMemory` from `@venice-effect/core/TopUpCoordinator`.
 */
export const makeMemoryCoordinator: () => TopUpCoordinator.Service = TopUpCoordinator.makeMemory

/**
 * @since 0.1.0
 * @category coordination
 * @deprecated Moved to core: `TopUpCoordinator.layerMemory` from `@venice-effect/core/TopUpCoordinator`.
 */
export const layerMemoryCoordinator: Layer.Layer<TopUpCoordinator.TopUpCoordinator> = TopUpCoordinator.layerMemory

type Outcome = Either.Either<
  { readonly amountUsd: number; readonly settled: TopUps.Settled },
  TopUps.Failure | SignFailure
>

interface SignFailure {
  readonly _tag: "SignFailed"
  readonly message: string
}

interface State {
  /** Committed USD (credited, in flight, or possibly landing), as the coordinator last said. */
  spent: number
  /** The wallet's top-up generation as the coordinator last said (`undefined`: not asked yet). */
  knownGeneration: number | undefined
  /** Top-ups this policy has coordinated (names each one's lock owner). */
  topUps: number
  /** The top-up in flight, shared by every call that needs it; requests about to be signed wait for it. */
  running: Deferred.Deferred<Outcome> | undefined
  /** Top-ups of the wallet that took effect through this policy: a 402 from before the last one may be answered. */
  generation: number
  /** A 402 persisted after a top-up: no more payments until reset. */
  loopDetected: boolean
  /** Payments this policy signed whose outcome is unknown, by id: they can be resubmitted (never re-signed). */
  readonly signed: Map<string, VeniceWallet.SignedPayment>
}

/**
 * A wallet's `402` that a top-up may fix: `PAYMENT_REQUIRED` (below Venice's $0.10 floor), or the plain
 * `Insufficient USD or Diem balance…` 402 a wallet above the floor gets for a call that costs more than it holds (a
 * video or audio job; skill venice-audio-music §Errors). The plain one is only the policy's when its wallet signed
 * the request; an API key's is never paid for.
 */
const isPaymentRequired = <E>(error: E): error is E & VeniceError.VeniceError =>
  VeniceError.isVeniceError(error) && (error._tag === "VenicePaymentRequiredError" || isInsufficientBalance(error))

const isInsufficientBalance = (error: VeniceError.VeniceError): boolean =>
  error.status === 402 &&
  (error.code === "INSUFFICIENT_BALANCE" ||
    (error.code === "UNKNOWN" && /insufficient\b.*\bbalance/i.test(error.message)))

const cents = (usd: number): number => Math.floor(usd * 100 + 1e-9) / 100

const spanEvent = (name: string, attributes: Record<string, unknown>) =>
  Effect.flatMap(Effect.option(Effect.currentSpan), (span) =>
    Option.isNone(span)
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeNanos, (now) => Effect.sync(() => span.value.event(name, now, attributes))))

/**
 * Builds the service: the wallet's payment state, scoped (a top-up in flight finishes or is interrupted with the
 * scope). Requires the `VeniceWallet` and an `HttpClient`; uses the `LimiterStore` in context, else an in-memory one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options
): Effect.Effect<Service, PaymentSettingsError, VeniceWallet.VeniceWallet | HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const { budgetUsd, maxPerPaymentUsd } = options
    if (!(Number.isFinite(maxPerPaymentUsd) && maxPerPaymentUsd > 0)) {
      return yield* new PaymentSettingsError({ message: "maxPerPaymentUsd must be a positive number of USD" })
    }
    if (!(Number.isFinite(budgetUsd) && budgetUsd > 0)) {
      return yield* new PaymentSettingsError({ message: "budgetUsd must be a positive number of USD" })
    }
    const wallet = yield* VeniceWallet.VeniceWallet
    const httpClient = yield* HttpClient.HttpClient
    const store = Option.getOrElse(yield* Effect.serviceOption(LimiterStore.LimiterStore), LimiterStore.makeMemory)
    const scope = yield* Effect.scope
    const baseUrl = String(options.baseUrl ?? VeniceClient.DEFAULT_BASE_URL).replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(60))
    const env: TopUps.Env = { baseUrl, httpClient, store, wallet, timeout }
    const settlement: TopUps.Settlement = {
      wait: Duration.decode(options.settlement?.wait ?? Duration.minutes(2)),
      // Venice allows 10 top-up requests a minute per IP: resubmit at most every 10 s
      poll: Duration.decode(options.settlement?.poll ?? Duration.seconds(10)),
      retries: Math.max(0, Math.floor(options.settlement?.retries ?? 3)),
      landingGrace: Duration.decode(options.settlement?.landingGrace ?? Duration.minutes(2))
    }
    // a live holder's top-up ends within its own bound (discovery, ledger mark, settlement, the last request)
    const lockWait = Duration.decode(
      options.settlement?.lockWait ?? Duration.sum(settlement.wait, Duration.times(timeout, 3))
    )
    const coordinator = Option.getOrElse(
      yield* Effect.serviceOption(TopUpCoordinator.TopUpCoordinator),
      TopUpCoordinator.makeMemory
    )
    const state: State = {
      spent: 0,
      knownGeneration: undefined,
      topUps: 0,
      running: undefined,
      generation: 0,
      loopDetected: false,
      signed: new Map()
    }
    // names this policy's lock owners (not secret: a process id and a random tag)
    const instanceId = `pid:${typeof process !== "undefined" ? process.pid : 0}:${
      globalThis.crypto.randomUUID().slice(0, 8)
    }`

    // ── errors for a call ───────────────────────────────────────────────────────────────────────

    const factsOf = (paymentRequired: VeniceError.VeniceError | undefined) =>
      paymentRequired === undefined ? {} : {
        ...(paymentRequired.method !== undefined ? { method: paymentRequired.method } : {}),
        ...(paymentRequired.url !== undefined ? { url: paymentRequired.url } : {}),
        ...(paymentRequired.attempt !== undefined ? { attempt: paymentRequired.attempt } : {}),
        ...(paymentRequired.correlationId !== undefined ? { correlationId: paymentRequired.correlationId } : {})
      }

    const toError = (
      failure: TopUps.Failure | SignFailure,
      answered: VeniceError.VeniceError | undefined
    ): WalletError.WalletError => {
      const facts = factsOf(answered)
      const paymentRequired = answered?._tag === "VenicePaymentRequiredError" ? answered : undefined
      switch (failure._tag) {
        case "Refused":
          return new WalletError.PaymentRefusedError({
            ...facts,
            wallet: wallet.address,
            reason: failure.reason,
            message: failure.message,
            ...(failure.amountUsd !== undefined ? { amountUsd: failure.amountUsd } : {}),
            maxPerPaymentUsd,
            budgetUsd,
            spentUsd: state.spent,
            ...(paymentRequired !== undefined ? { cause: paymentRequired } : {})
          })
        case "Failed":
          return new WalletError.TopUpFailedError({
            ...facts,
            wallet: wallet.address,
            reason: failure.reason,
            message: failure.message,
            ...(failure.code !== undefined ? { code: failure.code } : {}),
            ...(failure.amountUsd !== undefined ? { amountUsd: failure.amountUsd } : {}),
            fundsMayHaveMoved: failure.fundsMayHaveMoved,
            ...(failure.mayStillLand === true ? { mayStillLand: true } : {}),
            ...(failure.cause !== undefined ? { cause: failure.cause } : {}),
            ...(paymentRequired !== undefined ? { paymentRequired } : {})
          })
        case "SignFailed":
          return new WalletError.WalletSignError({
            ...facts,
            wallet: wallet.address,
            operation: "payment",
            message: failure.message
          })
      }
    }

    const refuse = (reason: WalletError.RefusalReason, message: string, amountUsd?: number): TopUps.Failure => ({
      _tag: "Refused",
      reason,
      message,
      ...(amountUsd !== undefined ? { amountUsd } : {})
    })

    // ── one top-up (runs in its own fiber; every waiting call shares its outcome) ─────────────────

    interface Plan {
      readonly manual: boolean
      /** The amount asked for (manual) or suggested by the 402. */
      readonly wantedUsd: number | undefined
      /** Venice's minimum as the 402 states it. */
      readonly minimumUsd: number | undefined
    }

    const reserve = (amountUsd: number) =>
      Effect.map(coordinator.reserve(wallet.identity, amountUsd, budgetUsd), (answer) => {
        state.spent = answer.spentUsd
        return answer._tag === "Reserved"
      })
    const unreserve = (amountUsd: number) =>
      Effect.map(coordinator.unreserve(wallet.identity, amountUsd), (spent) => void (state.spent = spent))

    /** The end of an unknown outcome: the coordinator's record goes (the budget given back if it never landed). */
    const settleUnconfirmed = (held: TopUpCoordinator.UnconfirmedPayment, outcome: "landed" | "absent") =>
      Effect.gen(function*() {
        state.spent = yield* coordinator.resolveUnconfirmed(wallet.identity, held.id, outcome)
        state.signed.delete(held.id)
        expiredAt.delete(held.id)
        yield* spanEvent(outcome === "landed" ? "payment.unconfirmed.landed" : "payment.unconfirmed.released", {
          "venice.identity": wallet.identity,
          "payment.amount_usd": held.amountUsd
        })
      })

    type Pass =
      | { readonly _tag: "Landed"; readonly settled: TopUps.Settled }
      | { readonly _tag: "Released" }
      | { readonly _tag: "Unknown" }

    /**
     * When each unconfirmed payment was first seen expired: its `validBefore` (a time), or — a Solana payment, which
     * expires by block height — the moment the wallet's RPC first said the finalized chain is past its
     * `lastValidBlockHeight`. The landing grace runs from then.
     */
    const expiredAt = new Map<string, number>()
    const expiry = (held: TopUpCoordinator.UnconfirmedPayment, now: number): Effect.Effect<number | undefined> =>
      Effect.gen(function*() {
        const seen = expiredAt.get(held.id)
        if (seen !== undefined) return seen
        if (now < held.validBefore) return undefined
        if (held.lastValidBlockHeight === undefined) return held.validBefore
        if (!(yield* wallet.expired(held))) return undefined
        expiredAt.set(held.id, now)
        yield* spanEvent("payment.unconfirmed.expired", {
          "venice.identity": wallet.identity,
          "payment.last_valid_block_height": held.lastValidBlockHeight
        })
        return now
      })

    /**
     * One look at an unconfirmed payment: resubmit it when this process holds it and it can still be executed (its
     * answer settles the question: Venice credits a signed payment once), then read the ledger back to the payment's
     * mark. Its `TOP_UP` there → landed; not there once it has expired (`validBefore`; a Solana payment: the chain
     * past its `lastValidBlockHeight`) and `landingGrace` has passed since → released.
     */
    const lookAt = (held: TopUpCoordinator.UnconfirmedPayment): Effect.Effect<Pass> =>
      Effect.gen(function*() {
        const payment = state.signed.get(held.id)
        if (payment !== undefined && (yield* Clock.currentTimeMillis) < held.validBefore) {
          const resubmitted = yield* Effect.either(TopUps.submit(env, payment))
          if (Either.isRight(resubmitted)) {
            yield* settleUnconfirmed(held, "landed")
            return { _tag: "Landed", settled: { _tag: "Credited", receipt: resubmitted.right } } as const
          }
        }
        // the time (and the chain's word on expiry) is taken before the ledger is read: a read that finds nothing proves
        // absence only for entries up to it
        const readAt = yield* Clock.currentTimeMillis
        const expired = yield* expiry(held, readAt)
        const ledger = yield* Effect.either(TopUps.findInLedger(env, held.mark, held.amountUsd))
        if (Either.isLeft(ledger)) return { _tag: "Unknown" } as const
        if (ledger.right._tag === "Landed") {
          yield* settleUnconfirmed(held, "landed")
          return {
            _tag: "Landed",
            settled: { _tag: "InLedger", amountUsd: held.amountUsd, entry: ledger.right.entry }
          } as const
        }
        if (ledger.right._tag === "NotThere" && expired !== undefined && readAt >= decidedBy(held)) {
          yield* settleUnconfirmed(held, "absent")
          return { _tag: "Released" } as const
        }
        return { _tag: "Unknown" } as const
      })

    const decidedBy = (held: TopUpCoordinator.UnconfirmedPayment) =>
      (expiredAt.get(held.id) ?? held.validBefore) + Duration.toMillis(settlement.landingGrace)

    /**
     * Settles an unconfirmed payment before anything else, waiting at most until `deadline` (W3): looks at it every
     * `poll`, and — for a call — goes on as soon as the balance says the wallet can be served (the payment stays
     * unconfirmed: no new payment is signed). `None`: it was released, a new payment may be signed; `Some`: the outcome
     * for the call (`onTimeout` when the question is still open at the deadline).
     */
    const resolve = (
      held: TopUpCoordinator.UnconfirmedPayment,
      plan: Plan,
      deadline: number,
      onTimeout: () => TopUps.Failure
    ): Effect.Effect<Option.Option<Outcome>> =>
      Effect.gen(function*() {
        for (;;) {
          const pass = yield* lookAt(held)
          if (pass._tag === "Landed") {
            return Option.some(Either.right({ amountUsd: held.amountUsd, settled: pass.settled }))
          }
          if (pass._tag === "Released") return Option.none()
          if (!plan.manual) {
            const read = yield* Effect.either(TopUps.balance(env))
            if (Either.isRight(read) && read.right.data.canConsume) {
              // the wallet can be served: the call goes on. The payment may just have landed: one more look settles it
              const again = yield* lookAt(held)
              if (again._tag === "Landed") {
                return Option.some(Either.right({ amountUsd: held.amountUsd, settled: again.settled }))
              }
              return Option.some(
                Either.right({ amountUsd: 0, settled: { _tag: "Admitted", balance: read.right } as const })
              )
            }
          }
          const now = yield* Clock.currentTimeMillis
          if (now >= deadline) return Option.some(Either.left(onTimeout()))
          const untilDecided = decidedBy(held) - now
          const pause = Math.min(
            Duration.toMillis(settlement.poll),
            deadline - now,
            untilDecided > 0 ? untilDecided : Infinity
          )
          yield* Effect.sleep(Duration.millis(Math.max(1, pause)))
        }
      })

    const pendingRefusal = (held: TopUpCoordinator.UnconfirmedPayment) => () => {
      const by = new Date(decidedBy(held)).toISOString()
      const when = held.lastValidBlockHeight === undefined || expiredAt.has(held.id)
        ? `by ${by} at the latest`
        : `not before ${by}, once the chain is past block ${held.lastValidBlockHeight}`
      return refuse(
        "settlement-pending",
        `a payment of $${held.amountUsd} has an unknown outcome (its answer was lost, or it was still settling) and may have landed: no new payment before the ledger settles it (${when})`,
        held.amountUsd
      )
    }

    const runTopUp = (plan: Plan): Effect.Effect<Outcome> =>
      Effect.gen(function*() {
        const deadline = (yield* Clock.currentTimeMillis) + Duration.toMillis(settlement.wait)

        // 1. A payment whose outcome is unknown comes first: no new payment before the ledger settles it (X3).
        const held = yield* coordinator.unconfirmed(wallet.identity)
        if (held !== undefined) {
          const resolved = yield* resolve(held, plan, deadline, pendingRefusal(held))
          // landed: the call retries (a manual top-up goes on to its own payment)
          if (Option.isSome(resolved) && !(plan.manual && Either.isRight(resolved.value))) return resolved.value
        }

        // 2. The amount: the 402's suggestion (or what was asked), capped, at least Venice's minimum, within budget.
        state.spent = yield* coordinator.spent(wallet.identity)
        const minimum = plan.minimumUsd ?? 0
        if (minimum > maxPerPaymentUsd) {
          return Either.left(refuse(
            "per-payment-cap",
            `Venice's minimum top-up ($${minimum}) exceeds the per-payment cap ($${maxPerPaymentUsd})`,
            minimum
          ))
        }
        let amount = plan.manual
          ? plan.wantedUsd ?? minimum
          : Math.max(Math.min(plan.wantedUsd ?? maxPerPaymentUsd, maxPerPaymentUsd), minimum)
        const fit = (wanted: number, floor: number): Either.Either<number, TopUps.Failure> => {
          if (wanted > maxPerPaymentUsd) {
            return Either.left(
              refuse(
                "per-payment-cap",
                `a payment of $${wanted} exceeds the per-payment cap ($${maxPerPaymentUsd})`,
                wanted
              )
            )
          }
          const remaining = cents(budgetUsd - state.spent)
          if (wanted <= remaining) return Either.right(wanted)
          if (!plan.manual && remaining >= floor && remaining > 0) return Either.right(remaining)
          return Either.left(refuse(
            "budget-exhausted",
            `a payment of $${wanted} exceeds the remaining budget ($${remaining} of $${budgetUsd})`,
            wanted
          ))
        }
        const first = fit(amount, minimum)
        if (Either.isLeft(first)) return Either.left(first.left)
        amount = first.right

        // 3. Venice's own requirements: USDC on the wallet's chain from POST <baseUrl>/x402/top-up, nothing else.
        const discovered = yield* Effect.either(TopUps.discover(env))
        if (Either.isLeft(discovered)) return Either.left(discovered.left)
        const rail = wallet.selectRequirements(discovered.right)
        if (Either.isLeft(rail)) return Either.left(refuse(rail.left.reason, rail.left.message, amount))
        // a 402's payment is raised to Venice's minimum (within caps); a manual top-up is sent as asked (Venice answers
        // AMOUNT_TOO_LOW if it is below)
        const railMinimum = TopUps.fromAtomic(rail.right.amount)
        if (!plan.manual && railMinimum > amount) {
          const raised = fit(railMinimum, railMinimum)
          if (Either.isLeft(raised)) return Either.left(raised.left)
          amount = raised.right
        }

        // 4. The ledger's newest entry before signing: should the answer be lost, the payment is looked for after it.
        const mark = yield* Effect.either(TopUps.ledgerMark(env))
        if (Either.isLeft(mark)) {
          return Either.left(TopUps.failedBeforePaying(
            `cannot read the wallet's ledger before paying (it settles a payment whose answer is lost): ${mark.left.message}`,
            mark.left
          ))
        }

        // 5. Reserve (one atomic step: a shared budget may have moved), sign (the library's own cap set to ours), settle.
        if (!(yield* reserve(amount))) {
          return Either.left(refuse(
            "budget-exhausted",
            `a payment of $${amount} exceeds the remaining budget ($${
              cents(budgetUsd - state.spent)
            } of $${budgetUsd})`,
            amount
          ))
        }
        const requirements: X402.PaymentRequirements = { ...rail.right, amount: TopUps.toAtomic(amount).toString() }
        const signed = yield* Effect.either(
          wallet.signPayment(discovered.right, requirements, { maxAmountPerPaymentUsd: maxPerPaymentUsd })
        )
        if (Either.isLeft(signed)) {
          yield* unreserve(amount)
          return Either.left({ _tag: "SignFailed", message: signed.left.message } as const)
        }
        const submittedAt = yield* Clock.currentTimeMillis
        const unconfirmed: TopUpCoordinator.UnconfirmedPayment = {
          id: `${instanceId}#${state.topUps}`,
          amountUsd: amount,
          validBefore: TopUps.validBeforeOf(signed.right, submittedAt),
          ...(signed.right.lastValidBlockHeight !== undefined
            ? { lastValidBlockHeight: signed.right.lastValidBlockHeight }
            : {}),
          submittedAt,
          mark: mark.right
        }
        const settled = yield* Effect.either(TopUps.settle(env, signed.right, settlement, deadline))
        if (Either.isRight(settled)) {
          // admitted without a receipt: it may still land, so it stays unconfirmed until the ledger shows it
          if (settled.right._tag === "Admitted") yield* keepUnconfirmed(unconfirmed, signed.right)
          return Either.right({ amountUsd: amount, settled: settled.right })
        }
        const failure = settled.left
        if (!(failure._tag === "Failed" && failure.mayStillLand === true)) {
          // rejected by Venice (it never credits that payment), or it never left this process
          yield* unreserve(amount)
          return Either.left(failure)
        }
        // 6. It may still land: kept reserved and recorded (fleet-wide). Venice said nothing moved (SETTLEMENT_FAILED
        // …): the next 402 resubmits it. Its answer was lost: looked for until the deadline.
        const recorded = yield* keepUnconfirmed(unconfirmed, signed.right)
        if (!failure.fundsMayHaveMoved) return Either.left(failure)
        const resolved = yield* resolve(recorded, plan, deadline, () => failure)
        if (Option.isSome(resolved)) return resolved.value
        return Either.left(TopUps.expired(amount, failure))
      }).pipe(
        Effect.withSpan("venice.x402.top-up", {
          attributes: { "venice.identity": wallet.identity, "payment.manual": plan.manual }
        })
      )

    const keepUnconfirmed = (payment: TopUpCoordinator.UnconfirmedPayment, signed: VeniceWallet.SignedPayment) =>
      Effect.gen(function*() {
        state.signed.set(payment.id, signed)
        yield* spanEvent("payment.unconfirmed", {
          "venice.identity": wallet.identity,
          "payment.amount_usd": payment.amountUsd,
          "payment.valid_before": new Date(payment.validBefore).toISOString()
        })
        return yield* coordinator.markUnconfirmed(wallet.identity, payment)
      })

    /**
     * Runs `body` under the wallet's lock in the {@link Coordinator}: with the default (in-memory, one per policy) it is
     * free at once. With a shared coordinator another process may hold it: wait for its release (polling, at most
     * `lockWait`, W1), then take it. The lease is renewed while `body` runs, and the lock is released however it ends
     * (`paid`: a top-up took effect under it).
     */
    const withLock = <A>(
      body: (generation: number, release: (paid: boolean) => Effect.Effect<void>) => Effect.Effect<A>,
      paid: (a: A) => boolean,
      onTimeout: Effect.Effect<A>
    ): Effect.Effect<A> =>
      Effect.gen(function*() {
        const owner = `${instanceId}#${++state.topUps}`
        const lease = coordinator.lease
        const ttlMillis = lease === undefined ? 600_000 : Math.max(1, Duration.toMillis(lease.ttl))
        const poll = lease?.pollInterval ?? Duration.millis(50)
        const giveUpAt = (yield* Clock.currentTimeMillis) + Duration.toMillis(lockWait)
        let generation: number
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          const lock = yield* coordinator.acquire(wallet.identity, owner, now, ttlMillis)
          if (lock._tag === "Acquired") {
            generation = lock.generation
            break
          }
          if (now >= giveUpAt) return yield* onTimeout
          yield* Effect.sleep(Duration.min(poll, Duration.millis(Math.max(1, giveUpAt - now))))
        }
        const release = (didPay: boolean) =>
          Effect.flatMap(Clock.currentTimeMillis, (now) => coordinator.release(wallet.identity, owner, didPay, now))
            .pipe(
              Effect.map((g) => void (state.knownGeneration = g))
            )
        const renew = lease === undefined ? Effect.void : Effect.forkScoped(
          Effect.forever(Effect.zipRight(
            Effect.sleep(Duration.millis(Math.max(1, ttlMillis / 3))),
            Effect.flatMap(
              Clock.currentTimeMillis,
              (now) => coordinator.acquire(wallet.identity, owner, now, ttlMillis)
            )
          ))
        )
        let released = false
        return yield* Effect.scoped(Effect.zipRight(
          renew,
          body(generation, (didPay) => {
            released = true
            return release(didPay)
          })
        )).pipe(
          Effect.onExit((exit) => released ? Effect.void : release(exit._tag === "Success" && paid(exit.value)))
        )
      })

    /**
     * One top-up under the wallet's lock. Before paying for a 402, a top-up another process made since this policy last
     * coordinated one (the generation moved) is checked against the balance: if the wallet can be served, nothing is
     * paid (the calls retry).
     */
    const coordinated = (plan: Plan): Effect.Effect<Outcome> =>
      withLock<Outcome>(
        (generation, release) =>
          Effect.gen(function*() {
            // Another process's top-up took effect since this policy last coordinated one (while we waited, or before:
            // the 402 may predate it either way, and which came first is unknown): pay only if the balance still needs it.
            const movedElsewhere = generation !== (state.knownGeneration ?? 0)
            state.knownGeneration = generation
            if (!plan.manual && movedElsewhere) {
              const read = yield* Effect.either(TopUps.balance(env))
              if (Either.isRight(read) && read.right.data.canConsume) {
                yield* release(false)
                yield* spanEvent("payment.joined-elsewhere", {
                  "venice.identity": wallet.identity,
                  "payment.generation": generation
                })
                return Either.right({ amountUsd: 0, settled: { _tag: "Admitted", balance: read.right } as const })
              }
            }
            return yield* runTopUp(plan)
          }),
        Either.isRight,
        Effect.succeed(Either.left(refuse(
          "lock-timeout",
          `another process's top-up of this wallet still holds its lock after ${
            Duration.format(lockWait)
          }: not paying now`
        )))
      )

    /**
     * Joins the top-up in flight (`join`), or starts one once none is in flight. Claiming is one synchronous step, so
     * exactly one caller starts it. It runs in a fiber of the service's scope: a signed payment is seen through even
     * if the calls waiting for it are interrupted.
     */
    const sharedTopUp = (
      plan: Plan,
      join: boolean
    ): Effect.Effect<{ readonly outcome: Outcome; readonly joined: boolean }> =>
      Effect.gen(function*() {
        const fiberId = yield* Effect.fiberId
        for (;;) {
          const claim = yield* Effect.sync(() => {
            if (state.running !== undefined) return { deferred: state.running, leader: false }
            const deferred = Deferred.unsafeMake<Outcome>(fiberId)
            state.running = deferred
            return { deferred, leader: true }
          })
          if (!claim.leader && !join) {
            yield* Effect.ignore(Deferred.await(claim.deferred))
            continue
          }
          if (claim.leader) {
            yield* coordinated(plan).pipe(
              Effect.exit,
              Effect.flatMap((exit) =>
                Effect.zipRight(
                  Effect.sync(() => {
                    // the top-up took effect: requests signed from now on are at the new generation
                    if (exit._tag === "Success" && Either.isRight(exit.value)) state.generation++
                    state.running = undefined
                  }),
                  Deferred.done(claim.deferred, exit)
                )
              ),
              Effect.forkIn(scope)
            )
          }
          return { outcome: yield* Deferred.await(claim.deferred), joined: !claim.leader }
        }
      })

    /** {@link Service.reconcile}: one look at the unconfirmed payment, under the lock, after any top-up in flight. */
    const reconcile: Effect.Effect<ReconcileResult> = Effect.gen(function*() {
      const running = state.running
      if (running !== undefined) yield* Effect.ignore(Deferred.await(running))
      return yield* withLock<ReconcileResult>(
        () =>
          Effect.gen(function*() {
            const held = yield* coordinator.unconfirmed(wallet.identity)
            if (held === undefined) return { _tag: "Nothing" } as const
            const pass = yield* lookAt(held)
            switch (pass._tag) {
              case "Landed":
                return { _tag: "Landed", amountUsd: held.amountUsd } as const
              case "Released":
                return { _tag: "Released", amountUsd: held.amountUsd } as const
              case "Unknown":
                return { _tag: "Unknown", amountUsd: held.amountUsd, decidedBy: decidedBy(held) } as const
            }
          }),
        (result) => result._tag === "Landed",
        // another process holds the lock for longer than lockWait: what is recorded stays open
        Effect.map(coordinator.unconfirmed(wallet.identity), (held): ReconcileResult =>
          held === undefined
            ? { _tag: "Nothing" }
            : { _tag: "Unknown", amountUsd: held.amountUsd, decidedBy: decidedBy(held) })
      )
    })

    // ── the payment step ────────────────────────────────────────────────────────────────────────

    /**
     * What to do about one `402` of a call. `ours`: the call's requests are signed by this policy's wallet.
     * `signedFrom`: the wallet's top-up generation when this run of the call started (a top-up that took effect
     * since may have answered the 402 already). `retried`: this run follows a payment (or a top-up this call relied
     * on).
     */
    const decide = (
      error: VeniceError.VeniceError,
      episode: { readonly ours: boolean; readonly signedFrom: number; readonly retried: boolean }
    ): Effect.Effect<PaymentDecision> =>
      Effect.gen(function*() {
        const refused = (failure: TopUps.Failure | SignFailure): PaymentDecision => ({
          _tag: "Refused",
          error: toError(failure, error)
        })
        if (error._tag !== "VenicePaymentRequiredError") {
          // the plain "insufficient balance" 402: an API key's (or another wallet's) is not this policy's business
          if (!episode.ours) return { _tag: "NotPaymentRequired" }
        } else if (!episode.ours) {
          return refused(
            refuse("not-this-wallet", `this 402 did not answer a request signed by ${wallet.address}: not paid`)
          )
        }
        if (episode.retried) {
          state.loopDetected = true
          return refused(refuse(
            "still-required-after-top-up",
            error._tag === "VenicePaymentRequiredError"
              ? "Venice still asks for payment after this call's top-up: topping up again would not help (a DIEM-linked wallet?); the wallet's payments stop until resetLoopDetection"
              : "the wallet's balance is still below this call's price after this call's top-up (one payment within maxPerPaymentUsd does not cover it); the wallet's payments stop until resetLoopDetection"
          ))
        }
        if (state.loopDetected) {
          return refused(
            refuse(
              "loop-detected",
              "an earlier top-up did not clear this wallet's 402s: not paying again until resetLoopDetection"
            )
          )
        }
        const body = error._tag === "VenicePaymentRequiredError" ? error.body : undefined
        const current = body?.currentBalanceUsd
        if (body !== undefined && current !== undefined && current >= (body.minimumBalanceUsd ?? 0.1)) {
          return refused(refuse(
            "credit-not-used",
            `the wallet has $${current} of credit, above the minimum, and still gets 402: a top-up cannot fix it (a DIEM-linked wallet?)`
          ))
        }
        // a top-up of the wallet took effect since this run started: it may have answered this 402 already (X3)
        if (episode.signedFrom < state.generation) return { _tag: "AlreadyPaid" }
        const { joined, outcome } = yield* sharedTopUp({
          manual: false,
          wantedUsd: body?.suggestedTopUpUsd,
          minimumUsd: body?.minimumTopUpUsd
        }, true)
        if (Either.isLeft(outcome)) return refused(outcome.left)
        return { _tag: "Paid", amountUsd: outcome.right.amountUsd, joined, settled: outcome.right.settled }
      })

    const challengeOf = (error: VeniceError.VeniceError): X402.SignInWithXInfo | undefined =>
      error._tag !== "VenicePaymentRequiredError" ? undefined : error.body.siwxChallenge?.info ??
        (error.paymentRequired !== undefined
          ? Option.getOrUndefined(Option.map(X402.signInWithX(error.paymentRequired), (ext) => ext.info))
          : undefined)

    /** The events of a decision, on its own span (`venice.x402.payment`, a child of the caller's). */
    const recordDecision = (decision: PaymentDecision): Effect.Effect<void> => {
      switch (decision._tag) {
        case "NotPaymentRequired":
          return Effect.void
        case "Refused":
          return spanEvent("payment.refused", {
            "payment.error": decision.error._tag,
            ...("reason" in decision.error ? { "payment.reason": decision.error.reason } : {})
          })
        case "Paid":
        case "AlreadyPaid":
          return spanEvent("payment.retry", {
            "payment.decision": decision._tag,
            ...(decision._tag === "Paid"
              ? {
                "payment.amount_usd": decision.amountUsd,
                "payment.joined": decision.joined,
                "payment.settled": decision.settled._tag
              }
              : {})
          })
      }
    }

    /**
     * The payment step around a call (X2, X3): a `402` the policy pays for runs the call again at once; a refusal
     * (or a failed top-up) fails the call with its typed `WalletError`, which carries the `402`; every other failure,
     * and a `402` that is not the policy's business, is the call's own.
     */
    const recoverWith = (signedBy: string) => <A, E, R>(call: Effect.Effect<A, E, R>) => {
      const ours = signedBy === wallet.identity
      const run = (retried: boolean): Effect.Effect<A, E | WalletError.WalletError, R> =>
        Effect.flatMap(Effect.sync(() => state.generation), (signedFrom) =>
          Effect.catchIf(
            call,
            isPaymentRequired,
            (error: E & VeniceError.VeniceError): Effect.Effect<A, E | WalletError.WalletError, R> =>
              decide(error, { ours, signedFrom, retried }).pipe(
                Effect.tap(recordDecision),
                Effect.withSpan("venice.x402.payment", {
                  captureStackTrace: false,
                  attributes: { "venice.identity": wallet.identity, "venice.code": error.code }
                }),
                Effect.flatMap((decision) => {
                  switch (decision._tag) {
                    case "NotPaymentRequired":
                      return Effect.fail(error)
                    case "Refused":
                      return Effect.fail(decision.error)
                    case "Paid":
                    case "AlreadyPaid": {
                      // the run after it may sign in with the server's challenge (single use)
                      const challenge = challengeOf(error)
                      return Effect.zipRight(
                        challenge === undefined ? Effect.void : wallet.offerChallenge(challenge, error.url),
                        run(true)
                      )
                    }
                  }
                })
              )
          ))
      return run(false)
    }

    const recover: Service["recover"] = (call, signedBy) => recoverWith(signedBy ?? wallet.identity)(call)

    const base = VeniceWallet.authenticator(wallet)
    const authenticator: ProviderClient.Authenticator<WalletError.WalletError> = {
      ...base,
      authorize: (request, attempt) =>
        Effect.gen(function*() {
          // a top-up of this wallet is under way: wait for it instead of collecting a 402 (each one counts against
          // Venice's failed-request budget)
          const running = state.running
          if (running !== undefined) yield* Effect.ignore(Deferred.await(running))
          return yield* base.authorize(request, attempt)
        }),
      recover
    }

    const topUp = (amountUsd: number): Effect.Effect<TopUpResult, WalletError.WalletError> =>
      Effect.gen(function*() {
        if (!(Number.isFinite(amountUsd) && amountUsd > 0)) {
          return yield* toError(
            refuse("per-payment-cap", "the top-up amount must be a positive number of USD"),
            undefined
          )
        }
        const { outcome } = yield* sharedTopUp(
          { manual: true, wantedUsd: cents(amountUsd), minimumUsd: undefined },
          false
        )
        if (Either.isLeft(outcome)) return yield* toError(outcome.left, undefined)
        return outcome.right.settled
      })

    return {
      wallet,
      baseUrl,
      maxPerPaymentUsd,
      budgetUsd,
      authenticator,
      recover,
      spentUsd: Effect.map(coordinator.spent(wallet.identity), (spent) => (state.spent = spent)),
      unconfirmedUsd: Effect.map(coordinator.unconfirmed(wallet.identity), (held) => held?.amountUsd ?? 0),
      reconcile,
      topUp,
      balance: TopUps.balance(env),
      transactions: (params) => TopUps.transactions(env, params),
      resetLoopDetection: Effect.sync(() => void (state.loopDetected = false))
    } satisfies Service
  })

/**
 * The service as a layer.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<PaymentPolicy, PaymentSettingsError, VeniceWallet.VeniceWallet | HttpClient.HttpClient> =>
  Layer.scoped(PaymentPolicy, make(options))

/**
 * The service from configuration: `VENICE_X402_MAX_PER_PAYMENT_USD` and `VENICE_X402_BUDGET_USD` (both required),
 * `VENICE_BASE_URL` (optional); other options as given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "maxPerPaymentUsd" | "budgetUsd" | "baseUrl"> = {}
): Layer.Layer<
  PaymentPolicy,
  PaymentSettingsError | ConfigError.ConfigError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> =>
  Layer.scoped(
    PaymentPolicy,
    Effect.gen(function*() {
      const maxPerPaymentUsd = yield* Config.number("VENICE_X402_MAX_PER_PAYMENT_USD")
      const budgetUsd = yield* Config.number("VENICE_X402_BUDGET_USD")
      const baseUrl = yield* Config.string("VENICE_BASE_URL").pipe(Config.withDefault(VeniceClient.DEFAULT_BASE_URL))
      return yield* make({ ...options, maxPerPaymentUsd, budgetUsd, baseUrl })
    })
  )

/**
 * Which schedule decided a failure in {@link orElse}, and its output.
 *
 * @since 0.1.0
 * @category models
 * @deprecated The payment step is no longer a `Schedule` (see {@link retry}); kept for schedules of your own.
 */
export type Routed<Out, Out2> =
  | { readonly _tag: "Payment"; readonly output: Out }
  | { readonly _tag: "Retry"; readonly output: Out2 }

/**
 * Routes each failure to one of two schedules: `402 PAYMENT_REQUIRED` (and the plain insufficient-balance `402`) to
 * `payments`, everything else to `retry`; each keeps its own state.
 *
 * @since 0.1.0
 * @category combinators
 * @deprecated Payments are no longer a `Schedule`: a `Schedule` cannot fail, so it could not fail a call with the
 * typed refusal. The payment step is {@link retry} (or {@link Service.recover}), which {@link layerClient} runs around
 * every call; a client's retry policy is then a plain `RetryPolicy`.
 */
export const orElse = <Out, R, Out2, R2>(
  payments: Schedule.Schedule<Out, RetryPolicy.VeniceClientError, R>,
  retry: Schedule.Schedule<Out2, RetryPolicy.VeniceClientError, R2>
): Schedule.Schedule<Routed<Out, Out2>, RetryPolicy.VeniceClientError, R | R2> =>
  Schedule.makeWithState<readonly [unknown, unknown], RetryPolicy.VeniceClientError, Routed<Out, Out2>, R | R2>(
    [payments.initial, retry.initial],
    (now, input, [paymentState, retryState]) =>
      isPaymentRequired(input)
        ? Effect.map(payments.step(now, input, paymentState), ([next, output, decision]) =>
          [[next, retryState] as const, { _tag: "Payment", output }, decision] as const)
        : Effect.map(retry.step(now, input, retryState), ([next, output, decision]) =>
          [[paymentState, next] as const, { _tag: "Retry", output }, decision] as const)
  )

/**
 * Payment-then-retry around an effect (X2, X3), for a client you wired yourself (e.g. `VeniceWallet.layerClient`):
 * a `402` the policy pays for runs `self` again at once, a refusal or a failed top-up fails it with the typed
 * `WalletError` — never the bare `402`. The identity of the `VeniceClient` in context says whose requests `self`
 * signs: a `PAYMENT_REQUIRED` on a request the policy's wallet did not sign is refused (`not-this-wallet`), the plain
 * `402` of an API key is left alone. {@link layerClient} runs the same step inside the client, around every call.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Chat, PaymentPolicy } from "@venice-effect/venice"
 *
 * const program = Effect.gen(function*() {
 *   const payments = yield* PaymentPolicy.PaymentPolicy
 *   return yield* Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }).pipe(
 *     PaymentPolicy.retry(payments)
 *   )
 * })
 * ```
 *
 * @since 0.2.0
 * @category combinators
 */
export const retry: {
  (
    payments: Service
  ): <A, E, R>(
    self: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E | WalletError.WalletError, R | VeniceClient.VeniceClient>
  <A, E, R>(
    self: Effect.Effect<A, E, R>,
    payments: Service
  ): Effect.Effect<A, E | WalletError.WalletError, R | VeniceClient.VeniceClient>
} = dual(2, <A, E, R>(
  self: Effect.Effect<A, E, R>,
  payments: Service
): Effect.Effect<A, E | WalletError.WalletError, R | VeniceClient.VeniceClient> =>
  Effect.flatMap(VeniceClient.VeniceClient, (client) => payments.recover(self, client.identity)))

/**
 * A client authenticated by the policy's wallet ({@link Service.authenticator}): every call runs through the payment
 * step ({@link Service.recover}), its retry policy is `options.retry` (default `RetryPolicy.defaultPolicy`), and its
 * base URL is the policy's. Its calls may fail with a `WalletError`: the program declares it
 * (`import type {} from "@venice-effect/venice/WalletErrors"`), else the layer's `Declared<WalletError>` requirement
 * is not met.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClient = (
  options: Omit<VeniceClient.OptionsWith<WalletError.WalletError>, "authenticator" | "baseUrl"> = {}
): Layer.Layer<
  VeniceClient.VeniceClient,
  VeniceClient.BuildError,
  PaymentPolicy | HttpClient.HttpClient | VeniceClient.Declared<WalletError.WalletError>
> =>
  VeniceClient.layerWith(
    Effect.flatMap(PaymentPolicy, (payments) =>
      ProviderClient.make(VeniceClient.providerWith<WalletError.WalletError>(), {
        ...options,
        baseUrl: payments.baseUrl,
        authenticator: payments.authenticator
      }))
  )
