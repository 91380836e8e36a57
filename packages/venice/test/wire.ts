/**
 * Test support for wire-level stream tests: a real loopback HTTP server in this process whose chat route answers
 * with bytes the test scripts (exact SSE framing, malformed events, odd content types), and a `VeniceClient` on it.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as VeniceClient from "../src/VeniceClient.js"

/** What the route does with one request: write a response. `attempt` counts from 1. */
export type Script = (res: http.ServerResponse, attempt: number, body: unknown) => void | Promise<void>

export interface Wire {
  readonly baseUrl: string
  readonly attempts: () => number
  readonly openConnections: () => number
}

/** Starts the server for the scope. */
export const serve = (script: Script): Effect.Effect<Wire, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.async<{ wire: Wire; server: http.Server }>((resume) => {
      let attempts = 0
      let open = 0
      const server = http.createServer((req, res) => {
        const parts: Array<Buffer> = []
        req.on("data", (c: Buffer) => parts.push(c))
        req.on("end", () => {
          attempts++
          let body: unknown
          try {
            body = JSON.parse(Buffer.concat(parts).toString("utf8"))
          } catch {
            body = undefined
          }
          Promise.resolve(script(res, attempts, body)).catch(() => res.destroy())
        })
      })
      server.on("connection", (socket) => {
        open++
        socket.once("close", () => open--)
      })
      server.listen(0, "127.0.0.1", () => {
        const port = (server.address() as AddressInfo).port
        resume(Effect.succeed({
          server,
          wire: { baseUrl: `http://127.0.0.1:${port}/v1`, attempts: () => attempts, openConnections: () => open }
        }))
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  ).pipe(Effect.map(({ wire }) => wire))

/** A client on the wire server (fast retries: 3 × 1 ms). */
export const client = (wire: Wire): Layer.Layer<VeniceClient.VeniceClient, never> =>
  VeniceClient.layer({
    apiKey: Redacted.make("wire-test-key"),
    baseUrl: wire.baseUrl,
    retry: RetryPolicy.make({ maxRetries: 3, base: "1 millis", cap: "2 millis" }),
    pacing: false
  }).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.orDie)

/** Writes SSE text in the given pieces (each a separate write, with a pause so they arrive apart), then ends. */
export const writeSse = async (res: http.ServerResponse, pieces: ReadonlyArray<string | Uint8Array>, end = true) => {
  res.writeHead(200, { "content-type": "text/event-stream", "x-request-id": "req-wire" })
  for (const piece of pieces) {
    res.write(piece)
    await new Promise((r) => setTimeout(r, 1))
  }
  if (end) res.end()
}

/** A chat chunk's JSON with `content`. */
export const chunk = (content: string, extra: Record<string, unknown> = {}): string =>
  JSON.stringify({
    id: "chatcmpl-w",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
    ...extra
  })
