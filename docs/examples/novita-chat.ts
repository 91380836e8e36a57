// docs/novita.md: a chat stream printed as it arrives, with the stream's typed failures handled.
import { NovitaChat } from "@venice-effect/novita"
import { Effect, Stream } from "effect"

const request = { model: "meta-llama/llama-3.1-8b-instruct", messages: [{ role: "user" as const, content: "A haiku" }] }

const print = NovitaChat.stream(request, { idleTimeout: "30 seconds" }).pipe(
  NovitaChat.textDeltas,
  Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text))),
  Effect.catchTags({
    NovitaStreamEventError: (e) => Effect.logWarning(`in-band ${e.reason}: ${e.message}`), // e.code: catalog code
    NovitaStreamTruncatedError: (e) => Effect.logWarning(`cut after ${e.received} chunks`)
  })
)
