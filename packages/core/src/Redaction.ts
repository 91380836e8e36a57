/**
 * Which request and response headers stay out of spans and logs (O3): `@effect/platform` records every header
 * of a client request as a span attribute unless its name is on `Headers.currentRedactedNames`. The clients add
 * their secret headers and a call's own `headers` to that list, after what is already on it (the platform's
 * defaults and any names the application added), never instead of it.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { dual } from "effect/Function"
import * as Layer from "effect/Layer"

/**
 * Header names never recorded in spans or logs: credentials, sign-in and payment headers, cookies.
 *
 * @since 0.1.0
 * @category constants
 */
export const secretHeaders: ReadonlyArray<string> = [
  "authorization",
  "sign-in-with-x",
  "x-sign-in-with-x",
  "payment-signature",
  "x-402-payment",
  "x-payment",
  "x-api-key",
  "cookie",
  "set-cookie"
]

/**
 * `names` appended to a redaction list (lower-cased, as `Headers.redact` compares them; names already on it are not
 * repeated).
 *
 * @since 0.1.0
 * @category combinators
 */
export const append = (
  current: ReadonlyArray<string | RegExp>,
  names: Iterable<string>
): ReadonlyArray<string | RegExp> => {
  const added: Array<string> = []
  for (const name of names) {
    const lower = name.toLowerCase()
    if (!current.includes(lower) && !added.includes(lower)) added.push(lower)
  }
  return added.length === 0 ? current : [...current, ...added]
}

/**
 * Runs `effect` with `names` added to `@effect/platform`'s redaction list (what it holds already stays on it). When
 * the list already holds them all (e.g. {@link layerSecrets} set them for the whole runtime), `effect` runs as it is:
 * no fiber-local change per call.
 *
 * @since 0.1.0
 * @category combinators
 */
export const redacting: {
  (names: Iterable<string>): <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  <A, E, R>(effect: Effect.Effect<A, E, R>, names: Iterable<string>): Effect.Effect<A, E, R>
} = dual(
  2,
  <A, E, R>(effect: Effect.Effect<A, E, R>, names: Iterable<string>): Effect.Effect<A, E, R> =>
    Effect.flatMap(FiberRef.get(Headers.currentRedactedNames), (current) => {
      const next = append(current, names)
      return next === current ? effect : Effect.locally(effect, Headers.currentRedactedNames, next)
    })
)

/**
 * Runs `effect` with {@link secretHeaders} added to `@effect/platform`'s redaction list.
 *
 * @since 0.1.0
 * @category combinators
 */
export const redactingSecrets = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  redacting(effect, secretHeaders)

/**
 * {@link secretHeaders} added to `@effect/platform`'s redaction list for the rest of the scope: as a layer, for every
 * fiber of the runtime it is part of. A provider client's layer includes it, so its calls find the names already on
 * the list instead of adding them per call.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerSecrets: Layer.Layer<never> = Layer.scopedDiscard(
  Effect.locallyScopedWith(Headers.currentRedactedNames, (current) => append(current, secretHeaders))
)
