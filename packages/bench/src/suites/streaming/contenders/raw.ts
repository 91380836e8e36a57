/**
 * (d) The ceiling: the raw body bytes of the same route, read and dropped — with `fetch` (web stream) and with
 * `undici.request` (the transport under `NodeHttpClient.layerUndici`).
 */
import * as undici from "undici"
import type { Setup } from "./sink.js"

const body = (workload: string) =>
  JSON.stringify({ model: workload, messages: [{ role: "user", content: "hi" }], stream: true })

export const fetchSetup: Setup = async (port) => async (workload) => {
  const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: body(workload)
  })
  if (res.body === null) return { events: 0, outcome: "unexpected" }
  const reader = res.body.getReader()
  let bytes = 0
  for (;;) {
    const { value, done } = await reader.read()
    if (done) break
    bytes += value.byteLength
  }
  return { events: 0, outcome: "done", detail: String(bytes) }
}

export const undiciSetup: Setup = async (port) => {
  const agent = new undici.Agent()
  return async (workload) => {
    const res = await agent.request({
      origin: `http://127.0.0.1:${port}`,
      path: "/v1/chat/completions",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body(workload)
    })
    let bytes = 0
    for await (const chunk of res.body) bytes += (chunk as Uint8Array).byteLength
    return { events: 0, outcome: "done", detail: String(bytes) }
  }
}
