// docs/testing.md: the same layers on real time — `excludeTestServices` instead of `it.live`.
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { VeniceEmulator } from "@venice-effect/emulator"
import { Chat, VeniceClient } from "@venice-effect/venice"
import { Effect, Layer, Redacted } from "effect"

const Emulator = VeniceEmulator.layer({ keys: ["test-key"] })
const Venice = Layer.unwrapEffect(
  Effect.map(
    VeniceEmulator.VeniceEmulator,
    (emulator) => VeniceClient.layer({ apiKey: Redacted.make("test-key"), baseUrl: emulator.baseUrl })
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici))

describe("my app on real time", () => {
  // no TestClock: the layer and every test of the block run on the real clock
  layer(Layer.provideMerge(Venice, Emulator), { excludeTestServices: true })((it) => {
    it.effect("answers", () =>
      Effect.gen(function*() {
        const completion = yield* Chat.completions({
          model: "venice-uncensored",
          messages: [{ role: "user", content: "hi" }]
        })
        expect(Chat.text(completion)).toContain("Venice emulator")
      }))
  })
})
