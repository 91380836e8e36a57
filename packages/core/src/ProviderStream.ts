/**
 * The streaming every provider shares (S1–S3, S6, B1): open a request under the client's pipeline, wait for the
 * first element inside the attempt (so a failure before it retries like any call, S3), and hand back the rest as
 * a `Stream` whose failures are {@link StreamError.StreamError}s. Also the SSE decoding loop (one Channel loop per
 * response: bytes → events → values) with the error mapping done once, off the hot path, the bounds of a stream's
 * waits (first event, idle), and the per-event step of OpenAI-style JSON streams (`[DONE]`, in-band errors).
 *
 * A provider's stream module is its schemas and a handler; everything else is here.
 *
 * @since 0.2.0
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as ClientError from "./ClientError.js"
import * as ErrorBody from "./ErrorBody.js"
import * as Timeout from "./internal/pipeline/timeout.js"
import * as Pipeline from "./Pipeline.js"
import type * as ProviderClient from "./ProviderClient.js"
import * as Sse from "./Sse.js"
import * as StreamError from "./StreamError.js"
import * as StreamStart from "./StreamStart.js"

// ─── context and errors ──────────────────────────────────────────────────────────────────────────

/**
 * What a stream's errors say about the call that carried it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Context {
  readonly provider: string
  readonly operation: string
  readonly facts: ClientError.CallFacts
  readonly requestId: string | undefined
  readonly cfRay?: string | undefined
  readonly veniceVersion?: string | undefined
}

/**
 * The context of a stream carried by `headers` (`X-Request-ID`, `CF-RAY`, `x-venice-version`).
 *
 * @since 0.2.0
 * @category constructors
 */
export const contextOf = (
  provider: string,
  operation: string,
  facts: ClientError.CallFacts,
  headers: Readonly<Record<string, string>>
): Context => ({
  provider,
  operation,
  facts,
  requestId: headers["x-request-id"],
  cfRay: headers["cf-ray"],
  veniceVersion: headers["x-venice-version"]
})

/**
 * The common fields of a stream error.
 *
 * @since 0.2.0
 * @category errors
 */
export const fields = (ctx: Context, received: number, message: string) => ({
  provider: ctx.provider,
  ...ctx.facts,
  operation: ctx.operation,
  ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
  ...(ctx.cfRay !== undefined ? { cfRay: ctx.cfRay } : {}),
  ...(ctx.veniceVersion !== undefined ? { veniceVersion: ctx.veniceVersion } : {}),
  received,
  message: `${ctx.provider} ${ctx.operation}: ${message}`
})

/**
 * A body read failure after the stream started: a reset, or a body that is not valid HTTP framing.
 *
 * @since 0.2.0
 * @category errors
 */
export const transportError = (
  ctx: Context,
  received: number,
  cause: unknown,
  receivedBytes?: number
): StreamError.StreamTransportError => {
  const reason = Pipeline.transportReason(cause).reason === "protocol" ? "protocol" : "reset"
  return new StreamError.StreamTransportError({
    ...fields(
      ctx,
      received,
      reason === "protocol"
        ? `malformed HTTP body after ${received} event(s)`
        : `connection reset or closed mid-stream after ${received} event(s)`
    ),
    reason,
    ...(receivedBytes !== undefined ? { receivedBytes } : {})
  })
}

/**
 * Which bound of a stream's waits fired.
 *
 * @since 0.2.0
 * @category models
 */
export type Bound = "first-event" | "idle"

/**
 * The first-event or the idle bound fired (`unit`: what `received` counts).
 *
 * @since 0.2.0
 * @category errors
 */
export const boundError = (
  ctx: Context,
  received: number,
  which: Bound,
  after: Duration.Duration,
  unit: "event(s)" | "byte(s)" = "event(s)"
): StreamError.StreamTransportError =>
  new StreamError.StreamTransportError({
    ...fields(
      ctx,
      received,
      which === "first-event"
        ? `no data within ${
          Duration.format(after)
        } of the response headers (first-event timeout; keep-alive comments do not count)`
        : `no data for ${
          Duration.format(after)
        } (idle timeout; keep-alive comments do not count) after ${received} ${unit}`
    ),
    reason: which === "first-event" ? "first-event-timeout" : "idle-timeout"
  })

/**
 * The end of a stream that needed a terminator: truncation.
 *
 * @since 0.2.0
 * @category errors
 */
export const truncated = (ctx: Context, counter: Counter, terminator: string) => (end: Sse.EndOfStream) =>
  Sse.fail(
    new StreamError.StreamTruncatedError({
      ...fields(
        ctx,
        counter.received,
        `the stream ended without ${terminator} after ${counter.received} event(s)${
          end.incomplete ? " (a partial event was dropped)" : ""
        }`
      ),
      incomplete: end.incomplete
    })
  )

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

/**
 * An in-band error payload (or an `event: error` event) as a stream error: OpenAI-style
 * `{error: {message, type, code, param, retry_after}}`, or Novita's `{code, reason, message}` with or without the
 * `error` wrapper, or a bare string.
 *
 * @since 0.2.0
 * @category errors
 */
export const eventError = (
  ctx: Context,
  received: number,
  payload: unknown,
  data: string
): StreamError.StreamEventError => {
  const inner = Predicate.isRecord(payload) && payload.error != null ? payload.error : payload
  let message: string | undefined
  let type: string | undefined
  let code: string | undefined
  let reason: string | undefined
  let param: string | undefined
  let statusCode: number | undefined
  let retryAfter: number | undefined
  if (typeof inner === "string") message = inner
  else if (Predicate.isRecord(inner)) {
    message = str(inner.message)
    type = str(inner.type)
    reason = str(inner.reason)
    const numeric = typeof inner.code === "number" ? inner.code : undefined
    code = str(inner.code) ?? reason ?? (numeric !== undefined ? String(numeric) : undefined)
    reason ??= str(inner.code)
    param = str(inner.param)
    statusCode = numeric ?? (typeof inner.status === "number" ? inner.status : undefined)
    const r = inner.retry_after
    const n = typeof r === "number" ? r : typeof r === "string" && r.trim() !== "" ? Number(r) : NaN
    if (Number.isFinite(n) && n >= 0 && n < 86_400 * 7) retryAfter = n
  }
  return new StreamError.StreamEventError({
    ...fields(
      ctx,
      received,
      `in-band ${code ?? type ?? "error"} after ${received} event(s): ${message ?? ErrorBody.bound(data, 200)}`
    ),
    ...(type !== undefined ? { type } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(param !== undefined ? { param } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
    ...(retryAfter !== undefined ? { retryAfter: Duration.seconds(retryAfter) } : {}),
    raw: ErrorBody.bound(data)
  })
}

/**
 * An event whose data is not the expected JSON.
 *
 * @since 0.2.0
 * @category errors
 */
export const decodeError = (
  ctx: Context,
  received: number,
  reason: "json" | "shape",
  data: string,
  detail?: string
): StreamError.StreamDecodeError =>
  new StreamError.StreamDecodeError({
    ...fields(
      ctx,
      received,
      reason === "json"
        ? `event ${received + 1} is not valid JSON`
        : `event ${received + 1} does not have the expected shape${detail !== undefined ? `: ${detail}` : ""}`
    ),
    reason,
    raw: ErrorBody.bound(data)
  })

// ─── bounds ──────────────────────────────────────────────────────────────────────────────────────

/**
 * The bounds of a stream's waits, resolved (W6, W7).
 *
 * @since 0.2.0
 * @category models
 */
export interface Bounds {
  readonly firstEvent: Duration.Duration
  readonly idle: Duration.Duration
}

/**
 * Options of a stream's body: its bounds (W6, W7) and, for SSE, the largest event (S6).
 *
 * - `maxEventBytes` (default 1 MiB): one event above this fails the stream with `StreamTooLargeError`;
 * - `firstEventTimeout` (default 2 minutes): no data event this long after the response headers fails the attempt
 *   with a `TransportError` (`timeout`) naming the bound — retried by the call's policy like any failure before the
 *   first event;
 * - `idleTimeout` (default 60 s): no data event for this long once the stream has started fails it with
 *   `StreamTransportError` (`idle-timeout`).
 *
 * Keep-alive comments count for neither bound: a stream that sends only comments ends. `Duration.infinity` turns a
 * bound off.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options {
  readonly maxEventBytes?: number | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
  readonly firstEventTimeout?: Duration.DurationInput | undefined
}

/**
 * The bounds of a stream: what the caller set, else {@link StreamError.defaultBounds}.
 *
 * @since 0.2.0
 * @category constructors
 */
export const boundsOf = (options: Options): Bounds => ({
  firstEvent: options.firstEventTimeout === undefined
    ? StreamError.defaultBounds.firstEvent
    : Duration.decode(options.firstEventTimeout),
  idle: options.idleTimeout === undefined ? StreamError.defaultBounds.idle : Duration.decode(options.idleTimeout)
})

/**
 * Bounds the waits of a body: until `progress()` first moves (the first data event, the first bytes) at most
 * `bounds.firstEvent` from the first pull (the response headers), then at most `bounds.idle` from each move to the
 * next. `progress` is read before each pull of the body, so bytes that complete no event (keep-alive comments, a
 * partial event) do not count. Each pull of the body waits what is left of the current bound.
 *
 * @since 0.2.0
 * @category combinators
 */
export const bounded = <E, E2>(
  body: Stream.Stream<Uint8Array, E>,
  progress: () => number,
  bounds: Bounds,
  onTimeout: (which: Bound, after: Duration.Duration) => E2
): Stream.Stream<Uint8Array, E | E2> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const activity = yield* StreamStart.Activity
    yield* activity("open")
    yield* Effect.addFinalizer(() => activity("close"))
    const pulled: Effect.Effect<Chunk.Chunk<Uint8Array>, Option.Option<E | E2>> = yield* Stream.toPull(body)
    const pull = Effect.tap(pulled, () => activity("data"))
    let seen = -1
    let since = 0
    return Stream.repeatEffectChunkOption(Effect.flatMap(Clock.currentTimeMillis, (now) => {
      const moved = progress()
      if (moved !== seen) {
        seen = moved
        since = now
      }
      const which: Bound = moved === 0 ? "first-event" : "idle"
      const after = which === "first-event" ? bounds.firstEvent : bounds.idle
      const left = since + Duration.toMillis(after) - now
      if (!Number.isFinite(left)) return pull
      if (left <= 0) return Effect.fail(Option.some(onTimeout(which, after)))
      // under the live clock one forked fiber and a plain timer per pull, not a race of two fibers
      return Timeout.within(pull, Duration.millis(left), () => Option.some(onTimeout(which, after)))
    }))
  }))

// ─── SSE ─────────────────────────────────────────────────────────────────────────────────────────

/**
 * Per-response state a handler reports through: how many values it emitted.
 *
 * @since 0.2.0
 * @category models
 */
export interface Counter {
  received: number
}

/**
 * Decodes one response's SSE body with `handler` in a single Channel loop (the SSE parser's), bounded by the
 * stream's waits, then maps every failure — transport, oversized event, the handler's own — to a stream error in
 * one place.
 *
 * @since 0.2.0
 * @category decoding
 */
export const sse = <A>(
  ctx: Context,
  body: Stream.Stream<Uint8Array, HttpClientError.ResponseError>,
  counter: Counter,
  handler: (event: Sse.Event) => Sse.Step<A, StreamError.StreamError>,
  onEnd: (end: Sse.EndOfStream) => Sse.Step<never, StreamError.StreamError>,
  options: Options
): Stream.Stream<A, StreamError.StreamError> => {
  // data events dispatched (comments never are): what the stream's bounds count
  let events = 0
  const source = bounded(
    body,
    () => events,
    boundsOf(options),
    (which, after) => boundError(ctx, counter.received, which, after)
  )
  const counting = (event: Sse.Event) => {
    events++
    return handler(event)
  }
  return source.pipe(
    Sse.decode(counting, { maxEventBytes: options.maxEventBytes, onEnd }),
    Stream.mapError((error): StreamError.StreamError => {
      if (StreamError.isStreamError(error)) return error
      if (error._tag === "SseEventTooLargeError") {
        return new StreamError.StreamTooLargeError({
          ...fields(ctx, counter.received, `${error.message} after ${counter.received} event(s)`),
          limit: error.limit,
          size: error.size
        })
      }
      return transportError(ctx, counter.received, error.cause)
    })
  )
}

/**
 * How {@link jsonEvents} reads one event's JSON.
 *
 * @since 0.2.0
 * @category models
 */
export interface JsonEvents<A> {
  /** The data that ends the stream (`[DONE]`). */
  readonly terminator: string
  /** Whether a parsed payload is a value of the stream. */
  readonly isValue: (json: unknown) => json is A
  /** Whether a parsed payload is an in-band error (default: an object with `error` and without `choices`). */
  readonly isError?: ((json: unknown) => boolean) | undefined
  /** What is wrong with a payload that is not a value, for the error message. */
  readonly shapeDetail?: ((json: unknown) => string | undefined) | undefined
}

const isErrorPayload = (u: unknown): boolean => Predicate.isRecord(u) && u.error != null && u.choices === undefined

/**
 * The per-event step of an OpenAI-style JSON stream: `terminator` ends it, an empty event is skipped, anything else
 * is parsed; an error payload (or an `event: error`) fails with {@link eventError}, a value is emitted and counted,
 * anything else fails with {@link decodeError}. One reusable step object: the parser loop reads it before the next
 * event is handled.
 *
 * @since 0.2.0
 * @category decoding
 */
export const jsonEvents = <A>(
  ctx: Context,
  counter: Counter,
  spec: JsonEvents<A>
): (event: Sse.Event) => Sse.Step<A, StreamError.StreamError> => {
  const step: { _tag: "Emit"; value: A | undefined } = { _tag: "Emit", value: undefined }
  const emitted = step as Sse.Emit<A> // `value` is set before every return of the step
  const isError = spec.isError ?? isErrorPayload
  return (event) => {
    const data = event.data
    if (data === spec.terminator) return Sse.end
    if (data.length === 0) return Sse.skip
    let json: unknown
    try {
      json = JSON.parse(data)
    } catch {
      return Sse.fail(
        event.event === "error"
          ? eventError(ctx, counter.received, data, data)
          : decodeError(ctx, counter.received, "json", data)
      )
    }
    if (event.event === "error" || isError(json)) return Sse.fail(eventError(ctx, counter.received, json, data))
    if (!spec.isValue(json)) {
      return Sse.fail(decodeError(ctx, counter.received, "shape", data, spec.shapeDetail?.(json)))
    }
    counter.received++
    step.value = json
    return emitted
  }
}

/**
 * The decoder {@link open} takes for an OpenAI-style JSON stream: {@link jsonEvents} for each event, and
 * {@link truncated} (expecting `data: <terminator>`) when the body ends without the terminator, within `options`'
 * bounds. Each run counts from zero.
 *
 * @since 0.2.0
 * @category decoding
 */
export const jsonSse =
  <A>(spec: JsonEvents<A>, options: Options) =>
  <Meta>(raw: ProviderClient.RawResponse<Meta>, ctx: Context): Stream.Stream<A, StreamError.StreamError> =>
    Stream.suspend(() => {
      const counter: Counter = { received: 0 }
      const onEnd = truncated(ctx, counter, `data: ${spec.terminator}`)
      return sse(ctx, raw.response.stream, counter, jsonEvents(ctx, counter, spec), onEnd, options)
    })

// ─── opening ─────────────────────────────────────────────────────────────────────────────────────

/**
 * An opened stream: the response's facts, and its values. When the first element failed with a stream error that is
 * not retried (an in-band error as the first event, a malformed first event), `values` fails with it.
 *
 * @since 0.2.0
 * @category models
 */
export interface Opened<A, Meta> {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly requestId: string | undefined
  readonly meta: Meta
  readonly facts: ClientError.CallFacts
  readonly values: Stream.Stream<A, StreamError.StreamError>
}

/** Response content types that cannot be the stream asked for (a proxy answered, or `stream` was ignored). */
const notAStream = (contentType: string | undefined, expected: "sse" | "audio"): boolean => {
  if (contentType === undefined) return false
  const ct = contentType.toLowerCase()
  if (expected === "sse") return ct.includes("json") || ct.includes("html")
  return ct.includes("json") || ct.includes("html") || ct.startsWith("text/")
}

/** Before the first element, a broken or ended connection is a transport failure of the attempt (retried). */
const beforeFirst =
  (provider: string, facts: ClientError.CallFacts) =>
  (error: StreamError.StreamError): Option.Option<ClientError.TransportError> =>
    error._tag === "StreamTransportError" || error._tag === "StreamTruncatedError"
      ? Option.some(
        new ClientError.TransportError({
          provider,
          ...facts,
          reason: error._tag === "StreamTruncatedError"
            ? "reset"
            : error.reason === "idle-timeout" || error.reason === "first-event-timeout"
            ? "timeout"
            : error.reason,
          message: `${error.message} (before the first event)`,
          maybeDelivered: true
        })
      )
      : Option.none()

/**
 * Sends `spec` through `client` (retries, pacing, budget guard, span) and waits, inside the attempt, for the first
 * element of `decode(raw, ctx)`: an HTTP error, a transport failure before or after the headers, or a body that ends
 * or breaks before its first element fails the attempt and is retried by the policy like any call (S3). The
 * first element commits the attempt; from then on nothing is retried implicitly. A `200` whose content type cannot
 * be the stream asked for (JSON, HTML; for audio also text) is a `ResponseDecodeError`. The body is released when
 * the scope closes (or when the values end or are interrupted).
 *
 * @since 0.2.0
 * @category opening
 */
export const open = <E, Meta, A, R>(
  client: ProviderClient.Service<E, Meta>,
  spec: ProviderClient.RequestSpec,
  expected: "sse" | "audio",
  decode: (raw: ProviderClient.RawResponse<Meta>, ctx: Context) => Stream.Stream<A, StreamError.StreamError>,
  options: ProviderClient.CallOptions<E, R> | undefined
): Effect.Effect<Opened<A, Meta>, E | ClientError.ClientError, R | Scope.Scope> =>
  Effect.flatMap(Effect.scope, (outer) =>
    client.execute<Opened<A, Meta>, R, never>(
      spec,
      (raw) =>
        Effect.gen(function*() {
          const provider = client.provider
          const headers = raw.response.headers
          const ctx = contextOf(provider, spec.operation, raw.facts, headers)
          if (notAStream(headers["content-type"], expected)) {
            // read at most 64 KiB of it: it is only kept for the error
            const bytes = yield* Effect.orElseSucceed(
              Pipeline.readBounded(
                raw.response,
                65_536,
                (reason, message) =>
                  new ClientError.TransportError({ provider, ...raw.facts, reason, message, maybeDelivered: true })
              ),
              () => new Uint8Array(0)
            )
            return yield* new ClientError.ResponseDecodeError({
              provider,
              ...raw.facts,
              status: raw.response.status,
              operation: spec.operation,
              message: `${provider} ${spec.operation}: expected a ${
                expected === "sse" ? "text/event-stream" : "audio"
              } body, got ${headers["content-type"]}`,
              raw: ErrorBody.bound(new TextDecoder().decode(bytes)),
              ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {})
            })
          }
          // anything else before the first element (an in-band error as the first event, a malformed or oversized
          // first event) is the stream's own
          const values = yield* StreamStart.commitOnFirst(decode(raw, ctx), {
            scope: outer,
            beforeFirst: beforeFirst(provider, raw.facts)
          })
          return {
            status: raw.response.status,
            headers,
            requestId: ctx.requestId,
            facts: raw.facts,
            get meta() {
              return raw.meta
            },
            values
          }
        }),
      { ...options, bodyConsumedLater: true }
    ))
