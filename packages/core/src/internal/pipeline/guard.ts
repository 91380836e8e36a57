/**
 * The error-budget guard (R8): a call is not sent once its bucket's failed requests reach the provider's limit
 * less a margin, and every 4xx but 429 is counted against the bucket.
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ClientError from "../../ClientError.js"
import { type Budget, type CallContext, facts } from "./context.js"

/** Refuses when the bucket's failures reached the line; else the failures counted so far (0 without a guard). */
export const check = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  now: number
): Effect.Effect<number, ClientError.ErrorBudgetExhaustedError> => {
  const budget = ctx.budget
  if (budget === undefined) return Effect.succeed(0)
  return Effect.flatMap(ctx.store.budget(budget.bucket, now), (state) =>
    state.failures >= budget.limit - budget.margin
      ? Effect.fail(exhausted(ctx, budget, attempt, state.failures, Math.max(0, state.resetAt - now)))
      : Effect.succeed(state.failures))
}

const exhausted = <A, E, R>(
  ctx: CallContext<A, E, R>,
  budget: Budget,
  attempt: number,
  failures: number,
  resetInMillis: number
) => {
  const name = ctx.provider.name
  const resetIn = Duration.millis(resetInMillis)
  return new ClientError.ErrorBudgetExhaustedError({
    provider: name,
    ...facts(ctx, attempt),
    bucket: budget.bucket,
    failures,
    limit: budget.limit,
    resetIn,
    message:
      `${name} ${ctx.call.operation}: not sent — ${failures} failed requests in this bucket, ${name} locks every request out after ${budget.limit}; the window resets in ${
        Duration.format(resetIn)
      }`
  })
}

/** R8: every 4xx except 429 counts against the provider's failed-request budget. */
export const countFailure = <A, E, R>(ctx: CallContext<A, E, R>, status: number, now: number): Effect.Effect<void> =>
  ctx.budget !== undefined && status >= 400 && status < 500 && status !== 429
    ? Effect.asVoid(ctx.store.recordFailure(ctx.budget.bucket, Duration.toMillis(ctx.budget.window), now))
    : Effect.void
