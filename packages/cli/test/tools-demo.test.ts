/**
 * `venice chat --tools-demo`, run as the built command: the question goes through `@effect/ai` on the embedded
 * emulator — a tool call resolved over two rounds, then a structured answer — even when `VENICE_API_KEY` is set.
 */
import { describe, expect, it } from "@effect/vitest"
import { run } from "./support.js"

describe("venice chat --tools-demo", () => {
  it("shows the tool call, its result, the final answer and the structured answer; exit 0", async () => {
    const r = await run(["chat", "--tools-demo", "Weather in Oslo?"], { env: { VENICE_API_KEY: "never-used" } })
    expect(r.code).toBe(0)
    expect(r.stdout.split("\n").slice(0, 6)).toEqual([
      "@effect/ai over the SDK's client (VeniceLanguageModel, venice-uncensored)",
      "? Weather in Oslo?",
      "→ tool call GetWeather({\"city\":\"city\",\"unit\":\"celsius\"})",
      "← GetWeather returned {\"city\":\"city\",\"temperature\":21,\"sky\":\"clear\"}",
      expect.stringMatching(/^= GetWeather returned \{.*\}\. \(stop, \d+ tokens\)$/),
      "structured answer (generateObject, Schema Forecast): {\"city\":\"city\",\"temperature\":1,\"advice\":\"advice\"}"
    ])
    expect(r.stderr).toMatch(/using the embedded Venice emulator/)
  })

  it("--json: only the summary, as JSON on stdout", async () => {
    const r = await run(["chat", "--tools-demo", "--json", "Weather in Oslo?"], {
      env: { VENICE_API_KEY: "never-used" }
    })
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toEqual({
      toolCalls: 1,
      answer: expect.stringMatching(/^GetWeather returned \{.*\}\.$/),
      forecast: { city: "city", temperature: 1, advice: "advice" }
    })
  })
})
