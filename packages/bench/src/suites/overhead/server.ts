/**
 * The overhead suite's loopback server, in a child process: `POST …/chat/completions` reads the request body and
 * answers a canned non-streaming chat completion (the shape Venice sends, with its usual headers: version, CF-RAY,
 * request limits far from exhausted, the error budget untouched, balances). Anything else is a 404.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"

const completion = Buffer.from(JSON.stringify({
  id: "chatcmpl-0123456789abcdef0123456789abc",
  object: "chat.completion",
  created: 1_763_800_000,
  model: "venice-uncensored",
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content: "Hello! How can I help you today?",
      reasoning_content: null,
      tool_calls: []
    },
    finish_reason: "stop",
    logprobs: null,
    stop_reason: null
  }],
  usage: { prompt_tokens: 9, completion_tokens: 10, total_tokens: 19, prompt_tokens_details: null },
  venice_parameters: {
    enable_e2ee: false,
    enable_web_search: "off",
    enable_web_citations: false,
    enable_web_scraping: false,
    include_venice_system_prompt: true,
    include_search_results_in_stream: false,
    return_search_results_as_documents: false,
    strip_thinking_response: false,
    disable_thinking: false,
    enable_x_search: false,
    web_search_citations: []
  }
}))

let seq = 0
const server = http.createServer((req, res) => {
  if (req.method !== "POST" || !(req.url ?? "").endsWith("/chat/completions")) {
    res.writeHead(404)
    res.end()
    return
  }
  req.on("data", () => {})
  req.on("end", () => {
    const now = Date.now()
    res.writeHead(200, {
      "content-type": "application/json",
      "content-length": String(completion.length),
      "x-venice-version": "20260821.193530",
      "cf-ray": `8f${(++seq).toString(16).padStart(14, "0")}-SJC`,
      "x-request-id": `req-${seq}`,
      "x-ratelimit-limit-requests": "1000000",
      "x-ratelimit-remaining-requests": "999999",
      "x-ratelimit-reset-requests": String(now + 60_000),
      "x-ratelimit-limit-tokens": "1000000000",
      "x-ratelimit-remaining-tokens": "999999000",
      "x-ratelimit-reset-tokens": String(now + 60_000),
      "x-ratelimit-remaining": "50",
      "x-ratelimit-resets": String(now + 30_000),
      "x-venice-balance-usd": "99.9900",
      "x-venice-balance-diem": "0.0000"
    })
    res.end(completion)
  })
})
server.keepAliveTimeout = 60_000

process.on("message", (m: unknown) => {
  if ((m as { readonly type?: string }).type === "stop") {
    server.close()
    server.closeAllConnections()
    process.exit(0)
  }
})
process.on("disconnect", () => process.exit(0))

server.listen(0, "127.0.0.1", () => {
  process.send?.({ type: "listening", port: (server.address() as AddressInfo).port })
})
