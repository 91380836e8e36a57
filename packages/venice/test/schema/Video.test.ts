import { describe, expect, it } from "@effect/vitest"
import * as Video from "@venice-effect/venice/schema/Video"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

const textToVideo = {
  model: "wan-2.6-text-to-video",
  prompt: "Commerce being conducted in the city of Venice, Italy.",
  negative_prompt: "low resolution, worst quality, defects",
  duration: "5s",
  aspect_ratio: "16:9",
  resolution: "720p",
  audio: true
}

describe("Video.QueueVideoRequest", () => {
  it.effect("decodes every recipe of the skills", () =>
    Effect.forEach(
      [
        textToVideo,
        {
          model: "wan-2.6-image-to-video",
          prompt: "Camera slowly zooms out, revealing the cityscape.",
          image_url: "https://example.com/cityscape.jpg",
          duration: "5s",
          resolution: "720p"
        },
        { model: "topaz-video-upscale", video_url: "https://example.com/input.mp4", upscale_factor: 2 },
        {
          model: "kling-o3-pro-reference-to-video",
          prompt: "@Element1 walks toward @Element2 against @Image1.",
          duration: "5s",
          aspect_ratio: "16:9",
          elements: [
            {
              frontal_image_url: "https://example.com/char1.png",
              reference_image_urls: ["https://example.com/alt1.png"]
            },
            { frontal_image_url: "https://example.com/char2.png" }
          ],
          scene_image_urls: ["https://example.com/street-scene.jpg"]
        },
        {
          model: "seedance-2-5-reference-to-video-basic",
          prompt: "Strictly edit <Video 1>: make it snow, keep everything else unchanged.",
          reference_video_urls: ["https://example.com/source.mp4"],
          omni_reference_task_type: "edit",
          duration: "auto",
          aspect_ratio: "adaptive",
          resolution: "720p"
        },
        {
          model: "minimax-h3-max-multi-angle",
          image_url: "https://example.com/scene.jpg",
          duration: "5s",
          resolution: "768P",
          camera_trajectory: [
            { time: 0, azimuth: 0, elevation: 0, distance: 1 },
            { time: 1, azimuth: 45, elevation: 10, distance: 1 }
          ]
        },
        { model: "topaz-video-upscale", video_url: "https://example.com/in.mp4", duration: "12.5" }
      ],
      (request) => Schema.decodeUnknown(Video.QueueVideoRequest)(request)
    ))

  it.effect("missing model", () =>
    Effect.gen(function*() {
      const { model: _model, ...rest } = textToVideo
      expect(yield* decodeIssues(Video.QueueVideoRequest, rest)).toContainEqual({
        path: "model",
        message: "is missing"
      })
    }))

  it.effect("unknown top-level field (queue rejects what quote would drop)", () =>
    Effect.gen(function*() {
      expect(paths(yield* decodeIssues(Video.QueueVideoRequest, { ...textToVideo, fps: 24 }))).toContain("fps")
    }))

  it.effect("blank prompt", () =>
    Effect.gen(function*() {
      expect(yield* decodeIssues(Video.QueueVideoRequest, { ...textToVideo, prompt: "  " })).toContainEqual({
        path: "prompt",
        message: "prompt must contain non-whitespace text"
      })
    }))

  it.effect("array caps, upscale_factor, keyframes, camera_trajectory, consents", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Video.QueueVideoRequest, {
        ...textToVideo,
        reference_image_urls: Array(31).fill("https://example.com/a.png"),
        reference_document_urls: ["https://a", "https://b"],
        upscale_factor: 3,
        keyframes: [{ image_url: "https://example.com/k.png", frame_index: -1 }],
        camera_trajectory: [{ time: 0, azimuth: 0, elevation: 0, distance: 1 }],
        consents: {
          seedance: {
            confirmed_terms_and_privacy: true,
            confirmed_legal_right: false,
            confirmed_screening_acknowledged: true
          }
        }
      })
      expect(paths(issues)).toEqual(expect.arrayContaining([
        "reference_image_urls",
        "reference_document_urls",
        "upscale_factor",
        "keyframes.0.frame_index",
        "camera_trajectory",
        "consents.seedance.confirmed_legal_right"
      ]))
    }))
})

describe("Video quote and retrieve", () => {
  it.effect("decodes the skills' quote request and response", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Video.QuoteVideoRequest)({
        model: "wan-2.6-text-to-video",
        duration: "5s",
        aspect_ratio: "16:9",
        resolution: "720p",
        audio: true
      })
      expect((yield* Schema.decodeUnknown(Video.QuoteVideoResponse)({ quote: 0.55 })).quote).toBe(0.55)
    }))

  it.effect("quote: reference_video_total_duration out of range", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Video.QuoteVideoRequest, { model: "m", reference_video_total_duration: -1 })
      expect(paths(issues)).toContain("reference_video_total_duration")
    }))

  it.effect("retrieve: only model, queue_id and delete_media_on_completion are accepted", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Video.RetrieveVideoRequest)({
        model: "wan-2.6-text-to-video",
        queue_id: "q-1",
        delete_media_on_completion: true
      })
      const issues = yield* decodeIssues(Video.RetrieveVideoRequest, { model: "m", queue_id: "", download: true })
      expect(paths(issues)).toEqual(expect.arrayContaining(["queue_id", "download"]))
    }))

  it.effect("queue response with and without download_url", () =>
    Effect.gen(function*() {
      const vps = yield* Schema.decodeUnknown(Video.QueueVideoResponse)({
        model: "grok-imagine-video",
        queue_id: "q-1",
        download_url: "https://cdn.example.com/v.mp4"
      })
      expect(vps.download_url).toBeDefined()
      yield* Schema.decodeUnknown(Video.QueueVideoResponse)({ model: "wan-2.6-text-to-video", queue_id: "q-2" })
    }))

  it.effect("retrieve status: processing and completed (VPS-backed)", () =>
    Effect.gen(function*() {
      const processing = yield* Schema.decodeUnknown(Video.RetrieveVideoStatus)({
        status: "PROCESSING",
        average_execution_time: 145000,
        execution_duration: 53200
      })
      expect(processing.status).toBe("PROCESSING")
      const completed = yield* Schema.decodeUnknown(Video.RetrieveVideoStatus)({ status: "COMPLETED" })
      expect(completed).toBeInstanceOf(Video.VideoCompleted)
      const issues = yield* decodeIssues(Video.RetrieveVideoStatus, { status: "PROCESSING" })
      expect(paths(issues)).toEqual(expect.arrayContaining(["average_execution_time", "execution_duration"]))
    }))
})
