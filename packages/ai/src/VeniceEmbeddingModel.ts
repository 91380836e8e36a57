/**
 * Venice's `/embeddings` as an `@effect/ai` `EmbeddingModel`, over the SDK's client (retries, pacing, typed errors
 * carried by the `AiError`). `embed` calls made together are batched into one request (up to `maxBatchSize`
 * inputs, Venice's limit of 2048 by default).
 *
 * @example
 * ```ts
 * import { EmbeddingModel } from "@effect/ai"
 * import { VeniceEmbeddingModel } from "@venice-effect/ai"
 * import { Effect } from "effect"
 *
 * const vectors = EmbeddingModel.EmbeddingModel.pipe(
 *   Effect.flatMap((model) => model.embedMany(["a cat", "a dog"])),
 *   Effect.provide(VeniceEmbeddingModel.model("text-embedding-bge-m3"))
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as EmbeddingModel from "@effect/ai/EmbeddingModel"
import * as AiModel from "@effect/ai/Model"
import * as ClientError from "@venice-effect/core/ClientError"
import * as Embeddings from "@venice-effect/venice/Embeddings"
import type * as EmbeddingSchemas from "@venice-effect/venice/schema/Embeddings"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Errors from "./internal/errors.js"
import * as Telemetry from "./internal/telemetry.js"

/**
 * Options of a Venice embedding model: `dimensions` (models that support it), the end-user id `user`, batching
 * (`maxBatchSize`, default 2048), an optional request cache, and the SDK's per-call options (`call`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  readonly dimensions?: number | undefined
  readonly user?: string | undefined
  readonly maxBatchSize?: number | undefined
  readonly cache?: { readonly capacity: number; readonly timeToLive: Duration.DurationInput } | undefined
  readonly call?: VeniceClient.CallOptions | undefined
}

/**
 * An embedding model id (Venice's known ids auto-complete; any other id is accepted).
 *
 * @since 0.1.0
 * @category models
 */
export type Model = typeof EmbeddingSchemas.EmbeddingRequest.Encoded["model"]

const MODULE = "VeniceEmbeddingModel"

/**
 * Builds the service over the `VeniceClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly model: Model
  readonly config?: Config | undefined
}): Effect.Effect<EmbeddingModel.Service, never, VeniceClient.VeniceClient> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const { cache, call, dimensions, maxBatchSize = 2048, user } = options.config ?? {}
    const site = { module: MODULE, method: "embedMany" }
    const embedMany = (input: ReadonlyArray<string>) =>
      Effect.gen(function*() {
        const response = yield* Embeddings.create({
          model: options.model,
          input,
          encoding_format: "float",
          ...(dimensions !== undefined ? { dimensions } : {}),
          ...(user !== undefined ? { user } : {})
        }, call).pipe(
          Effect.provideService(VeniceClient.VeniceClient, client),
          Effect.mapError((failure) => Errors.toAiError(failure, site))
        )
        const span = yield* Effect.option(Effect.currentSpan)
        if (Option.isSome(span)) {
          Telemetry.annotateEmbeddings(span.value, "venice", {
            model: options.model,
            dimensions,
            inputTokens: response.usage.prompt_tokens
          })
        }
        return yield* Effect.forEach(response.data, ({ embedding, index }) =>
          typeof embedding === "string"
            ? Effect.fail(Errors.toAiError(
              new ClientError.ResponseDecodeError({
                provider: "venice",
                status: 200,
                operation: "embeddings.create",
                message: "Venice answered a base64 embedding to a request for floats",
                raw: embedding.slice(0, 256)
              }),
              site
            ))
            : Effect.succeed({ index, embeddings: Array.from(embedding) }))
      }).pipe(Effect.withSpan("VeniceEmbeddingModel.embedMany", { captureStackTrace: false }))
    return yield* EmbeddingModel.make({
      embedMany,
      maxBatchSize,
      ...(cache !== undefined ? { cache } : {})
    })
  })

/**
 * A layer providing `EmbeddingModel` over the `VeniceClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: {
  readonly model: Model
  readonly config?: Config | undefined
}): Layer.Layer<EmbeddingModel.EmbeddingModel, never, VeniceClient.VeniceClient> =>
  Layer.effect(EmbeddingModel.EmbeddingModel, make(options))

/**
 * An `@effect/ai` `Model` named `venice`.
 *
 * @since 0.1.0
 * @category models
 */
export const model = (
  model: Model,
  config?: Config
): AiModel.Model<"venice", EmbeddingModel.EmbeddingModel, VeniceClient.VeniceClient> =>
  AiModel.make("venice", layer({ model, config }))
