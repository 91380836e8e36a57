/**
 * `POST /api/v1/responses` (Alpha): the OpenAI Responses-style request, the typed response (`output[]` of
 * `reasoning`, `message`, `function_call`, `web_search_call` items), and the typed streaming events
 * (`response.created`, `response.output_text.delta`, `response.completed`, `response.failed` …).
 *
 * The endpoint is stateless and permissive (unknown request fields are accepted and ignored by Venice), so the
 * request schema drops unknown fields instead of rejecting them. Where the spec and the newer skills disagree
 * (`status: "incomplete"`, `incomplete_details`, `reasoning.enabled`, string `image_url`), both are accepted.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"
import * as TextModels from "./TextModels.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

// -----------------------------------------------------------------------------
// request: input items
// -----------------------------------------------------------------------------

/**
 * Image detail hint.
 *
 * @since 0.1.0
 * @category request
 */
export const ImageDetail = Schema.Literal("auto", "low", "high")

const ImageUrlObject = Schema.Struct({
  url: Schema.String,
  detail: optional(ImageDetail)
})

/**
 * Text input part.
 *
 * @since 0.1.0
 * @category request
 */
export const InputTextPart = Schema.Struct({
  type: Schema.Literal("input_text"),
  text: Schema.String
}).annotations({ identifier: "InputTextPart" })

/**
 * Image input part: `image_url` is a URL string (OpenAI Responses style) or `{ url, detail }`; `detail` may also sit
 * on the part. Same validation as chat (public, no redirects, ≥ 64 px).
 *
 * @since 0.1.0
 * @category request
 */
export const InputImagePart = Schema.Struct({
  type: Schema.Literal("input_image"),
  image_url: Schema.Union(Schema.String, ImageUrlObject),
  detail: optional(ImageDetail)
}).annotations({ identifier: "InputImagePart" })

/**
 * Assistant output replayed as history.
 *
 * @since 0.1.0
 * @category request
 */
export const OutputTextInputPart = Schema.Struct({
  type: Schema.Literal("output_text"),
  text: Schema.String,
  annotations: optional(Schema.Array(Schema.Unknown))
}).annotations({ identifier: "OutputTextInputPart" })

/**
 * Chat-style parts, accepted on messages without `type`.
 *
 * @since 0.1.0
 * @category request
 */
export const ChatStyleTextPart = Schema.Struct({
  type: Schema.Literal("text"),
  text: Schema.String
}).annotations({ identifier: "ChatStyleTextPart" })

/**
 * Chat-style image part, accepted on messages without `type`.
 *
 * @since 0.1.0
 * @category request
 */
export const ChatStyleImagePart = Schema.Struct({
  type: Schema.Literal("image_url"),
  image_url: Schema.Union(Schema.String, ImageUrlObject)
}).annotations({ identifier: "ChatStyleImagePart" })

/**
 * Any content part of an input message.
 *
 * @since 0.1.0
 * @category request
 */
export const InputContentPart = Schema.Union(
  InputTextPart,
  InputImagePart,
  OutputTextInputPart,
  ChatStyleTextPart,
  ChatStyleImagePart
)

/**
 * A message item: `{ role, content }` or `{ type: "message", role, content }`. `developer` becomes `system`.
 *
 * @since 0.1.0
 * @category request
 */
export const InputMessage = Schema.Struct({
  type: optional(Schema.Literal("message")),
  role: Schema.Literal("user", "assistant", "system", "developer"),
  content: Schema.Union(Schema.String, Schema.Array(InputContentPart)),
  id: optional(Schema.String),
  status: optional(Schema.Literal("completed", "in_progress"))
}).annotations({ identifier: "InputMessage" })

/**
 * A reasoning summary entry: a string (Venice) or `{ type: "summary_text", text }` (OpenAI).
 *
 * @since 0.1.0
 * @category request
 */
export const ReasoningSummaryEntry = Schema.Union(
  Schema.String,
  Schema.Struct({ type: Schema.String, text: Schema.String })
)

/**
 * A reasoning item. Accepted but discarded: reasoning is not carried between turns.
 *
 * @since 0.1.0
 * @category request
 */
export const InputReasoningItem = Schema.Struct({
  type: Schema.Literal("reasoning"),
  id: optional(Schema.NullOr(Schema.String)),
  summary: optional(Schema.NullOr(Schema.Array(ReasoningSummaryEntry))),
  content: optional(Schema.NullOr(Schema.Union(Schema.String, Schema.Array(Schema.Unknown)))),
  encrypted_content: optional(Schema.NullOr(Schema.String)),
  status: optional(Schema.NullOr(Schema.Literal("completed", "in_progress")))
}).annotations({ identifier: "InputReasoningItem" })

/**
 * A function call replayed as history (becomes an assistant tool call).
 *
 * @since 0.1.0
 * @category request
 */
export const InputFunctionCall = Schema.Struct({
  type: Schema.Literal("function_call"),
  id: optional(Schema.String),
  call_id: Schema.String,
  name: Schema.String,
  /** JSON-encoded arguments. */
  arguments: Schema.String,
  status: optional(Schema.Literal("completed", "in_progress"))
}).annotations({ identifier: "InputFunctionCall" })

/**
 * The result of a function call, keyed by `call_id`. `output` may be any JSON value; `input_image` parts inside an
 * array output are forwarded to the model as images.
 *
 * @since 0.1.0
 * @category request
 */
export const InputFunctionCallOutput = Schema.Struct({
  type: Schema.Literal("function_call_output"),
  call_id: Schema.String,
  output: Schema.Union(
    Schema.String,
    Schema.Finite,
    Schema.Boolean,
    Schema.Null,
    Schema.Array(Schema.Unknown),
    Common.JsonObject
  )
}).annotations({ identifier: "InputFunctionCallOutput" })

/**
 * An item reference. Accepted but discarded (nothing is stored).
 *
 * @since 0.1.0
 * @category request
 */
export const InputItemReference = Schema.Struct({
  type: Schema.Literal("item_reference"),
  id: Schema.String
}).annotations({ identifier: "InputItemReference" })

/**
 * Any input item.
 *
 * @since 0.1.0
 * @category request
 */
export const InputItem = Schema.Union(
  InputMessage,
  InputReasoningItem,
  InputFunctionCall,
  InputFunctionCallOutput,
  InputItemReference
)

/**
 * @since 0.1.0
 * @category request
 */
export type InputItem = typeof InputItem.Type

// -----------------------------------------------------------------------------
// request: tools
// -----------------------------------------------------------------------------

/**
 * A function tool, nested (`{ type: "function", function: { name, … } }`) or flat OpenAI style
 * (`{ type: "function", name, … }`).
 *
 * @since 0.1.0
 * @category request
 */
export const FunctionTool = Schema.Union(
  Schema.Struct({
    type: Schema.Literal("function"),
    function: Schema.Struct({
      name: Schema.String,
      description: optional(Schema.String),
      parameters: optional(Common.JsonObject),
      strict: optional(Schema.Boolean)
    })
  }),
  Schema.Struct({
    type: Schema.Literal("function"),
    name: Schema.String,
    description: optional(Schema.String),
    parameters: optional(Common.JsonObject),
    strict: optional(Schema.Boolean)
  })
).annotations({ identifier: "FunctionTool" })

/**
 * Forces Venice web search on (same as `web_search: true`). `search_context_size` / `user_location` are accepted but
 * ignored.
 *
 * @since 0.1.0
 * @category request
 */
export const WebSearchTool = Schema.Struct({
  type: Schema.Literal("web_search"),
  search_context_size: optional(Schema.Literal("low", "medium", "high")),
  user_location: optional(
    Schema.Struct({
      type: optional(Schema.Literal("approximate")),
      city: optional(Schema.String),
      region: optional(Schema.String),
      country: optional(Schema.String),
      timezone: optional(Schema.String)
    })
  )
}).annotations({ identifier: "WebSearchTool" })

/**
 * xAI native web + X search (models with `supportsXSearch`; ignored elsewhere).
 *
 * @since 0.1.0
 * @category request
 */
export const XSearchTool = Schema.Struct({
  type: Schema.Literal("x_search"),
  /** At most 10 handles. */
  allowed_x_handles: optional(Schema.Array(Schema.String).pipe(Schema.maxItems(10))),
  /** At most 10 handles. */
  excluded_x_handles: optional(Schema.Array(Schema.String).pipe(Schema.maxItems(10))),
  from_date: optional(Schema.String),
  to_date: optional(Schema.String),
  enable_image_understanding: optional(Schema.Boolean),
  enable_video_understanding: optional(Schema.Boolean)
}).annotations({ identifier: "XSearchTool" })

const knownToolTypes = ["function", "web_search", "x_search"] as const

/**
 * Any other tool (`code_interpreter`, `file_search`, `computer_use_preview` …): accepted and dropped by Venice;
 * unknown types carrying a `name` are treated as function tools.
 *
 * @since 0.1.0
 * @category request
 */
export const OtherTool = Common.UnknownTyped(knownToolTypes)

/**
 * A tool entry.
 *
 * @since 0.1.0
 * @category request
 */
export const Tool = Schema.Union(FunctionTool, WebSearchTool, XSearchTool, OtherTool)

/**
 * `"auto"`, `"none"`, `"required"`, or `{ type: "function", function: { name } }` (the flat
 * `{ type: "function", name }` form fails validation on Venice).
 *
 * @since 0.1.0
 * @category request
 */
export const ToolChoice = Schema.Union(
  Schema.Literal("auto", "none", "required"),
  Schema.Struct({
    type: Schema.Literal("function"),
    function: Schema.Struct({ name: Schema.String })
  })
)

/**
 * The `venice_parameters` subset `/responses` honors; other keys are dropped.
 *
 * @since 0.1.0
 * @category request
 */
export const ResponsesVeniceParameters = Schema.Struct({
  /** Public character slug. Unknown slugs are not rejected here (chat returns `404`). */
  character_slug: optional(Schema.String),
  /** E2EE-capable models need `false` here (TEE-only); E2EE is not available on `/responses`. */
  enable_e2ee: optional(Schema.Boolean),
  /** Venice web search mode. */
  enable_web_search: optional(Common.WebSearchMode),
  /** Scrape URLs in the latest user message. */
  enable_web_scraping: optional(Schema.Boolean),
  /** Ask for `^n^` citations (turned into `url_citation` annotations). */
  enable_web_citations: optional(Schema.Boolean),
  /** Include Venice's system prompt. */
  include_venice_system_prompt: optional(Schema.Boolean),
  /** No effect here: search results always arrive in `response.web_search.done`. */
  include_search_results_in_stream: optional(Schema.Boolean)
}).annotations({ identifier: "ResponsesVeniceParameters" })

/**
 * The request body of `POST /responses`.
 *
 * @example
 * ```ts
 * import * as Responses from "@venice-effect/venice/schema/Responses"
 *
 * const request = new Responses.ResponsesRequest({
 *   model: "zai-org-glm-5-1",
 *   input: "Explain why the sky is blue in one paragraph.",
 *   max_output_tokens: 512
 * })
 * ```
 *
 * @since 0.1.0
 * @category request
 */
export class ResponsesRequest extends Schema.Class<ResponsesRequest>("ResponsesRequest")({
  /** Model id, trait or compatibility mapping (no feature suffixes). E2EE-capable models are not supported. */
  model: TextModels.TextModelId,
  /** A string, or input items (messages, function calls and their outputs …). Send the full history each call. */
  input: Schema.Union(Schema.String, Schema.Array(InputItem)),
  /** Output cap (positive integer); mapped to `max_tokens`. */
  max_output_tokens: optional(Schema.Int.pipe(Schema.positive())),
  /** Sampling temperature, 0–2. */
  temperature: optional(Schema.Finite.pipe(Schema.between(0, 2))),
  /** Nucleus sampling, 0–1. */
  top_p: optional(Schema.Finite.pipe(Schema.between(0, 1))),
  /** Reasoning configuration (`effort`, `summary`, `enabled`); may be `null`. */
  reasoning: optional(Schema.NullOr(Common.ReasoningConfig)),
  /** Tools the model may call. */
  tools: optional(Schema.Array(Tool)),
  /** Which tool to call; dropped when no function tools remain. */
  tool_choice: optional(ToolChoice),
  /** `true` forces Venice web search on. */
  web_search: optional(Schema.Boolean),
  /** Only `reasoning.encrypted_content` has an effect. */
  include: optional(Schema.Array(Schema.String)),
  /** Stream typed SSE events. */
  stream: optional(Schema.Boolean),
  /** Identifies your end user (≤ 128 printable ASCII chars once trimmed, no `||`). */
  anon_user_id: optional(Common.AnonUserId),
  /** OpenAI's `user`: never reaches inference, but Venice splits the error budget per value (skill venice-responses). */
  user: optional(Schema.String),
  /** Claude refusal fallbacks (max 10). */
  fallbacks: optional(Common.Fallbacks),
  /** Supported Venice options. */
  venice_parameters: optional(ResponsesVeniceParameters)
}) {}

// -----------------------------------------------------------------------------
// response
// -----------------------------------------------------------------------------

/**
 * `completed`, `incomplete` (hit `max_output_tokens` or a content filter; output and usage are kept), `failed`,
 * `in_progress` (streamed `response.created`), `cancelled`. Open: other strings decode too.
 *
 * @since 0.1.0
 * @category response
 */
export const ResponseStatus = Common.OpenLiteral("completed", "incomplete", "failed", "in_progress", "cancelled")

/**
 * Item status (`incomplete` on cut-off message / function_call blocks).
 *
 * @since 0.1.0
 * @category response
 */
export const ItemStatus = Common.OpenLiteral("completed", "in_progress", "incomplete", "failed")

/**
 * A `url_citation` annotation spanning a `^n^` marker (built only with `enable_web_citations`).
 *
 * @since 0.1.0
 * @category response
 */
export const UrlCitation = Schema.Struct({
  type: Schema.Literal("url_citation"),
  url: Schema.String,
  title: optional(Schema.String),
  start_index: Schema.Finite,
  end_index: Schema.Finite
}).annotations({ identifier: "UrlCitation" })

/**
 * An annotation: a `url_citation`, or any other typed annotation (kept as received).
 *
 * @since 0.1.0
 * @category response
 */
export const Annotation = Schema.Union(UrlCitation, Common.UnknownTyped(["url_citation"]))

/**
 * A text block of a message item.
 *
 * @since 0.1.0
 * @category response
 */
export const OutputText = Schema.Struct({
  type: Schema.Literal("output_text"),
  text: Schema.String,
  annotations: optional(Schema.Array(Annotation))
}).annotations({ identifier: "OutputText" })

/**
 * Reasoning from a thinking model. `encrypted_content` only with `include: ["reasoning.encrypted_content"]`.
 *
 * @since 0.1.0
 * @category response
 */
export const ReasoningItem = Schema.Struct({
  type: Schema.Literal("reasoning"),
  id: Schema.String,
  summary: optional(Schema.Array(ReasoningSummaryEntry)),
  encrypted_content: optional(Schema.NullOr(Schema.String)),
  status: optional(ItemStatus)
}).annotations({ identifier: "ReasoningItem" })

/**
 * The main text output.
 *
 * @since 0.1.0
 * @category response
 */
export const MessageItem = Schema.Struct({
  type: Schema.Literal("message"),
  id: Schema.String,
  status: ItemStatus,
  role: Schema.Literal("assistant"),
  content: Schema.Array(OutputText)
}).annotations({ identifier: "MessageItem" })

/**
 * A tool call: answer with a `function_call_output` input item with the same `call_id`.
 *
 * @since 0.1.0
 * @category response
 */
export const FunctionCallItem = Schema.Struct({
  type: Schema.Literal("function_call"),
  id: Schema.String,
  call_id: Schema.String,
  name: Schema.String,
  /** JSON-encoded arguments. */
  arguments: Schema.String,
  status: optional(ItemStatus)
}).annotations({ identifier: "FunctionCallItem" })

/**
 * Marker that Venice web search ran.
 *
 * @since 0.1.0
 * @category response
 */
export const WebSearchCallItem = Schema.Struct({
  type: Schema.Literal("web_search_call"),
  id: Schema.String,
  status: ItemStatus
}).annotations({ identifier: "WebSearchCallItem" })

const isMessageItem = Schema.is(MessageItem)

/**
 * Any output item. Unknown item types are kept as received instead of failing the whole response.
 *
 * @since 0.1.0
 * @category response
 */
export const OutputItem = Schema.Union(
  ReasoningItem,
  MessageItem,
  FunctionCallItem,
  WebSearchCallItem,
  Common.UnknownTyped(["reasoning", "message", "function_call", "web_search_call"])
)

/**
 * @since 0.1.0
 * @category response
 */
export type OutputItem = typeof OutputItem.Type

/**
 * Token usage. `input_tokens_details` appears only when cached tokens are non-zero, `output_tokens_details` only
 * when the provider reports reasoning tokens. There is no `cost` on this endpoint.
 *
 * @since 0.1.0
 * @category response
 */
export const ResponsesUsage = Schema.Struct({
  input_tokens: Schema.Finite,
  input_tokens_details: optional(Schema.Struct({ cached_tokens: optional(Schema.Finite) })),
  output_tokens: Schema.Finite,
  output_tokens_details: optional(Schema.Struct({ reasoning_tokens: optional(Schema.Finite) })),
  total_tokens: Schema.Finite
}).annotations({ identifier: "ResponsesUsage" })

/**
 * The response object (also the payload of `response.created` / `completed` / `incomplete` / `failed` events).
 * Non-streamed `output` order: reasoning → web_search_call → function_call(s) → message.
 *
 * @since 0.1.0
 * @category response
 */
export class ResponsesResponse extends Schema.Class<ResponsesResponse>("ResponsesResponse")({
  /** Response id (`resp_…`). */
  id: Schema.String,
  object: Schema.Literal("response"),
  /** Unix seconds. */
  created_at: Schema.Finite,
  model: Schema.String,
  status: ResponseStatus,
  /** The output items. */
  output: Schema.Array(OutputItem),
  /** Token usage (absent on `response.created`). */
  usage: optional(Schema.NullOr(ResponsesUsage)),
  /** Set when `status` is `failed`. */
  error: optional(Schema.NullOr(Schema.Struct({ code: Schema.String, message: Schema.String }))),
  /** Set when `status` is `incomplete`: `max_output_tokens` or `content_filter`. */
  incomplete_details: optional(
    Schema.NullOr(Schema.Struct({ reason: Common.OpenLiteral("max_output_tokens", "content_filter") }))
  )
}) {
  /**
   * The concatenated text of every `output_text` block of every message item (like the OpenAI SDK's
   * `output_text`).
   *
   * @since 0.1.0
   */
  get outputText(): string {
    let text = ""
    for (const item of this.output) {
      if (isMessageItem(item)) { for (const part of item.content) text += part.text }
    }
    return text
  }
}

// -----------------------------------------------------------------------------
// streaming events
// -----------------------------------------------------------------------------

const sequence_number = optional(Schema.Finite)

const responseEvent = <const Type extends string>(type: Type) =>
  Schema.Struct({
    type: Schema.Literal(type),
    sequence_number,
    response: ResponsesResponse
  })

/**
 * `response.created`: the response with `status: "in_progress"`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseCreatedEvent = responseEvent("response.created").annotations({
  identifier: "ResponseCreatedEvent"
})

/**
 * `response.in_progress`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseInProgressEvent = responseEvent("response.in_progress").annotations({
  identifier: "ResponseInProgressEvent"
})

/**
 * `response.completed`: the full response (annotations are always empty and function calls come after the message,
 * unlike a non-streamed response). Followed by `data: [DONE]`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseCompletedEvent = responseEvent("response.completed").annotations({
  identifier: "ResponseCompletedEvent"
})

/**
 * `response.incomplete`: like `completed`, with `incomplete_details`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseIncompleteEvent = responseEvent("response.incomplete").annotations({
  identifier: "ResponseIncompleteEvent"
})

/**
 * `response.failed`: an upstream failure; `response.status` is `failed` and `response.error` holds
 * `{ code, message }`. Followed by `data: [DONE]`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseFailedEvent = responseEvent("response.failed").annotations({
  identifier: "ResponseFailedEvent"
})

const itemEvent = <const Type extends string>(type: Type) =>
  Schema.Struct({
    type: Schema.Literal(type),
    sequence_number,
    output_index: optional(Schema.Finite),
    item: OutputItem
  })

/**
 * `response.output_item.added`: a new output item (reasoning, message, function_call) starts.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseOutputItemAddedEvent = itemEvent("response.output_item.added").annotations({
  identifier: "ResponseOutputItemAddedEvent"
})

/**
 * `response.output_item.done`: an output item is complete.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseOutputItemDoneEvent = itemEvent("response.output_item.done").annotations({
  identifier: "ResponseOutputItemDoneEvent"
})

const partEvent = <const Type extends string>(type: Type) =>
  Schema.Struct({
    type: Schema.Literal(type),
    sequence_number,
    item_id: optional(Schema.String),
    output_index: optional(Schema.Finite),
    content_index: optional(Schema.Finite),
    part: Schema.Union(OutputText, Common.UnknownTyped(["output_text"]))
  })

/**
 * `response.content_part.added`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseContentPartAddedEvent = partEvent("response.content_part.added").annotations({
  identifier: "ResponseContentPartAddedEvent"
})

/**
 * `response.content_part.done`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseContentPartDoneEvent = partEvent("response.content_part.done").annotations({
  identifier: "ResponseContentPartDoneEvent"
})

const deltaEvent = <const Type extends string>(type: Type) =>
  Schema.Struct({
    type: Schema.Literal(type),
    sequence_number,
    item_id: optional(Schema.String),
    output_index: optional(Schema.Finite),
    content_index: optional(Schema.Finite),
    /** The text fragment. */
    delta: Schema.String
  })

/**
 * `response.output_text.delta`: a fragment of message text (repeated).
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseOutputTextDeltaEvent = deltaEvent("response.output_text.delta").annotations({
  identifier: "ResponseOutputTextDeltaEvent"
})

/**
 * `response.output_text.done`: the full text of a content part.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseOutputTextDoneEvent = Schema.Struct({
  type: Schema.Literal("response.output_text.done"),
  sequence_number,
  item_id: optional(Schema.String),
  output_index: optional(Schema.Finite),
  content_index: optional(Schema.Finite),
  text: Schema.String
}).annotations({ identifier: "ResponseOutputTextDoneEvent" })

/**
 * `response.reasoning.delta` (Venice-specific name): a fragment of reasoning text.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseReasoningDeltaEvent = deltaEvent("response.reasoning.delta").annotations({
  identifier: "ResponseReasoningDeltaEvent"
})

/**
 * `response.function_call_arguments.delta`: a fragment of a function call's JSON arguments.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseFunctionCallArgumentsDeltaEvent = deltaEvent("response.function_call_arguments.delta")
  .annotations({ identifier: "ResponseFunctionCallArgumentsDeltaEvent" })

/**
 * `response.function_call_arguments.done`: the complete arguments.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseFunctionCallArgumentsDoneEvent = Schema.Struct({
  type: Schema.Literal("response.function_call_arguments.done"),
  sequence_number,
  item_id: optional(Schema.String),
  output_index: optional(Schema.Finite),
  arguments: Schema.String
}).annotations({ identifier: "ResponseFunctionCallArgumentsDoneEvent" })

/**
 * One web search result of `response.web_search.done`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const WebSearchResult = Schema.Struct({
  index: optional(Schema.Finite),
  url: Schema.String,
  title: optional(Schema.NullOr(Schema.String)),
  snippet: optional(Schema.NullOr(Schema.String))
}).annotations({ identifier: "WebSearchResult" })

/**
 * The Venice-specific `response.web_search.done` event (only when search ran). Its SSE `event:` name is
 * `response.web_search.done` but its payload's `type` is `web_search_call`, and it has no `sequence_number`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseWebSearchDoneEvent = Schema.Struct({
  type: Schema.Literal("web_search_call"),
  id: optional(Schema.String),
  status: optional(Schema.String),
  results: Schema.Array(WebSearchResult)
}).annotations({ identifier: "ResponseWebSearchDoneEvent" })

const knownEventTypes = [
  "response.created",
  "response.in_progress",
  "response.completed",
  "response.incomplete",
  "response.failed",
  "response.output_item.added",
  "response.output_item.done",
  "response.content_part.added",
  "response.content_part.done",
  "response.output_text.delta",
  "response.output_text.done",
  "response.reasoning.delta",
  "response.function_call_arguments.delta",
  "response.function_call_arguments.done",
  "web_search_call"
] as const

/**
 * Any event not listed above (kept as received), so a new event type does not break a stream.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseUnknownEvent = Common.UnknownTyped(knownEventTypes)

/**
 * Any `data:` payload of a `/responses` stream (other than the `[DONE]` terminator), discriminated by `type`.
 *
 * @since 0.1.0
 * @category streaming
 */
export const ResponseStreamEvent = Schema.Union(
  ResponseCreatedEvent,
  ResponseInProgressEvent,
  ResponseCompletedEvent,
  ResponseIncompleteEvent,
  ResponseFailedEvent,
  ResponseOutputItemAddedEvent,
  ResponseOutputItemDoneEvent,
  ResponseContentPartAddedEvent,
  ResponseContentPartDoneEvent,
  ResponseOutputTextDeltaEvent,
  ResponseOutputTextDoneEvent,
  ResponseReasoningDeltaEvent,
  ResponseFunctionCallArgumentsDeltaEvent,
  ResponseFunctionCallArgumentsDoneEvent,
  ResponseWebSearchDoneEvent,
  ResponseUnknownEvent
)

/**
 * @since 0.1.0
 * @category streaming
 */
export type ResponseStreamEvent = typeof ResponseStreamEvent.Type

/**
 * Whether an event ends the response (`response.completed`, `response.incomplete`, `response.failed`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isTerminalEvent = (
  event: ResponseStreamEvent
): event is
  | typeof ResponseCompletedEvent.Type
  | typeof ResponseIncompleteEvent.Type
  | typeof ResponseFailedEvent.Type =>
  event.type === "response.completed" || event.type === "response.incomplete" || event.type === "response.failed"
