/**
 * What the 2026-12 mutation run of venice's `RetryPolicy` (docs/testing.md "Mutation testing") found unchecked: the
 * classifier's answer for each kind of error a call can fail with — a transport failure, a client-side refusal, a
 * wallet error, a decoded Venice error with and without an announced wait (and who announced it), the overload 429's
 * 30 s default (H1) — and the exported building blocks. The errors are decoded from responses as the client decodes
 * them (`VeniceError.decode`); the decisions are read with `Schedule.run`.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ClientError from "@venice-effect/core/ClientError"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as VeniceError from "../src/VeniceError.js"
import * as WalletError from "../src/WalletError.js"

const decoded = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  VeniceError.decode({ status, headers, body: JSON.stringify(body), nowMillis: 0 })

const transport = new ClientError.TransportError({
  provider: "venice",
  reason: "reset",
  message: "socket hang up",
  maybeDelivered: true
})
const invalid = new ClientError.RequestValidationError({
  provider: "venice",
  operation: "chat",
  message: "bad",
  issues: []
})
const signFailed = new WalletError.WalletSignError({
  wallet: "0x0000000000000000000000000000000000000001",
  operation: "payment",
  message: "no"
})

const decide = <Out>(
  schedule: Schedule.Schedule<Out, RetryPolicy.VeniceClientError>,
  inputs: ReadonlyArray<RetryPolicy.VeniceClientError>
) => Schedule.run(schedule, 0, inputs).pipe(Effect.map(Chunk.toReadonlyArray), Effect.withRandom(Random.fixed([0])))

describe("venice RetryPolicy.classify (mutation survivors)", () => {
  it("a transport failure backs off; a request refused before sending and a wallet error never retry", () => {
    expect(RetryPolicy.classify(transport)).toEqual({ retryClass: "backoff" })
    expect(RetryPolicy.classify(invalid)).toEqual({ retryClass: "never" })
    expect(RetryPolicy.classify(signFailed)).toEqual({ retryClass: "never" })
  })

  it("a decoded error's announced wait and who announced it", () => {
    const limited = RetryPolicy.classify(decoded(429, { error: "Rate limit exceeded" }, { "retry-after": "7" }))
    expect(limited.retryClass).toBe("header-wait")
    expect(limited.announcedBy).toBe("retry-after")
    expect(Duration.toMillis(limited.announced!)).toBe(7_000)
    const byBody = RetryPolicy.classify(decoded(503, { error: "Service unavailable", retry_after: 3 }))
    expect(byBody.retryClass).toBe("backoff")
    expect(byBody.announcedBy).toBe("body retry_after")
    expect(Duration.toMillis(byBody.announced!)).toBe(3_000)
    // an error built by hand (a test double, a re-thrown error) with a wait but no source: the header is assumed
    const handMade = new VeniceError.VeniceStandardError({
      status: 429,
      code: "RATE_LIMIT_EXCEEDED",
      message: "Rate limit exceeded",
      raw: "",
      retryAfter: Duration.seconds(1)
    })
    expect(RetryPolicy.classify(handMade)).toEqual({
      retryClass: "header-wait",
      announced: Duration.seconds(1),
      announcedBy: "retry-after"
    })
  })

  it("H1: an overload 429 without a wait is given the 30 s default; other errors get none", () => {
    const overloaded = RetryPolicy.classify(decoded(429, { error: "x", code: "MODEL_OVERLOADED" }))
    expect(overloaded).toEqual({
      retryClass: "header-wait",
      announced: RetryPolicy.OVERLOAD_DEFAULT_WAIT,
      announcedBy: "overload default (30 s)"
    })
    expect(Duration.toMillis(RetryPolicy.OVERLOAD_DEFAULT_WAIT)).toBe(30_000)
    // an overload 429 that names its wait keeps it
    const named = RetryPolicy.classify(
      decoded(429, { error: "x", code: "MODEL_OVERLOADED" }, { "retry-after": "2" })
    )
    expect(Duration.toMillis(named.announced!)).toBe(2_000)
    expect(RetryPolicy.classify(decoded(500, { error: "Inference processing failed" }))).toEqual({
      retryClass: "backoff"
    })
    expect(RetryPolicy.classify(decoded(400, { error: "bad" }))).toEqual({ retryClass: "never" })
  })
})

describe("venice RetryPolicy building blocks", () => {
  const unavailable = decoded(503, { error: "Service unavailable" })
  const badRequest = decoded(400, { error: "bad" })

  it.effect("defaultPolicy: at most 4 retries, never-retry errors stop at once", () =>
    Effect.gen(function*() {
      expect(yield* decide(RetryPolicy.defaultPolicy, Array(9).fill(unavailable))).toHaveLength(5)
      expect(yield* decide(RetryPolicy.defaultPolicy, [badRequest, unavailable])).toHaveLength(1)
      expect(yield* decide(RetryPolicy.make({ maxRetries: 1 }), Array(9).fill(unavailable))).toHaveLength(2)
    }))

  it.effect("delays, whileClass, exponential, none", () =>
    Effect.gen(function*() {
      const delays = yield* decide(RetryPolicy.delays({ jitter: 0 }), [unavailable, unavailable, transport])
      expect(delays.map((d) => Duration.toMillis(d.delay))).toEqual([500, 1000, 2000])
      expect(yield* decide(RetryPolicy.whileClass(), [transport, unavailable, badRequest, transport])).toHaveLength(3)
      expect(yield* decide(RetryPolicy.whileClass(["never"]), [badRequest, transport])).toHaveLength(2)
      const backoff = yield* Schedule.run(Schedule.delays(RetryPolicy.exponential()), 0, [1, 2, 3])
      expect(Chunk.toReadonlyArray(backoff).map(Duration.toMillis)).toEqual([500, 1000, 2000])
      expect(yield* Schedule.run(RetryPolicy.none, 0, [1, 2])).toHaveLength(1)
    }))
})
