/**
 * The request pipeline every provider's client runs its calls through (DESIGN "A call, end to end"): per attempt,
 * the error-budget guard (SPEC R8), proactive pacing, a concurrency slot when the credentials limit requests in
 * flight (X4), fresh authorization (R10), the HTTP exchange with a timeout,
 * limit bookkeeping from the response headers, and decoding into the provider's tagged errors; around the attempts,
 * the retry `Schedule` (R7), a span with retries as events, metrics and log lines (O1–O3). Interruption cancels the
 * in-flight request and any pending wait (R12).
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as LogLevel from "effect/LogLevel"
import * as Metric from "effect/Metric"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type { CatalogLogLevel } from "./CatalogLogLevel.js"
import * as CatalogLogLevels from "./CatalogLogLevel.js"
import * as ClientError from "./ClientError.js"
import * as ErrorBody from "./ErrorBody.js"
import type * as HeaderDiagnostics from "./HeaderDiagnostics.js"
import * as LimiterStore from "./LimiterStore.js"
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
  /** The catalog log level of a provider error (SPEC C4). */
  readonly logLevel: (error: E) => CatalogLogLevel
  /** Limit facts from response headers, if the provider has any. */
  readonly limits?: (headers: Readonly<Record<string, string>>, nowMillis: number, route: string | undefined) => LimitFacts
  /** Span attributes of an error: code, request id … (never secrets). */
  readonly errorAttributes?: (error: E) => Readonly<Record<string, unknown>>
  /** The provider's failed-request budget (Venice: 50 per 30 s). Absent: no guard. */
  readonly errorBudget?: { readonly limit: number; readonly window: Duration.Duration } | undefined
}

// ─── One call ────────────────────────────────────────────────────────────────────────────────────

/**
 * A limit on requests in flight shared by every call naming the same bucket (e.g. an x402 wallet: Venice answers
 * the 6th concurrent request with `X402_CONCURRENCY_LIMIT`, SPEC X4). Each attempt takes a slot from the
 * {@link LimiterStore.LimiterStore} before it is authorized and sent, and gives it back when its response is done
 * with; while every slot is taken, the attempt waits (polling the store, so a fleet store shared by several
 * processes enforces one limit for all of them).
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
  /** How often a waiting attempt asks the store again (default 20 ms). */
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
  /** Adds credentials for one attempt (re-signed per attempt for wallets, SPEC R10). */
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
  /** Waits announced above this are not slept (SPEC R3). */
  readonly maxWait: Duration.Duration
  /** Pacing bucket (e.g. `key:model`): attempts wait for a free slot of the server's window. */
  readonly pacingBucket?: string | undefined
  /** Error-budget bucket (e.g. `key:model:user`). */
  readonly budgetBucket?: string | undefined
  /** A limit on requests in flight shared with other calls (e.g. a wallet's 5, SPEC X4). */
  readonly inFlight?: InFlight | undefined
  /** Failures to keep in hand before the provider's budget: the guard refuses at `limit − margin` (default 2). */
  readonly budgetMargin?: number | undefined
  /**
   * Whether the request may be re-sent after it may have reached the server. `false` for calls that bill and are
   * not idempotent (async queues, SPEC R9): a transport failure after sending is then final.
   */
  readonly resendable?: boolean | undefined
  /** The correlation id of the call (default: generated). */
  readonly correlationId?: string | undefined
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
  defaultValue: (): ((event: Event) => Effect.Effect<void>) => () => Effect.void
}) {}

/**
 * Header names never recorded in spans or logs (added to `@effect/platform`'s redaction list for every call).
 *
 * @since 0.1.0
 * @category constants
 */
export const secretHeaders: ReadonlyArray<string> = [
  "authorization",
  "sign-in-with-x",
  "x-sign-in-with-x",
  "payment-signature",
  "x-402-payment",
  "x-payment",
  "x-api-key",
  "cookie",
  "set-cookie"
]

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

/** How often an attempt waiting for an unresolved-request slot of the error budget asks the store again. */
const BUDGET_SLOT_POLL = Duration.millis(20)

/**
 * The furthest a request window's reset, or a 429's announced wait, may lie for the client to pace on it (SPEC W9):
 * a day — the longest window Venice documents (requests per day) — plus an hour of clock skew. Further is nonsense
 * (a misread unit, a corrupted header): the response still fails as it says, but no later call waits on it.
 *
 * @since 0.1.0
 * @category constants
 */
export const PACING_HORIZON: Duration.Duration = Duration.hours(25)

/** Error bodies are read up to this many bytes; the rest is discarded (SPEC B1: huge bodies). */
const ERROR_BODY_LIMIT = 4 * 1024 * 1024

// ─── Transport ───────────────────────────────────────────────────────────────────────────────────

const REFUSED = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ENETUNREACH", "EHOSTUNREACH", "UND_ERR_CONNECT_TIMEOUT", "ECONNABORTED"])
const PROTOCOL = /^HPE_|^UND_ERR_(INVALID|RESPONSE|HEADERS_OVERFLOW|BODY_TIMEOUT_X)/

const errorCodes = (cause: unknown): ReadonlyArray<string> => {
  const codes: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 6 && Predicate.isObject(current); depth++) {
    if (Predicate.hasProperty(current, "code") && typeof current.code === "string") codes.push(current.code)
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return codes
}

/**
 * Classifies a transport failure from `@effect/platform`'s `RequestError` / `ResponseError` (undici and fetch
 * causes alike).
 *
 * @since 0.1.0
 * @category transport
 */
export const transportReason = (
  cause: unknown
): { readonly reason: ClientError.TransportReason; readonly maybeDelivered: boolean } => {
  const codes = errorCodes(cause)
  if (codes.some((c) => REFUSED.has(c))) return { reason: "refused", maybeDelivered: false }
  if (codes.some((c) => PROTOCOL.test(c))) return { reason: "protocol", maybeDelivered: true }
  return { reason: "reset", maybeDelivered: true }
}

const describeTransport = (reason: ClientError.TransportReason, when: string): string => {
  switch (reason) {
    case "refused":
      return `connection refused or unreachable ${when}`
    case "reset":
      return `connection reset ${when}`
    case "timeout":
      return `no response ${when}`
    case "protocol":
      return `malformed HTTP response ${when}`
    case "body-too-large":
      return `response body too large ${when}`
  }
}

// ─── Bodies ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Reads a response body up to `limit` bytes (the rest is dropped and the connection released). Read failures are
 * transport errors (a reset mid-body).
 *
 * @since 0.1.0
 * @category bodies
 */
export const readBounded = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  transport: (reason: ClientError.TransportReason, message: string) => ClientError.TransportError
): Effect.Effect<Uint8Array, ClientError.TransportError> =>
  response.stream.pipe(
    Stream.mapError((e) => transport(transportReason(e.cause).reason, describeTransport("reset", "while reading the body"))),
    Stream.runFoldWhile(
      { size: 0, chunks: Chunk.empty<Uint8Array>() },
      (acc) => acc.size < limit,
      (acc, chunk) => ({ size: acc.size + chunk.byteLength, chunks: Chunk.append(acc.chunks, chunk) })
    ),
    Effect.map(({ chunks, size }) => {
      const out = new Uint8Array(Math.min(size, limit))
      let offset = 0
      for (const chunk of chunks) {
        const take = Math.min(chunk.byteLength, out.byteLength - offset)
        out.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), offset)
        offset += take
        if (offset >= out.byteLength) break
      }
      return out
    })
  )

/**
 * Default bounds of a 2xx body, bytes, by route family (SPEC B1): JSON bodies (64 MiB: base64 images and large
 * embedding batches fit) and binary bodies read whole (256 MiB: audio, video, images). Streams are not read whole:
 * their memory is bounded per event instead.
 *
 * @since 0.1.0
 * @category bodies
 */
export const defaultMaxResponseBytes: { readonly json: number; readonly binary: number } = {
  json: 64 * 1024 * 1024,
  binary: 256 * 1024 * 1024
}

/**
 * What {@link readLimited} needs to describe a body that is too large.
 *
 * @since 0.1.0
 * @category bodies
 */
export interface LimitedRead {
  readonly provider: string
  readonly operation: string
  readonly facts: ClientError.CallFacts
  /** The bound, bytes. */
  readonly limit: number
  readonly requestId?: string | undefined
}

/**
 * Reads a whole 2xx body of at most `limit` bytes. A body above it fails with
 * {@link ClientError.ResponseTooLargeError} (never retried): at once when the announced `Content-Length` is above
 * it, else as soon as the bytes read pass it — counted after any `Content-Encoding`, so a gzip bomb stops at the
 * limit too — and the rest is not read (the connection is let go). A body cut mid-way is a transport error.
 *
 * @since 0.1.0
 * @category bodies
 */
export const readLimited = (
  response: HttpClientResponse.HttpClientResponse,
  options: LimitedRead
): Effect.Effect<Uint8Array, ClientError.ResponseTooLargeError | ClientError.TransportError> => {
  const declared = Number(response.headers["content-length"])
  const tooLarge = (received: number | undefined) =>
    new ClientError.ResponseTooLargeError({
      provider: options.provider,
      ...options.facts,
      status: response.status,
      operation: options.operation,
      limit: options.limit,
      ...(received !== undefined ? { received } : {}),
      ...(Number.isFinite(declared) ? { declared } : {}),
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      message: `${options.provider} ${options.operation}: the response body is larger than ${options.limit} bytes (${
        received === undefined ? `Content-Length ${declared}` : `${received} bytes read, then stopped`
      }); not read further, not retried`
    })
  const transport = (cause: unknown) =>
    new ClientError.TransportError({
      provider: options.provider,
      ...options.facts,
      reason: transportReason(cause).reason === "protocol" ? "protocol" : "reset",
      message: `${options.provider} ${options.operation}: ${describeTransport("reset", "while reading the response body")}`,
      maybeDelivered: true
    })
  if (Number.isFinite(declared) && declared > options.limit) {
    // announced too large: take one chunk at most, so the body is released rather than left on the socket
    return Effect.zipRight(Effect.ignore(Stream.runHead(response.stream)), Effect.fail(tooLarge(undefined)))
  }
  return response.stream.pipe(
    Stream.mapError((e) => transport(e.cause)),
    Stream.runFoldWhile(
      { size: 0, chunks: [] as Array<Uint8Array> },
      (acc) => acc.size <= options.limit,
      (acc, chunk) => {
        acc.size += chunk.byteLength
        acc.chunks.push(chunk)
        return acc
      }
    ),
    Effect.flatMap(({ chunks, size }) => {
      if (size > options.limit) return Effect.fail(tooLarge(size))
      // a plain Uint8Array view (not the transport's Buffer subclass) of the one chunk
      if (chunks.length === 1) return Effect.succeed(new Uint8Array(chunks[0]!.buffer, chunks[0]!.byteOffset, size))
      const out = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        out.set(chunk, offset)
        offset += chunk.byteLength
      }
      return Effect.succeed(out)
    })
  )
}

// ─── The pipeline ────────────────────────────────────────────────────────────────────────────────

const newCorrelationId = (): string => `ve-${globalThis.crypto.randomUUID()}`

const describeWait = (reason: string | undefined, source: string | undefined): string =>
  reason ?? (source === "backoff" ? "backoff" : "retry policy")

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
  return Effect.gen(function*() {
    const observe = yield* Observer
    const correlationId = call.correlationId ?? newCorrelationId()
    const method = call.request.method
    const attemptRef = yield* Ref.make(0)
    const lastError = yield* Ref.make<unknown>(undefined)
    const facts = (attempt: number): ClientError.CallFacts => ({ method, url, attempt, correlationId })
    const span = yield* Effect.orElseSucceed(Effect.currentSpan, () => undefined)
    const event = (name: string, attributes: Record<string, unknown>) =>
      Effect.flatMap(Clock.currentTimeNanos, (now) => Effect.sync(() => span?.event(name, now, attributes)))
    const transport = (attempt: number) => (reason: ClientError.TransportReason, message: string) =>
      new ClientError.TransportError({
        provider: provider.name,
        ...facts(attempt),
        reason,
        message: `${provider.name} ${call.operation}: ${message}`,
        maybeDelivered: reason !== "refused"
      })
    const budgetLimit = provider.errorBudget
    const margin = call.budgetMargin ?? 2

    /** Refuses when the bucket's failures reached the line; else the failures counted so far. */
    const guard = (attempt: number, now: number) =>
      Effect.gen(function*() {
        if (call.budgetBucket === undefined || budgetLimit === undefined) return 0
        const state = yield* store.budget(call.budgetBucket, now)
        if (state.failures >= budgetLimit.limit - margin) {
          const resetIn = Duration.millis(Math.max(0, state.resetAt - now))
          return yield* new ClientError.ErrorBudgetExhaustedError({
            provider: provider.name,
            ...facts(attempt),
            bucket: call.budgetBucket,
            failures: state.failures,
            limit: budgetLimit.limit,
            resetIn,
            message:
              `${provider.name} ${call.operation}: not sent — ${state.failures} failed requests in this bucket, ${provider.name} locks every request out after ${budgetLimit.limit}; the window resets in ${
                Duration.format(resetIn)
              }`
          })
        }
        return state.failures
      })

    // SPEC W1: every wait before an attempt is sent — pacing, an error-budget slot, an in-flight slot — ends by the
    // attempt's send-by time (when it started waiting plus `maxWait`); a wait that would end later fails at once with
    // `WaitTooLongError`, and a slot wait that reaches it fails then.
    const waitTooLong = (n: number, waited: number, what: string) =>
      new ClientError.WaitTooLongError({
        provider: provider.name,
        ...facts(n),
        wait: Duration.millis(Math.max(0, waited)),
        maxWait: call.maxWait,
        cause: undefined,
        message: `${provider.name} ${call.operation}: not sent — ${what}, longer than the client's maximum wait of ${
          Duration.format(call.maxWait)
        }`
      })

    const pace = (n: number, sendBy: number): Effect.Effect<void, ClientError.WaitTooLongError> =>
      call.pacingBucket === undefined ? Effect.void : Effect.gen(function*() {
        const bucket = call.pacingBucket!
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          const reservation = yield* store.reserve(bucket, now)
          if (reservation._tag === "Granted") return
          if (reservation.until > sendBy) {
            const wait = Duration.millis(Math.max(0, reservation.until - now))
            return yield* waitTooLong(n, reservation.until - now, `the request window of ${bucket} is exhausted for ${Duration.format(wait)}`)
          }
          // wake a little after the reset, never before: an early request only collects a 429
          const delay = Duration.millis(Math.max(1, reservation.until - now) + 5)
          yield* observe({ _tag: "Pacing", operation: call.operation, bucket, delay })
          yield* Metric.incrementBy(tagged(waitSeconds, ["provider", provider.name]), Duration.toSeconds(delay))
          yield* Effect.sleep(delay)
        }
      })

    // SPEC W9: limit facts that make no sense are not kept — a window that admits nothing (`limit: 0`) or resets past
    // the pacing horizon, an error-budget window resetting past twice the provider's: pacing or guarding on them
    // would stop every later call for as long as they say.
    const horizon = Duration.toMillis(PACING_HORIZON)
    const recordLimits = (headers: Readonly<Record<string, string>>, now: number) =>
      Effect.gen(function*() {
        const limits = provider.limits?.(headers, now, call.route)
        if (limits === undefined) return
        const window = limits.window
        if (
          window !== undefined && call.pacingBucket !== undefined && window.limit >= 1 &&
          window.resetAt - now <= horizon
        ) {
          yield* store.observeWindow(call.pacingBucket, window, now)
        }
        if (
          limits.budget !== undefined && call.budgetBucket !== undefined && budgetLimit !== undefined &&
          limits.budget.resetAt - now <= 2 * Duration.toMillis(budgetLimit.window)
        ) {
          yield* store.observeBudget(call.budgetBucket, { ...limits.budget, limit: budgetLimit.limit }, now)
        }
      })

    // SPEC X4: a slot of the shared in-flight limit, taken after pacing and before the attempt is authorized and sent,
    // given back when the attempt ends (or, for bodies consumed later, when the caller's scope closes). Taking it is
    // one atomic store step in an uninterruptible region, so a granted slot is always recorded and released; only the
    // wait between polls is interruptible (R12).
    const inFlight = call.inFlight
    const heldLease = yield* Ref.make<string | undefined>(undefined)
    const takeSlot = (n: number, sendBy: number): Effect.Effect<void, ClientError.WaitTooLongError> => {
      if (inFlight === undefined) return Effect.void
      const lease = `${correlationId}#${n}`
      const poll = Duration.decode(inFlight.pollInterval ?? Duration.millis(20))
      const ttl = Duration.toMillis(
        inFlight.leaseTtl ??
          (inFlight.holdUntilScopeClose === true ? Duration.hours(1) : Duration.sum(call.timeout, Duration.minutes(1)))
      )
      return Effect.uninterruptible(Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        for (let waited = false;; waited = true) {
          const now = yield* Clock.currentTimeMillis
          const slot = yield* store.acquireSlot(inFlight.bucket, lease, inFlight.limit, now, ttl)
          if (slot._tag === "Granted") return yield* Ref.set(heldLease, lease)
          if (now + Duration.toMillis(poll) > sendBy) {
            return yield* waitTooLong(
              n,
              now - start,
              `all ${inFlight.limit} requests in flight of ${inFlight.bucket} are still taken`
            )
          }
          if (!waited) yield* observe({ _tag: "Pacing", operation: call.operation, bucket: inFlight.bucket, delay: poll })
          yield* Metric.incrementBy(tagged(waitSeconds, ["provider", provider.name]), Duration.toSeconds(poll))
          yield* Effect.interruptible(Effect.sleep(poll))
        }
      }))
    }
    const giveSlot = (exit: Exit.Exit<unknown, unknown>): Effect.Effect<void> =>
      Effect.gen(function*() {
        const lease = yield* Ref.getAndSet(heldLease, undefined)
        if (inFlight === undefined || lease === undefined) return
        const release = store.releaseSlot(inFlight.bucket, lease)
        const scope = Exit.isSuccess(exit) && inFlight.holdUntilScopeClose === true
          ? yield* Effect.serviceOption(Scope.Scope)
          : Option.none()
        if (Option.isSome(scope)) yield* Scope.addFinalizer(scope.value, release)
        else yield* release
      })

    // SPEC R8 under concurrency: a request whose status is not known yet may still fail. After pacing, each attempt
    // holds an unresolved-request slot of its budget bucket until its status is known (a 2xx can no longer count
    // against the budget; a 4xx has been counted). Only `limit − margin − failures` may be unresolved at once — from
    // the bucket's first request on, a fresh client included — so the requests already on the wire cannot carry the
    // failures the server counts past the guard's line however many calls run at once. While every slot is taken the
    // attempt waits, polling the store (as for in-flight slots, so a fleet store shares the count), until its
    // send-by time (SPEC W1); if the failures reach the line meanwhile, it fails with the guard's error. Only the
    // wait is interruptible (R12).
    const budgetSlots = call.budgetBucket === undefined || budgetLimit === undefined ? undefined : `unresolved:${call.budgetBucket}`
    const budgetLease = yield* Ref.make<string | undefined>(undefined)
    const takeBudgetSlot = (
      n: number,
      sendBy: number
    ): Effect.Effect<void, ClientError.ErrorBudgetExhaustedError | ClientError.WaitTooLongError> => {
      if (budgetSlots === undefined || budgetLimit === undefined) return Effect.void
      const lease = `${correlationId}#${n}`
      const ttl = Duration.toMillis(Duration.sum(call.timeout, Duration.minutes(1)))
      return Effect.uninterruptible(Effect.gen(function*() {
        const start = yield* Clock.currentTimeMillis
        for (;;) {
          const now = yield* Clock.currentTimeMillis
          const failures = yield* guard(n, now)
          const slots = budgetLimit.limit - margin - failures
          const slot = yield* store.acquireSlot(budgetSlots, lease, slots, now, ttl)
          if (slot._tag === "Granted") return yield* Ref.set(budgetLease, lease)
          if (now + Duration.toMillis(BUDGET_SLOT_POLL) > sendBy) {
            return yield* waitTooLong(
              n,
              now - start,
              `${slot.inUse} requests of ${call.budgetBucket} are unresolved, as many as ${provider.name}'s error budget allows with ${failures} failures`
            )
          }
          yield* Effect.interruptible(Effect.sleep(BUDGET_SLOT_POLL))
        }
      }))
    }
    const giveBudgetSlot: Effect.Effect<void> = Effect.flatMap(
      Ref.getAndSet(budgetLease, undefined),
      (lease) => (lease === undefined || budgetSlots === undefined ? Effect.void : store.releaseSlot(budgetSlots, lease))
    )

    const attempt = Effect.gen(function*() {
      const n = yield* Ref.updateAndGet(attemptRef, (k) => k + 1)
      const started = yield* Clock.currentTimeMillis
      yield* guard(n, started)
      const sendBy = started + Duration.toMillis(call.maxWait)
      yield* pace(n, sendBy)
      yield* takeBudgetSlot(n, sendBy)
      yield* takeSlot(n, sendBy)
      yield* Metric.increment(tagged(attemptsTotal, ["provider", provider.name]))
      yield* observe({ _tag: "AttemptStarted", operation: call.operation, attempt: n, timeout: call.timeout })
      const request = yield* call.authorize(call.request, n).pipe(
        Effect.map(HttpClientRequest.setHeader("x-client-correlation-id", correlationId))
      )
      // One timeout for the whole exchange (one timer, one race per attempt): until the headers, then whatever time is
      // left for the body — the whole body of a JSON call or a stream's first event (the S3 boundary) on success, the
      // error body otherwise. A body that stalls after the headers fails typed instead of hanging (SPEC B1).
      let phase: "headers" | "body" | "error-body" = "headers"
      let now = 0
      const exchange = Effect.gen(function*() {
        const response = yield* client.execute(request).pipe(
          Effect.catchAll((e: HttpClientError.HttpClientError) => {
            const { reason } = transportReason(e.cause)
            return Effect.fail(transport(n)(reason, describeTransport(reason, "before the response headers")))
          })
        )
        now = yield* Clock.currentTimeMillis
        yield* recordLimits(response.headers, now)
        if (response.status >= 200 && response.status < 300) {
          yield* giveBudgetSlot
          phase = "body"
          const value = yield* call.onSuccess(response, facts(n))
          return { _tag: "Success", value, status: response.status } as const
        }
        phase = "error-body"
        const body = yield* readBounded(response, ERROR_BODY_LIMIT, transport(n))
        return { _tag: "Failure", response, body } as const
      }).pipe(
        Effect.timeoutFail({
          duration: call.timeout,
          onTimeout: () =>
            transport(n)(
              "timeout",
              phase === "headers"
                ? describeTransport("timeout", `within ${Duration.format(call.timeout)}`)
                : phase === "body"
                ? `response body incomplete within the attempt timeout of ${Duration.format(call.timeout)}`
                : describeTransport("timeout", `while reading the error body (attempt timeout ${Duration.format(call.timeout)})`)
            )
        })
      )
      const exchanged = yield* exchange
      if (exchanged._tag === "Success") {
        yield* observe({ _tag: "AttemptSucceeded", operation: call.operation, attempt: n, status: exchanged.status })
        return exchanged.value
      }
      const { response, body } = exchanged
      const headers = response.headers
      const decoded = provider.decodeError({
        status: response.status,
        headers,
        body,
        nowMillis: now,
        request: { ...facts(n), route: call.route }
      })
      if (decoded.ignoredHeaders.length > 0) {
        yield* Effect.logDebug("ignored malformed response headers").pipe(
          Effect.annotateLogs({ provider: provider.name, operation: call.operation, headers: decoded.ignoredHeaders })
        )
      }
      // SPEC R8: every 4xx except 429 counts against the provider's failed-request budget
      if (response.status >= 400 && response.status < 500 && response.status !== 429 && call.budgetBucket !== undefined && budgetLimit !== undefined) {
        yield* store.recordFailure(call.budgetBucket, Duration.toMillis(budgetLimit.window), now)
      }
      yield* giveBudgetSlot
      const retryFacts = provider.classify(decoded.error)
      if (
        response.status === 429 && call.pacingBucket !== undefined && retryFacts.announced !== undefined &&
        Duration.lessThanOrEqualTo(retryFacts.announced, PACING_HORIZON)
      ) {
        yield* store.block(call.pacingBucket, now + Duration.toMillis(retryFacts.announced), now)
      }
      yield* Effect.logWithLevel(
        CatalogLogLevels.toLogLevel(provider.logLevel(decoded.error)),
        `${provider.name} ${call.operation} failed`
      ).pipe(
        Effect.annotateLogs({
          provider: provider.name,
          operation: call.operation,
          status: response.status,
          attempt: n,
          correlationId,
          ...(provider.errorAttributes?.(decoded.error) ?? {})
        })
      )
      // SPEC R3, W1: an announced wait above the maximum is not slept, whether a 429's or a 5xx's (`Retry-After`,
      // a body `retry_after`): the server said it will not serve this call sooner than the caller is willing to wait
      if (
        retryFacts.announced !== undefined &&
        (retryFacts.retryClass === "header-wait" || retryFacts.retryClass === "backoff") &&
        Duration.greaterThan(retryFacts.announced, call.maxWait)
      ) {
        return yield* ClientError.WaitTooLongError.fromCause({
          provider: provider.name,
          wait: retryFacts.announced,
          maxWait: call.maxWait,
          cause: decoded.error,
          call: facts(n)
        })
      }
      return yield* Effect.fail(decoded.error)
    }).pipe(
      Effect.onExit((exit) => Effect.zipRight(giveBudgetSlot, giveSlot(exit))),
      Effect.tapError((error) =>
        Effect.gen(function*() {
          const n = yield* Ref.get(attemptRef)
          yield* Ref.set(lastError, error)
          yield* observe({ _tag: "AttemptFailed", operation: call.operation, attempt: n, error })
        })
      )
    )

    // A transport failure after the request may have reached the server is final for non-resendable calls (R9).
    const makePolicy = () => {
      const gate = call.resendable === false
        ? Schedule.recurWhile((e: E | ClientError.ClientError) =>
          !(Predicate.isTagged(e, "TransportError") && (e as ClientError.TransportError).maybeDelivered)
        )
        : Schedule.identity<E | ClientError.ClientError>()
      const policy = call.retry.pipe(
        Schedule.zipLeft(gate),
        Schedule.modifyDelayEffect((_, delay) =>
          Effect.gen(function*() {
            const n = yield* Ref.get(attemptRef)
            const error = yield* Ref.get(lastError)
            const retryFacts = Predicate.isObject(error)
              ? provider.classify(error as E | ClientError.ClientError)
              : undefined
            const reason = describeWait(
              retryFacts?.announced !== undefined ? retryFacts.announcedBy : undefined,
              retryFacts?.announced !== undefined ? "announced" : "backoff"
            )
            yield* Metric.increment(
              tagged(retriesTotal, ["provider", provider.name], ["class", retryFacts?.retryClass ?? "unknown"])
            )
            yield* Metric.incrementBy(tagged(waitSeconds, ["provider", provider.name]), Duration.toSeconds(delay))
            yield* event("retry", {
              "retry.attempt": n + 1,
              "retry.delay_ms": Duration.toMillis(delay),
              "retry.reason": reason,
              "retry.class": retryFacts?.retryClass ?? "unknown",
              ...errorSummary(provider, error)
            })
            yield* observe({ _tag: "Waiting", operation: call.operation, nextAttempt: n + 1, delay, reason, error })
            return delay
          })
        )
      )
      return policy
    }

    // `Effect.retry(policy)`, with the policy and its driver built on the first failure only (most calls succeed
    // at once): each failure goes to the driver, which sleeps the delay and says whether to go on.
    const retryLoop = (
      error: E | ClientError.ClientError,
      driver: Schedule.ScheduleDriver<unknown, E | ClientError.ClientError, R>
    ): Effect.Effect<A, E | ClientError.ClientError, R> =>
      Effect.matchEffect(driver.next(error), {
        onFailure: () => Effect.fail(error),
        onSuccess: () => Effect.catchAll(attempt, (next) => retryLoop(next, driver))
      })

    return yield* attempt.pipe(
      Effect.catchAll((error) => Effect.flatMap(Schedule.driver(makePolicy()), (driver) => retryLoop(error, driver))),
      Effect.tap(() =>
        Effect.flatMap(Ref.get(attemptRef), (n) => Effect.annotateCurrentSpan({ attempts: n, outcome: "success" }))
      ),
      Effect.tapError((error) =>
        Effect.flatMap(
          Ref.get(attemptRef),
          (n) => Effect.annotateCurrentSpan({ attempts: n, outcome: "failure", ...errorSummary(provider, error) })
        )
      )
    )
  }).pipe(
    Effect.locally(Headers.currentRedactedNames, secretHeaders),
    Effect.withSpan(`${provider.name}.${call.operation}`, {
      kind: "client",
      attributes: {
        "http.request.method": call.request.method,
        "url.full": url,
        operation: call.operation,
        ...call.attributes
      }
    })
  )
}

const errorSummary = <E>(provider: Provider<E>, error: unknown): Record<string, unknown> => {
  if (!Predicate.isObject(error) || !Predicate.hasProperty(error, "_tag")) return {}
  if (ClientError.isClientError(error)) {
    return {
      "error.tag": error._tag,
      ...(error._tag === "TransportError" ? { "error.reason": error.reason } : {})
    }
  }
  return { "error.tag": String(error._tag), ...(provider.errorAttributes?.(error as E) ?? {}) }
}

/**
 * The log level a provider error is logged at (re-exported for providers' own logging).
 *
 * @since 0.1.0
 * @category logging
 */
export const logLevelOf = (level: CatalogLogLevel): LogLevel.LogLevel => CatalogLogLevels.toLogLevel(level)

const utf8 = new TextDecoder("utf-8")

/**
 * Runs a call's success decoding on a JSON body: reads the text (at most `options.maxBytes`, default
 * {@link defaultMaxResponseBytes}`.json`), parses, decodes with the given function. Failures are
 * {@link ClientError.ResponseDecodeError} (the raw text kept, bounded), {@link ClientError.ResponseTooLargeError}
 * or transport errors (a body cut mid-way).
 *
 * @since 0.1.0
 * @category bodies
 */
export const decodeJsonBody = <A>(
  providerName: string,
  operation: string,
  response: HttpClientResponse.HttpClientResponse,
  facts: ClientError.CallFacts,
  decode: (u: unknown) => Option.Option<A> | { readonly _tag: "Left"; readonly left: string } | { readonly _tag: "Right"; readonly right: A },
  requestId?: string | undefined,
  options?: { readonly maxBytes?: number | undefined }
): Effect.Effect<A, ClientError.ResponseDecodeError | ClientError.ResponseTooLargeError | ClientError.TransportError> =>
  Effect.gen(function*() {
    const bytes = yield* readLimited(response, {
      provider: providerName,
      operation,
      facts,
      limit: options?.maxBytes ?? defaultMaxResponseBytes.json,
      requestId
    })
    const text = utf8.decode(bytes)
    const fail = (message: string) =>
      new ClientError.ResponseDecodeError({
        provider: providerName,
        ...facts,
        status: response.status,
        operation,
        message: `${providerName} ${operation}: ${message}`,
        raw: ErrorBody.bound(text),
        ...(requestId !== undefined ? { requestId } : {})
      })
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return yield* fail(text.length === 0 ? "empty response body" : "response body is not valid JSON (truncated?)")
    }
    const result = decode(json)
    if (Option.isOption(result)) {
      if (Option.isSome(result)) return result.value
      return yield* fail("response body does not match the expected schema")
    }
    if (result._tag === "Right") return result.right
    return yield* fail(`response body does not match the expected schema: ${result.left}`)
  })
