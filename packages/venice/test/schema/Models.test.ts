import { describe, expect, it } from "@effect/vitest"
import * as Models from "@venice-effect/venice/schema/Models"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

describe("Models.ListModelsParams", () => {
  it.effect("accepts every documented type filter", () =>
    Effect.forEach(
      ["asr", "embedding", "image", "music", "text", "tts", "upscale", "inpaint", "video", "all", "code"],
      (type) => Schema.decodeUnknown(Models.ListModelsParams)({ type })
    ))

  it.effect("an unknown type (Venice: 400 invalid_union on `type`)", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Models.ListModelsParams, { type: "bogus" })
      expect(paths(issues)).toContain("type")
    }))

  it.effect("an unknown query parameter", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Models.ListModelsParams, { typ: "text" })
      expect(paths(issues)).toContain("typ")
    }))
})

describe("Models.ModelList", () => {
  it.effect("decodes the skills' example (abbreviated model rows, legacy deprecation with only `date`)", () =>
    Effect.gen(function*() {
      const list = yield* Schema.decodeUnknown(Models.ModelList)({
        object: "list",
        type: "text",
        data: [{
          id: "zai-org-glm-5-1",
          type: "text",
          created: 1699000000,
          model_spec: {
            name: "GLM 5.1",
            availableContextTokens: 200000,
            maxCompletionTokens: 24000,
            privacy: "private",
            beta: false,
            offline: false,
            capabilities: { supportsVision: true, quantization: "fp6", reasoningEffortOptions: ["none", "ultra"] },
            constraints: { temperature: { default: 0.7 }, top_p: { default: 0.9 } },
            pricing: { input: { usd: 0.7, diem: 7 }, output: { usd: 2.8, diem: 28 } },
            regionRestrictions: ["US"],
            deprecation: { date: "2025-03-01T00:00:00.000Z" },
            someFutureFlag: true
          }
        }]
      })
      const spec = list.data[0]?.model_spec
      expect(spec?.capabilities?.quantization).toBe("fp6")
      expect(spec?.constraints).toEqual({ temperature: { default: 0.7 }, top_p: { default: 0.9 } })
    }))

  it.effect("keeps constraints and pricing of shapes it does not know", () =>
    Effect.gen(function*() {
      const list = yield* Schema.decodeUnknown(Models.ModelList)({
        object: "list",
        type: "all",
        data: [{
          id: "future",
          type: "hologram",
          model_spec: { privacy: "anonymized", constraints: { voxels: 3 }, pricing: { per_voxel: { usd: 1, diem: 1 } } }
        }]
      })
      expect(list.data[0]?.model_spec.pricing).toEqual({ per_voxel: { usd: 1, diem: 1 } })
    }))

  it.effect("is strict on id and model_spec", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Models.ModelList, { object: "list", type: "text", data: [{ type: "text" }] })
      expect(paths(issues)).toEqual(expect.arrayContaining(["data.0.id", "data.0.model_spec"]))
    }))
})
