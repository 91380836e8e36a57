/**
 * Tool calls through `@effect/ai`'s `Toolkit` and `Chat`, against the Venice emulator: it answers a request that
 * declares tools with calls whose arguments validate against the declared JSON Schema (every tool at once unless
 * `parallel_tool_calls: false`), and with a final answer once the conversation ends with the tool results.
 */
import * as AiChat from "@effect/ai/Chat"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Prompt from "@effect/ai/Prompt"
import * as Tool from "@effect/ai/Tool"
import * as Toolkit from "@effect/ai/Toolkit"
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as VeniceLanguageModel from "../src/VeniceLanguageModel.js"
import { venice } from "./support.js"

const GetWeather = Tool.make("GetWeather", {
  description: "The weather in a city",
  parameters: {
    city: Schema.String.pipe(Schema.minLength(3)),
    unit: Schema.Literal("celsius", "fahrenheit"),
    days: Schema.Int.pipe(Schema.between(1, 7))
  },
  success: Schema.Struct({ city: Schema.String, temperature: Schema.Number, unit: Schema.String })
})

const GetTime = Tool.make("GetTime", {
  description: "The local time in a time zone",
  parameters: { zone: Schema.String },
  success: Schema.String
})

const Tools = Toolkit.make(GetWeather, GetTime)

/** The handlers record what they were called with. */
const handled: Array<unknown> = []
const ToolsLive = Tools.toLayer({
  GetWeather: (params) =>
    Effect.sync(() => {
      handled.push(params)
      return { city: params.city, temperature: 21.5, unit: params.unit }
    }),
  GetTime: (params) =>
    Effect.sync(() => {
      handled.push(params)
      return `12:00 in ${params.zone}`
    })
})

const toolMessages = (body: Record<string, unknown> | undefined): ReadonlyArray<unknown> =>
  Array.isArray(body?.["messages"]) ? body["messages"].filter((m: { role?: string }) => m.role === "tool") : []

describe("Toolkit against the emulator", () => {
  const t = venice()

  it.scoped("a two-round loop with Chat: parallel calls, handlers run with decoded params, then the final answer", () =>
    Effect.gen(function*() {
      handled.length = 0
      const chat = yield* AiChat.fromPrompt([{ role: "user", content: "Weather and time in Paris?" }])
      const toolkit = yield* Tools

      // round 1: the model calls both tools; @effect/ai runs the handlers
      const first = yield* chat.generateText({ prompt: [], toolkit })
      expect(first.finishReason).toBe("tool-calls")
      expect(first.toolCalls.map((c) => c.name)).toEqual(["GetWeather", "GetTime"])
      expect(first.toolCalls[0]?.params).toEqual({ city: "city", unit: "celsius", days: 1 })
      expect(handled).toEqual([{ city: "city", unit: "celsius", days: 1 }, { zone: "zone" }])
      expect(first.toolResults.map((r) => r.result)).toEqual([
        { city: "city", temperature: 21.5, unit: "celsius" },
        "12:00 in zone"
      ])
      // what went out: the toolkit as function tools with their JSON Schemas
      const round1 = t.sent.bodies.at(-1)
      expect(round1?.["tools"]).toMatchObject([
        {
          type: "function",
          function: {
            name: "GetWeather",
            description: "The weather in a city",
            parameters: { type: "object", required: ["city", "unit", "days"] }
          }
        },
        { type: "function", function: { name: "GetTime" } }
      ])
      expect(round1?.["tool_choice"]).toBe("auto")

      // round 2: Chat sends the calls and their results back; the model answers with them
      const second = yield* chat.generateText({ prompt: [], toolkit })
      expect(second.finishReason).toBe("stop")
      expect(second.toolCalls).toHaveLength(0)
      expect(second.text).toBe(
        "GetWeather returned {\"city\":\"city\",\"temperature\":21.5,\"unit\":\"celsius\"}. GetTime returned \"12:00 in zone\"."
      )
      const round2 = t.sent.bodies.at(-1)
      const assistant = (round2?.["messages"] as ReadonlyArray<{ role: string; tool_calls?: unknown }>)[1]
      expect(assistant).toMatchObject({
        role: "assistant",
        content: null,
        tool_calls: [
          {
            type: "function",
            function: { name: "GetWeather", arguments: "{\"city\":\"city\",\"unit\":\"celsius\",\"days\":1}" }
          },
          { type: "function", function: { name: "GetTime", arguments: "{\"zone\":\"zone\"}" } }
        ]
      })
      expect(toolMessages(round2)).toHaveLength(2)
      expect(handled).toHaveLength(2)
    }).pipe(Effect.provide(t.layer), Effect.provide(ToolsLive)))

  it.scoped("streamText: tool-params deltas assembled into the same calls, then the handlers' results", () =>
    Effect.gen(function*() {
      handled.length = 0
      const parts = Chunk.toReadonlyArray(
        yield* Stream.runCollect(LanguageModel.streamText({ prompt: "Weather and time?", toolkit: Tools }))
      )
      const starts = parts.filter((p) => p.type === "tool-params-start")
      expect(starts.map((p) => p.type === "tool-params-start" && p.name)).toEqual(["GetWeather", "GetTime"])
      // the arguments came in several fragments each, and assemble into the declared shapes
      for (const start of starts) {
        const deltas = parts.filter((p) => p.type === "tool-params-delta" && p.id === start.id)
        expect(deltas.length).toBeGreaterThan(1)
        const assembled = deltas.map((p) => (p.type === "tool-params-delta" ? p.delta : "")).join("")
        const call = parts.find((p) => p.type === "tool-call" && p.id === start.id)
        expect(call?.type === "tool-call" && call.params).toEqual(JSON.parse(assembled))
        const end = parts.findIndex((p) => p.type === "tool-params-end" && p.id === start.id)
        expect(end).toBeGreaterThan(parts.indexOf(deltas.at(-1)!))
      }
      const results = parts.filter((p) => p.type === "tool-result")
      expect(results.map((p) => p.type === "tool-result" && p.result)).toEqual([
        { city: "city", temperature: 21.5, unit: "celsius" },
        "12:00 in zone"
      ])
      const finish = parts.find((p) => p.type === "finish")
      expect(finish?.type === "finish" && finish.reason).toBe("tool-calls")
      expect(handled).toHaveLength(2)

      // round 2 over the stream: the prompt grows with the streamed parts, the model answers in text
      const prompt = Prompt.merge(Prompt.make("Weather and time?"), Prompt.fromResponseParts(parts))
      const answer = yield* Stream.runCollect(LanguageModel.streamText({ prompt, toolkit: Tools }))
      const text = Chunk.toReadonlyArray(answer).flatMap((p) => (p.type === "text-delta" ? [p.delta] : [])).join("")
      expect(text).toContain("GetWeather returned")
    }).pipe(Effect.provide(t.layer), Effect.provide(ToolsLive)))

  it.scoped("toolChoice { tool } calls only that tool; parallel_tool_calls: false only the first", () =>
    Effect.gen(function*() {
      const named = yield* LanguageModel.generateText({
        prompt: "time?",
        toolkit: Tools,
        toolChoice: { tool: "GetTime" },
        disableToolCallResolution: true
      })
      expect(named.toolCalls.map((c) => c.name)).toEqual(["GetTime"])
      expect(t.sent.bodies.at(-1)?.["tool_choice"]).toEqual({ type: "function", function: { name: "GetTime" } })

      const single = yield* LanguageModel.generateText({
        prompt: "weather?",
        toolkit: Tools,
        disableToolCallResolution: true
      }).pipe(VeniceLanguageModel.withConfigOverride({ parallel_tool_calls: false }))
      expect(single.toolCalls.map((c) => c.name)).toEqual(["GetWeather"])

      const oneOf = yield* LanguageModel.generateText({
        prompt: "weather?",
        toolkit: Tools,
        toolChoice: { oneOf: ["GetTime"], mode: "required" },
        disableToolCallResolution: true
      })
      expect(oneOf.toolCalls.map((c) => c.name)).toEqual(["GetTime"])
      expect(t.sent.bodies.at(-1)?.["tool_choice"]).toBe("required")
      expect((t.sent.bodies.at(-1)?.["tools"] as ReadonlyArray<unknown>).length).toBe(1)
    }).pipe(Effect.provide(t.layer), Effect.provide(ToolsLive)))

  it.scoped("toolChoice none: the tools are declared, the model answers in text", () =>
    Effect.gen(function*() {
      const response = yield* LanguageModel.generateText({ prompt: "hi", toolkit: Tools, toolChoice: "none" })
      expect(response.toolCalls).toHaveLength(0)
      expect(response.finishReason).toBe("stop")
    }).pipe(Effect.provide(t.layer), Effect.provide(ToolsLive)))
})
