import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as LimiterStore from "../src/LimiterStore.js"
import * as Pipeline from "../src/Pipeline.js"

/** A server that answers 200 with the headers and half a JSON body, then never finishes. */
const stallingServer = Effect.acquireRelease(
  Effect.async<http.Server>((resume) => {
    const server = http.createServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
      res.write('{"partial":')
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) => Effect.async<void>((resume) => { server.closeAllConnections(); server.close(() => resume(Effect.void)) })
)

const provider: Pipeline.Provider<{ readonly _tag: "Plain"; readonly status: number }> = {
  name: "test",
  decodeError: (r) => ({ error: { _tag: "Plain", status: r.status }, ignoredHeaders: [] }),
  classify: () => ({ retryClass: "never" }),
  logLevel: () => "-"
}

describe("Pipeline", () => {
  it.scopedLive("the attempt timeout also bounds a body that stalls after the headers (SPEC B1)", () =>
    Effect.gen(function*() {
      const server = yield* stallingServer
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      const client = yield* HttpClient.HttpClient
      const started = Date.now()
      const error = yield* Pipeline.runWith(client, LimiterStore.makeMemory(), provider, {
        operation: "stall",
        request: HttpClientRequest.get(url),
        authorize: (request) => Effect.succeed(request),
        onSuccess: (response, facts) =>
          Pipeline.decodeJsonBody("test", "stall", response, facts, (u) => ({ _tag: "Right" as const, right: u })),
        retry: Schedule.stop,
        timeout: Duration.millis(300),
        maxWait: Duration.seconds(60)
      }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "TransportError", reason: "timeout" })
      expect(Date.now() - started).toBeLessThan(5000)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
