/**
 * Novita's OpenAI-compatible chat completions (`POST /openai/v1/chat/completions`): plain, and streamed as a
 * `Stream` of `chat.completion.chunk` objects (S1–S3, S6). Requests are validated locally first (B2).
 *
 * A stream is decoded by core's `Sse.decode` with one per-event handler — `JSON.parse`, end at `data: [DONE]`, fail on
 * an in-band `{"error": …}` event with {@link NovitaStreamError.NovitaStreamEventError} — and an end without `[DONE]`
 * is a {@link NovitaStreamError.NovitaStreamTruncatedError}. Everything up to the first event is part of the call's
 * attempt (core's `StreamStart.commitOnFirst`): HTTP errors, a connection lost before or after the headers, a body
 * that ends before any event are retried by the client's policy; the first event commits, after it nothing is
 * retried implicitly.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { NovitaChat } from "@venice-effect/novita"
 *
 * const request = { model: "meta-llama/llama-3.1-8b-instruct", messages: [{ role: "user" as const, content: "Hi" }] }
 *
 * const print = NovitaChat.stream(request).pipe(
 *   NovitaChat.textDeltas,
 *   Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text))),
 *   Effect.catchTag("NovitaStreamEventError", (e) => Effect.logWarning(`in-band ${e.reason}: ${e.message}`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as ClientError from "@venice-effect/core/ClientError"
import * as ErrorBody from "@venice-effect/core/ErrorBody"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Sse from "@venice-effect/core/Sse"
import * as StreamStart from "@venice-effect/core/StreamStart"
import type * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as NovitaClient from "./NovitaClient.js"
import * as NovitaErrorCatalog from "./NovitaErrorCatalog.js"
import type * as NovitaRetryPolicy from "./NovitaRetryPolicy.js"
import * as NovitaStreamError from "./NovitaStreamError.js"

// ─── schemas ─────────────────────────────────────────────────────────────────────────────────────

const Extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * One content part of a message (`{type: "text", text}`, `{type: "image_url", image_url}` …), members kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ContentPart = Schema.Struct({ type: Schema.String }, Extra).annotations({ identifier: "ContentPart" })

/**
 * A chat message.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatMessage = Schema.Struct({
  role: Schema.Literal("system", "developer", "user", "assistant", "tool"),
  content: Schema.optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Array(ContentPart)))),
  name: Schema.optional(Schema.String),
  tool_call_id: Schema.optional(Schema.String),
  tool_calls: Schema.optional(Schema.Array(Schema.Unknown))
}).annotations({ identifier: "ChatMessage" })

/**
 * A chat request: the fields the SDK checks locally, plus any other member (model-specific parameters such as
 * `repetition_penalty`, `min_p`, `separate_reasoning` pass through untouched).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionRequest = Schema.Struct(
  {
    model: Schema.String.pipe(Schema.minLength(1, { message: () => "model must be a non-empty string" })),
    messages: Schema.Array(ChatMessage).pipe(Schema.minItems(1, { message: () => "messages must not be empty" })),
    max_tokens: Schema.optional(Schema.Int.pipe(Schema.positive())),
    temperature: Schema.optional(Schema.Number.pipe(Schema.between(0, 2))),
    top_p: Schema.optional(Schema.Number.pipe(Schema.between(0, 1))),
    top_k: Schema.optional(Schema.Int.pipe(Schema.nonNegative())),
    n: Schema.optional(Schema.Int.pipe(Schema.positive())),
    stream: Schema.optional(Schema.Boolean),
    stream_options: Schema.optional(Schema.Struct({ include_usage: Schema.optional(Schema.Boolean) })),
    stop: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
    presence_penalty: Schema.optional(Schema.Number.pipe(Schema.between(-2, 2))),
    frequency_penalty: Schema.optional(Schema.Number.pipe(Schema.between(-2, 2))),
    seed: Schema.optional(Schema.Int),
    user: Schema.optional(Schema.String)
  },
  Extra
).annotations({ identifier: "ChatCompletionRequest" })

/**
 * A chat request as JSON (what you would send with `fetch`).
 *
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionRequest = typeof ChatCompletionRequest.Encoded

/**
 * Token usage.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Usage = Schema.Struct({
  prompt_tokens: Schema.Number,
  completion_tokens: Schema.Number,
  total_tokens: Schema.Number
})

/**
 * A completion (`object: "chat.completion"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletion = Schema.Struct({
  id: Schema.String,
  object: Schema.String,
  created: Schema.Number,
  model: Schema.String,
  choices: Schema.Array(Schema.Struct({
    index: Schema.Number,
    message: Schema.Struct({
      role: Schema.String,
      content: Schema.optional(Schema.NullOr(Schema.String)),
      reasoning_content: Schema.optional(Schema.NullOr(Schema.String)),
      tool_calls: Schema.optional(Schema.NullOr(Schema.Array(Schema.Unknown)))
    }),
    finish_reason: Schema.optional(Schema.NullOr(Schema.String))
  })),
  usage: Schema.optional(Schema.NullOr(Usage))
}).annotations({ identifier: "ChatCompletion" })

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletion = typeof ChatCompletion.Type

/**
 * One streamed chunk (`object: "chat.completion.chunk"`): `choices[i].delta` carries the increments; a usage chunk
 * may come last.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunk = Schema.Struct({
  id: Schema.String,
  object: Schema.String,
  created: Schema.Number,
  model: Schema.String,
  choices: Schema.Array(Schema.Struct({
    index: Schema.Number,
    delta: Schema.Struct({
      role: Schema.optional(Schema.String),
      content: Schema.optional(Schema.NullOr(Schema.String)),
      reasoning_content: Schema.optional(Schema.NullOr(Schema.String)),
      tool_calls: Schema.optional(Schema.NullOr(Schema.Array(Schema.Unknown)))
    }),
    finish_reason: Schema.optional(Schema.NullOr(Schema.String))
  })),
  usage: Schema.optional(Schema.NullOr(Usage))
}).annotations({ identifier: "ChatCompletionChunk" })

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionChunk = typeof ChatCompletionChunk.Type

// ─── plain ───────────────────────────────────────────────────────────────────────────────────────

const OPERATION = "chat.completions"
const PATH = "/openai/v1/chat/completions"

/**
 * A chat completion, with the response's status, headers and request id. Validated locally first; `stream` is sent
 * as `false`.
 *
 * @since 0.1.0
 * @category completions
 */
export const completionsResponse = <R = never>(
  request: ChatCompletionRequest,
  options?: NovitaClient.CallOptions<R>
): Effect.Effect<
  NovitaClient.Response<ChatCompletion>,
  NovitaRetryPolicy.NovitaClientError,
  NovitaClient.NovitaClient | R
> =>
  Effect.gen(function*() {
    const client = yield* NovitaClient.NovitaClient
    const body = { ...request, stream: false }
    yield* NovitaClient.validateRequest(OPERATION, ChatCompletionRequest, body)
    return yield* client.json(
      { operation: OPERATION, method: "POST", path: PATH, body, model: request.model },
      ChatCompletion,
      options
    )
  })

/**
 * A chat completion.
 *
 * @since 0.1.0
 * @category completions
 */
export const completions = <R = never>(
  request: ChatCompletionRequest,
  options?: NovitaClient.CallOptions<R>
): Effect.Effect<ChatCompletion, NovitaRetryPolicy.NovitaClientError, NovitaClient.NovitaClient | R> =>
  Effect.map(completionsResponse(request, options), (response) => response.value)

/**
 * The first choice's text (`undefined` when it has none).
 *
 * @since 0.1.0
 * @category getters
 */
export const text = (completion: ChatCompletion): string | undefined => completion.choices[0]?.message.content ?? undefined

// ─── streaming ───────────────────────────────────────────────────────────────────────────────────

/**
 * Options of a chat stream: the per-call options, and
 *
 * - `maxEventBytes` (default 1 MiB): one event above this fails the stream ({@link NovitaStreamError.NovitaStreamTooLargeError});
 * - `firstEventTimeout` (default 2 minutes): no data event this long after the response headers fails the attempt with
 *   a `TransportError` (`timeout`) naming the bound — retried by the call's policy like any failure before the first
 *   event;
 * - `idleTimeout` (default 60 s): no data event for this long once the stream has started fails it with
 *   {@link NovitaStreamError.NovitaStreamTransportError} (`idle-timeout`).
 *
 * Keep-alive comments count for neither bound: a stream that sends only comments ends. `Duration.infinity` turns a
 * bound off.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions<R = never> extends NovitaClient.CallOptions<R> {
  readonly maxEventBytes?: number | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
  readonly firstEventTimeout?: Duration.DurationInput | undefined
}

/**
 * An opened stream with the facts of the response that carries it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly requestId: string | undefined
  /** The chunks. Run it once; the connection is released when it ends, fails or is interrupted. */
  readonly chunks: Stream.Stream<ChatCompletionChunk, NovitaStreamError.NovitaStreamError>
}

interface StreamContext {
  readonly operation: string
  readonly facts: ClientError.CallFacts
  readonly requestId: string | undefined
}

const fields = (ctx: StreamContext, received: number, message: string) => ({
  provider: "novita",
  ...ctx.facts,
  operation: ctx.operation,
  ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
  received,
  message: `novita ${ctx.operation}: ${message}`
})

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

/** The catalog code an in-band `reason` (or OpenAI-style `code`) names: the LLM table first. */
const catalogCode = (reason: string | undefined): NovitaErrorCatalog.NovitaErrorCode | undefined => {
  if (reason === undefined) return undefined
  const row = NovitaErrorCatalog.resolve(reason, { route: PATH }).pipe(
    Option.orElse(() => NovitaErrorCatalog.resolve(reason.toUpperCase(), { route: PATH }))
  )
  return Option.isSome(row) ? row.value.code : undefined
}

/** An in-band error payload: `{error: …}` (OpenAI-style) or Novita's `{code, reason, message}`, never a chunk. */
const isErrorPayload = (json: unknown): json is Record<string, unknown> =>
  Predicate.isRecord(json) && json.choices === undefined &&
  (json.error != null || typeof json.reason === "string")

const eventError = (
  ctx: StreamContext,
  received: number,
  payload: unknown,
  data: string
): NovitaStreamError.NovitaStreamEventError => {
  const inner = Predicate.isRecord(payload) && payload.error != null ? payload.error : payload
  let message: string | undefined
  let type: string | undefined
  let reason: string | undefined
  let statusCode: number | undefined
  if (typeof inner === "string") message = inner
  else if (Predicate.isRecord(inner)) {
    message = str(inner.message)
    type = str(inner.type)
    reason = str(inner.reason) ?? str(inner.code)
    statusCode = typeof inner.code === "number" ? inner.code : typeof inner.status === "number" ? inner.status : undefined
  }
  const code = catalogCode(reason)
  return new NovitaStreamError.NovitaStreamEventError({
    ...fields(
      ctx,
      received,
      `in-band ${reason ?? type ?? "error"} after ${received} chunk(s): ${message ?? ErrorBody.bound(data, 200)}`
    ),
    ...(code !== undefined ? { code } : {}),
    ...(reason !== undefined ? { reason } : {}),
    ...(type !== undefined ? { type } : {}),
    ...(statusCode !== undefined ? { statusCode } : {}),
    raw: ErrorBody.bound(data)
  })
}

const decodeError = (ctx: StreamContext, received: number, reason: "json" | "shape", data: string) =>
  new NovitaStreamError.NovitaStreamDecodeError({
    ...fields(
      ctx,
      received,
      reason === "json" ? `event ${received + 1} is not valid JSON` : `event ${received + 1} is not a chat.completion.chunk`
    ),
    reason,
    raw: ErrorBody.bound(data)
  })

const isChunk = Schema.is(ChatCompletionChunk)

/** The bounds of a stream's waits, resolved. */
interface Bounds {
  readonly firstEvent: Duration.Duration
  readonly idle: Duration.Duration
}

/**
 * Bounds the waits of a body: until `progress()` first moves (the first data event) at most `bounds.firstEvent` from
 * the first pull (the response headers), then at most `bounds.idle` from each move to the next. `progress` is read
 * before each pull, so bytes that complete no event (keep-alive comments) do not count. (The same as Venice's streams;
 * a shared stream kit is issue 14.)
 */
const bounded = <E, E2>(
  body: Stream.Stream<Uint8Array, E>,
  progress: () => number,
  bounds: Bounds,
  onTimeout: (which: "first-event" | "idle", after: Duration.Duration) => E2
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
      const which = moved === 0 ? "first-event" : "idle"
      const after = which === "first-event" ? bounds.firstEvent : bounds.idle
      const left = since + Duration.toMillis(after) - now
      if (!Number.isFinite(left)) return pull
      if (left <= 0) return Effect.fail(Option.some(onTimeout(which, after)))
      return Effect.timeoutFail(pull, { duration: Duration.millis(left), onTimeout: () => Option.some(onTimeout(which, after)) })
    }))
  }))

/**
 * Decodes one response's SSE body: one `Sse.decode` loop with the chat handler, every failure mapped to a stream
 * error in one place.
 */
const decodeBody = (
  ctx: StreamContext,
  body: Stream.Stream<Uint8Array, HttpClientError.ResponseError>,
  options: { readonly maxEventBytes?: number | undefined; readonly bounds: Bounds }
): Stream.Stream<ChatCompletionChunk, NovitaStreamError.NovitaStreamError> =>
  Stream.suspend(() => {
    let received = 0
    // data events dispatched (comments never are): what the stream's bounds count
    let events = 0
    const handler = (event: Sse.Event): Sse.Step<ChatCompletionChunk, NovitaStreamError.NovitaStreamError> => {
      events++
      const data = event.data
      if (data === "[DONE]") return Sse.end
      if (data.length === 0) return Sse.skip
      let json: unknown
      try {
        json = JSON.parse(data)
      } catch {
        return Sse.fail(
          event.event === "error" ? eventError(ctx, received, data, data) : decodeError(ctx, received, "json", data)
        )
      }
      if (event.event === "error" || isErrorPayload(json)) return Sse.fail(eventError(ctx, received, json, data))
      if (!isChunk(json)) return Sse.fail(decodeError(ctx, received, "shape", data))
      received++
      return Sse.emit(json)
    }
    const onEnd = (end: Sse.EndOfStream) =>
      Sse.fail(
        new NovitaStreamError.NovitaStreamTruncatedError({
          ...fields(
            ctx,
            received,
            `the stream ended without data: [DONE] after ${received} chunk(s)${
              end.incomplete ? " (a partial event was dropped)" : ""
            }`
          ),
          incomplete: end.incomplete
        })
      )
    const source = bounded(body, () => events, options.bounds, (which, after) =>
      new NovitaStreamError.NovitaStreamTransportError({
        ...fields(
          ctx,
          received,
          which === "first-event"
            ? `no data within ${Duration.format(after)} of the response headers (first-event timeout; keep-alive comments do not count)`
            : `no data for ${Duration.format(after)} (idle timeout; keep-alive comments do not count) after ${received} chunk(s)`
        ),
        reason: which === "first-event" ? "first-event-timeout" : "idle-timeout"
      }))
    return source.pipe(
      Sse.decode(handler, { maxEventBytes: options.maxEventBytes, onEnd }),
      Stream.mapError((error): NovitaStreamError.NovitaStreamError => {
        if (NovitaStreamError.isNovitaStreamError(error)) return error
        if (error._tag === "SseEventTooLargeError") {
          return new NovitaStreamError.NovitaStreamTooLargeError({
            ...fields(ctx, received, `${error.message} after ${received} chunk(s)`),
            limit: error.limit,
            size: error.size
          })
        }
        const reason = Pipeline.transportReason(error.cause).reason === "protocol" ? "protocol" : "reset"
        return new NovitaStreamError.NovitaStreamTransportError({
          ...fields(
            ctx,
            received,
            reason === "protocol"
              ? `malformed HTTP body after ${received} chunk(s)`
              : `connection reset or closed mid-stream after ${received} chunk(s)`
          ),
          reason
        })
      })
    )
  })

/** Before the first event, a broken or ended connection is a transport failure of the attempt (retried). */
const beforeFirst = (
  facts: ClientError.CallFacts
) =>
(error: NovitaStreamError.NovitaStreamError): Option.Option<ClientError.TransportError> =>
  error._tag === "NovitaStreamTransportError" || error._tag === "NovitaStreamTruncatedError"
    ? Option.some(
      new ClientError.TransportError({
        provider: "novita",
        ...facts,
        reason: error._tag === "NovitaStreamTransportError"
          ? (error.reason === "idle-timeout" || error.reason === "first-event-timeout" ? "timeout" : error.reason)
          : "reset",
        message: `${error.message} (before the first event)`,
        maybeDelivered: true
      })
    )
    : Option.none()

/**
 * Opens a chat stream: validates the request locally, sends it with `stream: true` through the client's pipeline,
 * and returns once the first event has arrived (everything before it is retried by the client's policy), with the
 * response's facts. The connection is released when `chunks` ends, fails or is interrupted, or when the scope
 * closes.
 *
 * @since 0.1.0
 * @category streaming
 */
export const streamWithMeta = <R = never>(
  request: ChatCompletionRequest,
  options: StreamOptions<R> = {}
): Effect.Effect<
  StreamResponse,
  NovitaRetryPolicy.NovitaClientError,
  NovitaClient.NovitaClient | R | Scope.Scope
> => {
  const { firstEventTimeout, idleTimeout, maxEventBytes, ...callOptions } = options
  const bounds: Bounds = {
    firstEvent: firstEventTimeout === undefined ? NovitaStreamError.defaultBounds.firstEvent : Duration.decode(firstEventTimeout),
    idle: idleTimeout === undefined ? NovitaStreamError.defaultBounds.idle : Duration.decode(idleTimeout)
  }
  return Effect.gen(function*() {
    const client = yield* NovitaClient.NovitaClient
    const scope = yield* Effect.scope
    const body = { ...request, stream: true }
    yield* NovitaClient.validateRequest(OPERATION, ChatCompletionRequest, body)
    const firstEventWithin = callOptions.timeout !== undefined ? Duration.decode(callOptions.timeout) : client.timeout
    return yield* client.execute(
      { operation: OPERATION, method: "POST", path: PATH, body, model: request.model, headers: { accept: "text/event-stream" } },
      (raw) =>
        Effect.gen(function*() {
          const headers = raw.response.headers
          const ctx: StreamContext = { operation: OPERATION, facts: raw.facts, requestId: headers["x-request-id"] }
          const contentType = (headers["content-type"] ?? "").toLowerCase()
          if (contentType.includes("json") || contentType.includes("html")) {
            // read at most 64 KiB of it: it is only kept for the error
            const bytes = yield* Effect.orElseSucceed(
              Pipeline.readBounded(raw.response, 65_536, (reason, message) =>
                new ClientError.TransportError({ provider: "novita", ...raw.facts, reason, message, maybeDelivered: true })),
              () => new Uint8Array(0)
            )
            const text = new TextDecoder().decode(bytes)
            return yield* new ClientError.ResponseDecodeError({
              provider: "novita",
              ...raw.facts,
              status: raw.response.status,
              operation: OPERATION,
              message: `novita ${OPERATION}: expected a text/event-stream body, got ${contentType}`,
              raw: ErrorBody.bound(text),
              ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {})
            })
          }
          const chunks = yield* StreamStart.commitOnFirst(
            decodeBody(ctx, raw.response.stream, { maxEventBytes, bounds }),
            { scope, beforeFirst: beforeFirst(raw.facts) }
          ).pipe(
            Effect.timeoutFail({
              duration: firstEventWithin,
              onTimeout: () =>
                new ClientError.TransportError({
                  provider: "novita",
                  ...raw.facts,
                  reason: "timeout",
                  message: `novita ${OPERATION}: no event within ${Duration.format(firstEventWithin)}`,
                  maybeDelivered: true
                })
            })
          )
          return { status: raw.response.status, headers, requestId: ctx.requestId, chunks } satisfies StreamResponse
        }),
      callOptions
    )
  })
}

/**
 * Streams a chat completion: `Stream<ChatCompletionChunk, NovitaStreamError | NovitaClientError>`. The request is
 * sent when the stream runs (each run sends it again).
 *
 * @since 0.1.0
 * @category streaming
 */
export const stream = <R = never>(
  request: ChatCompletionRequest,
  options?: StreamOptions<R>
): Stream.Stream<
  ChatCompletionChunk,
  NovitaStreamError.NovitaStreamError | NovitaRetryPolicy.NovitaClientError,
  NovitaClient.NovitaClient | R
> => Stream.unwrapScoped(Effect.map(streamWithMeta(request, options), (response) => response.chunks))

/**
 * The `content` text of a chunk's first choice (`""` when none).
 *
 * @since 0.1.0
 * @category getters
 */
export const contentOf = (chunk: ChatCompletionChunk): string => chunk.choices[0]?.delta.content ?? ""

/**
 * The first choice's `content` increments, empty ones dropped.
 *
 * @since 0.1.0
 * @category combinators
 */
export const textDeltas = <E, R>(self: Stream.Stream<ChatCompletionChunk, E, R>): Stream.Stream<string, E, R> =>
  Stream.filterMap(self, (chunk) => {
    const content = contentOf(chunk)
    return content.length > 0 ? Option.some(content) : Option.none()
  })
