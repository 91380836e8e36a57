// docs/novita.md: the Novita client from the environment, or with explicit options.
import { NodeHttpClient } from "@effect/platform-node"
import { Chat, NovitaClient } from "@venice-effect/novita"
import { Effect, Layer, Redacted } from "effect"

// from the environment: NOVITA_API_KEY (read with Config.redacted), NOVITA_BASE_URL (default https://api.novita.ai)
const Novita = NovitaClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))

// or explicitly
const Explicit = NovitaClient.layer({
  apiKey: Redacted.make(process.env["NOVITA_API_KEY"] ?? ""),
  timeout: "60 seconds" // one attempt: until the whole JSON body; for streams until the first event
}).pipe(Layer.provide(NodeHttpClient.layerUndici))

const program = Chat.completions({
  model: "meta-llama/llama-3.1-8b-instruct",
  messages: [{ role: "user", content: "Say hi" }]
}).pipe(Effect.map(Chat.text))

Effect.runPromise(program.pipe(Effect.provide(Novita)))
