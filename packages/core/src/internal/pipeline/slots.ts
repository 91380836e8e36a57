/**
 * Slots an attempt holds while it is sent: an unresolved-request slot of its error budget (R8 under
 * concurrency) and a slot of a shared in-flight limit (X4). Both live in the `LimiterStore`, so a fleet store
 * shares them between processes. Taking one is an atomic store step in an uninterruptible region, so a granted slot is
 * always recorded and given back; only the wait for a free slot is interruptible (R12). The wait is not a poll loop:
 * the store says when a slot may have been freed (`watchSlots`: the in-memory store wakes its waiters on the release,
 * a fleet store polls), and the wait ends by the attempt's send-by time (L1).
 */
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import type * as ClientError from "../../ClientError.js"
import type * as Pipeline from "../../Pipeline.js"
import { type CallContext, waitTooLong } from "./context.js"
import * as Guard from "./guard.js"
import * as Telemetry from "./telemetry.js"

/** What one attempt holds while it is sent. */
export interface Held {
  /**
   * The status is known: the error-budget slot goes back (a 2xx can no longer count against the budget; a 4xx has
   * been counted). Gives it back once, however often it runs.
   */
  readonly resolved: Effect.Effect<void>
  /** The attempt ended: everything still held goes back (see {@link Pipeline.InFlight.holdUntilScopeClose}). */
  readonly release: (exit: Exit.Exit<unknown, unknown>) => Effect.Effect<void>
}

/**
 * Runs `use` holding the attempt's slots (see {@link take}), given back when it ends whatever the outcome. Without
 * slots to take, `use` runs as it is.
 */
export const holding = <A, E, R, B, E2, R2>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  sendBy: number,
  now: number,
  use: (resolved: Effect.Effect<void>) => Effect.Effect<B, E2, R2>
): Effect.Effect<B, E2 | ClientError.ErrorBudgetExhaustedError | ClientError.WaitTooLongError, R2> =>
  ctx.budget === undefined && ctx.call.inFlight === undefined
    ? use(Effect.void)
    : Effect.acquireUseRelease(
      take(ctx, attempt, sendBy, now),
      (held) => use(held.resolved),
      (held, exit) => held.release(exit)
    )

/** `release`, run once however often the effect runs (a plain flag: the steps of one attempt run on one fiber). */
const once = (release: Effect.Effect<void>): Effect.Effect<void> => {
  let done = false
  return Effect.suspend(() => {
    if (done) return Effect.void
    done = true
    return release
  })
}

/** A slot to wait for. */
interface Wanted<E> {
  readonly bucket: string
  readonly ttlMillis: number
  /** The bucket's number of slots now (asked again at each try: the error budget's line moves with the failures). */
  readonly limit: (now: number) => Effect.Effect<number, E>
  /** Why the slot is not free, for a {@link ClientError.WaitTooLongError}. */
  readonly busy: (inUse: number, limit: number) => string
  /** Observe the wait as pacing (the in-flight limit), or say nothing (the error budget). */
  readonly announce: boolean
}

/**
 * Takes the attempt's slots: the error budget's first (it is checked before anything waits on the wallet), then the
 * in-flight limit's. A failure to take the second gives the first back.
 */
export const take = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  sendBy: number,
  now: number
): Effect.Effect<Held, ClientError.ErrorBudgetExhaustedError | ClientError.WaitTooLongError> => {
  const budget = unresolved(ctx, attempt)
  const inFlight = ctx.call.inFlight
  const lease = `${ctx.correlationId}#${attempt}`
  const resolved = budget === undefined ? Effect.void : once(ctx.store.releaseSlot(budget.bucket, lease))
  const first = budget === undefined ? Effect.void : acquire(ctx, attempt, sendBy, now, lease, budget)
  if (inFlight === undefined) return Effect.uninterruptible(Effect.as(first, { resolved, release: () => resolved }))
  return Effect.uninterruptible(Effect.zipRight(
    first,
    Effect.as(
      Effect.onError(
        Effect.flatMap(
          Clock.currentTimeMillis,
          (now) => acquire(ctx, attempt, sendBy, now, lease, inFlightSlot(ctx, inFlight))
        ),
        () => resolved
      ),
      {
        resolved,
        release: (exit: Exit.Exit<unknown, unknown>) =>
          Effect.zipRight(resolved, releaseInFlight(ctx, inFlight, lease, exit))
      }
    )
  ))
}

/**
 * R8 under concurrency: a request whose status is not known yet may still fail. Each attempt holds a slot of its
 * budget bucket until its status is known, and only `limit − margin − failures` may be unresolved at once — from the
 * bucket's first request on, a fresh client included — so the requests already on the wire cannot carry the failures
 * the server counts past the guard's line however many calls run at once. If the failures reach the line while it
 * waits, the attempt fails with the guard's error.
 */
const unresolved = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number
): Wanted<ClientError.ErrorBudgetExhaustedError> | undefined => {
  const budget = ctx.budget
  if (budget === undefined) return undefined
  const line = budget.limit - budget.margin
  return {
    bucket: `unresolved:${budget.bucket}`,
    ttlMillis: Duration.toMillis(Duration.sum(ctx.call.timeout, Duration.minutes(1))),
    limit: (now) => Effect.map(Guard.check(ctx, attempt, now), (failures) => line - failures),
    busy: (inUse, limit) =>
      `${inUse} requests of ${budget.bucket} are unresolved, as many as ${ctx.provider.name}'s error budget allows with ${
        line - limit
      } failures`,
    announce: false
  }
}

/** X4: a slot of the shared in-flight limit, taken after pacing and before the attempt is authorized and sent. */
const inFlightSlot = <A, E, R>(ctx: CallContext<A, E, R>, inFlight: Pipeline.InFlight): Wanted<never> => ({
  bucket: inFlight.bucket,
  ttlMillis: Duration.toMillis(
    inFlight.leaseTtl ??
      (inFlight.holdUntilScopeClose === true ? Duration.hours(1) : Duration.sum(ctx.call.timeout, Duration.minutes(1)))
  ),
  limit: () => Effect.succeed(inFlight.limit),
  busy: () => `all ${inFlight.limit} requests in flight of ${inFlight.bucket} are still taken`,
  announce: true
})

/**
 * Takes a slot of `wanted.bucket` for `lease` (asked first at `start`), waiting while every slot is taken: each `Busy` answer is followed by a
 * watch on the bucket and one more try (a slot freed between the two is not missed), then a wait for the watch or
 * the send-by time, whichever comes first. At the send-by time, one last try, then
 * {@link ClientError.WaitTooLongError}.
 */
const acquire = <A, E, R, E2>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  sendBy: number,
  start: number,
  lease: string,
  wanted: Wanted<E2>
): Effect.Effect<void, E2 | ClientError.WaitTooLongError> => {
  const ask = (now: number) =>
    Effect.flatMap(wanted.limit(now), (limit) =>
      Effect.map(
        ctx.store.acquireSlot(wanted.bucket, lease, limit, now, wanted.ttlMillis),
        (answer) => answer._tag === "Granted" ? undefined : wanted.busy(answer.inUse, limit)
      ))
  return Effect.flatMap(
    ask(start),
    (busy) => busy === undefined ? Effect.void : wait(ctx, attempt, sendBy, start, wanted, ask)
  )
}

/**
 * The wait of {@link acquire} after a first `Busy`: one timer for the send-by time (per waiting attempt, not per
 * wake-up), and between tries the store's watch.
 */
const wait = <A, E, R, E2>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  sendBy: number,
  start: number,
  wanted: Wanted<E2>,
  ask: (now: number) => Effect.Effect<string | undefined, E2>
): Effect.Effect<void, E2 | ClientError.WaitTooLongError> =>
  Effect.scoped(Effect.gen(function*() {
    const deadline = yield* Deferred.make<void>()
    yield* Effect.forkScoped(
      Effect.interruptible(
        Effect.zipRight(Effect.sleep(Duration.millis(sendBy - start)), Deferred.succeed(deadline, undefined))
      )
    )
    if (wanted.announce) yield* Telemetry.pacing(ctx, wanted.bucket, Duration.millis(sendBy - start))
    let now = start
    for (;;) {
      const freed = yield* ctx.store.watchSlots(wanted.bucket, now, sendBy)
      const busy = yield* ask(now)
      if (busy === undefined) break
      if (yield* Deferred.isDone(deadline)) return yield* waitTooLong(ctx, attempt, now - start, busy)
      yield* Effect.interruptible(Effect.raceFirst(freed, Deferred.await(deadline)))
      now = yield* Clock.currentTimeMillis
    }
    if (wanted.announce) yield* Telemetry.waited(ctx, Duration.millis(now - start))
  }))

/** Gives the in-flight slot back now, or — a body consumed after the call returns — when the caller's scope closes. */
const releaseInFlight = <A, E, R>(
  ctx: CallContext<A, E, R>,
  inFlight: Pipeline.InFlight,
  lease: string,
  exit: Exit.Exit<unknown, unknown>
): Effect.Effect<void> => {
  const release = ctx.store.releaseSlot(inFlight.bucket, lease)
  if (!(Exit.isSuccess(exit) && inFlight.holdUntilScopeClose === true)) return release
  return Effect.flatMap(
    Effect.serviceOption(Scope.Scope),
    (scope) => Option.isSome(scope) ? Scope.addFinalizer(scope.value, release) : release
  )
}
