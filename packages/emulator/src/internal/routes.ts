/**
 * The Venice routes the emulator serves, each a {@link RouteSpec}: what Venice answers on success and on the
 * route-specific failures the reference documents. Common concerns (auth, body parsing, limiters, faults, headers)
 * live in `server.ts`.
 */
import * as Audio from "@venice-effect/venice/schema/Audio"
import * as Chat from "@venice-effect/venice/schema/Chat"
import * as CryptoRpc from "@venice-effect/venice/schema/CryptoRpc"
import * as Embeddings from "@venice-effect/venice/schema/Embeddings"
import * as Image from "@venice-effect/venice/schema/Image"
import * as Models from "@venice-effect/venice/schema/Models"
import * as Responses from "@venice-effect/venice/schema/Responses"
import * as Video from "@venice-effect/venice/schema/Video"
import * as X402Api from "@venice-effect/venice/schema/X402Api"
import * as X402 from "@venice-effect/core/X402"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { authorizationTypes } from "@x402/evm"
import { getAddress, isAddress, keccak256, toHex, verifyTypedData } from "viem"
import * as Content from "./content.js"
import type { Ctx, RouteSpec } from "./context.js"
import * as Errors from "./errors.js"
import * as Catalog from "./models.js"
import * as Reply from "./reply.js"
import { type Job, walletKey } from "./state.js"
import * as Streams from "./streams.js"
import * as Tools from "./tools.js"
import { validate } from "./validation.js"
import * as X402Docs from "./x402.js"
import * as X402Svm from "./x402Svm.js"

/** The path prefix of every Venice route. */
export const V1 = "/api/v1"

const isRecord = Predicate.isRecord

/** Rounds to `digits` decimals (money, durations). */
export const round = (n: number, digits = 8): number => Math.round(n * 10 ** digits) / 10 ** digits

/** `x-venice-model-id` / `x-venice-model-name` of a model. */
export const modelHeaders = (model: Catalog.CatalogModel): Record<string, string> => ({
  "x-venice-model-id": model.model.id,
  "x-venice-model-name": model.model.model_spec.name ?? model.model.id
})

/**
 * Venice's model checks before schema validation: a missing or non-string `model` is a plain 400, an unknown id a
 * 404, a model of another type a 400.
 */
export const resolveModel = (ctx: Ctx, type: Models.ModelType): Reply.Reply | Catalog.CatalogModel => {
  const body = ctx.body
  if (!isRecord(body) || body.model === undefined) return Reply.standard(400, "model is required")
  if (typeof body.model !== "string") return Reply.standard(400, "model must be a string")
  const found = Catalog.resolve(body.model, type)
  if (found === "not-found") {
    return Errors.codeReply("MODEL_NOT_FOUND", ctx.errorEnv, { message: `Specified model not found: ${body.model}` })
  }
  if (found === "wrong-type") return Errors.codeReply("INVALID_MODEL", ctx.errorEnv)
  return found
}

/** Whether a model lookup answered an error reply instead of a model. */
export const isReply = (u: Reply.Reply | Catalog.CatalogModel): u is Reply.Reply => "status" in u

/** A member of a JSON object (`undefined` when not an object). */
export const member = (u: unknown, key: string): unknown => (isRecord(u) ? u[key] : undefined)

const llmCost = (model: Catalog.CatalogModel, promptTokens: number, completionTokens: number) => {
  const rate = (side: "input" | "output"): number => {
    const usd = member(member(model.model.model_spec.pricing, side), "usd")
    return typeof usd === "number" ? usd : 0
  }
  return round((promptTokens * rate("input") + completionTokens * rate("output")) / 1_000_000)
}

const streamEnv = (ctx: Ctx): Streams.StreamEnv => ({
  paceMillis: ctx.env.settings.stream.paceMillis,
  keepalive: ctx.env.settings.stream.keepalive,
  keepaliveEvery: ctx.env.settings.stream.keepaliveEvery,
  fault: ctx.streamFault,
  response: ctx.response
})

const SSE_HEADERS = { "cache-control": "no-cache", connection: "keep-alive" }

// ─── chat ────────────────────────────────────────────────────────────────────────────────────────

/** Whether a catalog model shows its reasoning (`supportsReasoning`) and the request does not turn it off. */
const showsReasoning = (model: Catalog.CatalogModel, parameters: Chat.VeniceParameters | undefined): boolean =>
  member(model.model.model_spec.capabilities, "supportsReasoning") === true &&
  parameters?.disable_thinking !== true && parameters?.strip_thinking_response !== true

const chat: RouteSpec = {
  name: "chat/completions",
  method: "POST",
  path: `${V1}/chat/completions`,
  auth: "any",
  body: "json",
  modelType: "text",
  streaming: (body) => isRecord(body) && body.stream === true,
  structured: Tools.wantsSchema,
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "text")
      if (isReply(model)) return model
      const decoded = validate(Chat.ChatCompletionRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const cap = request.max_completion_tokens ??
        (request.max_tokens !== undefined && request.max_tokens > 0 ? request.max_tokens : undefined)
      const wanted = ctx.env.settings.stream.tokens
      const count = cap !== undefined ? Math.max(0, Math.min(wanted, cap)) : wanted
      const finishReason = cap !== undefined && cap < wanted ? "length" : "stop"
      const n = request.n ?? 1
      // tools, structured output, tool results: deterministic answers (internal/tools.ts)
      const answer = Tools.answer(ctx.body, { violate: ctx.contentFault !== undefined })
      const reasoning = showsReasoning(model, request.venice_parameters) ? Tools.words(Tools.REASONING) : []
      const choices: Array<Streams.CompletionChoice> = []
      for (let i = 0; i < n; i++) {
        switch (answer._tag) {
          case "text":
            choices.push({ tokens: Content.tokens(count), finishReason, reasoning })
            break
          case "json":
            choices.push({ tokens: Tools.pieces(answer.text, 8), finishReason: "stop", reasoning })
            break
          case "tool-answer":
            choices.push({ tokens: Tools.words(answer.text), finishReason: "stop", reasoning })
            break
          case "tool-calls": {
            const toolCalls: Array<Streams.CompletionToolCall> = []
            for (const call of answer.calls) {
              const id = `call_${yield* ctx.hex(24)}`
              toolCalls.push({ id, name: call.name, arguments: Tools.pieces(call.arguments, 12) })
            }
            choices.push({ tokens: [], finishReason: "tool_calls", reasoning, toolCalls })
            break
          }
        }
      }
      const promptTokens = Content.countTokens(Content.textOf(request.messages))
      const reasoningTokens = reasoning.length * n
      const completionTokens = choices.reduce(
        (sum, c) => sum + c.tokens.length + (c.reasoning?.length ?? 0) +
          (c.toolCalls ?? []).reduce((t, call) => t + Content.countTokens(call.arguments.join("")), 0),
        0
      )
      const usage = {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
        ...(reasoningTokens > 0 ? { completion_tokens_details: { reasoning_tokens: reasoningTokens } } : {})
      }
      const cost = { usd: llmCost(model, promptTokens, completionTokens), diem: 0 }
      const completion: Streams.Completion = {
        id: `chatcmpl-${yield* ctx.hex(29)}`,
        model: model.model.id,
        created: Math.floor(ctx.now / 1000),
        choices,
        usage,
        cost
      }
      ctx.charge({ usd: cost.usd, model: model.model.id, requestId: completion.id, tokens: usage.total_tokens })
      const headers = modelHeaders(model)
      const fault = ctx.contentFault !== undefined ? { fault: ctx.contentFault._tag } : {}
      if (request.stream === true) {
        return {
          status: 200,
          headers: { ...headers, ...SSE_HEADERS },
          body: {
            _tag: "stream",
            contentType: "text/event-stream",
            stream: Streams.chatStream(completion, streamEnv(ctx))
          },
          ...fault
        }
      }
      return {
        ...Reply.json(200, {
          id: completion.id,
          object: "chat.completion",
          created: completion.created,
          model: completion.model,
          choices: completion.choices.map((choice, index) => ({
            index,
            message: {
              role: "assistant",
              content: choice.toolCalls !== undefined ? null : choice.tokens.join(""),
              reasoning_content: choice.reasoning !== undefined && choice.reasoning.length > 0
                ? choice.reasoning.join("")
                : null,
              tool_calls: (choice.toolCalls ?? []).map((call) => ({
                id: call.id,
                type: "function",
                function: { name: call.name, arguments: call.arguments.join("") }
              }))
            },
            finish_reason: choice.finishReason,
            logprobs: null,
            stop_reason: null
          })),
          usage: { ...usage, prompt_tokens_details: null },
          cost,
          venice_parameters: {
            enable_e2ee: false,
            enable_web_search: "off",
            enable_web_citations: false,
            enable_web_scraping: false,
            include_venice_system_prompt: true,
            include_search_results_in_stream: false,
            return_search_results_as_documents: false,
            strip_thinking_response: false,
            disable_thinking: false,
            enable_x_search: false,
            web_search_citations: []
          }
        }, headers),
        ...fault
      }
    })
}

// ─── responses ───────────────────────────────────────────────────────────────────────────────────

const responses: RouteSpec = {
  name: "responses",
  method: "POST",
  path: `${V1}/responses`,
  auth: "any",
  body: "json",
  modelType: "text",
  streaming: (body) => isRecord(body) && body.stream === true,
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "text")
      if (isReply(model)) return model
      const decoded = validate(Responses.ResponsesRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const wanted = ctx.env.settings.stream.tokens
      const cap = request.max_output_tokens
      const count = cap !== undefined ? Math.min(wanted, cap) : wanted
      const inputTokens = Content.countTokens(Content.textOf(request.input))
      const hex = yield* ctx.hex(24)
      const result: Streams.ResponseResult = {
        id: `resp_chatcmpl-${hex}`,
        messageId: `msg_${hex}`,
        model: model.model.id,
        createdAt: Math.floor(ctx.now / 1000),
        tokens: Content.tokens(count),
        incomplete: cap !== undefined && cap < wanted,
        usage: { input_tokens: inputTokens, output_tokens: count, total_tokens: inputTokens + count }
      }
      ctx.charge({
        usd: llmCost(model, inputTokens, count),
        model: model.model.id,
        requestId: result.id,
        tokens: result.usage.total_tokens
      })
      const headers = modelHeaders(model)
      if (request.stream === true) {
        return {
          status: 200,
          headers: { ...headers, ...SSE_HEADERS },
          body: { _tag: "stream", contentType: "text/event-stream", stream: Streams.responsesStream(result, streamEnv(ctx)) }
        }
      }
      return Reply.json(200, Streams.responseObject(result, result.incomplete ? "incomplete" : "completed"), headers)
    })
}

// ─── models ──────────────────────────────────────────────────────────────────────────────────────

const models: RouteSpec = {
  name: "models",
  method: "GET",
  path: `${V1}/models`,
  auth: "none",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const type = ctx.search.get("type") ?? "text"
      if (!Catalog.isTypeFilter(type)) return Reply.json(400, Catalog.invalidTypeBody(type))
      return Reply.json(200, { object: "list", type, data: Catalog.list(type) })
    })
}

// ─── embeddings ──────────────────────────────────────────────────────────────────────────────────

const embeddings: RouteSpec = {
  name: "embeddings",
  method: "POST",
  path: `${V1}/embeddings`,
  auth: "any",
  body: "json",
  modelType: "embedding",
  handle: (ctx) =>
    Effect.sync(() => {
      const model = resolveModel(ctx, "embedding")
      if (isReply(model)) return model
      const decoded = validate(Embeddings.EmbeddingRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const inputs = typeof request.input === "string" ? [request.input] : request.input
      const dimensions = request.dimensions ?? model.model.model_spec.embeddingDimensions ?? 1024
      const promptTokens = inputs.reduce((sum, text) => sum + Content.countTokens(text), 0)
      ctx.charge({ usd: round(promptTokens * 0.15 / 1_000_000), model: model.model.id, requestId: null, tokens: promptTokens })
      return Reply.json(200, {
        object: "list",
        model: model.model.id,
        data: inputs.map((text, index) => {
          const vector = Content.embedding(text, dimensions)
          return {
            object: "embedding",
            index,
            embedding: request.encoding_format === "base64" ? Content.embeddingBase64(vector) : vector
          }
        }),
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens }
      }, modelHeaders(model))
    })
}

// ─── images ──────────────────────────────────────────────────────────────────────────────────────

const CONTENT_VIOLATION_MARK = "[content-violation]"

const imageGenerate: RouteSpec = {
  name: "image/generate",
  method: "POST",
  path: `${V1}/image/generate`,
  auth: "any",
  body: "json",
  modelType: "image",
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "image")
      if (isReply(model)) return model
      const decoded = validate(Image.GenerateImageRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const format = request.format ?? "webp"
      const variants = request.return_binary === true ? 1 : request.variants ?? 1
      // A blocked image is a 200 with `x-venice-is-content-violation: true` (skill venice-errors §5); the emulator
      // blocks prompts containing "[content-violation]".
      const violation = request.prompt.includes(CONTENT_VIOLATION_MARK)
      const headers = {
        ...modelHeaders(model),
        "x-venice-is-content-violation": String(violation),
        "x-venice-is-blurred": String(violation && request.safe_mode !== false),
        "x-venice-is-adult-model-content-violation": "false"
      }
      const id = `generate-image-${yield* ctx.hex(16)}`
      ctx.charge({ usd: round(0.01 * variants), model: model.model.id, requestId: id })
      if (request.return_binary === true) {
        return {
          status: 200,
          headers,
          body: { _tag: "bytes", value: Content.imageBytes(format), contentType: Image.contentTypeByFormat[format] }
        }
      }
      return Reply.json(200, {
        id,
        images: Array.from({ length: variants }, () => Content.images[format]),
        timing: { inferenceDuration: 412, inferencePreprocessingTime: 3, inferenceQueueTime: 11, total: 426 },
        request: ctx.body
      }, headers)
    })
}

// ─── audio ───────────────────────────────────────────────────────────────────────────────────────

const speech: RouteSpec = {
  name: "audio/speech",
  method: "POST",
  path: `${V1}/audio/speech`,
  auth: "any",
  body: "json",
  modelType: "tts",
  streaming: (body) => isRecord(body) && body.streaming === true,
  handle: (ctx) =>
    Effect.sync(() => {
      const model = resolveModel(ctx, "tts")
      if (isReply(model)) return model
      const decoded = validate(Audio.SpeechRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const spec = model.model.model_spec
      if (request.voice !== undefined && !(spec.voices ?? []).includes(request.voice)) {
        return Reply.standard(400, `Invalid voice "${request.voice}" for model ${model.model.id}`)
      }
      const format = request.response_format ?? (isSpeechFormat(spec.default_format) ? spec.default_format : "mp3")
      if (!(spec.supported_formats ?? []).includes(format)) {
        return Reply.standard(400, `Unsupported response_format "${format}" for model ${model.model.id}`)
      }
      const bytes = Content.audioBytes(format, 2_000 + request.input.length * 240)
      ctx.charge({ usd: round(request.input.length * 3.5 / 1_000_000), model: model.model.id, requestId: null })
      const contentType = Audio.speechContentType[format]
      if (request.streaming === true) {
        const { contentLength, stream } = Streams.audioStream(bytes, ctx.env.settings.stream.audioChunks, streamEnv(ctx))
        return {
          status: 200,
          headers: modelHeaders(model),
          body: { _tag: "stream", contentType, stream, contentLength }
        }
      }
      return { status: 200, headers: modelHeaders(model), body: { _tag: "bytes", value: bytes, contentType } }
    })
}

const isSpeechFormat = Schema.is(Audio.SpeechFormat)

const AUDIO_EXTENSIONS = ["wav", "wave", "flac", "m4a", "aac", "mp4", "mp3", "ogg", "webm"]

const transcriptions: RouteSpec = {
  name: "audio/transcriptions",
  method: "POST",
  path: `${V1}/audio/transcriptions`,
  auth: "any",
  body: "multipart",
  modelType: "asr",
  handle: (ctx) =>
    Effect.gen(function*() {
      const form = yield* Effect.tryPromise(() =>
        new Response(new Uint8Array(ctx.rawBody), { headers: { "content-type": ctx.contentType } }).formData()
      ).pipe(Effect.option)
      if (form._tag === "None") return Reply.standard(400, "Invalid multipart/form-data request")
      const data = form.value
      const file = data.get("file")
      if (file === null || typeof file === "string") {
        return Reply.json(400, {
          error: "Invalid request parameters",
          details: { _errors: [], file: { _errors: ["Required"] } },
          issues: [{ code: "invalid_type", path: ["file"], message: "Required" }]
        })
      }
      if (file.size > ctx.env.settings.maxFileBytes) return Reply.standard(400, "Maximum size is 25MB")
      const name = file instanceof File ? file.name : ""
      const extension = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toLowerCase() : ""
      if (!(AUDIO_EXTENSIONS.includes(extension) || file.type.startsWith("audio/"))) {
        return Errors.codeReply("INVALID_AUDIO_FORMAT", ctx.errorEnv)
      }
      const modelId = data.get("model")
      const resolved = Catalog.resolve(typeof modelId === "string" ? modelId : "nvidia/parakeet-tdt-0.6b-v3", "asr")
      if (resolved === "not-found") {
        return Errors.codeReply("MODEL_NOT_FOUND", ctx.errorEnv, { message: `Specified model not found: ${String(modelId)}` })
      }
      if (resolved === "wrong-type") return Errors.codeReply("INVALID_MODEL", ctx.errorEnv)
      const duration = round(file.size / 32_000, 2)
      const text = Content.tokens(ctx.env.settings.stream.tokens).join("")
      ctx.charge({ usd: round(duration * 0.0001), model: resolved.model.id, requestId: null })
      if (data.get("response_format") === "text") {
        return { status: 200, headers: modelHeaders(resolved), body: { _tag: "text", value: text, contentType: "text/plain; charset=utf-8" } }
      }
      const timestamps = data.get("timestamps") === "true"
      return Reply.json(200, {
        text,
        duration,
        ...(timestamps
          ? {
            timestamps: {
              segment: [{ text, start: 0, end: duration }],
              word: text.trim().split(" ").map((word, i, all) => ({
                word,
                start: round((duration * i) / all.length, 3),
                end: round((duration * (i + 1)) / all.length, 3)
              }))
            }
          }
          : {})
      }, modelHeaders(resolved))
    })
}

// ─── async jobs ──────────────────────────────────────────────────────────────────────────────────

/** Who owns a job: the key hash, the wallet, or the IP. */
export const jobOwner = (ctx: Ctx): string =>
  ctx.identity._tag === "key" ? ctx.identity.key.hash : ctx.identity._tag === "wallet" ? ctx.identity.wallet.address.toLowerCase() : ctx.ip

/** The `402 INSUFFICIENT_BALANCE` reply when the caller cannot pay `price`, else `undefined`. */
export const insufficient = (ctx: Ctx, price: number): Reply.Reply | undefined => {
  const identity = ctx.identity
  const available = identity._tag === "key"
    ? identity.key.balanceUsd + identity.key.balanceDiem
    : identity._tag === "wallet"
    ? identity.wallet.balanceUsd
    : Number.POSITIVE_INFINITY
  return available < price ? Errors.codeReply("INSUFFICIENT_BALANCE", ctx.errorEnv) : undefined
}

const videoPrice = (duration: string | undefined): number => {
  const seconds = duration !== undefined ? Number.parseFloat(duration) : 5
  return round(0.11 * (Number.isFinite(seconds) ? seconds : 5), 4)
}

const videoQueue: RouteSpec = {
  name: "video/queue",
  method: "POST",
  path: `${V1}/video/queue`,
  auth: "any",
  body: "json",
  modelType: "video",
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "video")
      if (isReply(model)) return model
      const decoded = validate(Video.QueueVideoRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const constraints: unknown = model.model.model_spec.constraints
      if (request.prompt === undefined) return Reply.standard(400, "prompt is required for this model")
      if (isRecord(constraints)) {
        const allowed = (field: string): ReadonlyArray<unknown> => {
          const values = member(constraints, field)
          return Array.isArray(values) ? values : []
        }
        if (request.duration === undefined || !allowed("durations").includes(request.duration)) {
          return Reply.standard(400, `Invalid duration for this model. Allowed: ${allowed("durations").join(", ")}`)
        }
        if (request.aspect_ratio === undefined && allowed("aspect_ratios").length > 0) {
          return Reply.standard(400, "aspect_ratio is required for this model")
        }
        if (request.aspect_ratio !== undefined && !allowed("aspect_ratios").includes(request.aspect_ratio)) {
          return Reply.standard(400, "This model does not support aspect_ratio " + request.aspect_ratio)
        }
        if (request.resolution !== undefined && !allowed("resolutions").includes(request.resolution)) {
          return Reply.standard(400, "This model does not support resolution " + request.resolution)
        }
        const modelType = member(constraints, "model_type")
        if (modelType === "text-to-video" && request.image_url !== undefined) {
          return Reply.standard(400, "This model does not support image_url")
        }
        if (modelType === "image-to-video" && request.image_url === undefined) {
          return Reply.standard(400, "image_url is required for this model")
        }
      }
      const price = videoPrice(request.duration)
      const refused = insufficient(ctx, price)
      if (refused !== undefined) return refused
      const job: Job = {
        id: yield* uuid(ctx),
        kind: "video",
        model: model.model.id,
        owner: jobOwner(ctx),
        queuedAt: ctx.now,
        durationMillis: ctx.env.settings.jobs.durationMillis,
        deleted: false
      }
      ctx.env.state.jobs.set(job.id, job)
      // API-key callers are charged at queue time (skill venice-video).
      ctx.charge({ usd: price, model: model.model.id, requestId: job.id })
      return Reply.json(200, {
        model: model.model.id,
        queue_id: job.id,
        ...(Catalog.vpsBacked.has(model.model.id) ? { download_url: Catalog.downloadUrl(ctx.env.origin(), job.id) } : {})
      }, modelHeaders(model))
    })
}

/** A random UUID (v4 shape) from the `Random` service. */
export const uuid = (ctx: Ctx) =>
  Effect.map(ctx.hex(32), (h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`)

const retrieve = (
  kind: "video" | "audio",
  schema: typeof Video.RetrieveVideoRequest | typeof Audio.RetrieveAudioRequest
): RouteSpec["handle"] =>
(ctx) =>
  Effect.sync(() => {
    const model = resolveModel(ctx, kind === "video" ? "video" : "music")
    if (isReply(model)) return model
    const decoded = validate(schema, ctx.body)
    if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
    const request = decoded.right
    const job = ctx.env.state.jobs.get(request.queue_id)
    if (job === undefined || job.kind !== kind || job.owner !== jobOwner(ctx)) {
      return Errors.codeReply("REQUEST_ID_NOT_FOUND", ctx.errorEnv)
    }
    if (job.deleted) {
      // The docs' wording (the error-code table has "may may").
      return Errors.codeReply("MEDIA_NOT_FOUND", ctx.errorEnv, {
        message: "Media could not be found. Request may be invalid, expired, or deleted."
      })
    }
    const elapsed = ctx.now - job.queuedAt
    if (elapsed < job.durationMillis) {
      return Reply.json(200, {
        status: "PROCESSING",
        average_execution_time: job.durationMillis,
        execution_duration: elapsed
      }, modelHeaders(model))
    }
    if (kind === "video" && Catalog.vpsBacked.has(job.model)) {
      // VPS-backed: the video is at the queue answer's download_url (routes/jobs.ts)
      return Reply.json(200, {
        status: "COMPLETED",
        average_execution_time: job.durationMillis,
        execution_duration: elapsed
      }, modelHeaders(model))
    }
    if (request.delete_media_on_completion === true) job.deleted = true
    if (kind === "video") {
      return { status: 200, headers: modelHeaders(model), body: { _tag: "bytes", value: Content.videoBytes(), contentType: "video/mp4" } }
    }
    return {
      status: 200,
      headers: {
        ...modelHeaders(model),
        "x-venice-audio-format": "mp3",
        "x-venice-inference-time": String(round(job.durationMillis / 1000, 3))
      },
      body: { _tag: "bytes", value: Content.audioBytes("mp3", 48_000), contentType: "audio/mpeg" }
    }
  })

const videoRetrieve: RouteSpec = {
  name: "video/retrieve",
  method: "POST",
  path: `${V1}/video/retrieve`,
  auth: "any",
  body: "json",
  handle: retrieve("video", Video.RetrieveVideoRequest)
}

const audioQueue: RouteSpec = {
  name: "audio/queue",
  method: "POST",
  path: `${V1}/audio/queue`,
  auth: "any",
  body: "json",
  modelType: "music",
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "music")
      if (isReply(model)) return model
      const decoded = validate(Audio.QueueAudioRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const spec = model.model.model_spec
      if (request.prompt.trim().length < (spec.min_prompt_length ?? 10)) {
        return Reply.standard(400, `prompt must be at least ${spec.min_prompt_length ?? 10} characters`)
      }
      if (request.lyrics_prompt !== undefined && spec.supports_lyrics !== true) {
        return Reply.standard(400, "This model does not support lyrics_prompt")
      }
      const seconds = request.duration_seconds !== undefined ? Number(request.duration_seconds) : spec.default_duration ?? 60
      const price = round(seconds * 0.0115, 4)
      const refused = insufficient(ctx, price)
      if (refused !== undefined) return refused
      const job: Job = {
        id: yield* uuid(ctx),
        kind: "audio",
        model: model.model.id,
        owner: jobOwner(ctx),
        queuedAt: ctx.now,
        durationMillis: ctx.env.settings.jobs.durationMillis,
        deleted: false
      }
      ctx.env.state.jobs.set(job.id, job)
      ctx.charge({ usd: price, model: model.model.id, requestId: job.id })
      return Reply.json(200, { model: model.model.id, queue_id: job.id, status: "QUEUED" }, modelHeaders(model))
    })
}

const audioRetrieve: RouteSpec = {
  name: "audio/retrieve",
  method: "POST",
  path: `${V1}/audio/retrieve`,
  auth: "any",
  body: "json",
  handle: retrieve("audio", Audio.RetrieveAudioRequest)
}

const quote = (name: string, type: Models.ModelType, price: (body: Record<string, unknown>) => number): RouteSpec => ({
  name,
  method: "POST",
  path: `${V1}/${name}`,
  auth: "none",
  body: "json",
  handle: (ctx) =>
    Effect.sync(() => {
      const model = resolveModel(ctx, type)
      if (isReply(model)) return model
      return Reply.json(200, { quote: price(isRecord(ctx.body) ? ctx.body : {}) })
    })
})

const videoQuote = quote("video/quote", "video", (body) => videoPrice(typeof body.duration === "string" ? body.duration : undefined))
const audioQuote = quote("audio/quote", "music", (body) => round(Number(body.duration_seconds ?? 60) * 0.0115, 4))

// ─── keys and billing ────────────────────────────────────────────────────────────────────────────

const epochEnd = (now: number): string => {
  const d = new Date(now)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString()
}

const rateLimits: RouteSpec = {
  name: "api_keys/rate_limits",
  method: "GET",
  path: `${V1}/api_keys/rate_limits`,
  auth: "bearer",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const key = ctx.identity._tag === "key" ? ctx.identity.key : undefined
      const settings = ctx.env.settings.rateLimit
      return Reply.json(200, {
        data: {
          accessPermitted: key === undefined || key.balanceUsd + key.balanceDiem > 0,
          apiTier: { id: "paid", isCharged: true },
          balances: { USD: round(key?.balanceUsd ?? 0, 4), DIEM: round(key?.balanceDiem ?? 0, 4), BUNDLED_CREDITS: 0 },
          keyExpiration: null,
          nextEpochBegins: epochEnd(ctx.now),
          rateLimits: Catalog.catalog.map((m) => ({
            apiModelId: m.model.id,
            rateLimits: m.model.type === "video" || m.model.type === "music"
              ? []
              : [
                { type: "RPM", amount: settings.requestsPerWindow ?? m.rpm },
                { type: "TPM", amount: settings.tokensPerWindow ?? m.tpm }
              ]
          }))
        }
      })
    })
}

const billingBalance: RouteSpec = {
  name: "billing/balance",
  method: "GET",
  path: `${V1}/billing/balance`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const key = ctx.identity._tag === "key" ? ctx.identity.key : undefined
      const usd = key?.balanceUsd ?? 0
      const diem = key?.balanceDiem ?? 0
      return Reply.json(200, {
        canConsume: usd + diem >= 0.1,
        consumptionCurrency: diem > 0 ? "DIEM" : usd > 0 ? "USD" : null,
        balances: { diem: diem > 0 ? round(diem, 4) : null, usd: usd > 0 ? round(usd, 4) : null, bundledCredits: null, earnedCredits: null },
        diemEpochAllocation: key?.initialDiem ?? 0
      })
    })
}

const retired = (name: string, method: "GET" | "POST", message: string, headers: Record<string, string>): RouteSpec => ({
  name,
  method,
  path: `${V1}/${name}`,
  auth: "none",
  body: "none",
  handle: (ctx) => Effect.sync(() => Errors.codeReply("ENDPOINT_RETIRED", ctx.errorEnv, { message, headers }))
})

const billingUsage = retired(
  "billing/usage",
  "GET",
  "GET /api/v1/billing/usage has been retired. Use GET /api/v1/billing/usage-history instead (page + limit → pageSize + nextCursor, startDate / endDate → startTimestamp / endTimestamp).",
  {
    Deprecation: "@1783555200",
    Sunset: "Wed, 16 Sep 2026 00:00:00 GMT",
    Link:
      "</api/v1/billing/usage-history>; rel=\"successor-version\", <https://docs.venice.ai/api-reference/endpoint/billing/usage-history>; rel=\"deprecation\"; type=\"text/html\""
  }
)

const videoTranscriptions = retired(
  "video/transcriptions",
  "POST",
  "POST /api/v1/video/transcriptions has been retired. Use POST /api/v1/chat/completions with a video_url content part on a model with supportsVideoInput.",
  {
    Deprecation: "true",
    Link: "</api/v1/chat/completions>; rel=\"successor-version\", </api/v1/models>; rel=\"describedby\""
  }
)

// ─── crypto RPC ──────────────────────────────────────────────────────────────────────────────────

type Family = "evm" | "starknet" | "solana"

const familyOf = (network: string): Family =>
  network.startsWith("starknet-") ? "starknet" : network.startsWith("solana-") ? "solana" : "evm"

const chainIds: Readonly<Record<string, number>> = {
  "ethereum-mainnet": 1,
  "ethereum-sepolia": 11155111,
  "ethereum-holesky": 17000,
  "base-mainnet": 8453,
  "base-sepolia": 84532,
  "optimism-mainnet": 10,
  "optimism-sepolia": 11155420,
  "arbitrum-mainnet": 42161,
  "arbitrum-sepolia": 421614,
  "polygon-mainnet": 137,
  "polygon-amoy": 80002,
  "linea-mainnet": 59144,
  "linea-sepolia": 59141,
  "avalanche-mainnet": 43114,
  "avalanche-fuji": 43113,
  "bsc-mainnet": 56,
  "bsc-testnet": 97,
  "blast-mainnet": 81457,
  "blast-sepolia": 168587773,
  "zksync-mainnet": 324,
  "zksync-sepolia": 300,
  "robinhood-mainnet": 4663,
  "robinhood-testnet": 46630
}

const EVM_PREFIXES = ["eth_", "net_", "web3_", "trace_", "debug_", "txpool_", "zks_", "linea_", "bor_", "arbtrace_"]
const STATEFUL = ["eth_newFilter", "eth_newBlockFilter", "eth_newPendingTransactionFilter", "eth_getFilterChanges", "eth_getFilterLogs", "eth_uninstallFilter", "eth_subscribe", "eth_unsubscribe"]

/** Whether a method is on the family's allowlist (else the whole request is a 400). */
const allowed = (family: Family, method: string): boolean => {
  switch (family) {
    case "evm":
      return EVM_PREFIXES.some((p) => method.startsWith(p)) && !STATEFUL.includes(method)
    case "starknet":
      return method.startsWith("starknet_")
    case "solana":
      return /^[a-z][A-Za-z]+$/.test(method) && !/Subscribe$|Unsubscribe$/.test(method) && !method.includes("_")
  }
}

const tier = (method: string): number =>
  /^trace_replay|^txpool_content$|^arbtrace_replay|^getLargestAccounts$|^getSupply$/.test(method)
    ? 4
    : /^trace_|^debug_|^txpool_|^arbtrace_/.test(method)
    ? 2
    : 1

const baseCredits = (network: string): number => (network.startsWith("zksync-") || network.startsWith("solana-") ? 30 : 20)

const USD_PER_CREDIT = 7e-7

const cryptoNetworks: RouteSpec = {
  name: "crypto/rpc/networks",
  method: "GET",
  path: `${V1}/crypto/rpc/networks`,
  auth: "none",
  body: "none",
  handle: () => Effect.succeed(Reply.json(200, { networks: [...CryptoRpc.knownNetworks].sort() }))
}

const cryptoRpc: RouteSpec = {
  name: "crypto/rpc",
  method: "POST",
  path: `${V1}/crypto/rpc/:network`,
  auth: "any",
  body: "json",
  handle: (ctx) =>
    Effect.gen(function*() {
      const state = ctx.env.state
      const settings = ctx.env.settings.cryptoRpc
      const requestId = yield* ctx.hex(32)
      const withId = (reply: Reply.Reply): Reply.Reply => ({ ...reply, headers: { ...reply.headers, "X-Request-ID": requestId } })
      const network = ctx.params.network ?? ""
      if (!CryptoRpc.isKnownNetwork(network)) return withId(Reply.standard(400, `Unsupported network: ${network}`))
      const user = ctx.identity._tag === "key" ? ctx.identity.key.hash : ctx.identity._tag === "wallet" ? ctx.identity.wallet.address.toLowerCase() : ctx.ip

      // idempotency (24 h per user and key): a replay is the cached answer, not billed again
      const idempotencyKey = ctx.request.headers["idempotency-key"]
      const bodyHash = keccak256(ctx.rawBody)
      if (idempotencyKey !== undefined) {
        if (!Schema.is(CryptoRpc.IdempotencyKey)(idempotencyKey)) {
          return withId(Reply.standard(400, "Idempotency-Key must match [A-Za-z0-9_-]{1,255}"))
        }
        const cached = state.idempotency.get(`${user}|${idempotencyKey}`, ctx.now)
        if (cached !== undefined) {
          if (cached.bodyHash !== bodyHash) {
            return withId(Reply.standard(400, "Idempotency-Key was already used with a different request body"))
          }
          return {
            status: cached.status,
            headers: { ...cached.headers, "Idempotent-Replayed": "true" },
            body: { _tag: "text", value: cached.body, contentType: "application/json; charset=utf-8" }
          }
        }
      }

      // per-minute cap per caller; its 429 alone carries X-RateLimit-* (reset in Unix seconds)
      const window = state.rpcWindows.take(user, ctx.now, settings.requestsPerMinute, 60_000)
      if (!window.allowed) {
        return withId(Reply.standard(
          429,
          `Rate limit exceeded: ${settings.requestsPerMinute} requests per minute`,
          Errors.rpcHeaders(window)
        ))
      }

      const decoded = validate(CryptoRpc.CryptoRpcRequest, ctx.body)
      if (Either.isLeft(decoded)) return withId(Reply.json(400, decoded.left))
      const calls = Array.isArray(decoded.right) ? decoded.right : [decoded.right]
      const family = familyOf(network)
      const refused = calls.find((call) => !allowed(family, call.method))
      if (refused !== undefined) {
        return withId(Reply.standard(400, `Method ${refused.method} is not supported on ${network}`))
      }
      let credits = 0
      const answers = calls.map((call) => {
        const result = rpcResult(network, family, call, ctx.now)
        credits += "error" in result ? 5 : baseCredits(network) * tier(call.method)
        return { jsonrpc: "2.0", id: call.id ?? null, ...result }
      })
      const cost = credits * USD_PER_CREDIT
      ctx.charge({ usd: cost, model: `crypto-rpc:${network}`, requestId })
      const body = JSON.stringify(Array.isArray(decoded.right) ? answers : answers[0])
      const headers = {
        "X-Venice-RPC-Credits": String(credits),
        "X-Venice-RPC-Cost-USD": cost.toFixed(8),
        "X-Request-ID": requestId
      }
      if (idempotencyKey !== undefined) {
        state.idempotency.set(`${user}|${idempotencyKey}`, { bodyHash, status: 200, body, headers }, ctx.now, settings.idempotencyTtlMillis)
      }
      return { status: 200, headers, body: { _tag: "text", value: body, contentType: "application/json; charset=utf-8" } }
    })
}

const hexQuantity = (n: number): string => `0x${Math.floor(n).toString(16)}`

const rpcResult = (
  network: string,
  family: Family,
  call: CryptoRpc.JsonRpcRequest,
  now: number
): { readonly result: unknown } | { readonly error: { readonly code: number; readonly message: string } } => {
  const block = 0x1_3a_5f_00 + Math.floor(now / 2_000)
  const params = call.params ?? []
  const notFound = { error: { code: -32601, message: `the method ${call.method} does not exist/is not available` } }
  switch (family) {
    case "evm":
      switch (call.method) {
        case "eth_chainId":
          return { result: hexQuantity(chainIds[network] ?? 1) }
        case "net_version":
          return { result: String(chainIds[network] ?? 1) }
        case "eth_blockNumber":
          return { result: hexQuantity(block) }
        case "web3_clientVersion":
          return { result: "venice-emulator/0.1.0" }
        case "eth_gasPrice":
          return { result: "0x3b9aca00" }
        case "eth_getBalance":
        case "eth_getTransactionCount":
          return { result: "0x0" }
        case "eth_estimateGas":
          return { result: "0x5208" }
        case "eth_call":
          return { result: "0x" }
        case "eth_getLogs":
          return { result: [] }
        case "eth_sendRawTransaction": {
          const raw = params[0]
          return typeof raw === "string" && /^0x[0-9a-fA-F]*$/.test(raw)
            ? { result: keccak256(raw as `0x${string}`) }
            : { error: { code: -32602, message: "invalid argument 0: expected a hex-encoded transaction" } }
        }
        default:
          return notFound
      }
    case "starknet":
      switch (call.method) {
        case "starknet_chainId":
          return { result: network === "starknet-mainnet" ? "0x534e5f4d41494e" : "0x534e5f5345504f4c4941" }
        case "starknet_blockNumber":
          return { result: block }
        default:
          return notFound
      }
    case "solana":
      switch (call.method) {
        case "getSlot":
        case "getBlockHeight":
          return { result: block }
        case "getBalance":
          return { result: { context: { slot: block }, value: 0 } }
        case "getAccountInfo":
          return { result: { context: { slot: block }, value: null } }
        case "getLatestBlockhash":
          return {
            result: {
              context: { slot: block },
              value: { blockhash: "EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N", lastValidBlockHeight: block + 150 }
            }
          }
        case "getHealth":
          return { result: "ok" }
        case "getVersion":
          return { result: { "solana-core": "2.1.0", "feature-set": 0 } }
        default:
          return notFound
      }
  }
}

// ─── x402 ────────────────────────────────────────────────────────────────────────────────────────

/** The canonical x402 v2 name first, then Venice's original and x402 v1's (skill venice-x402 §Header names). */
const PAYMENT_HEADERS = [X402.HeaderNames.paymentSignature, "x-402-payment", "x-payment"] as const

/** The payment header of a request, if any (canonical name first). */
export const paymentHeader = (headers: Readonly<Record<string, string | undefined>>): string | undefined =>
  PAYMENT_HEADERS.map((name) => headers[name]).find((value) => value !== undefined)

const decodePayment = Schema.decodeUnknownEither(X402.PaymentSignatureHeader)
const decodeEip3009 = Schema.decodeUnknownEither(X402.ExactEip3009Payload)

const topUpError = (ctx: Ctx, code: Parameters<typeof Errors.codeReply>[0], details?: unknown): Reply.Reply =>
  Errors.codeReply(code, ctx.errorEnv, details === undefined ? {} : { details })

const topUp: RouteSpec = {
  name: "x402/top-up",
  method: "POST",
  path: `${V1}/x402/top-up`,
  auth: "none",
  body: "none",
  perMinute: { limit: 10, by: "ip" },
  handle: (ctx) =>
    Effect.gen(function*() {
      const settings = ctx.env.settings.x402
      const resourceUrl = `${ctx.env.origin()}${V1}/x402/top-up`
      const header = paymentHeader(ctx.request.headers)
      if (header === undefined) {
        const document = X402Docs.topUpRequirements(settings, resourceUrl, ctx.errorEnv.solanaNetwork)
        return Reply.json(402, document.body, { "PAYMENT-REQUIRED": document.header })
      }
      const payment = decodePayment(header)
      if (Either.isLeft(payment)) return topUpError(ctx, "INVALID_PAYMENT_FORMAT")
      const accepted = payment.right.accepted
      if (accepted.scheme !== "exact") return topUpError(ctx, "UNSUPPORTED_SCHEME")
      if (X402Svm.isSolanaNetwork(accepted.network)) {
        const solana = yield* X402Svm.verifyPayment(ctx.env, payment.right)
        if (solana._tag === "Rejected") return topUpError(ctx, solana.code, solana.details)
        return yield* settle(ctx, { ...solana, network: X402Docs.SOLANA_MAINNET })
      }
      if (accepted.network !== X402Docs.BASE_MAINNET && accepted.network !== "base") {
        return topUpError(ctx, "UNSUPPORTED_NETWORK", {
          network: accepted.network,
          supported: [X402Docs.BASE_MAINNET, X402Docs.SOLANA_MAINNET]
        })
      }
      if (accepted.asset.toLowerCase() !== X402Docs.USDC_BASE.toLowerCase()) return topUpError(ctx, "UNSUPPORTED_TOKEN")
      if (accepted.payTo.toLowerCase() !== settings.payTo.toLowerCase()) return topUpError(ctx, "INVALID_PAYMENT_RECIPIENT")
      const payload = decodeEip3009(payment.right.payload)
      if (Either.isLeft(payload)) return topUpError(ctx, "INVALID_PAYMENT")
      const authorization = payload.right.authorization
      if (authorization.to.toLowerCase() !== settings.payTo.toLowerCase()) return topUpError(ctx, "INVALID_PAYMENT_RECIPIENT")
      if (!isAddress(authorization.from)) return topUpError(ctx, "INVALID_PAYMENT_PAYER")
      if (authorization.value !== accepted.amount) return topUpError(ctx, "INVALID_AMOUNT")
      const usd = Number(authorization.value) / 1_000_000
      if (usd < settings.minimumTopUpUsd) return topUpError(ctx, "AMOUNT_TOO_LOW")
      if (usd > settings.maximumTopUpUsd) return topUpError(ctx, "AMOUNT_TOO_HIGH")
      const nowSeconds = Math.floor(ctx.now / 1000)
      if (!(Number(authorization.validAfter) <= nowSeconds && nowSeconds < Number(authorization.validBefore))) {
        return topUpError(ctx, "PAYMENT_VERIFICATION_FAILED", { reason: "authorization is not valid at this time" })
      }
      const signature = payload.right.signature
      const extra = accepted.extra ?? {}
      const valid = signature === undefined ? false : yield* Effect.tryPromise(() =>
        verifyTypedData({
          address: getAddress(authorization.from),
          domain: {
            name: typeof extra.name === "string" ? extra.name : "USD Coin",
            version: typeof extra.version === "string" ? extra.version : "2",
            chainId: 8453,
            verifyingContract: getAddress(accepted.asset)
          },
          types: authorizationTypes,
          primaryType: "TransferWithAuthorization",
          message: {
            from: getAddress(authorization.from),
            to: getAddress(authorization.to),
            value: BigInt(authorization.value),
            validAfter: BigInt(authorization.validAfter),
            validBefore: BigInt(authorization.validBefore),
            nonce: authorization.nonce
          },
          signature
        })
      ).pipe(Effect.orElseSucceed(() => false))
      if (!valid) return topUpError(ctx, "PAYMENT_VERIFICATION_FAILED", { reason: "invalid signature" })
      const paymentId = `x402-${keccak256(toHex(`${authorization.from}:${authorization.nonce}`)).slice(2, 34)}`
      return yield* settle(ctx, {
        payer: getAddress(authorization.from),
        amountUsd: usd,
        paymentId,
        transaction: keccak256(toHex(paymentId)),
        network: X402Docs.BASE_MAINNET,
        expiresAt: Number(authorization.validBefore) * 1000
      })
    })
}

/** A verified signed payment, on either rail. */
interface Paid {
  readonly payer: string
  readonly amountUsd: number
  /** The same for every resubmission of one signed payment. */
  readonly paymentId: string
  /** The settlement's transaction id (`PAYMENT-RESPONSE`). */
  readonly transaction: string
  readonly network: string
  /**
   * Epoch ms from which the payment can no longer land: an EIP-3009 authorization's `validBefore`, a Solana
   * transaction's blockhash expiry.
   */
  readonly expiresAt: number
}

/** Settles a verified payment: credited at most once; while it settles, a resubmission gets `409 PAYMENT_IN_PROGRESS`. */
const settle = (ctx: Ctx, paid: Paid): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
      const { paymentId } = paid
      const state = ctx.env.state
      let record = state.payments.get(paymentId)
      if (record !== undefined) {
        record.submissions++
        if (record.status === "pending") return topUpError(ctx, "PAYMENT_IN_PROGRESS")
      } else {
        record = {
          paymentId,
          wallet: paid.payer,
          amountUsd: paid.amountUsd,
          status: "pending",
          landsAt: undefined,
          newBalance: 0,
          submissions: 1
        }
        const fault = ctx.settlementFault
        if (fault?.outcome === "failed") return topUpError(ctx, "SETTLEMENT_FAILED")
        if (fault?.outcome === "in-progress") return topUpError(ctx, "PAYMENT_IN_PROGRESS")
        if (fault?.outcome === "timeout") {
          // the transfer is on its way: it lands later on Clock (or never), and is credited then, once — never once
          // it has expired (the chain refuses a transferWithAuthorization at or after validBefore, and a Solana
          // transaction whose blockhash is past its lastValidBlockHeight)
          const landsAt = ctx.now + (fault.landsAfter ?? 10_000)
          state.payments.set(paymentId, {
            ...record,
            landsAt: fault.lands === false || landsAt >= paid.expiresAt ? undefined : landsAt
          })
          return topUpError(ctx, "SETTLEMENT_TIMEOUT")
        }
        state.payments.set(paymentId, record)
        state.credit(record, ctx.now, yield* uuid(ctx))
      }
      const settlement: X402.SettleResponse = {
        success: true,
        transaction: paid.transaction,
        network: paid.network,
        payer: record.wallet
      }
      return Reply.json(200, {
        success: true,
        data: { walletAddress: record.wallet, amountCredited: record.amountUsd, newBalance: record.newBalance, paymentId }
      }, { "PAYMENT-RESPONSE": Schema.encodeSync(X402.PaymentResponseHeader)(settlement) })
    })

/** The path wallet must be the signed-in wallet (`403` otherwise). */
const ownWallet = (ctx: Ctx, what: "balance" | "transaction history") => {
  const path = ctx.params.wallet ?? ""
  if (!Schema.is(X402Api.WalletAddress)(path)) {
    return { reply: Reply.standard(400, "Invalid wallet address") }
  }
  // EVM addresses compare case-insensitively, Solana's base58 exactly
  if (ctx.identity._tag !== "wallet" || walletKey(ctx.identity.wallet.address) !== walletKey(path)) {
    return { reply: Reply.standard(403, `You can only access ${what} for your own wallet`) }
  }
  return { wallet: ctx.identity.wallet }
}

const x402Balance: RouteSpec = {
  name: "x402/balance",
  method: "GET",
  path: `${V1}/x402/balance/:wallet`,
  auth: "siwx",
  body: "none",
  perMinute: { limit: 30, by: "wallet" },
  handle: (ctx) =>
    Effect.sync(() => {
      const own = ownWallet(ctx, "balance")
      if (own.reply !== undefined) return own.reply
      const settings = ctx.env.settings.x402
      return Reply.json(200, {
        success: true,
        data: {
          walletAddress: own.wallet.address,
          balanceUsd: own.wallet.balanceUsd,
          canConsume: own.wallet.balanceUsd >= settings.minimumBalanceUsd,
          minimumTopUpUsd: settings.minimumTopUpUsd,
          suggestedTopUpUsd: settings.suggestedTopUpUsd
        }
      })
    })
}

const TransactionsQuery = Schema.Struct({
  limit: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100)), { exact: true }),
  offset: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), { exact: true })
})

const x402Transactions: RouteSpec = {
  name: "x402/transactions",
  method: "GET",
  path: `${V1}/x402/transactions/:wallet`,
  auth: "siwx",
  body: "none",
  perMinute: { limit: 20, by: "wallet" },
  handle: (ctx) =>
    Effect.sync(() => {
      const own = ownWallet(ctx, "transaction history")
      if (own.reply !== undefined) return own.reply
      const query = validate(TransactionsQuery, Object.fromEntries(ctx.search))
      if (Either.isLeft(query)) return Reply.json(400, query.left)
      const limit = query.right.limit ?? 50
      const offset = query.right.offset ?? 0
      const newestFirst = [...own.wallet.transactions].reverse()
      return Reply.json(200, {
        success: true,
        data: {
          walletAddress: own.wallet.address,
          currentBalance: own.wallet.balanceUsd,
          transactions: newestFirst.slice(offset, offset + limit),
          pagination: { limit, offset, hasMore: offset + limit < newestFirst.length }
        }
      })
    })
}

/** Every Venice route of the emulator. */
export const routes: ReadonlyArray<RouteSpec> = [
  chat,
  responses,
  models,
  embeddings,
  imageGenerate,
  speech,
  transcriptions,
  videoQueue,
  videoRetrieve,
  videoQuote,
  audioQueue,
  audioRetrieve,
  audioQuote,
  rateLimits,
  billingBalance,
  billingUsage,
  videoTranscriptions,
  cryptoNetworks,
  cryptoRpc,
  topUp,
  x402Balance,
  x402Transactions
]
