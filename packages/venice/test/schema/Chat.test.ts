import { describe, expect, it } from "@effect/vitest"
import * as Chat from "@venice-effect/venice/schema/Chat"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

const minimal = { model: "zai-org-glm-5-1", messages: [{ role: "user", content: "Why is the sky blue?" }] }

describe("Chat.ChatCompletionRequest", () => {
  it.effect("decodes the minimal request and encodes it back to the same JSON", () =>
    Effect.gen(function*() {
      const request = yield* Schema.decodeUnknown(Chat.ChatCompletionRequest)(minimal)
      expect(request).toBeInstanceOf(Chat.ChatCompletionRequest)
      expect(yield* Schema.encode(Chat.ChatCompletionRequest)(request)).toEqual(minimal)
    }))

  it.effect("accepts the skills' request shapes (tools, reasoning, structured output, venice_parameters)", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Chat.ChatCompletionRequest)({
        model: "zai-org-glm-5-1:enable_web_search=on",
        messages: [
          { role: "system", content: "Be brief." },
          {
            role: "user",
            content: [
              { type: "text", text: "What's in this image?", cache_control: { type: "ephemeral", ttl: "1h" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
              { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } },
              { type: "video_url", video_url: { url: "https://www.youtube.com/watch?v=x" } },
              { type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "report.pdf" } }
            ]
          },
          {
            role: "assistant",
            content: null,
            reasoning_details: [{ type: "reasoning.encrypted", data: "opaque", signature: "kept" }],
            tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: "{}" } }]
          },
          { role: "tool", tool_call_id: "call_1", content: "{\"temp\":21}" }
        ],
        tools: [{
          type: "function",
          function: {
            name: "get_weather",
            description: "Get current weather for a city",
            parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
            strict: true
          }
        }],
        tool_choice: "auto",
        reasoning: { effort: "medium", enabled: true },
        response_format: {
          type: "json_schema",
          json_schema: { name: "person", strict: true, schema: { type: "object" } }
        },
        venice_parameters: { enable_web_search: "auto", include_venice_system_prompt: false, some_future_key: 1 },
        anon_user_id: "user-42",
        stream: true,
        stream_options: { include_usage: true }
      })
    }))

  it.effect("keeps unknown members of reasoning_details (they must round-trip verbatim)", () =>
    Effect.gen(function*() {
      const request = yield* Schema.decodeUnknown(Chat.ChatCompletionRequest)({
        model: "m",
        messages: [{ role: "assistant", content: "x", reasoning_details: [{ type: "t", signature: "sig" }] }]
      })
      const encoded = yield* Schema.encode(Chat.ChatCompletionRequest)(request)
      expect(encoded.messages[0]).toMatchObject({ reasoning_details: [{ type: "t", signature: "sig" }] })
    }))

  it.effect("missing model", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, { messages: minimal.messages })
      expect(issues).toContainEqual({ path: "model", message: "is missing" })
    }))

  it.effect("empty model", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, { ...minimal, model: "" })
      expect(issues).toContainEqual({ path: "model", message: "model must be a non-empty model id" })
    }))

  it.effect("empty messages", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, { ...minimal, messages: [] })
      expect(issues).toContainEqual({ path: "messages", message: "messages must contain at least one message" })
    }))

  it.effect("temperature out of range", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, { ...minimal, temperature: 2.5 })
      expect(issues).toContainEqual({ path: "temperature", message: "Expected a number between 0 and 2, actual 2.5" })
    }))

  it.effect("several violations are reported together, each with its field", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, {
        ...minimal,
        top_p: 1.5,
        n: 0,
        seed: 0,
        frequency_penalty: -3,
        top_k: 1.5,
        stop: ["a", "b", "c", "d", "e"]
      })
      expect(paths(issues)).toEqual(
        expect.arrayContaining(["top_p", "n", "seed", "frequency_penalty", "top_k", "stop"])
      )
    }))

  it.effect("unknown top-level field (Venice answers 400)", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, { ...minimal, max_token: 10 })
      expect(paths(issues)).toContain("max_token")
    }))

  it.effect("empty text part", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, {
        ...minimal,
        messages: [{ role: "user", content: [{ type: "text", text: "" }] }]
      })
      expect(paths(issues)).toContain("messages.0.content.0.text")
    }))

  it.effect("unknown role", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, {
        ...minimal,
        messages: [{ role: "narrator", content: "x" }]
      })
      expect(paths(issues)).toContain("messages.0.role")
    }))

  it.effect("bad venice_parameters.enable_web_search", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, {
        ...minimal,
        venice_parameters: { enable_web_search: true }
      })
      expect(paths(issues)).toContain("venice_parameters.enable_web_search")
    }))

  it.effect("nested objects stay open: unknown members of messages, tools and venice_parameters are dropped", () =>
    Effect.gen(function*() {
      const request = yield* Schema.decodeUnknown(Chat.ChatCompletionRequest)({
        ...minimal,
        messages: [{
          role: "user",
          content: [{ type: "image_url", image_url: { url: "https://x", detail: "low" } }],
          x: 1
        }],
        tools: [{ type: "function", function: { name: "f" }, extra: true }],
        venice_parameters: { enable_web_search: "on", unknown_flag: true },
        anon_user_id: "   "
      })
      expect(request.venice_parameters).toEqual({ enable_web_search: "on" })
    }))

  it.effect("anon_user_id containing ||", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Chat.ChatCompletionRequest, { ...minimal, anon_user_id: "a||b" })
      expect(issues).toContainEqual({ path: "anon_user_id", message: "anon_user_id must not contain \"||\"" })
    }))

  it("the constructor validates too", () => {
    expect(() => new Chat.ChatCompletionRequest({ model: "m", messages: [] })).toThrow(/at least one message/)
    const messages = [{ role: "user", content: "hi" }] as const
    expect(() => new Chat.ChatCompletionRequest({ model: "m", messages, temperature: 3 })).toThrow(/temperature/)
    const request = new Chat.ChatCompletionRequest({ model: "m", messages: [{ role: "user", content: "hi" }] })
    expect(request.messages).toHaveLength(1)
  })
})

const completion = {
  id: "chatcmpl-a81fbc2d81a7a083bb83ccf9f44c6e5e",
  object: "chat.completion",
  created: 1739928524,
  model: "zai-org-glm-5-1",
  system_fingerprint: "stripped-but-tolerated",
  choices: [{
    index: 0,
    finish_reason: "content_filter",
    logprobs: null,
    message: { role: "assistant", content: "…", reasoning_content: null, tool_calls: [] }
  }],
  usage: {
    prompt_tokens: 612,
    completion_tokens: 146,
    total_tokens: 758,
    prompt_tokens_details: { cached_tokens: 512 },
    completion_tokens_details: { reasoning_tokens: 32 }
  },
  venice_parameters: { web_search_citations: [{ title: "Rayleigh", url: "https://example.com" }] }
}

describe("Chat.ChatCompletion", () => {
  it.effect("decodes a response without cost, with content_filter and unknown fields", () =>
    Effect.gen(function*() {
      const decoded = yield* Schema.decodeUnknown(Chat.ChatCompletion)(completion)
      expect(decoded.choices[0]?.finish_reason).toBe("content_filter")
      expect(decoded.cost).toBeUndefined()
      expect(decoded.usage.prompt_tokens_details?.cached_tokens).toBe(512)
    }))

  it.effect("is strict on what the SDK relies on: choices and usage", () =>
    Effect.gen(function*() {
      const { choices: _choices, usage: _usage, ...rest } = completion
      const issues = yield* decodeIssues(Chat.ChatCompletion, rest)
      expect(paths(issues)).toEqual(expect.arrayContaining(["choices", "usage"]))
    }))
})

describe("Chat streaming", () => {
  const chunk = (choices: ReadonlyArray<unknown>, extra: object = {}) => ({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1739928524,
    model: "zai-org-glm-5-1",
    choices,
    ...extra
  })

  it.effect("decodes a stream: role, reasoning, content, tool call fragments, finish, usage chunk", () =>
    Effect.gen(function*() {
      const decode = Schema.decodeUnknown(Chat.ChatCompletionStreamEvent)
      const events = yield* Effect.all([
        decode(chunk([{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }])),
        decode(chunk([{ index: 0, delta: { reasoning_content: "thinking" }, finish_reason: null }])),
        decode(chunk([{ index: 0, delta: { content: "The sky" }, finish_reason: null, logprobs: null }])),
        decode(chunk([{
          index: 0,
          delta: {
            tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }]
          }
        }])),
        decode(chunk([{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: "{\"city\":" } }] } }])),
        decode(chunk([{ index: 0, delta: {}, finish_reason: "tool_calls" }])),
        decode(chunk([], {
          usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
          cost: { usd: 0.00042, diem: 0 }
        }))
      ])
      const last = events[events.length - 1]
      expect(last).toBeInstanceOf(Chat.ChatCompletionChunk)
      expect(last instanceof Chat.ChatCompletionChunk && Chat.isUsageChunk(last)).toBe(true)
      const first = events[0]
      expect(first instanceof Chat.ChatCompletionChunk && Chat.isUsageChunk(first)).toBe(false)
    }))

  it.effect("decodes the citations chunk of include_search_results_in_stream", () =>
    Effect.gen(function*() {
      const decoded = yield* Schema.decodeUnknown(Chat.ChatCompletionChunk)(
        chunk([], { venice_parameters: { web_search_citations: [{ title: "t", url: "https://x", date: null }] } })
      )
      expect(decoded.venice_parameters?.web_search_citations).toHaveLength(1)
    }))

  it.effect("decodes the in-band error event", () =>
    Effect.gen(function*() {
      const event = yield* Schema.decodeUnknown(Chat.ChatCompletionStreamEvent)({
        error: {
          message: "The model is currently overloaded.",
          type: "server_error",
          code: "model_overloaded",
          param: null,
          retry_after: 30
        }
      })
      expect(event).toBeInstanceOf(Chat.ChatCompletionStreamError)
      expect(event instanceof Chat.ChatCompletionStreamError && event.error.retry_after).toBe(30)
    }))

  it.effect("a chunk without choices is not a chunk", () =>
    Effect.gen(function*() {
      const { choices: _choices, ...rest } = chunk([])
      const issues = yield* decodeIssues(Chat.ChatCompletionChunk, rest)
      expect(paths(issues)).toContain("choices")
    }))
})
