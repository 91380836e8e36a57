/**
 * `VeniceLanguageModel` through `@effect/ai`'s public API only, over loopback HTTP against the Venice emulator:
 * text, streamed text, reasoning, structured output (valid, and schema-invalid under the emulator's fault),
 * configuration (venice_parameters, overrides), usage, finish reasons and the response facts.
 */
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Response from "@effect/ai/Response"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as VeniceAi from "../src/VeniceAi.js"
import * as VeniceLanguageModel from "../src/VeniceLanguageModel.js"
import { REASONING_MODEL, venice } from "./support.js"

const SENTENCE_START = "Hello from the Venice emulator."

describe("VeniceLanguageModel: text", () => {
  const t = venice({ config: { temperature: 0.3, venice_parameters: { include_venice_system_prompt: false } } })

  it.scoped("generateText: the answer, finish reason, usage and the response's facts", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({
        prompt: [{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello" }]
      })
      expect(response.text.startsWith(SENTENCE_START)).toBe(true)
      expect(response.finishReason).toBe("stop")
      expect(response.usage.outputTokens).toBe(12)
      expect(response.usage.inputTokens).toBeGreaterThan(0)
      expect(response.usage.totalTokens).toBe((response.usage.inputTokens ?? 0) + 12)
      const meta = response.content.find((p) => p.type === "response-metadata")
      expect(meta?.type === "response-metadata" && Option.getOrUndefined(meta.modelId)).toBe("venice-uncensored")
      const facts = VeniceLanguageModel.finishMetadata(response.content)
      expect(facts?.model).toBe("venice-uncensored")
      expect(facts?.cost?.usd).toBeGreaterThan(0)
      // what reached the wire: Venice's own shape, with the configured venice_parameters
      const body = t.sent.bodies.at(-1)
      expect(body).toMatchObject({
        model: "venice-uncensored",
        temperature: 0.3,
        stream: false,
        venice_parameters: { include_venice_system_prompt: false },
        messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Say hello" }]
      })
    }).pipe(Effect.provide(t.layer)))

  it.scoped("withConfigOverride: per-call Venice parameters and model, merged over the layer's", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "hi" }).pipe(
        VeniceLanguageModel.withConfigOverride({
          model: "qwen3-4b",
          max_completion_tokens: 3,
          venice_parameters: { enable_web_search: "on", character_slug: "alan-watts" }
        })
      )
      expect(response.finishReason).toBe("length")
      expect(response.usage.outputTokens).toBe(3)
      expect(t.sent.bodies.at(-1)).toMatchObject({
        model: "qwen3-4b",
        temperature: 0.3,
        max_completion_tokens: 3,
        venice_parameters: { enable_web_search: "on", character_slug: "alan-watts" }
      })
    }).pipe(Effect.provide(t.layer)))

  it.scoped("streamText: response metadata, one text block of deltas, then finish with usage", () =>
    Effect.gen(function*() {
      const parts = Chunk.toReadonlyArray(yield* Stream.runCollect(LanguageModel.streamText({ prompt: "Say hello" })))
      const types = parts.map((p) => p.type)
      expect(types[0]).toBe("response-metadata")
      expect(types[1]).toBe("text-start")
      expect(types.at(-2)).toBe("text-end")
      expect(types.at(-1)).toBe("finish")
      expect(types.filter((x) => x === "text-delta")).toHaveLength(12)
      const text = parts.flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("")
      expect(text.startsWith(SENTENCE_START)).toBe(true)
      const finish = parts.at(-1)
      expect(finish?.type === "finish" && finish.reason).toBe("stop")
      expect(finish?.type === "finish" && finish.usage.outputTokens).toBe(12)
      expect(finish?.type === "finish" && finish.metadata.venice?.cost?.usd).toBeGreaterThan(0)
      expect(t.sent.bodies.at(-1)).toMatchObject({ stream: true })
    }).pipe(Effect.provide(t.layer)))
})

describe("VeniceLanguageModel: reasoning models", () => {
  const t = venice({ model: REASONING_MODEL })

  it.scoped("generateText: reasoning_content becomes a reasoning part; reasoning tokens in usage", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "Say hello" })
      expect(response.reasoningText).toBe("The user wrote to the emulator; a short, friendly answer will do.")
      expect(response.text.startsWith(SENTENCE_START)).toBe(true)
      expect(response.usage.reasoningTokens).toBe(12)
      expect(response.content.map((p) => p.type)).toEqual(["response-metadata", "reasoning", "text", "finish"])
    }).pipe(Effect.provide(t.layer)))

  it.scoped("streamText: a reasoning block, closed before the text block starts", () =>
    Effect.gen(function*() {
      const parts = Chunk.toReadonlyArray(yield* Stream.runCollect(LanguageModel.streamText({ prompt: "Say hello" })))
      const types = parts.map((p) => p.type).filter((x) => x !== "reasoning-delta" && x !== "text-delta")
      expect(types).toEqual([
        "response-metadata",
        "reasoning-start",
        "reasoning-end",
        "text-start",
        "text-end",
        "finish"
      ])
      const reasoning = parts.flatMap((p) => (p.type === "reasoning-delta" ? [p.delta] : [])).join("")
      expect(reasoning).toBe("The user wrote to the emulator; a short, friendly answer will do.")
    }).pipe(Effect.provide(t.layer)))

  it.scoped("venice_parameters.disable_thinking: no reasoning", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "Say hello" }).pipe(
        VeniceLanguageModel.withConfigOverride({ venice_parameters: { disable_thinking: true } })
      )
      expect(response.reasoningText).toBeUndefined()
    }).pipe(Effect.provide(t.layer)))
})

const Person = Schema.Struct({
  name: Schema.String.pipe(Schema.minLength(2)),
  age: Schema.Int.pipe(Schema.between(0, 150)),
  email: Schema.optional(Schema.String),
  role: Schema.Literal("admin", "member"),
  tags: Schema.Array(Schema.String).pipe(Schema.minItems(2)),
  address: Schema.Struct({ city: Schema.String }),
  since: Schema.Date.annotations({ jsonSchema: { type: "string", format: "date-time" } })
}).annotations({ identifier: "Person", description: "A person on file" })

describe("VeniceLanguageModel: structured output", () => {
  const t = venice()

  it.scoped("generateObject: the Schema goes out as response_format json_schema and the answer decodes through it", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateObject({ prompt: "Who is on file?", schema: Person })
      expect(response.value).toEqual({
        name: "name",
        age: 1,
        email: "email",
        role: "admin",
        tags: ["tags-1", "tags-2"],
        address: { city: "city" },
        since: new Date("2026-01-01T00:00:00.000Z")
      })
      const body = t.sent.bodies.at(-1)
      expect(body?.["response_format"]).toMatchObject({
        type: "json_schema",
        json_schema: {
          name: "Person",
          description: "A person on file",
          schema: { type: "object", required: ["name", "age", "role", "tags", "address", "since"] }
        }
      })
    }).pipe(Effect.provide(t.layer)))

  it.scoped("a schema-invalid answer: MalformedOutput carrying StructuredOutputError with the raw text", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.structuredOutputViolation)
      const error = yield* Effect.flip(LanguageModel.generateObject({ prompt: "Who?", schema: Person }))
      expect(error._tag).toBe("MalformedOutput")
      const failure = Option.getOrThrow(VeniceAi.structuredOutputError(error))
      const raw: unknown = JSON.parse(failure.raw)
      expect(raw).toMatchObject({ name: 42, age: 1, role: "admin" })
      expect(failure.issues.some((line) => line.startsWith("name:"))).toBe(true)
      expect(failure).toMatchObject({ provider: "venice", model: "venice-uncensored", objectName: "Person" })
      // one layer up, with the SDK's error in the channel
      const recovered = yield* LanguageModel.generateObject({ prompt: "Who?", schema: Person }).pipe(
        Effect.map((r) => r.value.name),
        Effect.zipLeft(emulator.script({ route: "chat/completions" }, 1, Faults.structuredOutputViolation)),
        VeniceAi.unwrap,
        Effect.catchTag("StructuredOutputError", (e) => Effect.succeed(`raw: ${e.raw}`))
      )
      expect(recovered).toBe("name")
      const again = yield* LanguageModel.generateObject({ prompt: "Who?", schema: Person }).pipe(
        Effect.map((r) => r.value.name),
        VeniceAi.unwrap,
        Effect.catchTag("StructuredOutputError", (e) => Effect.succeed(`raw: ${e.raw}`))
      )
      expect(again.startsWith("raw: {\"name\":42")).toBe(true)
    }).pipe(Effect.provide(t.layer)))

  it.scoped("the violation fault only matches structured-output requests (a plain text call passes it by)", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.structuredOutputViolation)
      const text = yield* LanguageModel.generateText({ prompt: "hi" })
      expect(text.text.startsWith(SENTENCE_START)).toBe(true)
      const error = yield* Effect.flip(LanguageModel.generateObject({ prompt: "Who?", schema: Person }))
      expect(Option.isSome(VeniceAi.structuredOutputError(error))).toBe(true)
    }).pipe(Effect.provide(t.layer)))

  it.scoped("response parts decode with @effect/ai's own schema (finish metadata included)", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "hi" })
      const encoded = yield* Schema.encode(Schema.Array(Response.Part({ tools: {} } as never)))(response.content)
      expect(encoded.at(-1)).toMatchObject({ type: "finish", metadata: { venice: { model: "venice-uncensored" } } })
    }).pipe(Effect.provide(t.layer)))
})
