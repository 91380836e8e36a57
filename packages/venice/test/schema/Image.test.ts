import { describe, expect, it } from "@effect/vitest"
import * as Image from "@venice-effect/venice/schema/Image"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

const minimal = { model: "z-image-turbo", prompt: "A beautiful sunset over a mountain range" }

describe("Image.GenerateImageRequest", () => {
  it.effect("decodes the skills' request", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Image.GenerateImageRequest)({
        ...minimal,
        width: 1024,
        height: 1024,
        cfg_scale: 7.5,
        steps: 8,
        seed: 123456789,
        variants: 1,
        format: "webp",
        style_preset: "3D Model",
        safe_mode: true,
        style_references: [{ image: "https://example.com/style.png", strength: 0.5 }]
      })
    }))

  it.effect("missing model and prompt", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Image.GenerateImageRequest, {})
      expect(issues).toEqual(
        expect.arrayContaining([{ path: "model", message: "is missing" }, { path: "prompt", message: "is missing" }])
      )
    }))

  it.effect("empty and overlong prompts", () =>
    Effect.gen(function*() {
      expect(paths(yield* decodeIssues(Image.GenerateImageRequest, { ...minimal, prompt: "" }))).toContain("prompt")
      expect(paths(yield* decodeIssues(Image.GenerateImageRequest, { ...minimal, prompt: "x".repeat(7501) })))
        .toContain("prompt")
    }))

  it.effect("sizes, variants, cfg_scale, seed out of range", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Image.GenerateImageRequest, {
        ...minimal,
        width: 0,
        height: 1281,
        variants: 5,
        cfg_scale: 0,
        seed: 1_000_000_000,
        lora_strength: 101
      })
      expect(paths(issues)).toEqual(
        expect.arrayContaining(["width", "height", "variants", "cfg_scale", "seed", "lora_strength"])
      )
    }))

  it.effect("style reference strength below 0.1 and unknown style reference member", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Image.GenerateImageRequest, {
        ...minimal,
        style_references: [{ image: "https://example.com/a.png", strength: 0.05, weight: 1 }]
      })
      expect(paths(issues)).toEqual(
        expect.arrayContaining(["style_references.0.strength", "style_references.0.weight"])
      )
    }))

  it.effect("the deprecated inpaint field and other unknown fields are rejected", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Image.GenerateImageRequest, { ...minimal, inpaint: null })
      expect(paths(issues)).toContain("inpaint")
    }))
})

describe("Image.GenerateImageResponse", () => {
  it.effect("decodes the JSON response", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(Image.GenerateImageResponse)({
        id: "generate-image-1234567890",
        images: ["iVBORw0KGgo="],
        request: { model: "z-image-turbo" },
        timing: { inferenceDuration: 1, inferencePreprocessingTime: 2, inferenceQueueTime: 3, total: 6 }
      })
      expect(response.images).toHaveLength(1)
    }))
})
