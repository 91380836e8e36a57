/**
 * `NovitaLanguageModel` through `@effect/ai`'s public API against the Novita emulator: text, streamed text, and a
 * typed Novita error carried inside the `AiError` (plain and in-band).
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { NovitaEmulator } from "@venice-effect/emulator/NovitaEmulator"
import * as NovitaEmulatorModule from "@venice-effect/emulator/NovitaEmulator"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as VeniceAi from "../src/VeniceAi.js"
import { drive, NOVITA_MODEL, novita } from "./support.js"

describe("NovitaLanguageModel", () => {
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

      yield* emulator.script({ route: "chat/completions" }, 1, NovitaEmulatorModule.error("INVALID_API_KEY", { group: "llm" }))
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "hi" }))
      expect(error._tag).toBe("HttpResponseError")
      expect(error._tag === "HttpResponseError" && error.response.status).toBe(403)
      expect(Option.getOrThrow(VeniceAi.novitaError(error))).toMatchObject({ _tag: "NovitaApiError", code: "INVALID_API_KEY" })
      expect(Option.isNone(VeniceAi.veniceError(error))).toBe(true)
    }).pipe(Effect.provide(t.layer)))

  it.scoped("an in-band error mid-stream: UnknownError carrying NovitaStreamEventError", () =>
    Effect.gen(function*() {
      const emulator = yield* NovitaEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.streamError(2))
      const error = yield* Effect.flip(Stream.runDrain(LanguageModel.streamText({ prompt: "hi" })))
      expect(Option.getOrThrow(VeniceAi.novitaError(error))).toMatchObject({ _tag: "NovitaStreamEventError" })
    }).pipe(Effect.provide(t.layer)))
})
