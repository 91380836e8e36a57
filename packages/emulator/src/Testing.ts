/**
 * Driving the `TestClock` while real HTTP happens: run a call against the emulator in a fiber and advance virtual
 * time to each pending wake-up (a retry wait, a pacing wait, a job poll) only while no attempt is in flight, so a
 * `Retry-After: 30` test takes milliseconds and an attempt's timeout never fires while bytes are still on the wire.
 * In-flight attempts are tracked through the pipeline's `Observer` events.
 *
 * @example
 * ```ts
 * import { it } from "@effect/vitest"
 * import { Effect, Exit } from "effect"
 * import { Faults, Testing, VeniceEmulator } from "@venice-effect/emulator"
 *
 * it.scoped("waits what Venice announced", () =>
 *   Effect.gen(function*() {
 *     const emulator = yield* VeniceEmulator.VeniceEmulator
 *     yield* emulator.script({ route: "chat/completions" }, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 30 }))
 *     const exit = yield* Testing.drive(myCall)
 *     // …
 *   })
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as StreamStart from "@venice-effect/core/StreamStart"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Supervisor from "effect/Supervisor"
import * as TestClock from "effect/TestClock"

/**
 * Waits a real moment (I/O happens outside the TestClock).
 *
 * @since 0.1.0
 * @category utils
 */
export const realPause = (millis = 2): Effect.Effect<void> =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/**
 * The wake-ups the TestClock holds, each with whether a fiber still waits for it. The TestClock keeps the wake-up of a
 * sleep that was interrupted (an attempt's timeout once the attempt ended, a `timeoutFail` around a request that
 * answered): its deferred is still pending but has no joiner — Effect's `Deferred.await` removes the joiner of an
 * interrupted fiber. That is read from the TestClock's state (its implementation's `clockState`, and a deferred's
 * `state`): when either is not where Effect 3 keeps it, every wake-up counts as waited for, and the caller falls back
 * to its own bookkeeping.
 */
const wakeUps: Effect.Effect<ReadonlyArray<WakeUp>> = Effect.flatMap(TestClock.testClock(), (clock) => {
  const fallback = Effect.map(
    clock.sleeps,
    (times) => Chunk.toReadonlyArray(Chunk.map(times, (at) => unknownWakeUp(at)))
  )
  const state: unknown = (clock as { readonly clockState?: unknown }).clockState
  if (typeof state !== "object" || state === null || !(Ref.RefTypeId in state)) return fallback
  // a Ref, checked just above: the cast only names what it holds as unknown
  return Effect.flatMap(Ref.get(state as Ref.Ref<unknown>), (data) => {
    const sleeps: unknown = typeof data === "object" && data !== null && "sleeps" in data ? data.sleeps : undefined
    if (!Chunk.isChunk(sleeps)) return fallback
    const entries: ReadonlyArray<unknown> = Chunk.toReadonlyArray(sleeps)
    const wellFormed = entries.every((entry) => Array.isArray(entry) && typeof entry[0] === "number")
    if (!wellFormed) return fallback
    return Effect.succeed(
      (entries as ReadonlyArray<readonly [number, unknown]>).map(([at, deferred]) => ({
        at,
        waited: hasJoiners(deferred)
      }))
    )
  })
})

interface WakeUp {
  readonly at: number
  /** Whether a fiber waits for it; `undefined` when that cannot be read. */
  readonly waited: boolean | undefined
}

const unknownWakeUp = (at: number): WakeUp => ({ at, waited: undefined })

/** Whether a pending deferred has a fiber waiting on it (`undefined`: not a deferred as Effect 3 keeps them). */
const hasJoiners = (deferred: unknown): boolean | undefined => {
  const ref: unknown = typeof deferred === "object" && deferred !== null && "state" in deferred
    ? deferred.state
    : undefined
  const current: unknown = typeof ref === "object" && ref !== null && "current" in ref ? ref.current : undefined
  if (typeof current !== "object" || current === null || !("_tag" in current) || current._tag !== "Pending") {
    return undefined
  }
  return "joiners" in current && Array.isArray(current.joiners) ? current.joiners.length > 0 : undefined
}

/**
 * Options of {@link drive}.
 *
 * @since 0.1.0
 * @category models
 */
export interface DriveOptions {
  /** Also receives every pipeline event. */
  readonly observer?: ((event: Pipeline.Event) => Effect.Effect<void>) | undefined
  /** Real milliseconds without any pipeline event after which an in-flight attempt counts as stalled (default 300). */
  readonly stallAfter?: number | undefined
  /** Real milliseconds of quiet before time moves when nothing is in flight (default 2). */
  readonly settle?: number | undefined
}

/**
 * Runs `effect` in a fiber and advances the TestClock to each pending wake-up until it completes; returns its exit.
 * Time moves only while no attempt is in flight and no streamed body is being read, or once they have made no
 * progress for `stallAfter` real milliseconds (a stalled server: then its timeout or a stream's idle bound fires, as
 * it would in real time).
 *
 * @since 0.1.0
 * @category testing
 */
export const drive = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: DriveOptions = {}
): Effect.Effect<Exit.Exit<A, E>, never, R> =>
  Effect.gen(function*() {
    let inFlight = 0
    let streams = 0
    let lastProgress = Date.now()
    // The TestClock keeps the wake-up of a sleep that was interrupted: every finished attempt leaves its timeout's.
    // Those are stale — moving the clock to one would only skip time — so they are counted here (wake-up time →
    // how many) and skipped while nothing is in flight. `pending` holds the timeouts of attempts in flight.
    const pending: Array<{ readonly key: string; readonly at: number }> = []
    const stale = new Map<number, number>()
    const activity = (what: "open" | "data" | "close") =>
      Effect.sync(() => {
        lastProgress = Date.now()
        if (what === "open") streams++
        else if (what === "close") streams = Math.max(0, streams - 1)
      })
    const observer = (event: Pipeline.Event) =>
      Effect.zipRight(
        Effect.flatMap(TestClock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            lastProgress = Date.now()
            const key = `${event.operation}#${"attempt" in event ? event.attempt : ""}`
            if (event._tag === "AttemptStarted") {
              inFlight++
              if (event.timeout !== undefined) pending.push({ key, at: now + Duration.toMillis(event.timeout) })
            } else if (event._tag === "AttemptSucceeded" || event._tag === "AttemptFailed") {
              inFlight = Math.max(0, inFlight - 1)
              const i = pending.findIndex((p) => p.key === key)
              const at = i >= 0 ? pending.splice(i, 1)[0]?.at : undefined
              if (at !== undefined && at > now) stale.set(at, (stale.get(at) ?? 0) + 1)
            }
          })),
        options.observer?.(event) ?? Effect.void
      )
    // every fiber the effect starts (a top-up runs in a fiber of its own that the caller waits for): time must not move
    // while one of them is still computing
    const supervisor = yield* Supervisor.track
    const fiber = yield* Effect.fork(
      effect.pipe(
        Effect.provideService(Pipeline.Observer, observer),
        Effect.provideService(StreamStart.Activity, activity),
        Effect.supervised(supervisor)
      )
    )
    const running = Effect.flatMap(supervisor.value, (children) =>
      Effect.map(
        Effect.forEach([fiber, ...children], (f) => f.status),
        (statuses) => statuses.some((status) => status._tag === "Running")
      ))
    const stallAfter = options.stallAfter ?? 300
    const settle = options.settle ?? 2
    for (let i = 0; i < 100_000; i++) {
      const poll = yield* Fiber.poll(fiber)
      if (poll._tag === "Some") return poll.value
      yield* realPause(1)
      const quiet = Date.now() - lastProgress
      const busy = inFlight > 0 || streams > 0
      if (busy ? quiet < stallAfter : quiet < settle) continue
      // a fiber still running — the effect's or one it started (on a loaded machine, synchronous steps can take longer
      // than `settle`) — is not waiting for time yet
      if (!busy && (yield* running)) continue
      const now = yield* TestClock.currentTimeMillis
      for (const at of [...stale.keys()]) if (at <= now) stale.delete(at)
      // wake-ups nobody waits for any more (interrupted sleeps) are left out; where that cannot be read, the pipeline's
      // events say which attempt timeouts are stale
      const all = yield* wakeUps
      const counts = new Map<number, number>()
      for (const { at, waited } of all) if (waited !== false) counts.set(at, (counts.get(at) ?? 0) + 1)
      const exact = all.every(({ waited }) => waited !== undefined)
      let next = Infinity
      for (const [at, count] of counts) {
        // while an attempt or a streamed body is in flight (a stall) every timer counts: its own bound must fire
        if (at < next && (busy || exact || count > (stale.get(at) ?? 0))) next = at
      }
      if (next === Infinity) continue
      // Skipping stale timers jumps over time a fiber may still need while it waits on something the driver cannot see
      // (a wallet signature, a socket closing): on a loaded machine that takes longer than `settle`, and the jump would
      // fire a later timer (a server's delayed answer) before the fiber's own. Such a jump waits for a longer quiet.
      if (!busy && all.some(({ at }) => at < next)) {
        const mark = lastProgress
        yield* realPause(Math.max(settle, 25))
        if (lastProgress !== mark || (yield* wakeUps).length !== all.length || (yield* running)) continue
        if ((yield* Fiber.poll(fiber))._tag === "Some") continue
      }
      yield* TestClock.adjust(Duration.millis(Math.max(0, next - now)))
      lastProgress = Date.now()
    }
    return yield* Fiber.await(fiber)
  })
