/**
 * `POST /chat/completions`: plain and streamed completions, tools, `response_format` and reasoning, priced from the
 * model's per-token rates.
 */
import * as Chat from "@venice-effect/venice/schema/Chat"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Content from "../content.js"
import type { RouteSpec } from "../context.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import * as Streams from "../streams.js"
import * as Tools from "../tools.js"
import { validate } from "../validation.js"
import { isRecord, isReply, llmCost, member, modelHeaders, resolveModel, SSE_HEADERS, streamEnv, V1 } from "./common.js"

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
        (sum, c) =>
          sum + c.tokens.length + (c.reasoning?.length ?? 0) +
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

/** The chat routes. */
export const chatRoutes: ReadonlyArray<RouteSpec> = [chat]
