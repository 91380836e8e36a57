/**
 * What the 2026-12 mutation run of the pipeline (`Pipeline.ts`, `internal/pipeline/{retry,guard,pacing}.ts`,
 * docs/testing.md "Mutation testing") found unchecked, over loopback HTTP with a provider of the test's own:
 *
 * - R9: a call that may not be re-sent stops after a transport failure that may have reached the server, and is still
 *   retried after one that cannot have (a refused connection) or after an error answer;
 * - L3: which limit facts are recorded — a window of limit 1 is, one of limit 0 or past the pacing horizon is not; the
 *   server's budget view within twice the budget window is, past it (or without a budget) is not; a wait announced
 *   by anything but a 429 closes no pacing bucket;
 * - R8: the guard's refusal says how long until the window resets, and why;
 * - `Pipeline.run` takes the client and store from the context;
 * - R9's gate reads the client's own transport failure only, not a provider error that has a `maybeDelivered` field;
 * - the attempt timeout (`internal/pipeline/timeout.ts`): virtual time under the TestClock; under the live clock a
 *   plain timer, cleared however the attempt ends, the attempt interrupted before the caller's own release runs, an
 *   attempt that interrupts itself not read as a timeout, a bound past what `setTimeout` takes (about 24.8 days)
 *   clamped rather than firing at once.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import type * as ClientError from "../src/ClientError.js"
import * as Timeout from "../src/internal/pipeline/timeout.js"
import * as LimiterStore from "../src/LimiterStore.js"
import * as Pipeline from "../src/Pipeline.js"

type Answer = { readonly status: number; readonly headers?: Record<string, string> } | "reset"
/** The provider's own error; `x-mimic` gives it a `maybeDelivered` like the client's transport failures. */
type Plain = {
  readonly _tag: "Plain"
  readonly status: number
  readonly wait?: number
  readonly maybeDelivered?: boolean
}

/** A server answering each request with the next answer of `script` (then 200s), counting requests. */
const scriptedServer = (script: ReadonlyArray<Answer>) =>
  Effect.acquireRelease(
    Effect.async<{ readonly server: http.Server; readonly received: () => number }>((resume) => {
      let received = 0
      const server = http.createServer((req, res) => {
        const answer = script[received++] ?? { status: 200 }
        req.resume()
        if (answer === "reset") {
          req.socket.destroy()
          return
        }
        res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
        res.end(JSON.stringify(answer.status < 300 ? { ok: true } : { error: "no" }))
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, received: () => received })))
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      })
  )

/** Limit facts from the test's own headers: `x-limit`/`x-remaining`/`x-reset-in` (ms), `x-budget-*`. */
const limits = (headers: Readonly<Record<string, string>>, now: number): Pipeline.LimitFacts => ({
  ...(headers["x-limit"] !== undefined
    ? {
      window: {
        limit: Number(headers["x-limit"]),
        remaining: Number(headers["x-remaining"]),
        resetAt: now + Number(headers["x-reset-in"])
      }
    }
    : {}),
  ...(headers["x-budget-remaining"] !== undefined
    ? {
      budget: {
        remaining: Number(headers["x-budget-remaining"]),
        resetAt: now + Number(headers["x-budget-reset-in"])
      }
    }
    : {})
})

const provider = (errorBudget?: { readonly limit: number; readonly window: Duration.Duration }) =>
  ({
    name: "test",
    decodeError: (r) => ({
      error: {
        _tag: "Plain",
        status: r.status,
        ...(r.headers["retry-after"] !== undefined ? { wait: Number(r.headers["retry-after"]) } : {}),
        ...(r.headers["x-mimic"] !== undefined ? { maybeDelivered: true } : {})
      },
      ignoredHeaders: []
    }),
    classify: (e) =>
      "status" in e && e._tag === "Plain" && e.wait !== undefined
        ? { retryClass: "backoff", announced: Duration.seconds(e.wait) }
        : { retryClass: "backoff" },
    logLevel: () => "-",
    limits,
    ...(errorBudget !== undefined ? { errorBudget } : {})
  }) satisfies Pipeline.Provider<Plain>

const call = (url: string, overrides: Partial<Pipeline.Call<unknown, Plain, never>> = {}) => ({
  operation: "probe",
  request: HttpClientRequest.post(url),
  authorize: (request: HttpClientRequest.HttpClientRequest) => Effect.succeed(request),
  onSuccess: () => Effect.void,
  retry: Schedule.stop,
  timeout: Duration.seconds(10),
  maxWait: Duration.seconds(1),
  pacingBucket: "pace",
  ...overrides
})

const fixture = (
  script: ReadonlyArray<Answer>,
  budget?: { readonly limit: number; readonly window: Duration.Duration }
) =>
  Effect.gen(function*() {
    const { received, server } = yield* scriptedServer(script)
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
    const client = yield* HttpClient.HttpClient
    const store = LimiterStore.makeMemory()
    const run = (overrides: Partial<Pipeline.Call<unknown, Plain, never>> = {}) =>
      Effect.either(Pipeline.runWith(client, store, provider(budget), call(url, overrides)))
    return { received, run, url, store }
  })

const tagOf = (
  e: { readonly _tag: "Left"; readonly left: Plain | ClientError.ClientError } | { readonly _tag: "Right" }
) => e._tag === "Left" ? e.left._tag : "Right"

describe("Pipeline: R9 re-sending (mutation survivors)", () => {
  it.scopedLive("a call that may not be re-sent stops after a reset (it may have arrived)", () =>
    Effect.gen(function*() {
      const { received, run } = yield* fixture(["reset", "reset", "reset"])
      const out = yield* run({ retry: Schedule.recurs(2), resendable: false })
      expect(tagOf(out)).toBe("TransportError")
      expect(received()).toBe(1)
      const again = yield* fixture(["reset"])
      expect(tagOf(yield* again.run({ retry: Schedule.recurs(2) }))).toBe("Right") // resendable by default
      expect(again.received()).toBe(2)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("…but is retried after an error answer, and after a refused connection (nothing was sent)", () =>
    Effect.gen(function*() {
      const { received, run } = yield* fixture([{ status: 503 }, { status: 503 }])
      expect(tagOf(yield* run({ retry: Schedule.recurs(2), resendable: false }))).toBe("Right")
      expect(received()).toBe(3)
      // a port nobody listens on: every attempt is refused, and each is made
      const closed = yield* fixture([])
      const client = yield* HttpClient.HttpClient
      const attempts: Array<number> = []
      const observer = (event: Pipeline.Event) =>
        Effect.sync(() => event._tag === "AttemptStarted" && attempts.push(event.attempt))
      const refused = yield* Effect.either(
        Pipeline.runWith(
          client,
          closed.store,
          provider(),
          call("http://127.0.0.1:9/", { retry: Schedule.recurs(2), resendable: false })
        )
      ).pipe(Effect.provideService(Pipeline.Observer, observer))
      expect(tagOf(refused)).toBe("TransportError")
      expect(attempts).toEqual([1, 2, 3])
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("Pipeline: R9, only the client's own transport failure stops a re-send (mutation survivors)", () => {
  it.scopedLive("a provider error with a maybeDelivered field is still an answer: a non-resendable call retries it", () =>
    Effect.gen(function*() {
      const mimic = { status: 503, headers: { "x-mimic": "1" } }
      const { received, run } = yield* fixture([mimic, mimic])
      const out = yield* run({ retry: Schedule.recurs(2), resendable: false })
      expect(tagOf(out)).toBe("Right")
      expect(received()).toBe(3)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("Pipeline: L3 limit facts (mutation survivors)", () => {
  it.scopedLive("a window of limit 1 with none left is paced on; one of limit 0 is not", () =>
    Effect.gen(function*() {
      const one = yield* fixture([{
        status: 200,
        headers: { "x-limit": "1", "x-remaining": "0", "x-reset-in": "10000" }
      }])
      expect(tagOf(yield* one.run())).toBe("Right")
      const paced = yield* one.run()
      expect(tagOf(paced)).toBe("WaitTooLongError")
      if (paced._tag === "Left" && paced.left._tag === "WaitTooLongError") {
        expect(paced.left.message).toContain("the request window of pace is exhausted")
        expect(Duration.toMillis(paced.left.wait)).toBeGreaterThan(9_000)
        expect(Duration.toMillis(paced.left.wait)).toBeLessThanOrEqual(10_000)
      }
      expect(one.received()).toBe(1)
      const zero = yield* fixture([{
        status: 200,
        headers: { "x-limit": "0", "x-remaining": "0", "x-reset-in": "10000" }
      }])
      expect(tagOf(yield* zero.run())).toBe("Right")
      expect(tagOf(yield* zero.run())).toBe("Right")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("a window resetting exactly at the pacing horizon is kept; one past it is not", () =>
    Effect.gen(function*() {
      const horizon = String(Duration.toMillis(Pipeline.PACING_HORIZON))
      const at = yield* fixture([{
        status: 200,
        headers: { "x-limit": "1", "x-remaining": "0", "x-reset-in": horizon }
      }])
      yield* at.run()
      expect(tagOf(yield* at.run())).toBe("WaitTooLongError")
      const past = String(Duration.toMillis(Pipeline.PACING_HORIZON) + 1)
      const beyond = yield* fixture([{
        status: 200,
        headers: { "x-limit": "1", "x-remaining": "0", "x-reset-in": past }
      }])
      yield* beyond.run()
      expect(tagOf(yield* beyond.run())).toBe("Right")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("the server's budget view is kept within twice the budget window, not past it, not without a budget", () =>
    Effect.gen(function*() {
      const budget = { limit: 5, window: Duration.seconds(30) }
      const spent = (resetIn: number) => ({
        status: 200,
        headers: { "x-budget-remaining": "0", "x-budget-reset-in": String(resetIn) }
      })
      const within = yield* fixture([spent(60_000)], budget)
      yield* within.run({ budgetBucket: "b" })
      const refused = yield* within.run({ budgetBucket: "b" })
      expect(tagOf(refused)).toBe("ErrorBudgetExhaustedError")
      if (refused._tag === "Left" && refused.left._tag === "ErrorBudgetExhaustedError") {
        expect(refused.left.failures).toBe(5)
        expect(refused.left.message).toContain("not sent — 5 failed requests in this bucket")
        expect(Duration.toMillis(refused.left.resetIn)).toBeGreaterThan(50_000)
        expect(Duration.toMillis(refused.left.resetIn)).toBeLessThanOrEqual(60_000)
      }
      const past = yield* fixture([spent(60_001)], budget)
      yield* past.run({ budgetBucket: "b" })
      expect(tagOf(yield* past.run({ budgetBucket: "b" }))).toBe("Right")
      const noBudget = yield* fixture([spent(10_000)])
      expect(tagOf(yield* noBudget.run({ budgetBucket: "b" }))).toBe("Right")
      expect(tagOf(yield* noBudget.run({ budgetBucket: "b" }))).toBe("Right")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))

  it.scopedLive("a wait announced by a 503 closes no pacing bucket; one announced by a 429 does", () =>
    Effect.gen(function*() {
      const unavailable = yield* fixture([{ status: 503, headers: { "retry-after": "10" } }])
      const patient = { maxWait: Duration.seconds(30) }
      expect(tagOf(yield* unavailable.run(patient))).toBe("Plain")
      expect(tagOf(yield* unavailable.run())).toBe("Right")
      const limited = yield* fixture([{ status: 429, headers: { "retry-after": "10" } }])
      expect(tagOf(yield* limited.run(patient))).toBe("Plain")
      expect(tagOf(yield* limited.run())).toBe("WaitTooLongError")
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

describe("Pipeline.run (mutation survivors)", () => {
  it.scopedLive("takes the HTTP client and the limiter store from the context", () =>
    Effect.gen(function*() {
      const { received, url } = yield* fixture([{
        status: 200,
        headers: { "x-limit": "1", "x-remaining": "0", "x-reset-in": "10000" }
      }])
      const run = Effect.either(Pipeline.run(provider(), call(url)))
      const store = Layer.succeed(LimiterStore.LimiterStore, LimiterStore.makeMemory())
      const both = yield* Effect.all([run, run]).pipe(Effect.provide(store))
      expect(both.map(tagOf)).toEqual(["Right", "WaitTooLongError"])
      expect(received()).toBe(1)
    }).pipe(Effect.provide(NodeHttpClient.layerUndici)))
})

/** The `setTimeout` handles alive in this thread (the live attempt timer is one while an attempt runs). */
const timers = Effect.sync(() => process.getActiveResourcesInfo().filter((resource) => resource === "Timeout").length)

describe("the attempt timeout (mutation survivors)", () => {
  it.live("an attempt that ends, succeeding or failing, clears its timer", () =>
    Effect.gen(function*() {
      const before = yield* timers
      expect(yield* Timeout.within(Effect.succeed(1), Duration.hours(1), () => "timeout")).toBe(1)
      expect(yield* timers).toBeLessThanOrEqual(before) // (another test's timer may have gone meanwhile)
      expect(yield* Effect.flip(Timeout.within(Effect.fail("boom"), Duration.hours(1), () => "timeout"))).toBe("boom")
      expect(yield* timers).toBeLessThanOrEqual(before)
    }))

  it.live("interrupting the caller interrupts the attempt before the caller's own release runs, and clears the timer", () =>
    Effect.gen(function*() {
      const before = yield* timers
      const released: Array<string> = []
      // the attempt's release takes a moment (closing a socket); what the caller releases next (a slot) comes after it
      const attempt = Effect.never.pipe(
        Effect.onInterrupt(() => Effect.delay(Effect.sync(() => void released.push("attempt")), "10 millis"))
      )
      const fiber = yield* Effect.fork(
        Timeout.within(attempt, Duration.hours(1), () => "timeout").pipe(
          Effect.onInterrupt(() => Effect.sync(() => void released.push("caller")))
        )
      )
      yield* Effect.yieldNow()
      const exit = yield* Fiber.interrupt(fiber)
      expect(Exit.isInterrupted(exit)).toBe(true)
      expect(released).toEqual(["attempt", "caller"])
      expect(yield* timers).toBeLessThanOrEqual(before) // (another test's timer may have gone meanwhile)
    }))

  it.live("an attempt that interrupts itself ends interrupted, not as a timeout", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Timeout.within(Effect.interrupt, Duration.hours(1), () => "timeout"))
      expect(Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)).toBe(true)
    }))

  it.live("the bound fires: the attempt is interrupted and the call fails with the timeout's error", () =>
    Effect.gen(function*() {
      let attemptInterrupted = false
      const attempt = Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => void (attemptInterrupted = true))))
      expect(yield* Effect.flip(Timeout.within(attempt, Duration.millis(5), () => "timeout"))).toBe("timeout")
      expect(attemptInterrupted).toBe(true)
    }))

  it.effect("under the TestClock the bound is virtual time: it fires when the clock reaches it, not in real time", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Timeout.within(Effect.never, Duration.minutes(10), () => "timeout"))
      yield* TestClock.adjust("10 minutes")
      expect(yield* Effect.flip(Fiber.join(fiber))).toBe("timeout")
    }))

  it.live("a bound longer than setTimeout takes (about 24.8 days), or infinite, does not fire at once", () =>
    Effect.gen(function*() {
      const attempt = Effect.as(Effect.sleep("20 millis"), "done")
      expect(yield* Timeout.within(attempt, Duration.days(30), () => "timeout")).toBe("done")
      expect(yield* Timeout.within(attempt, Duration.infinity, () => "timeout")).toBe("done")
    }))
})
