/**
 * Spans: the GenAI attributes on `@effect/ai`'s spans, the SDK's `venice.chat.completions` attempt span below
 * them, and no prompt, answer or key anywhere unless content capture is turned on.
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import * as AiTelemetry from "../src/AiTelemetry.js"
import { KEY, recordingTracer, venice } from "./support.js"

const PROMPT = "a secret plan about the blue sky"

describe("GenAI span attributes", () => {
  const t = venice({ config: { temperature: 0.4, max_completion_tokens: 50, seed: 7 } })

  it.scoped("generateText: system, operation, request, response and usage attributes; the SDK's span below", () =>
    Effect.gen(function*() {
      const tracing = recordingTracer()
      yield* LanguageModel.generateText({ prompt: PROMPT }).pipe(Effect.withTracer(tracing.tracer))
      const span = tracing.records.find((r) => r.name === "LanguageModel.generateText")
      expect(span?.attributes).toMatchObject({
        "gen_ai.system": "venice",
        "gen_ai.operation.name": "chat",
        "gen_ai.request.model": "venice-uncensored",
        "gen_ai.request.temperature": 0.4,
        "gen_ai.request.max_tokens": 50,
        "gen_ai.request.seed": 7,
        "gen_ai.response.model": "venice-uncensored",
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.usage.output_tokens": 12
      })
      expect(span?.attributes["gen_ai.response.id"]).toMatch(/^chatcmpl-/)
      expect(span?.attributes["gen_ai.usage.input_tokens"]).toBeGreaterThan(0)
      const attempt = tracing.records.find((r) => r.name === "venice.chat.completions")
      expect(attempt).toBeDefined()
      // the attempt span lives below the LanguageModel span
      const ids = new Map(tracing.records.map((r) => [(r as { id?: string }).id, r]))
      let parent = attempt?.parent
      const chain: Array<string> = []
      while (parent !== undefined) {
        const record = ids.get(parent)
        if (record === undefined) break
        chain.push(record.name)
        parent = record.parent
      }
      expect(chain).toContain("LanguageModel.generateText")
      const dump = tracing.dump()
      expect(dump).not.toContain("blue sky")
      expect(dump).not.toContain("Hello from the Venice emulator")
      expect(dump).not.toContain(KEY)
    }).pipe(Effect.provide(t.layer)))

  it.scoped("streamText: response and usage attributes once the stream has finished", () =>
    Effect.gen(function*() {
      const tracing = recordingTracer()
      yield* Stream.runDrain(LanguageModel.streamText({ prompt: PROMPT })).pipe(Effect.withTracer(tracing.tracer))
      const span = tracing.records.find((r) => r.name === "LanguageModel.streamText")
      expect(span?.attributes).toMatchObject({
        "gen_ai.system": "venice",
        "gen_ai.response.finish_reasons": ["stop"],
        "gen_ai.usage.output_tokens": 12
      })
      expect(tracing.dump()).not.toContain("blue sky")
    }).pipe(Effect.provide(t.layer)))

  it.scoped("content capture is opt-in: withContentCapture records the prompt and the answer", () =>
    Effect.gen(function*() {
      const tracing = recordingTracer()
      yield* LanguageModel.generateText({ prompt: PROMPT }).pipe(
        AiTelemetry.withContentCapture,
        Effect.withTracer(tracing.tracer)
      )
      const span = tracing.records.find((r) => r.name === "LanguageModel.generateText")
      expect(String(span?.attributes["gen_ai.input.messages"])).toContain("blue sky")
      expect(String(span?.attributes["gen_ai.output.messages"])).toContain("Hello from the Venice emulator")
      expect(tracing.dump()).not.toContain(KEY)
    }).pipe(Effect.provide(t.layer)))
})
