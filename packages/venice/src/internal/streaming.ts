/**
 * The machinery every Venice stream shares: open the request under the client's pipeline, wait for the first element
 * inside the attempt (so a failure before it retries like any call, S3), and hand back the rest as a `Stream`
 * whose failures are {@link StreamError.VeniceStreamError}s. Also the SSE decoding loop (one Channel loop per
 * response: bytes → events → values, S1, S2, S6) with the error mapping done once, off the hot path.
 *
 * @internal
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as ClientError from "@venice-effect/core/ClientError"
import * as ErrorBody from "@venice-effect/core/ErrorBody"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Sse from "@venice-effect/core/Sse"
import * as StreamStart from "@venice-effect/core/StreamStart"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as ResponseMeta from "../ResponseMeta.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import * as StreamError from "../StreamError.js"
import * as VeniceClient from "../VeniceClient.js"

/** What a stream's errors say about the call that carried it. */
export interface StreamContext {
  readonly operation: string
  readonly facts: ClientError.CallFacts
  readonly requestId: string | undefined
  readonly cfRay?: string | undefined
  readonly veniceVersion?: string | undefined
}

/** The common fields of a stream error. */
export const fields = (ctx: StreamContext, received: number, message: string) => ({
  provider: "venice",
  ...ctx.facts,
  operation: ctx.operation,
  ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
  ...(ctx.cfRay !== undefined ? { cfRay: ctx.cfRay } : {}),
  ...(ctx.veniceVersion !== undefined ? { veniceVersion: ctx.veniceVersion } : {}),
  received,
  message: `venice ${ctx.operation}: ${message}`
})

/** A body read failure after the stream started: a reset, or a body that is not valid HTTP framing. */
export const transportError = (
  ctx: StreamContext,
  received: number,
  cause: unknown,
  receivedBytes?: number
): StreamError.VeniceStreamTransportError => {
  const reason = Pipeline.transportReason(cause).reason === "protocol" ? "protocol" : "reset"
  return new StreamError.VeniceStreamTransportError({
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

/** Which bound of a stream's waits fired. */
export type Bound = "first-event" | "idle"

/** The first-event or the idle bound fired (`unit`: what `received` counts). */
export const boundError = (
  ctx: StreamContext,
  received: number,
  which: Bound,
  after: Duration.Duration,
  unit: "event(s)" | "byte(s)" = "event(s)"
) =>
  new StreamError.VeniceStreamTransportError({
    ...fields(
      ctx,
      received,
      which === "first-event"
        ? `no data within ${Duration.format(after)} of the response headers (first-event timeout; keep-alive comments do not count)`
        : `no data for ${Duration.format(after)} (idle timeout; keep-alive comments do not count) after ${received} ${unit}`
    ),
    reason: which === "first-event" ? "first-event-timeout" : "idle-timeout"
  })

/** The bounds of a stream's waits, resolved (W6, W7). */
export interface Bounds {
  readonly firstEvent: Duration.Duration
  readonly idle: Duration.Duration
}

/** The bounds of a stream: what the caller set, else {@link StreamError.defaultBounds}. */
export const boundsOf = (options: {
  readonly firstEventTimeout?: Duration.DurationInput | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
}): Bounds => ({
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
      return Effect.timeoutFail(pull, { duration: Duration.millis(left), onTimeout: () => Option.some(onTimeout(which, after)) })
    }))
  }))

/** The bounded raw text of an event. */
export const bound = (data: string): string => ErrorBody.bound(data)

// ─── SSE ─────────────────────────────────────────────────────────────────────────────────────────

/** Options of an SSE stream. */
export interface SseOptions {
  readonly maxEventBytes?: number | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
  readonly firstEventTimeout?: Duration.DurationInput | undefined
}

/** Per-response state the handler reports through: how many values it emitted. */
export interface Counter {
  received: number
}

/**
 * Decodes one response's SSE body with `handler` in a single Channel loop (the SSE parser's), then maps every
 * failure — transport, oversized event, the handler's own — to a stream error in one place.
 */
export const sse = <A>(
  ctx: StreamContext,
  body: Stream.Stream<Uint8Array, HttpClientError.ResponseError>,
  counter: Counter,
  handler: (event: Sse.Event) => Sse.Step<A, StreamError.VeniceStreamError>,
  onEnd: (end: Sse.EndOfStream) => Sse.Step<never, StreamError.VeniceStreamError>,
  options: SseOptions
): Stream.Stream<A, StreamError.VeniceStreamError> => {
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
    Stream.mapError((error): StreamError.VeniceStreamError => {
      if (StreamError.isVeniceStreamError(error)) return error
      if (error._tag === "SseEventTooLargeError") {
        return new StreamError.VeniceStreamTooLargeError({
          ...fields(ctx, counter.received, `${error.message} after ${counter.received} event(s)`),
          limit: error.limit,
          size: error.size
        })
      }
      return transportError(ctx, counter.received, error.cause)
    })
  )
}

/** The end of an SSE stream that needed a terminator: truncation. */
export const truncated = (ctx: StreamContext, counter: Counter, terminator: string) => (end: Sse.EndOfStream) =>
  Sse.fail(
    new StreamError.VeniceStreamTruncatedError({
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

/** An in-band `{"error": …}` payload (or an `event: error` event) as a stream error. */
export const eventError = (
  ctx: StreamContext,
  received: number,
  payload: unknown,
  data: string
): StreamError.VeniceStreamEventError => {
  const inner = Predicate.hasProperty(payload, "error") ? payload.error : payload
  const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)
  let message: string | undefined
  let type: string | undefined
  let code: string | undefined
  let param: string | undefined
  let retryAfter: number | undefined
  if (typeof inner === "string") message = inner
  else if (Predicate.isRecord(inner)) {
    message = str(inner.message)
    type = str(inner.type)
    code = typeof inner.code === "number" ? String(inner.code) : str(inner.code)
    param = str(inner.param)
    const r = inner.retry_after
    const n = typeof r === "number" ? r : typeof r === "string" && r.trim() !== "" ? Number(r) : NaN
    if (Number.isFinite(n) && n >= 0 && n < 86_400 * 7) retryAfter = n
  }
  const what = code ?? type ?? "error"
  return new StreamError.VeniceStreamEventError({
    ...fields(ctx, received, `in-band ${what} after ${received} event(s): ${message ?? bound(data).slice(0, 200)}`),
    ...(type !== undefined ? { type } : {}),
    ...(code !== undefined ? { code } : {}),
    ...(param !== undefined ? { param } : {}),
    ...(retryAfter !== undefined ? { retryAfter: Duration.seconds(retryAfter) } : {}),
    raw: bound(data)
  })
}

/** An event whose data is not the expected JSON. */
export const decodeError = (
  ctx: StreamContext,
  received: number,
  reason: "json" | "shape",
  data: string,
  detail?: string
): StreamError.VeniceStreamDecodeError =>
  new StreamError.VeniceStreamDecodeError({
    ...fields(
      ctx,
      received,
      reason === "json"
        ? `event ${received + 1} is not valid JSON`
        : `event ${received + 1} does not have the expected shape${detail !== undefined ? `: ${detail}` : ""}`
    ),
    reason,
    raw: bound(data)
  })

// ─── opening ─────────────────────────────────────────────────────────────────────────────────────

/**
 * An opened stream: the response's facts, and its values. When `first` failed with a stream error that is not
 * retried (an in-band error as the first event, a malformed first event), `values` fails with it.
 */
export interface Opened<A> {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly meta: ResponseMeta.ResponseMeta
  readonly facts: ClientError.CallFacts
  readonly values: Stream.Stream<A, StreamError.VeniceStreamError>
}

/** Response content types that cannot be the stream asked for (a proxy answered, or `stream` was ignored). */
const notAStream = (contentType: string | undefined, expected: "sse" | "audio"): boolean => {
  if (contentType === undefined) return false
  const ct = contentType.toLowerCase()
  if (expected === "sse") return ct.includes("json") || ct.includes("html")
  return ct.includes("json") || ct.includes("html") || ct.startsWith("text/")
}

/**
 * Sends `spec` through the client (retries, pacing, budget guard, span) and waits, inside the attempt, for the first
 * element of `decode(raw)`: an HTTP error, a transport failure before or after the headers, or a body that ends or
 * breaks before its first element fails the attempt and is retried by the policy like any call (S3). The first
 * element commits the attempt; from then on nothing is retried implicitly. The body is released when `scope` closes
 * (or when the values end or are interrupted).
 */
export const open = <A, R>(
  spec: VeniceClient.RequestSpec,
  expected: "sse" | "audio",
  decode: (raw: VeniceClient.RawResponse, ctx: StreamContext) => Stream.Stream<A, StreamError.VeniceStreamError>,
  options: VeniceClient.CallOptions<R> | undefined
): Effect.Effect<Opened<A>, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R | Scope.Scope> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const outer = yield* Effect.scope
    return yield* client.execute<Opened<A>, R, never>(
      spec,
      (raw) =>
        Effect.gen(function*() {
          const headers = raw.response.headers
          const ctx: StreamContext = {
            operation: spec.operation,
            facts: raw.facts,
            requestId: headers["x-request-id"],
            cfRay: headers["cf-ray"],
            veniceVersion: headers["x-venice-version"]
          }
          if (notAStream(headers["content-type"], expected)) {
            // read at most 64 KiB of it: it is only kept for the error
            const bytes = yield* Effect.orElseSucceed(
              Pipeline.readBounded(raw.response, 65_536, (reason, message) =>
                new ClientError.TransportError({ provider: "venice", ...raw.facts, reason, message, maybeDelivered: true })),
              () => new Uint8Array(0)
            )
            const text = new TextDecoder().decode(bytes)
            return yield* new ClientError.ResponseDecodeError({
              provider: "venice",
              ...raw.facts,
              status: raw.response.status,
              operation: spec.operation,
              message: `venice ${spec.operation}: expected a ${
                expected === "sse" ? "text/event-stream" : "audio"
              } body, got ${headers["content-type"]}`,
              raw: ErrorBody.bound(text),
              ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {})
            })
          }
          const values = yield* StreamStart.commitOnFirst(decode(raw, ctx), {
            scope: outer,
            // before the first element, a broken or ended connection is a transport failure of this attempt (the
            // client's policy retries it); anything else (an in-band error as the first event, a malformed first
            // event, an oversized one) is the stream's own
            beforeFirst: (error): Option.Option<ClientError.TransportError> =>
              error._tag === "VeniceStreamTransportError" || error._tag === "VeniceStreamTruncatedError"
                ? Option.some(
                  new ClientError.TransportError({
                    provider: "venice",
                    ...raw.facts,
                    reason: error._tag === "VeniceStreamTransportError" &&
                        (error.reason === "idle-timeout" || error.reason === "first-event-timeout")
                      ? "timeout"
                      : error._tag === "VeniceStreamTransportError" && error.reason === "protocol"
                      ? "protocol"
                      : "reset",
                    message: `${error.message} (before the first event)`,
                    maybeDelivered: true
                  })
                )
                : Option.none()
          })
          return { status: raw.response.status, headers, facts: raw.facts, meta: raw.meta, values }
        }),
      { ...options, bodyConsumedLater: true }
    )
  })
