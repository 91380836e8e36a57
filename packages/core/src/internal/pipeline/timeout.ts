/**
 * The attempt timeout. Under `TestClock` (or any clock but Effect's live one) it is `Effect.timeoutFail`, a race
 * against a sleep of the call's `Clock`, so tests drive it with virtual time. Under the live clock the race's cost
 * (two forked fibers and a sleeping timer fiber per attempt) is not paid: the exchange runs in one child fiber that a
 * plain timer interrupts.
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as DefaultServices from "effect/DefaultServices"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"

const liveClock = Context.get(DefaultServices.liveServices, Clock.Clock)

/** The longest delay `setTimeout` takes (about 24.8 days; longer ones fire at once). */
const MAX_TIMER = 2 ** 31 - 1

/** `self`, failing with `onTimeout()` if it has not completed within `duration`. */
export const within = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.clockWith((clock) =>
    clock === liveClock ? timer(self, duration, onTimeout) : Effect.timeoutFail(self, { duration, onTimeout })
  )

const timer = <A, E, R, E2>(
  self: Effect.Effect<A, E, R>,
  duration: Duration.Duration,
  onTimeout: () => E2
): Effect.Effect<A, E | E2, R> =>
  Effect.uninterruptibleMask((restore) =>
    Effect.flatMap(Effect.fork(restore(self)), (fiber) => {
      let expired = false
      const handle = setTimeout(() => {
        expired = true
        fiber.unsafeInterruptAsFork(FiberId.none)
      }, Math.min(MAX_TIMER, Math.max(0, Duration.toMillis(duration))))
      // already uninterruptible: one match stops the timer on either side (no `onInterrupt` / `ensuring` regions)
      return Effect.matchCauseEffect(restore(Fiber.await(fiber)), {
        onFailure: (cause) => {
          clearTimeout(handle)
          return Effect.zipRight(Fiber.interrupt(fiber), Effect.failCause(cause))
        },
        onSuccess: (exit): Effect.Effect<A, E | E2> => {
          clearTimeout(handle)
          return expired && Exit.isInterrupted(exit)
            ? Effect.fail(onTimeout())
            : Effect.zipRight(fiber.inheritAll, exit)
        }
      })
    })
  )
