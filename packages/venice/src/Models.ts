/**
 * `GET /models`: the models Venice serves, with their specs, capabilities and prices.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Models.js"
import type * as VeniceClient from "./VeniceClient.js"

const endpoint = jsonEndpoint({
  operation: "models.list",
  method: "GET",
  path: "models",
  request: Schemas.ListModelsParams,
  response: Schemas.ModelList,
  query: (params) => ({ type: params.type })
})

/**
 * Lists models (text models unless `type` says otherwise; `all` for every type).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const list = <R = never>(
  params: typeof Schemas.ListModelsParams.Encoded = {},
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.ModelList, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(endpoint(params, options), (response) => response.value)
