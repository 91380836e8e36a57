/**
 * (c) The hand-written baseline: `fetch` + `eventsource-parser` 3.1 + `JSON.parse`, stopping at `[DONE]` and failing on
 * an error payload — what a careful developer writes without an SDK.
 */
import { createParser } from "eventsource-parser"
import { consume, type Setup } from "./sink.js"

export const setup: Setup = async (port) => async (workload) => {
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer bench" },
    body: JSON.stringify({ model: workload, messages: [{ role: "user", content: "hi" }], stream: true })
  })
  if (!res.ok || res.body === null) return { events: 0, outcome: "unexpected", detail: `status ${res.status}` }
  let events = 0
  let done = false
  let failure: unknown
  const parser = createParser({
    onEvent(event) {
      if (done || failure !== undefined) return
      if (event.data === "[DONE]") {
        done = true
        return
      }
      const json = JSON.parse(event.data) as { readonly error?: unknown }
      if (json.error != null) {
        failure = json.error
        return
      }
      events++
      consume(json)
    }
  })
  const reader = res.body.getReader()
  const decoder = new TextDecoder()
  for (;;) {
    const { value, done: eof } = await reader.read()
    if (eof) break
    parser.feed(decoder.decode(value, { stream: true }))
    if (done || failure !== undefined) {
      await reader.cancel()
      break
    }
  }
  if (failure !== undefined) return { events, outcome: "error" }
  return done ? { events, outcome: "done" } : { events, outcome: "unexpected", detail: "no [DONE]" }
}
