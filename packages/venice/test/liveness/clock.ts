/**
 * A TestClock driver for one call that moves time only to wake-ups the call announced: a retry wait (`Waiting`), a
 * pacing wait (`Pacing`); while the server is known to stall or delay the attempt, the next pending sleep (the
 * server's delay, the attempt's timeout, a stream's idle timer); and — after a long real quiet — any other pending
 * sleep. The timeouts of finished attempts (which the TestClock keeps) are never moved to. The shared `Testing.drive` advances to the earliest sleep whenever nothing is
 * in flight, which can fire a sleep the fiber has not reached yet while it finishes on a loaded machine; the liveness
 * properties measure virtual time, so they need the exact version.
 *
 * `deadline` (virtual ms from the start) and `maxWakeups` end a run that has not finished by then: the fiber is
 * interrupted and the result says so (`exit` undefined), so a livelock is reported instead of spinning.
 */
import * as Pipeline from "@venice-effect/core/Pipeline"
import { realPause } from "@venice-effect/emulator/Testing"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"

export interface Observed {
  readonly attempts: number
  readonly pacing: number
  readonly waits: ReadonlyArray<{ readonly reason: string; readonly delay: number }>
  readonly events: ReadonlyArray<Pipeline.Event>
  /** How often an attempt in flight had to be treated as stalled without the case saying so (should be 0). */
  readonly forced: number
}

export interface Run<A, E> extends Observed {
  /** `undefined`: the deadline passed (the fiber was interrupted). */
  readonly exit: Exit.Exit<A, E> | undefined
  /** Virtual milliseconds from the start to the end (or to the deadline). */
  readonly elapsed: number
}

export interface Options {
  /** Virtual ms after which the run is abandoned (default: 30 days). */
  readonly deadline?: number | undefined
  /**
   * Whether the server stalls (or delays) the given attempt (1-based): then time moves after a short quiet; otherwise
   * an attempt in flight is waited for in real time (up to `stallAfter`), so its timeout never fires while bytes are on
   * their way.
   */
  readonly expectStall?: ((attempt: number) => boolean) | undefined
  /** Real ms without progress after which an attempt in flight counts as stalled anyway (default 10 s). */
  readonly stallAfter?: number | undefined
  /** Real ms without progress, nothing in flight, after which an unannounced sleep may fire (default 1000). */
  readonly idleAfter?: number | undefined
  /** Moves of the clock after which the run is abandoned as a livelock (default 2,000). */
  readonly maxWakeups?: number | undefined
  readonly observer?: ((event: Pipeline.Event) => Effect.Effect<void>) | undefined
}

export const run = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: Options = {}
): Effect.Effect<Run<A, E>, never, R> =>
  Effect.gen(function*() {
    const start = yield* TestClock.currentTimeMillis
    const deadline = start + (options.deadline ?? 30 * 86_400_000)
    const stallAfter = options.stallAfter ?? 10_000
    const idleAfter = options.idleAfter ?? 1000
    const expectStall = options.expectStall ?? (() => false)
    /** Wake-ups of the timeouts of attempts that ended (the TestClock keeps interrupted sleeps): never moved to. */
    const stale: Array<number> = []
    let forced = 0
    let wakeups = 0
    const maxWakeups = options.maxWakeups ?? 2_000
    let inFlight = 0
    let attempts = 0
    let pacing = 0
    let lastProgress = Date.now()
    const events: Array<Pipeline.Event> = []
    const waits: Array<{ reason: string; delay: number }> = []
    /** Announced wake-ups (virtual epoch ms), not yet reached. */
    const announced: Array<number> = []
    /** Timeouts of attempts in flight. */
    const timeouts: Array<number> = []
    const observer = (event: Pipeline.Event) =>
      Effect.zipRight(
        Effect.flatMap(TestClock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            lastProgress = Date.now()
            if (events.length < 500) events.push(event)
            switch (event._tag) {
              case "AttemptStarted":
                inFlight++
                attempts++
                if (event.timeout !== undefined) timeouts.push(now + Duration.toMillis(event.timeout))
                break
              case "AttemptSucceeded":
              case "AttemptFailed":
                if (inFlight > 0) {
                  inFlight--
                  const at = timeouts.shift()
                  if (at !== undefined && at > now) stale.push(at)
                }
                break
              case "Waiting":
                waits.push({ reason: event.reason, delay: Duration.toMillis(event.delay) })
                announced.push(now + Duration.toMillis(event.delay))
                break
              case "Pacing":
                pacing++
                announced.push(now + Duration.toMillis(event.delay))
                break
            }
          })),
        options.observer?.(event) ?? Effect.void
      )
    const fiber = yield* Effect.fork(Effect.provideService(effect, Pipeline.Observer, observer))
    for (let i = 0; i < 200_000; i++) {
      const poll = yield* Fiber.poll(fiber)
      const now = yield* TestClock.currentTimeMillis
      if (poll._tag === "Some") {
        return { exit: poll.value, elapsed: now - start, attempts, pacing, waits, events, forced }
      }
      if (now > deadline || wakeups > maxWakeups) {
        yield* Fiber.interrupt(fiber)
        return { exit: undefined, elapsed: now - start, attempts, pacing, waits, events, forced }
      }
      yield* realPause(1)
      const quiet = Date.now() - lastProgress
      const sleeps = [...(yield* TestClock.sleeps())]
      // the earliest sleep past now that is not the timeout of a finished attempt
      const live = () => {
        const skip = [...stale]
        let min: number | undefined
        for (const at of sleeps) {
          if (at <= now) continue
          const i = skip.indexOf(at)
          if (i >= 0) {
            skip.splice(i, 1)
            continue
          }
          if (min === undefined || at < min) min = at
        }
        return min
      }
      const fast = expectStall(attempts)
      let target: number | undefined
      if (inFlight === 0) {
        announced.sort((a, b) => a - b)
        while (announced.length > 0 && announced[0]! <= now) announced.shift()
        // an announced wait the fiber has reached (its sleep is registered)
        if (announced.length > 0 && sleeps.includes(announced[0]!)) target = announced.shift()
        else if (quiet >= (fast ? 20 : idleAfter)) target = live()
      } else if (quiet >= (fast ? 20 : stallAfter)) {
        if (!fast) forced++
        target = live()
      }
      if (target !== undefined) {
        wakeups++
        yield* TestClock.adjust(Duration.millis(Math.max(0, Math.min(target, deadline + 1) - now)))
        lastProgress = Date.now()
        for (let j = stale.length - 1; j >= 0; j--) if (stale[j]! <= target) stale.splice(j, 1)
      }
    }
    yield* Fiber.interrupt(fiber)
    const now = yield* TestClock.currentTimeMillis
    return { exit: undefined, elapsed: now - start, attempts, pacing, waits, events, forced }
  })
