/**
 * Span content is opt-in. The language models of this package set the OpenTelemetry GenAI attributes on
 * `@effect/ai`'s spans (`gen_ai.system`, `gen_ai.operation.name`, `gen_ai.request.model`, `gen_ai.request.temperature`
 * …, `gen_ai.response.id`, `gen_ai.response.model`, `gen_ai.response.finish_reasons`, `gen_ai.usage.input_tokens`,
 * `gen_ai.usage.output_tokens`), while the SDK's `venice.chat.completions` span below them records the attempts. No
 * prompt, answer or credential is ever recorded — unless a program opts in with {@link withContentCapture}, which
 * adds `gen_ai.input.messages` and `gen_ai.output.messages` (JSON) through `@effect/ai`'s `CurrentSpanTransformer`.
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { AiTelemetry } from "@venice-effect/ai"
 *
 * // prompts and answers on the span of this call only
 * const traced = LanguageModel.generateText({ prompt: "hi" }).pipe(AiTelemetry.withContentCapture)
 * ```
 *
 * @since 0.1.0
 */
import * as Telemetry from "@effect/ai/Telemetry"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

const content = (parts: ReadonlyArray<{ readonly type: string }>): Array<unknown> =>
  parts.flatMap((part): Array<unknown> => {
    switch (part.type) {
      case "text":
      case "reasoning":
        return "text" in part ? [{ type: part.type, text: part.text }] : []
      case "tool-call":
        return "name" in part && "params" in part ? [{ type: part.type, name: part.name, params: part.params }] : []
      case "tool-result":
        return "name" in part && "result" in part ? [{ type: part.type, name: part.name, result: part.result }] : []
      case "text-delta":
        return "delta" in part ? [{ type: "text", text: part.delta }] : []
      default:
        return []
    }
  })

/**
 * A span transformer that records the prompt and the response on the call's span as `gen_ai.input.messages` and
 * `gen_ai.output.messages` (text, reasoning, tool calls and results; files are left out).
 *
 * @since 0.1.0
 * @category transformers
 */
export const contentTransformer: Telemetry.SpanTransformer = (options) => {
  const input = options.prompt.content.map((message) => ({
    role: message.role,
    content: typeof message.content === "string" ? message.content : content(message.content)
  }))
  options.span.attribute("gen_ai.input.messages", JSON.stringify(input))
  const output = [{ role: "assistant", content: content(options.response) }]
  options.span.attribute("gen_ai.output.messages", JSON.stringify(output))
}

/**
 * Records prompts and answers on the spans of the language-model calls of this effect (opt-in; off by default).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withContentCapture = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.provideService(self, Telemetry.CurrentSpanTransformer, contentTransformer)

/**
 * A layer that turns content capture on for every call under it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerContentCapture: Layer.Layer<Telemetry.CurrentSpanTransformer> = Layer.succeed(
  Telemetry.CurrentSpanTransformer,
  contentTransformer
)
