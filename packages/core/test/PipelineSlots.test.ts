/**
 * Waiting for a slot (X4 in-flight limits, R8 unresolved requests) is not a poll: with the in-memory store an
 * attempt waiting for a slot is sent when the holder gives it back. Under a `TestClock` that never moves, a poll loop
 * (sleep, ask again) would never wake; these calls all complete.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as LimiterStore from "../src/LimiterStore.js"
import * as Pipeline from "../src/Pipeline.js"

type Plain = { readonly _tag: "Plain"; readonly status: number }

/** Answers 200 after `delayMs` of real time, recording the peak of requests in flight. */
const slowServer = (delayMs: number) =>
  Effect.acquireRelease(
    Effect.async<
      { readonly server: http.Server; readonly stats: { inFlight: number; peak: number; received: number } }
    >(
      (resume) => {
        const stats = { inFlight: 0, peak: 0, received: 0 }
        const server = http.createServer((_, res) => {
          stats.received++
          stats.peak = Math.max(stats.peak, ++stats.inFlight)
          setTimeout(() => {
            stats.inFlight--
            res.writeHead(200, { "content-type": "application/json" })
            res.end("{}")
          }, delayMs)
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, stats })))
      }
    ),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const provider: Pipeline.Provider<Plain> = {
  name: "test",
  decodeError: (r) => ({ error: { _tag: "Plain", status: r.status }, ignoredHeaders: [] }),
  classify: () => ({ retryClass: "never" }),
  logLevel: () => "-",
  errorBudget: { limit: 4, window: Duration.seconds(30) }
}

const fixture = Effect.gen(function*() {
  const { server, stats } = yield* slowServer(30)
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const client = yield* HttpClient.HttpClient
  const store = LimiterStore.makeMemory()
  const run = (overrides: Partial<Pipeline.Call<string, Plain, never>>) =>
    Pipeline.runWith(client, store, provider, {
      operation: "slots",
      request: HttpClientRequest.get(url),
      authorize: (request) => Effect.succeed(request),
      onSuccess: () => Effect.succeed("ok"),
      retry: Schedule.stop,
      timeout: Duration.seconds(10),
      maxWait: Duration.seconds(60),
      ...overrides
    })
  const all = (n: number, effect: Effect.Effect<string, unknown>) =>
    Effect.all(Array.from({ length: n }, () => effect), { concurrency: "unbounded" })
  return { all, run, stats, store }
})

describe("Pipeline slot waits", () => {
  it.scoped("an attempt waiting for an in-flight slot is sent when the slot is released (no clock needed)", () =>
    Effect.gen(function*() {
      const { all, run, stats, store } = yield* fixture
      const results = yield* all(6, run({ inFlight: { bucket: "inflight:w", limit: 2 } }))
      expect(results).toEqual(Array.from({ length: 6 }, () => "ok"))
      expect(stats.received).toBe(6)
      expect(stats.peak).toBeLessThanOrEqual(2)
      expect(yield* store.slotsInUse("inflight:w", 0)).toBe(0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scoped("an attempt waiting for an unresolved-request slot of the error budget is sent when one resolves", () =>
    Effect.gen(function*() {
      const { all, run, stats, store } = yield* fixture
      // limit 4, margin 2: two requests of the bucket may be unresolved at once
      const results = yield* all(6, run({ budgetBucket: "key:model:-" }))
      expect(results).toEqual(Array.from({ length: 6 }, () => "ok"))
      expect(stats.peak).toBeLessThanOrEqual(2)
      expect(yield* store.slotsInUse("unresolved:key:model:-", 0)).toBe(0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
