/**
 * `POST /responses`: the Responses API, plain and streamed.
 */
import * as Responses from "@venice-effect/venice/schema/Responses"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Content from "../content.js"
import type { RouteSpec } from "../context.js"
import * as Reply from "../reply.js"
import * as Streams from "../streams.js"
import { validate } from "../validation.js"
import { isRecord, isReply, llmCost, modelHeaders, resolveModel, SSE_HEADERS, streamEnv, V1 } from "./common.js"

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
          body: {
            _tag: "stream",
            contentType: "text/event-stream",
            stream: Streams.responsesStream(result, streamEnv(ctx))
          }
        }
      }
      return Reply.json(200, Streams.responseObject(result, result.incomplete ? "incomplete" : "completed"), headers)
    })
}

/** The responses routes. */
export const responsesRoutes: ReadonlyArray<RouteSpec> = [responses]
