/**
 * Issue 13 #5 (regression, over loopback against the emulator): 2xx bodies are bounded. A body above its route
 * family's bound (JSON 64 MiB, binary 256 MiB by default; `maxResponseBytes`) fails with `ResponseTooLargeError`,
 * once, never retried — refused at once from its `Content-Length`, or stopped as soon as the bytes read pass the
 * bound, counted after decompression (a gzip bomb through `FetchHttpClient`). At 8cb3725 a huge 200 was read whole
 * (1 GiB → 1.2 GB RSS), then surfaced as a retried `TransportError`.
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Audio from "../src/Audio.js"
import * as Chat from "../src/Chat.js"
import * as Models from "../src/Models.js"
import * as VeniceClient from "../src/VeniceClient.js"
import * as Video from "../src/Video.js"
import { drive, KEY, layer } from "./support.js"

const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
const MiB = 1024 * 1024

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

/** The emulator and a client on it through `FetchHttpClient` (which inflates gzip bodies). */
const fetchLayer = (client: Omit<VeniceClient.Options, "baseUrl" | "apiKey"> = {}) =>
  Layer.provideMerge(
    Layer.unwrapEffect(
      Effect.map(Emulator.VeniceEmulator, (emu) =>
        VeniceClient.layer({ apiKey: Redacted.make(KEY), ...client, baseUrl: emu.baseUrl }))
    ).pipe(Layer.provide(FetchHttpClient.layer)),
    Emulator.layer({ keys: [KEY] })
  )

describe("issue 13 #5: success bodies are bounded", () => {
  it.scoped("a JSON 200 above the default 64 MiB, announced: refused at once, one attempt, never retried", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 5, Faults.hugeBody(65 * MiB))
      const error = failureOf(yield* drive(Chat.completions(hello), { stallAfter: 5_000 }))
      expect(error).toMatchObject({ _tag: "ResponseTooLargeError", status: 200, limit: 64 * MiB, declared: 65 * MiB })
      expect(error).not.toHaveProperty("received")
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("a chunked JSON 200 above a configured 1 MiB bound: stopped just past the bound, typed, not retried", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.VeniceEmulator
      yield* emu.script({ route: "models" }, 5, Faults.hugeBody(512 * MiB, { announce: false }))
      const error = failureOf(yield* drive(Models.list(), { stallAfter: 5_000 }))
      expect(error).toMatchObject({ _tag: "ResponseTooLargeError", status: 200, limit: MiB })
      if (error._tag !== "ResponseTooLargeError") return
      expect(error.received).toBeGreaterThan(MiB)
      expect(error.received).toBeLessThanOrEqual(3 * MiB) // one chunk past the bound, not the whole body
      expect(yield* emu.count({ route: "models" })).toBe(1)
    }).pipe(Effect.provide(layer({}, { maxResponseBytes: { json: MiB } }))))

  it.scoped("per call: maxResponseBytes bounds this call's body only", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.hugeBody(2 * MiB))
      const error = failureOf(yield* drive(Chat.completions(hello, { maxResponseBytes: 64 * 1024 })))
      expect(error).toMatchObject({ _tag: "ResponseTooLargeError", limit: 64 * 1024 })
      const fine = yield* drive(Chat.completions(hello, { maxResponseBytes: 64 * 1024 }))
      expect(Exit.isSuccess(fine)).toBe(true)
    }).pipe(Effect.provide(layer())))

  it.scoped("a gzip bomb through FetchHttpClient: counted as it inflates, stopped at the bound", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.VeniceEmulator
      // ~100 KiB on the wire, 96 MiB inflated
      yield* emu.script({ route: "chat/completions" }, 5, Faults.hugeBody(96 * MiB, { gzip: true }))
      // the emulator builds the bomb on first use (a second or two of real time): not a stalled attempt
      const exit = yield* drive(Chat.completions(hello), { stallAfter: 20_000 })
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "ResponseTooLargeError", status: 200, limit: 8 * MiB })
      if (error._tag !== "ResponseTooLargeError") return
      expect(error.received).toBeLessThanOrEqual(10 * MiB)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(fetchLayer({ maxResponseBytes: { json: 8 * MiB } }))))

  it.scoped("binary bodies read whole have their own bound (speech, job media); a stream is the unbounded form", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.VeniceEmulator
      yield* emu.script({ route: "audio/speech" }, 1, Faults.hugeBody(4 * MiB))
      const speech = failureOf(yield* drive(Audio.speech({ model: "tts-kokoro", input: "Hello there" })))
      expect(speech).toMatchObject({ _tag: "ResponseTooLargeError", limit: 2 * MiB })
      // the video's media on retrieve: the job error carries the queue id, and the body error as its cause
      const queued = yield* Video.queue({
        model: "wan-2.5-preview-text-to-video",
        prompt: "Venice at dawn",
        duration: "5s",
        aspect_ratio: "16:9"
      })
      yield* TestClock.adjust("10 seconds") // done: the next retrieve answers the media
      yield* emu.script({ route: "video/retrieve" }, 50, Faults.hugeBody(3 * MiB))
      const media = failureOf(yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model }))))
      expect(media).toMatchObject({ _tag: "JobFailedError", reason: "rejected", queueId: queued.queue_id })
      if (media._tag === "JobFailedError") expect(media.cause).toMatchObject({ _tag: "ResponseTooLargeError" })
    }).pipe(Effect.provide(layer({}, { maxResponseBytes: { binary: 2 * MiB } }))))

  it.scoped("job media can be streamed instead: Video.download polls, then hands the bytes over as they arrive, within its own bounds", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.VeniceEmulator
      const queued = yield* Video.queue({
        model: "wan-2.5-preview-text-to-video",
        prompt: "Venice at dawn",
        duration: "5s",
        aspect_ratio: "16:9"
      })
      const whole = yield* drive(Stream.runCollect(Video.download(queued.queue_id, { model: queued.model })))
      if (Exit.isFailure(whole)) throw new Error(Cause.pretty(whole.cause))
      const bytes = [...whole.value].reduce((n, chunk) => n + chunk.byteLength, 0)
      expect(bytes).toBeGreaterThan(0)
      // larger than the binary bound of media read whole: streamed, so within the stream's bound (default 2 GiB)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.hugeBody(6 * MiB))
      // (time moves only after 2 s without a chunk: a loaded machine does not fire the idle bound)
      const big = yield* drive(
        Stream.runFold(Video.download(queued.queue_id, { model: queued.model }), 0, (n, c) => n + c.byteLength),
        { stallAfter: 2_000 }
      )
      if (Exit.isFailure(big)) throw new Error(Cause.pretty(big.cause))
      expect(big.value).toBe(6 * MiB)
      // the stream's own size bound: announced above it → refused at once; growing past it → stopped there
      const before = yield* emu.count({ route: "video/retrieve" })
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.hugeBody(6 * MiB))
      const announced = failureOf(
        yield* drive(
          Stream.runDrain(
            Video.download(queued.queue_id, { model: queued.model, maxBytes: 4 * MiB })
          ),
          { stallAfter: 2_000 }
        )
      )
      expect(announced).toMatchObject({ _tag: "ResponseTooLargeError", limit: 4 * MiB, declared: 6 * MiB })
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.hugeBody(6 * MiB, { announce: false }))
      const grown = failureOf(
        yield* drive(
          Stream.runDrain(
            Video.download(queued.queue_id, { model: queued.model, maxBytes: 4 * MiB })
          ),
          { stallAfter: 2_000 }
        )
      )
      expect(grown).toMatchObject({ _tag: "ResponseTooLargeError", limit: 4 * MiB })
      // and its idle bound: a body that stops mid-way fails the stream, naming the bound
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.stallMidBody(4096))
      const stalled = failureOf(
        yield* drive(
          Stream.runDrain(
            Video.download(queued.queue_id, { model: queued.model, idleTimeout: "10 seconds" })
          ),
          { stallAfter: 2_000 }
        )
      )
      expect(stalled).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout", received: 4096 })
      // a body bound ends the download: each of these was one retrieve, none repeated
      expect((yield* emu.count({ route: "video/retrieve" })) - before).toBe(3)
    }).pipe(Effect.provide(layer({}, { maxResponseBytes: { binary: 2 * MiB } }))))
})
