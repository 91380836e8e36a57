import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as TestClock from "effect/TestClock"
import type * as RetryClass from "../src/RetryClass.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

interface Failure {
  readonly name: string
  readonly retryClass: RetryClass.RetryClass
  readonly announced?: Duration.Duration
}
const classify: RetryPolicy.Classifier<Failure> = (f) => ({
  retryClass: f.retryClass,
  ...(f.announced !== undefined ? { announced: f.announced, announcedBy: "retry-after" } : {})
})
const unavailable: Failure = { name: "503", retryClass: "backoff" }
const badRequest: Failure = { name: "400", retryClass: "never" }
const rateLimited = (seconds: number): Failure => ({
  name: "429",
  retryClass: "header-wait",
  announced: Duration.seconds(seconds)
})

/**
 * Runs a call that fails with `script` in order (then succeeds) under `policy`, advancing the TestClock in small
 * steps; returns the virtual times (ms) of every attempt and the outcome.
 */
const drive = <Out>(script: ReadonlyArray<Failure>, policy: Schedule.Schedule<Out, Failure>) =>
  Effect.gen(function*() {
    const times = yield* Ref.make<ReadonlyArray<number>>([])
    const call = Effect.gen(function*() {
      const now = yield* Effect.clockWith((c) => c.currentTimeMillis)
      const seen = yield* Ref.updateAndGet(times, (ts) => [...ts, now])
      const failure = script[seen.length - 1]
      return failure === undefined ? "ok" : yield* Effect.fail(failure)
    })
    const fiber = yield* Effect.fork(Effect.either(Effect.retry(call, policy)))
    // jump the clock to each pending wake-up until the call is done
    for (let i = 0; i < 1000 && (yield* Fiber.poll(fiber))._tag === "None"; i++) {
      yield* Effect.yieldNow()
      const sleeps = yield* TestClock.sleeps()
      const now = yield* TestClock.currentTimeMillis
      const next = Chunk.reduce(sleeps, Infinity, (min, t) => Math.min(min, t))
      yield* TestClock.adjust(Duration.millis(Number.isFinite(next) ? Math.max(0, next - now) : 0))
    }
    const outcome = yield* Fiber.join(fiber)
    const ts = yield* Ref.get(times)
    return { attempts: ts.length, gaps: ts.slice(1).map((t, i) => t - ts[i]!), outcome }
  })

describe("RetryPolicy.make (R1–R3)", () => {
  const policy = RetryPolicy.make(classify)

  it.effect("503 ×3 then 200: 4 attempts with growing, jittered backoff", () =>
    Effect.gen(function*() {
      const { attempts, gaps, outcome } = yield* drive([unavailable, unavailable, unavailable], policy)
      expect(outcome._tag).toBe("Right")
      expect(attempts).toBe(4)
      const nominal = [500, 1000, 2000]
      gaps.forEach((gap, i) => {
        expect(gap).toBeGreaterThanOrEqual(nominal[i]! * 0.8 - 10)
        expect(gap).toBeLessThanOrEqual(nominal[i]! * 1.2 + 10)
      })
    }))

  it.effect("429 with Retry-After 2 s then 200: exactly 2 attempts, waits ≥ 2 s and ≤ 2 s + jitter bound", () =>
    Effect.gen(function*() {
      const { attempts, gaps } = yield* drive([rateLimited(2)], policy)
      expect(attempts).toBe(2)
      expect(gaps[0]).toBeGreaterThanOrEqual(2000)
      expect(gaps[0]).toBeLessThanOrEqual(2000 + 250 + 10)
    }))

  it.effect("never-retry classes stop at once, without waiting", () =>
    Effect.gen(function*() {
      const { attempts, outcome } = yield* drive([badRequest], policy)
      expect(attempts).toBe(1)
      expect(outcome._tag === "Left" && outcome.left.name).toBe("400")
    }))

  it.effect("at most maxRetries retries (default 4)", () =>
    Effect.gen(function*() {
      const { attempts, outcome } = yield* drive(Array(10).fill(unavailable), policy)
      expect(attempts).toBe(5)
      expect(outcome._tag).toBe("Left")
    }))

  it.effect("classes mix within one call: a 429 between 503s does not end the backoff", () =>
    Effect.gen(function*() {
      const { attempts, gaps } = yield* drive([unavailable, rateLimited(3), unavailable], policy)
      expect(attempts).toBe(4)
      expect(gaps[1]).toBeGreaterThanOrEqual(3000)
      expect(gaps[2]).toBeGreaterThanOrEqual(2000 * 0.8 - 10) // third retry's backoff: 0.5 s × 2²
    }))

  it.effect("a never error after retries stops the policy", () =>
    Effect.gen(function*() {
      const { attempts } = yield* drive([unavailable, badRequest, unavailable], policy)
      expect(attempts).toBe(2)
    }))

  it.effect("backoff is capped at 30 s", () =>
    Effect.gen(function*() {
      const { gaps } = yield* drive(
        Array(8).fill(unavailable),
        RetryPolicy.make(classify, { maxRetries: 7, jitter: 0 })
      )
      expect(gaps).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000])
    }))

  it.effect("composes: intersect with a total time budget", () =>
    Effect.gen(function*() {
      const capped = RetryPolicy.make(classify, { maxRetries: 10, jitter: 0 }).pipe(Schedule.upTo("3 seconds"))
      const { attempts, gaps } = yield* drive(Array(10).fill(unavailable), capped)
      // attempts at 0, 0.5, 1.5, 3.5 s: upTo checks the elapsed time when deciding, and 3.5 s is past 3 s
      expect(gaps).toEqual([500, 1000, 2000])
      expect(attempts).toBe(4)
    }))

  it.effect("every delay is whole milliseconds (fractional times break TestClock's nanosecond clock)", () =>
    Effect.gen(function*() {
      const decisions = yield* Ref.make<ReadonlyArray<RetryPolicy.Decision<Failure>>>([])
      const observed = RetryPolicy.make(classify, { maxRetries: 6 }).pipe(
        Schedule.tapOutput((d) => Ref.update(decisions, (ds) => [...ds, d]))
      )
      const odd: Failure = { name: "429", retryClass: "header-wait", announced: Duration.micros(1_500_333n) }
      yield* drive([unavailable, odd, unavailable, odd, unavailable, unavailable], observed)
      for (const d of yield* Ref.get(decisions)) expect(Number.isInteger(Duration.toMillis(d.delay))).toBe(true)
      yield* Effect.clockWith((clock) => clock.currentTimeNanos) // would throw on a fractional TestClock time
    }))

  it.effect("the output says why each delay was chosen", () =>
    Effect.gen(function*() {
      const decisions = yield* Ref.make<ReadonlyArray<RetryPolicy.Decision<Failure>>>([])
      const observed = RetryPolicy.make(classify).pipe(
        Schedule.tapOutput((d) => Ref.update(decisions, (ds) => [...ds, d]))
      )
      yield* drive([unavailable, rateLimited(1)], observed)
      const ds = yield* Ref.get(decisions)
      expect(ds.map((d) => [d.retry, d.source, d.retryClass])).toEqual([
        [1, "backoff", "backoff"],
        [2, "announced", "header-wait"]
      ])
      expect(ds[1]!.announcedBy).toBe("retry-after")
    }))
})
