/**
 * `POST /api/v1/crypto/rpc/{network}`: a pay-per-call JSON-RPC 2.0 proxy (EVM, Starknet, Solana). The body is one
 * JSON-RPC request or a batch of up to 100; the `200` body is the upstream node's JSON-RPC response(s) — per-call
 * failures are `error` members inside a `200`, billed at 5 credits.
 *
 * Response headers: `X-Venice-RPC-Credits` (credits charged), `X-Venice-RPC-Cost-USD`, `X-Request-ID`,
 * `Idempotent-Replayed: true` when served from the idempotency cache.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Network slugs known today (`GET /crypto/rpc/networks` is authoritative; the catalog grows).
 *
 * @since 0.1.0
 * @category constants
 */
export const knownNetworks = [
  "arbitrum-mainnet",
  "arbitrum-sepolia",
  "avalanche-mainnet",
  "avalanche-fuji",
  "base-mainnet",
  "base-sepolia",
  "blast-mainnet",
  "blast-sepolia",
  "bsc-mainnet",
  "bsc-testnet",
  "ethereum-mainnet",
  "ethereum-sepolia",
  "ethereum-holesky",
  "linea-mainnet",
  "linea-sepolia",
  "optimism-mainnet",
  "optimism-sepolia",
  "polygon-mainnet",
  "polygon-amoy",
  "robinhood-mainnet",
  "robinhood-testnet",
  "solana-mainnet",
  "solana-devnet",
  "starknet-mainnet",
  "starknet-sepolia",
  "zksync-mainnet",
  "zksync-sepolia"
] as const

/**
 * The `{network}` path segment: a Venice network slug (lowercase letters, digits, dashes). Known slugs
 * auto-complete; others are accepted, since the list grows.
 *
 * @since 0.1.0
 * @category request
 */
export const Network: Schema.Schema<(typeof knownNetworks)[number] | (string & {})> = Schema.String.pipe(
  Schema.pattern(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { message: () => "network must be a slug such as \"base-mainnet\"" })
).annotations({ identifier: "Network" })

/**
 * The optional `Idempotency-Key` header: `[A-Za-z0-9_-]{1,255}`. Same key and body within 24 h replays the cached
 * response (not billed again); same key with another body is a `400`.
 *
 * @since 0.1.0
 * @category request
 */
export const IdempotencyKey = Schema.String.pipe(
  Schema.pattern(/^[A-Za-z0-9_-]{1,255}$/, { message: () => "Idempotency-Key must match [A-Za-z0-9_-]{1,255}" })
).annotations({ identifier: "IdempotencyKey" })

/**
 * A JSON-RPC id (echoed back; needed to correlate batch responses).
 *
 * @since 0.1.0
 * @category request
 */
export const JsonRpcId = Schema.Union(Schema.Int, Schema.String)

/**
 * One JSON-RPC 2.0 request. The method must belong to the network's family (EVM `eth_*` …, `starknet_*`, Solana);
 * filter and subscription methods are not supported (`400`).
 *
 * @since 0.1.0
 * @category request
 */
export const JsonRpcRequest = Schema.Struct({
  jsonrpc: optional(Schema.Literal("2.0")),
  /** Method name. */
  method: Schema.String.pipe(Schema.minLength(1)),
  /** Positional parameters; the shape depends on the method. */
  params: optional(Schema.Array(Schema.Unknown)),
  /** Caller-supplied id. */
  id: optional(JsonRpcId)
}).annotations({ identifier: "JsonRpcRequest" })

/**
 * @since 0.1.0
 * @category request
 */
export type JsonRpcRequest = typeof JsonRpcRequest.Type

/**
 * A batch of 1–100 requests. One unsupported method fails the whole batch with `400`.
 *
 * @since 0.1.0
 * @category request
 */
export const JsonRpcBatchRequest = Schema.Array(JsonRpcRequest).pipe(
  Schema.minItems(1, { message: () => "a batch must contain at least one request" }),
  Schema.maxItems(100, { message: () => "a batch must contain 100 requests or less" })
)

/**
 * The request body: one request or a batch.
 *
 * @since 0.1.0
 * @category request
 */
export const CryptoRpcRequest = Schema.Union(JsonRpcRequest, JsonRpcBatchRequest)

/**
 * @since 0.1.0
 * @category request
 */
export type CryptoRpcRequest = typeof CryptoRpcRequest.Type

/**
 * A JSON-RPC error object (per-call failure inside a `200`).
 *
 * @since 0.1.0
 * @category response
 */
export const JsonRpcError = Schema.Struct({
  code: Schema.Finite,
  message: Schema.String,
  data: optional(Schema.Unknown)
}).annotations({ identifier: "JsonRpcError" })

/**
 * One JSON-RPC response: `result` on success, `error` on a per-call failure.
 *
 * @since 0.1.0
 * @category response
 */
export const JsonRpcResponse = Schema.Struct({
  jsonrpc: optional(Schema.String),
  /** The request's id (`null` when the node could not read it). */
  id: optional(Schema.NullOr(JsonRpcId)),
  /** Method-dependent result. */
  result: optional(Schema.Unknown),
  error: optional(JsonRpcError)
}).annotations({ identifier: "JsonRpcResponse" })

/**
 * @since 0.1.0
 * @category response
 */
export type JsonRpcResponse = typeof JsonRpcResponse.Type

/**
 * The `200` body: one response, or an array for a batch.
 *
 * @since 0.1.0
 * @category response
 */
export const CryptoRpcResponse = Schema.Union(JsonRpcResponse, Schema.Array(JsonRpcResponse))

/**
 * @since 0.1.0
 * @category response
 */
export type CryptoRpcResponse = typeof CryptoRpcResponse.Type

/**
 * Whether a slug is one of {@link knownNetworks}.
 *
 * @since 0.1.0
 * @category guards
 */
export const isKnownNetwork = (network: string): network is (typeof knownNetworks)[number] =>
  knownNetworks.some((known) => known === network)

/**
 * `GET /crypto/rpc/networks` (public): the network slugs the proxy serves, sorted. Authoritative over
 * {@link knownNetworks} (the spec's enum lacks `blast-*`).
 *
 * @since 0.1.0
 * @category response
 */
export class NetworksResponse extends Schema.Class<NetworksResponse>("NetworksResponse")({
  networks: Schema.Array(Schema.String)
}) {}
