/**
 * Venice as an `@effect/ai` `LanguageModel`, over the SDK's own client: every request still runs the client's retry
 * `Schedule`s, pacing, error-budget guard, x402 payments and fallback models, and every failure is an `AiError`
 * carrying the SDK's tagged error (`VeniceAi.veniceError`). Text and streamed text, tool calls (parallel, with
 * streamed argument deltas assembled), structured output (`generateObject` as `response_format: json_schema`, the
 * answer checked against the Schema with the raw text kept on failure), reasoning, usage and finish reasons, and
 * Venice's own request fields (`venice_parameters` …) as typed configuration.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { VeniceLanguageModel } from "@venice-effect/ai"
 * import { VeniceClient } from "@venice-effect/venice"
 * import { Effect, Layer } from "effect"
 *
 * const Venice = VeniceClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
 * const Model = VeniceLanguageModel.model("venice-uncensored", { venice_parameters: { enable_web_search: "auto" } })
 *
 * const program = LanguageModel.generateText({ prompt: "Why is the sky blue?" }).pipe(
 *   Effect.map((response) => response.text),
 *   Effect.provide(Model),
 *   Effect.provide(Venice)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as AiModel from "@effect/ai/Model"
import type * as Response from "@effect/ai/Response"
import * as Chat from "@venice-effect/venice/Chat"
import * as ChatStream from "@venice-effect/venice/ChatStream"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Simplify } from "effect/Types"
import * as Wire from "./internal/chat.js"
import * as ConfigOverride from "./internal/config.js"
import * as Provider from "./internal/model.js"

// ─── configuration ───────────────────────────────────────────────────────────────────────────────

/**
 * Request defaults and SDK call options of a Venice language model; per call with {@link withConfigOverride}.
 *
 * @since 0.1.0
 * @category configuration
 */
export class Config extends Context.Tag("@venice-effect/ai/VeniceLanguageModel/Config")<Config, Config.Service>() {
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
   * Every field of Venice's chat request but those `@effect/ai` owns (messages, tools, `tool_choice`,
   * `response_format`, streaming) — `temperature`, `max_completion_tokens`, `reasoning_effort`,
   * `venice_parameters` (web search, characters, `include_venice_system_prompt`, thinking …) — plus:
   *
   * - `strict`: send tool and response schemas with `strict: true` (default: not sent; Venice's default applies);
   * - `call`: the SDK's per-call options — a `retry` Schedule, `timeout`, `maxWait`, `fallbackModels`, extra
   *   `headers`, a `correlationId`, and for streams `validate`, `maxEventBytes`, `idleTimeout`.
   *
   * @since 0.1.0
   * @category configuration
   */
  export interface Service extends
    Simplify<
      Partial<
        Omit<
          Chat.ChatCompletionRequest,
          "messages" | "tools" | "tool_choice" | "response_format" | "stream" | "stream_options"
        >
      >
    >
  {
    readonly strict?: boolean | undefined
    readonly call?: ChatStream.StreamOptions | undefined
  }
}

/**
 * Facts of a Venice answer, on its `finish` part as `metadata.venice`.
 *
 * @since 0.1.0
 * @category models
 */
export type FinishMetadata = {
  /** `X-Request-ID` of the response, when Venice sent one. */
  readonly requestId?: string | undefined
  /** `CF-RAY`: Venice support keys logs by it. */
  readonly cfRay?: string | undefined
  /** What the call cost, by currency. */
  readonly cost?: { readonly usd: number; readonly diem: number } | undefined
  /** The model that answered (it may be a fallback model). */
  readonly model?: string | undefined
}

declare module "@effect/ai/Response" {
  /**
   * @since 0.1.0
   */
  export interface FinishPartMetadata extends ProviderMetadata {
    readonly venice?: FinishMetadata | undefined
  }
}

/**
 * The model a layer was built for (config overrides may replace it per call).
 *
 * @since 0.1.0
 * @category models
 */
export type Model = Chat.ChatCompletionRequest["model"]

// ─── construction ────────────────────────────────────────────────────────────────────────────────

const info: Wire.ProviderInfo = { name: "venice", module: "VeniceLanguageModel" }

const chatOptions = (call: ChatStream.StreamOptions | undefined): Chat.ChatOptions => {
  if (call === undefined) return {}
  const { idleTimeout: _i, maxEventBytes: _m, validate: _v, ...rest } = call
  return rest
}

const factsOf = (
  meta: { readonly requestId?: string | undefined; readonly cfRay?: string | undefined },
  model: string,
  cost: { readonly usd: number; readonly diem: number } | undefined
): FinishMetadata => ({
  ...(meta.requestId !== undefined ? { requestId: meta.requestId } : {}),
  ...(meta.cfRay !== undefined ? { cfRay: meta.cfRay } : {}),
  ...(cost !== undefined ? { cost: { usd: cost.usd, diem: cost.diem } } : {}),
  model
})

/**
 * Builds the service over the `VeniceClient` in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: {
  readonly model: Model
  readonly config?: Omit<Config.Service, "model"> | undefined
}): Effect.Effect<LanguageModel.Service, never, VeniceClient.VeniceClient> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const provide = Effect.provideService(VeniceClient.VeniceClient, client)
    return yield* Provider.make({
      info,
      request: (providerOptions) =>
        Effect.gen(function*() {
          const override = yield* Config.getOrUndefined
          const { call, strict, ...fields } = { model: options.model, ...options.config, ...override }
          const messages = yield* Wire.toMessages(providerOptions.prompt, info)
          const { toolChoice, tools } = yield* Wire.toTools(providerOptions, info, strict)
          const responseFormat = Wire.toResponseFormat(providerOptions, strict)
          const request: Chat.ChatCompletionRequest = {
            ...fields,
            messages,
            ...(tools !== undefined ? { tools } : {}),
            ...(toolChoice !== undefined ? { tool_choice: toolChoice } : {}),
            ...(responseFormat !== undefined ? { response_format: responseFormat } : {})
          }
          return { request, call }
        }),
      complete: (request, call) =>
        Effect.map(provide(Chat.completionsWithMeta(request, chatOptions(call))), ({ meta, value }) => ({
          completion: value,
          facts: factsOf(meta, value.model, value.cost),
          requestId: meta.requestId
        })),
      open: (request, call) =>
        Effect.map(provide(ChatStream.streamWithMeta(request, call)), (opened) => ({
          chunks: opened.chunks,
          facts: (model: string, last: ChatStream.ChatCompletionChunk | undefined) =>
            factsOf(opened.meta, model, last?.cost)
        }))
    })
  })

/**
 * A layer providing `LanguageModel` over the `VeniceClient` in context.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: {
  readonly model: Model
  readonly config?: Omit<Config.Service, "model"> | undefined
}): Layer.Layer<LanguageModel.LanguageModel, never, VeniceClient.VeniceClient> =>
  Layer.effect(LanguageModel.LanguageModel, make(options))

/**
 * An `@effect/ai` `Model` (a layer that also names its provider, `venice`): switch a program from
 * `OpenAiLanguageModel.model(...)` to this and nothing else changes.
 *
 * @since 0.1.0
 * @category models
 */
export const model = (
  model: Model,
  config?: Omit<Config.Service, "model">
): AiModel.Model<"venice", LanguageModel.LanguageModel, VeniceClient.VeniceClient> =>
  AiModel.make("venice", layer({ model, config }))

/**
 * Overrides configuration for one effect (merged over the layer's and any enclosing override), e.g. web search for
 * one call: `withConfigOverride({ venice_parameters: { enable_web_search: "on" } })`.
 *
 * @since 0.1.0
 * @category configuration
 */
export const withConfigOverride: {
  (overrides: Config.Service): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: Config.Service): Effect.Effect<A, E, R>
} = ConfigOverride.withOverride(Config)

/**
 * The `metadata.venice` of a response's `finish` part: request id, CF-RAY, cost, the model that answered.
 *
 * @since 0.1.0
 * @category getters
 */
export const finishMetadata = (
  content: ReadonlyArray<Response.AnyPart>
): FinishMetadata | undefined => {
  for (const part of content) if (part.type === "finish") return part.metadata.venice
  return undefined
}
