/**
 * Issue 13 #7 for Novita's stream (regression, over loopback against the Novita emulator): a default idle bound
 * between data events (keep-alive comments do not reset it) and a first-event bound. At 8cb3725 a Novita stream that
 * went silent after its first event, or sent only keep-alive comments, never ended.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/NovitaEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import type * as Chat from "../src/Chat.js"
import * as ChatStream from "../src/ChatStream.js"
import { drive, layer } from "./support.js"

const hello: Chat.ChatCompletionRequest = {
  model: "meta-llama/llama-3.1-8b-instruct",
  messages: [{ role: "user", content: "hello" }]
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

const consume = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.gen(function*() {
    const seen: Array<A> = []
    const started = yield* TestClock.currentTimeMillis
    // a stream is declared stalled after 1 s of real quiet: cold code in a consumer must not look like a stall (the
    // driver would move the clock past a bound while bytes are still on their way)
    const exit = yield* drive(Stream.runForEach(stream, (a) => Effect.sync(() => void seen.push(a))), {
      stallAfter: 1_000
    })
    return { exit, seen, took: (yield* TestClock.currentTimeMillis) - started }
  })

describe("issue 13 #7: Novita stream bounds", () => {
  it.scoped("silent after its first events → idle-timeout after the default 60 s", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.NovitaEmulator
      yield* Stream.runDrain(ChatStream.stream(hello)) // warm: a cold first attempt could look stalled to the driver
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(2))
      const { exit, seen, took } = yield* consume(ChatStream.stream(hello))
      expect(seen).toHaveLength(2)
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout", received: 2 })
      expect(took).toBeGreaterThanOrEqual(60_000)
      expect(took).toBeLessThan(61_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("keep-alive comments only do not reset the idle bound", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.NovitaEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(3, { keepAliveEvery: 4_000 }))
      const { exit, took } = yield* consume(ChatStream.stream(hello, { idleTimeout: "10 seconds" }))
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout", received: 3 })
      expect(took).toBeGreaterThanOrEqual(10_000)
      expect(took).toBeLessThan(11_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("keep-alive comments from the start → the first-event bound fires, and the error says so", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.NovitaEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(0, { keepAliveEvery: 10_000 }))
      const { exit, took } = yield* consume(
        ChatStream.stream(hello, { firstEventTimeout: "30 seconds", retry: Schedule.stop })
      )
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
      expect((error as { message: string }).message).toMatch(/first-event timeout/)
      expect(took).toBeGreaterThanOrEqual(30_000)
      expect(took).toBeLessThan(31_000)
    }).pipe(Effect.provide(layer())))
})
