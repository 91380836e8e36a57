/**
 * `POST /chat/completions` (non-streaming): OpenAI-compatible chat with Venice's extensions. The request is validated
 * locally before sending (SPEC B2); failures are tagged errors; fallback models on overload (SPEC R6).
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
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Fallback from "./Fallback.js"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Chat.js"
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
  /** Models to try in order when the request's model is overloaded, offline or at capacity (SPEC R6). */
  readonly fallbackModels?: ReadonlyArray<string> | undefined
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
 * Sends a chat completion and returns it with the response's header facts.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const completionsWithMeta = <R = never>(
  request: ChatCompletionRequest,
  options: ChatOptions<R> = {}
): Effect.Effect<VeniceClient.Response<ChatCompletion>, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> => {
  const { fallbackModels, ...callOptions } = options
  const models = [request.model, ...(fallbackModels ?? [])] as const
  const attempt = Effect.gen(function*() {
    const step = yield* Fallback.CurrentStep
    const client = yield* VeniceClient.VeniceClient
    const model = Option.match(step, { onNone: () => request.model, onSome: (s) => s.model })
    const retry = Fallback.stopOnFallback<unknown, R>(callOptions.retry ?? client.retryPolicy, step)
    return yield* endpoint({ ...request, model, stream: false }, { ...callOptions, retry })
  })
  return Fallback.withModels(attempt, models)
}

/**
 * Sends a chat completion (SPEC R1–R6 apply) and returns it.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const completions = <R = never>(
  request: ChatCompletionRequest,
  options?: ChatOptions<R>
): Effect.Effect<ChatCompletion, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(completionsWithMeta(request, options), (response) => response.value)

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
