// README: calling chat with a custom retry Schedule (runs against Venice with VENICE_API_KEY set).
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Chat, RetryPolicy, VeniceClient } from "@venice-effect/venice"
import { Effect, Layer, Schedule } from "effect"

// Venice's defaults, 2 retries at most, and never more than 20 s in total.
const retry = RetryPolicy.make({ maxRetries: 2 }).pipe(Schedule.upTo("20 seconds"))

const program = Chat.completions(
  { model: "venice-uncensored", messages: [{ role: "user", content: "Say hi in five words." }] },
  { retry, fallbackModels: ["zai-org-glm-5-1"] }
).pipe(Effect.tap((completion) => Effect.log(Chat.text(completion))))

const Venice = VeniceClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
program.pipe(Effect.provide(Venice), NodeRuntime.runMain)
