/**
 * Images: `POST /image/generate` (base64 images in JSON, or the raw image with `return_binary: true`), and the edit
 * routes, which always answer with the image itself: `/image/edit`, `/image/multi-edit`, `/image/upscale`,
 * `/image/background-remove`. Input images are strings (base64 or `http(s)` URLs, sent as JSON) or `Blob`s (sent as
 * `multipart/form-data`); files over 25 MB and JSON bodies over 35 MB are refused locally, before anything is sent.
 *
 * A blocked image is a `200` with the `x-venice-is-content-violation` header: read it in {@link Image.meta}
 * (`contentViolation`, `blurred`), with the prompt Venice used after `enhance_prompt` (`enhancedPrompt`).
 *
 * Retries follow the client's policy (R1–R3): `400` / `401` / `402` / `403` / `415` never, `429` after the
 * announced wait, `500` / `503` and transport failures with backoff.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Images } from "@venice-effect/venice"
 *
 * const program = Effect.gen(function*() {
 *   const image = yield* Images.generate({ model: "z-image-turbo", prompt: "a lighthouse", return_binary: true })
 *   const edited = yield* Images.edit({ image: new Blob([image.bytes]), prompt: "make it night" })
 *   return edited.contentType // image/png
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type * as Schema from "effect/Schema"
import { jsonEndpoint } from "./internal/endpoint.js"
import * as Media from "./internal/media.js"
import type * as ResponseMeta from "./ResponseMeta.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Image.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * An image answered as bytes: the bytes, their `Content-Type` (`image/png`, `image/jpeg`, `image/webp`) and the
 * response's header facts (`enhancedPrompt`, `contentViolation`, `blurred`, `modelId`, balances …).
 *
 * @since 0.1.0
 * @category models
 */
export interface Image {
  readonly bytes: Uint8Array
  readonly contentType: string
  readonly meta: ResponseMeta.ResponseMeta
}

/**
 * A `/image/generate` request as JSON.
 *
 * @since 0.1.0
 * @category models
 */
export type GenerateRequest = typeof Schemas.GenerateImageRequest.Encoded

const endpoint = jsonEndpoint({
  operation: "image.generate",
  method: "POST",
  path: "image/generate",
  request: Schemas.GenerateImageRequest,
  response: Schemas.GenerateImageResponse,
  model: (req) => req.model
})

/**
 * Generates images as JSON (base64) and returns them with the response's header facts (content-violation and blur
 * flags, the enhanced prompt). For `return_binary: true` use {@link generate} or {@link generateBinary}.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generateWithMeta = <R = never>(
  request: GenerateRequest & { readonly return_binary?: false | undefined },
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<
  VeniceClient.Response<Schemas.GenerateImageResponse>,
  RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> => endpoint(request, options)

/**
 * Generates one image and returns it as bytes (`return_binary: true`; `variants` must then be 1 or absent), with its
 * `Content-Type` (per `format`, default `image/webp`) and header facts.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const generateBinary = <R = never>(
  request: Omit<GenerateRequest, "return_binary">,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Image, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const body = { ...request, return_binary: true }
    yield* VeniceClient.validateRequest("image.generate", Schemas.GenerateImageRequest, body)
    return yield* client.execute(
      {
        operation: "image.generate",
        method: "POST",
        path: "image/generate",
        body: { _tag: "json", value: body },
        model: request.model
      },
      (raw) => Media.readBinary("image.generate", raw),
      options
    )
  })

/**
 * Generates one image and returns it as bytes ({@link Image}), as {@link generateBinary} does.
 *
 * @since 0.1.0
 * @category endpoints
 */
export function generate<R = never>(
  request: GenerateRequest & { readonly return_binary: true },
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Image, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>
/**
 * Generates images as JSON: base64 images, one per variant.
 *
 * @since 0.1.0
 * @category endpoints
 */
export function generate<R = never>(
  request: GenerateRequest & { readonly return_binary?: false | undefined },
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.GenerateImageResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>
/**
 * Generates images. With `return_binary: true` the answer is the image itself ({@link Image}); otherwise the JSON
 * document with base64 images.
 *
 * @since 0.1.0
 * @category endpoints
 */
export function generate<R = never>(
  request: GenerateRequest,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Image | Schemas.GenerateImageResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> {
  // B3: a request that is not an object (`null`) is not read here; the endpoint refuses it typed
  if (Predicate.isObject(request) && request.return_binary === true) {
    const { return_binary: _, ...rest } = request
    return generateBinary(rest, options)
  }
  return Effect.map(endpoint(request, options), (response) => response.value)
}

/** A binary-answering image route: validated locally, sent as JSON or multipart, read as bytes. */
const binaryRoute = <A, I extends Readonly<Record<string, unknown>>>(
  operation: string,
  path: string,
  schema: Schema.Schema<A, I>,
  model: (request: I) => string | undefined
) =>
<R = never>(
  request: I,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Image, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    yield* VeniceClient.validateRequest(operation, schema, request)
    return yield* client.execute(
      { operation, method: "POST", path, body: Media.bodyOf(request), model: model(request) },
      (raw) => Media.readBinary(operation, raw),
      options
    )
  })

/**
 * Edits one image with a prompt (`POST /image/edit`); the answer is the edited image.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const edit: <R = never>(
  request: typeof Schemas.EditImageRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Image, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = binaryRoute(
  "image.edit",
  "image/edit",
  Schemas.EditImageRequest,
  (request) => request.model ?? request.modelId
)

/**
 * Combines several images with a prompt (`POST /image/multi-edit`; the first image is the base). All `Blob`s go as
 * multipart, all strings as JSON.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const multiEdit: <R = never>(
  request: typeof Schemas.MultiEditImageRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Image, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = binaryRoute(
  "image.multi_edit",
  "image/multi-edit",
  Schemas.MultiEditImageRequest,
  (request) => request.modelId
)

/**
 * Upscales an image 2× or 4× (`POST /image/upscale`); the answer is a PNG.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const upscale: <R = never>(
  request: typeof Schemas.UpscaleImageRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Image, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = binaryRoute(
  "image.upscale",
  "image/upscale",
  Schemas.UpscaleImageRequest,
  () => undefined
)

/**
 * Removes the background of an image (`POST /image/background-remove`); the answer is a transparent PNG.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const removeBackground: <R = never>(
  request: typeof Schemas.BackgroundRemoveImageRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
) => Effect.Effect<Image, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> = binaryRoute(
  "image.background_remove",
  "image/background-remove",
  Schemas.BackgroundRemoveImageRequest,
  () => undefined
)
