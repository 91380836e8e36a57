/**
 * `POST /embeddings`: vectors for each input, priced per token.
 */
import * as Embeddings from "@venice-effect/venice/schema/Embeddings"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Content from "../content.js"
import type { RouteSpec } from "../context.js"
import * as Reply from "../reply.js"
import { validate } from "../validation.js"
import { isReply, modelHeaders, resolveModel, round, V1 } from "./common.js"

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
      ctx.charge({
        usd: round(promptTokens * 0.15 / 1_000_000),
        model: model.model.id,
        requestId: null,
        tokens: promptTokens
      })
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

/** The embeddings routes. */
export const embeddingsRoutes: ReadonlyArray<RouteSpec> = [embeddings]
