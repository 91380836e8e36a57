/**
 * `GET /billing/balance`: the account's USD and DIEM balances (Bearer keys only; an ADMIN key on Venice).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Billing.js"
import type * as VeniceClient from "./VeniceClient.js"

const endpoint = jsonEndpoint({
  operation: "billing.balance",
  method: "GET",
  path: "billing/balance",
  request: Schema.Struct({}),
  response: Schemas.BillingBalance
})

/**
 * Reads the balances.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const balance = <R = never>(
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.BillingBalance, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(endpoint({}, options), (response) => response.value)
