/**
 * `POST /api/v1/chat/completions`: the request body (with its spec constraints, so a bad request fails locally),
 * the non-streaming `chat.completion` response, and the streaming `chat.completion.chunk` events — including the
 * final usage chunk (`choices: []`, `usage`, `cost`) and the in-band error event a stream can end with.
 *
 * The top-level request object is strict, as on Venice (unknown top-level fields are a `400` there); nested objects
 * are open. Responses ignore unknown fields and accept the nulls Venice sends.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"
import * as TextModels from "./TextModels.js"

// -----------------------------------------------------------------------------
// content parts
// -----------------------------------------------------------------------------

/**
 * Prompt-caching marker on a content part (`{ type: "ephemeral" }`, optional `ttl` such as `"1h"`).
 *
 * @since 0.1.0
 * @category request
 */
export const CacheControl = Schema.Struct({
  /** Only `ephemeral` is supported. */
  type: Schema.Literal("ephemeral"),
  /** Optional TTL for extended cache duration (beta). */
  ttl: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "CacheControl" })

const cacheControl = Schema.optionalWith(CacheControl, { exact: true })

/**
 * A text content part. `text` must be at least one character.
 *
 * @since 0.1.0
 * @category request
 */
export const TextContentPart = Schema.Struct({
  type: Schema.Literal("text"),
  /** The text; at least one character. */
  text: Schema.String.pipe(Schema.minLength(1)),
  /** Optional prompt-caching marker. */
  cache_control: cacheControl
}).annotations({ identifier: "TextContentPart" })

/**
 * @since 0.1.0
 * @category request
 */
export type TextContentPart = typeof TextContentPart.Type

/**
 * An image part (vision models): a public `http(s)` URL or a `data:image/...;base64,` URL; the image must be at least
 * 64 px on each side.
 *
 * @since 0.1.0
 * @category request
 */
export const ImageUrlContentPart = Schema.Struct({
  type: Schema.Literal("image_url"),
  image_url: Schema.Struct({
    /** Public URL (fetched once, no redirects) or data URL. */
    url: Schema.String,
    /** OpenAI-style detail hint; accepted and passed through. */
    detail: Schema.optionalWith(Schema.String, { exact: true })
  }),
  /** Optional prompt-caching marker. */
  cache_control: cacheControl
}).annotations({ identifier: "ImageUrlContentPart" })

/**
 * Audio formats accepted by `input_audio` parts (default `wav`).
 *
 * @since 0.1.0
 * @category request
 */
export const InputAudioFormat = Schema.Literal("wav", "mp3", "aiff", "aac", "ogg", "flac", "m4a", "pcm16", "pcm24")

/**
 * An audio part (models with `supportsAudioInput`): base64 data only, URLs are not supported.
 *
 * @since 0.1.0
 * @category request
 */
export const InputAudioContentPart = Schema.Struct({
  type: Schema.Literal("input_audio"),
  input_audio: Schema.Struct({
    /** Base64-encoded audio. */
    data: Schema.String,
    /** Audio format; defaults to `wav`. */
    format: Schema.optionalWith(InputAudioFormat, { exact: true })
  }),
  /** Optional prompt-caching marker. */
  cache_control: cacheControl
}).annotations({ identifier: "InputAudioContentPart" })

/**
 * A video part (models with `supportsVideoInput`): a direct URL (YouTube for some providers) or a `data:video/...`
 * URL (mp4, mpeg, mov, webm). At most 3 videos per request.
 *
 * @since 0.1.0
 * @category request
 */
export const VideoUrlContentPart = Schema.Struct({
  type: Schema.Literal("video_url"),
  video_url: Schema.Struct({
    /** Public URL (no redirects) or data URL. */
    url: Schema.String
  }),
  /** Optional prompt-caching marker. */
  cache_control: cacheControl
}).annotations({ identifier: "VideoUrlContentPart" })

/**
 * A document part (PDF, EPUB, DOCX, PPTX, XLSX, text, Markdown, CSV, JSON, source code …), extracted to text server
 * side. Not allowed on E2EE requests.
 *
 * @since 0.1.0
 * @category request
 */
export const FileContentPart = Schema.Struct({
  type: Schema.Literal("file"),
  file: Schema.Struct({
    /** A data URL (`data:application/pdf;base64,…`) or a public URL. */
    file_data: Schema.String,
    /** Optional display name. */
    filename: Schema.optionalWith(Schema.String, { exact: true })
  }),
  /** Optional prompt-caching marker. */
  cache_control: cacheControl
}).annotations({ identifier: "FileContentPart" })

/**
 * Any part a `user` message may carry.
 *
 * @since 0.1.0
 * @category request
 */
export const UserContentPart = Schema.Union(
  TextContentPart,
  ImageUrlContentPart,
  InputAudioContentPart,
  VideoUrlContentPart,
  FileContentPart
)

/**
 * @since 0.1.0
 * @category request
 */
export type UserContentPart = typeof UserContentPart.Type

/** Text-only content (system, developer, assistant): a string or text parts. */
const TextContent = Schema.Union(Schema.String, Schema.Array(TextContentPart))

/** Text content as a response carries it: no length rule, unknown part members ignored. */
const ResponseTextContent = Schema.Union(
  Schema.String,
  Schema.Array(Schema.Struct({ type: Schema.String, text: Schema.String }))
)

// -----------------------------------------------------------------------------
// messages
// -----------------------------------------------------------------------------

/**
 * A function call made by the model (`message.tool_calls[]`); send it back unchanged on the next turn.
 *
 * @since 0.1.0
 * @category request
 */
export const ToolCall = Schema.Struct({
  /** The call id, echoed by the `tool` message answering it. */
  id: Schema.String,
  type: Schema.Literal("function"),
  function: Schema.Struct({
    /** Function name. */
    name: Schema.String,
    /** JSON-encoded arguments. */
    arguments: Schema.String
  })
}).annotations({ identifier: "ToolCall" })

/**
 * @since 0.1.0
 * @category request
 */
export type ToolCall = typeof ToolCall.Type

/**
 * A reasoning detail block returned by some reasoning models (e.g. Gemini). Every member is kept as received: pass
 * the array back verbatim on the next turn to preserve thought signatures.
 *
 * @since 0.1.0
 * @category request
 */
export const ReasoningDetail = Schema.Struct(
  {
    type: Schema.String,
    id: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
    format: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
    index: Schema.optionalWith(Schema.Finite, { exact: true }),
    text: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
    data: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
).annotations({ identifier: "ReasoningDetail" })

const name = Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })

/**
 * A system message: context for the model, not part of the visible conversation. Text only.
 *
 * @since 0.1.0
 * @category request
 */
export const SystemMessage = Schema.Struct({
  role: Schema.Literal("system"),
  /** A string or text parts. */
  content: TextContent,
  /** Optional participant name. */
  name
}).annotations({ identifier: "SystemMessage" })

/**
 * A developer message: high-level instructions for reasoning models (similar to `system`). Text only.
 *
 * @since 0.1.0
 * @category request
 */
export const DeveloperMessage = Schema.Struct({
  role: Schema.Literal("developer"),
  /** A string or text parts. */
  content: TextContent,
  /** Optional participant name. */
  name
}).annotations({ identifier: "DeveloperMessage" })

/**
 * A user message: a string, or parts (text, image, audio, video, file) for capable models.
 *
 * @since 0.1.0
 * @category request
 */
export const UserMessage = Schema.Struct({
  role: Schema.Literal("user"),
  /** A string or content parts. */
  content: Schema.Union(Schema.String, Schema.Array(UserContentPart)),
  /** Optional participant name. */
  name
}).annotations({ identifier: "UserMessage" })

/**
 * An assistant message (earlier model output). Should have `content` or `tool_calls`; Venice silently drops one with
 * neither. Send `reasoning_details` / `thought_signature` back exactly as received.
 *
 * @since 0.1.0
 * @category request
 */
export const AssistantMessage = Schema.Struct({
  role: Schema.Literal("assistant"),
  /** A string, text parts, or `null` when the turn was only tool calls. */
  content: Schema.optionalWith(Schema.NullOr(TextContent), { exact: true }),
  /** Optional participant name. */
  name,
  /** Reasoning text of the turn. */
  reasoning_content: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** Reasoning detail blocks (some reasoning models); pass back verbatim. */
  reasoning_details: Schema.optionalWith(Schema.Array(ReasoningDetail), { exact: true }),
  /** Gemini thought signature (native GCP transport); pass back verbatim. */
  thought_signature: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** Function calls the model made. */
  tool_calls: Schema.optionalWith(Schema.NullOr(Schema.Array(ToolCall)), { exact: true })
}).annotations({ identifier: "AssistantMessage" })

/**
 * A tool message: the result of one tool call, keyed by `tool_call_id`.
 *
 * @since 0.1.0
 * @category request
 */
export const ToolMessage = Schema.Struct({
  role: Schema.Literal("tool"),
  /** The tool's result. */
  content: Schema.String,
  /** The `id` of the tool call this answers. */
  tool_call_id: Schema.String,
  /** Optional participant name. */
  name,
  reasoning_content: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  tool_calls: Schema.optionalWith(Schema.NullOr(Schema.Array(ToolCall)), { exact: true })
}).annotations({ identifier: "ToolMessage" })

/**
 * Any chat message, discriminated by `role`.
 *
 * @since 0.1.0
 * @category request
 */
export const ChatMessage = Schema.Union(UserMessage, AssistantMessage, ToolMessage, SystemMessage, DeveloperMessage)

/**
 * @since 0.1.0
 * @category request
 */
export type ChatMessage = typeof ChatMessage.Type

// -----------------------------------------------------------------------------
// tools, formats, options
// -----------------------------------------------------------------------------

/**
 * A function the model may call.
 *
 * @since 0.1.0
 * @category request
 */
export const FunctionDefinition = Schema.Struct({
  /** Function name. */
  name: Schema.String,
  /** What the function does; the model reads it to decide when to call. */
  description: Schema.optionalWith(Schema.String, { exact: true }),
  /** JSON Schema of the arguments. */
  parameters: Schema.optionalWith(Common.JsonObject, { exact: true }),
  /** Follow the schema exactly (only a subset of JSON Schema is supported). Default `false`. */
  strict: Schema.optionalWith(Schema.Boolean, { exact: true })
}).annotations({ identifier: "FunctionDefinition" })

/**
 * A function tool (`{ type: "function", function: {...} }`). Requires `supportsFunctionCalling`.
 *
 * @since 0.1.0
 * @category request
 */
export const FunctionTool = Schema.Struct({
  /** `function` (the spec types it as any string). */
  type: Schema.optionalWith(Common.OpenLiteral("function"), { exact: true }),
  function: FunctionDefinition,
  id: Schema.optionalWith(Schema.String, { exact: true })
}).annotations({ identifier: "FunctionTool" })

/**
 * `{ type: "web_search" }` / `{ type: "x_search" }` tool entries. Accepted by the schema but they do **not** turn on
 * Venice or xAI search: use `venice_parameters.enable_web_search` / `enable_x_search`.
 *
 * @since 0.1.0
 * @category request
 */
export const SearchTool = Schema.Struct({
  type: Schema.Literal("web_search", "x_search")
}).annotations({ identifier: "SearchTool" })

/**
 * A tool entry.
 *
 * @since 0.1.0
 * @category request
 */
export const Tool = Schema.Union(SearchTool, FunctionTool)

/**
 * Which tool the model calls: `"auto"`, `"none"`, `"required"`, or a named function
 * (`{ type: "function", function: { name } }`); `{ type: "auto" | "none" | "required" }` is normalized by Venice to
 * the string form. The spec types both `tool_choice` and the object's `type` as any string, so other strings are
 * accepted too.
 *
 * @since 0.1.0
 * @category request
 */
export const ToolChoice = Schema.Union(
  Common.OpenLiteral("auto", "none", "required"),
  Schema.Struct({
    type: Common.OpenLiteral("function"),
    function: Schema.Struct({ name: Schema.String })
  }),
  Schema.Struct({ type: Schema.Literal("auto", "none", "required") })
)

/**
 * Structured output: the JSON Schema goes under `json_schema.schema` (OpenAI shape: `{ name, schema, strict }`);
 * the older Venice shape with the schema directly in `json_schema` is accepted too. Requires
 * `supportsResponseSchema`.
 *
 * @since 0.1.0
 * @category request
 */
export const JsonSchemaResponseFormat = Schema.Struct({
  type: Schema.Literal("json_schema"),
  /** `{ name, schema, strict }` (preferred) or a bare JSON Schema. */
  json_schema: Common.JsonObject
}).annotations({ identifier: "JsonSchemaResponseFormat" })

/**
 * The response format: `json_schema` (preferred), `json_object` (deprecated), or `text` (default).
 *
 * @since 0.1.0
 * @category request
 */
export const ResponseFormat = Schema.Union(
  JsonSchemaResponseFormat,
  Schema.Struct({ type: Schema.Literal("json_object") }),
  Schema.Struct({ type: Schema.Literal("text") })
)

/**
 * Venice-only request options (`venice_parameters`). All optional; unknown keys are dropped by Venice. Several can
 * also be set as a model feature suffix (`zai-org-glm-5-1:enable_web_search=on`).
 *
 * @since 0.1.0
 * @category request
 */
export const VeniceParameters = Schema.Struct({
  /** Apply a published Venice character (its "Public ID"). Unknown slug → `404`. */
  character_slug: Schema.optionalWith(Schema.String, { exact: true }),
  /** Strip `<think>` blocks / reasoning from the response of reasoning models. Default `false`. */
  strip_thinking_response: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Disable thinking on supported reasoning models (and strip it). Default `false`. */
  disable_thinking: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** E2EE on E2EE-capable models when the E2EE headers are present; `false` forces TEE-only. Default `true`. */
  enable_e2ee: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Venice web search: `off` (default), `on`, `auto`. */
  enable_web_search: Schema.optionalWith(Common.WebSearchMode, { exact: true }),
  /** Scrape URLs found in the latest user message. Default `false`. */
  enable_web_scraping: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Ask the model to cite sources as `^1^` / `^1,3^`. Default `false`. */
  enable_web_citations: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Experimental, streaming only: emit the search results as a `choices: []` chunk. Default `false`. */
  include_search_results_in_stream: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Also surface search results as a synthetic `venice_web_search_documents` tool call. */
  return_search_results_as_documents: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Prepend Venice's system prompt to yours. Default `true`. */
  include_venice_system_prompt: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** xAI native web + X search on models with `supportsXSearch` (billed per search). Default `false`. */
  enable_x_search: Schema.optionalWith(Schema.Boolean, { exact: true })
}).annotations({ identifier: "VeniceParameters" })

/**
 * @since 0.1.0
 * @category request
 */
export type VeniceParameters = typeof VeniceParameters.Type

/**
 * Stop sequences: one string, 1–4 strings, or `null`.
 *
 * @since 0.1.0
 * @category request
 */
export const Stop = Schema.Union(
  Schema.String,
  Schema.Array(Schema.String).pipe(Schema.minItems(1), Schema.maxItems(4)),
  Schema.Null
)

const penalty = Schema.Finite.pipe(Schema.between(-2, 2))
const unitInterval = Schema.Finite.pipe(Schema.between(0, 1))
const temperatureRange = Schema.Finite.pipe(Schema.between(0, 2))

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * The request body of `POST /chat/completions`. Constructing it (or decoding a plain object with it) checks every
 * constraint the spec states — required `model` and non-empty `messages`, `temperature` in 0–2, `top_p` in 0–1,
 * penalties in −2–2, `n ≥ 1`, positive `seed`, 1–4 `stop` strings … — and rejects unknown top-level fields, as
 * Venice does.
 *
 * @example
 * ```ts
 * import * as Chat from "@venice-effect/venice/schema/Chat"
 *
 * const request = new Chat.ChatCompletionRequest({
 *   model: "zai-org-glm-5-1",
 *   messages: [{ role: "user", content: "Why is the sky blue?" }],
 *   temperature: 0.7,
 *   venice_parameters: { enable_web_search: "auto" }
 * })
 * ```
 *
 * @since 0.1.0
 * @category request
 */
export class ChatCompletionRequest extends Schema.Class<ChatCompletionRequest>("ChatCompletionRequest")(
  {
    /** Model id, trait or compatibility mapping; feature suffixes allowed. */
    model: TextModels.TextModelId,
    /** The conversation so far; at least one message. */
    messages: Schema.Array(ChatMessage).pipe(
      Schema.minItems(1, { message: () => "messages must contain at least one message" })
    ).annotations(Common.ignoreExcess),
    /** Sampling temperature, 0–2. */
    temperature: optional(temperatureRange),
    /** Nucleus sampling, 0–1. */
    top_p: optional(unitInterval),
    /** Keep only the top-k tokens (integer ≥ 0). */
    top_k: optional(Schema.Int.pipe(Schema.nonNegative())),
    /** Minimum token probability, 0–1. */
    min_p: optional(unitInterval),
    /** Lower bound of dynamic temperature scaling, 0–2. */
    min_temp: optional(temperatureRange),
    /** Upper bound of dynamic temperature scaling, 0–2. */
    max_temp: optional(temperatureRange),
    /** Penalize tokens by frequency, −2–2. Default 0. */
    frequency_penalty: optional(penalty),
    /** Penalize tokens already present, −2–2. Default 0. */
    presence_penalty: optional(penalty),
    /** Repetition penalty (≥ 0; 1 = none, > 1 discourages repetition). */
    repetition_penalty: optional(Schema.Finite.pipe(Schema.nonNegative())),
    /** Output cap including reasoning tokens. Stay under `model_spec.maxCompletionTokens`. */
    max_completion_tokens: optional(Schema.Int),
    /** Deprecated output cap; values ≤ 0 are ignored. Prefer `max_completion_tokens`. */
    max_tokens: optional(Schema.Int),
    /** Number of choices (integer ≥ 1, default 1); you pay for all of them. */
    n: optional(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))),
    /** Random seed (positive integer). */
    seed: optional(Schema.Int.pipe(Schema.positive())),
    /** Up to 4 stop sequences. */
    stop: optional(Stop),
    /** Token ids that stop generation. */
    stop_token_ids: optional(Schema.Array(Schema.Finite)),
    /** Stream partial progress as SSE `chat.completion.chunk` events. */
    stream: optional(Schema.Boolean),
    /** Streaming options (Venice sends the usage chunk regardless of `include_usage`). */
    stream_options: optional(
      Schema.Struct({
        /** Include usage information in the stream. */
        include_usage: optional(Schema.Boolean)
      }).annotations(Common.ignoreExcess)
    ),
    /** Return log probabilities (models with `supportsLogProbs`). */
    logprobs: optional(Schema.Boolean),
    /** Number of most likely tokens to return per position (integer ≥ 0). */
    top_logprobs: optional(Schema.Int.pipe(Schema.nonNegative())),
    /** Structured output format. */
    response_format: optional(ResponseFormat),
    /** Tools the model may call. */
    tools: optional(Schema.NullOr(Schema.Array(Tool)).annotations(Common.ignoreExcess)),
    /** Which tool to call. */
    tool_choice: optional(ToolChoice.annotations(Common.ignoreExcess)),
    /** Allow several tool calls in one turn. Default `true`. */
    parallel_tool_calls: optional(Schema.Boolean),
    /** Reasoning effort (wins over `reasoning.effort`). */
    reasoning_effort: optional(Common.ReasoningEffort),
    /** Reasoning configuration. */
    reasoning: optional(Common.ReasoningConfig.annotations(Common.ignoreExcess)),
    /** Cache-routing hint; Venice derives a stable key per API user when omitted. */
    prompt_cache_key: optional(Schema.String),
    /** Prompt cache retention: `default`, `extended` or `24h` (both extend to 24 hours). */
    prompt_cache_retention: optional(Schema.Literal("default", "extended", "24h")),
    /** Text verbosity. */
    verbosity: optional(Common.Verbosity),
    /** OpenAI-compatible text configuration. */
    text: optional(Schema.Struct({ verbosity: optional(Common.Verbosity) }).annotations(Common.ignoreExcess)),
    /** Venice-only options. */
    venice_parameters: optional(VeniceParameters.annotations(Common.ignoreExcess)),
    /** Identifies your end user (≤ 128 printable ASCII chars once trimmed, no `||`). */
    anon_user_id: optional(Common.AnonUserId),
    /** Claude refusal fallbacks (max 10; direct Anthropic routes only). */
    fallbacks: optional(Common.Fallbacks.annotations(Common.ignoreExcess)),
    /** OpenAI compatibility: removed before validation, not forwarded. */
    include: optional(Schema.Array(Schema.String)),
    /** OpenAI compatibility: removed before validation, not forwarded. */
    metadata: optional(Schema.Record({ key: Schema.String, value: Schema.String })),
    /** OpenAI compatibility: discarded (not an alias of `anon_user_id`). */
    user: optional(Schema.String),
    /** OpenAI compatibility: discarded. */
    store: optional(Schema.Boolean)
  },
  [undefined, undefined, Common.rejectExcess]
) {}

// -----------------------------------------------------------------------------
// response
// -----------------------------------------------------------------------------

/**
 * Why a choice stopped: `stop`, `length`, `tool_calls`, or `content_filter` (a `200` in which the model refused or
 * the output was cut — check for it before trusting `message.content`). Open: other strings decode too.
 *
 * @since 0.1.0
 * @category response
 */
export const FinishReason = Common.OpenLiteral("stop", "length", "tool_calls", "content_filter")

/**
 * Token usage. `prompt_tokens_details` / `completion_tokens_details` appear when the provider reports cache and
 * reasoning accounting.
 *
 * @since 0.1.0
 * @category response
 */
export const Usage = Schema.Struct({
  /** Tokens in the prompt. */
  prompt_tokens: Schema.Finite,
  /** Tokens in the completion (reasoning included). */
  completion_tokens: Schema.Finite,
  /** Total tokens. */
  total_tokens: Schema.Finite,
  /** Cache reads (`cached_tokens`) and writes (`cache_creation_input_tokens`). */
  prompt_tokens_details: Schema.optionalWith(
    Schema.NullOr(
      Schema.Struct({
        cached_tokens: Schema.optionalWith(Schema.Finite, { exact: true }),
        cache_creation_input_tokens: Schema.optionalWith(Schema.Finite, { exact: true })
      })
    ),
    { exact: true }
  ),
  /** Reasoning tokens, when the provider reports them. */
  completion_tokens_details: Schema.optionalWith(
    Schema.NullOr(Schema.Struct({ reasoning_tokens: Schema.optionalWith(Schema.Finite, { exact: true }) })),
    { exact: true }
  )
}).annotations({ identifier: "Usage" })

/**
 * @since 0.1.0
 * @category response
 */
export type Usage = typeof Usage.Type

/**
 * Log probability of one token, with its most likely alternatives.
 *
 * @since 0.1.0
 * @category response
 */
export const TokenLogprob = Schema.Struct({
  token: Schema.String,
  logprob: Schema.Finite,
  bytes: Schema.optionalWith(Schema.NullOr(Schema.Array(Schema.Finite)), { exact: true }),
  top_logprobs: Schema.optionalWith(
    Schema.Array(
      Schema.Struct({
        token: Schema.String,
        logprob: Schema.Finite,
        bytes: Schema.optionalWith(Schema.NullOr(Schema.Array(Schema.Finite)), { exact: true })
      })
    ),
    { exact: true }
  )
}).annotations({ identifier: "TokenLogprob" })

/**
 * A choice's log probabilities: the OpenAI shape (`{ content: [...] }`) or the single-token object the spec
 * describes.
 *
 * @since 0.1.0
 * @category response
 */
export const ChoiceLogprobs = Schema.Union(
  Schema.Struct({
    content: Schema.optionalWith(Schema.NullOr(Schema.Array(TokenLogprob)), { exact: true }),
    refusal: Schema.optionalWith(Schema.NullOr(Schema.Array(TokenLogprob)), { exact: true })
  }),
  TokenLogprob
)

/**
 * The assistant message of a choice. Reasoning arrives in `reasoning_content` (`<think>` tags are removed from
 * `content`).
 *
 * @since 0.1.0
 * @category response
 */
export const ResponseMessage = Schema.Struct({
  /** `assistant` (the spec also lists `tool`; accepted as is). */
  role: Common.OpenLiteral("assistant", "tool"),
  /** The text, text parts, or `null` (tool-call-only turns). */
  content: Schema.optionalWith(Schema.NullOr(ResponseTextContent), { exact: true }),
  /** Reasoning text. */
  reasoning_content: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** Reasoning detail blocks; pass back verbatim on the next turn. */
  reasoning_details: Schema.optionalWith(Schema.NullOr(Schema.Array(ReasoningDetail)), { exact: true }),
  /** Gemini thought signature; pass back verbatim. */
  thought_signature: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** Function calls made by the model. */
  tool_calls: Schema.optionalWith(Schema.NullOr(Schema.Array(ToolCall)), { exact: true }),
  /** Participant name. */
  name: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** OpenAI-style refusal text, if any. */
  refusal: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
}).annotations({ identifier: "ResponseMessage" })

/**
 * One completion choice.
 *
 * @since 0.1.0
 * @category response
 */
export const ChatCompletionChoice = Schema.Struct({
  /** Index of the choice. */
  index: Schema.Finite,
  /** The generated message. */
  message: ResponseMessage,
  /** Why generation finished. */
  finish_reason: Schema.NullOr(FinishReason),
  /** Log probabilities, when requested. */
  logprobs: Schema.optionalWith(Schema.NullOr(ChoiceLogprobs), { exact: true }),
  /** Provider stop reason (a stop string or token id), if reported. */
  stop_reason: Schema.optionalWith(Schema.NullOr(Schema.Union(Schema.String, Schema.Finite)), { exact: true })
}).annotations({ identifier: "ChatCompletionChoice" })

/**
 * A web search citation (`venice_parameters.web_search_citations[]`).
 *
 * @since 0.1.0
 * @category response
 */
export const WebSearchCitation = Schema.Struct({
  title: Schema.String,
  url: Schema.String,
  /** Snippet. */
  content: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  /** Publication date, when known. */
  date: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
}).annotations({ identifier: "WebSearchCitation" })

/**
 * The effective Venice settings echoed on a response, plus `web_search_citations` (empty when no search ran). The
 * spec marks the flags required; they are optional here because streamed chunks carry only the citations.
 *
 * @since 0.1.0
 * @category response
 */
export const ResponseVeniceParameters = Schema.Struct({
  enable_e2ee: Schema.optionalWith(Schema.Boolean, { exact: true }),
  enable_web_search: Schema.optionalWith(Common.OpenLiteral("auto", "off", "on"), { exact: true }),
  enable_web_citations: Schema.optionalWith(Schema.Boolean, { exact: true }),
  enable_web_scraping: Schema.optionalWith(Schema.Boolean, { exact: true }),
  include_venice_system_prompt: Schema.optionalWith(Schema.Boolean, { exact: true }),
  include_search_results_in_stream: Schema.optionalWith(Schema.Boolean, { exact: true }),
  return_search_results_as_documents: Schema.optionalWith(Schema.Boolean, { exact: true }),
  character_slug: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  strip_thinking_response: Schema.optionalWith(Schema.Boolean, { exact: true }),
  disable_thinking: Schema.optionalWith(Schema.Boolean, { exact: true }),
  enable_x_search: Schema.optionalWith(Schema.Boolean, { exact: true }),
  /** Citations from web search results. */
  web_search_citations: Schema.optionalWith(Schema.Array(WebSearchCitation), { exact: true })
}).annotations({ identifier: "ResponseVeniceParameters" })

/**
 * The non-streaming response of `POST /chat/completions` (`object: "chat.completion"`). `cost` is omitted when it
 * cannot be computed (and currently when charged to earned credits); `0` when the response had no output tokens.
 *
 * @since 0.1.0
 * @category response
 */
export class ChatCompletion extends Schema.Class<ChatCompletion>("ChatCompletion")({
  /** Request id (`chatcmpl-…`). */
  id: Schema.String,
  object: Schema.Literal("chat.completion"),
  /** Unix seconds. */
  created: Schema.Finite,
  /** The model that answered. */
  model: Schema.String,
  /** The choices (more than one when `n > 1`). */
  choices: Schema.Array(ChatCompletionChoice),
  /** Token usage. */
  usage: Usage,
  /** Cost split by billing currency. */
  cost: Schema.optionalWith(Common.Cost, { exact: true }),
  /** Effective Venice settings and web search citations. */
  venice_parameters: Schema.optionalWith(ResponseVeniceParameters, { exact: true }),
  /** Prompt log probabilities, when requested. */
  prompt_logprobs: Schema.optionalWith(Schema.Unknown, { exact: true })
}) {}

// -----------------------------------------------------------------------------
// streaming
// -----------------------------------------------------------------------------

/**
 * A fragment of a tool call in a stream: `index` identifies the call; `id`, `type` and `function.name` arrive on its
 * first fragment, `function.arguments` accumulates across fragments.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ToolCallDelta = Schema.Struct({
  index: Schema.Finite,
  id: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  type: Schema.optionalWith(Schema.NullOr(Schema.Literal("function")), { exact: true }),
  function: Schema.optionalWith(
    Schema.Struct({
      name: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
      arguments: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
    }),
    { exact: true }
  )
}).annotations({ identifier: "ToolCallDelta" })

/**
 * The incremental message of a streamed choice.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ChatCompletionDelta = Schema.Struct({
  role: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  content: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  reasoning_content: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
  reasoning_details: Schema.optionalWith(Schema.NullOr(Schema.Array(ReasoningDetail)), { exact: true }),
  tool_calls: Schema.optionalWith(Schema.NullOr(Schema.Array(ToolCallDelta)), { exact: true }),
  refusal: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true })
}).annotations({ identifier: "ChatCompletionDelta" })

/**
 * One streamed choice.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ChatCompletionChunkChoice = Schema.Struct({
  index: Schema.Finite,
  delta: ChatCompletionDelta,
  /** Set on the choice's last chunk. */
  finish_reason: Schema.optionalWith(Schema.NullOr(FinishReason), { exact: true }),
  logprobs: Schema.optionalWith(Schema.NullOr(ChoiceLogprobs), { exact: true }),
  stop_reason: Schema.optionalWith(Schema.NullOr(Schema.Union(Schema.String, Schema.Finite)), { exact: true })
}).annotations({ identifier: "ChatCompletionChunkChoice" })

/**
 * One SSE `data:` event of a streamed chat completion (`object: "chat.completion.chunk"`).
 *
 * Venice always ends a stream (before `data: [DONE]`) with a chunk whose `choices` is empty and which carries
 * `usage` and `cost` — whatever `stream_options.include_usage` says; usage is not repeated on content chunks. With
 * `include_search_results_in_stream`, a `choices: []` chunk carries `venice_parameters.web_search_citations`.
 *
 * @since 0.1.0
 * @category streaming
 */
export class ChatCompletionChunk extends Schema.Class<ChatCompletionChunk>("ChatCompletionChunk")({
  id: Schema.String,
  object: Schema.Literal("chat.completion.chunk"),
  /** Unix seconds. */
  created: Schema.Finite,
  model: Schema.String,
  /** Empty on the final usage chunk. */
  choices: Schema.Array(ChatCompletionChunkChoice),
  /** Present on the final usage chunk. */
  usage: Schema.optionalWith(Schema.NullOr(Usage), { exact: true }),
  /** Present on the final usage chunk (when computable). */
  cost: Schema.optionalWith(Common.Cost, { exact: true }),
  /** Search citations (with `include_search_results_in_stream`). */
  venice_parameters: Schema.optionalWith(ResponseVeniceParameters, { exact: true })
}) {}

/**
 * The in-band error event of a stream that failed after the `200` headers were sent, followed by `data: [DONE]`.
 * Overloads use `type: "server_error"`, `code: "model_overloaded"` and may carry `retry_after` (seconds); other
 * failures use `api_error` / `upstream_error`, and provider blocks `content_filter_error` /
 * `content_blocked_by_provider`. Terminal.
 *
 * @since 0.1.0
 * @category streaming
 */
export class ChatCompletionStreamError extends Schema.Class<ChatCompletionStreamError>("ChatCompletionStreamError")({
  error: Schema.Struct({
    message: Schema.String,
    type: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
    code: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
    param: Schema.optionalWith(Schema.NullOr(Schema.String), { exact: true }),
    /** Seconds to wait before retrying (overloads). */
    retry_after: Schema.optionalWith(Schema.NullOr(Schema.Finite), { exact: true })
  })
}) {}

/**
 * Any `data:` payload of a chat stream (other than the `[DONE]` terminator): a chunk or the in-band error.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ChatCompletionStreamEvent = Schema.Union(ChatCompletionChunk, ChatCompletionStreamError)

/**
 * @since 0.1.0
 * @category streaming
 */
export type ChatCompletionStreamEvent = typeof ChatCompletionStreamEvent.Type

/**
 * Whether a chunk is the final usage chunk (`choices: []` with `usage`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isUsageChunk = (chunk: ChatCompletionChunk): boolean =>
  chunk.choices.length === 0 && chunk.usage !== undefined && chunk.usage !== null
