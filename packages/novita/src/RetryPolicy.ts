/**
 * Novita's default retry policy (N3, R7): core's composable retry `Schedule`s (`RetryPolicy.make`) driven by
 * Novita's classifier. Rate limits (`RATE_LIMIT_EXCEEDED`, `TOKEN_LIMIT_EXCEEDED`, `LIST_BILL_TOO_FAST`) and transient
 * 5xx back off exponentially — Novita sends no rate-limit headers, so there is nothing to wait on — and auth, balance,
 * permission, validation and content codes never retry. Replace or compose it per client
 * (`NovitaClient.layer({ retry })`) or per call (`{ retry }` of every endpoint function).
 *
 * @example
 * ```ts
 * import { Schedule } from "effect"
 * import { RetryPolicy } from "@venice-effect/novita"
 *
 * // 2 retries, never more than 10 s in total
 * const policy = RetryPolicy.make({ maxRetries: 2 }).pipe(Schedule.upTo("10 seconds"))
 * ```
 *
 * @since 0.1.0
 */
import type * as ClientError from "@venice-effect/core/ClientError"
import * as CoreRetryPolicy from "@venice-effect/core/RetryPolicy"
import * as Schedule from "effect/Schedule"
import * as NovitaError from "./NovitaError.js"

/**
 * Every error a Novita call can fail with: a decoded response error, or a client-side one (transport, local
 * validation, an undecodable 2xx body, a wait above the maximum).
 *
 * @since 0.1.0
 * @category models
 */
export type NovitaClientError = NovitaError.NovitaError | ClientError.ClientError

/**
 * Retry facts of a Novita call's error: the catalog's class (else the status's), and the wait a proxy in front
 * announced with `Retry-After`, if any (Novita itself announces none); a client-side error's class is core's.
 *
 * @since 0.1.0
 * @category classification
 */
export const classify: CoreRetryPolicy.Classifier<NovitaClientError> = CoreRetryPolicy.withClientErrors(
  (error: NovitaError.NovitaError) => {
    const retryClass = NovitaError.retryClass(error)
    return error.retryAfter !== undefined && retryClass === "header-wait"
      ? { retryClass, announced: error.retryAfter, announcedBy: "retry-after" }
      : { retryClass }
  }
)

const policies = CoreRetryPolicy.forProvider(classify)

/**
 * The default policy with options (`make(options?)`, like every provider's): `never` stops at once; 429s and
 * transient 5xx back off exponentially from 0.5 s (×2, ≤ 30 s, ±20 % jitter); transport failures too; 4 retries.
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
 * Whether a failure proves that Novita did not act on a request: Novita itself answered with a catalogued refusal
 * (its `{code, reason}` document), the connection was never made, or the client refused before sending. A bare
 * 5xx from something in front (HTML, empty, an uncatalogued reason) or a connection lost after sending proves
 * nothing: the request may have been forwarded and acted on.
 *
 * @since 0.1.0
 * @category classification
 */
export const provesNotActedOn = (error: NovitaClientError): boolean => {
  switch (error._tag) {
    case "NovitaApiError":
      return error.group !== undefined || error.status < 500
    case "NovitaNotFoundRouteError":
      return true
    case "NovitaUnrecognizedError":
      return error.status < 500
    case "TransportError":
      return !error.maybeDelivered
    default:
      return true
  }
}

/**
 * Restricts a policy for calls that may bill and are not idempotent (async task submissions, N4/R9): it only
 * continues while the failure {@link provesNotActedOn | proves} that nothing was done. (The client also marks such
 * calls non-resendable, which stops after a transport failure once the request may have left.)
 *
 * @since 0.1.0
 * @category policies
 */
export const forSubmission = <Out, R>(
  policy: Schedule.Schedule<Out, NovitaClientError, R>
): Schedule.Schedule<Out, NovitaClientError, R> => policy.pipe(Schedule.zipLeft(Schedule.recurWhile(provesNotActedOn)))

/**
 * Only the delay part (backoff, or a proxy's announced wait), unbounded: compose it with your own stop conditions.
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
