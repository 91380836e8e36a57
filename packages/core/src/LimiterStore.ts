/**
 * Where the client keeps what it knows about a provider's limits, shared by every fiber of a process (and, with a
 * shared store, by every process of a fleet): request windows for proactive pacing, the count of failed requests
 * for the error-budget guard (R8), and concurrency slots (e.g. a wallet's 5 requests in flight, X4). Each
 * operation is one atomic step, so a store backed by Redis can implement it with one script.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as FiberId from "effect/FiberId"
import * as Layer from "effect/Layer"

/**
 * A request window as the server announced it (e.g. `x-ratelimit-*-requests`).
 *
 * @since 0.1.0
 * @category models
 */
export interface WindowObservation {
  readonly limit: number
  readonly remaining: number
  /** Epoch ms at which the window resets. */
  readonly resetAt: number
}

/**
 * The answer to a reservation: send now, or wait until a time and ask again.
 *
 * @since 0.1.0
 * @category models
 */
export type Reservation =
  | { readonly _tag: "Granted" }
  | { readonly _tag: "Wait"; readonly until: number }

/**
 * The answer to a slot request: the slot is the caller's (under its lease) until released, or every slot is taken.
 *
 * @since 0.1.0
 * @category models
 */
export type SlotReservation =
  | { readonly _tag: "Granted" }
  | { readonly _tag: "Busy"; readonly inUse: number }

/**
 * Failed-request budget of one bucket.
 *
 * @since 0.1.0
 * @category models
 */
export interface BudgetState {
  /** Failures counted in the current window (the client's own count, or the server's when it said more). */
  readonly failures: number
  /** Epoch ms at which the window resets. */
  readonly resetAt: number
}

/**
 * The store's operations. `now` is epoch ms from the caller's `Clock`, so tests can drive time.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /**
   * Takes one request slot of a bucket's window if one is known to be free, else says until when to wait.
   * Unknown buckets (no response seen yet) are granted.
   */
  readonly reserve: (bucket: string, now: number) => Effect.Effect<Reservation>
  /** Records what a response said about the bucket's window. */
  readonly observeWindow: (bucket: string, window: WindowObservation, now: number) => Effect.Effect<void>
  /**
   * Records that the server refused for rate and announced when to come back (a 429's Retry-After): nothing until
   * `until`, and the announced time wins over a later window reset the same response described (R3).
   */
  readonly block: (bucket: string, until: number, now: number) => Effect.Effect<void>
  /** Counts one failed request (4xx except 429) in the bucket's budget window; returns the new state. */
  readonly recordFailure: (bucket: string, windowMillis: number, now: number) => Effect.Effect<BudgetState>
  /** Records the server's view of the budget (`x-ratelimit-remaining` / `-resets`). */
  readonly observeBudget: (
    bucket: string,
    observation: { readonly remaining: number; readonly resetAt: number; readonly limit: number },
    now: number
  ) => Effect.Effect<void>
  /** The bucket's budget now (zero failures when its window has passed). */
  readonly budget: (bucket: string, now: number) => Effect.Effect<BudgetState>
  /**
   * Takes one of the `limit` concurrent slots of a bucket for `lease` (an id unique to the holder, e.g. one attempt),
   * or answers `Busy`: the caller waits and asks again. Used for limits on requests *in flight* (a wallet's 5,
   * X4), which the server enforces by refusing the extra request. A lease that already holds a slot is granted again
   * (idempotent). A slot not released within `ttlMillis` is reclaimed, so a holder that died (a crashed process
   * sharing a fleet store) cannot keep it for ever.
   */
  readonly acquireSlot: (
    bucket: string,
    lease: string,
    limit: number,
    now: number,
    ttlMillis: number
  ) => Effect.Effect<SlotReservation>
  /**
   * How a caller told `Busy` learns when to ask again. Called after a `Busy` answer and before asking once more, it
   * returns a wait that ends once a slot of the bucket may have been freed after this call: a release, or a lease
   * reaching its expiry before `until` (epoch ms: when the caller stops waiting anyway, L1). The in-memory store
   * wakes its waiters on the release itself (no polling); a store shared between processes, which cannot be told,
   * answers with a pause after which asking again is worthwhile (its poll interval).
   */
  readonly watchSlots: (bucket: string, now: number, until: number) => Effect.Effect<Effect.Effect<void>>
  /** Gives a lease's slot back. Unknown or reclaimed leases are ignored. */
  readonly releaseSlot: (bucket: string, lease: string) => Effect.Effect<void>
  /** How many slots of a bucket are held at `now`. */
  readonly slotsInUse: (bucket: string, now: number) => Effect.Effect<number>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class LimiterStore extends Context.Tag("@venice-effect/core/LimiterStore")<LimiterStore, Service>() {}

interface WindowState {
  limit: number
  /** Slots taken in the current window, by our count or the server's, whichever is higher. */
  used: number
  /** Epoch ms of the current window's end; undefined right after a reset until a response names the new one. */
  resetAt: number | undefined
  /** Set by a 429 without headers: no reservation before this time. */
  blockedUntil: number
  /**
   * The longest window a response described for this bucket (its reset minus the time of the response, ms; 0: none
   * yet): how long a window whose end no response has named is assumed to last.
   */
  span: number
  /** Epoch ms at which the current window began, while its end is unknown (`resetAt` undefined). */
  openedAt: number
}

/** How long an exhausted window of unknown end and unknown length is assumed to last (never reached in practice). */
const UNKNOWN_SPAN = 60_000

interface BudgetEntry {
  failures: number
  resetAt: number
}

/**
 * An in-memory store: the state of one process. Operations are synchronous, hence atomic on the JS event loop.
 *
 * Request windows: a grant is counted in the window it is sent in, including the grants of a bucket no response has
 * described yet (they are all in flight when the first response names the window, and belong to it); a response's
 * count (`limit − remaining`) raises ours, never lowers it. After a window's reset the bucket admits up to the last
 * announced limit (at least one probe) before the new window's first response names its end; if none does (the
 * window's responses carry no limit headers: 5xx, resets, HTML pages), the window is taken to end as long after it
 * began as the longest window the bucket has seen described (L2), so no state outlives a window.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMemory = (): Service => {
  const windows = new Map<string, WindowState>()
  const budgets = new Map<string, BudgetEntry>()
  /** bucket → lease → expiry (epoch ms). */
  const slots = new Map<string, Map<string, number>>()
  /** bucket → the signal its waiters wait on, completed (and dropped) by the bucket's next release. */
  const freed = new Map<string, Deferred.Deferred<void>>()
  const signalFreed = (bucket: string) => {
    const signal = freed.get(bucket)
    if (signal === undefined) return
    freed.delete(bucket)
    Deferred.unsafeDone(signal, Effect.void)
  }

  const liveSlots = (bucket: string, now: number): Map<string, number> | undefined => {
    const held = slots.get(bucket)
    if (held === undefined) return undefined
    for (const [lease, expiresAt] of held) if (expiresAt <= now) held.delete(lease)
    if (held.size === 0) {
      slots.delete(bucket)
      return undefined
    }
    return held
  }

  // L2: a window ends at the reset a response named, or — when no response of the window named one (they were
  // 5xx, resets, HTML pages: nothing with limit headers) — one span after it began. So an exhausted window is never
  // waited on for ever: the grants of a window whose end is unknown are forgotten after as long as a window lasts.
  const roll = (state: WindowState, now: number) => {
    if (state.resetAt !== undefined) {
      if (now >= state.resetAt) {
        state.used = 0
        state.openedAt = state.resetAt
        state.resetAt = undefined
      }
    } else if (now >= state.openedAt + (state.span > 0 ? state.span : UNKNOWN_SPAN)) {
      state.used = 0
      state.openedAt = now
    }
  }

  return {
    reserve: (bucket, now) =>
      Effect.sync((): Reservation => {
        const state = windows.get(bucket)
        if (state === undefined) {
          // Granted, and counted: the first responses will name the window and its limit, and the requests sent
          // before then (all in flight at once) are part of that window; forgetting them oversends by as many.
          windows.set(bucket, {
            limit: Number.MAX_SAFE_INTEGER,
            used: 1,
            resetAt: undefined,
            blockedUntil: 0,
            span: 0,
            openedAt: now
          })
          return { _tag: "Granted" }
        }
        if (now < state.blockedUntil) return { _tag: "Wait", until: state.blockedUntil }
        roll(state, now)
        // A fresh window always admits one probe, whatever limit was announced: a `limit: 0` (or a stale one) must not
        // lock the bucket for ever, and the probe's answer names the new window.
        if (state.used < Math.max(1, state.limit)) {
          state.used += 1
          return { _tag: "Granted" }
        }
        // Exhausted in a window whose end we do not know yet: the first response of the window that names it will
        // say; without one, the window ends one span after it began (L2).
        return { _tag: "Wait", until: state.resetAt ?? state.openedAt + (state.span > 0 ? state.span : UNKNOWN_SPAN) }
      }),
    observeWindow: (bucket, window, now) =>
      Effect.sync(() => {
        // a window that is already over says nothing about the next one
        if (window.resetAt <= now) return
        let state = windows.get(bucket)
        if (state === undefined) {
          state = { limit: window.limit, used: 0, resetAt: window.resetAt, blockedUntil: 0, span: 0, openedAt: now }
          windows.set(bucket, state)
        }
        roll(state, now)
        state.limit = window.limit
        state.span = Math.max(state.span, window.resetAt - now)
        if (state.resetAt === undefined || window.resetAt > state.resetAt) {
          // a newer window: adopt it; the server's count of it is authoritative so far
          state.resetAt = window.resetAt
          state.used = Math.max(state.used, window.limit - window.remaining)
        } else if (window.resetAt === state.resetAt) {
          state.used = Math.max(state.used, window.limit - window.remaining)
        }
      }),
    block: (bucket, until, now) =>
      Effect.sync(() => {
        let state = windows.get(bucket)
        if (state === undefined) {
          state = {
            limit: Number.MAX_SAFE_INTEGER,
            used: 0,
            resetAt: undefined,
            blockedUntil: 0,
            span: 0,
            openedAt: now
          }
          windows.set(bucket, state)
        }
        if (until <= now) return
        state.blockedUntil = Math.max(state.blockedUntil, until)
        // R3: the server's announced wait wins over the window it described: a 429 that says "retry after 5 s"
        // while its window headers say "exhausted until 60 s" opens the window at the announced time.
        if (state.resetAt !== undefined && state.resetAt > until) state.resetAt = until
      }),
    recordFailure: (bucket, windowMillis, now) =>
      Effect.sync(() => {
        let entry = budgets.get(bucket)
        if (entry === undefined || now >= entry.resetAt) {
          entry = { failures: 0, resetAt: now + windowMillis }
          budgets.set(bucket, entry)
        }
        entry.failures += 1
        return { failures: entry.failures, resetAt: entry.resetAt }
      }),
    observeBudget: (bucket, observation, now) =>
      Effect.sync(() => {
        if (observation.resetAt <= now) return
        const serverFailures = Math.max(0, observation.limit - observation.remaining)
        const entry = budgets.get(bucket)
        if (entry === undefined || now >= entry.resetAt) {
          budgets.set(bucket, { failures: serverFailures, resetAt: observation.resetAt })
        } else {
          entry.failures = Math.max(entry.failures, serverFailures)
          entry.resetAt = Math.max(entry.resetAt, observation.resetAt)
        }
      }),
    budget: (bucket, now) =>
      Effect.sync(() => {
        const entry = budgets.get(bucket)
        return entry === undefined || now >= entry.resetAt
          ? { failures: 0, resetAt: now }
          : { failures: entry.failures, resetAt: entry.resetAt }
      }),
    acquireSlot: (bucket, lease, limit, now, ttlMillis) =>
      Effect.sync((): SlotReservation => {
        const held = liveSlots(bucket, now)
        if (held?.has(lease) === true || (held?.size ?? 0) < Math.max(1, limit)) {
          let entry = held
          if (entry === undefined) {
            entry = new Map()
            slots.set(bucket, entry)
          }
          entry.set(lease, now + Math.max(1, ttlMillis))
          return { _tag: "Granted" }
        }
        return { _tag: "Busy", inUse: held?.size ?? 0 }
      }),
    watchSlots: (bucket, now, until) =>
      Effect.sync(() => {
        let signal = freed.get(bucket)
        if (signal === undefined) {
          signal = Deferred.unsafeMake<void>(FiberId.none)
          freed.set(bucket, signal)
        }
        const released = Deferred.await(signal)
        // a lease that is never released frees its slot at its expiry (if the caller still waits then)
        let expiry = until
        for (const expiresAt of slots.get(bucket)?.values() ?? []) expiry = Math.min(expiry, expiresAt)
        return expiry < until ? Effect.raceFirst(released, Effect.sleep(Math.max(0, expiry - now))) : released
      }),
    releaseSlot: (bucket, lease) =>
      Effect.sync(() => {
        const held = slots.get(bucket)
        if (held === undefined || !held.delete(lease)) return
        if (held.size === 0) slots.delete(bucket)
        signalFreed(bucket)
      }),
    slotsInUse: (bucket, now) => Effect.sync(() => liveSlots(bucket, now)?.size ?? 0)
  }
}

/**
 * The in-memory store as a layer (the default).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerMemory: Layer.Layer<LimiterStore> = Layer.sync(LimiterStore, makeMemory)
