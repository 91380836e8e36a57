/**
 * `@venice-effect/ai` against `@effect/ai-openai` pointed at Venice (the emulator on loopback), row by row: the same
 * `@effect/ai` program runs on both layers and each row of the table in docs/ai.md is one test here. The OpenAI
 * provider speaks OpenAI's `/responses`; this package speaks Venice's `/chat/completions` through the SDK's client.
 */
import * as OpenAiClient from "@effect/ai-openai/OpenAiClient"
import * as OpenAiEmbeddingModel from "@effect/ai-openai/OpenAiEmbeddingModel"
import * as OpenAiLanguageModel from "@effect/ai-openai/OpenAiLanguageModel"
import * as EmbeddingModel from "@effect/ai/EmbeddingModel"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as VeniceAi from "../src/VeniceAi.js"
import * as VeniceEmbeddingModel from "../src/VeniceEmbeddingModel.js"
import * as VeniceLanguageModel from "../src/VeniceLanguageModel.js"
import { drive, KEY, MODEL, recordingTracer } from "./support.js"

/** Models over a client over the emulator on loopback. */
const onEmulator = <A, C, E>(
  models: Layer.Layer<A, never, C>,
  client: (baseUrl: string) => Layer.Layer<C, E, HttpClient.HttpClient>
) =>
  models.pipe(
    Layer.provideMerge(Layer.unwrapEffect(Effect.map(Emulator.VeniceEmulator, (emu) => client(emu.baseUrl)))),
    Layer.provideMerge(Emulator.layer({ keys: [KEY] })),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )

/** `@effect/ai-openai` pointed at Venice: the OpenAI client with Venice's base URL and key. */
const openai = onEmulator(
  Layer.merge(
    OpenAiLanguageModel.layer({ model: MODEL }),
    OpenAiEmbeddingModel.layerBatched({ model: "text-embedding-bge-m3" })
  ),
  (apiUrl) => OpenAiClient.layer({ apiKey: Redacted.make(KEY), apiUrl })
)

/** This package: the SDK's client and the Venice models — the one layer a program switches. */
const ours = onEmulator(
  Layer.merge(
    VeniceLanguageModel.layer({ model: MODEL }),
    VeniceEmbeddingModel.layer({ model: "text-embedding-bge-m3" })
  ),
  (baseUrl) => VeniceClient.layer({ apiKey: Redacted.make(KEY), baseUrl })
)

const GetTime = Tool.make("GetTime", { parameters: { zone: Schema.String }, success: Schema.String })
const Tools = Toolkit.make(GetTime)
const ToolsLive = Tools.toLayer({ GetTime: ({ zone }) => Effect.succeed(`noon in ${zone}`) })

const Answer = Schema.Struct({ city: Schema.String, population: Schema.Int })

// the same programs, whatever the layer
const text = Effect.map(LanguageModel.generateText({ prompt: "hi" }), (r) => r.text)
const object = Effect.map(LanguageModel.generateObject({ prompt: "a city", schema: Answer }), (r) => r.value)
const toolCalls = Effect.map(
  LanguageModel.generateText({ prompt: "time?", toolkit: Tools }),
  (r) => r.toolResults.length
)
const streamParts = Effect.map(Stream.runCollect(LanguageModel.streamText({ prompt: "hi" })), Chunk.toReadonlyArray)
const embedding = Effect.flatMap(EmbeddingModel.EmbeddingModel, (m) => m.embed("a cat"))

const script = (fault: Faults.Fault, times = 1) =>
  Effect.flatMap(Emulator.VeniceEmulator, (emu) => emu.script({}, times, fault))
const count = Effect.flatMap(Emulator.VeniceEmulator, (emu) => emu.count({}))

describe("row 1 — generateText on Venice's answer", () => {
  it.scoped("@effect/ai-openai: MalformedOutput (Venice's /responses omits `error`, which the spec marks optional)", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(text)
      expect(error._tag).toBe("MalformedOutput")
      expect(String(error.message)).toContain("[\"error\"]")
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: the answer", () =>
    Effect.gen(function*() {
      expect((yield* text).startsWith("Hello from the Venice emulator.")).toBe(true)
    }).pipe(Effect.provide(ours)))
})

describe("row 2 — generateObject", () => {
  it.scoped("@effect/ai-openai: MalformedOutput (same body)", () =>
    Effect.gen(function*() {
      expect((yield* Effect.flip(object))._tag).toBe("MalformedOutput")
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: the object, decoded through the Schema", () =>
    Effect.gen(function*() {
      expect(yield* object).toEqual({ city: "city", population: 1 })
    }).pipe(Effect.provide(ours)))
})

describe("row 3 — Toolkit tool calls", () => {
  it.scoped("@effect/ai-openai: MalformedOutput (same body); no handler runs", () =>
    Effect.gen(function*() {
      expect((yield* Effect.flip(toolCalls))._tag).toBe("MalformedOutput")
    }).pipe(Effect.provide(openai), Effect.provide(ToolsLive)))
  it.scoped("@venice-effect/ai: the call, its handler's result", () =>
    Effect.gen(function*() {
      expect(yield* toolCalls).toBe(1)
    }).pipe(Effect.provide(ours), Effect.provide(ToolsLive)))
})

describe("row 4 — streamText: finish reason and usage", () => {
  it.scoped("@effect/ai-openai: text deltas, but no finish part: usage and finish reason are lost", () =>
    Effect.gen(function*() {
      const parts = yield* streamParts
      expect(parts.some((p) => p.type === "text-delta")).toBe(true)
      expect(parts.some((p) => p.type === "finish")).toBe(false)
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: finish with reason and usage", () =>
    Effect.gen(function*() {
      const finish = (yield* streamParts).find((p) => p.type === "finish")
      expect(finish?.type === "finish" && [finish.reason, finish.usage.outputTokens]).toEqual(["stop", 12])
    }).pipe(Effect.provide(ours)))
})

describe("row 5 — an in-band error mid-stream", () => {
  it.scoped("@effect/ai-openai: the stream ends quietly after the partial text — it looks like a short answer", () =>
    Effect.gen(function*() {
      yield* script(Faults.streamError(4))
      const exit = yield* Effect.exit(streamParts)
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(Exit.isSuccess(exit) && exit.value.map((p) => p.type)).toEqual(["text-start", "text-delta"])
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: the stream fails with the typed StreamEventError", () =>
    Effect.gen(function*() {
      yield* script(Faults.streamError(4))
      const error = yield* Effect.flip(streamParts)
      expect(Option.getOrThrow(VeniceAi.veniceError(error))._tag).toBe("StreamEventError")
    }).pipe(Effect.provide(ours)))
})

describe("row 6 — 429 with Retry-After", () => {
  it.scoped("@effect/ai-openai: fails at once; one request", () =>
    Effect.gen(function*() {
      yield* script(Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 2 }))
      const error = yield* Effect.flip(text)
      expect(error._tag === "HttpResponseError" && error.response.status).toBe(429)
      expect(yield* count).toBe(1)
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: waits the announced 2 s and answers; two requests", () =>
    Effect.gen(function*() {
      yield* script(Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 2 }))
      expect(Exit.isSuccess(yield* drive(text))).toBe(true)
      expect(yield* count).toBe(2)
    }).pipe(Effect.provide(ours)))
})

describe("row 7 — what an error says", () => {
  it.scoped("@effect/ai-openai: HttpResponseError with Venice's body; no code, no Venice error inside", () =>
    Effect.gen(function*() {
      yield* script(Faults.error("MODEL_NOT_FOUND"))
      const error = yield* Effect.flip(text)
      expect(error._tag === "HttpResponseError" && error.response.status).toBe(404)
      expect(Option.isNone(VeniceAi.veniceError(error))).toBe(true)
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: HttpResponseError carrying the VeniceError: code, retry class, request facts", () =>
    Effect.gen(function*() {
      yield* script(Faults.error("MODEL_NOT_FOUND"))
      const error = yield* Effect.flip(text)
      expect(error._tag === "HttpResponseError" && error.description).toMatch(/^MODEL_NOT_FOUND: /)
      expect(Option.getOrThrow(VeniceAi.veniceError(error))).toMatchObject({ code: "MODEL_NOT_FOUND", attempt: 1 })
    }).pipe(Effect.provide(ours)))
})

describe("row 8 — gen_ai.system on the span", () => {
  it.scoped("@effect/ai-openai: openai", () =>
    Effect.gen(function*() {
      const tracing = recordingTracer()
      yield* Effect.exit(text.pipe(Effect.withTracer(tracing.tracer)))
      const span = tracing.records.find((r) => r.name === "LanguageModel.generateText")
      expect(span?.attributes["gen_ai.system"]).toBe("openai")
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: venice", () =>
    Effect.gen(function*() {
      const tracing = recordingTracer()
      yield* text.pipe(Effect.withTracer(tracing.tracer))
      const span = tracing.records.find((r) => r.name === "LanguageModel.generateText")
      expect(span?.attributes["gen_ai.system"]).toBe("venice")
    }).pipe(Effect.provide(ours)))
})

describe("row 9 — embeddings", () => {
  it.scoped("@effect/ai-openai: works (Venice's /embeddings is OpenAI's shape)", () =>
    Effect.gen(function*() {
      expect((yield* embedding).length).toBe(1024)
    }).pipe(Effect.provide(openai)))
  it.scoped("@venice-effect/ai: works too", () =>
    Effect.gen(function*() {
      expect((yield* embedding).length).toBe(1024)
    }).pipe(Effect.provide(ours)))
})
