// docs/ai.md: tools with Toolkit and Chat, structured output with generateObject.
import { Chat, LanguageModel, Tool, Toolkit } from "@effect/ai"
import { Console, Effect, Schema } from "effect"

const GetWeather = Tool.make("GetWeather", {
  description: "The current weather in a city",
  parameters: { city: Schema.String, unit: Schema.Literal("celsius", "fahrenheit") },
  success: Schema.Struct({ temperature: Schema.Number, sky: Schema.String })
})

const Tools = Toolkit.make(GetWeather)

const ToolsLive = Tools.toLayer({
  GetWeather: ({ city }) => Effect.succeed({ temperature: city === "Oslo" ? 4 : 21, sky: "clear" })
})

// Round 1: the model calls the tool and @effect/ai runs the handler; round 2: it answers with the result.
export const weather = Effect.gen(function*() {
  const chat = yield* Chat.fromPrompt("What's the weather in Oslo?")
  const toolkit = yield* Tools
  const first = yield* chat.generateText({ prompt: [], toolkit })
  yield* Console.log(first.toolCalls.map((call) => `${call.name}(${JSON.stringify(call.params)})`))
  const second = yield* chat.generateText({ prompt: [], toolkit })
  return second.text
}).pipe(Effect.provide(ToolsLive))

// Structured output: the Schema goes out as `response_format: json_schema` and the answer is decoded through it.
const City = Schema.Struct({
  name: Schema.String,
  country: Schema.String,
  population: Schema.Int.pipe(Schema.positive())
}).annotations({ identifier: "City", description: "A city and its population" })

export const city = LanguageModel.generateObject({ prompt: "The largest city in Norway", schema: City }).pipe(
  Effect.map((response) => response.value)
)
