/**
 * API keys: the calling key's limits (`GET /api_keys/rate_limits`, any key), key management (`GET` / `POST` /
 * `PATCH` / `DELETE /api_keys`, `GET /api_keys/{id}`), the rate-limit log, and the two-step wallet flow that mints a
 * key for a wallet holding staked VVV (`/api_keys/generate_web3_key`).
 *
 * Management routes need an `ADMIN` key: an `INFERENCE` key gets `401 "Admin API key required"`, decoded as the code
 * `ADMIN_API_KEY_REQUIRED` (retry class `never`, with its remedy) and never retried. A new key's secret is shown once,
 * and kept `Redacted` here so it never prints.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { ApiKeys } from "@venice-effect/venice"
 *
 * const program = Effect.gen(function*() {
 *   const created = yield* ApiKeys.create({ apiKeyType: "INFERENCE", description: "backend", limitPeriod: "MONTH" })
 *   const secret = Redacted.value(created.data.apiKey) // store it now: Venice never shows it again
 *   yield* ApiKeys.remove(created.data.id)
 *   return secret.length
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { LocalAccount } from "viem"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/ApiKeys.js"
import type * as VeniceClient from "./VeniceClient.js"
import * as WalletError from "./WalletError.js"

type Call<A, R> = Effect.Effect<A, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>

const Empty = Schema.Struct({})
const KeyId = Schema.Struct({ id: Schema.String.pipe(Schema.minLength(1)) })

const rateLimitsEndpoint = jsonEndpoint({
  operation: "api_keys.rate_limits",
  method: "GET",
  path: "api_keys/rate_limits",
  request: Empty,
  response: Schemas.RateLimitsResponse
})

/**
 * Reads the calling key's balances and per-model rate limits (any key type). Gate on `data.accessPermitted`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const rateLimits = <R = never>(options?: VeniceClient.CallOptions<R>): Call<Schemas.RateLimitsResponse, R> =>
  Effect.map(rateLimitsEndpoint({}, options), (response) => response.value)

const listEndpoint = jsonEndpoint({
  operation: "api_keys.list",
  method: "GET",
  path: "api_keys",
  request: Empty,
  response: Schemas.ApiKeyList
})

/**
 * Lists the active keys, newest first (ADMIN key).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const list = <R = never>(options?: VeniceClient.CallOptions<R>): Call<Schemas.ApiKeyList, R> =>
  Effect.map(listEndpoint({}, options), (response) => response.value)

const getEndpoint = jsonEndpoint({
  operation: "api_keys.get",
  method: "GET",
  path: (input: { readonly id: string }) => `api_keys/${encodeURIComponent(input.id)}`,
  request: KeyId,
  response: Schemas.ApiKeyDetails
})

/**
 * Reads one key: usage, limits, expiry (ADMIN key). An unknown or expired id is a `400`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const get = <R = never>(id: string, options?: VeniceClient.CallOptions<R>): Call<Schemas.ApiKeyDetails, R> =>
  Effect.map(getEndpoint({ id }, options), (response) => response.value)

const createEndpoint = jsonEndpoint({
  operation: "api_keys.create",
  method: "POST",
  path: "api_keys",
  request: Schemas.CreateApiKeyRequest,
  response: Schemas.CreateApiKeyResponse,
  // a lost answer may have created a key whose secret is gone: never sent twice
  resendable: false
})

/**
 * Creates a key (ADMIN key; 20 per minute, 500 active per user). The answer holds the only copy of the secret, as
 * `Redacted`. Sent at most once: a transport failure after the request may have reached Venice is not retried (list
 * the keys to find out).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const create = <R = never>(
  request: typeof Schemas.CreateApiKeyRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.CreateApiKeyResponse, R> => Effect.map(createEndpoint(request, options), (response) => response.value)

const updateEndpoint = jsonEndpoint({
  operation: "api_keys.update",
  method: "PATCH",
  path: "api_keys",
  request: Schemas.UpdateApiKeyRequest,
  response: Schemas.UpdateApiKeyResponse
})

/**
 * Changes a key's description, expiry, limits, limit period or model privacy (ADMIN key); only the fields sent
 * change.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const update = <R = never>(
  request: typeof Schemas.UpdateApiKeyRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.UpdateApiKeyResponse, R> => Effect.map(updateEndpoint(request, options), (response) => response.value)

const removeEndpoint = jsonEndpoint({
  operation: "api_keys.delete",
  method: "DELETE",
  path: "api_keys",
  request: KeyId,
  response: Schemas.DeleteApiKeyResponse,
  query: (input) => ({ id: input.id }),
  body: false
})

/**
 * Revokes a key at once (`DELETE /api_keys?id=…`, ADMIN key). An unknown id is a `400`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const remove = <R = never>(
  id: string,
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.DeleteApiKeyResponse, R> => Effect.map(removeEndpoint({ id }, options), (response) => response.value)

const logEndpoint = jsonEndpoint({
  operation: "api_keys.rate_limit_log",
  method: "GET",
  path: "api_keys/rate_limits/log",
  request: Empty,
  response: Schemas.RateLimitLog
})

/**
 * The account's last 50 rate-limit breaches, newest first (ADMIN key).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const rateLimitLog = <R = never>(options?: VeniceClient.CallOptions<R>): Call<Schemas.RateLimitLog, R> =>
  Effect.map(logEndpoint({}, options), (response) => response.value)

const web3TokenEndpoint = jsonEndpoint({
  operation: "api_keys.web3_token",
  method: "GET",
  path: "api_keys/generate_web3_key",
  request: Empty,
  response: Schemas.Web3Token
})

/**
 * Step 1 of the wallet flow: a token (valid 15 minutes) for the wallet to sign (no key needed).
 *
 * @since 0.1.0
 * @category web3
 */
export const web3Token = <R = never>(options?: VeniceClient.CallOptions<R>): Call<Schemas.Web3Token, R> =>
  Effect.map(web3TokenEndpoint({}, options), (response) => response.value)

const generateWeb3KeyEndpoint = jsonEndpoint({
  operation: "api_keys.generate_web3_key",
  method: "POST",
  path: "api_keys/generate_web3_key",
  request: Schemas.GenerateWeb3KeyRequest,
  response: Schemas.CreateApiKeyResponse,
  resendable: false
})

/**
 * Step 2 of the wallet flow: the signed token for a new key. Verification failures (bad address, expired token,
 * signature mismatch, no staked VVV) are `400`s.
 *
 * @since 0.1.0
 * @category web3
 */
export const generateWeb3Key = <R = never>(
  request: typeof Schemas.GenerateWeb3KeyRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.CreateApiKeyResponse, R> =>
  Effect.map(generateWeb3KeyEndpoint(request, options), (response) => response.value)

/**
 * Both steps of the wallet flow with a viem account: fetch a token, sign it (EIP-191 `personal_sign` of the exact
 * string), and mint a key with `settings`. A signer failure is a `WalletSignError`.
 *
 * @since 0.1.0
 * @category web3
 */
export const mintWeb3Key = <R = never>(
  account: LocalAccount,
  settings: Omit<typeof Schemas.GenerateWeb3KeyRequest.Encoded, "address" | "signature" | "token">,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<
  Schemas.CreateApiKeyResponse,
  RetryPolicy.VeniceClientError | WalletError.WalletSignError,
  VeniceClient.VeniceClient | R
> =>
  Effect.gen(function*() {
    const { data: { token } } = yield* web3Token(options)
    const signature = yield* Effect.tryPromise({
      try: () => account.signMessage({ message: token }),
      catch: (cause) =>
        new WalletError.WalletSignError({
          wallet: account.address,
          operation: "web3-key",
          message: `could not sign the web3 key token: ${cause instanceof Error ? cause.message : String(cause)}`
        })
    })
    return yield* generateWeb3Key({ ...settings, address: account.address, signature, token }, options)
  })
