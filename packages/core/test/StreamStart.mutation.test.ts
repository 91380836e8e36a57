/**
 * `StreamStart.commitOnFirst` beyond its happy paths (docs/testing.md "Mutation testing"): empty chunks before the
 * first element, a defect or an interruption before it, and the stream's resources on each way an attempt ends — a
 * failure mapped to the attempt, one kept as the stream's, the caller's scope closing before the values run.
 */
import { describe, expect, it } from "@effect/vitest"
import * as StreamStart from "@venice-effect/core/StreamStart"
import * as Chunk from "effect/Chunk"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

const mapAll = (e: string): Option.Option<string> => Option.some(`attempt: ${e}`)
const mapNone = (_: string): Option.Option<string> => Option.none()

/** A stream holding a resource whose release is counted. */
const withResource = <A, E>(released: Ref.Ref<number>, inner: Stream.Stream<A, E>) =>
  Stream.flatMap(Stream.acquireRelease(Effect.void, () => Ref.update(released, (n) => n + 1)), () => inner)

describe("StreamStart.commitOnFirst (mutation testing)", () => {
  it.scoped("empty chunks before the first element are skipped, not taken for the first element", () =>
    Effect.gen(function*() {
      const source = Stream.fromChunks(Chunk.empty<number>(), Chunk.empty<number>(), Chunk.make(7, 8), Chunk.make(9))
      const values = yield* StreamStart.commitOnFirst(source, { scope: yield* Effect.scope, beforeFirst: mapAll })
      expect(Chunk.toReadonlyArray(yield* Stream.runCollect(values))).toEqual([7, 8, 9])
    }))

  it.scoped("a failure mapped to the attempt fails it with the mapped error and releases the stream's resources", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(0)
      const source = withResource(released, Stream.fail("early"))
      const exit = yield* Effect.exit(
        StreamStart.commitOnFirst(source, { scope: yield* Effect.scope, beforeFirst: mapAll })
      )
      expect(exit).toEqual(Exit.fail("attempt: early"))
      expect(yield* Ref.get(released)).toBe(1)
    }))

  it.scoped("a failure kept as the stream's: its resources are released at once, the values fail with it", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(0)
      const values = yield* StreamStart.commitOnFirst(withResource(released, Stream.fail("in-band")), {
        scope: yield* Effect.scope,
        beforeFirst: mapNone
      })
      expect(yield* Ref.get(released)).toBe(1)
      expect(yield* Effect.flip(Stream.runDrain(values))).toBe("in-band")
    }))

  it.scoped("a defect before the first element is a defect of the attempt, not a typed failure", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        StreamStart.commitOnFirst(Stream.die("boom"), { scope: yield* Effect.scope, beforeFirst: mapAll })
      )
      expect(Exit.isFailure(exit) && Exit.causeOption(exit).pipe(Option.map((c) => c._tag))).toEqual(
        Option.some("Die")
      )
    }))

  it.scoped("an attempt interrupted before the first element releases the stream's resources", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(0)
      const opened = yield* Deferred.make<void>()
      const source = withResource(
        released,
        Stream.fromEffect(Effect.zipRight(Deferred.succeed(opened, void 0), Effect.never))
      )
      const fiber = yield* Effect.fork(
        StreamStart.commitOnFirst(source, { scope: yield* Effect.scope, beforeFirst: mapAll })
      )
      yield* Deferred.await(opened)
      yield* Fiber.interrupt(fiber)
      expect(yield* Ref.get(released)).toBe(1)
    }))

  it.effect("values never run are released when the caller's scope closes", () =>
    Effect.gen(function*() {
      const released = yield* Ref.make(0)
      const scope = yield* Scope.make()
      yield* StreamStart.commitOnFirst(withResource(released, Stream.make(1, 2)), { scope, beforeFirst: mapAll })
      expect(yield* Ref.get(released)).toBe(0)
      yield* Scope.close(scope, Exit.void)
      expect(yield* Ref.get(released)).toBe(1)
    }))
})
