/**
 * The call's retry policy as `Effect.retry` runs it (R7): the caller's schedule, stopped after a transport
 * failure that may have reached the server when the call may not be re-sent (R9), each wait it decides counted,
 * traced and observed.
 */
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as ClientError from "../../ClientError.js"
import type { CallContext } from "./context.js"
import * as Telemetry from "./telemetry.js"

/** The policy of one call; `attempts` reads how many attempts were made so far. */
export const policy = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempts: Effect.Effect<number>
): Schedule.Schedule<E | ClientError.ClientError, E | ClientError.ClientError, R> => {
  const retry = ctx.call.retry
  const gated = ctx.call.resendable === false ? Schedule.zipLeft(retry, Schedule.recurWhile(resendable)) : retry
  return Schedule.passthrough(gated).pipe(
    Schedule.modifyDelayEffect((error, delay) =>
      Effect.flatMap(attempts, (attempt) => Effect.as(Telemetry.retrying(ctx, attempt, error, delay), delay))
    )
  )
}

/** R9: a failure after which a non-resendable request may be sent again (nothing may have reached the server). */
const resendable = <E>(error: E | ClientError.ClientError): boolean =>
  !(ClientError.isClientError(error) && error._tag === "TransportError" && error.maybeDelivered)
