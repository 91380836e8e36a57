/**
 * Per-call configuration overrides, as `@effect/ai`'s providers do them: a `Context.Tag` of the provider's config,
 * merged over the enclosing one for one effect.
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import { dual } from "effect/Function"

/** The configuration in context, if any. */
export const getOrUndefined = <I, S>(tag: Context.Tag<I, S>): Effect.Effect<S | undefined> =>
  Effect.map(Effect.context<never>(), (context) => context.unsafeMap.get(tag.key))

/** `withConfigOverride` for a config tag. */
export const withOverride = <I, S extends object>(tag: Context.Tag<I, S>): {
  (overrides: S): <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(self: Effect.Effect<A, E, R>, overrides: S): Effect.Effect<A, E, R>
} =>
  dual(
    2,
    <A, E, R>(self: Effect.Effect<A, E, R>, overrides: S): Effect.Effect<A, E, R> =>
      Effect.flatMap(getOrUndefined(tag), (config) => Effect.provideService(self, tag, { ...config, ...overrides }))
  )
