/**
 * One HTTP exchange of an attempt: send, read the answer within the attempt timeout, and turn a non-2xx answer into
 * exactly one of the provider's errors (counted against the error budget, paced on, logged).
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as ClientError from "../../ClientError.js"
import { readBounded } from "./bodies.js"
import { type CallContext, facts, transportError } from "./context.js"
import * as Guard from "./guard.js"
import * as Pacing from "./pacing.js"
import * as Telemetry from "./telemetry.js"
import * as Timeout from "./timeout.js"
import { describeTransport, transportReason } from "./transport.js"

/** Error bodies are read up to this many bytes; the rest is discarded (B1: huge bodies). */
const ERROR_BODY_LIMIT = 4 * 1024 * 1024

/** What the exchange got: the call's result, or an error answer read whole (bounded). */
export type Answer<A> =
  | { readonly _tag: "Success"; readonly value: A; readonly status: number }
  | {
    readonly _tag: "Failure"
    readonly response: HttpClientResponse.HttpClientResponse
    readonly body: Uint8Array
    /** When the headers arrived (epoch ms of the call's `Clock`). */
    readonly now: number
  }

type Phase = "headers" | "body" | "error-body"

/**
 * Sends the authorized request and reads the answer under one timeout for the whole exchange (one timer per
 * attempt): until the headers, then whatever time is left for the body — the whole body of a JSON call or a stream's
 * first event (the S3 boundary) on success, the error body otherwise. A body that stalls after the headers fails
 * typed instead of hanging (B1). The limits of every answer are recorded; a 2xx resolves the error-budget slot
 * before its body is read.
 */
export const exchange = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  request: HttpClientRequest.HttpClientRequest,
  resolved: Effect.Effect<void>
): Effect.Effect<Answer<A>, E | ClientError.ClientError, R> => {
  // which part of the exchange the timeout cut, for its message: written by the exchange, read by the timeout
  const progress: { phase: Phase } = { phase: "headers" }
  return Effect.gen(function*() {
    const response = yield* ctx.client.execute(request).pipe(
      Effect.catchAll((e: HttpClientError.HttpClientError) => {
        const { reason } = transportReason(e.cause)
        const message = describeTransport(reason, "before the response headers")
        return Effect.fail(transportError(ctx, attempt, reason, message))
      })
    )
    const now = yield* Clock.currentTimeMillis
    yield* Pacing.recordLimits(ctx, response.headers, now)
    if (response.status >= 200 && response.status < 300) {
      yield* resolved
      progress.phase = "body"
      const value = yield* ctx.call.onSuccess(response, facts(ctx, attempt))
      return { _tag: "Success", value, status: response.status } as const
    }
    progress.phase = "error-body"
    const body = yield* readBounded(
      response,
      ERROR_BODY_LIMIT,
      (reason, message) => transportError(ctx, attempt, reason, message)
    )
    return { _tag: "Failure", response, body, now } as const
  }).pipe(
    (exchange) =>
      Timeout.within(
        exchange,
        ctx.call.timeout,
        () => transportError(ctx, attempt, "timeout", timeoutMessage(progress.phase, ctx.call.timeout))
      )
  )
}

const timeoutMessage = (phase: Phase, timeout: Duration.Duration): string => {
  switch (phase) {
    case "headers":
      return describeTransport("timeout", `within ${Duration.format(timeout)}`)
    case "body":
      return `response body incomplete within the attempt timeout of ${Duration.format(timeout)}`
    case "error-body":
      return describeTransport("timeout", `while reading the error body (attempt timeout ${Duration.format(timeout)})`)
  }
}

/**
 * Turns an error answer into the provider's error: decoded, counted against the error budget (R8), its
 * error-budget slot resolved, a 429's announced wait closing the pacing bucket, logged at the catalog's level. An
 * announced wait above the call's maximum is not slept (R3, L1): the call fails with `WaitTooLongError`.
 */
export const failure = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  answer: Extract<Answer<A>, { readonly _tag: "Failure" }>,
  resolved: Effect.Effect<void>
): Effect.Effect<never, E | ClientError.ClientError> =>
  Effect.gen(function*() {
    const { provider, call } = ctx
    const { body, now, response } = answer
    const status = response.status
    const decoded = provider.decodeError({
      status,
      headers: response.headers,
      body,
      nowMillis: now,
      request: { ...facts(ctx, attempt), route: call.route }
    })
    yield* Telemetry.ignoredHeaders(ctx, decoded.ignoredHeaders)
    yield* Guard.countFailure(ctx, status, now)
    yield* resolved
    const retryFacts = provider.classify(decoded.error)
    yield* Pacing.blockOn429(ctx, status, retryFacts, now)
    yield* Telemetry.failed(ctx, attempt, status, decoded.error)
    // the server said it will not serve this call sooner than the caller is willing to wait: a 429's or a 5xx's
    // announced wait (`Retry-After`, a body `retry_after`)
    if (
      retryFacts.announced !== undefined &&
      (retryFacts.retryClass === "header-wait" || retryFacts.retryClass === "backoff") &&
      Duration.greaterThan(retryFacts.announced, call.maxWait)
    ) {
      return yield* ClientError.WaitTooLongError.fromCause({
        provider: provider.name,
        wait: retryFacts.announced,
        maxWait: call.maxWait,
        cause: decoded.error,
        call: facts(ctx, attempt)
      })
    }
    return yield* Effect.fail(decoded.error)
  })
