/**
 * (a) Our chat `Stream` (`ChatStream.stream`) through a `VeniceClient` — the whole pipeline (retry policy, budget
 * guard, span) — on `NodeHttpClient.layerUndici` or `FetchHttpClient.layer`, with or without Schema validation. The
 * consumer is `Stream.runForEachChunk` with a plain loop per chunk (what a throughput-minded user writes).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as ChatStream from "@venice-effect/venice/ChatStream"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { consume, type Setup } from "./sink.js"

export const make = (transport: "undici" | "fetch", validate: boolean): Setup => async (port, options) => {
  const client = VeniceClient.layer({
    apiKey: Redacted.make("bench"),
    baseUrl: `http://127.0.0.1:${port}/v1`,
    pacing: false
  }).pipe(Layer.provide(transport === "undici" ? NodeHttpClient.layerUndici : FetchHttpClient.layer))
  const runtime = ManagedRuntime.make(client)
  await runtime.runPromise(Effect.void)
  return async (workload) => {
    let events = 0
    const program = ChatStream.stream(
      { model: workload, messages: [{ role: "user", content: "hi" }] },
      { validate, maxEventBytes: options.maxEventBytes }
    ).pipe(
      Stream.runForEachChunk((chunk) =>
        Effect.sync(() => {
          const n = Chunk.size(chunk)
          for (let i = 0; i < n; i++) consume(Chunk.unsafeGet(chunk, i))
          events += n
        })
      )
    )
    const exit = await runtime.runPromiseExit(program)
    if (Exit.isSuccess(exit)) return { events, outcome: "done" }
    const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
    return failure?._tag === "StreamEventError"
      ? { events, outcome: "error", detail: failure._tag }
      : { events, outcome: "unexpected", detail: String(exit.cause) }
  }
}
