// docs/getting-started.md: a first program — one answer, one stream, failures handled by tag and by code.
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Chat, ChatStream, VeniceClient, VeniceError } from "@venice-effect/venice"
import { Console, Effect, Layer, Stream } from "effect"

const request = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "Name three rivers." }] }

const program = Effect.gen(function*() {
  // one call: validated locally, retried per Venice's rules, decoded by Schema
  const completion = yield* Chat.completions(request)
  yield* Console.log(Chat.text(completion))

  // the same request streamed: text as it arrives; an in-band error event fails the Stream
  yield* ChatStream.stream(request).pipe(
    ChatStream.textDeltas,
    Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text)))
  )
}).pipe(
  // by code, whatever the body shape Venice used
  VeniceError.catchCode("MODEL_NOT_FOUND", (e) => Console.error(`no such model: ${e.message}`)),
  // by tag: the SDK's own refusals carry what you need to decide
  Effect.catchTags({
    WaitTooLongError: (e) => Console.error(`Venice asked for ${e.wait.toString()}; not waiting`),
    RequestValidationError: (e) => Console.error(e.issues.join("\n"))
  })
)

// VENICE_API_KEY (read as Redacted) and VENICE_BASE_URL (default https://api.venice.ai/api/v1)
const Venice = VeniceClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))

program.pipe(Effect.provide(Venice), NodeRuntime.runMain)
