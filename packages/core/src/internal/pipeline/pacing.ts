/**
 * Proactive pacing on the limits the server announces: an attempt waits for a free request of its bucket's window
 * (R3, L1), and every response's limit headers are recorded (L3 drops the nonsensical ones).
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as ClientError from "../../ClientError.js"
import type * as RetryPolicy from "../../RetryPolicy.js"
import { type CallContext, waitTooLong } from "./context.js"
import * as Telemetry from "./telemetry.js"

/**
 * The furthest a request window's reset, or a 429's announced wait, may lie for the client to pace on it (L3):
 * a day — the longest window Venice documents (requests per day) — plus an hour of clock skew.
 */
export const PACING_HORIZON: Duration.Duration = Duration.hours(25)
const horizon = Duration.toMillis(PACING_HORIZON)

/**
 * Waits until the pacing bucket has a free request, or fails when that is after `sendBy` (L1). `now` is the
 * attempt's start; succeeds with the time the request was granted (`now` itself when there was nothing to wait for).
 */
export const pace = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  sendBy: number,
  now: number
): Effect.Effect<number, ClientError.WaitTooLongError> => {
  const bucket = ctx.call.pacingBucket
  if (bucket === undefined) return Effect.succeed(now)
  const reserve = (now: number): Effect.Effect<number, ClientError.WaitTooLongError> =>
    Effect.flatMap(ctx.store.reserve(bucket, now), (reservation) => {
      if (reservation._tag === "Granted") return Effect.succeed(now)
      const wait = Math.max(0, reservation.until - now)
      if (reservation.until > sendBy) {
        const what = `the request window of ${bucket} is exhausted for ${Duration.format(Duration.millis(wait))}`
        return Effect.fail(waitTooLong(ctx, attempt, reservation.until - now, what))
      }
      // wake a little after the reset, never before: an early request only collects a 429
      const delay = Duration.millis(Math.max(1, wait) + 5)
      return Telemetry.pacing(ctx, bucket, delay).pipe(
        Effect.zipRight(Telemetry.waited(ctx, delay)),
        Effect.zipRight(Effect.sleep(delay)),
        Effect.zipRight(Effect.flatMap(Clock.currentTimeMillis, reserve))
      )
    })
  return reserve(now)
}

/**
 * Records the limit facts of a response (success or failure). L3: facts that make no sense are not kept — a
 * window that admits nothing (`limit: 0`) or resets past the pacing horizon, an error-budget window resetting past
 * twice the provider's: pacing or guarding on them would stop every later call for as long as they say.
 */
export const recordLimits = <A, E, R>(
  ctx: CallContext<A, E, R>,
  headers: Readonly<Record<string, string>>,
  now: number
): Effect.Effect<void> => {
  const limits = ctx.provider.limits?.(headers, now, ctx.call.route)
  if (limits === undefined) return Effect.void
  const { budget, call, store } = ctx
  const window = limits.window
  const observeWindow = window !== undefined && call.pacingBucket !== undefined && window.limit >= 1 &&
      window.resetAt - now <= horizon
    ? store.observeWindow(call.pacingBucket, window, now)
    : Effect.void
  const observeBudget = limits.budget !== undefined && budget !== undefined &&
      limits.budget.resetAt - now <= 2 * Duration.toMillis(budget.window)
    ? store.observeBudget(budget.bucket, { ...limits.budget, limit: budget.limit }, now)
    : Effect.void
  return Effect.zipRight(observeWindow, observeBudget)
}

/** A 429 announcing when to come back closes the pacing bucket until then (within the horizon, R3, L3). */
export const blockOn429 = <A, E, R>(
  ctx: CallContext<A, E, R>,
  status: number,
  facts: RetryPolicy.RetryFacts,
  now: number
): Effect.Effect<void> =>
  status === 429 && ctx.call.pacingBucket !== undefined && facts.announced !== undefined &&
    Duration.lessThanOrEqualTo(facts.announced, PACING_HORIZON)
    ? ctx.store.block(ctx.call.pacingBucket, now + Duration.toMillis(facts.announced), now)
    : Effect.void
