/**
 * `/responses` and streamed speech against the emulator (S4, S5, B1).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import * as Audio from "../src/Audio.js"
import * as Responses from "../src/Responses.js"
import * as SpeechStream from "../src/SpeechStream.js"
import { drive, layer, realPause } from "./support.js"

const MODEL = "venice-uncensored"
const request = { model: MODEL, input: "Explain the sky." }
const speech = { model: "tts-kokoro", input: "Hello there", response_format: "wav" as const }

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${exit.cause._tag}: ${String(exit.cause)}`)
  return failure
}

const runPartial = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.gen(function*() {
    const seen: Array<A> = []
    const exit = yield* drive(Stream.runForEach(stream, (a) => Effect.sync(() => void seen.push(a))))
    return { seen, exit }
  })

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let offset = 0
  for (const c of chunks) {
    out.set(c, offset)
    offset += c.byteLength
  }
  return out
}

describe("Responses against the emulator", () => {
  it.scoped("create: a completed response with its text", () =>
    Effect.gen(function*() {
      const response = yield* Responses.create(request)
      expect(response.status).toBe("completed")
      expect(response.outputText.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("S4: the typed events in order; the deltas make the final text; the stream ends at completion", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const events = [...yield* Stream.runCollect(Responses.stream(request))]
      expect(events[0]?.type).toBe("response.created")
      expect(events.at(-1)?.type).toBe("response.completed")
      const deltas = events.flatMap((e) => (e.type === "response.output_text.delta" ? [e.delta] : []))
      expect(deltas).toHaveLength(12)
      const final = yield* Responses.finalResponse(Stream.fromIterable(events))
      expect(final.outputText).toBe(deltas.join(""))
      expect(final.outputText).toBe((yield* Responses.create(request)).outputText)
      expect(yield* emu.count({ route: "responses" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("S4: response.failed after K events → exactly K events, then ResponseFailedError", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "responses" }, 1, Faults.streamError(5, { code: "upstream_error", message: "boom" }))
      const { exit, seen } = yield* runPartial(Responses.stream(request))
      expect(seen).toHaveLength(5)
      expect(failureOf(exit)).toMatchObject({
        _tag: "ResponseFailedError",
        code: "upstream_error",
        received: 5
      })
      expect(yield* emu.count({ route: "responses" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("B1: an end before response.completed is a truncation; a reset a transport error", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "responses" }, 1, Faults.streamEnd(4))
      const ended = yield* runPartial(Responses.stream(request))
      expect(ended.seen).toHaveLength(4)
      expect(failureOf(ended.exit)).toMatchObject({ _tag: "StreamTruncatedError", received: 4 })
      yield* emu.script({ route: "responses" }, 1, Faults.streamReset(2))
      const reset = yield* runPartial(Responses.stream(request))
      expect(reset.seen).toHaveLength(2)
      expect(failureOf(reset.exit)).toMatchObject({ _tag: "StreamTransportError", received: 2 })
      expect(yield* emu.count({ route: "responses" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("S3: a 503 before the stream is retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "responses" }, 1, Faults.error("MODEL_AT_CAPACITY"))
      const { exit, seen } = yield* runPartial(Responses.stream(request))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(seen.at(-1)?.type).toBe("response.completed")
      expect((yield* emu.requests).map((r) => r.status)).toEqual([503, 200])
    }).pipe(Effect.provide(layer())))
})

describe("SpeechStream against the emulator", () => {
  it.scoped("S5: the streamed audio equals the non-streamed audio", () =>
    Effect.gen(function*() {
      const chunks = [...yield* Stream.runCollect(SpeechStream.stream(speech))]
      expect(chunks.length).toBeGreaterThan(0)
      const whole = yield* Audio.speech(speech)
      expect(concat(chunks)).toEqual(whole.bytes)
    }).pipe(Effect.provide(layer())))

  it.scoped("S5: a connection that ends before Content-Length → a typed truncation error", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/speech" }, 1, Faults.streamEnd(3))
      const { exit, seen } = yield* runPartial(SpeechStream.stream(speech))
      const received = concat(seen).byteLength
      expect(received).toBeGreaterThan(0)
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "StreamTruncatedError", receivedBytes: received })
      if (error._tag !== "StreamTruncatedError") return
      expect(error.expectedBytes).toBeGreaterThan(received)
      expect(yield* emu.count({ route: "audio/speech" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("S5: a reset mid-audio → a typed error, not retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/speech" }, 1, Faults.streamReset(2))
      const { exit, seen } = yield* runPartial(SpeechStream.stream(speech))
      expect(seen.length).toBeGreaterThan(0)
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "StreamTransportError", reason: "reset" })
      expect(yield* emu.count({ route: "audio/speech" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("S3: an end before any audio byte is retried like any call", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/speech" }, 1, Faults.streamEnd(0))
      const { exit } = yield* runPartial(SpeechStream.stream(speech))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* emu.count({ route: "audio/speech" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("R12: interrupting a speech stream closes the connection", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/speech" }, 1, Faults.streamStall(2))
      const seen: Array<Uint8Array> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(SpeechStream.stream(speech), (c) => Effect.sync(() => void seen.push(c)))
      )
      for (let i = 0; i < 2000 && seen.length === 0; i++) yield* realPause(1)
      expect(seen.length).toBeGreaterThan(0)
      yield* Fiber.interrupt(fiber)
      for (let i = 0; i < 2000 && (yield* emu.openConnections) > 0; i++) yield* realPause(1)
      expect(yield* emu.openConnections).toBe(0)
      expect(Chunk.size(Chunk.fromIterable(seen))).toBeGreaterThan(0)
    }).pipe(Effect.provide(layer())))
})
