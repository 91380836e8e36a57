/**
 * Job polling (`Jobs`, W5), written from the mutants Stryker left alive in `Jobs.ts` (docs/testing.md "Mutation
 * testing"): over loopback against the emulator under the TestClock, what a caller can observe — when each retrieve
 * is sent (the emulator's request log, on the same clock), which failures keep polling and which end it with which
 * reason, what the errors say and carry, and the states the stream hands over. Each test says what it pins.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Audio from "../src/Audio.js"
import * as Jobs from "../src/Jobs.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as Video from "../src/Video.js"
import { drive, failureOf, layer } from "./support.js"

const videoRequest = {
  model: "wan-2.5-preview-text-to-video",
  prompt: "Venice at dawn",
  duration: "5s",
  aspect_ratio: "16:9"
} as const

/** The retrieves the emulator saw: status and arrival time (TestClock ms) of each. */
const retrieves = Effect.flatMap(
  VeniceEmulator,
  (emu) =>
    Effect.map(
      emu.requests,
      (requests) => requests.filter((r) => r.route.endsWith("/retrieve")).map((r) => ({ status: r.status, at: r.at }))
    )
)

/** The pauses between consecutive retrieves (ms). */
const gaps = (seen: ReadonlyArray<{ readonly at: number }>) => seen.slice(1).map((r, i) => r.at - seen[i]!.at)

const processing = (averageExecutionTime: number, executionDuration: number): Jobs.JobState => ({
  _tag: "Processing",
  averageExecutionTime,
  executionDuration
})

const collect = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.map(drive(Stream.runCollect(stream)), (exit) => {
    if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
    return Chunk.toReadonlyArray(exit.value)
  })

describe("Jobs: what polling does, pinned", () => {
  it("progress: 0 without an estimate, the fraction of it, never 1 before the end, 1 once done", () => {
    expect(Jobs.progress(processing(0, 5_000))).toBe(0)
    expect(Jobs.progress(processing(-1, 5_000))).toBe(0)
    expect(Jobs.progress(processing(10_000, 2_500))).toBe(0.25)
    expect(Jobs.progress(processing(10_000, 20_000))).toBe(0.99)
    expect(Jobs.progress({ _tag: "Completed" })).toBe(1)
    expect(Jobs.isDone(processing(1, 0))).toBe(false)
    expect(Jobs.isDone({ _tag: "Completed" })).toBe(true)
  })

  it("cadence: half the estimated remaining time within [1 s, 15 s]; 5 s past the estimate or without one", () => {
    const ms = (d: Duration.Duration) => Duration.toMillis(d)
    expect(ms(Jobs.cadence(processing(10_000, 4_000)))).toBe(3_000)
    expect(ms(Jobs.cadence(processing(60_000, 0)))).toBe(15_000)
    expect(ms(Jobs.cadence(processing(10_000, 9_000)))).toBe(1_000)
    expect(ms(Jobs.cadence(processing(10_000, 10_000)))).toBe(5_000) // at the estimate: past it
    expect(ms(Jobs.cadence(processing(10_000, 12_000)))).toBe(5_000)
    expect(ms(Jobs.cadence(undefined))).toBe(5_000)
    expect(ms(Jobs.cadence({ _tag: "Completed" }))).toBe(5_000)
    expect(ms(Jobs.cadence(processing(60_000, 0), { max: "20 seconds" }))).toBe(20_000)
    expect(ms(Jobs.cadence(processing(10_000, 9_000), { min: "2 seconds" }))).toBe(2_000)
    expect(ms(Jobs.cadence(undefined, { min: 0, max: "2 seconds" }))).toBe(2_000)
  })

  it("defaultPollFor: 4 × the estimate within [10 min, 2 h]; an estimate that is not finite counts as none", () => {
    const minutes = (d: Duration.Duration) => Duration.toMillis(d) / 60_000
    expect(minutes(Jobs.defaultPollFor(processing(3 * 60_000, 0)))).toBe(12)
    expect(minutes(Jobs.defaultPollFor(processing(Number.POSITIVE_INFINITY, 0)))).toBe(10)
    expect(minutes(Jobs.defaultPollFor(processing(Number.NaN, 0)))).toBe(10)
    expect(minutes(Jobs.defaultPollFor({ _tag: "Completed" }))).toBe(10)
    expect(minutes(Jobs.defaultPollFor(processing(31 * 60_000, 0)))).toBe(120)
  })

  it.effect("await_: a poll that ends without a finished state reads as Completed", () =>
    Effect.gen(function*() {
      expect(yield* Jobs.await_(Stream.empty)).toEqual({ _tag: "Completed" })
      expect(yield* Jobs.await_(Stream.make(processing(1, 0)))).toEqual({ _tag: "Completed" })
    }))

  it.scoped("the pause after a failed retrieve is the cadence of the last state (15 s), or Venice's longer wait", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.delay(0)) // answered normally: processing, 60 s estimate
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.htmlPage(502))
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.error("MODEL_AT_CAPACITY", { retryAfter: 20 }))
      yield* emu.script(
        { route: "video/retrieve" },
        1,
        Faults.error("INFERENCE_FAILED", { status: 507, retryAfter: 30 })
      )
      const states = yield* collect(Video.resume(queued.queue_id, { model: queued.model }))
      expect(states.at(-1)?._tag).toBe("Media")
      const seen = yield* retrieves
      expect(seen.slice(0, 5).map((r) => r.status)).toEqual([200, 502, 503, 507, 200])
      // 15 s: the cadence of "processing, 60 s left"; 15 s again after the 502 (not the 5 s of no state); the 20 s the
      // 503 announced; a 5xx other than 500 keeps polling too, after the 30 s it announced
      expect(gaps(seen).slice(0, 4)).toEqual([15_000, 15_000, 20_000, 30_000])
    }).pipe(Effect.provide(layer({ jobs: { duration: "2 minutes" } }))))

  it.scoped("a failure before any state is seen: the next retrieve after the 5 s of the default cadence", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.truncatedJson(10)) // unreadable: keep polling
      const states = yield* collect(Video.resume(queued.queue_id, { model: queued.model }))
      expect(states.at(-1)?._tag).toBe("Media")
      const seen = yield* retrieves
      expect(seen[0]?.status).toBe(200)
      expect(gaps(seen)[0]).toBe(5_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("a 429's announced wait is slept before the next retrieve; one longer than maxWait ends the poll", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const first = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 40 }))
      const states = yield* collect(Video.resume(first.queue_id, { model: first.model }))
      expect(states.at(-1)?._tag).toBe("Media")
      const seen = yield* retrieves
      expect(seen.map((r) => r.status).slice(0, 2)).toEqual([429, 200])
      expect(gaps(seen)[0]).toBe(40_000)

      const second = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 120 }))
      const error = failureOf(yield* drive(Stream.runDrain(Video.resume(second.queue_id, { model: second.model }))))
      expect(error).toMatchObject({ _tag: "JobFailedError", reason: "rejected", queueId: second.queue_id })
      expect(error.message).toBe(
        `venice job ${second.queue_id} (${second.model}): Venice asks to wait 2m before the next retrieve, more than 1m`
      )
      expect((yield* retrieves).length).toBe(seen.length + 1)
    }).pipe(Effect.provide(layer())))

  it.scoped("maxWait bounds what a 429 may ask: exactly maxWait is slept; a 2-minute wait under maxWait 5 minutes too", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const first = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 60 }))
      expect((yield* collect(Video.resume(first.queue_id, { model: first.model }))).at(-1)?._tag).toBe("Media")
      expect(gaps(yield* retrieves)[0]).toBe(60_000)
      yield* emu.reset
      const second = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 120 }))
      const states = yield* collect(Video.resume(second.queue_id, { model: second.model, maxWait: "5 minutes" }))
      expect(states.at(-1)?._tag).toBe("Media")
      expect(gaps(yield* retrieves)[0]).toBe(120_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("with a retry policy, a wait past maxWait (WaitTooLongError) ends the poll as rejected, naming the wait", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 300 }))
      const error = failureOf(
        yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model, retry: RetryPolicy.make() })))
      )
      expect(error).toMatchObject({ _tag: "JobFailedError", reason: "rejected", queueId: queued.queue_id })
      if (error._tag !== "JobFailedError") return
      expect(error.cause).toMatchObject({ _tag: "WaitTooLongError" })
      expect(error.message).toContain("Venice asks to wait 5m")
      expect(yield* retrieves).toHaveLength(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("each retrieve failure that ends the job: its reason, one retrieve, the queue id, the cause, the message", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const cases: ReadonlyArray<readonly [Faults.Fault, Jobs.JobFailure, number]> = [
        [Faults.providerContentPolicy(), "failed", 422],
        [Faults.error("CONTENT_POLICY_VIOLATION"), "failed", 422],
        [Faults.error("INVALID_REQUEST"), "failed", 400],
        // a plain validation 400 (a message the catalog does not know: code UNKNOWN) is the job's failure too
        [
          Faults.error("INVALID_REQUEST", { shape: "standard", message: "Duration must be 5s or 10s here" }),
          "failed",
          400
        ],
        [Faults.error("INFERENCE_FAILED"), "failed", 500],
        // "Request ID is invalid.": the queue id is unknown or expired — no job to report a failure of
        [Faults.error("REQUEST_ID_NOT_FOUND"), "rejected", 400],
        [Faults.error("MEDIA_NOT_FOUND"), "rejected", 404],
        [Faults.error("AUTHENTICATION_FAILED"), "rejected", 401],
        [Faults.error("UNAUTHORIZED"), "rejected", 403]
      ]
      for (const [fault, reason, status] of cases) {
        const queued = yield* Video.queue(videoRequest)
        const before = (yield* retrieves).length
        yield* emu.script({ route: "video/retrieve" }, 5, fault)
        const error = failureOf(yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model }))))
        expect(error).toMatchObject({ _tag: "JobFailedError", reason, queueId: queued.queue_id, model: queued.model })
        if (error._tag !== "JobFailedError") return
        expect(error.cause).toMatchObject({ status })
        const cause = error.cause as { readonly message: string }
        expect(error.message).toBe(
          `venice job ${queued.queue_id} (${queued.model}) ${
            reason === "failed" ? "failed" : "cannot be retrieved"
          }: ${cause.message}`
        )
        expect((yield* retrieves).length - before).toBe(1)
        yield* emu.reset
      }
    }).pipe(Effect.provide(layer())))

  it.scoped("media above the binary bound: rejected at once, the body error (Venice's, with its request id) as cause", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* TestClock.adjust("10 seconds") // done: the first retrieve answers the media
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.headers({ "x-request-id": "req-media" }))
      const error = failureOf(yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model }))))
      expect(error).toMatchObject({ _tag: "JobFailedError", reason: "rejected", queueId: queued.queue_id })
      if (error._tag !== "JobFailedError") return
      expect(error.cause).toMatchObject({
        _tag: "ResponseTooLargeError",
        provider: "venice",
        operation: "video.retrieve",
        limit: 16,
        requestId: "req-media"
      })
      expect(yield* retrieves).toHaveLength(1) // a bound is not retried
    }).pipe(Effect.provide(layer({}, { maxResponseBytes: { binary: 16 } }))))

  it.scoped("a call's maxResponseBytes bounds the JSON status too: the first retrieve is refused, not polled again", () =>
    Effect.gen(function*() {
      const queued = yield* Video.queue(videoRequest)
      const error = failureOf(
        yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model, maxResponseBytes: 16 })))
      )
      expect(error).toMatchObject({ _tag: "JobFailedError", reason: "rejected" })
      if (error._tag === "JobFailedError") {
        expect(error.cause).toMatchObject({ _tag: "ResponseTooLargeError", limit: 16 })
      }
      expect(yield* retrieves).toHaveLength(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("a JSON answer that is no job status: a typed decode error naming it, with Venice's request id", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script(
        { route: "video/retrieve" },
        1,
        Faults.error("INVALID_REQUEST", { status: 200, headers: { "x-request-id": "req-json" } })
      )
      const error = failureOf(yield* Effect.exit(Video.retrieve({ model: queued.model, queue_id: queued.queue_id })))
      expect(error).toMatchObject({ _tag: "ResponseDecodeError", provider: "venice", requestId: "req-json" })
      expect(error.message).toContain("not a job status")
    }).pipe(Effect.provide(layer())))

  it.scoped("a 200 without a content type or body is the media, typed application/octet-stream", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.emptyBody(200))
      const state = yield* Video.retrieve({ model: queued.model, queue_id: queued.queue_id })
      expect(state).toMatchObject({ _tag: "Media", contentType: "application/octet-stream" })
      if (state._tag === "Media") expect(state.bytes.length).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("the client's error-budget guard saying \"not now\" keeps polling after its reset, within the bound", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest, { timeout: "1 second" })
      // 48 failed calls for this model: the guard (budget 50, 2 kept in hand) refuses the next one for 30 s
      yield* emu.script({ route: "video/retrieve" }, 48, Faults.error("INVALID_REQUEST"))
      const retrieve = Video.retrieve({ model: queued.model, queue_id: queued.queue_id }, { timeout: "1 second" })
      for (let i = 0; i < 48; i++) yield* Effect.exit(retrieve)
      // past the wake-ups these attempts' timeouts left on the clock (the driver would move time to them): 28 s to the reset
      yield* TestClock.adjust("2 seconds")
      const started = yield* TestClock.currentTimeMillis
      // the guard's 28 s pause passes a 20 s bound: known at once, not after polling into the refusal for 20 s
      const bounded = failureOf(
        yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model, pollFor: "20 seconds" })))
      )
      expect(bounded).toMatchObject({ _tag: "JobTimeoutError", cause: { _tag: "ErrorBudgetExhaustedError" } })
      expect((yield* TestClock.currentTimeMillis) - started).toBe(0)
      // with room for it: the first retrieve goes out once the window has moved on, and the job finishes
      const states = yield* collect(Video.resume(queued.queue_id, { model: queued.model }))
      expect(states.at(-1)?._tag).toBe("Media")
      const first = (yield* retrieves)[48]
      expect(first?.at).toBe(started + 28_000)
      // (pacing off: 48 retrieves of one model exhaust the emulator's request window for it, a wait of its own)
    }).pipe(Effect.provide(layer({}, { pacing: false }))))

  it.scoped("the bound is checked before sleeping: a pause that would end exactly at it is still taken", () =>
    Effect.gen(function*() {
      // 60 s estimate: retrieves at 0, 15 s, 30 s (the last pause ends exactly at the 30 s bound), then 45 s > 30 s
      const queued = yield* Video.queue(videoRequest)
      const started = yield* TestClock.currentTimeMillis
      const error = failureOf(
        yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model, pollFor: "30 seconds" })))
      )
      expect(error).toMatchObject({ _tag: "JobTimeoutError", queueId: queued.queue_id, model: queued.model })
      expect(error.message).toBe(
        `venice job ${queued.queue_id} (${queued.model}) was still processing when polling reached its bound of 30s;` +
          " it may still finish: resume it with its queue id"
      )
      expect(error).not.toHaveProperty("cause")
      expect((yield* retrieves).map((r) => r.at - started)).toEqual([0, 15_000, 30_000])
      expect((yield* TestClock.currentTimeMillis) - started).toBe(30_000) // failed at once, not after a last sleep
    }).pipe(Effect.provide(layer({ jobs: { duration: "1 minute" } }))))

  it.scoped("a bound reached while retrieves fail says so and carries the last failure", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 100, Faults.htmlPage(502))
      const error = failureOf(
        yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model, pollFor: "20 seconds" })))
      )
      expect(error.message).toBe(
        `venice job ${queued.queue_id} (${queued.model}) had its retrieve still failing when polling reached its bound` +
          " of 20s; it may still finish: resume it with its queue id"
      )
      expect(error).toMatchObject({ _tag: "JobTimeoutError", cause: { status: 502 } })
      // every 5 s (no state seen yet): 0, 5, 10, 15, 20 s
      expect((yield* retrieves).map((r) => r.status)).toEqual([502, 502, 502, 502, 502])
    }).pipe(Effect.provide(layer())))

  it.scoped("a failure after a success clears it: a bound reached while processing carries no cause", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.htmlPage(502))
      const error = failureOf(
        yield* drive(Stream.runDrain(Video.resume(queued.queue_id, { model: queued.model, pollFor: "25 seconds" })))
      )
      expect(error).toMatchObject({ _tag: "JobTimeoutError" })
      expect(error.message).toContain("was still processing when polling reached its bound of 25s")
      expect(error).not.toHaveProperty("cause")
    }).pipe(Effect.provide(layer({ jobs: { duration: "1 minute" } }))))

  it.scoped("a polling schedule that stops ends the poll with JobTimeoutError after the states it allowed", () =>
    Effect.gen(function*() {
      const queued = yield* Video.queue(videoRequest)
      const started = yield* TestClock.currentTimeMillis
      const seen: Array<Jobs.JobState> = []
      const exit = yield* drive(
        Stream.runForEach(
          Video.resume(queued.queue_id, {
            model: queued.model,
            polling: Schedule.addDelay(Schedule.recurs(1), () => "2 seconds")
          }),
          (state) => Effect.sync(() => void seen.push(state))
        )
      )
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "JobTimeoutError", queueId: queued.queue_id })
      expect(error.message).toBe(
        `venice job ${queued.queue_id} (${queued.model}) was still processing when the polling schedule ended;` +
          " it may still finish: resume it with its queue id"
      )
      expect(seen.map((s) => s._tag)).toEqual(["Processing", "Processing"])
      expect((yield* retrieves).map((r) => r.at - started)).toEqual([0, 2_000])
    }).pipe(Effect.provide(layer({ jobs: { duration: "1 minute" } }))))

  it.scoped("the states handed over: processing with Venice's figures, then the audio with its type and header facts", () =>
    Effect.gen(function*() {
      const states = yield* collect(
        Audio.generate({ model: "elevenlabs-music", prompt: "an upbeat folk tune", duration_seconds: 30 })
      )
      // Venice's figures as sent (3 s estimate, the time run so far), paced by them: 1.5 s, then the 1 s floor
      expect(states.filter((s) => s._tag === "Processing")).toEqual([
        processing(3_000, 0),
        processing(3_000, 1_500),
        processing(3_000, 2_500)
      ])
      expect(gaps(yield* retrieves)).toEqual([1_500, 1_000, 1_000])
      const last = states.at(-1)
      if (last?._tag !== "Media") throw new Error("expected the media")
      expect(last.contentType).toBe("audio/mpeg")
      expect(last.bytes.length).toBeGreaterThan(0)
      expect(last.meta).toMatchObject({ audioFormat: "mp3", modelId: "elevenlabs-music", inferenceTimeSeconds: 3 })
      expect(states.filter((s) => s._tag === "Processing").length).toBe(states.length - 1)
    }).pipe(Effect.provide(layer())))

  it.scoped("a JSON answer is a status whatever the case of its media type; a VPS-backed job ends Completed at its URL", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue(videoRequest)
      yield* emu.script(
        { route: "video/retrieve" },
        1,
        Faults.headers({ "content-type": "Application/JSON; charset=utf-8" })
      )
      const state = yield* Video.retrieve({ model: queued.model, queue_id: queued.queue_id })
      expect(state).toMatchObject({ _tag: "Processing", averageExecutionTime: 3_000 })
      const grok = { ...videoRequest, model: "grok-imagine-1-5-lite-text-to-video" }
      const done = yield* drive(Jobs.await_(Video.generate(grok)))
      if (Exit.isFailure(done)) throw new Error(Cause.pretty(done.cause))
      expect(done.value._tag).toBe("Completed")
      if (done.value._tag === "Completed") expect(done.value.downloadUrl).toMatch(/\/media\/[0-9a-f-]{36}\.mp4\?/)
    }).pipe(Effect.provide(layer())))
})
