/**
 * `NovitaLanguageModel` through `@effect/ai`'s public API against the Novita emulator: text, streamed text, a typed
 * Novita error carried inside the `AiError` (plain and in-band), tool calls and structured output.
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { NovitaEmulator } from "@venice-effect/emulator/NovitaEmulator"
import * as NovitaEmulatorModule from "@venice-effect/emulator/NovitaEmulator"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as VeniceAi from "../src/VeniceAi.js"
import { drive, novita, NOVITA_MODEL } from "./support.js"

describe("NovitaLanguageModel: text and errors", () => {
  const t = novita()

  it.scoped("generateText and streamText: the Novita emulator's answer, usage and finish reason", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "hi" })
      expect(response.text.startsWith("Hello from the Novita emulator.")).toBe(true)
      expect(response.finishReason).toBe("stop")
      expect(response.usage.outputTokens).toBe(8)
      expect(t.sent.bodies.at(-1)).toMatchObject({ model: NOVITA_MODEL, messages: [{ role: "user", content: "hi" }] })

      const parts = Chunk.toReadonlyArray(yield* Stream.runCollect(LanguageModel.streamText({ prompt: "hi" })))
      const text = parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("")
      expect(text).toBe(response.text)
      expect(parts.at(-1)?.type).toBe("finish")
    }).pipe(Effect.provide(t.layer)))

  it.scoped("a Novita error: retried by the SDK when it may be, else an HttpResponseError carrying NovitaApiError", () =>
    Effect.gen(function*() {
      const emulator = yield* NovitaEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, NovitaEmulatorModule.error("RATE_LIMIT_EXCEEDED"))
      const ok = yield* drive(LanguageModel.generateText({ prompt: "hi" }))
      expect(Exit.isSuccess(ok)).toBe(true)

      yield* emulator.script(
        { route: "chat/completions" },
        1,
        NovitaEmulatorModule.error("INVALID_API_KEY", { group: "llm" })
      )
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "hi" }))
      expect(error._tag).toBe("HttpResponseError")
      expect(error._tag === "HttpResponseError" && error.response.status).toBe(403)
      expect(Option.getOrThrow(VeniceAi.novitaError(error))).toMatchObject({
        _tag: "NovitaApiError",
        code: "INVALID_API_KEY"
      })
      expect(Option.isNone(VeniceAi.veniceError(error))).toBe(true)
    }).pipe(Effect.provide(t.layer)))

  it.scoped("an in-band error mid-stream: UnknownError carrying StreamEventError", () =>
    Effect.gen(function*() {
      const emulator = yield* NovitaEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.streamError(2))
      const error = yield* Effect.flip(Stream.runDrain(LanguageModel.streamText({ prompt: "hi" })))
      expect(Option.getOrThrow(VeniceAi.novitaError(error))).toMatchObject({ _tag: "StreamEventError" })
    }).pipe(Effect.provide(t.layer)))
})

describe("NovitaLanguageModel: tools and structured output", () => {
  const t = novita()
  const Lookup = Tool.make("Lookup", { parameters: { term: Schema.String }, success: Schema.String })
  const Tools = Toolkit.make(Lookup)
  const ToolsLive = Tools.toLayer({ Lookup: ({ term }) => Effect.succeed(`${term} is a word`) })

  it.scoped("a tool call (plain and streamed), its handler's result, then generateObject", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "look it up", toolkit: Tools })
      expect(response.toolCalls.map((c) => [c.name, c.params])).toEqual([["Lookup", { term: "term" }]])
      expect(response.toolResults.map((r) => r.result)).toEqual(["term is a word"])
      expect(t.sent.bodies.at(-1)?.["tools"]).toMatchObject([{ type: "function", function: { name: "Lookup" } }])

      const parts = Chunk.toReadonlyArray(
        yield* Stream.runCollect(LanguageModel.streamText({ prompt: "x", toolkit: Tools }))
      )
      expect(parts.filter((p) => p.type === "tool-params-delta").length).toBeGreaterThan(0)
      expect(parts.flatMap((p) => (p.type === "tool-call" ? [p.params] : []))).toEqual([{ term: "term" }])

      const object = yield* LanguageModel.generateObject({
        prompt: "x",
        schema: Schema.Struct({ word: Schema.String, length: Schema.Int })
      })
      expect(object.value).toEqual({ word: "word", length: 1 })
    }).pipe(Effect.provide(t.layer), Effect.provide(ToolsLive)))
})
