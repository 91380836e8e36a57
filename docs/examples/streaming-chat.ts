// docs/streaming.md: chat streams — text, the whole completion, the response's facts, and how they fail.
import { ChatStream } from "@venice-effect/venice"
import { Console, Effect, Stream } from "effect"

const request = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "A haiku" }] }

// Text as it arrives.
export const print = ChatStream.stream(request).pipe(
  ChatStream.textDeltas,
  Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text)))
)

// The whole completion, usage and cost included (from the final `choices: []` chunk).
export const collected = ChatStream.collect(ChatStream.stream(request, { idleTimeout: "30 seconds" }))

// The response's facts before the first chunk is consumed (rate limits, balance, request id).
export const withMeta = Effect.scoped(
  Effect.gen(function*() {
    const response = yield* ChatStream.streamWithMeta(request)
    yield* Console.log(`request id ${response.meta.requestId ?? "-"}`)
    return yield* ChatStream.collect(response.chunks)
  })
)

// What fails a started stream (nothing is retried implicitly after the first event).
export const handled = print.pipe(
  Effect.catchTags({
    StreamEventError: (e) => Console.error(`in-band ${e.code ?? e.type}: ${e.message}`),
    StreamTruncatedError: (e) => Console.error(`ended without [DONE] after ${e.received} event(s)`),
    StreamTransportError: (e) => Console.error(`connection ${e.reason} after ${e.received} event(s)`)
  })
)
