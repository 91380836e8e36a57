/**
 * Venice's default retry policy and the pieces it is made of (R1–R3, R7), as `Schedule`s over
 * {@link VeniceClientError}. Replace or compose them per client (`VeniceClient.layer({ retry })`) or per call
 * (`{ retry }` option of every endpoint).
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { RetryPolicy } from "@venice-effect/venice"
 *
 * // the defaults with 2 retries, and never more than 10 s in total
 * const policy = RetryPolicy.make({ maxRetries: 2 }).pipe(Schedule.upTo("10 seconds"))
 * ```
 *
 * @since 0.1.0
 */
import type * as ClientError from "@venice-effect/core/ClientError"
import * as CoreRetryPolicy from "@venice-effect/core/RetryPolicy"
import * as Duration from "effect/Duration"
import type * as VeniceClient from "./VeniceClient.js"
import * as VeniceError from "./VeniceError.js"
import * as WalletError from "./WalletError.js"

/**
 * Every error a Venice call can fail with: a decoded response error, a client-side one, or what the program's
 * credentials declared (`VeniceClient.AuthenticatorErrors`): with a wallet, a `WalletError` — signing failed, the
 * payment policy refused to pay a 402, or its top-up failed. A program that uses no wallet declares nothing: its calls
 * name no wallet error.
 *
 * @since 0.1.0
 * @category models
 */
export type VeniceClientError = VeniceError.VeniceError | ClientError.ClientError | VeniceClient.AuthenticatorError

/**
 * The wait assumed for an overload 429 that names none (H1: default 30 s).
 *
 * @since 0.1.0
 * @category constants
 */
export const OVERLOAD_DEFAULT_WAIT: Duration.Duration = Duration.seconds(30)

/**
 * Retry facts of a Venice call's error: the class from the catalog and the body's evidence, and the wait the
 * server announced (`Retry-After`, a body `retry_after`, or the reset of the limit that refused).
 *
 * @since 0.1.0
 * @category classification
 */
export const classify: CoreRetryPolicy.Classifier<VeniceClientError | WalletError.WalletError> = CoreRetryPolicy
  .withClientErrors(
    (error: VeniceError.VeniceError | WalletError.WalletError) => {
      // the client's own wallet decisions are final (a refusal, a failed top-up or signer)
      if (WalletError.isWalletError(error)) return { retryClass: "never" }
      const retryClass = VeniceError.retryClass(error)
      if (error.retryAfter !== undefined) {
        return { retryClass, announced: error.retryAfter, announcedBy: error.retryAfterFrom ?? "retry-after" }
      }
      if (error.code === "MODEL_OVERLOADED") {
        return { retryClass, announced: OVERLOAD_DEFAULT_WAIT, announcedBy: "overload default (30 s)" }
      }
      return { retryClass }
    }
  )

const policies = CoreRetryPolicy.forProvider<VeniceClientError>(classify)

/**
 * The default policy (`make(options?)`, like every provider's): `never` stops at once, 429s wait what Venice
 * announced, 5xx and transport failures back off exponentially from 0.5 s (×2, ≤ 30 s, jittered), 4 retries.
 * Pay-then-retry and modify-then-retry are separate combinators (they change the world or the request, not just the
 * time).
 *
 * @since 0.1.0
 * @category policies
 */
export const make = policies.make

/**
 * The default policy with default options.
 *
 * @since 0.1.0
 * @category policies
 */
export const defaultPolicy = policies.defaultPolicy

/**
 * Only the delay part (announced wait, else backoff), unbounded: compose it with your own stop conditions.
 *
 * @since 0.1.0
 * @category building blocks
 */
export const delays = policies.delays

/**
 * Continues while the error's retry class is one of `classes` (default: `backoff`, `header-wait`).
 *
 * @since 0.1.0
 * @category building blocks
 */
export const whileClass = policies.whileClass

/**
 * Core's classifier-free pieces: capped exponential backoff (0.5 s × 2ⁿ ≤ 30 s) and `none` (never retry).
 *
 * @since 0.1.0
 * @category building blocks
 */
export { exponential, none } from "@venice-effect/core/RetryPolicy"
