/**
 * What a call tells the people watching it (O1–O3): counters tagged with the provider, span events and
 * attributes (never secrets), log lines at the catalog's level, and the `Observer` events.
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Metric from "effect/Metric"
import * as Predicate from "effect/Predicate"
import * as CatalogLogLevels from "../../CatalogLogLevel.js"
import * as ClientError from "../../ClientError.js"
import type * as HeaderDiagnostics from "../../HeaderDiagnostics.js"
import type * as Pipeline from "../../Pipeline.js"
import type { CallContext } from "./context.js"

const attemptsTotal = Metric.counter("venice_effect_attempts_total", {
  description: "HTTP attempts made by venice-effect clients"
})
const retriesTotal = Metric.counter("venice_effect_retries_total", {
  description: "Retries scheduled by venice-effect clients, by retry class"
})
const waitSeconds = Metric.counter("venice_effect_retry_wait_seconds_total", {
  description: "Seconds venice-effect clients waited before retries and for pacing"
})

/** A counter tagged with `tags`, built once per counter and tag set (tagging allocates and hashes a new metric key). */
const tagged = (() => {
  const cache = new WeakMap<Metric.Metric.Counter<number>, Map<string, Metric.Metric.Counter<number>>>()
  return (counter: Metric.Metric.Counter<number>, ...tags: ReadonlyArray<readonly [string, string]>) => {
    let byTags = cache.get(counter)
    if (byTags === undefined) {
      byTags = new Map()
      cache.set(counter, byTags)
    }
    const key = tags.map(([k, v]) => `${k}=${v}`).join("\u0000")
    let metric = byTags.get(key)
    if (metric === undefined) {
      metric = tags.reduce((m, [k, v]) => Metric.tagged(m, k, v), counter)
      byTags.set(key, metric)
    }
    return metric
  }
})()

/** An attempt is about to be authorized and sent. */
export const attemptStarted = <A, E, R>(ctx: CallContext<A, E, R>, attempt: number): Effect.Effect<void> => {
  const counted = Metric.increment(tagged(attemptsTotal, ["provider", ctx.provider.name]))
  return ctx.observe === undefined ? counted : Effect.zipRight(
    counted,
    ctx.observe({ _tag: "AttemptStarted", operation: ctx.call.operation, attempt, timeout: ctx.call.timeout })
  )
}

/** Observes `event` if anyone observes the call (the event is built only then). */
const observed = <A, E, R>(ctx: CallContext<A, E, R>, event: () => Pipeline.Event): Effect.Effect<void> =>
  ctx.observe === undefined ? Effect.void : ctx.observe(event())

/** The attempt failed (whatever comes next: a retry or the call's failure). */
export const attemptFailed = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  error: unknown
): Effect.Effect<void> =>
  observed(ctx, () => ({ _tag: "AttemptFailed", operation: ctx.call.operation, attempt, error }))

/** Time spent waiting before an attempt (pacing, a slot) or a retry. */
export const waited = <A, E, R>(ctx: CallContext<A, E, R>, delay: Duration.Duration): Effect.Effect<void> =>
  Metric.incrementBy(tagged(waitSeconds, ["provider", ctx.provider.name]), Duration.toSeconds(delay))

/** The attempt waits `delay` for a pacing window or a slot of `bucket`. */
export const pacing = <A, E, R>(
  ctx: CallContext<A, E, R>,
  bucket: string,
  delay: Duration.Duration
): Effect.Effect<void> => observed(ctx, () => ({ _tag: "Pacing", operation: ctx.call.operation, bucket, delay }))

/** Span attributes of an error: its tag, and what the provider says of it (never secrets). */
export const errorSummary = <E>(provider: Pipeline.Provider<E>, error: unknown): Record<string, unknown> => {
  if (!Predicate.isObject(error) || !Predicate.hasProperty(error, "_tag")) return {}
  if (ClientError.isClientError(error)) {
    return {
      "error.tag": error._tag,
      ...(error._tag === "TransportError" ? { "error.reason": error.reason } : {})
    }
  }
  // the callers pass a failure of this provider's calls: an `E` unless a ClientError (handled above)
  return { "error.tag": String(error._tag), ...(provider.errorAttributes?.(error as E) ?? {}) }
}

/**
 * The retry policy decided to wait `delay` after the failure of `attempt`: counted by retry class, added to the
 * waited seconds, recorded as a span event and observed.
 */
export const retrying = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  error: E | ClientError.ClientError,
  delay: Duration.Duration
): Effect.Effect<void> =>
  Effect.gen(function*() {
    const { provider } = ctx
    const facts = provider.classify(error)
    const reason = facts.announced !== undefined ? facts.announcedBy ?? "retry policy" : "backoff"
    yield* Metric.increment(tagged(retriesTotal, ["provider", provider.name], ["class", facts.retryClass]))
    yield* waited(ctx, delay)
    yield* spanEvent(ctx, "retry", {
      "retry.attempt": attempt + 1,
      "retry.delay_ms": Duration.toMillis(delay),
      "retry.reason": reason,
      "retry.class": facts.retryClass,
      ...errorSummary(provider, error)
    })
    const operation = ctx.call.operation
    yield* observed(ctx, () => ({ _tag: "Waiting", operation, nextAttempt: attempt + 1, delay, reason, error }))
  })

const spanEvent = <A, E, R>(ctx: CallContext<A, E, R>, name: string, attributes: Record<string, unknown>) =>
  ctx.span === undefined
    ? Effect.void
    : Effect.flatMap(Clock.currentTimeNanos, (now) => Effect.sync(() => ctx.span?.event(name, now, attributes)))

/** The call's outcome on its span: how many attempts, and the error it failed with. */
export const outcome = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempts: number,
  error: E | ClientError.ClientError | undefined
): Effect.Effect<void> =>
  Effect.annotateCurrentSpan(
    error === undefined
      ? { attempts, outcome: "success" }
      : { attempts, outcome: "failure", ...errorSummary(ctx.provider, error) }
  )

/** Response headers the provider could not read, at debug level. */
export const ignoredHeaders = <A, E, R>(
  ctx: CallContext<A, E, R>,
  headers: ReadonlyArray<HeaderDiagnostics.IgnoredHeader>
): Effect.Effect<void> =>
  headers.length === 0 ? Effect.void : Effect.logDebug("ignored malformed response headers").pipe(
    Effect.annotateLogs({ provider: ctx.provider.name, operation: ctx.call.operation, headers })
  )

/** A provider error, logged at its catalog level (C4). */
export const failed = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  status: number,
  error: E
): Effect.Effect<void> =>
  Effect.logWithLevel(
    CatalogLogLevels.toLogLevel(ctx.provider.logLevel(error)),
    `${ctx.provider.name} ${ctx.call.operation} failed`
  ).pipe(
    Effect.annotateLogs({
      provider: ctx.provider.name,
      operation: ctx.call.operation,
      status,
      attempt,
      correlationId: ctx.correlationId,
      ...(ctx.provider.errorAttributes?.(error) ?? {})
    })
  )
