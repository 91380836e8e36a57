/**
 * Polling an asynchronous job until it is done, as a `Stream` of the states seen (for progress), driven by a
 * `Schedule` over those states — so a provider can seed delays from what the server says (Venice's
 * `average_execution_time`, R9) and users can replace the cadence.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"

/**
 * Emits every state `check` returns, waiting between checks as `schedule` decides, and ends after the first state
 * for which `isDone` holds (that state included). If the schedule stops first, the stream ends without a done state:
 * callers decide what that means (e.g. a timeout error).
 *
 * @since 0.1.0
 * @category constructors
 */
export const states = <S, E, R, Out, R2>(
  check: Effect.Effect<S, E, R>,
  options: { readonly isDone: (state: S) => boolean; readonly schedule: Schedule.Schedule<Out, S, R2> }
): Stream.Stream<S, E, R | R2> =>
  Stream.repeatEffectWithSchedule(
    check,
    Schedule.zipLeft(options.schedule, Schedule.recurWhile((s: S) => !options.isDone(s)))
  ).pipe(Stream.takeUntil(options.isDone))

/**
 * {@link states}, failing with `onGiveUp(last)` when the schedule stops before a done state was seen (`last` is the
 * latest state, `None` if none was). The common shape of "poll a job until it finishes, else a typed timeout".
 *
 * @example
 * ```ts
 * import * as Poll from "@venice-effect/core/Poll"
 * import * as Data from "effect/Data"
 * import type * as Effect from "effect/Effect"
 * import * as Schedule from "effect/Schedule"
 *
 * class StillRunning extends Data.TaggedError("StillRunning")<{ readonly percent: number | undefined }> {}
 * declare const check: Effect.Effect<{ readonly done: boolean; readonly percent: number }>
 *
 * const progress = Poll.untilDone(check, {
 *   isDone: (s) => s.done,
 *   schedule: Schedule.spaced("2 seconds").pipe(Schedule.upTo("10 minutes")),
 *   onGiveUp: (last) => new StillRunning({ percent: last._tag === "Some" ? last.value.percent : undefined })
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const untilDone = <S, E, R, Out, R2, E2>(
  check: Effect.Effect<S, E, R>,
  options: {
    readonly isDone: (state: S) => boolean
    readonly schedule: Schedule.Schedule<Out, S, R2>
    readonly onGiveUp: (last: Option.Option<S>) => E2
  }
): Stream.Stream<S, E | E2, R | R2> =>
  Stream.suspend(() => {
    let last: Option.Option<S> = Option.none()
    let done = false
    return states(check, options).pipe(
      Stream.tap((state) =>
        Effect.sync(() => {
          last = Option.some(state)
          done = done || options.isDone(state)
        })
      ),
      Stream.concat(Stream.suspend(() => (done ? Stream.empty : Stream.fail(options.onGiveUp(last)))))
    )
  })

/**
 * A schedule whose delay each time is what `delayOf` says for the latest state, clamped to `[min, max]`.
 *
 * @since 0.1.0
 * @category schedules
 */
export const delayFrom = <S>(
  delayOf: (state: S) => Duration.Duration,
  bounds: { readonly min: Duration.DurationInput; readonly max: Duration.DurationInput }
): Schedule.Schedule<S, S> => {
  const min = Duration.decode(bounds.min)
  const max = Duration.decode(bounds.max)
  return Schedule.identity<S>().pipe(
    Schedule.addDelay((state) =>
      Duration.millis(Math.round(Duration.toMillis(Duration.clamp(delayOf(state), { minimum: min, maximum: max }))))
    )
  )
}
