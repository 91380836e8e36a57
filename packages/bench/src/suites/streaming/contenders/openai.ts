/**
 * (b) The `openai` npm client's stream iterator (`for await (const chunk of stream)`).
 */
import OpenAI from "openai"
import { consume, type Setup } from "./sink.js"

export const setup: Setup = async (port) => {
  const client = new OpenAI({
    apiKey: "bench",
    baseURL: `http://127.0.0.1:${port}/v1`,
    maxRetries: 0,
    timeout: 600_000
  })
  return async (workload) => {
    let events = 0
    try {
      const stream = await client.chat.completions.create({
        model: workload,
        messages: [{ role: "user", content: "hi" }],
        stream: true
      })
      for await (const chunk of stream) {
        events++
        consume(chunk)
      }
      return { events, outcome: "done" }
    } catch (error) {
      return error instanceof OpenAI.APIError
        ? { events, outcome: "error" }
        : { events, outcome: "unexpected", detail: String(error) }
    }
  }
}
