// docs/retries.md: a policy per client, replaced per call; the guard, pacing, the maximum wait, fallback models.
import { NodeHttpClient } from "@effect/platform-node"
import { Chat, RetryPolicy, VeniceClient } from "@venice-effect/venice"
import { Config, Effect, Layer, Schedule } from "effect"

// Per client: every call of this client uses it.
const Venice = Layer.unwrapEffect(
  Effect.map(Config.redacted("VENICE_API_KEY"), (apiKey) =>
    VeniceClient.layer({
      apiKey,
      retry: RetryPolicy.make({ maxRetries: 3 }),
      maxWait: "2 minutes", // announced waits above this fail at once with WaitTooLongError (default 60 s)
      pacing: true, // wait for x-ratelimit-remaining-requests instead of collecting 429s (default)
      errorBudgetGuard: true, // refuse before Venice's 50 failures / 30 s lockout (default)
      errorBudgetMargin: 5 // …keeping 5 failures in hand (default 2)
    }))
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const request = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hi" }] }

export const program = Effect.gen(function*() {
  // Per call: replaces the client's policy for this call only.
  yield* Chat.completions(request, { retry: RetryPolicy.none, timeout: "20 seconds" })
  // Read the client's policy and extend it.
  const client = yield* VeniceClient.VeniceClient
  yield* Chat.completions(request, { retry: client.retryPolicy.pipe(Schedule.upTo("10 seconds")) })
  // Fallback models: on MODEL_OVERLOADED / MODEL_OFFLINE / MODEL_AT_CAPACITY, the next model at once.
  yield* Chat.completions(request, { fallbackModels: ["zai-org-glm-5-1", "qwen3-4b"] })
}).pipe(
  Effect.catchTags({
    WaitTooLongError: (e) => Effect.logWarning(`Venice asked for ${e.wait.toString()}`),
    ErrorBudgetExhaustedError: (e) => Effect.logError(`${e.failures}/${e.limit} failures; not sent`)
  }),
  Effect.provide(Venice)
)
