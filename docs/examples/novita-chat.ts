// docs/novita.md: a chat stream printed as it arrives, with the stream's typed failures handled.
import { ChatStream } from "@venice-effect/novita"
import { Effect, Stream } from "effect"

const request = { model: "meta-llama/llama-3.1-8b-instruct", messages: [{ role: "user" as const, content: "A haiku" }] }

const print = ChatStream.stream(request, { idleTimeout: "30 seconds" }).pipe(
  ChatStream.textDeltas,
  Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text))),
  Effect.catchTags({
    StreamEventError: (e) => Effect.logWarning(`in-band ${e.reason}: ${e.message}`), // e.code: the code as sent
    StreamTruncatedError: (e) => Effect.logWarning(`cut after ${e.received} chunks`)
  })
)
