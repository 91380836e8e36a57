/**
 * Retry policies as `Schedule`s over a provider's error type (R1–R3, R7). A provider supplies a
 * {@link Classifier} (what retry class an error has, and what wait the server announced); these building blocks turn
 * it into schedules that compose with `Schedule.intersect`, `union`, `andThen` like any other.
 *
 * @example
 * ```ts
 * import { Effect, Schedule } from "effect"
 * import { RetryPolicy } from "@venice-effect/core"
 *
 * declare const classify: RetryPolicy.Classifier<MyError>
 * declare const call: Effect.Effect<string, MyError>
 *
 * // the defaults: never-retry classes stop at once, 429s wait what the server said, 5xx back off, 4 retries
 * const policy = RetryPolicy.make(classify)
 * // fewer retries, and give up after 20 s whatever happens
 * const impatient = RetryPolicy.make(classify, { maxRetries: 2 }).pipe(Schedule.upTo("20 seconds"))
 * const program = Effect.retry(call, impatient)
 * ```
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as ClientError from "./ClientError.js"
import type * as RetryClass from "./RetryClass.js"

/**
 * What a provider knows about one failure, for retrying.
 *
 * @since 0.1.0
 * @category models
 */
export interface RetryFacts {
  readonly retryClass: RetryClass.RetryClass
  /** The wait the server announced for this failure (`Retry-After`, a reset header), if any. */
  readonly announced?: Duration.Duration | undefined
  /** Which header or field announced it, for people (`retry-after`, `x-ratelimit-reset-requests` …). */
  readonly announcedBy?: string | undefined
}

/**
 * Maps an error to its {@link RetryFacts}.
 *
 * @since 0.1.0
 * @category models
 */
export type Classifier<E> = (error: E) => RetryFacts

/**
 * Tuning of the default policy. Every field has a default per R2/R3.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Retries after the first attempt (default 4; R2 says 3–5). */
  readonly maxRetries?: number | undefined
  /** First backoff delay (default 500 ms). */
  readonly base?: Duration.DurationInput | undefined
  /** Backoff growth factor (default 2). */
  readonly factor?: number | undefined
  /** Longest backoff delay (default 30 s). */
  readonly cap?: Duration.DurationInput | undefined
  /** Relative jitter of backoff delays: each is scaled by a factor in [1 − j, 1 + j] (default 0.2). */
  readonly jitter?: number | undefined
  /** Jitter added on top of an announced wait, never subtracted: uniform in [0, this] (default 250 ms). */
  readonly announcedJitter?: Duration.DurationInput | undefined
  /** Classes the policy retries (default `backoff` and `header-wait`; pay and modify retries are combinators). */
  readonly retryClasses?: ReadonlyArray<RetryClass.RetryClass> | undefined
}

/**
 * What the policy decided for one retry: the schedule's output, for observers (status lines, span events, metrics).
 *
 * @since 0.1.0
 * @category models
 */
export interface Decision<E> {
  /** 1 for the first retry. */
  readonly retry: number
  readonly error: E
  readonly retryClass: RetryClass.RetryClass
  /** The delay before the next attempt, jitter included. */
  readonly delay: Duration.Duration
  /** Whether the delay is the server's announced wait or the backoff. */
  readonly source: "announced" | "backoff"
  readonly announcedBy?: string | undefined
}

const defaults = {
  maxRetries: 4,
  base: Duration.millis(500),
  factor: 2,
  cap: Duration.seconds(30),
  jitter: 0.2,
  announcedJitter: Duration.millis(250),
  retryClasses: ["backoff", "header-wait"] satisfies ReadonlyArray<RetryClass.RetryClass>
}

const resolve = (options: Options = {}) => ({
  maxRetries: Math.max(0, Math.floor(options.maxRetries ?? defaults.maxRetries)),
  base: options.base === undefined ? defaults.base : Duration.decode(options.base),
  factor: options.factor ?? defaults.factor,
  cap: options.cap === undefined ? defaults.cap : Duration.decode(options.cap),
  jitter: Math.min(1, Math.max(0, options.jitter ?? defaults.jitter)),
  announcedJitter: options.announcedJitter === undefined
    ? defaults.announcedJitter
    : Duration.decode(options.announcedJitter),
  retryClasses: options.retryClasses ?? defaults.retryClasses
})

/**
 * Exponential backoff capped at `cap` (R2: 0.5 s, 1 s, 2 s … ≤ 30 s), without jitter. Outputs the delay.
 *
 * @since 0.1.0
 * @category schedules
 */
export const exponential = (
  options: Pick<Options, "base" | "factor" | "cap"> = {}
): Schedule.Schedule<Duration.Duration> => {
  const o = resolve(options)
  return Schedule.exponential(o.base, o.factor).pipe(
    Schedule.modifyDelay((delay) => Duration.min(delay, o.cap))
  )
}

/**
 * Continues while the input error's class is one of `classes` (R1: `never` stops at once, before any wait).
 *
 * @since 0.1.0
 * @category schedules
 */
export const whileClass = <E>(
  classify: Classifier<E>,
  classes: ReadonlyArray<RetryClass.RetryClass> = defaults.retryClasses
): Schedule.Schedule<E, E> => {
  const allowed = new Set(classes)
  return Schedule.recurWhile((error: E) => allowed.has(classify(error).retryClass))
}

/**
 * The delay part of the policy: for each failure, the server's announced wait plus a little jitter (never less than
 * announced: retrying early only collects another 429), else capped exponential backoff with relative jitter
 * (R2, R3). A `backoff`-class failure's announced wait (a 5xx's `Retry-After`) is capped at `cap` like the
 * backoff it replaces (L1). Unlimited: bound it with {@link whileClass} and `Schedule.recurs`, as {@link make}
 * does.
 *
 * @since 0.1.0
 * @category schedules
 */
export const delays = <E>(classify: Classifier<E>, options: Options = {}): Schedule.Schedule<Decision<E>, E> => {
  const o = resolve(options)
  return Schedule.count.pipe(
    Schedule.intersect(Schedule.identity<E>()),
    Schedule.intersect(exponential(o)),
    Schedule.mapEffect(([[n, error], backoff]) =>
      Effect.gen(function*() {
        const facts = classify(error)
        // L1: a transient failure's announced wait (a 5xx's `Retry-After` or body `retry_after`) is honoured up
        // to the backoff cap, like the backoff it replaces; longer ones fail before the policy runs (`maxWait`)
        const announced = facts.announced !== undefined && facts.retryClass === "backoff"
          ? Duration.min(facts.announced, o.cap)
          : facts.announced
        // whole milliseconds: fractional times break TestClock (and no timer is that precise anyway)
        const delay = announced !== undefined
          ? Duration.millis(
            Math.ceil(Duration.toMillis(announced) + (yield* Random.next) * Duration.toMillis(o.announcedJitter))
          )
          : Duration.millis(Math.round(
            Duration.toMillis(Duration.min(backoff, o.cap)) * (1 - o.jitter + 2 * o.jitter * (yield* Random.next))
          ))
        const decision: Decision<E> = {
          retry: n + 1,
          error,
          retryClass: facts.retryClass,
          delay,
          source: announced !== undefined ? "announced" : "backoff",
          ...(facts.announcedBy !== undefined ? { announcedBy: facts.announcedBy } : {})
        }
        return decision
      })
    ),
    Schedule.modifyDelay((decision) => decision.delay)
  )
}

/**
 * The default policy: retry only the classes that allow it, wait as {@link delays} says, at most `maxRetries` times.
 *
 * @since 0.1.0
 * @category schedules
 */
export const make = <E>(classify: Classifier<E>, options: Options = {}): Schedule.Schedule<Decision<E>, E> => {
  const o = resolve(options)
  return delays(classify, o).pipe(
    Schedule.zipLeft(whileClass(classify, o.retryClasses)),
    Schedule.zipLeft(Schedule.recurs(o.maxRetries))
  )
}

/**
 * A policy that never retries.
 *
 * @since 0.1.0
 * @category schedules
 */
export const none: Schedule.Schedule<void, unknown> = Schedule.stop

/**
 * A provider's classifier extended to core's client-side errors (`ClientError`: transport, local validation, an
 * undecodable 2xx body, a wait above the maximum), which every provider classifies the same way.
 *
 * @since 0.2.0
 * @category constructors
 */
export const withClientErrors = <E>(classify: Classifier<E>): Classifier<E | ClientError.ClientError> => (error) =>
  ClientError.isClientError(error) ? { retryClass: ClientError.retryClass(error) } : classify(error)

/**
 * A provider's policies, built from its classifier: what every provider's `RetryPolicy` module exports, with one
 * signature for all of them (`make(options?)`, `delays(options?)`, `whileClass(classes?)`).
 *
 * @since 0.2.0
 * @category models
 */
export interface ProviderPolicies<E> {
  /** The default policy with options (see {@link make}). */
  readonly make: (options?: Options) => Schedule.Schedule<Decision<E>, E>
  /** The default policy with default options. */
  readonly defaultPolicy: Schedule.Schedule<Decision<E>, E>
  /** Only the delay part, unbounded (see {@link delays}). */
  readonly delays: (options?: Options) => Schedule.Schedule<Decision<E>, E>
  /** Continues while the error's retry class is one of `classes` (see {@link whileClass}). */
  readonly whileClass: (classes?: ReadonlyArray<RetryClass.RetryClass>) => Schedule.Schedule<E, E>
}

/**
 * The policies of a provider whose errors `classify` reads.
 *
 * @since 0.2.0
 * @category constructors
 */
export const forProvider = <E>(classify: Classifier<E>): ProviderPolicies<E> => ({
  make: (options) => make(classify, options),
  defaultPolicy: make(classify),
  delays: (options) => delays(classify, options),
  whileClass: (classes) => whileClass(classify, classes)
})
