/**
 * `POST /chat/completions` (non-streaming): OpenAI-compatible chat with Venice's extensions. The request is validated
 * locally before sending (B2); failures are tagged errors; fallback models on overload (R6).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Chat } from "@venice-effect/venice"
 *
 * const answer = Chat.completions({
 *   model: "venice-uncensored",
 *   messages: [{ role: "user", content: "Why is the sky blue?" }]
 * }).pipe(Effect.map((completion) => completion.choices[0]?.message.content))
 * ```
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as ChatStream from "./ChatStream.js"
import * as Fallback from "./Fallback.js"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Chat.js"
import type * as TextModels from "./schema/TextModels.js"
import type * as StreamError from "./StreamError.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * A chat request as JSON (what you would send with `fetch`).
 *
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionRequest = typeof Schemas.ChatCompletionRequest.Encoded

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletion = Schemas.ChatCompletion

/**
 * Options of a chat call: the per-call options plus fallback models.
 *
 * @since 0.1.0
 * @category models
 */
export interface ChatOptions<R = never> extends VeniceClient.CallOptions<R> {
  /** Models to try in order when the request's model is overloaded, offline or at capacity (R6). */
  readonly fallbackModels?: ReadonlyArray<TextModels.TextModelId> | undefined
}

const endpoint = jsonEndpoint({
  operation: "chat.completions",
  method: "POST",
  path: "chat/completions",
  request: Schemas.ChatCompletionRequest,
  response: Schemas.ChatCompletion,
  model: (req) => req.model,
  user: (req) => req.user
})

/**
 * Options of the opt-in R11 policy: a non-streaming chat that fails with 504 `REQUEST_TIMEOUT` (Venice's message
 * says to use `stream: true`) is re-issued at once as a stream and the stream is collected into the completion
 * (`ChatStream.collect`). The plain call stops retrying `REQUEST_TIMEOUT` (each retry would time out again); other
 * failures retry as usual. The stream's own options (`validate`, `maxEventBytes`, `idleTimeout`) apply to the
 * re-issued call, and its failures ({@link StreamError.StreamError}) join the error type.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOnTimeoutOptions<R = never> extends ChatOptions<R> {
  readonly streamOnTimeout: true
  readonly validate?: boolean | undefined
  readonly maxEventBytes?: number | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
}

type Completion<R> = Effect.Effect<
  VeniceClient.Response<ChatCompletion>,
  RetryPolicy.VeniceClientError | StreamError.StreamError,
  VeniceClient.VeniceClient | R
>

// B3: whatever the caller passes, the call is an Effect that fails typed — a request that is not even an object
// (`null`) is refused by the schema before anything reads its members
const completionsWithMetaImpl = <R>(
  request: ChatCompletionRequest,
  options: ChatOptions<R> | StreamOnTimeoutOptions<R>
): Completion<R> =>
  Effect.suspend(() =>
    Predicate.isObject(request)
      ? completionsOf(request, options)
      : Effect.flatMap(
        VeniceClient.validateRequest("chat.completions", Schemas.ChatCompletionRequest, request),
        () => completionsOf(request, options)
      )
  )

const completionsOf = <R>(
  request: ChatCompletionRequest,
  options: ChatOptions<R> | StreamOnTimeoutOptions<R>
): Completion<R> => {
  const streamOnTimeout = "streamOnTimeout" in options && options.streamOnTimeout === true
  const { fallbackModels, ...rest } = options
  // these fields are StreamOnTimeoutOptions' own, all optional (`streamOnTimeout` aside): on ChatOptions they read undefined
  const { streamOnTimeout: _s, validate, maxEventBytes, idleTimeout, ...callOptions } = rest as StreamOnTimeoutOptions<
    R
  >
  const models = [request.model, ...(fallbackModels ?? [])] as const
  const attempt = Effect.gen(function*() {
    const step = yield* Fallback.CurrentStep
    const client = yield* VeniceClient.VeniceClient
    const model = Option.match(step, { onNone: () => request.model, onSome: (s) => s.model })
    const base = Fallback.stopOnFallback<unknown, R>(callOptions.retry ?? client.retryPolicy, step)
    const retry = streamOnTimeout ? ChatStream.stopOnRequestTimeout(base) : base
    return yield* endpoint({ ...request, model, stream: false }, { ...callOptions, retry })
  })
  const plain = Fallback.withModels(attempt, models)
  if (!streamOnTimeout) return plain
  return Effect.catchIf(plain, ChatStream.isRequestTimeout, () =>
    Effect.scoped(
      Effect.flatMap(
        ChatStream.streamWithMeta(request, { ...callOptions, fallbackModels, validate, maxEventBytes, idleTimeout }),
        (response) =>
          Effect.map(ChatStream.collect(response.chunks), (value): VeniceClient.Response<ChatCompletion> => ({
            value,
            status: response.status,
            headers: response.headers,
            requestId: response.headers["x-request-id"],
            get meta() {
              return response.meta
            }
          }))
      )
    ))
}

/**
 * Sends a chat completion and returns it with the response's header facts. With `streamOnTimeout: true`, a 504
 * `REQUEST_TIMEOUT` is re-issued as a stream and collected (R11, see {@link StreamOnTimeoutOptions}).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const completionsWithMeta: {
  <R = never>(
    request: ChatCompletionRequest,
    options: StreamOnTimeoutOptions<R>
  ): Effect.Effect<
    VeniceClient.Response<ChatCompletion>,
    RetryPolicy.VeniceClientError | StreamError.StreamError,
    VeniceClient.VeniceClient | R
  >
  <R = never>(
    request: ChatCompletionRequest,
    options?: ChatOptions<R>
  ): Effect.Effect<VeniceClient.Response<ChatCompletion>, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>
} = <R>(request: ChatCompletionRequest, options: ChatOptions<R> | StreamOnTimeoutOptions<R> = {}) =>
  // the implementation's error type is the union; the overloads above narrow it by `options` (StreamError only with streamOnTimeout)
  completionsWithMetaImpl(request, options) as Effect.Effect<
    VeniceClient.Response<ChatCompletion>,
    RetryPolicy.VeniceClientError,
    VeniceClient.VeniceClient | R
  >

/**
 * Sends a chat completion (R1–R6 apply) and returns it. With `streamOnTimeout: true`, a 504 `REQUEST_TIMEOUT` is
 * re-issued as a stream and collected (R11).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const completions: {
  <R = never>(
    request: ChatCompletionRequest,
    options: StreamOnTimeoutOptions<R>
  ): Effect.Effect<
    ChatCompletion,
    RetryPolicy.VeniceClientError | StreamError.StreamError,
    VeniceClient.VeniceClient | R
  >
  <R = never>(
    request: ChatCompletionRequest,
    options?: ChatOptions<R>
  ): Effect.Effect<ChatCompletion, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>
} = <R>(request: ChatCompletionRequest, options: ChatOptions<R> | StreamOnTimeoutOptions<R> = {}) =>
  // the implementation's error type is the union; the overloads above narrow it by `options` (StreamError only with streamOnTimeout)
  Effect.map(completionsWithMetaImpl(request, options), (response) => response.value) as Effect.Effect<
    ChatCompletion,
    RetryPolicy.VeniceClientError,
    VeniceClient.VeniceClient | R
  >

/**
 * The text of the first choice, if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const text = (completion: ChatCompletion): string | undefined => {
  const content = completion.choices[0]?.message.content
  return typeof content === "string" ? content : undefined
}
