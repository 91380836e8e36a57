/**
 * `POST /image/generate`: images as base64 in JSON. A blocked image is a `200` with the
 * `x-venice-is-content-violation` header (see `generateWithMeta` and `ResponseMeta.contentViolation`).
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Image.js"
import type * as VeniceClient from "./VeniceClient.js"

const endpoint = jsonEndpoint({
  operation: "image.generate",
  method: "POST",
  path: "image/generate",
  request: Schemas.GenerateImageRequest,
  response: Schemas.GenerateImageResponse,
  model: (req) => req.model
})

/**
 * Generates images and returns them with the response's header facts (content-violation and blur flags).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generateWithMeta: <R = never>(
  request: typeof Schemas.GenerateImageRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<
  VeniceClient.Response<Schemas.GenerateImageResponse>,
  RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> = endpoint

/**
 * Generates images.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generate = <R = never>(
  request: typeof Schemas.GenerateImageRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.GenerateImageResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.map(endpoint(request, options), (response) => response.value)
