/**
 * The request pipeline every provider's client runs its calls through (DESIGN "A call, end to end"): per attempt,
 * the error-budget guard (R8), proactive pacing, a concurrency slot when the credentials limit requests in
 * flight (X4), fresh authorization (R10), the HTTP exchange with a timeout,
 * limit bookkeeping from the response headers, and decoding into the provider's tagged errors; around the attempts,
 * the retry `Schedule` (R7), a span with retries as events, metrics and log lines (O1–O3). Interruption cancels the
 * in-flight request and any pending wait (R12).
 *
 * Each step is a function of the call's context in `internal/pipeline/`: `guard` (R8), `pacing` (R3, L1, L3),
 * `slots` (unresolved-request and in-flight slots), `exchange` (the HTTP exchange and error decoding), `retry` (the
 * policy `Effect.retry` runs) and `telemetry` (O1–O3); {@link runWith} composes them.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import type * as Schedule from "effect/Schedule"
import * as Tracer from "effect/Tracer"
import type { CatalogLogLevel } from "./CatalogLogLevel.js"
import * as CatalogLogLevels from "./CatalogLogLevel.js"
import type * as ClientError from "./ClientError.js"
import type * as HeaderDiagnostics from "./HeaderDiagnostics.js"
import * as Bodies from "./internal/pipeline/bodies.js"
import * as CallContext from "./internal/pipeline/context.js"
import * as Exchange from "./internal/pipeline/exchange.js"
import * as Guard from "./internal/pipeline/guard.js"
import * as Pacing from "./internal/pipeline/pacing.js"
import * as Retry from "./internal/pipeline/retry.js"
import * as Slots from "./internal/pipeline/slots.js"
import * as Telemetry from "./internal/pipeline/telemetry.js"
import * as Transport from "./internal/pipeline/transport.js"
import * as LimiterStore from "./LimiterStore.js"
import * as Redaction from "./Redaction.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as SafeUrl from "./SafeUrl.js"

// ─── What a provider plugs in ────────────────────────────────────────────────────────────────────

/**
 * Limit facts a provider reads off any response (success or failure), cheaply.
 *
 * @since 0.1.0
 * @category models
 */
export interface LimitFacts {
  /** The request window of the call's pacing bucket (e.g. Venice's `x-ratelimit-*-requests`). */
  readonly window?: LimiterStore.WindowObservation | undefined
  /** The server's view of the failed-request budget (e.g. Venice's `x-ratelimit-remaining` / `-resets`). */
  readonly budget?: { readonly remaining: number; readonly resetAt: number } | undefined
}

/**
 * An error response to decode.
 *
 * @since 0.1.0
 * @category models
 */
export interface ErrorResponse {
  readonly status: number
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array
  readonly nowMillis: number
  readonly request: ClientError.CallFacts & { readonly route?: string | undefined }
}

/**
 * What a provider contributes to the pipeline.
 *
 * @since 0.1.0
 * @category models
 */
export interface Provider<E> {
  /** `venice`, `novita`: the span prefix, metric tag and error field. */
  readonly name: string
  /** Decodes a non-2xx response into exactly one of the provider's errors. Total. */
  readonly decodeError: (
    response: ErrorResponse
  ) => { readonly error: E; readonly ignoredHeaders: ReadonlyArray<HeaderDiagnostics.IgnoredHeader> }
  /** Retry facts of the provider's errors and of the client errors. */
  readonly classify: RetryPolicy.Classifier<E | ClientError.ClientError>
  /** The catalog log level of a provider error (C4). */
  readonly logLevel: (error: E) => CatalogLogLevel
  /** Limit facts from response headers, if the provider has any. */
  readonly limits?: (
    headers: Readonly<Record<string, string>>,
    nowMillis: number,
    route: string | undefined
  ) => LimitFacts
  /** Span attributes of an error: code, request id … (never secrets). */
  readonly errorAttributes?: (error: E) => Readonly<Record<string, unknown>>
  /** The provider's failed-request budget (Venice: 50 per 30 s). Absent: no guard. */
  readonly errorBudget?: { readonly limit: number; readonly window: Duration.Duration } | undefined
}

// ─── One call ────────────────────────────────────────────────────────────────────────────────────

/**
 * A limit on requests in flight shared by every call naming the same bucket (e.g. an x402 wallet: Venice answers
 * the 6th concurrent request with `X402_CONCURRENCY_LIMIT`, X4). Each attempt takes a slot from the
 * {@link LimiterStore.LimiterStore} before it is authorized and sent, and gives it back when its response is done
 * with; while every slot is taken, the attempt waits until the store says a slot may be free (a fleet store
 * shared by several processes enforces one limit for all of them).
 *
 * @since 0.1.0
 * @category models
 */
export interface InFlight {
  /** The shared bucket (e.g. `inflight:wallet:0xabc…`). */
  readonly bucket: string
  /** Slots of the bucket. */
  readonly limit: number
  /**
   * Keep the slot until the `Scope` in the call's context closes, instead of when the attempt ends: for responses
   * whose body is consumed after the call returns (streams), which keep the request in flight at the server. Without
   * a `Scope` in context the slot is released when the attempt ends.
   */
  readonly holdUntilScopeClose?: boolean | undefined
  /**
   * @deprecated Ignored: the store says when to ask again (`LimiterStore.watchSlots`): the in-memory store wakes a
   * waiting attempt when a slot is released, `RedisLimiterStore` polls (its `slotPollInterval`).
   */
  readonly pollInterval?: Duration.DurationInput | undefined
  /**
   * After this long a held slot is reclaimed by the store even if never released (a crashed holder). Default: the
   * attempt timeout plus one minute, or one hour for slots held until a scope closes.
   */
  readonly leaseTtl?: Duration.DurationInput | undefined
}

/**
 * One logical call.
 *
 * @since 0.1.0
 * @category models
 */
export interface Call<A, E, R> {
  /** Operation name for spans, logs and errors, e.g. `chat.completions`. */
  readonly operation: string
  /** The request without credentials: method, absolute URL, body. */
  readonly request: HttpClientRequest.HttpClientRequest
  /** Route hint for header decoding (`crypto-rpc` …). */
  readonly route?: string | undefined
  /** Adds credentials for one attempt (re-signed per attempt for wallets, R10). */
  readonly authorize: (
    request: HttpClientRequest.HttpClientRequest,
    attempt: number
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest, E | ClientError.ClientError, R>
  /** Turns a 2xx response into the result. It owns the body. */
  readonly onSuccess: (
    response: HttpClientResponse.HttpClientResponse,
    facts: ClientError.CallFacts
  ) => Effect.Effect<A, E | ClientError.ClientError, R>
  /** The retry policy for this call. */
  readonly retry: Schedule.Schedule<unknown, E | ClientError.ClientError, R>
  /**
   * Timeout of one attempt: until the headers, then (the remaining time) for `onSuccess` — the whole body of a JSON
   * call, or a stream's first event. What a stream delivers afterwards is bounded by its own idle timeout.
   */
  readonly timeout: Duration.Duration
  /** Waits announced above this are not slept (R3). */
  readonly maxWait: Duration.Duration
  /** Pacing bucket (e.g. `key:model`): attempts wait for a free slot of the server's window. */
  readonly pacingBucket?: string | undefined
  /** Error-budget bucket (e.g. `key:model:user`). */
  readonly budgetBucket?: string | undefined
  /** A limit on requests in flight shared with other calls (e.g. a wallet's 5, X4). */
  readonly inFlight?: InFlight | undefined
  /** Failures to keep in hand before the provider's budget: the guard refuses at `limit − margin` (default 2). */
  readonly budgetMargin?: number | undefined
  /**
   * Whether the request may be re-sent after it may have reached the server. `false` for calls that bill and are
   * not idempotent (async queues, R9): a transport failure after sending is then final.
   */
  readonly resendable?: boolean | undefined
  /** The correlation id of the call (default: generated). */
  readonly correlationId?: string | undefined
  /**
   * Attempts this logical call already made in an earlier run (a recovery step, e.g. a wallet's payment, runs the
   * call again): numbering goes on from here (default 0).
   */
  readonly attemptsBefore?: number | undefined
  /** Extra span attributes (model …). Never secrets. */
  readonly attributes?: Readonly<Record<string, unknown>> | undefined
}

// ─── Observation ─────────────────────────────────────────────────────────────────────────────────

/**
 * What happens during a call, for people watching it (the CLI's status line, dashboards, tests).
 *
 * @since 0.1.0
 * @category models
 */
export type Event =
  | {
    readonly _tag: "AttemptStarted"
    readonly operation: string
    readonly attempt: number
    /** The attempt's timeout, which starts now (a test driver uses it to tell its timer from other waits). */
    readonly timeout?: Duration.Duration | undefined
  }
  /** The attempt completed: the whole body of a JSON call was read, or a stream's first event arrived. */
  | { readonly _tag: "AttemptSucceeded"; readonly operation: string; readonly attempt: number; readonly status: number }
  | { readonly _tag: "AttemptFailed"; readonly operation: string; readonly attempt: number; readonly error: unknown }
  | {
    readonly _tag: "Waiting"
    readonly operation: string
    /** The attempt that comes after the wait. */
    readonly nextAttempt: number
    readonly delay: Duration.Duration
    /** What decided the delay: `Retry-After`, a reset header, backoff … */
    readonly reason: string
    readonly error: unknown
  }
  | { readonly _tag: "Pacing"; readonly operation: string; readonly bucket: string; readonly delay: Duration.Duration }

/**
 * Receives pipeline events. The default ignores them; set one with `Effect.provideService(Observer, …)` around calls.
 *
 * @since 0.1.0
 * @category observation
 */
export class Observer extends Context.Reference<Observer>()("@venice-effect/core/Pipeline/Observer", {
  defaultValue: (): (event: Event) => Effect.Effect<void> => ignoreEvents
}) {}

/** The default observer: a call whose observer is this one builds no events at all. */
const ignoreEvents = (_event: Event): Effect.Effect<void> => Effect.void

/**
 * Header names never recorded in spans or logs (added to `@effect/platform`'s redaction list for every call).
 *
 * @since 0.1.0
 * @category constants
 */
export const secretHeaders: ReadonlyArray<string> = Redaction.secretHeaders

/**
 * The furthest a request window's reset, or a 429's announced wait, may lie for the client to pace on it (L3):
 * a day — the longest window Venice documents (requests per day) — plus an hour of clock skew. Further is nonsense
 * (a misread unit, a corrupted header): the response still fails as it says, but no later call waits on it.
 *
 * @since 0.1.0
 * @category constants
 */
export const PACING_HORIZON: Duration.Duration = Pacing.PACING_HORIZON

// ─── Transport and bodies ────────────────────────────────────────────────────────────────────────

/**
 * Classifies a transport failure from `@effect/platform`'s `RequestError` / `ResponseError` (undici and fetch
 * causes alike).
 *
 * @since 0.1.0
 * @category transport
 */
export const transportReason: typeof Transport.transportReason = Transport.transportReason

/**
 * Reads a response body up to `limit` bytes (the rest is dropped and the connection released). Read failures are
 * transport errors (a reset mid-body).
 *
 * @since 0.1.0
 * @category bodies
 */
export const readBounded: typeof Bodies.readBounded = Bodies.readBounded

/**
 * Default bounds of a 2xx body, bytes, by route family (B1): JSON bodies (64 MiB: base64 images and large
 * embedding batches fit) and binary bodies read whole (256 MiB: audio, video, images). Streams are not read whole:
 * their memory is bounded per event instead.
 *
 * @since 0.1.0
 * @category bodies
 */
export const defaultMaxResponseBytes: { readonly json: number; readonly binary: number } =
  Bodies.defaultMaxResponseBytes

/**
 * What {@link readLimited} needs to describe a body that is too large.
 *
 * @since 0.1.0
 * @category bodies
 */
export interface LimitedRead extends Bodies.LimitedRead {}

/**
 * Reads a whole 2xx body of at most `limit` bytes. A body above it fails with
 * {@link ClientError.ResponseTooLargeError} (never retried): at once when the announced `Content-Length` is above
 * it, else as soon as the bytes read pass it — counted after any `Content-Encoding`, so a gzip bomb stops at the
 * limit too — and the rest is not read (the connection is let go). A body cut mid-way is a transport error.
 *
 * @since 0.1.0
 * @category bodies
 */
export const readLimited: typeof Bodies.readLimited = Bodies.readLimited

/**
 * Runs a call's success decoding on a JSON body: reads the text (at most `options.maxBytes`, default
 * {@link defaultMaxResponseBytes}`.json`), parses, decodes with the given function. Failures are
 * {@link ClientError.ResponseDecodeError} (the raw text kept, bounded), {@link ClientError.ResponseTooLargeError}
 * or transport errors (a body cut mid-way).
 *
 * @since 0.1.0
 * @category bodies
 */
export const decodeJsonBody: typeof Bodies.decodeJsonBody = Bodies.decodeJsonBody

/**
 * The log level a provider error is logged at (re-exported for providers' own logging).
 *
 * @since 0.1.0
 * @category logging
 */
export const logLevelOf = (level: CatalogLogLevel): LogLevel.LogLevel => CatalogLogLevels.toLogLevel(level)

// ─── The pipeline ────────────────────────────────────────────────────────────────────────────────

/**
 * Runs one logical call with the `HttpClient` and `LimiterStore` from context. See {@link runWith}.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <A, E, R>(
  provider: Provider<E>,
  call: Call<A, E, R>
): Effect.Effect<A, E | ClientError.ClientError, R | HttpClient.HttpClient | LimiterStore.LimiterStore> =>
  Effect.flatMap(
    Effect.all([HttpClient.HttpClient, LimiterStore.LimiterStore]),
    ([client, store]) => runWith(client, store, provider, call)
  )

/**
 * Runs one logical call: attempts under the call's retry policy, inside a span named `<provider>.<operation>`, with
 * the given HTTP client and limiter store (a client service captures both when it is built).
 *
 * @since 0.1.0
 * @category running
 */
export const runWith = <A, E, R>(
  client: HttpClient.HttpClient,
  store: LimiterStore.Service,
  provider: Provider<E>,
  call: Call<A, E, R>
): Effect.Effect<A, E | ClientError.ClientError, R> => {
  const url = SafeUrl.sanitize(call.request.url)
  return Effect.withFiberRuntime<A, E | ClientError.ClientError, R>((fiber) => {
    // the observer and the call's span, read off the fiber in this one step
    const context = fiber.currentContext
    const observe = Context.get(context, Observer)
    const parent = Context.getOption(context, Tracer.ParentSpan)
    const span = Option.isSome(parent) && parent.value._tag === "Span" ? parent.value : undefined
    const ctx = CallContext.make(
      client,
      store,
      provider,
      call,
      url,
      observe === ignoreEvents ? undefined : observe,
      span
    )
    // a rerun after a payment (the authenticator's recover step) numbers its attempts on
    let attempts = call.attemptsBefore ?? 0
    const next = Effect.suspend(() => attempt(ctx, ++attempts))
    // the retry policy's driver is built when the first attempt fails: a call that succeeds at once never pays it;
    // the first failure is replayed to `Effect.retry` as the policy's first input
    const retried = Effect.catchAll(next, (first) => {
      let replay = true
      const again = Effect.suspend(() => {
        if (!replay) return next
        replay = false
        return Effect.fail(first)
      })
      return Effect.retry(again, Retry.policy(ctx, Effect.sync(() => attempts)))
    })
    return Effect.tapBoth(retried, {
      onSuccess: () => Telemetry.outcome(ctx, attempts, undefined),
      onFailure: (error) => Telemetry.outcome(ctx, attempts, error)
    })
  }).pipe(
    Redaction.redacting(secretHeaders),
    Effect.withSpan(`${provider.name}.${call.operation}`, {
      kind: "client",
      // the call site is always the provider's client: a stack trace per call would say nothing, at a cost
      captureStackTrace: false,
      attributes: {
        "http.request.method": call.request.method,
        "url.full": url,
        operation: call.operation,
        ...call.attributes
      }
    })
  )
}

/**
 * One attempt: refused by the error-budget guard, or paced, given its slots, authorized and sent. Every wait before
 * it is sent ends by its send-by time (L1); the slots go back when it ends, whatever the outcome. Steps with
 * nothing to do (no guard, no pacing bucket, no slots, nobody observing) are not run at all.
 */
const attempt = <A, E, R>(
  ctx: CallContext.CallContext<A, E, R>,
  n: number
): Effect.Effect<A, E | ClientError.ClientError, R> => {
  const attempted = Effect.flatMap(Clock.currentTimeMillis, (started) => {
    const sendBy = started + Duration.toMillis(ctx.call.maxWait)
    const sent = Effect.flatMap(
      Pacing.pace(ctx, n, sendBy, started),
      (now) => Slots.holding(ctx, n, sendBy, now, (resolved) => send(ctx, n, resolved))
    )
    return ctx.budget === undefined ? sent : Effect.zipRight(Guard.check(ctx, n, started), sent)
  })
  return ctx.observe === undefined
    ? attempted
    : Effect.tapError(attempted, (error) => Telemetry.attemptFailed(ctx, n, error))
}

/** Authorizes the attempt (fresh credentials, R10), exchanges it, and decodes an error answer. */
const send = <A, E, R>(
  ctx: CallContext.CallContext<A, E, R>,
  n: number,
  resolved: Effect.Effect<void>
): Effect.Effect<A, E | ClientError.ClientError, R> =>
  Effect.zipRight(
    Telemetry.attemptStarted(ctx, n),
    Effect.flatMap(ctx.call.authorize(ctx.call.request, n), (authorized) => {
      const request = HttpClientRequest.setHeader(authorized, "x-client-correlation-id", ctx.correlationId)
      return Effect.flatMap(Exchange.exchange(ctx, n, request, resolved), (answer) => {
        if (answer._tag === "Failure") return Exchange.failure(ctx, n, answer, resolved)
        const observe = ctx.observe
        if (observe === undefined) return Effect.succeed(answer.value)
        const event = {
          _tag: "AttemptSucceeded",
          operation: ctx.call.operation,
          attempt: n,
          status: answer.status
        } as const
        return Effect.as(observe(event), answer.value)
      })
    })
  )
