/**
 * Issue 13 #8 (regression, over loopback against the emulator): async jobs poll under their own bounded policy. A
 * 502/503/timeout on retrieve means "keep polling" within a job-length-aware bound; a replayed terminal 500 is the
 * job's failure, not retried; every job error carries the `queue_id`; `resume(queueId)` picks a job up again. At
 * 8cb3725 the first gave up after ~8 s of transient errors without the queue id, and the 500 was retried 4 times.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Audio from "../src/Audio.js"
import * as Jobs from "../src/Jobs.js"
import * as Video from "../src/Video.js"
import { drive, layer } from "./support.js"

const videoRequest = {
  model: "wan-2.5-preview-text-to-video",
  prompt: "Venice at dawn",
  duration: "5s",
  aspect_ratio: "16:9"
} as const

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

const retrieves = Effect.flatMap(
  VeniceEmulator,
  (emu) =>
    Effect.map(emu.requests, (requests) => requests.filter((r) => r.route.endsWith("/retrieve")).map((r) => r.status))
)

describe("issue 13 #8: job polling", () => {
  it.scoped("a minute of 502s, 503s, resets and a stalled retrieve: polling goes on within its bound and gets the media", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "video/retrieve" }, 6, Faults.htmlPage(502))
      yield* emu.script({ route: "video/retrieve" }, 4, Faults.error("MODEL_AT_CAPACITY"))
      yield* emu.script({ route: "video/retrieve" }, 2, Faults.resetBeforeHeaders)
      yield* emu.script({ route: "video/retrieve" }, 1, Faults.stall)
      const started = yield* TestClock.currentTimeMillis
      const exit = yield* drive(Stream.runCollect(Video.generate(videoRequest, { timeout: "10 seconds" })))
      if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
      const states = Chunk.toReadonlyArray(exit.value)
      expect(states.at(-1)?._tag).toBe("Media")
      const statuses = yield* retrieves
      expect(statuses.filter((s) => s === 502)).toHaveLength(6) // the CDN's HTML pages
      expect(statuses.filter((s) => s === 503)).toHaveLength(4) // model at capacity
      expect(statuses.at(-1)).toBe(200)
      expect((yield* TestClock.currentTimeMillis) - started).toBeGreaterThan(30_000) // far past the old ~8 s
      expect(yield* emu.count({ route: "video/queue" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("a replayed terminal 500 on retrieve: JobFailedError(failed) with the queue id at once, not retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "audio/retrieve" }, 20, Faults.error("INFERENCE_FAILED"))
      const error = failureOf(
        yield* drive(Stream.runDrain(Audio.generate({ model: "elevenlabs-music", prompt: "an upbeat folk tune" })))
      )
      expect(error).toMatchObject({ _tag: "JobFailedError", reason: "failed", model: "elevenlabs-music" })
      if (error._tag !== "JobFailedError") return
      expect(error.queueId).toMatch(/^[0-9a-f-]{36}$/)
      expect(error.cause).toMatchObject({ status: 500 })
      expect(yield* retrieves).toEqual([500]) // one retrieve: the answer is the job's, replaying it changes nothing
    }).pipe(Effect.provide(layer())))

  it.scoped("a job longer than its polling bound: JobTimeoutError with the queue id; resume(queueId) gets the media", () =>
    Effect.gen(function*() {
      const error = failureOf(yield* drive(Stream.runDrain(Video.generate(videoRequest, { pollFor: "20 seconds" }))))
      expect(error).toMatchObject({ _tag: "JobTimeoutError", model: "wan-2.5-preview-text-to-video" })
      if (error._tag !== "JobTimeoutError") return
      expect(error.message).toMatch(/resume it with its queue id/)
      const media = yield* drive(Jobs.await_(Video.resume(error.queueId, { model: error.model })))
      if (Exit.isFailure(media)) throw new Error(Cause.pretty(media.cause))
      expect(media.value._tag).toBe("Media")
      expect(yield* (yield* VeniceEmulator).count({ route: "video/queue" })).toBe(1) // resumed, not re-queued
    }).pipe(Effect.provide(layer({ jobs: { duration: "1 minute" } }))))

  it.scoped(
    "the default bound follows the job's length: 4 × Venice's estimate (a 12-minute job is polled past the 10-minute floor)",
    () =>
      Effect.gen(function*() {
        const started = yield* TestClock.currentTimeMillis
        const exit = yield* drive(Jobs.await_(Video.generate(videoRequest)))
        if (Exit.isFailure(exit)) throw new Error(Cause.pretty(exit.cause))
        expect(exit.value._tag).toBe("Media")
        expect((yield* TestClock.currentTimeMillis) - started).toBeGreaterThanOrEqual(12 * 60_000)
        const estimate = (minutes: number) => ({
          _tag: "Processing" as const,
          averageExecutionTime: minutes * 60_000,
          executionDuration: 0
        })
        expect(Jobs.defaultPollFor(undefined)).toEqual(Duration.minutes(10))
        expect(Jobs.defaultPollFor(estimate(1))).toEqual(Duration.minutes(10))
        expect(Jobs.defaultPollFor(estimate(5))).toEqual(Duration.minutes(20))
        expect(Jobs.defaultPollFor(estimate(40))).toEqual(Duration.hours(2))
        // pacing off: ~50 retrieves of one model exhaust the queue's request window, whose reset the retrieve answers
        // never renew, and the memory store then paces for ever (issue 13 #1, fixed on i13a's branch)
      }).pipe(Effect.provide(layer({ jobs: { duration: "12 minutes" } }, { pacing: false }))),
    60_000
  )

  it.scoped("a retrieve that keeps failing past the bound: JobTimeoutError carrying the last failure and the queue id", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "video/retrieve" }, 1_000, Faults.htmlPage(502))
      const error = failureOf(yield* drive(Stream.runDrain(Video.generate(videoRequest, { pollFor: "2 minutes" }))))
      expect(error).toMatchObject({ _tag: "JobTimeoutError" })
      if (error._tag !== "JobTimeoutError") return
      expect(error.queueId).toMatch(/^[0-9a-f-]{36}$/)
      expect(error.cause).toMatchObject({ status: 502 })
      const count = (yield* retrieves).length
      expect(count).toBeGreaterThan(10)
      expect(count).toBeLessThan(130) // one per cadence step (≥ 1 s), not a busy loop
    }).pipe(Effect.provide(layer())))
})
