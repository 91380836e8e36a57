/**
 * `POST /embeddings`: vectors for text (a string or an array of strings).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Embeddings.js"
import type * as VeniceClient from "./VeniceClient.js"

const endpoint = jsonEndpoint({
  operation: "embeddings.create",
  method: "POST",
  path: "embeddings",
  request: Schemas.EmbeddingRequest,
  response: Schemas.EmbeddingResponse,
  model: (req) => req.model,
  user: (req) => req.user
})

/**
 * Creates embeddings.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const create = <R = never>(
  request: typeof Schemas.EmbeddingRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.EmbeddingResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(endpoint(request, options), (response) => response.value)
