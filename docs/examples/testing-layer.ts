// docs/testing.md: your program against the in-process emulator, with scripted faults and virtual time.
import { NodeHttpClient } from "@effect/platform-node"
import { describe, expect, layer } from "@effect/vitest"
import { Faults, Testing, VeniceEmulator } from "@venice-effect/emulator"
import { Chat, VeniceClient } from "@venice-effect/venice"
import { Effect, Exit, Layer, Redacted } from "effect"

// The emulator on a random loopback port, and a client pointed at it: both built in the test's runtime.
const Emulator = VeniceEmulator.layer({ keys: ["test-key"], rateLimit: { requestsPerWindow: 5, window: "10 seconds" } })
const Venice = Layer.unwrapEffect(
  Effect.map(
    VeniceEmulator.VeniceEmulator,
    (emulator) => VeniceClient.layer({ apiKey: Redacted.make("test-key"), baseUrl: emulator.baseUrl })
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici))

const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hi" }] }

describe("my app", () => {
  layer(Layer.provideMerge(Venice, Emulator))((it) => {
    it.effect("waits out an overload and answers", () =>
      Effect.gen(function*() {
        const emulator = yield* VeniceEmulator.VeniceEmulator
        yield* emulator.script({ route: "chat/completions" }, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 30 }))
        // Testing.drive moves the TestClock over every wait while no request is on the wire: 30 s take milliseconds
        const exit = yield* Testing.drive(Chat.completions(hello))
        expect(Exit.isSuccess(exit)).toBe(true)
        const requests = yield* emulator.requests
        expect(requests.map((r) => r.status)).toEqual([429, 200])
        expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(30_000)
      }))

    it.effect("surfaces a 404 without retrying", () =>
      Effect.gen(function*() {
        const emulator = yield* VeniceEmulator.VeniceEmulator
        yield* emulator.reset
        const error = yield* Effect.flip(Chat.completions({ ...hello, model: "no-such-model" }))
        expect(error).toMatchObject({ _tag: "VeniceStandardError", code: "MODEL_NOT_FOUND", attempt: 1 })
        expect(yield* emulator.count({ status: 404 })).toBe(1)
      }))
  })
})
