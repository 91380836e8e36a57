/**
 * The error-budget guard under concurrency (R8): requests already on the wire may still fail, so from a bucket's
 * first request on, at most `limit − margin − failures` of its requests are unresolved at once, and the server can
 * never count more failures than the guard's line however many calls run together.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as LimiterStore from "../src/LimiterStore.js"
import * as Pipeline from "../src/Pipeline.js"

/**
 * A server that answers every request `status` after `delayMs` — or, with `"held"`, only once `release` is called —
 * counting what it received and its peak in flight.
 */
const countingServer = (status: number, delayMs: number | "held") =>
  Effect.acquireRelease(
    Effect.async<{
      readonly server: http.Server
      readonly stats: { received: number; inFlight: number; peak: number }
      readonly release: () => void
    }>(
      (resume) => {
        const stats = { received: 0, inFlight: 0, peak: 0 }
        let release = () => {}
        const released = new Promise<void>((resolve) => release = resolve)
        const server = http.createServer((_, res) => {
          stats.received++
          stats.inFlight++
          stats.peak = Math.max(stats.peak, stats.inFlight)
          const answer = () => {
            stats.inFlight--
            res.writeHead(status, { "content-type": "application/json" })
            res.end(JSON.stringify({ error: "Invalid request parameters" }))
          }
          if (delayMs === "held") void released.then(answer)
          else setTimeout(answer, delayMs)
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, stats, release: () => release() })))
      }
    ),
    ({ release, server }) =>
      Effect.async<void>((resume) => {
        release()
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

const provider: Pipeline.Provider<{ readonly _tag: "Plain"; readonly status: number }> = {
  name: "test",
  decodeError: (r) => ({ error: { _tag: "Plain", status: r.status }, ignoredHeaders: [] }),
  classify: () => ({ retryClass: "never" }),
  logLevel: () => "-",
  errorBudget: { limit: 50, window: Duration.seconds(30) }
}

const call = (url: string): Pipeline.Call<unknown, { readonly _tag: "Plain"; readonly status: number }, never> => ({
  operation: "budget",
  request: HttpClientRequest.post(url),
  authorize: (request) => Effect.succeed(request),
  onSuccess: () => Effect.void,
  retry: Schedule.stop,
  timeout: Duration.seconds(10),
  maxWait: Duration.seconds(60),
  budgetBucket: "key:model:-"
})

type Plain = { readonly _tag: "Plain"; readonly status: number }

/** A counting server answering `status` after `delayMs`, and `run`: one call to it through a fresh store. */
const fixture = (status: number, delayMs: number | "held") =>
  Effect.gen(function*() {
    const { release, server, stats } = yield* countingServer(status, delayMs)
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const client = yield* HttpClient.HttpClient
    const store = LimiterStore.makeMemory()
    const run = (overrides: Partial<Pipeline.Call<unknown, Plain, never>> = {}) =>
      Pipeline.runWith(client, store, provider, { ...call(url), ...overrides })
    const all = <A, E>(n: number, effect: Effect.Effect<A, E>) =>
      Effect.all(Array.from({ length: n }, () => effect), { concurrency: "unbounded" })
    return { stats, run, all, release, unresolved: store.slotsInUse("unresolved:key:model:-", Date.now()) }
  })

describe("Pipeline error-budget guard under concurrency", () => {
  it.scopedLive("after a first failure, 100 concurrent failing calls: the server counts 48 failures, never more", () =>
    Effect.gen(function*() {
      const { all, run, stats, unresolved } = yield* fixture(400, 20)
      expect(yield* Effect.flip(run())).toMatchObject({ _tag: "Plain", status: 400 })
      const tags = (yield* all(100, Effect.flip(run()))).map((e) => e._tag)
      expect(stats.received).toBe(48) // 50 − the margin of 2: the server's lockout (> 50) is never reached
      expect(stats.peak).toBeLessThanOrEqual(47) // 50 − 2 − the 1 failure already counted
      expect(tags.filter((t) => t === "Plain")).toHaveLength(47)
      expect(tags.filter((t) => t === "ErrorBudgetExhaustedError")).toHaveLength(53)
      expect(yield* unresolved).toBe(0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("a fresh bucket: 100 concurrent failing calls — the server counts 48 failures, never more (issue 13 #9)", () =>
    Effect.gen(function*() {
      const { all, run, stats, unresolved } = yield* fixture(400, 20)
      const tags = (yield* all(100, Effect.flip(run()))).map((e) => e._tag)
      expect(stats.received).toBe(48)
      expect(stats.peak).toBeLessThanOrEqual(48)
      expect(tags.filter((t) => t === "Plain")).toHaveLength(48)
      expect(tags.filter((t) => t === "ErrorBudgetExhaustedError")).toHaveLength(52)
      expect(yield* unresolved).toBe(0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("a bucket without failures: every call succeeds, at most 48 unresolved at once", () =>
    Effect.gen(function*() {
      const { all, run, stats, unresolved } = yield* fixture(200, 50)
      yield* all(100, run())
      expect(stats.received).toBe(100)
      expect(stats.peak).toBeLessThanOrEqual(48)
      expect(yield* unresolved).toBe(0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  // The 48 requests that took the slots are held by the server until every other call has failed: no slot frees up
  // while the others wait, however slowly a loaded machine runs them (no race between the server's answers and the
  // waits' deadline).
  it.scopedLive("a slot wait longer than maxWait fails typed (L1)", () =>
    Effect.gen(function*() {
      const { release, run, stats, unresolved } = yield* fixture(200, "held")
      const refused = yield* Ref.make(0)
      const fiber = yield* Effect.fork(Effect.all(
        Array.from({ length: 60 }, () =>
          // the held requests outlast any attempt timeout the loaded machine could reach before the release
          run({ maxWait: Duration.millis(100), timeout: Duration.minutes(5) }).pipe(
            Effect.either,
            Effect.tap((e) => e._tag === "Left" ? Ref.update(refused, (n) => n + 1) : Effect.void)
          )),
        { concurrency: "unbounded" }
      ))
      while ((yield* Ref.get(refused)) < 12 || stats.received < 48) yield* Effect.sleep(Duration.millis(10))
      release()
      const exits = yield* Fiber.join(fiber)
      expect(stats.received).toBe(48)
      expect(exits.flatMap((e) => (e._tag === "Left" ? [e.left._tag] : []))).toEqual(
        Array.from({ length: 12 }, () => "WaitTooLongError")
      )
      expect(yield* unresolved).toBe(0)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})
