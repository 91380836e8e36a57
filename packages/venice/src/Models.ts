/**
 * Model discovery: `GET /models` (the catalog with specs, capabilities and prices), `GET /models/traits` (trait →
 * model id, e.g. `default`, `fastest`) and `GET /models/compatibility_mapping` (OpenAI-style and vendor aliases →
 * Venice ids). With a key whose `modelPrivacy` is restricted, all three list only the models that key may call.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Models } from "@venice-effect/venice"
 *
 * // resolve a trait once at start-up instead of pinning a model id
 * const defaultTextModel = Effect.map(Models.traits({ type: "text" }), (traits) => traits.data["default"])
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Models.js"
import type * as VeniceClient from "./VeniceClient.js"

type Call<A, R> = Effect.Effect<A, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>

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
): Call<Schemas.ModelList, R> => Effect.map(endpoint(params, options), (response) => response.value)

const traitsEndpoint = jsonEndpoint({
  operation: "models.traits",
  method: "GET",
  path: "models/traits",
  request: Schemas.ModelMappingParams,
  response: Schemas.ModelTraits,
  query: (params) => ({ type: params.type })
})

/**
 * The traits of one model type (default `text`) and the model each names.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const traits = <R = never>(
  params: typeof Schemas.ModelMappingParams.Encoded = {},
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.ModelTraits, R> => Effect.map(traitsEndpoint(params, options), (response) => response.value)

const compatibilityEndpoint = jsonEndpoint({
  operation: "models.compatibility_mapping",
  method: "GET",
  path: "models/compatibility_mapping",
  request: Schemas.ModelMappingParams,
  response: Schemas.ModelCompatibilityMapping,
  query: (params) => ({ type: params.type })
})

/**
 * The aliases Venice accepts for one model type (default `text`) and the Venice model each maps to.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const compatibilityMapping = <R = never>(
  params: typeof Schemas.ModelMappingParams.Encoded = {},
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.ModelCompatibilityMapping, R> =>
  Effect.map(compatibilityEndpoint(params, options), (response) => response.value)
