import { describe, expect, it } from "@effect/vitest"
import * as Responses from "@venice-effect/venice/schema/Responses"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

const minimal = { model: "zai-org-glm-5-1", input: "Explain why the sky is blue in one paragraph." }

describe("Responses.ResponsesRequest", () => {
  it.effect("decodes the skills' request shapes", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Responses.ResponsesRequest)({
        model: "zai-org-glm-5-1",
        input: [
          { role: "system", content: "Be brief." },
          {
            type: "message",
            role: "user",
            content: [
              { type: "input_text", text: "What is this?" },
              { type: "input_image", image_url: "https://example.com/a.png", detail: "low" },
              { type: "input_image", image_url: { url: "https://example.com/b.png", detail: "high" } }
            ]
          },
          {
            role: "user",
            content: [{ type: "text", text: "chat style" }, { type: "image_url", image_url: "https://x" }]
          },
          { type: "reasoning", id: "rs_1", summary: ["considered"] },
          { type: "function_call", call_id: "call_abc", name: "get_weather", arguments: "{\"city\":\"Paris\"}" },
          { type: "function_call_output", call_id: "call_abc", output: { temp: 21 } },
          { type: "item_reference", id: "msg_1" }
        ],
        max_output_tokens: 512,
        reasoning: { effort: "none", enabled: false },
        tools: [
          { type: "function", function: { name: "get_weather", parameters: { type: "object" } } },
          { type: "function", name: "flat_style", parameters: { type: "object" } },
          { type: "web_search", search_context_size: "low" },
          { type: "x_search", allowed_x_handles: ["venice"] },
          { type: "code_interpreter", container: { image: "python" } }
        ],
        tool_choice: { type: "function", function: { name: "get_weather" } },
        venice_parameters: { character_slug: "alan-watts", enable_web_search: "auto" },
        anon_user_id: "u-1",
        instructions: "accepted by Venice but never reaches inference; dropped here"
      })
    }))

  it.effect("missing model and input", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Responses.ResponsesRequest, {})
      expect(issues).toEqual(
        expect.arrayContaining([{ path: "model", message: "is missing" }, { path: "input", message: "is missing" }])
      )
    }))

  it.effect("temperature and max_output_tokens out of range", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Responses.ResponsesRequest, {
        ...minimal,
        temperature: 2.5,
        top_p: -0.1,
        max_output_tokens: 0
      })
      expect(paths(issues)).toEqual(expect.arrayContaining(["temperature", "top_p", "max_output_tokens"]))
    }))

  it.effect("the flat tool_choice form fails (as on Venice)", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Responses.ResponsesRequest, {
        ...minimal,
        tool_choice: { type: "function", name: "get_weather" }
      })
      expect(paths(issues)).toContain("tool_choice.function")
    }))

  it.effect("a function tool without a name does not slip through as an unknown tool", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Responses.ResponsesRequest, { ...minimal, tools: [{ type: "function" }] })
      expect(paths(issues).some((path) => path.startsWith("tools.0"))).toBe(true)
    }))

  it.effect("more than 10 fallbacks", () =>
    Effect.gen(function*() {
      const fallbacks = Array.from({ length: 11 }, (_, i) => ({ model: `m${i}` }))
      const issues = yield* decodeIssues(Responses.ResponsesRequest, { ...minimal, fallbacks })
      expect(paths(issues)).toContain("fallbacks")
    }))
})

/** The response example of venice-responses/SKILL.md. */
const skillResponse = {
  id: "resp_chatcmpl-abc123",
  object: "response",
  created_at: 1735689600,
  model: "zai-org-glm-5-1",
  status: "completed",
  output: [
    { type: "reasoning", id: "rs_1", summary: ["I considered Rayleigh scattering..."] },
    { type: "web_search_call", id: "ws_1", status: "completed" },
    {
      type: "function_call",
      id: "fc_1",
      call_id: "call_abc",
      name: "get_weather",
      arguments: "{\"city\":\"Paris\"}",
      status: "completed"
    },
    {
      type: "message",
      id: "msg_1",
      status: "completed",
      role: "assistant",
      content: [{
        type: "output_text",
        text: "The sky is blue because... ^1^",
        annotations: [{
          type: "url_citation",
          url: "https://example.com/rayleigh",
          title: "Rayleigh scattering",
          start_index: 27,
          end_index: 30
        }]
      }]
    }
  ],
  usage: {
    input_tokens: 20,
    input_tokens_details: { cached_tokens: 8 },
    output_tokens: 80,
    output_tokens_details: { reasoning_tokens: 40 },
    total_tokens: 100
  }
}

describe("Responses.ResponsesResponse", () => {
  it.effect("decodes the skills' example", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(Responses.ResponsesResponse)(skillResponse)
      expect(response.output.map((item) => item.type)).toEqual([
        "reasoning",
        "web_search_call",
        "function_call",
        "message"
      ])
      expect(response.outputText).toBe("The sky is blue because... ^1^")
    }))

  it.effect("decodes an incomplete response (status and incomplete_details are skills-only)", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(Responses.ResponsesResponse)({
        ...skillResponse,
        status: "incomplete",
        incomplete_details: { reason: "max_output_tokens" },
        output: [{ type: "message", id: "msg_1", status: "incomplete", role: "assistant", content: [] }]
      })
      expect(response.incomplete_details?.reason).toBe("max_output_tokens")
    }))

  it.effect("keeps an output item of an unknown type", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(Responses.ResponsesResponse)({
        ...skillResponse,
        output: [{ type: "x_search_call", id: "xs_1", status: "completed", query: "venice" }]
      })
      expect(response.output[0]).toEqual({ type: "x_search_call", id: "xs_1", status: "completed", query: "venice" })
    }))

  it.effect("a malformed known item is an error, not an unknown item", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Responses.ResponsesResponse, {
        ...skillResponse,
        output: [{ type: "function_call", id: "fc_1", name: "f" }]
      })
      expect(paths(issues)).toEqual(expect.arrayContaining(["output.0.call_id", "output.0.arguments"]))
    }))
})

describe("Responses streaming", () => {
  const inProgress = { ...skillResponse, status: "in_progress", output: [], usage: undefined }
  const { usage: _usage, ...created } = inProgress

  it.effect("decodes the typical flow of events", () =>
    Effect.gen(function*() {
      const decode = Schema.decodeUnknown(Responses.ResponseStreamEvent)
      const events = yield* Effect.all([
        decode({ type: "response.created", sequence_number: 0, response: created }),
        decode({
          type: "web_search_call",
          id: "ws_1",
          status: "completed",
          results: [{ index: 1, url: "https://example.com", title: "t", snippet: "s" }]
        }),
        decode({
          type: "response.output_item.added",
          sequence_number: 1,
          output_index: 0,
          item: { type: "reasoning", id: "rs_1", summary: [] }
        }),
        decode({ type: "response.reasoning.delta", sequence_number: 2, item_id: "rs_1", output_index: 0, delta: "hm" }),
        decode({
          type: "response.output_item.added",
          sequence_number: 3,
          output_index: 1,
          item: { type: "message", id: "msg_1", status: "in_progress", role: "assistant", content: [] }
        }),
        decode({
          type: "response.content_part.added",
          sequence_number: 4,
          item_id: "msg_1",
          output_index: 1,
          content_index: 0,
          part: { type: "output_text", text: "", annotations: [] }
        }),
        decode({
          type: "response.output_text.delta",
          sequence_number: 5,
          item_id: "msg_1",
          output_index: 1,
          content_index: 0,
          delta: "The sky"
        }),
        decode({
          type: "response.function_call_arguments.delta",
          sequence_number: 6,
          item_id: "fc_1",
          output_index: 2,
          delta: "{\"city\""
        }),
        decode({ type: "response.completed", sequence_number: 7, response: skillResponse })
      ])
      expect(events.map((event) => event.type)).toEqual([
        "response.created",
        "web_search_call",
        "response.output_item.added",
        "response.reasoning.delta",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.function_call_arguments.delta",
        "response.completed"
      ])
      const last = events[events.length - 1]
      expect(last !== undefined && Responses.isTerminalEvent(last)).toBe(true)
    }))

  it.effect("decodes response.failed with its error", () =>
    Effect.gen(function*() {
      const event = yield* Schema.decodeUnknown(Responses.ResponseStreamEvent)({
        type: "response.failed",
        sequence_number: 3,
        response: { ...created, status: "failed", error: { code: "upstream_error", message: "boom" } }
      })
      expect(event.type === "response.failed" && "response" in event ? event.response : undefined).toMatchObject({
        status: "failed",
        error: { code: "upstream_error" }
      })
    }))

  it.effect("an unknown event type decodes (kept as received)", () =>
    Effect.gen(function*() {
      const event = yield* Schema.decodeUnknown(Responses.ResponseStreamEvent)({
        type: "response.reasoning_summary_text.delta",
        delta: "x"
      })
      expect(event).toEqual({ type: "response.reasoning_summary_text.delta", delta: "x" })
    }))

  it.effect("a known event missing its payload fails", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Responses.ResponseStreamEvent, { type: "response.output_text.delta" })
      expect(paths(issues)).toContain("delta")
    }))
})
