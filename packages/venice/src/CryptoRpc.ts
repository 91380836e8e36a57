/**
 * `POST /crypto/rpc/{network}`: a JSON-RPC proxy to blockchain nodes. The one Venice route that honours
 * `Idempotency-Key` (R9): the key is generated once per logical call and sent on every retry, so a retried call
 * is served from Venice's cache (`Idempotent-Replayed: true`) instead of being billed twice. Its 429s carry
 * `X-RateLimit-*` with resets in Unix seconds (H4). A `429` naming the rolling 24 h credit cap
 * (`RPC_CREDIT_LIMIT_EXCEEDED`) is never slept: the wait is the window (or its announced reset), so the call fails at
 * once with `WaitTooLongError` (R3) instead of backing off. {@link networks} lists the slugs (public route).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/CryptoRpc.js"
import type * as VeniceClient from "./VeniceClient.js"

const Input = Schema.Struct({
  network: Schemas.Network,
  idempotencyKey: Schemas.IdempotencyKey,
  body: Schemas.CryptoRpcRequest
})

const endpoint = jsonEndpoint({
  operation: "crypto_rpc.call",
  method: "POST",
  path: (input) => `crypto/rpc/${encodeURIComponent(input.network)}`,
  request: Input,
  response: Schemas.CryptoRpcResponse,
  route: "crypto-rpc",
  bodyOf: (input) => input.body,
  headers: (input) => ({ "idempotency-key": input.idempotencyKey })
})

/**
 * Options of an RPC call: the per-call options and an idempotency key of yours (default: generated once per call).
 *
 * @since 0.1.0
 * @category models
 */
export interface RpcOptions<R = never> extends VeniceClient.CallOptions<R> {
  readonly idempotencyKey?: string | undefined
}

/**
 * Sends a JSON-RPC request (or a batch) to `network` and returns the response with its header facts
 * (`idempotentReplayed`, `rpcCredits`, `rpcCostUsd`).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const callWithMeta = <R = never>(
  network: string,
  request: typeof Schemas.CryptoRpcRequest.Encoded,
  options: RpcOptions<R> = {}
): Effect.Effect<
  VeniceClient.Response<Schemas.CryptoRpcResponse>,
  RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> =>
  Effect.suspend(() => {
    const { idempotencyKey, ...callOptions } = options
    const key = idempotencyKey ?? globalThis.crypto.randomUUID()
    return endpoint({ network, idempotencyKey: key, body: request }, callOptions)
  })

/**
 * Sends a JSON-RPC request (or a batch) to `network`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const call = <R = never>(
  network: string,
  request: typeof Schemas.CryptoRpcRequest.Encoded,
  options?: RpcOptions<R>
): Effect.Effect<Schemas.CryptoRpcResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(callWithMeta(network, request, options), (response) => response.value)

const networksEndpoint = jsonEndpoint({
  operation: "crypto_rpc.networks",
  method: "GET",
  path: "crypto/rpc/networks",
  request: Schema.Struct({}),
  response: Schemas.NetworksResponse
})

/**
 * The network slugs the proxy serves, sorted (`GET /crypto/rpc/networks`; no key needed, but the client's is sent).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const networks = <R = never>(
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.NetworksResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(networksEndpoint({}, options), (response) => response.value)
