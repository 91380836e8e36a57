/**
 * `venice chat --tools-demo "question"`: the same question asked through `@effect/ai` (`@venice-effect/ai`'s
 * `VeniceLanguageModel`) against the embedded emulator — a `Toolkit` tool call that `Chat` resolves in two rounds,
 * then a structured answer from `generateObject` decoded through its Schema. Always local: the emulator answers
 * tools and `json_schema` deterministically.
 *
 * @since 0.1.0
 */
import * as AiChat from "@effect/ai/Chat"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import * as VeniceAi from "@venice-effect/ai/VeniceAi"
import * as VeniceLanguageModel from "@venice-effect/ai/VeniceLanguageModel"
import type * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const GetWeather = Tool.make("GetWeather", {
  description: "The current weather in a city",
  parameters: { city: Schema.String, unit: Schema.Literal("celsius", "fahrenheit") },
  success: Schema.Struct({ city: Schema.String, temperature: Schema.Number, sky: Schema.String })
})

const Tools = Toolkit.make(GetWeather)

const ToolsLive = Tools.toLayer({
  GetWeather: ({ city, unit }) => Effect.succeed({ city, temperature: unit === "celsius" ? 21 : 70, sky: "clear" })
})

/**
 * The structured answer's Schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Forecast = Schema.Struct({
  city: Schema.String,
  temperature: Schema.Number,
  advice: Schema.String
}).annotations({ identifier: "Forecast", description: "A short forecast with advice" })

/**
 * Runs the demo over the `VeniceClient` in context, printing each step with `print`.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (
  question: string,
  print: (line: string) => Effect.Effect<void>
) =>
  Effect.gen(function*() {
    const chat = yield* AiChat.fromPrompt(question)
    const toolkit = yield* Tools
    yield* print(`@effect/ai over the SDK's client (VeniceLanguageModel, venice-uncensored)`)
    yield* print(`? ${question}`)
    const first = yield* chat.generateText({ prompt: [], toolkit })
    for (const call of first.toolCalls) yield* print(`→ tool call ${call.name}(${JSON.stringify(call.params)})`)
    for (const result of first.toolResults) yield* print(`← ${result.name} returned ${JSON.stringify(result.result)}`)
    const second = yield* chat.generateText({ prompt: [], toolkit })
    yield* print(`= ${second.text} (${second.finishReason}, ${second.usage.totalTokens ?? "?"} tokens)`)
    const forecast = yield* LanguageModel.generateObject({ prompt: question, schema: Forecast })
    yield* print(`structured answer (generateObject, Schema Forecast): ${JSON.stringify(forecast.value)}`)
    return { toolCalls: first.toolCalls.length, answer: second.text, forecast: forecast.value }
  }).pipe(
    Effect.provide(ToolsLive),
    Effect.provide(VeniceLanguageModel.layer({ model: "venice-uncensored" })),
    // the SDK's typed errors, for the CLI's renderer
    VeniceAi.unwrap
  ) satisfies Effect.Effect<unknown, unknown, VeniceClient.VeniceClient>
