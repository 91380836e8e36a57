/**
 * Regression tests of issue 13 (items 1, 2, 3, 9, 10), each over loopback HTTP against the emulator (or a hostile
 * loopback server) and each seen failing on 8cb3725: no call livelocks in pacing, sleeps past `maxWait`, paces on
 * nonsense limits, lets a fresh client's concurrent 4xx past the error budget, retries a 408, or mistakes a bad base
 * URL for a network fault. The counterexamples the liveness property suite found are at the end, by name.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { realPause } from "@venice-effect/emulator/Testing"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as Chat from "../src/Chat.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as VeniceClient from "../src/VeniceClient.js"
import * as Clock from "./liveness/clock.js"
import { KEY, layer, NOW } from "./support.js"
import * as Wire from "./wire.js"

const MODEL = "venice-uncensored"
const hello = { model: MODEL, messages: [{ role: "user" as const, content: "hello" }] }

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure, got a success")
  if (exit.cause._tag !== "Fail") throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return exit.cause.error
}

/** Runs `effect` under the exact TestClock driver, bounded (a livelock ends at the deadline), counting Pacing events. */
const driven = <A, E, R>(effect: Effect.Effect<A, E, R>, bound: Duration.DurationInput = "5 minutes") =>
  Effect.map(
    Clock.run(effect, { deadline: Duration.toMillis(Duration.decode(bound)) }),
    (run) => ({ ...run, exit: run.exit ?? Exit.die(`no end within ${Duration.format(Duration.decode(bound))}`) })
  )

describe("issue 13 #1: no livelock after a 429 followed by a fault without limit headers", () => {
  const followers: ReadonlyArray<readonly [string, Faults.Fault]> = [
    ["a 503", Faults.error("MODEL_AT_CAPACITY")],
    ["a reset before the headers", Faults.resetBeforeHeaders],
    ["an HTML 502", Faults.htmlPage(502)]
  ]
  for (const [name, follower] of followers) {
    it.scoped(`429 (Retry-After 1) then ${name}: the third attempt is sent and succeeds`, () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "chat/completions" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 1 }))
        yield* emu.script({ route: "chat/completions" }, 1, follower)
        const { exit, pacing } = yield* driven(Chat.completions(hello), "20 seconds")
        expect(Exit.isSuccess(exit)).toBe(true)
        expect(yield* emu.count({ route: "chat/completions" })).toBe(3)
        expect(pacing).toBeLessThanOrEqual(2)
      }).pipe(Effect.provide(layer())))
  }

  it.scoped("429 whose x-ratelimit-limit-requests is 0, then a 503: the call goes on and succeeds", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", {
          retryAfter: 1,
          rateLimit: { limit: 0, remaining: 0 }
        })
      )
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_AT_CAPACITY"))
      const { exit, pacing } = yield* driven(Chat.completions(hello), "20 seconds")
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(3)
      expect(pacing).toBeLessThanOrEqual(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("no sticky state: after the fault sequence a later call to the model is sent within one window", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      // a window of 1 request that the 429 says is exhausted for a minute, the retry after Retry-After, then 503s
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", {
          retryAfter: 1,
          rateLimit: { limit: 1, remaining: 0, reset: NOW + 60_000 }
        })
      )
      yield* emu.script({ route: "chat/completions" }, 5, Faults.error("MODEL_AT_CAPACITY"))
      const first = yield* driven(Chat.completions(hello, { retry: RetryPolicy.make({ maxRetries: 1 }) }), "20 seconds")
      expect(failureOf(first.exit)).toMatchObject({ code: "MODEL_AT_CAPACITY" })
      yield* emu.reset
      const later = yield* driven(Chat.completions(hello, { maxWait: "2 minutes" }), "3 minutes")
      expect(Exit.isSuccess(later.exit)).toBe(true)
      expect(later.elapsed).toBeLessThanOrEqual(60_000 + 100)
      expect(later.pacing).toBeLessThanOrEqual(1)
    }).pipe(Effect.provide(layer())))
})

describe("issue 13 #2: a 5xx's announced wait honours maxWait and the backoff cap", () => {
  for (const [code, seconds] of [["MODEL_AT_CAPACITY", 86_400], ["ASR_UPSTREAM_FAILED", 604_800]] as const) {
    it.scoped(`${code} with Retry-After ${seconds} s and maxWait 10 s → WaitTooLongError at once`, () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "chat/completions" }, 5, Faults.error(code, { retryAfter: seconds }))
        const { elapsed, exit } = yield* driven(Chat.completions(hello, { maxWait: "10 seconds" }))
        const error = failureOf(exit)
        expect(error).toMatchObject({ _tag: "WaitTooLongError", wait: Duration.seconds(seconds) })
        expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
        expect(elapsed).toBeLessThan(1000)
      }).pipe(Effect.provide(layer())))
  }

  it.scoped("503 with Retry-After 45 s and maxWait 60 s → the retry comes after the 30 s backoff cap", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_AT_CAPACITY", { retryAfter: 45 }))
      const { exit } = yield* driven(Chat.completions(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      const [first, second] = yield* emu.requests
      expect(second!.at - first!.at).toBeGreaterThanOrEqual(30_000)
      expect(second!.at - first!.at).toBeLessThanOrEqual(30_000 + 250 + 50)
    }).pipe(Effect.provide(layer())))

  it.scopedLive("500 with a body retry_after of 3600 s and maxWait 10 s → WaitTooLongError at once", () =>
    Effect.gen(function*() {
      const wire = yield* Wire.serve((res) => {
        res.writeHead(500, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: "Inference processing failed", retry_after: 3600 }))
      })
      const error = yield* Effect.flip(
        Effect.provide(Chat.completions(hello, { maxWait: "10 seconds" }), Wire.client(wire))
      ).pipe(Effect.provide(Logger.remove(Logger.defaultLogger)))
      expect(error).toMatchObject({ _tag: "WaitTooLongError", wait: Duration.seconds(3600) })
      expect(wire.attempts()).toBe(1)
    }))
})

describe("issue 13 #3: pacing honours maxWait and never paces on nonsense", () => {
  it.scoped("after a 429 with Retry-After 86400 the next call fails typed at once instead of sleeping a day", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 86_400 }))
      const first = yield* driven(Chat.completions(hello))
      expect(failureOf(first.exit)).toMatchObject({ _tag: "WaitTooLongError" })
      const next = yield* driven(Chat.completions(hello))
      expect(failureOf(next.exit)).toMatchObject({ _tag: "WaitTooLongError", maxWait: Duration.seconds(60) })
      expect(next.elapsed).toBeLessThan(1000)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
      // a caller willing to wait a day does wait, and is served
      const patient = yield* driven(Chat.completions(hello, { maxWait: "25 hours" }), "26 hours")
      expect(Exit.isSuccess(patient.exit)).toBe(true)
      expect(patient.elapsed).toBeGreaterThanOrEqual(86_400_000 - 1000)
    }).pipe(Effect.provide(layer())))

  it.scoped("a 200 saying no request remains until a reset 300 days out is nonsense: the next call is sent", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.headers({
          "x-ratelimit-limit-requests": "20",
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": String(NOW + 300 * 86_400_000)
        })
      )
      expect(Exit.isSuccess((yield* driven(Chat.completions(hello))).exit)).toBe(true)
      const next = yield* driven(Chat.completions(hello))
      expect(Exit.isSuccess(next.exit)).toBe(true)
      expect(next.elapsed).toBeLessThan(1000)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("a window exhausted for 2 minutes: maxWait 60 s fails typed at once, maxWait 3 min waits and is served", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.headers({
          "x-ratelimit-limit-requests": "20",
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": String(NOW + 120_000)
        })
      )
      expect(Exit.isSuccess((yield* driven(Chat.completions(hello))).exit)).toBe(true)
      const impatient = yield* driven(Chat.completions(hello))
      expect(failureOf(impatient.exit)).toMatchObject({ _tag: "WaitTooLongError" })
      expect(impatient.elapsed).toBeLessThan(1000)
      const patient = yield* driven(Chat.completions(hello, { maxWait: "3 minutes" }))
      expect(Exit.isSuccess(patient.exit)).toBe(true)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer())))
})

describe("issue 13 #9: the guard counts requests in flight; a 408 is final", () => {
  it.scopedLive("100 concurrent 400s from a fresh client: at most 48 reach Venice, never a lockout", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 100, Faults.delay(50))
      const exits = yield* Effect.all(
        Array.from({ length: 100 }, () => Effect.exit(Chat.completions({ ...hello, model: "no-such-model" }))),
        { concurrency: "unbounded" }
      )
      const tags = exits.map((exit) => failureOf(exit)._tag)
      expect(yield* emu.count({ route: "chat/completions" })).toBeLessThanOrEqual(48)
      expect(yield* emu.count({ status: 429 })).toBe(0)
      expect(tags.filter((t) => t === "ErrorBudgetExhaustedError").length).toBeGreaterThanOrEqual(52)
    }).pipe(Effect.provide(layer({}, {}, { live: true }))))

  it.scopedLive("100 stalled calls of one bucket, interrupted: no guard slot is kept, the next call is sent at once", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 100, Faults.stall)
      const fibers = yield* Effect.forEach(
        Array.from({ length: 100 }),
        () => Effect.fork(Chat.completions(hello, { retry: RetryPolicy.none })),
        { concurrency: "unbounded" }
      )
      // 48 on the wire, 52 waiting for a slot; then every one of them interrupted
      for (let i = 0; i < 4000 && (yield* emu.count({ route: "chat/completions" })) < 48; i++) yield* realPause(5)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(48)
      yield* Fiber.interruptAll(fibers)
      yield* emu.clearFaults
      // with no wait allowed, a slot still held by an interrupted call would fail this one with WaitTooLongError
      const completion = yield* Chat.completions(hello, { maxWait: 0 })
      expect(completion.choices.length).toBeGreaterThan(0)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(49)
    }).pipe(Effect.provide(layer({}, {}, { live: true }))))

  it.scoped("a 408 is sent once (it would spend the error budget on every retry)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 5, Faults.emptyBody(408))
      const error = failureOf((yield* driven(Chat.completions(hello))).exit)
      expect(error).toMatchObject({ status: 408 })
      expect(RetryPolicy.classify(error).retryClass).toBe("never")
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))
})

describe("issue 13 #10: the base URL is checked when the layer is built", () => {
  for (
    const baseUrl of ["not a url", "file:///etc/passwd", "http://[::1", "ftp://example.com", "https://x.test/v1#frag"]
  ) {
    it.effect(`${JSON.stringify(baseUrl)} → InvalidBaseUrlError, no request, no retry`, () =>
      Effect.gen(function*() {
        let requests = 0
        const counting = Layer.effect(
          HttpClient.HttpClient,
          Effect.map(HttpClient.HttpClient, HttpClient.tapRequest(() => Effect.sync(() => void requests++)))
        ).pipe(Layer.provide(NodeHttpClient.layerUndici))
        const client = VeniceClient.layer({ apiKey: Redacted.make(KEY), baseUrl }).pipe(Layer.provide(counting))
        const error = yield* Effect.flip(Effect.provide(Chat.completions(hello), client))
        expect(error).toMatchObject({ _tag: "InvalidBaseUrlError", provider: "venice" })
        expect(error.message).toContain("invalid baseUrl")
        expect(requests).toBe(0)
      }))
  }

  it.effect("a URL object and trailing slashes are accepted", () =>
    Effect.gen(function*() {
      const client = yield* Effect.provide(
        VeniceClient.VeniceClient,
        VeniceClient.layer({ apiKey: Redacted.make(KEY), baseUrl: new URL("https://api.venice.ai/api/v1//") })
          .pipe(Layer.provide(NodeHttpClient.layerUndici))
      )
      expect(client.baseUrl).toBe("https://api.venice.ai/api/v1")
    }))
})

describe("counterexamples found by the liveness property suite", () => {
  // seed -1611036844 … (1,000 plain cases, old limiter store): a 429 describing a window of 1 whose reset is "0" (now)
  // left the bucket exhausted with no known end, and every later call waited on it for ever
  it.scoped("a 429 naming a window of 1 that is already over: no later call waits on it", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", {
          rateLimit: { limit: 1, reset: 0 }
        })
      )
      const first = yield* driven(Chat.completions(hello, { retry: RetryPolicy.make({ maxRetries: 3 }), maxWait: 0 }))
      expect(Exit.isSuccess(first.exit) || first.exit.cause._tag === "Fail").toBe(true)
      const later = yield* driven(Chat.completions(hello, { maxWait: "26 hours" }), "2 minutes")
      expect(Exit.isSuccess(later.exit)).toBe(true)
      expect(later.pacing).toBeLessThanOrEqual(1)
    }).pipe(Effect.provide(layer())))

  // seed 1618766815 (plain cases): RPC_CREDIT_LIMIT_EXCEEDED names the crypto-RPC credit cap's rolling 24 h window; the
  // suite's recovery bound did not know that window, so the recovery call (maxWait 26 h) paced past its deadline. The
  // SDK was right: the window is announced by the code, and every later call waits for it only within its own maxWait.
  it.scoped("RPC_CREDIT_LIMIT_EXCEEDED: refused at once; later calls pace on the 24 h window only within maxWait", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("RPC_CREDIT_LIMIT_EXCEEDED"))
      const first = yield* driven(Chat.completions(hello, { retry: RetryPolicy.make({ maxRetries: 3 }), maxWait: 0 }))
      expect(failureOf(first.exit)).toMatchObject({ _tag: "WaitTooLongError" })
      expect(first.elapsed).toBeLessThan(1000)
      const impatient = yield* driven(Chat.completions(hello, { maxWait: "10 seconds" }))
      expect(failureOf(impatient.exit)).toMatchObject({ _tag: "WaitTooLongError" })
      expect(impatient.elapsed).toBeLessThan(1000)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
      const patient = yield* driven(Chat.completions(hello, { maxWait: "26 hours" }), "25 hours")
      expect(Exit.isSuccess(patient.exit)).toBe(true)
      expect(patient.elapsed).toBeLessThanOrEqual(24 * 3_600_000 + 1000)
    }).pipe(Effect.provide(layer())))
})
