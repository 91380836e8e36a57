import { describe, expect, it } from "@effect/vitest"
import * as Poll from "@venice-effect/core/Poll"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"

class GaveUp {
  readonly _tag = "GaveUp"
  constructor(readonly last: Option.Option<number>) {}
}

const counter = (done: number) =>
  Effect.map(Ref.make(0), (ref) => Ref.updateAndGet(ref, (n) => n + 1).pipe(Effect.map((n) => Math.min(n, done))))

describe("Poll.untilDone", () => {
  it.effect("emits every state up to and including the done one, waiting as the schedule says", () =>
    Effect.gen(function*() {
      const check = yield* counter(3)
      const fiber = yield* Effect.fork(Stream.runCollect(
        Poll.untilDone(check, {
          isDone: (n) => n === 3,
          schedule: Schedule.spaced("1 second"),
          onGiveUp: (last) => new GaveUp(last)
        })
      ))
      yield* TestClock.adjust("2 seconds")
      expect(Chunk.toReadonlyArray(yield* Fiber.join(fiber))).toEqual([1, 2, 3])
    }))

  it.effect("fails with onGiveUp(last state) when the schedule stops first", () =>
    Effect.gen(function*() {
      const check = yield* counter(10)
      const fiber = yield* Effect.fork(Effect.flip(Stream.runDrain(
        Poll.untilDone(check, {
          isDone: (n) => n === 10,
          schedule: Schedule.spaced("1 second").pipe(Schedule.intersect(Schedule.recurs(2))),
          onGiveUp: (last) => new GaveUp(last)
        })
      )))
      yield* TestClock.adjust("5 seconds")
      const error = yield* Fiber.join(fiber)
      expect(error.last).toEqual(Option.some(3))
    }))
})
