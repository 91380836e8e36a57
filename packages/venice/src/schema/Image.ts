/**
 * `POST /api/v1/image/generate` (Venice-native image generation): the request with its constraints and the JSON
 * response (base64 images).
 *
 * With `return_binary: true` the `200` body is the raw image instead (`Content-Type` `image/webp`, `image/png` or
 * `image/jpeg`, per `format`); there is no JSON to decode then. A blocked image is not an error: it comes back as a
 * `200` with the `x-venice-is-content-violation: true` header (`x-venice-is-blurred` when safe mode blurred it).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Output image formats (default `webp`).
 *
 * @since 0.1.0
 * @category request
 */
export const ImageFormat = Schema.Literal("jpeg", "png", "webp")

/**
 * @since 0.1.0
 * @category request
 */
export type ImageFormat = typeof ImageFormat.Type

/**
 * A style reference image (models with `supportsStyleReferences`): base64 (raw or data URI) or an `http(s)` URL,
 * under 8 MB, with an optional `strength` in 0.1–1 (default 0.5).
 *
 * @since 0.1.0
 * @category request
 */
export const StyleReference = Schema.Struct({
  /** Base64 image or `http(s)` URL (< 8 MB). */
  image: Schema.String.pipe(Schema.minLength(1)),
  /** How strongly it guides the output, 0.1–1 (default 0.5). */
  strength: optional(Schema.Finite.pipe(Schema.between(0.1, 1)))
}).annotations({ identifier: "StyleReference" })

const dimension = Schema.Int.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(1280))

/**
 * The request body of `POST /image/generate`. Model-specific limits (prompt length, `widthHeightDivisor`, aspect
 * ratios, resolutions) come from `model_spec.constraints` on `GET /models?type=image`; the bounds here are the
 * spec's global ones.
 *
 * @since 0.1.0
 * @category request
 */
export class GenerateImageRequest extends Schema.Class<GenerateImageRequest>("GenerateImageRequest")(
  Schema.Struct({
    /** Image model id. */
    model: Common.ModelId,
    /** What to draw: 1–7500 characters (the model's `promptCharacterLimit` may be lower). */
    prompt: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(7500)),
    /** What should not be in the image (≤ 7500 characters). */
    negative_prompt: optional(Schema.String.pipe(Schema.maxLength(7500))),
    /** Width, 1–1280 (default 1024); divisible by the model's `widthHeightDivisor`. */
    width: optional(dimension),
    /** Height, 1–1280 (default 1024); divisible by the model's `widthHeightDivisor`. */
    height: optional(dimension),
    /** Aspect ratio for ratio-driven models (e.g. `"1:1"`, `"16:9"`). */
    aspect_ratio: optional(Schema.String),
    /** Resolution tier for resolution-driven models (e.g. `"1K"`, `"2K"`, `"4K"`). */
    resolution: optional(Schema.String),
    /** Output quality on supporting models (may raise the price). */
    quality: optional(Schema.Literal("low", "medium", "high")),
    /** Prompt adherence, 0 < x ≤ 20. */
    cfg_scale: optional(Schema.Finite.pipe(Schema.greaterThan(0), Schema.lessThanOrEqualTo(20))),
    /** Inference steps (default 8; ignored by some models). */
    steps: optional(Schema.Int),
    /** Seed, −999999999–999999999 (0 or omitted: random). */
    seed: optional(Schema.Int.pipe(Schema.between(-999999999, 999999999))),
    /** Number of images, 1–4; only with `return_binary: false`. */
    variants: optional(Schema.Int.pipe(Schema.between(1, 4))),
    /** Lora strength, 0–100 (models using Loras). */
    lora_strength: optional(Schema.Int.pipe(Schema.between(0, 100))),
    /** A style preset from `GET /image/styles`. */
    style_preset: optional(Schema.String),
    /** Style reference images. */
    style_references: optional(Schema.Array(StyleReference)),
    /** Output format (default `webp`). */
    format: optional(ImageFormat),
    /** `true`: raw image body instead of JSON. Default `false`. */
    return_binary: optional(Schema.Boolean),
    /** Embed generation info in EXIF. Default `false`. */
    embed_exif_metadata: optional(Schema.Boolean),
    /** Hide the Venice watermark (may be ignored). Default `false`. */
    hide_watermark: optional(Schema.Boolean),
    /** Blur adult content. Default `true`. */
    safe_mode: optional(Schema.Boolean),
    /** Web search for the prompt (some models; extra charge). */
    enable_web_search: optional(Schema.Boolean),
    /** Rewrite the prompt first (extra charge, up to ~30 s; final prompt in `x-venice-enhanced-prompt`). */
    enhance_prompt: optional(Schema.Boolean),
    /** Skip the prompt-optimization thinking step (models with `supportsOptimizePromptThinking`). */
    disable_prompt_optimization_thinking: optional(Schema.Boolean)
  }).pipe(
    // Venice answers 400 for variants > 1 with return_binary (skill venice-image-generate §Errors, §Gotchas)
    Schema.filter((request) =>
      request.return_binary === true && request.variants !== undefined && request.variants > 1
        ? { path: ["variants"], message: "variants must be 1 with return_binary: true (one image per binary answer)" }
        : undefined
    )
  ),
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * Timing breakdown of a generation, in milliseconds.
 *
 * @since 0.1.0
 * @category response
 */
export const ImageTiming = Schema.Struct({
  inferenceDuration: Schema.Finite,
  inferencePreprocessingTime: Schema.Finite,
  inferenceQueueTime: Schema.Finite,
  total: Schema.Finite
}).annotations({ identifier: "ImageTiming" })

/**
 * The JSON response of `POST /image/generate` (`return_binary: false`).
 *
 * @since 0.1.0
 * @category response
 */
export class GenerateImageResponse extends Schema.Class<GenerateImageResponse>("GenerateImageResponse")({
  /** Request id. */
  id: Schema.String,
  /** Base64-encoded images, one per variant. */
  images: Schema.Array(Schema.String),
  /** Timing in milliseconds. */
  timing: ImageTiming,
  /** The request as Venice understood it. */
  request: optional(Schema.Unknown)
}) {}

/**
 * The `Content-Type` of a binary (`return_binary: true`) response for each `format`.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentTypeByFormat: { readonly [F in ImageFormat]: string } = {
  jpeg: "image/jpeg",
  png: "image/png",
  webp: "image/webp"
}

// -----------------------------------------------------------------------------
// edit, multi-edit, upscale, background removal
// -----------------------------------------------------------------------------

/**
 * An input image: a `Blob` / `File` (sent as `multipart/form-data`), or a string — base64 (raw or a `data:` URI) or
 * an `http(s)` URL on the routes that accept one. Files are at most 25 MB (checked locally before sending).
 *
 * @since 0.1.0
 * @category request
 */
export const ImageInput = Schema.Union(Schema.instanceOf(Blob), Schema.String.pipe(Schema.minLength(1)))

/**
 * @since 0.1.0
 * @category request
 */
export type ImageInput = typeof ImageInput.Type

/**
 * Output aspect ratios of the edit routes (`auto`, or omitted: inferred from the (first) input image).
 *
 * @since 0.1.0
 * @category request
 */
export const EditAspectRatio = Schema.Literal("auto", "1:1", "3:2", "16:9", "21:9", "9:16", "2:3", "3:4", "4:5")

/**
 * The content type of a binary image answer for an `output_format`.
 *
 * @since 0.1.0
 * @category constants
 */
export const contentTypeOf = (format: ImageFormat): string => contentTypeByFormat[format]

const editPrompt = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(32768))
const resolutionTier = Schema.String.pipe(Schema.minLength(1), Schema.maxLength(10))

/**
 * The request of `POST /image/edit`: one image and a short instruction. The answer is the image itself
 * (`image/png`, `image/jpeg` or `image/webp` per `output_format`; PNG for `1K`, JPEG for `2K` / `4K` when omitted).
 * `modelId` is the deprecated spelling of `model`.
 *
 * @since 0.1.0
 * @category request
 */
export class EditImageRequest extends Schema.Class<EditImageRequest>("EditImageRequest")(
  {
    /** The image: a `Blob` (multipart), base64, or an `http(s)` URL. */
    image: ImageInput,
    /** What to change, 1–32768 characters ("remove the tree", "make the sky a sunrise"). */
    prompt: editPrompt,
    /** Edit model id (default `firered-image-edit`; `GET /models?type=inpaint` lists them). */
    model: optional(Common.ModelId),
    /** Deprecated alias of `model`. */
    modelId: optional(Common.ModelId),
    /** Output aspect ratio (per-model support in `constraints.aspectRatios`). */
    aspect_ratio: optional(EditAspectRatio),
    /** Resolution tier (`1K` default, `2K`, `4K` per model). */
    resolution: optional(resolutionTier),
    /** Output format (inferred from `resolution` when omitted). */
    output_format: optional(ImageFormat),
    /** Rewrite the prompt against the image first (extra charge; the result is in `x-venice-enhanced-prompt`). */
    enhance_prompt: optional(Schema.Boolean),
    /** Skip the prompt-optimization thinking step (models with `supportsOptimizePromptThinking`). */
    disable_prompt_optimization_thinking: optional(Schema.Boolean),
    /** Blur adult content. Default `true`. */
    safe_mode: optional(Schema.Boolean)
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The request of `POST /image/multi-edit`: the first image is the base, the others are layers or references (at
 * least 1; the maximum is the model's `maxInputImages`). All files (multipart) or all strings (JSON, base64 or
 * `http(s)` URLs). Multi-edit names its model `modelId` (it accepts no `model`).
 *
 * @since 0.1.0
 * @category request
 */
export class MultiEditImageRequest extends Schema.Class<MultiEditImageRequest>("MultiEditImageRequest")(
  Schema.Struct({
    /** The images, base first. */
    images: Schema.Array(ImageInput).pipe(Schema.minItems(1)),
    /** What to do with them, 1–32768 characters. */
    prompt: editPrompt,
    /** Edit model id (default `firered-image-edit`). */
    modelId: optional(Common.ModelId),
    /** Output aspect ratio (`auto` / omitted: from the first image). */
    aspect_ratio: optional(EditAspectRatio),
    /** Resolution tier (`1K` default). */
    resolution: optional(resolutionTier),
    /** Output format (inferred from `resolution` when omitted). */
    output_format: optional(ImageFormat),
    /** Output quality on supporting models (may raise the charge). */
    quality: optional(Schema.Literal("low", "medium", "high")),
    /** Rewrite the prompt against the images first (extra charge). */
    enhance_prompt: optional(Schema.Boolean),
    /** Skip the prompt-optimization thinking step. */
    disable_prompt_optimization_thinking: optional(Schema.Boolean),
    /** Blur adult content. Default `true`. */
    safe_mode: optional(Schema.Boolean)
  }).pipe(
    Schema.filter((request) => {
      const files = request.images.filter((image) => typeof image !== "string").length
      return files === 0 || files === request.images.length ||
        {
          path: ["images"],
          message: "send every image as a file (multipart) or every image as a string (JSON), not a mix"
        }
    })
  ),
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The request of `POST /image/upscale`: `scale` 2 or 4 (default 2; 4 on large images is reduced to stay under the
 * 16 MP output cap) and `creativity` 0–0.02 (default 0.01; Venice clamps other values, so a value outside the range
 * is refused here). The answer is `image/png`. The old enhancer fields (`enhance`, `enhanceCreativity`, `replication`)
 * are gone.
 *
 * @since 0.1.0
 * @category request
 */
export class UpscaleImageRequest extends Schema.Class<UpscaleImageRequest>("UpscaleImageRequest")(
  {
    /** The image: a `Blob` (multipart) or base64; at least 65,536 pixels. */
    image: ImageInput,
    /** 2 or 4. */
    scale: optional(Schema.Literal(2, 4)),
    /** Added detail, 0–0.02; `null` for the default. */
    creativity: optional(Schema.NullOr(Schema.Finite.pipe(Schema.between(0, 0.02))))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The request of `POST /image/background-remove`: `image` (a `Blob` or base64) or `image_url`, exactly one. The
 * answer is a transparent `image/png`.
 *
 * @since 0.1.0
 * @category request
 */
export class BackgroundRemoveImageRequest
  extends Schema.Class<BackgroundRemoveImageRequest>("BackgroundRemoveImageRequest")(
    Schema.Struct({
      /** The image: a `Blob` (multipart) or base64. */
      image: optional(ImageInput),
      /** Or the `http(s)` URL of the image. */
      image_url: optional(Schema.String.pipe(Schema.pattern(/^https?:\/\//i, { message: () => "an http(s) URL" })))
    }).pipe(
      Schema.filter((request) =>
        (request.image === undefined) !== (request.image_url === undefined) ||
        { path: [], message: "send exactly one of image and image_url" }
      )
    ),
    [undefined, undefined, Common.rejectExcess]
  )
{}
