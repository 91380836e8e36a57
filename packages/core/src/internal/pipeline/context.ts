/**
 * What every step of one call reads: the call, its provider, the client and store it runs on, its identity
 * (correlation id, sanitized URL) and where its observations go. Built once per call; the steps are plain functions
 * of it, so no step closes over another's state.
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Tracer from "effect/Tracer"
import * as ClientError from "../../ClientError.js"
import type * as LimiterStore from "../../LimiterStore.js"
import type * as Pipeline from "../../Pipeline.js"

/** The error-budget guard of a call (R8), when both the provider and the call have one. */
export interface Budget {
  readonly bucket: string
  /** The provider's limit of failed requests per window. */
  readonly limit: number
  readonly window: Duration.Duration
  /** Failures kept in hand: the guard refuses at `limit − margin`. */
  readonly margin: number
}

/** One call's context. */
export interface CallContext<A, E, R> {
  readonly provider: Pipeline.Provider<E>
  readonly call: Pipeline.Call<A, E, R>
  readonly client: HttpClient.HttpClient
  readonly store: LimiterStore.Service
  /** The request URL without credentials or query secrets. */
  readonly url: string
  readonly correlationId: string
  readonly budget: Budget | undefined
  /** Where the call's events go; absent when nobody observes (the default `Observer`): no event is built. */
  readonly observe: ((event: Pipeline.Event) => Effect.Effect<void>) | undefined
  /** The call's span, if a tracer is set. */
  readonly span: Tracer.Span | undefined
}

/** Builds the context of one call. */
export const make = <A, E, R>(
  client: HttpClient.HttpClient,
  store: LimiterStore.Service,
  provider: Pipeline.Provider<E>,
  call: Pipeline.Call<A, E, R>,
  url: string,
  observe: ((event: Pipeline.Event) => Effect.Effect<void>) | undefined,
  span: Tracer.Span | undefined
): CallContext<A, E, R> => ({
  provider,
  call,
  client,
  store,
  url,
  correlationId: call.correlationId ?? `ve-${globalThis.crypto.randomUUID()}`,
  budget: call.budgetBucket === undefined || provider.errorBudget === undefined ? undefined : {
    bucket: call.budgetBucket,
    limit: provider.errorBudget.limit,
    window: provider.errorBudget.window,
    margin: call.budgetMargin ?? 2
  },
  observe,
  span
})

/** The facts of one attempt that every error of the call carries. */
export const facts = <A, E, R>(ctx: CallContext<A, E, R>, attempt: number): ClientError.CallFacts => ({
  method: ctx.call.request.method,
  url: ctx.url,
  attempt,
  correlationId: ctx.correlationId
})

/** A transport failure of one attempt (`refused` is the only reason that proves the request was not delivered). */
export const transportError = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  reason: ClientError.TransportReason,
  message: string
): ClientError.TransportError =>
  new ClientError.TransportError({
    provider: ctx.provider.name,
    ...facts(ctx, attempt),
    reason,
    message: `${ctx.provider.name} ${ctx.call.operation}: ${message}`,
    maybeDelivered: reason !== "refused"
  })

/**
 * L1: every wait before an attempt is sent — pacing, an error-budget slot, an in-flight slot — ends by the
 * attempt's send-by time (when it started waiting plus `maxWait`); a wait that would end later fails at once with
 * this error, and a slot wait that reaches it fails then.
 */
export const waitTooLong = <A, E, R>(
  ctx: CallContext<A, E, R>,
  attempt: number,
  waited: number,
  what: string
): ClientError.WaitTooLongError =>
  new ClientError.WaitTooLongError({
    provider: ctx.provider.name,
    ...facts(ctx, attempt),
    wait: Duration.millis(Math.max(0, waited)),
    maxWait: ctx.call.maxWait,
    cause: undefined,
    message:
      `${ctx.provider.name} ${ctx.call.operation}: not sent — ${what}, longer than the client's maximum wait of ${
        Duration.format(ctx.call.maxWait)
      }`
  })
