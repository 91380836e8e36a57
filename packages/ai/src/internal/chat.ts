/**
 * `@effect/ai` ⇄ OpenAI-shaped chat completions, shared by the Venice and Novita language models: the prompt as chat
 * messages, the toolkit as function tools and `tool_choice`, a `generateObject` Schema as a `json_schema` response
 * format, and back — a completion or a stream of chunks as `@effect/ai` response parts (text, reasoning, tool calls
 * with their argument deltas assembled, usage and finish reason).
 */
import * as AiError from "@effect/ai/AiError"
import type * as LanguageModel from "@effect/ai/LanguageModel"
import type * as Prompt from "@effect/ai/Prompt"
import type * as Response from "@effect/ai/Response"
import * as Tool from "@effect/ai/Tool"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as Errors from "./errors.js"

// ─── wire shapes (what both providers accept and send) ───────────────────────────────────────────

/** A tool call as sent back to the provider. */
export interface WireToolCall {
  readonly id: string
  readonly type: "function"
  readonly function: { readonly name: string; readonly arguments: string }
}

type AudioFormat = "wav" | "mp3" | "aiff" | "aac" | "ogg" | "flac" | "m4a" | "pcm16" | "pcm24"

/** A part of a user message. */
export type WireUserPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image_url"; readonly image_url: { readonly url: string } }
  | { readonly type: "input_audio"; readonly input_audio: { readonly data: string; readonly format: AudioFormat } }
  | { readonly type: "video_url"; readonly video_url: { readonly url: string } }
  | { readonly type: "file"; readonly file: { readonly file_data: string; readonly filename?: string } }

/** A chat message. */
export type WireMessage =
  | { readonly role: "system"; readonly content: string }
  | { readonly role: "user"; readonly content: string | ReadonlyArray<WireUserPart> }
  | {
    readonly role: "assistant"
    readonly content: string | null
    readonly reasoning_content?: string
    readonly tool_calls?: ReadonlyArray<WireToolCall>
  }
  | { readonly role: "tool"; readonly tool_call_id: string; readonly content: string }

/** A function tool. */
export interface WireTool {
  readonly type: "function"
  readonly function: {
    readonly name: string
    readonly description?: string
    readonly parameters: { readonly [key: string]: unknown }
    readonly strict?: boolean
  }
}

/** `tool_choice`. */
export type WireToolChoice =
  | "auto"
  | "none"
  | "required"
  | { readonly type: "function"; readonly function: { readonly name: string } }

/** `response_format` for a structured output. */
export interface WireResponseFormat {
  readonly type: "json_schema"
  readonly json_schema: {
    readonly name: string
    readonly description?: string
    readonly schema: { readonly [key: string]: unknown }
    readonly strict?: boolean
  }
}

/** Token usage as both providers report it. */
export interface WireUsage {
  readonly prompt_tokens: number
  readonly completion_tokens: number
  readonly total_tokens: number
  readonly prompt_tokens_details?: { readonly cached_tokens?: number | undefined } | null | undefined
  readonly completion_tokens_details?: { readonly reasoning_tokens?: number | undefined } | null | undefined
}

/** A non-streamed completion. */
export interface WireCompletion {
  readonly id: string
  readonly created: number
  readonly model: string
  readonly choices: ReadonlyArray<{
    readonly message: {
      readonly content?: string | ReadonlyArray<{ readonly text: string }> | null | undefined
      readonly reasoning_content?: string | null | undefined
      readonly tool_calls?: ReadonlyArray<unknown> | null | undefined
    }
    readonly finish_reason?: string | null | undefined
  }>
  readonly usage?: WireUsage | null | undefined
}

/** A streamed chunk. */
export interface WireChunk {
  readonly id: string
  readonly created: number
  readonly model: string
  readonly choices: ReadonlyArray<{
    readonly index: number
    readonly delta: {
      readonly content?: string | null | undefined
      readonly reasoning_content?: string | null | undefined
      readonly tool_calls?: ReadonlyArray<unknown> | null | undefined
    }
    readonly finish_reason?: string | null | undefined
  }>
  readonly usage?: WireUsage | null | undefined
}

/** What a provider module tells the shared code about itself. */
export interface ProviderInfo {
  /** `venice`, `novita`: the key of response metadata and the `gen_ai.system` attribute. */
  readonly name: string
  /** `VeniceLanguageModel`: the `module` of `AiError`s. */
  readonly module: string
}

// ─── prompt → messages ───────────────────────────────────────────────────────────────────────────

const AUDIO_FORMATS: Readonly<Record<string, AudioFormat>> = {
  "audio/wav": "wav",
  "audio/x-wav": "wav",
  "audio/wave": "wav",
  "audio/mpeg": "mp3",
  "audio/mp3": "mp3",
  "audio/aiff": "aiff",
  "audio/x-aiff": "aiff",
  "audio/aac": "aac",
  "audio/ogg": "ogg",
  "audio/flac": "flac",
  "audio/x-flac": "flac",
  "audio/mp4": "m4a",
  "audio/x-m4a": "m4a"
}

const isUrlLike = (s: string): boolean => /^(https?:|data:)/i.test(s)

/** The file's data as base64 (a string that is no URL is taken as base64 already). */
const base64Of = (data: string | Uint8Array | URL): string | undefined =>
  data instanceof Uint8Array ? Encoding.encodeBase64(data) : data instanceof URL || isUrlLike(data) ? undefined : data

/** The file as a URL: its own, or a `data:` URL. */
const urlOf = (part: Prompt.FilePart): string => {
  const data = part.data
  if (data instanceof URL) return data.toString()
  if (typeof data === "string" && isUrlLike(data)) return data
  const mediaType = part.mediaType.endsWith("/*") ? `${part.mediaType.slice(0, -2)}/octet-stream` : part.mediaType
  return `data:${mediaType};base64,${base64Of(data) ?? ""}`
}

const userPart = (
  part: Prompt.UserMessagePart,
  info: ProviderInfo
): Either.Either<WireUserPart | undefined, AiError.MalformedInput> => {
  if (part.type === "text") return Either.right(part.text.length > 0 ? { type: "text", text: part.text } : undefined)
  const mediaType = part.mediaType.toLowerCase()
  if (mediaType.startsWith("image/")) return Either.right({ type: "image_url", image_url: { url: urlOf(part) } })
  if (mediaType.startsWith("video/")) return Either.right({ type: "video_url", video_url: { url: urlOf(part) } })
  if (mediaType.startsWith("audio/")) {
    const format = AUDIO_FORMATS[mediaType]
    const data = base64Of(part.data)
    if (format === undefined || data === undefined) {
      return Either.left(
        new AiError.MalformedInput({
          module: info.module,
          method: "prepareMessages",
          description: `Audio must be inline data in one of ${
            Object.keys(AUDIO_FORMATS).join(", ")
          } (got ${part.mediaType}${data === undefined ? " as a URL" : ""})`
        })
      )
    }
    return Either.right({ type: "input_audio", input_audio: { data, format } })
  }
  return Either.right({
    type: "file",
    file: { file_data: urlOf(part), ...(part.fileName !== undefined ? { filename: part.fileName } : {}) }
  })
}

/** The prompt as chat messages. */
export const toMessages = (
  prompt: Prompt.Prompt,
  info: ProviderInfo
): Effect.Effect<Array<WireMessage>, AiError.MalformedInput> =>
  Effect.gen(function*() {
    const messages: Array<WireMessage> = []
    for (const message of prompt.content) {
      switch (message.role) {
        case "system":
          messages.push({ role: "system", content: message.content })
          break
        case "user": {
          const parts: Array<WireUserPart> = []
          for (const part of message.content) {
            const wire = yield* userPart(part, info)
            if (wire !== undefined) parts.push(wire)
          }
          const only = parts[0]
          messages.push({
            role: "user",
            content: parts.length === 1 && only?.type === "text" ? only.text : parts
          })
          break
        }
        case "assistant": {
          let text = ""
          let reasoning = ""
          const toolCalls: Array<WireToolCall> = []
          for (const part of message.content) {
            if (part.type === "text") text += part.text
            else if (part.type === "reasoning") reasoning += part.text
            else if (part.type === "tool-call" && !part.providerExecuted) {
              toolCalls.push({
                id: part.id,
                type: "function",
                function: { name: part.name, arguments: JSON.stringify(part.params) }
              })
            }
          }
          // an assistant turn with neither text nor tool calls is dropped by the API: do not send one
          if (text.length === 0 && toolCalls.length === 0) break
          messages.push({
            role: "assistant",
            content: text.length > 0 ? text : null,
            ...(reasoning.length > 0 ? { reasoning_content: reasoning } : {}),
            ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {})
          })
          break
        }
        case "tool":
          for (const part of message.content) {
            messages.push({ role: "tool", tool_call_id: part.id, content: JSON.stringify(part.result) })
          }
          break
      }
    }
    return messages
  })

// ─── toolkit → tools ─────────────────────────────────────────────────────────────────────────────

/** The toolkit as function tools and `tool_choice` (both `undefined` without tools). */
export const toTools = (
  options: LanguageModel.ProviderOptions,
  info: ProviderInfo,
  strict: boolean | undefined
): Effect.Effect<
  { readonly tools: Array<WireTool> | undefined; readonly toolChoice: WireToolChoice | undefined },
  AiError.MalformedInput
> =>
  Effect.gen(function*() {
    if (options.tools.length === 0) return { tools: undefined, toolChoice: undefined }
    const choice = options.toolChoice
    const allowed = typeof choice === "object" && "oneOf" in choice ? new Set<string>(choice.oneOf) : undefined
    const tools: Array<WireTool> = []
    for (const tool of options.tools) {
      if (allowed !== undefined && !allowed.has(tool.name)) continue
      if (Tool.isProviderDefined(tool)) {
        return yield* new AiError.MalformedInput({
          module: info.module,
          method: "prepareTools",
          description: `${info.name} has no provider-defined tool '${tool.name}' (for web search use ` +
            "venice_parameters.enable_web_search)"
        })
      }
      const description = tool.description ?? Tool.getDescriptionFromSchemaAst(tool.parametersSchema.ast)
      tools.push({
        type: "function",
        function: {
          name: tool.name,
          ...(description !== undefined ? { description } : {}),
          parameters: { ...Tool.getJsonSchemaFromSchemaAst(tool.parametersSchema.ast) },
          ...(strict !== undefined ? { strict } : {})
        }
      })
    }
    const toolChoice: WireToolChoice = typeof choice === "string"
      ? choice
      : "tool" in choice
      ? { type: "function", function: { name: choice.tool } }
      : choice.mode === "required"
      ? "required"
      : "auto"
    return { tools, toolChoice }
  })

/** A `json_schema` name: letters, digits, `_` and `-`, at most 64 characters. */
const schemaName = (name: string): string => name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, 64) || "object"

/** The object's name: `@effect/ai` names a Struct's object "generateObject"; its identifier annotation says more. */
const objectNameOf = (format: { readonly objectName: string; readonly schema: Schema.Schema.Any }): string =>
  format.objectName === "generateObject"
    ? Option.getOrElse(AST.getIdentifierAnnotation(format.schema.ast), () => format.objectName)
    : format.objectName

/** The `json_schema` response format of a `generateObject` call (`undefined` for text). */
export const toResponseFormat = (
  options: LanguageModel.ProviderOptions,
  strict: boolean | undefined
): WireResponseFormat | undefined => {
  if (options.responseFormat.type !== "json") return undefined
  const { schema } = options.responseFormat
  const description = Tool.getDescriptionFromSchemaAst(schema.ast)
  const name = objectNameOf(options.responseFormat)
  return {
    type: "json_schema",
    json_schema: {
      name: schemaName(name),
      ...(description !== undefined ? { description } : {}),
      schema: { ...Tool.getJsonSchemaFromSchemaAst(schema.ast) },
      ...(strict !== undefined ? { strict } : {})
    }
  }
}

// ─── responses → parts ───────────────────────────────────────────────────────────────────────────

/** `finish_reason` in `@effect/ai`'s terms. */
export const finishReason = (reason: string | null | undefined, hasToolCalls: boolean): Response.FinishReason => {
  switch (reason) {
    case "stop":
      return hasToolCalls ? "tool-calls" : "stop"
    case "length":
      return "length"
    case "tool_calls":
    case "function_call":
      return "tool-calls"
    case "content_filter":
      return "content-filter"
    case null:
    case undefined:
      return hasToolCalls ? "tool-calls" : "unknown"
    default:
      return "other"
  }
}

/** Usage in `@effect/ai`'s terms. */
export const usage = (u: WireUsage | null | undefined): typeof Response.Usage.Encoded => ({
  inputTokens: u?.prompt_tokens,
  outputTokens: u?.completion_tokens,
  totalTokens: u?.total_tokens,
  ...(u?.completion_tokens_details?.reasoning_tokens !== undefined
    ? { reasoningTokens: u.completion_tokens_details.reasoning_tokens }
    : {}),
  ...(u?.prompt_tokens_details?.cached_tokens !== undefined
    ? { cachedInputTokens: u.prompt_tokens_details.cached_tokens }
    : {})
})

const timestamp = (created: number): string => DateTime.formatIso(DateTime.unsafeMake(created * 1000))

const ToolCallShape = Schema.Struct({
  id: Schema.String,
  function: Schema.Struct({ name: Schema.String, arguments: Schema.String })
})
const decodeToolCall = Schema.decodeUnknownEither(ToolCallShape)

const ToolCallDeltaShape = Schema.Struct({
  index: Schema.Number,
  id: Schema.optional(Schema.NullOr(Schema.String)),
  function: Schema.optional(Schema.Struct({
    name: Schema.optional(Schema.NullOr(Schema.String)),
    arguments: Schema.optional(Schema.NullOr(Schema.String))
  }))
})
const decodeToolCallDelta = Schema.decodeUnknownEither(ToolCallDeltaShape)

/** Tool arguments as a JSON value (`{}` for an empty string, as models send for tools without parameters). */
const parseArguments = (
  info: ProviderInfo,
  call: { readonly id: string; readonly name: string; readonly arguments: string }
): Either.Either<unknown, Errors.ToolCallArgumentsError> =>
  Either.try({
    try: () => (call.arguments.trim().length === 0 ? {} : Tool.unsafeSecureJsonParse(call.arguments)),
    catch: () =>
      new Errors.ToolCallArgumentsError({
        provider: info.name,
        tool: call.name,
        toolCallId: call.id,
        raw: call.arguments.slice(0, 65_536),
        message: `The arguments of the call of tool '${call.name}' are not JSON`
      })
  })

const malformedToolCall = (info: ProviderInfo, raw: unknown): Errors.ToolCallArgumentsError =>
  new Errors.ToolCallArgumentsError({
    provider: info.name,
    tool: "(unknown)",
    toolCallId: "(unknown)",
    raw: JSON.stringify(raw)?.slice(0, 65_536) ?? "",
    message: "A tool call of the response is not { id, function: { name, arguments } }"
  })

/** Facts of the response that are not in the body (request id …), for the finish part's metadata. */
export type ResponseFacts = Readonly<Record<string, unknown>>

/** A completion as response parts (the first choice: `@effect/ai` has one answer per call). */
export const completionParts = (
  info: ProviderInfo,
  completion: WireCompletion,
  facts: ResponseFacts
): Either.Either<Array<Response.PartEncoded>, Errors.ToolCallArgumentsError> => {
  const parts: Array<Response.PartEncoded> = [{
    type: "response-metadata",
    id: completion.id,
    modelId: completion.model,
    timestamp: timestamp(completion.created)
  }]
  const choice = completion.choices[0]
  const message = choice?.message
  if (message?.reasoning_content != null && message.reasoning_content.length > 0) {
    parts.push({ type: "reasoning", text: message.reasoning_content })
  }
  const content = message?.content
  const text = typeof content === "string" ? content : (content ?? []).map((p) => p.text).join("")
  if (text.length > 0) parts.push({ type: "text", text })
  const calls = message?.tool_calls ?? []
  for (const raw of calls) {
    const decoded = decodeToolCall(raw)
    if (Either.isLeft(decoded)) return Either.left(malformedToolCall(info, raw))
    const { function: fn, id } = decoded.right
    const call = { id, name: fn.name, arguments: fn.arguments }
    const params = parseArguments(info, call)
    if (Either.isLeft(params)) return Either.left(params.left)
    parts.push({ type: "tool-call", id: call.id, name: call.name, params: params.right })
  }
  parts.push({
    type: "finish",
    reason: finishReason(choice?.finish_reason, calls.length > 0),
    usage: usage(completion.usage),
    metadata: { [info.name]: facts }
  })
  return Either.right(parts)
}

// ─── streams → parts ─────────────────────────────────────────────────────────────────────────────

interface ActiveToolCall {
  readonly id: string
  readonly name: string
  arguments: string
}

/**
 * Turns the chunks of one streamed completion into stream parts: `response-metadata` first, reasoning and text as
 * `*-start` / `*-delta` / `*-end`, each tool call as `tool-params-start`, its argument fragments as
 * `tool-params-delta`, and — once the choice finishes — `tool-params-end` and the assembled `tool-call`; the
 * `finish` part (reason, usage) last, from {@link StreamAssembler.end}.
 */
export class StreamAssembler {
  private started = false
  private id = ""
  private reasoningOpen = false
  private textOpen = false
  private readonly toolCalls = new Map<number, ActiveToolCall>()
  private sawToolCalls = false
  private reason: string | null | undefined = undefined
  private lastUsage: WireUsage | null | undefined = undefined

  constructor(private readonly info: ProviderInfo) {}

  private closeReasoning(parts: Array<Response.StreamPartEncoded>): void {
    if (this.reasoningOpen) parts.push({ type: "reasoning-end", id: `${this.id}:reasoning` })
    this.reasoningOpen = false
  }

  private closeAll(parts: Array<Response.StreamPartEncoded>): Either.Either<void, Errors.ToolCallArgumentsError> {
    this.closeReasoning(parts)
    if (this.textOpen) parts.push({ type: "text-end", id: `${this.id}:text` })
    this.textOpen = false
    for (const call of this.toolCalls.values()) {
      const params = parseArguments(this.info, call)
      if (Either.isLeft(params)) return Either.left(params.left)
      parts.push({ type: "tool-params-end", id: call.id })
      parts.push({ type: "tool-call", id: call.id, name: call.name, params: params.right })
    }
    this.toolCalls.clear()
    return Either.void
  }

  /** The parts of one chunk. */
  push(chunk: WireChunk): Either.Either<Array<Response.StreamPartEncoded>, Errors.ToolCallArgumentsError> {
    const parts: Array<Response.StreamPartEncoded> = []
    if (!this.started) {
      this.started = true
      this.id = chunk.id
      parts.push({ type: "response-metadata", id: chunk.id, modelId: chunk.model, timestamp: timestamp(chunk.created) })
    }
    if (chunk.usage != null) this.lastUsage = chunk.usage
    for (const choice of chunk.choices) {
      if (choice.index !== 0) continue
      const delta = choice.delta
      if (delta.reasoning_content != null && delta.reasoning_content.length > 0) {
        if (!this.reasoningOpen) parts.push({ type: "reasoning-start", id: `${this.id}:reasoning` })
        this.reasoningOpen = true
        parts.push({ type: "reasoning-delta", id: `${this.id}:reasoning`, delta: delta.reasoning_content })
      }
      if (delta.content != null && delta.content.length > 0) {
        this.closeReasoning(parts)
        if (!this.textOpen) parts.push({ type: "text-start", id: `${this.id}:text` })
        this.textOpen = true
        parts.push({ type: "text-delta", id: `${this.id}:text`, delta: delta.content })
      }
      for (const raw of delta.tool_calls ?? []) {
        const decoded = decodeToolCallDelta(raw)
        if (Either.isLeft(decoded)) return Either.left(malformedToolCall(this.info, raw))
        const fragment = decoded.right
        let call = this.toolCalls.get(fragment.index)
        if (call === undefined) {
          this.closeReasoning(parts)
          const name = fragment.function?.name
          if (name == null) return Either.left(malformedToolCall(this.info, raw))
          call = { id: fragment.id ?? `${this.id}:tool:${fragment.index}`, name, arguments: "" }
          this.toolCalls.set(fragment.index, call)
          this.sawToolCalls = true
          parts.push({ type: "tool-params-start", id: call.id, name })
        }
        const piece = fragment.function?.arguments
        if (piece != null && piece.length > 0) {
          call.arguments += piece
          parts.push({ type: "tool-params-delta", id: call.id, delta: piece })
        }
      }
      if (choice.finish_reason != null) {
        this.reason = choice.finish_reason
        const closed = this.closeAll(parts)
        if (Either.isLeft(closed)) return Either.left(closed.left)
      }
    }
    return Either.right(parts)
  }

  /** The parts that end the stream: whatever is still open, then `finish`. */
  end(facts: ResponseFacts): Either.Either<Array<Response.StreamPartEncoded>, Errors.ToolCallArgumentsError> {
    const parts: Array<Response.StreamPartEncoded> = []
    const closed = this.closeAll(parts)
    if (Either.isLeft(closed)) return Either.left(closed.left)
    parts.push({
      type: "finish",
      reason: finishReason(this.reason, this.sawToolCalls),
      usage: usage(this.lastUsage),
      metadata: { [this.info.name]: facts }
    })
    return Either.right(parts)
  }
}

// ─── structured output ───────────────────────────────────────────────────────────────────────────

/**
 * Checks the text of a `generateObject` answer against the requested Schema (its encoded side, refinements
 * included up to the first transformation: exactly what the JSON Schema sent describes), before `@effect/ai`
 * decodes it, so a schema-invalid answer fails with a {@link Errors.StructuredOutputError} carrying the raw text (A2).
 */
export const checkStructuredOutput = (
  options: LanguageModel.ProviderOptions,
  info: ProviderInfo,
  parts: ReadonlyArray<Response.PartEncoded>,
  context: { readonly model: string; readonly requestId?: string | undefined }
): Either.Either<void, Errors.StructuredOutputError> => {
  if (options.responseFormat.type !== "json") return Either.void
  const { schema } = options.responseFormat
  const objectName = objectNameOf(options.responseFormat)
  let raw = ""
  for (const part of parts) if (part.type === "text") raw += part.text
  if (parts.some((p) => p.type === "tool-call")) return Either.void
  const decode = Schema.decodeUnknownEither(Schema.parseJson(Schema.encodedBoundSchema(schema)), { errors: "all" })
  const decoded = decode(raw)
  if (Either.isRight(decoded)) return Either.void
  const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left).map((issue) =>
    `${issue.path.length > 0 ? issue.path.join(".") : "(root)"}: ${issue.message}`
  )
  return Either.left(
    new Errors.StructuredOutputError({
      provider: info.name,
      model: context.model,
      objectName,
      raw: raw.slice(0, 65_536),
      issues: issues.slice(0, 20),
      ...(context.requestId !== undefined ? { requestId: context.requestId } : {}),
      message: `The ${info.name} answer does not match the schema of '${objectName}': ${issues.slice(0, 3).join("; ")}`
    })
  )
}
