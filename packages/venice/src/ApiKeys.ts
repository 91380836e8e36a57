/**
 * `GET /api_keys/rate_limits`: the caller's per-model limits and balances (Bearer keys only). Pre-fetch it to size
 * concurrency instead of discovering limits through 429s.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/ApiKeys.js"
import type * as VeniceClient from "./VeniceClient.js"

const endpoint = jsonEndpoint({
  operation: "api_keys.rate_limits",
  method: "GET",
  path: "api_keys/rate_limits",
  request: Schema.Struct({}),
  response: Schemas.RateLimitsResponse
})

/**
 * Reads the key's rate limits.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const rateLimits = <R = never>(
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.RateLimitsResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(endpoint({}, options), (response) => response.value)
