import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Metric from "effect/Metric"
import type * as MetricState from "effect/MetricState"
import * as Schedule from "effect/Schedule"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as LimiterStore from "../src/LimiterStore.js"
import * as Pipeline from "../src/Pipeline.js"

/** A server that answers 200 with the headers and half a JSON body, then never finishes. */
const stallingServer = Effect.acquireRelease(
  Effect.async<http.Server>((resume) => {
    const server = http.createServer((_, res) => {
      res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
      res.write("{\"partial\":")
    })
    server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
  }),
  (server) =>
    Effect.async<void>((resume) => {
      server.closeAllConnections()
      server.close(() => resume(Effect.void))
    })
)

type Plain = { readonly _tag: "Plain"; readonly status: number }

const provider: Pipeline.Provider<Plain> = {
  name: "test",
  decodeError: (r) => ({ error: { _tag: "Plain", status: r.status }, ignoredHeaders: [] }),
  classify: () => ({ retryClass: "never" }),
  logLevel: () => "-"
}

/** A JSON call to the stalling server with the given attempt timeout, never retried. */
const stallCall = (url: string, timeout: Duration.Duration): Pipeline.Call<unknown, Plain, never> => ({
  operation: "stall",
  request: HttpClientRequest.get(url),
  authorize: (request) => Effect.succeed(request),
  onSuccess: (response, facts) =>
    Pipeline.decodeJsonBody("test", "stall", response, facts, (u) => ({ _tag: "Right" as const, right: u })),
  retry: Schedule.stop,
  timeout,
  maxWait: Duration.seconds(60)
})

describe("Pipeline", () => {
  it.scopedLive("the attempt timeout also bounds a body that stalls after the headers (B1)", () =>
    Effect.gen(function*() {
      const server = yield* stallingServer
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      const client = yield* HttpClient.HttpClient
      const call = stallCall(url, Duration.millis(300))
      const error = yield* Effect.flip(Pipeline.runWith(client, LimiterStore.makeMemory(), provider, call))
      // the body phase's timeout (the headers came at once); without the bound the test would hang
      expect(error).toMatchObject({
        _tag: "TransportError",
        reason: "timeout",
        message: expect.stringContaining("response body incomplete within the attempt timeout of 300ms")
      })
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("interrupting a call in its exchange (live clock: the timer path) ends it and lets the socket go (R12)", () =>
    Effect.gen(function*() {
      const server = yield* stallingServer
      const closed = yield* Deferred.make<void>()
      server.prependListener(
        "request",
        (req: http.IncomingMessage) => req.socket.on("close", () => Deferred.unsafeDone(closed, Effect.void))
      )
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      const client = yield* HttpClient.HttpClient
      const fiber = yield* Effect.fork(
        Pipeline.runWith(client, LimiterStore.makeMemory(), provider, stallCall(url, Duration.minutes(10)))
      )
      yield* Effect.sleep("200 millis")
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      yield* Deferred.await(closed) // the socket is let go, not kept for the 10 minutes of the timeout
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

/** A server that answers the first `failures` requests 503, the rest 200 `{}`. */
const flakyServer = (failures: number) =>
  Effect.acquireRelease(
    Effect.async<http.Server>((resume) => {
      let seen = 0
      const server = http.createServer((_, res) => {
        const status = seen++ < failures ? 503 : 200
        res.writeHead(status, { "content-type": "application/json" })
        res.end("{}")
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** The value of the counter named `name` whose tags include every one of `tags` (0 when there is none yet). */
const counterValue = (name: string, tags: Record<string, string>) =>
  Effect.map(Metric.snapshot, (pairs) => {
    const pair = pairs.find((p) =>
      p.metricKey.name === name &&
      Object.entries(tags).every(([k, v]) => p.metricKey.tags.some((t) => t.key === k && t.value === v))
    )
    return pair === undefined ? 0 : Number((pair.metricState as MetricState.MetricState.Counter<number>).count)
  })

describe("Pipeline metrics", () => {
  it.scopedLive("attempts, retries and waits are counted, tagged with the provider (and the retry class)", () =>
    Effect.gen(function*() {
      const server = yield* flakyServer(2)
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
      const client = yield* HttpClient.HttpClient
      const name = `metrics-${Math.random().toString(36).slice(2)}` // a provider of its own: counters start at 0
      const flaky: Pipeline.Provider<{ readonly _tag: "Plain"; readonly status: number }> = {
        ...provider,
        name,
        classify: () => ({ retryClass: "backoff" })
      }
      const value = yield* Pipeline.runWith(client, LimiterStore.makeMemory(), flaky, {
        operation: "flaky",
        request: HttpClientRequest.get(url),
        authorize: (request) => Effect.succeed(request),
        onSuccess: () => Effect.succeed("ok"),
        retry: Schedule.addDelay(Schedule.recurs(3), () => Duration.millis(10)),
        timeout: Duration.seconds(5),
        maxWait: Duration.seconds(60)
      })
      expect(value).toBe("ok")
      expect(yield* counterValue("venice_effect_attempts_total", { provider: name })).toBe(3)
      expect(yield* counterValue("venice_effect_retries_total", { provider: name, class: "backoff" })).toBe(2)
      expect(yield* counterValue("venice_effect_retry_wait_seconds_total", { provider: name })).toBeCloseTo(0.02, 5)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
