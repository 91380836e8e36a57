import { describe, expect, it } from "@effect/vitest"
import * as Audio from "@venice-effect/venice/schema/Audio"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

const speech = { model: "tts-xai-v1", voice: "eve", input: "Hello, welcome to Venice Voice." }

describe("Audio.SpeechRequest", () => {
  it.effect("decodes the skills' requests (including a cloned-voice handle and an unlisted model)", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Audio.SpeechRequest)({
        ...speech,
        response_format: "mp3",
        speed: 1,
        streaming: false
      })
      yield* Schema.decodeUnknown(Audio.SpeechRequest)({
        model: "tts-qwen3-1-7b",
        voice: "Vivian",
        input: "We did it!",
        prompt: "Excited and energetic.",
        temperature: 0.9,
        top_p: 0.95
      })
      yield* Schema.decodeUnknown(Audio.SpeechRequest)({ model: "tts-future-v9", voice: "vv_abc", input: "x" })
    }))

  it.effect("missing model (the spec's default is never applied: Venice answers 400)", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Audio.SpeechRequest, { input: "x" })
      expect(issues).toContainEqual({ path: "model", message: "is missing" })
    }))

  it.effect("empty, blank and overlong input", () =>
    Effect.gen(function*() {
      expect(paths(yield* decodeIssues(Audio.SpeechRequest, { ...speech, input: "" }))).toContain("input")
      expect(yield* decodeIssues(Audio.SpeechRequest, { ...speech, input: "   " })).toContainEqual({
        path: "input",
        message: "input must contain non-whitespace text"
      })
      expect(paths(yield* decodeIssues(Audio.SpeechRequest, { ...speech, input: "x".repeat(4097) }))).toContain("input")
    }))

  it.effect("speed, language, response_format and unknown fields", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Audio.SpeechRequest, {
        ...speech,
        speed: 5,
        language: "e",
        response_format: "ogg",
        pitch: 2
      })
      expect(paths(issues)).toEqual(expect.arrayContaining(["speed", "language", "response_format", "pitch"]))
    }))
})

describe("Audio.TranscriptionRequest", () => {
  const file = new File([new Uint8Array([1, 2, 3])], "meeting.m4a", { type: "audio/mp4" })

  it.effect("builds the multipart body", () =>
    Effect.gen(function*() {
      const request = yield* Schema.decodeUnknown(Audio.TranscriptionRequest)({
        file,
        model: "openai/whisper-large-v3",
        response_format: "json",
        timestamps: true,
        language: "en"
      })
      const form = Audio.toFormData(request)
      expect(form.get("model")).toBe("openai/whisper-large-v3")
      expect(form.get("timestamps")).toBe("true")
      const part = form.get("file")
      expect(part instanceof File ? part.name : undefined).toBe("meeting.m4a")
    }))

  it.effect("missing file (the spec forgets `required`; Venice rejects it) and base64 instead of a file", () =>
    Effect.gen(function*() {
      expect(yield* decodeIssues(Audio.TranscriptionRequest, { model: "stt-xai-v1" })).toContainEqual({
        path: "file",
        message: "is missing"
      })
      expect(paths(yield* decodeIssues(Audio.TranscriptionRequest, { file: "UklGRg==" }))).toContain("file")
    }))

  it.effect("unsupported response_format", () =>
    Effect.gen(function*() {
      expect(paths(yield* decodeIssues(Audio.TranscriptionRequest, { file, response_format: "srt" })))
        .toContain("response_format")
    }))
})

describe("Audio.TranscriptionResponse", () => {
  it.effect("decodes a transcript with timestamps", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(Audio.TranscriptionResponse)({
        text: "Alright everyone",
        duration: 1.5,
        timestamps: {
          word: [{ word: "Alright", start: 0, end: 0.4 }],
          segment: [{ text: "Alright", start: 0, end: 1 }]
        }
      })
      expect(response.timestamps?.word?.[0]?.word).toBe("Alright")
    }))
})

describe("Audio async jobs", () => {
  const queue = { model: "elevenlabs-music", prompt: "Uplifting indie-folk acoustic track, 120 BPM, major key." }

  it.effect("decodes the skills' queue and quote requests", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Audio.QueueAudioRequest)({ ...queue, duration_seconds: 60, force_instrumental: true })
      yield* Schema.decodeUnknown(Audio.QueueAudioRequest)({
        model: "minimax-music-v25",
        prompt: "Warm indie-pop ballad, female vocals, acoustic guitar.",
        lyrics_prompt: "[Verse]\nWalking through the city lights..."
      })
      yield* Schema.decodeUnknown(Audio.QuoteAudioRequest)({ model: "elevenlabs-music", duration_seconds: "60" })
    }))

  it.effect("missing prompt, bad duration_seconds, unknown field", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Audio.QueueAudioRequest, {
        model: "elevenlabs-music",
        duration_seconds: "1.5",
        tempo: 120
      })
      expect(paths(issues)).toEqual(expect.arrayContaining(["prompt", "duration_seconds", "tempo"]))
    }))

  it.effect("lyrics_optimizer with lyrics_prompt", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Audio.QueueAudioRequest, {
        ...queue,
        lyrics_optimizer: true,
        lyrics_prompt: "la la"
      })
      expect(issues).toContainEqual({
        path: "lyrics_prompt",
        message: "lyrics_prompt must be empty when lyrics_optimizer is true"
      })
    }))

  it.effect("quote: non-positive character_count; retrieve: missing queue_id", () =>
    Effect.gen(function*() {
      expect(paths(yield* decodeIssues(Audio.QuoteAudioRequest, { model: "m", character_count: 0 })))
        .toContain("character_count")
      expect(yield* decodeIssues(Audio.RetrieveAudioRequest, { model: "m" })).toContainEqual({
        path: "queue_id",
        message: "is missing"
      })
    }))

  it.effect("decodes queue, quote and processing responses", () =>
    Effect.gen(function*() {
      const queued = yield* Schema.decodeUnknown(Audio.QueueAudioResponse)({
        model: "elevenlabs-music",
        queue_id: "q-1",
        status: "QUEUED"
      })
      expect(queued.queue_id).toBe("q-1")
      expect((yield* Schema.decodeUnknown(Audio.QuoteAudioResponse)({ quote: 0.69 })).quote).toBe(0.69)
      const status = yield* Schema.decodeUnknown(Audio.RetrieveAudioStatus)({
        status: "PROCESSING",
        average_execution_time: 145000,
        execution_duration: 53200
      })
      expect(status.status).toBe("PROCESSING")
    }))
})
