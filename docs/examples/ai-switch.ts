// docs/ai.md: one @effect/ai program, and the one layer that points it at Venice.
import { LanguageModel } from "@effect/ai"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { VeniceLanguageModel } from "@venice-effect/ai"
import { RetryPolicy, VeniceClient } from "@venice-effect/venice"
import { Console, Effect, Layer } from "effect"

// The program knows @effect/ai only.
const program = LanguageModel.generateText({ prompt: "Why is the sky blue? One sentence." }).pipe(
  Effect.tap((response) => Console.log(response.text, response.usage))
)

// Before: OpenAiLanguageModel.model("gpt-4o").pipe(Layer.provide(OpenAiClient.layerConfig(...)))
// After: Venice through the SDK's client — its retries, pacing, error-budget guard and fallback models included.
const Venice = VeniceLanguageModel.model("venice-uncensored", {
  temperature: 0.7,
  venice_parameters: { include_venice_system_prompt: false },
  call: { fallbackModels: ["zai-org-glm-5-1"] }
}).pipe(
  Layer.provide(VeniceClient.layerConfig({ retry: RetryPolicy.make({ maxRetries: 3 }) })),
  Layer.provide(NodeHttpClient.layerUndici)
)

program.pipe(Effect.provide(Venice), NodeRuntime.runMain)
