/**
 * Issue 13 #7 (regression, over loopback against the emulator): streams cannot stall for ever. By default a stream
 * has a first-event bound (2 minutes from the response headers to the first data event) and an idle bound (60 s
 * between data events); keep-alive comments reset neither; the error says which bound fired. Chat, `/responses` and
 * speech streams. At 8cb3725 a stream that went silent after its first event, or sent only keep-alive comments, never
 * ended (`idleTimeout` was off by default and comments reset it).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as ChatStream from "../src/ChatStream.js"
import * as Responses from "../src/Responses.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as SpeechStream from "../src/SpeechStream.js"
import { drive, layer } from "./support.js"

const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
const speech = { model: "tts-kokoro", input: "Hello there", response_format: "wav" as const }

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

/** Runs a stream under the TestClock driver, keeping what it delivered and the virtual time it took. */
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

describe("issue 13 #7: stream bounds", () => {
  it.scoped("chat: silent after its first events → idle-timeout after the default 60 s", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* Stream.runDrain(ChatStream.stream(hello)) // warm: a cold first attempt could look stalled to the driver
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(2))
      const { exit, seen, took } = yield* consume(ChatStream.stream(hello))
      expect(seen).toHaveLength(2)
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout", received: 2 })
      expect(error.message).toMatch(/idle timeout/)
      expect(took).toBeGreaterThanOrEqual(60_000)
      expect(took).toBeLessThan(61_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("chat: keep-alive comments only after the first events do not reset the idle bound", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(3, { keepAliveEvery: 4_000 }))
      const { exit, seen, took } = yield* consume(ChatStream.stream(hello, { idleTimeout: "10 seconds" }))
      expect(seen).toHaveLength(3)
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout", received: 3 })
      expect(took).toBeGreaterThanOrEqual(10_000)
      expect(took).toBeLessThan(11_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("chat: only keep-alive comments from the start → the first-event bound fires, and the error says so", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(0, { keepAliveEvery: 10_000 }))
      const { exit, seen, took } = yield* consume(
        ChatStream.stream(hello, { firstEventTimeout: "30 seconds", retry: RetryPolicy.make({ maxRetries: 0 }) })
      )
      expect(seen).toHaveLength(0)
      const error = failureOf(exit)
      // before the first event the attempt fails (the call's policy decides): a timeout naming the bound
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
      expect(error.message).toMatch(/first-event timeout/)
      expect(took).toBeGreaterThanOrEqual(30_000)
      expect(took).toBeLessThan(31_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("/responses: silent after its first events → idle-timeout by default", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "responses" }, 1, Faults.streamStall(2, { keepAliveEvery: 25_000 }))
      const { exit, took } = yield* consume(Responses.stream({ model: "venice-uncensored", input: "hello" }))
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout" })
      expect(took).toBeGreaterThanOrEqual(60_000)
      expect(took).toBeLessThan(61_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("speech: audio that stops mid-way → idle-timeout by default (bytes counted)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/speech" }, 1, Faults.streamStall(2))
      const { exit, took } = yield* consume(SpeechStream.stream(speech))
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout" })
      expect(error.message).toMatch(/byte\(s\)/)
      expect(took).toBeGreaterThanOrEqual(60_000)
      expect(took).toBeLessThan(61_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("a bound turned off (Duration.infinity) waits as long as the caller does", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(2))
      const exit = yield* drive(
        Stream.runDrain(ChatStream.stream(hello, { idleTimeout: Duration.infinity })).pipe(Effect.timeout("5 minutes"))
      )
      expect(failureOf(exit)).toMatchObject({ _tag: "TimeoutException" })
    }).pipe(Effect.provide(layer())))
})
