/**
 * How a failure may be retried. Every catalog code carries one, and every decoded error answers one
 * (R1–R5). The retry `Schedule`s dispatch on it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * - `never` — retrying cannot help and burns the provider's error budget (R1): bad input, auth, entitlement.
 * - `backoff` — transient server or transport failure: exponential backoff with jitter (R2).
 * - `header-wait` — a rate limit: wait what the server announced (`Retry-After`, reset headers), else back off (R3).
 * - `pay-then-retry` — an x402 wallet is out of credit: top up within the caller's caps, then retry once (R4).
 * - `modify-then-retry` — the server offered a modified request (e.g. `suggested_prompt`) that may be retried once
 *   with the caller's consent (R5).
 *
 * @since 0.1.0
 * @category models
 */
export const RetryClass = Schema.Literal("never", "backoff", "header-wait", "pay-then-retry", "modify-then-retry")

/**
 * @since 0.1.0
 * @category models
 */
export type RetryClass = typeof RetryClass.Type

/**
 * Every retry class, in a stable order (useful for metrics and docs).
 *
 * @since 0.1.0
 * @category constants
 */
export const all: ReadonlyArray<RetryClass> = RetryClass.literals

/**
 * The class a bare HTTP status implies when nothing more specific is known (an uncatalogued code, a body that
 * could not be decoded): 429 waits on headers, 5xx back off, 408 backs off, every other 4xx never retries.
 * Payment and content-policy retries are never inferred from a status alone: they need the body's evidence.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromStatus = (status: number): RetryClass =>
  status === 429 ? "header-wait" : status >= 500 || status === 408 ? "backoff" : "never"

/**
 * Whether a class allows any automatic retry at all.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (retryClass: RetryClass): boolean => retryClass !== "never"
