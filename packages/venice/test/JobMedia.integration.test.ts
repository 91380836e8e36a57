/**
 * Jobs to the end over loopback HTTP against the emulator: the audio headers on the media, cleanup (`complete`), the
 * pre-signed download of VPS-backed video as a bounded byte stream, the per-model queue rules checked locally, and a
 * multipart upload through the SDK (transcription).
 */
import { describe, expect, it } from "@effect/vitest"
import type * as Pipeline from "@venice-effect/core/Pipeline"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as Audio from "../src/Audio.js"
import * as JobMedia from "../src/JobMedia.js"
import * as Jobs from "../src/Jobs.js"
import * as Video from "../src/Video.js"
import { drive, failureOf, layer } from "./support.js"

const music = { model: "elevenlabs-music", prompt: "uplifting indie folk, 120 BPM", duration_seconds: 30 }
const grok = {
  model: "grok-imagine-1-5-lite-text-to-video",
  prompt: "Venice at dawn",
  duration: "5s",
  aspect_ratio: "16:9"
}

const collect = <E, R>(stream: Stream.Stream<Uint8Array, E, R>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => Chunk.toReadonlyArray(chunks).reduce((n, c) => n + c.length, 0))

describe("JobMedia against the emulator", () => {
  it.scoped("audio: the media carries x-venice-audio-* facts; complete deletes it (success: true), then it is gone", () =>
    Effect.gen(function*() {
      const queued = yield* Audio.queue(music)
      const done = yield* drive(Jobs.await_(Audio.generate(music)))
      expect(done._tag).toBe("Success")
      const first = yield* drive(
        Audio.retrieve({ model: queued.model, queue_id: queued.queue_id }).pipe(
          Effect.repeat({ until: (state) => state._tag !== "Processing" })
        )
      )
      if (first._tag !== "Success" || first.value._tag !== "Media") throw new Error("expected the media")
      expect(first.value.meta).toMatchObject({ audioFormat: "mp3", modelId: "elevenlabs-music" })
      expect(first.value.meta?.inferenceTimeSeconds).toBeGreaterThan(0)
      expect(yield* collect(JobMedia.stream(first.value))).toBe(first.value.bytes.length)
      const cleaned = yield* Audio.complete({ model: queued.model, queue_id: queued.queue_id })
      expect(cleaned.success).toBe(true)
      const gone = failureOf(yield* drive(Audio.retrieve({ model: queued.model, queue_id: queued.queue_id })))
      expect(gone).toMatchObject({ status: 404, code: "MEDIA_NOT_FOUND" })
    }).pipe(Effect.provide(layer())))

  it.scoped("video complete: Venice refuses /video/queue ids today (400 REQUEST_ID_NOT_FOUND), sent once", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const queued = yield* Video.queue({
        model: "wan-2.6-text-to-video",
        prompt: "a gondola",
        duration: "5s",
        aspect_ratio: "16:9"
      })
      const error = failureOf(yield* drive(Video.complete({ model: queued.model, queue_id: queued.queue_id })))
      expect(error).toMatchObject({ status: 400, code: "REQUEST_ID_NOT_FOUND" })
      expect(yield* emu.count({ route: "video/complete" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("VPS-backed video: COMPLETED with the download_url, fetched without credentials as a byte stream", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const done = yield* drive(Jobs.await_(Video.generate(grok)))
      if (done._tag !== "Success") throw new Error("expected the job to finish")
      expect(done.value._tag).toBe("Completed")
      const size = yield* drive(collect(JobMedia.stream(done.value)))
      expect(size._tag === "Success" && size.value).toBeGreaterThan(0)
      const media = (yield* emu.requests).filter((r) => r.route === "media")
      expect(media).toHaveLength(1)
      expect(media[0]!.key).toBeUndefined() // no credentials on the pre-signed URL
    }).pipe(Effect.provide(layer())))

  it.scoped("a download over its bound fails ResponseTooLargeError (never retried); a 5xx is retried, a 403 is final", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const done = yield* drive(Jobs.await_(Video.generate(grok)))
      if (done._tag !== "Success" || done.value._tag !== "Completed") throw new Error("expected a download URL")
      const url = done.value.downloadUrl!
      // the media's Content-Length is above the bound: refused before its bytes are read
      const tooLarge = failureOf(yield* drive(collect(JobMedia.download(url, { maxBytes: 16 }))))
      expect(tooLarge).toMatchObject({ _tag: "ResponseTooLargeError", limit: 16, operation: "media.download" })
      expect((tooLarge as { readonly declared?: number }).declared).toBeGreaterThan(16)
      expect(JSON.stringify(tooLarge)).not.toContain("X-Signature")
      yield* emu.script({ route: "media" }, 2, Faults.error("UNKNOWN_ERROR"))
      // each request is an attempt for the pipeline's observers, numbered per download, with its timeout
      const events: Array<Pipeline.Event> = []
      const observer = (event: Pipeline.Event) => Effect.sync(() => void events.push(event))
      const retried = yield* drive(collect(JobMedia.download(url, { timeout: "20 seconds" })), { observer })
      expect(retried._tag).toBe("Success")
      expect(
        events.filter((e) => e.operation === "media.download").map((e) => [e._tag, "attempt" in e ? e.attempt : 0])
      )
        .toEqual([
          ["AttemptStarted", 1],
          ["AttemptFailed", 1],
          ["AttemptStarted", 2],
          ["AttemptFailed", 2],
          ["AttemptStarted", 3],
          ["AttemptSucceeded", 3]
        ])
      expect(events[0]).toMatchObject({ _tag: "AttemptStarted", timeout: Duration.seconds(20) })
      expect(events.at(-1)).toMatchObject({ _tag: "AttemptSucceeded", status: 200 })
      const forbidden = failureOf(
        yield* drive(collect(JobMedia.download(url.replace(/X-Signature=\w+/, "X-Signature=0"))))
      )
      expect(forbidden).toMatchObject({ _tag: "MediaDownloadError", status: 403 })
      expect((yield* emu.requests).filter((r) => r.route === "media").map((r) => r.status)).toEqual([
        200,
        500,
        500,
        200,
        403
      ])
    }).pipe(Effect.provide(layer())))

  it.scoped("a download without Content-Length is stopped as soon as it passes the bound; one that stalls, by the idle bound", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const done = yield* drive(Jobs.await_(Video.generate(grok)))
      if (done._tag !== "Success" || done.value._tag !== "Completed") throw new Error("expected a download URL")
      const url = done.value.downloadUrl!
      yield* emu.script({ route: "media" }, 1, Faults.hugeBody(4 * 1024 * 1024, { announce: false }))
      // with the default idle bound: the download's request is an attempt the TestClock driver sees (before it was not,
      // and the driver moved time past the 60 s bound while the answer was on its way — 3 of 4 runs of this test)
      const grown = failureOf(yield* drive(collect(JobMedia.download(url, { maxBytes: 1024 * 1024 }))))
      expect(grown).toMatchObject({ _tag: "ResponseTooLargeError", limit: 1024 * 1024 })
      expect((grown as { readonly received?: number }).received).toBeLessThan(2 * 1024 * 1024)
      yield* emu.script({ route: "media" }, 1, Faults.stallMidBody(1000))
      const stalled = failureOf(
        yield* drive(collect(JobMedia.download(url, { idleTimeout: "5 seconds" })), { stallAfter: 2_000 })
      )
      expect(stalled).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout", received: 1000 })
      expect((stalled as { readonly message: string }).message).toContain("5s")
      // each once: a body bound is not retried
      expect((yield* emu.requests).filter((r) => r.route === "media")).toHaveLength(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("per-model queue rules are checked before anything is queued (and billed)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const noLyrics = failureOf(
        yield* Effect.exit(Audio.queue({ model: "minimax-music-v2", prompt: "a warm ballad here" }))
      )
      expect(noLyrics).toMatchObject({ _tag: "RequestValidationError" })
      const seed = failureOf(
        yield* Effect.exit(
          Audio.queue({ model: "seed-audio-1-0", prompt: "read this aloud please", duration_seconds: 30 })
        )
      )
      expect(seed).toMatchObject({ _tag: "RequestValidationError" })
      const audioOnly = failureOf(
        yield* Effect.exit(Video.queue({
          model: "seedance-2-5-reference-to-video-basic",
          prompt: "a dancer",
          duration: "5s",
          reference_audio_urls: ["https://example.com/voice.mp3"]
        }))
      )
      expect(audioOnly).toMatchObject({ _tag: "RequestValidationError" })
      const task = failureOf(yield* Effect.exit(Video.queue({ ...grok, omni_reference_task_type: "edit" })))
      expect(task).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count()).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("a multipart upload goes through the SDK's client (transcription)", () =>
    Effect.gen(function*() {
      const file = new Blob([new Uint8Array(64_000)], { type: "audio/wav" })
      const transcript = yield* Audio.transcribe({ file, model: "openai/whisper-large-v3" })
      expect(transcript.text.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(layer())))
})
