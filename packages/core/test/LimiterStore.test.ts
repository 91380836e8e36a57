/**
 * The in-memory LimiterStore's concurrency slots (X4): `limit` holders at once, idempotent per lease, released
 * on demand, reclaimed after their TTL.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as TestClock from "effect/TestClock"
import * as LimiterStore from "../src/LimiterStore.js"

describe("LimiterStore slots", () => {
  it.effect("grants `limit` leases, then Busy; a release frees one; a lease is granted again idempotently", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      const take = (lease: string, now = 0) => store.acquireSlot("wallet", lease, 2, now, 60_000)
      expect((yield* take("a"))._tag).toBe("Granted")
      expect((yield* take("b"))._tag).toBe("Granted")
      expect(yield* take("c")).toEqual({ _tag: "Busy", inUse: 2 })
      expect((yield* take("a"))._tag).toBe("Granted") // already held: still one slot
      expect(yield* store.slotsInUse("wallet", 0)).toBe(2)
      yield* store.releaseSlot("wallet", "a")
      yield* store.releaseSlot("wallet", "unknown")
      expect((yield* take("c"))._tag).toBe("Granted")
      expect(yield* store.slotsInUse("other", 0)).toBe(0)
    }))

  it.effect("a slot never released is reclaimed after its TTL", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      expect((yield* store.acquireSlot("w", "crashed", 1, 0, 1_000))._tag).toBe("Granted")
      expect((yield* store.acquireSlot("w", "next", 1, 999, 1_000))._tag).toBe("Busy")
      expect((yield* store.acquireSlot("w", "next", 1, 1_000, 1_000))._tag).toBe("Granted")
      expect(yield* store.slotsInUse("w", 1_000)).toBe(1)
    }))

  it.effect("a limit below 1 still admits one holder", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      expect((yield* store.acquireSlot("w", "a", 0, 0, 1_000))._tag).toBe("Granted")
      expect((yield* store.acquireSlot("w", "b", 0, 0, 1_000))._tag).toBe("Busy")
    }))
})

describe("LimiterStore windows", () => {
  it.effect("a 429's Retry-After wins over the exhausted window the same response described (R3)", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      // the 429: window of 10, none left, resets in 60 s; Retry-After: 5 s
      yield* store.observeWindow("k", { limit: 10, remaining: 0, resetAt: 60_000 }, 0)
      yield* store.block("k", 5_000, 0)
      expect(yield* store.reserve("k", 1_000)).toEqual({ _tag: "Wait", until: 5_000 })
      expect((yield* store.reserve("k", 5_000))._tag).toBe("Granted")
    }))

  it.effect("a window whose end no response named ends one span after it began (L2: no livelock)", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      // a window of 2, described 60 s before its end: the span (how long a window lasts) is 60 s
      yield* store.observeWindow("k", { limit: 2, remaining: 2, resetAt: 60_000 }, 0)
      expect((yield* store.reserve("k", 1))._tag).toBe("Granted")
      yield* store.observeWindow("k", { limit: 2, remaining: 0, resetAt: 60_000 }, 2) // the window is used up
      expect(yield* store.reserve("k", 3)).toEqual({ _tag: "Wait", until: 60_000 })
      // the next window's requests are answered without limit headers: its end stays unknown
      expect((yield* store.reserve("k", 60_000))._tag).toBe("Granted")
      expect((yield* store.reserve("k", 60_001))._tag).toBe("Granted")
      expect(yield* store.reserve("k", 60_002)).toEqual({ _tag: "Wait", until: 120_000 })
      expect(yield* store.reserve("k", 119_999)).toEqual({ _tag: "Wait", until: 120_000 })
      // a span later the window is over though no response said so, and another begins
      expect((yield* store.reserve("k", 120_000))._tag).toBe("Granted")
      expect((yield* store.reserve("k", 120_001))._tag).toBe("Granted")
      expect(yield* store.reserve("k", 120_002)).toEqual({ _tag: "Wait", until: 180_000 })
      // a response naming the window's end wins over the estimate
      yield* store.observeWindow("k", { limit: 2, remaining: 1, resetAt: 150_000 }, 120_003)
      expect(yield* store.reserve("k", 120_004)).toEqual({ _tag: "Wait", until: 150_000 })
    }))

  it.effect("a window that is already over is not observed; a longer one lengthens the span", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.observeWindow("k", { limit: 1, remaining: 0, resetAt: 1_000 }, 1_000) // over: ignored
      expect((yield* store.reserve("k", 1_000))._tag).toBe("Granted")
      expect((yield* store.reserve("k", 1_001))._tag).toBe("Granted") // still the unknown bucket
      const fresh = LimiterStore.makeMemory()
      yield* fresh.observeWindow("k", { limit: 1, remaining: 1, resetAt: 500 }, 0)
      yield* fresh.observeWindow("k", { limit: 1, remaining: 1, resetAt: 2_000 }, 100) // a newer, longer window
      expect((yield* fresh.reserve("k", 200))._tag).toBe("Granted")
      expect(yield* fresh.reserve("k", 300)).toEqual({ _tag: "Wait", until: 2_000 })
      expect((yield* fresh.reserve("k", 2_000))._tag).toBe("Granted")
      expect(yield* fresh.reserve("k", 2_001)).toEqual({ _tag: "Wait", until: 2_000 + 1_900 })
    }))

  it.effect("a block shorter than nothing, or without a window, only blocks", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.block("k", 0, 10) // in the past: ignored
      expect((yield* store.reserve("k", 10))._tag).toBe("Granted")
      yield* store.block("j", 2_000, 0)
      expect(yield* store.reserve("j", 1_000)).toEqual({ _tag: "Wait", until: 2_000 })
      expect((yield* store.reserve("j", 2_000))._tag).toBe("Granted")
    }))
})

describe("LimiterStore.watchSlots (in memory)", () => {
  it.effect("a waiter wakes when a slot of its bucket is released, without time passing", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.acquireSlot("w", "a", 1, 0, 60_000)
      const freed = yield* store.watchSlots("w", 0, 60_000)
      const waiter = yield* Effect.fork(freed)
      yield* store.releaseSlot("w", "unknown") // nothing was freed: the waiter keeps waiting
      yield* store.releaseSlot("other", "a")
      yield* Effect.yieldNow()
      expect(waiter.unsafePoll()).toBeNull()
      yield* store.releaseSlot("w", "a")
      yield* Fiber.join(waiter)
      expect((yield* store.acquireSlot("w", "b", 1, 0, 60_000))._tag).toBe("Granted")
    }))

  it.effect("a waiter wakes when the earliest lease of the bucket expires (a holder that never releases)", () =>
    Effect.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.acquireSlot("w", "crashed", 1, 0, 1_000)
      const waiter = yield* Effect.fork(Effect.flatten(store.watchSlots("w", 0, 60_000)))
      yield* TestClock.adjust("999 millis")
      expect(waiter.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      yield* Fiber.join(waiter)
      expect((yield* store.acquireSlot("w", "next", 1, 1_000, 1_000))._tag).toBe("Granted")
    }))
})
