/**
 * `Testing.drive`: it moves the TestClock to the wake-ups a fiber still waits for, never to one left behind by an
 * interrupted sleep (the TestClock keeps those). The driver reads that from the TestClock's state; if an Effect upgrade
 * moved it, the driver would fall back to its event bookkeeping and these tests would fail.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as TestClock from "effect/TestClock"
import * as Testing from "../src/Testing.js"

describe("Testing.drive", () => {
  it.effect("does not move time to the wake-up of a finished timeout while the effect waits on real I/O", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const exit = yield* Testing.drive(Effect.gen(function*() {
        // a timeout around something that answered at once: its 1 s wake-up stays in the TestClock, waited for by nobody
        yield* Effect.timeout(Effect.void, "1 second")
        // then real time passes outside the TestClock (a socket, a signature): the driver sees nothing in flight
        yield* Testing.realPause(60)
        return yield* Clock.currentTimeMillis
      }))
      expect(exit).toEqual(Exit.succeed(start))
      expect((yield* TestClock.sleeps()).length).toBe(1) // the stale wake-up is still there
    }))

  it.effect("moves time to a wake-up a fiber waits for", () =>
    Effect.gen(function*() {
      const start = yield* Clock.currentTimeMillis
      const exit = yield* Testing.drive(Effect.zipRight(Effect.sleep("30 seconds"), Clock.currentTimeMillis))
      expect(exit).toEqual(Exit.succeed(start + 30_000))
    }))
})
