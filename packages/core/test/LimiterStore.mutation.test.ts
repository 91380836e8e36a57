/**
 * What the 2026-12 mutation run of `LimiterStore` (docs/testing.md "Mutation testing") found unchecked in the in-memory
 * store: the grants sent before the first response named the window, a span other than the 60 s fallback, responses
 * that arrive out of order, a block that is already over or that ends after the window it described, the failure
 * budget's window boundaries and the server's view of the budget (`observeBudget`), and a slot watcher's wait measured
 * from `now`. Every check goes through `makeMemory()`'s operations, with `now` given explicitly.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as LimiterStore from "../src/LimiterStore.js"

const granted = { _tag: "Granted" }
const wait = (until: number) => ({ _tag: "Wait", until })

describe("LimiterStore windows (mutation survivors)", () => {
  it.effect("grants sent before the first response named the window count in it", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      expect(yield* store.reserve("k", 0)).toEqual(granted)
      expect(yield* store.reserve("k", 1)).toEqual(granted)
      expect(yield* store.reserve("k", 2)).toEqual(granted)
      // the first answer: a window of 3 the server has not counted our requests in yet
      yield* store.observeWindow("k", { limit: 3, remaining: 3, resetAt: 10_000 }, 3)
      expect(yield* store.reserve("k", 4)).toEqual(wait(10_000))
    }))

  it.effect("L2: a window whose end no response named lasts the span the bucket has seen (here 10 s, not 60 s)", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.observeWindow("k", { limit: 1, remaining: 0, resetAt: 10_000 }, 0)
      expect(yield* store.reserve("k", 5_000)).toEqual(wait(10_000))
      expect(yield* store.reserve("k", 10_000)).toEqual(granted) // a new window, end unknown
      expect(yield* store.reserve("k", 10_001)).toEqual(wait(20_000))
      expect(yield* store.reserve("k", 19_999)).toEqual(wait(20_000))
      expect(yield* store.reserve("k", 20_000)).toEqual(granted)
    }))

  it.effect("a response about an older window (answered out of order) changes nothing", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.observeWindow("k", { limit: 2, remaining: 2, resetAt: 20_000 }, 0)
      // a slow answer from the window that ended at 10 s: nothing left there, but that window is not this one
      yield* store.observeWindow("k", { limit: 2, remaining: 0, resetAt: 10_000 }, 1)
      expect(yield* store.reserve("k", 2)).toEqual(granted)
      expect(yield* store.reserve("k", 3)).toEqual(granted)
      expect(yield* store.reserve("k", 4)).toEqual(wait(20_000))
    }))

  it.effect("a response about the same window raises our count, never lowers it", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.observeWindow("k", { limit: 3, remaining: 1, resetAt: 20_000 }, 0)
      yield* store.observeWindow("k", { limit: 3, remaining: 3, resetAt: 20_000 }, 1) // stale count: ignored
      expect(yield* store.reserve("k", 2)).toEqual(granted)
      expect(yield* store.reserve("k", 3)).toEqual(wait(20_000))
    }))
})

describe("LimiterStore.block (mutation survivors)", () => {
  it.effect("a block that ends now or earlier changes nothing, not even the window's end", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.observeWindow("k", { limit: 1, remaining: 0, resetAt: 60_000 }, 0)
      yield* store.block("k", 1_000, 1_000) // ends now
      expect(yield* store.reserve("k", 1_000)).toEqual(wait(60_000))
      yield* store.block("k", 500, 1_000) // ended already
      expect(yield* store.reserve("k", 1_001)).toEqual(wait(60_000))
    }))

  it.effect("a block on a known window keeps its limit; one past the window's end leaves the end where it was", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      // a window of 2 described 60 s before its end (span 60 s), then a 429 saying come back at 70 s
      yield* store.observeWindow("k", { limit: 2, remaining: 1, resetAt: 60_000 }, 0)
      yield* store.block("k", 70_000, 0)
      expect(yield* store.reserve("k", 65_000)).toEqual(wait(70_000))
      // the window that began at 60 s (not 70 s) admits its limit, then ends a span after it began
      expect(yield* store.reserve("k", 70_000)).toEqual(granted)
      expect(yield* store.reserve("k", 70_001)).toEqual(granted)
      expect(yield* store.reserve("k", 70_002)).toEqual(wait(120_000))
    }))
})

describe("LimiterStore failure budget (mutation survivors)", () => {
  it.effect("recordFailure counts in a window of `windowMillis`; the next window starts at its reset", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      expect(yield* store.recordFailure("b", 1_000, 0)).toEqual({ failures: 1, resetAt: 1_000 })
      expect(yield* store.recordFailure("b", 1_000, 999)).toEqual({ failures: 2, resetAt: 1_000 })
      expect(yield* store.budget("b", 999)).toEqual({ failures: 2, resetAt: 1_000 })
      expect(yield* store.budget("b", 1_000)).toEqual({ failures: 0, resetAt: 1_000 })
      expect(yield* store.recordFailure("b", 1_000, 1_000)).toEqual({ failures: 1, resetAt: 2_000 })
      expect(yield* store.budget("other", 5)).toEqual({ failures: 0, resetAt: 5 })
    }))

  it.effect("observeBudget: the server's count is adopted when higher, its window when later", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      // no state yet: the server's view is the state
      yield* store.observeBudget("b", { limit: 10, remaining: 7, resetAt: 5_000 }, 0)
      expect(yield* store.budget("b", 1)).toEqual({ failures: 3, resetAt: 5_000 })
      // a lower count and an earlier reset change nothing
      yield* store.observeBudget("b", { limit: 10, remaining: 9, resetAt: 4_000 }, 2)
      expect(yield* store.budget("b", 3)).toEqual({ failures: 3, resetAt: 5_000 })
      // a higher count and a later reset are adopted
      yield* store.observeBudget("b", { limit: 10, remaining: 4, resetAt: 6_000 }, 4)
      expect(yield* store.budget("b", 5)).toEqual({ failures: 6, resetAt: 6_000 })
      // our own count, when higher, stays
      yield* store.recordFailure("b", 1_000, 6)
      yield* store.observeBudget("b", { limit: 10, remaining: 10, resetAt: 6_000 }, 7)
      expect(yield* store.budget("b", 8)).toEqual({ failures: 7, resetAt: 6_000 })
    }))

  it.effect("observeBudget ignores a window that is over; once ours is over, the server's starts afresh", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.observeBudget("b", { limit: 10, remaining: 0, resetAt: 1_000 }, 1_000) // ends now: ignored
      yield* store.observeBudget("b", { limit: 10, remaining: 0, resetAt: 500 }, 1_000) // ended: ignored
      expect(yield* store.budget("b", 1_000)).toEqual({ failures: 0, resetAt: 1_000 })
      yield* store.recordFailure("b", 1_000, 0)
      yield* store.recordFailure("b", 1_000, 0)
      // at our window's reset the server's view replaces it, even with fewer failures and an earlier end than max()
      yield* store.observeBudget("b", { limit: 10, remaining: 9, resetAt: 1_500 }, 1_000)
      expect(yield* store.budget("b", 1_001)).toEqual({ failures: 1, resetAt: 1_500 })
      // more remaining than the limit (a garbled answer) counts as no failure, not a negative one
      // a fiber that read the clock before the window ended still sees it as over
      yield* store.observeBudget("late", { limit: 10, remaining: 0, resetAt: 500 }, 1_000)
      expect(yield* store.budget("late", 400)).toEqual({ failures: 0, resetAt: 400 })
      const fresh = LimiterStore.makeMemory()
      yield* fresh.observeBudget("b", { limit: 5, remaining: 8, resetAt: 1_000 }, 0)
      expect(yield* fresh.budget("b", 1)).toEqual({ failures: 0, resetAt: 1_000 })
      yield* fresh.recordFailure("b", 60_000, 2)
      expect(yield* fresh.budget("b", 3)).toEqual({ failures: 1, resetAt: 1_000 })
    }))
})

describe("LimiterStore.watchSlots (mutation survivors)", () => {
  it.effect("a watcher's wait for an expiring lease is measured from `now`, not from 0", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.acquireSlot("w", "crashed", 1, 5_000, 1_000) // expires at 6 s
      const waiter = yield* Effect.fork(Effect.flatten(store.watchSlots("w", 5_000, 60_000)))
      yield* TestClock.adjust("999 millis")
      expect(waiter.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(waiter)
    }))

  it.effect("a watcher wakes for a release or a lease expiring before `until`, not at `until` itself", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.acquireSlot("w", "holder", 1, 0, 70_000) // expires after the caller stops waiting (60 s)
      const waiter = yield* Effect.fork(Effect.flatten(store.watchSlots("w", 0, 60_000)))
      yield* TestClock.adjust("61 seconds")
      expect(waiter.unsafePoll()).toBeNull()
      yield* store.releaseSlot("w", "holder")
      yield* Fiber.join(waiter)
    }))
})
