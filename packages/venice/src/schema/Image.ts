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
  {
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
  },
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
