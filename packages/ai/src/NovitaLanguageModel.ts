/**
 * Novita as an `@effect/ai` `LanguageModel`, over the SDK's `NovitaClient` (its retry policy, pacing and typed errors
 * apply): text, streamed text, tool calls and structured output on Novita's OpenAI-compatible chat completions.
 * Failures are `AiError`s carrying the SDK's Novita errors (`VeniceAi.novitaError`).
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { NovitaLanguageModel } from "@venice-effect/ai"
 * import { NovitaClient } from "@venice-effect/novita"
 * import { Effect, Layer } from "effect"
 *
 * const Novita = NovitaClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
 *
 * const program = LanguageModel.generateText({ prompt: "Hello" }).pipe(
 *   Effect.provide(NovitaLanguageModel.model("meta-llama/llama-3.1-8b-instruct")),
 *   Effect.provide(Novita)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as AiModel from "@effect/ai/Model"
import * as Chat from "@venice-effect/novita/Chat"
import * as ChatStream from "@venice-effect/novita/ChatStream"
import * as NovitaClient from "@venice-effect/novita/NovitaClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Wire from "./internal/chat.js"
import * as ConfigOverride from "./internal/config.js"
import * as Provider from "./internal/model.js"

/**
 * Request defaults and SDK call options of a Novita language model; per call with {@link withConfigOverride}.
 *
 * @since 0.1.0
 * @category configuration
 */
export class Config extends Context.Tag("@venice-effect/ai/NovitaLanguageModel/Config")<Config, Config.Service>() {
  /**
   * The configuration in context, if any.
   *
   * @since 0.1.0
   */
  static readonly getOrUndefined: Effect.Effect<Config.Service | undefined> = Effect.suspend(() =>
    ConfigOverride.getOrUndefined(Config)
  )
}

/**
 * @since 0.1.0
 * @category configuration
 */
export declare namespace Config {
  /**
   * Novita's sampling fields, `extra` for model-specific members (`repetition_penalty`, `separate_reasoning` …, sent
   * as given), `strict` for tool and response schemas, and `call`: the SDK's per-call options (retry Schedule,
   * timeout, headers, `maxEventBytes`, `idleTimeout` …).
   *
   * @since 0.1.0
   * @category configuration
   */
  export interface Service {
    readonly model?: string | undefined
    readonly temperature?: number | undefined
    readonly top_p?: number | undefined
    readonly top_k?: number | undefined
    readonly max_tokens?: number | undefined
    readonly presence_penalty?: number | undefined
    readonly frequency_penalty?: number | undefined
    readonly seed?: number | undefined
    readonly stop?: string | ReadonlyArray<string> | undefined
    readonly user?: string | undefined
    readonly extra?: Readonly<Record<string, unknown>> | undefined
    readonly strict?: boolean | undefined
    readonly call?: ChatStream.StreamOptions | undefined
  }
}

/**
 * Facts of a Novita answer, on its `finish` part as `metadata.novita`.
 *
 * @since 0.1.0
 * @category models
 */
export type FinishMetadata = {
  readonly requestId?: string | undefined
  readonly model?: string | undefined
}

declare module "@effect/ai/Response" {
  /**
   * @since 0.1.0
   */
  export interface FinishPartMetadata extends ProviderMetadata {
    readonly novita?: FinishMetadata | undefined
  }
}

const info: Wire.ProviderInfo = { name: "novita", module: "NovitaLanguageModel" }

const factsOf = (requestId: string | undefined, model: string): FinishMetadata => ({
  ...(requestId !== undefined ? { requestId } : {}),
  model
})

const callOptions = (call: ChatStream.StreamOptions | undefined): NovitaClient.CallOptions => {
  if (call === undefined) return {}
  const { idleTimeout: _i, maxEventBytes: _m, ...rest } = call
  return rest
}

/**
 * Builds the service over the `NovitaClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly model: string
  readonly config?: Omit<Config.Service, "model"> | undefined
}): Effect.Effect<LanguageModel.Service, never, NovitaClient.NovitaClient> =>
  Effect.gen(function*() {
    const client = yield* NovitaClient.NovitaClient
    const provide = Effect.provideService(NovitaClient.NovitaClient, client)
    return yield* Provider.make({
      info,
      request: (providerOptions) =>
        Effect.gen(function*() {
          const override = yield* Config.getOrUndefined
          const { call, extra, model, strict, ...fields } = { ...options.config, ...override }
          const messages = yield* Wire.toMessages(providerOptions.prompt, info)
          const { toolChoice, tools } = yield* Wire.toTools(providerOptions, info, strict)
          const responseFormat = Wire.toResponseFormat(providerOptions, strict)
          const request: Chat.ChatCompletionRequest = {
            ...extra,
            ...fields,
            model: model ?? options.model,
            messages,
            ...(tools !== undefined ? { tools } : {}),
            ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
            ...(responseFormat !== undefined ? { response_format: responseFormat } : {})
          }
          return { request, call }
        }),
      complete: (request, call) =>
        Effect.map(provide(Chat.completionsWithMeta(request, callOptions(call))), (response) => ({
          completion: response.value,
          facts: factsOf(response.requestId, response.value.model),
          requestId: response.requestId
        })),
      open: (request, call) =>
        Effect.map(provide(ChatStream.streamWithMeta(request, call)), (opened) => ({
          chunks: opened.chunks,
          facts: (model: string) => factsOf(opened.requestId, model)
        }))
    })
  })

/**
 * A layer providing `LanguageModel` over the `NovitaClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: {
  readonly model: string
  readonly config?: Omit<Config.Service, "model"> | undefined
}): Layer.Layer<LanguageModel.LanguageModel, never, NovitaClient.NovitaClient> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

/**
 * An `@effect/ai` `Model` named `novita`.
 *
 * @since 0.1.0
 * @category models
 */
export const model = (
  model: string,
  config?: Omit<Config.Service, "model">
): AiModel.Model<"novita", LanguageModel.LanguageModel, NovitaClient.NovitaClient> =>
  AiModel.make("novita", layer({ model, config }))

/**
 * Overrides configuration for one effect (merged over the layer's and any enclosing override).
 *
 * @since 0.1.0
 * @category configuration
 */
export const withConfigOverride: {
  (overrides: Config.Service): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: Config.Service): Effect.Effect<A, E, R>
} = ConfigOverride.withOverride(Config)
