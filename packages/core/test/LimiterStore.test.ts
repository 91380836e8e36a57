/**
 * The in-memory LimiterStore's concurrency slots (SPEC X4): `limit` holders at once, idempotent per lease, released
 * on demand, reclaimed after their TTL.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
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
