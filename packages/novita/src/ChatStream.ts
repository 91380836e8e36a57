/**
 * Novita's streamed chat completions (`POST /openai/v1/chat/completions` with `stream: true`, S1–S3, S6): a
 * `Stream` of `chat.completion.chunk` objects on core's provider streaming (`ProviderStream`), the same machinery as
 * Venice's. It ends at `data: [DONE]`; it fails with core's `StreamError` family (`provider: "novita"`) on an in-band
 * `{"error": …}` (or Novita's `{code, reason, message}`) event, on an end without `[DONE]`, on a connection broken
 * mid-stream, on an event that is not a chunk, or on one above `maxEventBytes`. Everything up to the first event is
 * part of the call's attempt and retried by the client's policy; the first event commits.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ChatStream } from "@venice-effect/novita"
 *
 * const request = { model: "meta-llama/llama-3.1-8b-instruct", messages: [{ role: "user" as const, content: "Hi" }] }
 *
 * const print = ChatStream.stream(request).pipe(
 *   ChatStream.textDeltas,
 *   Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text))),
 *   Effect.catchTag("StreamEventError", (e) => Effect.logWarning(`in-band ${e.reason}: ${e.message}`))
 * )
 * ```
 *
 * @since 0.2.0
 */
import * as ProviderStream from "@venice-effect/core/ProviderStream"
import type * as StreamError from "@venice-effect/core/StreamError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Chat from "./Chat.js"
import * as NovitaClient from "./NovitaClient.js"
import type * as RetryPolicy from "./RetryPolicy.js"

/**
 * Options of a chat stream: the per-call options and the stream's bounds (`maxEventBytes`, `firstEventTimeout`,
 * `idleTimeout`: see core's `ProviderStream.Options`).
 *
 * @since 0.2.0
 * @category models
 */
export interface StreamOptions<R = never> extends NovitaClient.CallOptions<R>, ProviderStream.Options {}

/**
 * An opened stream with the facts of the response that carries it.
 *
 * @since 0.2.0
 * @category models
 */
export interface StreamResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly requestId: string | undefined
  /** The chunks. Run it once; the connection is released when it ends, fails or is interrupted. */
  readonly chunks: Stream.Stream<Chat.ChatCompletionChunk, StreamError.StreamError>
}

/** An in-band error payload: `{error: …}` (OpenAI-style) or Novita's `{code, reason, message}`, never a chunk. */
const isErrorPayload = (json: unknown): boolean =>
  Predicate.isRecord(json) && json.choices === undefined && (json.error != null || typeof json.reason === "string")

const events: ProviderStream.JsonEvents<Chat.ChatCompletionChunk> = {
  terminator: "[DONE]",
  isValue: Schema.is(Chat.ChatCompletionChunk),
  isError: isErrorPayload
}

/**
 * Opens a chat stream: validates the request locally, sends it with `stream: true` through the client's pipeline,
 * and returns once the first event has arrived (everything before it is retried by the client's policy), with the
 * response's facts. The connection is released when `chunks` ends, fails or is interrupted, or when the scope
 * closes.
 *
 * @since 0.2.0
 * @category streaming
 */
export const streamWithMeta = <R = never>(
  request: Chat.ChatCompletionRequest,
  options: StreamOptions<R> = {}
): Effect.Effect<StreamResponse, RetryPolicy.NovitaClientError, NovitaClient.NovitaClient | R | Scope.Scope> => {
  const { firstEventTimeout, idleTimeout, maxEventBytes, ...callOptions } = options
  return Effect.gen(function*() {
    const client = yield* NovitaClient.NovitaClient
    const body = { ...request, stream: true }
    yield* NovitaClient.validateRequest(Chat.OPERATION, Chat.ChatCompletionRequest, body)
    const opened = yield* ProviderStream.open(
      client,
      {
        operation: Chat.OPERATION,
        method: "POST",
        path: Chat.PATH,
        body: { _tag: "json", value: body },
        model: request.model,
        headers: { accept: "text/event-stream" }
      },
      "sse",
      ProviderStream.jsonSse(events, { maxEventBytes, idleTimeout, firstEventTimeout }),
      callOptions
    )
    return { status: opened.status, headers: opened.headers, requestId: opened.requestId, chunks: opened.values }
  })
}

/**
 * Streams a chat completion: `Stream<ChatCompletionChunk, StreamError | NovitaClientError>`. The request is sent when
 * the stream runs (each run sends it again).
 *
 * @since 0.2.0
 * @category streaming
 */
export const stream = <R = never>(
  request: Chat.ChatCompletionRequest,
  options?: StreamOptions<R>
): Stream.Stream<
  Chat.ChatCompletionChunk,
  StreamError.StreamError | RetryPolicy.NovitaClientError,
  NovitaClient.NovitaClient | R
> => Stream.unwrapScoped(Effect.map(streamWithMeta(request, options), (response) => response.chunks))

/**
 * The `content` text of a chunk's first choice (`""` when none).
 *
 * @since 0.2.0
 * @category getters
 */
export const contentOf = (chunk: Chat.ChatCompletionChunk): string => chunk.choices[0]?.delta.content ?? ""

/**
 * The first choice's `content` increments, empty ones dropped.
 *
 * @since 0.2.0
 * @category combinators
 */
export const textDeltas = <E, R>(self: Stream.Stream<Chat.ChatCompletionChunk, E, R>): Stream.Stream<string, E, R> =>
  Stream.filterMap(self, (chunk) => {
    const content = contentOf(chunk)
    return content.length > 0 ? Option.some(content) : Option.none()
  })
