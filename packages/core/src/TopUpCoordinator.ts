/**
 * Where the payment policies of a wallet keep what must be shared for X3, in one process or across a fleet: the
 * wallet's top-up lock (at most one top-up in flight per wallet), its top-up generation, its cumulative spend, and a
 * payment whose outcome is unknown. A provider's payment policy (Venice's `PaymentPolicy`) uses the
 * {@link TopUpCoordinator} in context, else an in-memory one of its own; `@venice-effect/redis` implements it in
 * Redis for a fleet. Nothing here knows a provider or a chain: wallets are named by an identity string
 * (`wallet:0x…`), amounts are USD.
 *
 * @since 0.2.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * The answer to a request for a wallet's top-up lock: the caller holds it (under its lease) until it releases it, or
 * another owner holds it. `generation` counts the top-ups of the wallet that took effect (as coordinated here).
 *
 * @since 0.2.0
 * @category models
 */
export type LockAnswer =
  | { readonly _tag: "Acquired"; readonly generation: number }
  | { readonly _tag: "Held"; readonly generation: number }

/**
 * The answer to a budget reservation: reserved (the new total), or the budget cannot take it (the current total).
 *
 * @since 0.2.0
 * @category models
 */
export type BudgetAnswer =
  | { readonly _tag: "Reserved"; readonly spentUsd: number }
  | { readonly _tag: "OverBudget"; readonly spentUsd: number }

/**
 * Where the payment policies of a wallet keep what must be shared for X3: the top-up lock (at most one top-up in
 * flight per wallet), the wallet's top-up generation, and the cumulative spend. The default (no `TopUpCoordinator` in
 * context) is {@link makeMemory}, one per policy: the state of one process, as before. A shared
 * implementation (`@venice-effect/redis`) makes every process of a fleet see one lock and one budget: concurrent 402s
 * in different processes cause one payment, the others wait for the lock and retry.
 *
 * Each operation is one atomic step (a script in Redis). `now` is epoch ms from the caller's `Clock`.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service {
  /**
   * Takes the wallet's top-up lock for `owner` until `now + ttlMillis`, unless another owner holds a live lease; an
   * owner that holds it renews it by asking again.
   */
  readonly acquire: (wallet: string, owner: string, now: number, ttlMillis: number) => Effect.Effect<LockAnswer>
  /**
   * Gives the lock back (ignored unless `owner` holds it). `paid`: a top-up took effect under it, so the wallet's
   * generation advances (even if the lease lapsed meanwhile). Returns the generation.
   */
  readonly release: (wallet: string, owner: string, paid: boolean, now: number) => Effect.Effect<number>
  /** Adds `amountUsd` to the wallet's spend if the total stays within `budgetUsd`. */
  readonly reserve: (wallet: string, amountUsd: number, budgetUsd: number) => Effect.Effect<BudgetAnswer>
  /** Takes `amountUsd` back off the wallet's spend (a payment that did not happen); returns the new total. */
  readonly unreserve: (wallet: string, amountUsd: number) => Effect.Effect<number>
  /** The wallet's spend, USD. */
  readonly spent: (wallet: string) => Effect.Effect<number>
  /**
   * Records a payment whose outcome is unknown (its amount stays reserved), unless one is recorded already: returns
   * the one now recorded. While one is recorded, no process signs a new payment for the wallet.
   */
  readonly markUnconfirmed: (wallet: string, payment: UnconfirmedPayment) => Effect.Effect<UnconfirmedPayment>
  /** The wallet's unconfirmed payment, if any. */
  readonly unconfirmed: (wallet: string) => Effect.Effect<UnconfirmedPayment | undefined>
  /**
   * Settles the unconfirmed payment `id` (ignored if another is recorded): `landed` keeps its amount spent, `absent`
   * gives it back to the budget. Returns the wallet's spend.
   */
  readonly resolveUnconfirmed: (wallet: string, id: string, outcome: "landed" | "absent") => Effect.Effect<number>
  /**
   * Leases, when holders can die without the lock noticing (another process): a holder renews its lease every
   * `ttl / 3` while its top-up runs, and a lock whose lease lapsed (a crashed holder) can be taken; waiters ask again
   * every `pollInterval`. Absent (in-process): leases never lapse, waiters poll every 50 ms.
   */
  readonly lease?: { readonly ttl: Duration.Duration; readonly pollInterval: Duration.Duration } | undefined
}

/**
 * A payment whose outcome is unknown, as the {@link TopUpCoordinator} keeps it (no secret: the signed payment itself stays
 * in the process that signed it). `mark` is the newest ledger entry before it was signed: a `TOP_UP` of its amount
 * after that entry is this payment.
 *
 * @since 0.2.0
 * @category models
 */
export interface UnconfirmedPayment {
  /** Names the payment: the signing policy instance and its top-up number. */
  readonly id: string
  readonly amountUsd: number
  /**
   * Epoch ms from which its authorization can no longer be executed (EIP-3009 `validBefore`); for a Solana payment,
   * the earliest it may be taken as expired (its `maxTimeoutSeconds` after submission): it expires by block height.
   */
  readonly validBefore: number
  /**
   * A Solana payment's expiry by block height (its blockhash's `lastValidBlockHeight`): it can no longer land once
   * the chain's finalized block height is above it, which only the chain can tell.
   */
  readonly lastValidBlockHeight?: number | undefined
  /** Epoch ms it was first submitted. */
  readonly submittedAt: number
  readonly mark: { readonly id: string | null; readonly createdAt: string | null }
}

/**
 * @since 0.2.0
 * @category tags
 */
export class TopUpCoordinator
  extends Context.Tag("@venice-effect/core/TopUpCoordinator")<TopUpCoordinator, Service>()
{}

const MICROS = 1_000_000
const toMicros = (usd: number): number => Math.round(usd * MICROS)

/**
 * An in-memory coordinator: the lock, generation and spend of the wallets of one process. Leases never lapse (a
 * holder cannot die without its process). Each policy built without a `TopUpCoordinator` in context gets its own; provide
 * {@link layerMemory} to make several policies of one process share one.
 *
 * @since 0.2.0
 * @category constructors
 */
export const makeMemory = (): Service => {
  const wallets = new Map<
    string,
    { owner: string | undefined; generation: number; spentMicros: number; unconfirmed: UnconfirmedPayment | undefined }
  >()
  const entry = (wallet: string) => {
    let state = wallets.get(wallet)
    if (state === undefined) {
      state = { owner: undefined, generation: 0, spentMicros: 0, unconfirmed: undefined }
      wallets.set(wallet, state)
    }
    return state
  }
  return {
    acquire: (wallet, owner) =>
      Effect.sync((): LockAnswer => {
        const state = entry(wallet)
        if (state.owner !== undefined && state.owner !== owner) return { _tag: "Held", generation: state.generation }
        state.owner = owner
        return { _tag: "Acquired", generation: state.generation }
      }),
    release: (wallet, owner, paid) =>
      Effect.sync(() => {
        const state = entry(wallet)
        if (state.owner === owner) state.owner = undefined
        if (paid) state.generation++
        return state.generation
      }),
    reserve: (wallet, amountUsd, budgetUsd) =>
      Effect.sync((): BudgetAnswer => {
        const state = entry(wallet)
        const next = state.spentMicros + toMicros(amountUsd)
        if (next > toMicros(budgetUsd)) return { _tag: "OverBudget", spentUsd: state.spentMicros / MICROS }
        state.spentMicros = next
        return { _tag: "Reserved", spentUsd: next / MICROS }
      }),
    unreserve: (wallet, amountUsd) =>
      Effect.sync(() => {
        const state = entry(wallet)
        state.spentMicros = Math.max(0, state.spentMicros - toMicros(amountUsd))
        return state.spentMicros / MICROS
      }),
    spent: (wallet) => Effect.sync(() => entry(wallet).spentMicros / MICROS),
    markUnconfirmed: (wallet, payment) =>
      Effect.sync(() => {
        const state = entry(wallet)
        state.unconfirmed ??= payment
        return state.unconfirmed
      }),
    unconfirmed: (wallet) => Effect.sync(() => entry(wallet).unconfirmed),
    resolveUnconfirmed: (wallet, id, outcome) =>
      Effect.sync(() => {
        const state = entry(wallet)
        const held = state.unconfirmed
        if (held !== undefined && held.id === id) {
          state.unconfirmed = undefined
          if (outcome === "absent") state.spentMicros = Math.max(0, state.spentMicros - toMicros(held.amountUsd))
        }
        return state.spentMicros / MICROS
      })
  }
}

/**
 * One in-memory coordinator as a layer, shared by every policy it is provided to.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerMemory: Layer.Layer<TopUpCoordinator> = Layer.sync(TopUpCoordinator, makeMemory)
