/**
 * What the 2026-12 mutation run of `RetryPolicy` (docs/testing.md "Mutation testing") found unchecked: every option of
 * the policy (`base`, `factor`, `cap`, `jitter`, `announcedJitter`, `retryClasses`), the cap on a transient failure's
 * announced wait (L1), the direction of the jitter, the standalone `exponential` schedule and `forProvider`. The
 * decisions are read with `Schedule.run` (no clock needed) and the jitter's random draws are fixed (`Random.fixed`).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Random from "effect/Random"
import * as Schedule from "effect/Schedule"
import type * as RetryClass from "../src/RetryClass.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

interface Failure {
  readonly retryClass: RetryClass.RetryClass
  readonly announced?: Duration.Duration
  readonly by?: string
}
const classify: RetryPolicy.Classifier<Failure> = (f) => ({
  retryClass: f.retryClass,
  ...(f.announced !== undefined ? { announced: f.announced } : {}),
  ...(f.by !== undefined ? { announcedBy: f.by } : {})
})
const transient: Failure = { retryClass: "backoff" }
const announced = (retryClass: RetryClass.RetryClass, seconds: number, by?: string): Failure => ({
  retryClass,
  announced: Duration.seconds(seconds),
  ...(by !== undefined ? { by } : {})
})

/** The decisions a schedule makes for `inputs`, with every random draw `draw` (0 … 1). */
const decide = <Out>(schedule: Schedule.Schedule<Out, Failure>, inputs: ReadonlyArray<Failure>, draw = 0.5) =>
  Schedule.run(schedule, 0, inputs).pipe(Effect.map(Chunk.toReadonlyArray), Effect.withRandom(Random.fixed([draw])))
const millis = (decisions: ReadonlyArray<RetryPolicy.Decision<Failure>>) =>
  decisions.map((d) => Duration.toMillis(d.delay))

describe("RetryPolicy options (mutation survivors)", () => {
  it.effect("base, factor and cap shape the backoff", () =>
    Effect.gen(function*() {
      const policy = RetryPolicy.delays(classify, { base: "100 millis", factor: 3, cap: "1 second", jitter: 0 })
      expect(millis(yield* decide(policy, Array(5).fill(transient)))).toEqual([100, 300, 900, 1000, 1000])
    }))

  it.effect("jitter scales the backoff by 1 − j … 1 + j, clamped to [0, 1]", () =>
    Effect.gen(function*() {
      const five = Array(3).fill(transient)
      const at = (jitter: number | undefined, draw: number) =>
        decide(RetryPolicy.delays(classify, jitter === undefined ? {} : { jitter }), five, draw).pipe(
          Effect.map(millis)
        )
      expect(yield* at(0.5, 1)).toEqual([750, 1500, 3000])
      expect(yield* at(0.5, 0)).toEqual([250, 500, 1000])
      expect(yield* at(undefined, 1)).toEqual([600, 1200, 2400]) // the default 0.2
      expect(yield* at(undefined, 0)).toEqual([400, 800, 1600])
      expect(yield* at(2, 0)).toEqual([0, 0, 0]) // at most 1
      expect(yield* at(2, 1)).toEqual([1000, 2000, 4000])
      expect(yield* at(-1, 1)).toEqual([500, 1000, 2000]) // at least 0
    }))

  it.effect("an announced wait gets jitter on top, in [0, announcedJitter], never below it", () =>
    Effect.gen(function*() {
      const limited = [announced("header-wait", 2)]
      const at = (options: RetryPolicy.Options, draw: number) =>
        decide(RetryPolicy.delays(classify, options), limited, draw).pipe(Effect.map(millis))
      expect(yield* at({}, 1)).toEqual([2250]) // the default 250 ms
      expect(yield* at({}, 0)).toEqual([2000])
      expect(yield* at({ announcedJitter: "1 second" }, 0.5)).toEqual([2500])
      expect(yield* at({ announcedJitter: 0 }, 1)).toEqual([2000])
    }))

  it.effect("L1: a transient failure's announced wait is capped at `cap`; a rate limit's is not", () =>
    Effect.gen(function*() {
      const options = { cap: "10 seconds", announcedJitter: 0 } as const
      const [unavailable] = yield* decide(RetryPolicy.delays(classify, options), [announced("backoff", 60)])
      expect(unavailable).toMatchObject({ source: "announced", retryClass: "backoff" })
      expect(Duration.toMillis(unavailable!.delay)).toBe(10_000)
      const [shorter] = yield* decide(RetryPolicy.delays(classify, options), [announced("backoff", 3)])
      expect(Duration.toMillis(shorter!.delay)).toBe(3_000)
      const [limited] = yield* decide(RetryPolicy.delays(classify, options), [announced("header-wait", 60)])
      expect(limited).toMatchObject({ source: "announced", retryClass: "header-wait" })
      expect(Duration.toMillis(limited!.delay)).toBe(60_000)
    }))

  it.effect("a decision names who announced its wait, and has no `announcedBy` when nobody did", () =>
    Effect.gen(function*() {
      const [byHeader, backoff] = yield* decide(
        RetryPolicy.delays(classify),
        [announced("header-wait", 1, "x-ratelimit-reset-requests"), transient]
      )
      expect(byHeader).toMatchObject({ retry: 1, source: "announced", announcedBy: "x-ratelimit-reset-requests" })
      expect(backoff).toMatchObject({ retry: 2, source: "backoff" })
      expect(Object.keys(backoff!)).not.toContain("announcedBy")
    }))

  // `Schedule.run` returns one output per input until the schedule is done, the one that ended it included
  it.effect("retryClasses chooses which classes the policy retries", () =>
    Effect.gen(function*() {
      const mixed = [transient, announced("header-wait", 1), transient, transient]
      expect(yield* decide(RetryPolicy.make(classify, { retryClasses: ["backoff"] }), mixed)).toHaveLength(2)
      expect(yield* decide(RetryPolicy.make(classify), mixed)).toHaveLength(4)
      const twice = [transient, transient]
      expect(yield* decide(RetryPolicy.make(classify, { retryClasses: ["header-wait"] }), twice)).toHaveLength(1)
      expect(yield* decide(RetryPolicy.make(classify), twice)).toHaveLength(2)
    }))

  it.effect("exponential on its own: base × factorⁿ, capped", () =>
    Effect.gen(function*() {
      const schedule = Schedule.delays(RetryPolicy.exponential({ base: "1 second", factor: 2, cap: "5 seconds" }))
      const out = yield* Schedule.run(schedule, 0, [1, 2, 3, 4, 5])
      expect(Chunk.toReadonlyArray(out).map(Duration.toMillis)).toEqual([1000, 2000, 4000, 5000, 5000])
      const defaults = yield* Schedule.run(Schedule.delays(RetryPolicy.exponential()), 0, Array(8).fill(0))
      expect(Chunk.toReadonlyArray(defaults).map(Duration.toMillis)).toEqual([
        500,
        1000,
        2000,
        4000,
        8000,
        16000,
        30000,
        30000
      ])
    }))

  it.effect("forProvider binds every policy to the provider's classifier", () =>
    Effect.gen(function*() {
      const provider = RetryPolicy.forProvider(classify)
      const never: Failure = { retryClass: "never" }
      expect(yield* decide(provider.make({ maxRetries: 1 }), Array(3).fill(transient))).toHaveLength(2)
      expect(yield* decide(provider.defaultPolicy, Array(9).fill(transient))).toHaveLength(5)
      expect(yield* decide(provider.defaultPolicy, [never, transient])).toHaveLength(1)
      expect(millis(yield* decide(provider.delays({ jitter: 0 }), Array(3).fill(transient)))).toEqual([500, 1000, 2000])
      expect(yield* decide(provider.whileClass(), [transient, never, transient])).toHaveLength(2)
      expect(yield* decide(provider.whileClass(["never"]), [never, transient, never])).toHaveLength(2)
    }))
})
