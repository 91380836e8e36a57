/**
 * `POST /responses` (OpenAI Responses API shape): {@link create} for one response, {@link stream} for the typed event
 * stream (`event:` + `data:` SSE, S4) that fails with a tagged `ResponseFailedError` on `response.failed`.
 *
 * The stream follows the chat stream's rules (S3, S6, B1): everything up to the first event is retried by the
 * client's policy; after it nothing is retried implicitly; an end before `response.completed` /
 * `response.incomplete` (or `[DONE]`) is a `StreamTruncatedError`; a reset is a `StreamTransportError`;
 * an event above `maxEventBytes` (default 1 MiB) a `StreamTooLargeError`. Every event is decoded by Schema
 * (`ResponseStreamEvent`: unknown event types are kept, not fatal).
 *
 * @example
 * ```ts
 * import { Option, Stream } from "effect"
 * import { Responses } from "@venice-effect/venice"
 *
 * const text = Responses.stream({ model: "venice-uncensored", input: "Write a haiku" }).pipe(
 *   Stream.filterMap((event) =>
 *     event.type === "response.output_text.delta" ? Option.some(event.delta) : Option.none()
 *   ),
 *   Stream.mkString
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as ErrorBody from "@venice-effect/core/ErrorBody"
import * as Sse from "@venice-effect/core/Sse"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import { jsonEndpoint } from "./internal/endpoint.js"
import * as Streaming from "./internal/streaming.js"
import type * as ResponseMeta from "./ResponseMeta.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Responses.js"
import * as StreamError from "./StreamError.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * A `/responses` request as JSON; `stream` is set by {@link create} / {@link stream}.
 *
 * @since 0.1.0
 * @category models
 */
export type ResponsesRequest = typeof Schemas.ResponsesRequest.Encoded

/**
 * @since 0.1.0
 * @category models
 */
export type ResponsesResponse = Schemas.ResponsesResponse

/**
 * @since 0.1.0
 * @category models
 */
export type ResponseStreamEvent = Schemas.ResponseStreamEvent

const OPERATION = "responses"

const endpoint = jsonEndpoint({
  operation: OPERATION,
  method: "POST",
  path: "responses",
  request: Schemas.ResponsesRequest,
  response: Schemas.ResponsesResponse,
  model: (req) => req.model,
  // Venice buckets its error budget per `user` (skill venice-responses): so does the client's guard
  user: (req) => req.user,
  bodyOf: (req) => ({ ...req, stream: false })
})

/**
 * Creates a response (non-streamed) and returns it with the response's header facts.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const createWithMeta = <R = never>(
  request: ResponsesRequest,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<
  VeniceClient.Response<ResponsesResponse>,
  RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> => endpoint({ ...request, stream: false }, options)

/**
 * Creates a response (non-streamed). `response.outputText` is the concatenated text.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const create = <R = never>(
  request: ResponsesRequest,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<ResponsesResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(createWithMeta(request, options), (response) => response.value)

/**
 * Options of a `/responses` stream: the per-call options, `maxEventBytes` (default 1 MiB, S6), and the bounds of
 * its waits as for chat streams: `firstEventTimeout` (default 2 minutes from the headers to the first event, then a
 * `TransportError` the call's policy retries) and `idleTimeout` (default 60 s between events once started, then
 * `StreamTransportError` `idle-timeout`); keep-alive comments count for neither.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions<R = never> extends VeniceClient.CallOptions<R> {
  readonly maxEventBytes?: number | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
  readonly firstEventTimeout?: Duration.DurationInput | undefined
}

/**
 * An opened `/responses` stream with the facts of its response.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly meta: ResponseMeta.ResponseMeta
  readonly events: Stream.Stream<ResponseStreamEvent, StreamError.StreamError>
}

const decodeEvent = Schema.decodeUnknownEither(Schemas.ResponseStreamEvent, { errors: "first" })
const isFailedEvent = Schema.is(Schemas.ResponseFailedEvent)

const failedError = (
  ctx: Streaming.StreamContext,
  received: number,
  event: typeof Schemas.ResponseFailedEvent.Type,
  data: string
): StreamError.ResponseFailedError => {
  const error = event.response.error
  return new StreamError.ResponseFailedError({
    ...Streaming.fields(
      ctx,
      received,
      `response.failed after ${received} event(s)${error != null ? `: ${error.code}: ${error.message}` : ""}`
    ),
    ...(error != null ? { code: error.code } : {}),
    responseId: event.response.id,
    raw: ErrorBody.bound(data)
  })
}

/** An in-band error: an object with `error` that is not an event (events have a `type`). */
const isErrorPayload = (json: unknown): boolean =>
  Predicate.isRecord(json) && json.error != null && json.type === undefined

/**
 * core's JSON event step (`[DONE]`, parse failures, in-band errors) with Venice's typed events: each payload is
 * decoded by the event schema, `response.failed` fails the stream (S4), a terminal event is noted.
 */
const handler = (ctx: Streaming.StreamContext, counter: Streaming.Counter, state: { terminal: boolean }) => {
  let decoded: Either.Either<ResponseStreamEvent, ParseResult.ParseError> | undefined
  const step = Streaming.jsonEvents(ctx, counter, {
    terminator: "[DONE]",
    isError: isErrorPayload,
    isValue: (json): json is unknown => {
      decoded = decodeEvent(json)
      return Either.isRight(decoded)
    },
    shapeDetail: () =>
      decoded !== undefined && Either.isLeft(decoded)
        ? ParseResult.TreeFormatter.formatErrorSync(decoded.left).split("\n").slice(0, 6).join(" ")
        : undefined
  })
  return (event: Sse.Event): Sse.Step<ResponseStreamEvent, StreamError.StreamError> => {
    const next = step(event)
    if (next._tag !== "Emit") return next
    // always set here: `isValue` decoded the payload it let through
    const value = decoded !== undefined && Either.isRight(decoded) ? decoded.right : undefined
    if (value === undefined) return Sse.skip
    if (value.type === "response.failed") {
      // not a value of the stream: the generic step counted it
      counter.received--
      return Sse.fail(
        isFailedEvent(value)
          ? failedError(ctx, counter.received, value, event.data)
          : Streaming.decodeError(ctx, counter.received, "shape", event.data, "response.failed without its response")
      )
    }
    if (Schemas.isTerminalEvent(value)) state.terminal = true
    return Sse.emit(value)
  }
}

/**
 * Opens a `/responses` stream: validates the request locally, sends it with `stream: true`, and returns once the
 * first event has arrived (everything before it is retried by the client's policy), with the response's facts. The
 * connection is released when `events` ends, fails or is interrupted, or when the scope closes.
 *
 * @since 0.1.0
 * @category streaming
 */
export const streamWithMeta = <R = never>(
  request: ResponsesRequest,
  options: StreamOptions<R> = {}
): Effect.Effect<StreamResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R | Scope.Scope> => {
  const { firstEventTimeout, idleTimeout, maxEventBytes, ...callOptions } = options
  return Effect.gen(function*() {
    yield* VeniceClient.validateRequest(OPERATION, Schemas.ResponsesRequest, { ...request, stream: true })
    const opened = yield* Streaming.open(
      {
        operation: OPERATION,
        method: "POST",
        path: "responses",
        body: { _tag: "json", value: { ...request, stream: true } },
        model: request.model,
        user: request.user
      },
      "sse",
      (raw, ctx) =>
        Stream.suspend(() => {
          const counter: Streaming.Counter = { received: 0 }
          const state = { terminal: false }
          const truncated = Streaming.truncated(ctx, counter, "response.completed")
          return Streaming.sse(
            ctx,
            raw.response.stream,
            counter,
            handler(ctx, counter, state),
            (end) => (state.terminal ? Sse.end : truncated(end)),
            { maxEventBytes, idleTimeout, firstEventTimeout }
          )
        }),
      callOptions
    )
    return { status: opened.status, headers: opened.headers, meta: opened.meta, events: opened.values }
  })
}

/**
 * Streams a response's typed events; fails with `ResponseFailedError` on `response.failed` (S4). The
 * request is sent when the stream runs.
 *
 * @since 0.1.0
 * @category streaming
 */
export const stream = <R = never>(
  request: ResponsesRequest,
  options?: StreamOptions<R>
): Stream.Stream<
  ResponseStreamEvent,
  StreamError.StreamError | RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> => Stream.unwrapScoped(Effect.map(streamWithMeta(request, options), (response) => response.events))

/**
 * The final response of a stream (the payload of `response.completed` or `response.incomplete`); fails with a
 * `StreamTruncatedError` when the stream ended without one.
 *
 * @since 0.1.0
 * @category combinators
 */
export const finalResponse = <E, R>(
  self: Stream.Stream<ResponseStreamEvent, E, R>
): Effect.Effect<ResponsesResponse, E | StreamError.StreamTruncatedError, R> =>
  Effect.flatMap(
    Stream.runLast(Stream.filter(self, Schemas.isTerminalEvent)),
    (last) =>
      Option.match(last, {
        onSome: (event) => Effect.succeed(event.response),
        onNone: () =>
          Effect.fail(
            new StreamError.StreamTruncatedError({
              ...Streaming.fields(Streaming.detached(OPERATION), 0, "the stream had no final response"),
              incomplete: false
            })
          )
      })
  )
