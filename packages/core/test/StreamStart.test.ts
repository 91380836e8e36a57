import { describe, expect, it } from "@effect/vitest"
import * as StreamStart from "@venice-effect/core/StreamStart"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"

class Early {
  readonly _tag = "Early"
}
class InBand {
  readonly _tag = "InBand"
}
type Err = Early | InBand

const beforeFirst = (e: Err): Option.Option<string> => (e._tag === "Early" ? Option.some("retry me") : Option.none())

describe("StreamStart.commitOnFirst", () => {
  it.scoped("returns the values (the first chunk included) once the first element arrived", () =>
    Effect.gen(function*() {
      const pulled = yield* Ref.make(0)
      const source = Stream.make(1, 2, 3, 4).pipe(Stream.rechunk(1), Stream.tap(() => Ref.update(pulled, (n) => n + 1)))
      const values = yield* StreamStart.commitOnFirst(source, { scope: yield* Effect.scope, beforeFirst })
      // only the first element was pulled inside the attempt
      expect(yield* Ref.get(pulled)).toBe(1)
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(values))).toEqual([1, 2, 3, 4])
    }))

  it.scoped("a failure before the first element that beforeFirst maps fails the attempt", () =>
    Effect.gen(function*() {
      const source = Stream.empty.pipe(Stream.concat(Stream.fail<Err>(new Early())))
      const result = yield* Effect.either(
        StreamStart.commitOnFirst(source, { scope: yield* Effect.scope, beforeFirst })
      )
      expect(result).toEqual(Either.left("retry me"))
    }))

  it.scoped("a failure it does not map stays the stream's: the attempt succeeds, the values fail", () =>
    Effect.gen(function*() {
      const values = yield* StreamStart.commitOnFirst(Stream.fail<Err>(new InBand()), {
        scope: yield* Effect.scope,
        beforeFirst
      })
      const error = yield* Effect.flip(Stream.runDrain(values))
      expect(error._tag).toBe("InBand")
    }))

  it.scoped("after the first element, failures are the stream's own (never the attempt's)", () =>
    Effect.gen(function*() {
      const source = Stream.make(1).pipe(Stream.concat(Stream.fail<Err>(new Early())))
      const values = yield* StreamStart.commitOnFirst(source, { scope: yield* Effect.scope, beforeFirst })
      const collected: Array<number> = []
      const error = yield* Effect.flip(Stream.runForEach(values, (n) => Effect.sync(() => collected.push(n))))
      expect(collected).toEqual([1])
      expect(error._tag).toBe("Early")
    }))

  it.scoped("an empty stream returns empty values; the stream's resources are released when the values end", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(0)
      const resource = Stream.acquireRelease(Effect.void, () => Ref.update(released, (n) => n + 1))
      const empty = yield* StreamStart.commitOnFirst(
        Stream.flatMap(resource, () => Stream.empty),
        { scope: yield* Effect.scope, beforeFirst }
      )
      expect(Chunk.size(yield* Stream.runCollect(empty))).toBe(0)
      const values = yield* StreamStart.commitOnFirst(
        Stream.flatMap(resource, () => Stream.make(1, 2)),
        { scope: yield* Effect.scope, beforeFirst }
      )
      expect(yield* Ref.get(released)).toBe(1)
      yield* Stream.runDrain(values)
      expect(yield* Ref.get(released)).toBe(2)
    }))
})
