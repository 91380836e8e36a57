/**
 * Venice's streams on core's provider streaming (`ProviderStream`): the same machinery as every provider's, opened
 * under the `VeniceClient` in context.
 *
 * @internal
 */
import * as ProviderStream from "@venice-effect/core/ProviderStream"
import type * as StreamError from "@venice-effect/core/StreamError"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Stream from "effect/Stream"
import type * as ResponseMeta from "../ResponseMeta.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import * as VeniceClient from "../VeniceClient.js"

export {
  type Bound,
  bounded,
  boundError,
  type Bounds,
  boundsOf,
  type Counter,
  decodeError,
  eventError,
  fields,
  type JsonEvents,
  jsonEvents,
  sse,
  transportError,
  truncated
} from "@venice-effect/core/ProviderStream"

/** What a stream's errors say about the call that carried it. */
export type StreamContext = ProviderStream.Context

/** Options of an SSE stream. */
export type SseOptions = ProviderStream.Options

/** An opened Venice stream. */
export type Opened<A> = ProviderStream.Opened<A, ResponseMeta.ResponseMeta>

/** A stream context of Venice's (`provider: "venice"`) without a response: for errors raised after the stream. */
export const detached = (operation: string): StreamContext => ({
  provider: "venice",
  operation,
  facts: {},
  requestId: undefined
})

/** `ProviderStream.open` under the `VeniceClient` in context. */
export const open = <A, R>(
  spec: VeniceClient.RequestSpec,
  expected: "sse" | "audio",
  decode: (raw: VeniceClient.RawResponse, ctx: StreamContext) => Stream.Stream<A, StreamError.StreamError>,
  options: VeniceClient.CallOptions<R> | undefined
): Effect.Effect<Opened<A>, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R | Scope.Scope> =>
  Effect.flatMap(VeniceClient.VeniceClient, (client) => ProviderStream.open(client, spec, expected, decode, options))
