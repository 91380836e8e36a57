/**
 * Starting a streamed response inside one attempt of a call (S3): everything up to the stream's first element
 * belongs to the attempt — a body that breaks or ends before it fails the attempt, and the call's retry `Schedule`
 * decides — while the first element commits the attempt: from then on nothing is retried implicitly and failures are
 * the stream's own.
 *
 * Used from a `Pipeline.Call`'s `onSuccess`: decode the response body into a `Stream`, then
 * {@link commitOnFirst} it; the values come back as a `Stream` that starts with the element already read.
 *
 * @example
 * ```ts
 * import * as ClientError from "@venice-effect/core/ClientError"
 * import * as StreamStart from "@venice-effect/core/StreamStart"
 * import * as Effect from "effect/Effect"
 * import * as Option from "effect/Option"
 * import type * as Stream from "effect/Stream"
 *
 * type MyStreamError = { readonly _tag: "Truncated" } | { readonly _tag: "EventError" }
 * declare const chunks: Stream.Stream<string, MyStreamError>
 *
 * // inside a Pipeline call's onSuccess (a Scope is in context: the caller's)
 * const started = Effect.flatMap(Effect.scope, (scope) =>
 *   StreamStart.commitOnFirst(chunks, {
 *     scope,
 *     // an early end is a transport failure of the attempt (retried); an in-band error stays the stream's
 *     beforeFirst: (e) =>
 *       e._tag === "Truncated"
 *         ? Option.some(new ClientError.TransportError({ provider: "p", reason: "reset", message: "ended early", maybeDelivered: true }))
 *         : Option.none()
 *   }))
 * ```
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionStrategy from "effect/ExecutionStrategy"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"

/**
 * What happens to a streamed body as it is read: `open` when reading starts, `data` for each chunk received, `close`
 * when it ends (however). Providers' stream readers report it; the default ignores it. Test clock drivers use it to
 * tell a stream whose bytes are on the wire from a stalled one (they must not move a `TestClock` past a stream's
 * idle bound while its bytes are still arriving in real time).
 *
 * @since 0.1.0
 * @category observation
 */
export class Activity extends Context.Reference<Activity>()("@venice-effect/core/StreamStart/Activity", {
  defaultValue: (): (what: "open" | "data" | "close") => Effect.Effect<void> => () => Effect.void
}) {}

/**
 * Options of {@link commitOnFirst}.
 *
 * - `scope`: where the rest of the stream lives. A child scope of it holds the stream's resources; the child closes
 *   when the returned values end, fail or are interrupted, when the attempt is interrupted before the first element,
 *   or when `scope` itself closes (values never run).
 * - `beforeFirst`: what a failure before the first element means. `Some(e2)` fails the attempt with `e2` (the call's
 *   retry policy decides); `None` keeps the error as the stream's own: the attempt succeeds, and the values fail with
 *   it when run (e.g. an in-band error event as the very first event: the server answered, retrying blindly is wrong).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options<E, E2> {
  readonly scope: Scope.Scope
  readonly beforeFirst: (error: E) => Option.Option<E2>
}

/**
 * Pulls `stream` until its first non-empty chunk and returns the values (that chunk, then the rest). A stream that
 * ends before any element returns empty values. Defects and interruptions before the first element propagate.
 *
 * @since 0.1.0
 * @category constructors
 */
export const commitOnFirst = <A, E, E2>(
  stream: Stream.Stream<A, E>,
  options: Options<E, E2>
): Effect.Effect<Stream.Stream<A, E>, E2> =>
  Effect.gen(function*() {
    const scope = yield* Scope.fork(options.scope, ExecutionStrategy.sequential)
    const pull = yield* Scope.extend(Stream.toPull(stream), scope)
    const first = yield* Effect.exit(firstNonEmpty(pull)).pipe(
      Effect.onInterrupt(() => Scope.close(scope, Exit.void))
    )
    if (Exit.isSuccess(first)) {
      const values: Stream.Stream<A, E> = Option.isNone(first.value)
        ? Stream.empty
        : Stream.concat(Stream.fromChunk(first.value.value), Stream.repeatEffectChunkOption(pull))
      return Stream.ensuring(values, Scope.close(scope, Exit.void))
    }
    yield* Scope.close(scope, first)
    const failure = Cause.failureOption(first.cause)
    // no failure: the cause is a defect or an interruption, re-raised as it is
    if (Option.isNone(failure)) return yield* Effect.failCause(Cause.stripFailures(first.cause))
    const attemptError = options.beforeFirst(failure.value)
    if (Option.isSome(attemptError)) return yield* Effect.fail(attemptError.value)
    return Stream.fail(failure.value)
  })

/** Pulls until a non-empty chunk (`None` at the end of the stream). */
const firstNonEmpty = <A, E>(
  pull: Effect.Effect<Chunk.Chunk<A>, Option.Option<E>>
): Effect.Effect<Option.Option<Chunk.Chunk<A>>, E> =>
  Effect.matchEffect(pull, {
    onFailure: (e) => Option.isNone(e) ? Effect.succeed(Option.none()) : Effect.fail(e.value),
    onSuccess: (chunk) => Chunk.isEmpty(chunk) ? firstNonEmpty(pull) : Effect.succeed(Option.some(chunk))
  })
