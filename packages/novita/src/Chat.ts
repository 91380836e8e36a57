/**
 * Novita's OpenAI-compatible chat completions (`POST /openai/v1/chat/completions`): the request and response schemas
 * and the plain call. Requests are validated locally first (B2). Streamed completions are in `ChatStream`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Chat } from "@venice-effect/novita"
 *
 * const request = { model: "meta-llama/llama-3.1-8b-instruct", messages: [{ role: "user" as const, content: "Hi" }] }
 * const text = Chat.completions(request).pipe(Effect.map(Chat.text))
 * ```
 *
 * @since 0.1.0
 */
import * as ProviderEndpoint from "@venice-effect/core/ProviderEndpoint"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as NovitaClient from "./NovitaClient.js"
import type * as RetryPolicy from "./RetryPolicy.js"

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

/** What a message and a delta both carry. */
const output = {
  content: Schema.optional(Schema.NullOr(Schema.String)),
  reasoning_content: Schema.optional(Schema.NullOr(Schema.String)),
  tool_calls: Schema.optional(Schema.NullOr(Schema.Array(Schema.Unknown)))
}

/** A completion object whose choices carry `choice` (a `message`, or a streamed `delta`). */
const completionOf = <Choice extends Schema.Struct.Fields>(choice: Choice) =>
  Schema.Struct({
    id: Schema.String,
    object: Schema.String,
    created: Schema.Number,
    model: Schema.String,
    choices: Schema.Array(
      Schema.Struct({ index: Schema.Number, ...choice, finish_reason: Schema.optional(Schema.NullOr(Schema.String)) })
    ),
    usage: Schema.optional(Schema.NullOr(Usage))
  })

/**
 * A completion (`object: "chat.completion"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletion = completionOf({ message: Schema.Struct({ role: Schema.String, ...output }) })
  .annotations({ identifier: "ChatCompletion" })

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
export const ChatCompletionChunk = completionOf({
  delta: Schema.Struct({ role: Schema.optional(Schema.String), ...output })
}).annotations({ identifier: "ChatCompletionChunk" })

/**
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionChunk = typeof ChatCompletionChunk.Type

// ─── plain ───────────────────────────────────────────────────────────────────────────────────────

/**
 * The operation name of chat completions (spans, errors).
 *
 * @since 0.2.0
 * @category constants
 */
export const OPERATION = "chat.completions"

/**
 * The route of chat completions under the base URL.
 *
 * @since 0.2.0
 * @category constants
 */
export const PATH = "/openai/v1/chat/completions"

const endpoint = ProviderEndpoint.json(NovitaClient.NovitaClient)({
  operation: OPERATION,
  method: "POST",
  path: PATH,
  request: ChatCompletionRequest,
  response: ChatCompletion,
  model: (request) => request.model
})

/**
 * A chat completion, with the response's status, headers and request id. Validated locally first; `stream` is sent
 * as `false`.
 *
 * @since 0.1.0
 * @category completions
 */
export const completionsWithMeta = <R = never>(
  request: ChatCompletionRequest,
  options?: NovitaClient.CallOptions<R>
): Effect.Effect<NovitaClient.Response<ChatCompletion>, RetryPolicy.NovitaClientError, NovitaClient.NovitaClient | R> =>
  endpoint({ ...request, stream: false }, options)

/**
 * A chat completion.
 *
 * @since 0.1.0
 * @category completions
 */
export const completions = <R = never>(
  request: ChatCompletionRequest,
  options?: NovitaClient.CallOptions<R>
): Effect.Effect<ChatCompletion, RetryPolicy.NovitaClientError, NovitaClient.NovitaClient | R> =>
  Effect.map(completionsWithMeta(request, options), (response) => response.value)

/**
 * The first choice's text (`undefined` when it has none).
 *
 * @since 0.1.0
 * @category getters
 */
export const text = (completion: ChatCompletion): string | undefined =>
  completion.choices[0]?.message.content ?? undefined
