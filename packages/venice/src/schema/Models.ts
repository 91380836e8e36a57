/**
 * `GET /api/v1/models`: the `type` query parameter and the model list (`ModelResponse` in the spec) with its
 * capabilities, constraints and pricing.
 *
 * The catalog changes weekly, so the response side is lenient: every `model_spec` member but `privacy` is optional,
 * enums are open, and constraint / pricing objects of a shape this SDK does not know yet are kept as received.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Model types.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelType = Schema.Literal(
  "asr",
  "embedding",
  "image",
  "music",
  "text",
  "tts",
  "upscale",
  "inpaint",
  "video"
)

/**
 * @since 0.1.0
 * @category models
 */
export type ModelType = typeof ModelType.Type

/**
 * The `type` filter: a model type, `all`, or `code` (text models with `optimizedForCode`). The live validator also
 * lists `decision` (its error message for a bad `type` names it), so it is accepted too.
 *
 * @since 0.1.0
 * @category request
 */
export const ModelTypeFilter = Schema.Union(ModelType, Schema.Literal("all", "code", "decision"))

/**
 * Query parameters of `GET /models`.
 *
 * @since 0.1.0
 * @category request
 */
export class ListModelsParams extends Schema.Class<ListModelsParams>("ListModelsParams")(
  {
    /** Filter models by type; `all` for every type. Defaults to text models. */
    type: optional(ModelTypeFilter)
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * Text-model capabilities (`model_spec.capabilities`).
 *
 * @since 0.1.0
 * @category response
 */
export const ModelCapabilities = Schema.Struct({
  /** Tuned for coding. */
  optimizedForCode: optional(Schema.Boolean),
  /** Quantization of the running model (`fp4`, `fp8`, `fp16`, `bf16`, `int8`, `int4`, `not-available`). */
  quantization: optional(Common.OpenLiteral("fp4", "fp8", "fp16", "bf16", "int8", "int4", "not-available")),
  /** Tools are allowed. */
  supportsFunctionCalling: optional(Schema.Boolean),
  /** Accepts `input_audio` parts. */
  supportsAudioInput: optional(Schema.Boolean),
  /** Emits reasoning. */
  supportsReasoning: optional(Schema.Boolean),
  /** Honors `reasoning_effort` / `reasoning.effort`. */
  supportsReasoningEffort: optional(Schema.Boolean),
  /** Supported effort values (`none` means reasoning can be disabled). */
  reasoningEffortOptions: optional(Schema.Array(Common.OpenLiteral(...Common.ReasoningEffort.literals))),
  /** Effort used when the request sets none. */
  defaultReasoningEffort: optional(Common.OpenLiteral(...Common.ReasoningEffort.literals)),
  /** Honors `response_format: json_schema`. */
  supportsResponseSchema: optional(Schema.Boolean),
  /** Several images per request. */
  supportsMultipleImages: optional(Schema.Boolean),
  /** Maximum images per request (with `supportsMultipleImages`). */
  maxImages: optional(Schema.Finite),
  /** Maximum video attachments per request (with `supportsVideoInput`). */
  maxVideos: optional(Schema.Finite),
  /** Accepts `image_url` parts. */
  supportsVision: optional(Schema.Boolean),
  /** Accepts `video_url` parts. */
  supportsVideoInput: optional(Schema.Boolean),
  /** Honors `venice_parameters.enable_web_search`. */
  supportsWebSearch: optional(Schema.Boolean),
  /** Honors `logprobs` / `top_logprobs`. */
  supportsLogProbs: optional(Schema.Boolean),
  /** Runs in a TEE with hardware attestation. */
  supportsTeeAttestation: optional(Schema.Boolean),
  /** End-to-end encryption available (requires TEE). */
  supportsE2EE: optional(Schema.Boolean),
  /** xAI native web + X search (`enable_x_search`). */
  supportsXSearch: optional(Schema.Boolean)
}).annotations({ identifier: "ModelCapabilities" })

const Quality = Common.OpenLiteral("low", "medium", "high")

/**
 * Image-model constraints.
 *
 * @since 0.1.0
 * @category response
 */
export const ImageModelConstraints = Schema.Struct({
  /** Maximum prompt length. */
  promptCharacterLimit: Schema.Finite,
  /** Default and maximum `steps`. */
  steps: Schema.Struct({ default: Schema.Finite, max: Schema.Finite }),
  /** `width` and `height` must be divisible by this. */
  widthHeightDivisor: Schema.Finite,
  aspectRatios: optional(Schema.Array(Schema.String)),
  defaultAspectRatio: optional(Schema.String),
  resolutions: optional(Schema.Array(Schema.String)),
  defaultResolution: optional(Schema.String),
  qualities: optional(Schema.Array(Quality)),
  defaultQuality: optional(Quality),
  /** Maximum `style_references` on `/image/generate`. */
  maxStyleReferences: optional(Schema.Finite),
  /** Whether per-reference `strength` is honored. */
  supportsStyleReferenceStrength: optional(Schema.Boolean)
}).annotations({ identifier: "ImageModelConstraints" })

const DefaultValue = Schema.Struct({ default: Schema.Finite })

/**
 * Text-model constraints: default sampling values.
 *
 * @since 0.1.0
 * @category response
 */
export const TextModelConstraints = Schema.Struct({
  temperature: DefaultValue,
  top_p: DefaultValue,
  frequency_penalty: optional(DefaultValue),
  presence_penalty: optional(DefaultValue),
  repetition_penalty: optional(DefaultValue)
}).annotations({ identifier: "TextModelConstraints" })

/**
 * Video-model constraints: the exact (case-sensitive) strings `/video/queue` accepts.
 *
 * @since 0.1.0
 * @category response
 */
export const VideoModelConstraints = Schema.Struct({
  /** Empty: the model takes no `aspect_ratio` (sending one is a `400`). */
  aspect_ratios: Schema.Array(Schema.String),
  /** Empty: the model takes no `resolution`. */
  resolutions: Schema.Array(Schema.String),
  durations: Schema.Array(Schema.String),
  model_type: Common.OpenLiteral("image-to-video", "text-to-video", "video"),
  /** Generates audio. */
  audio: Schema.Boolean,
  /** `audio` may be sent. */
  audio_configurable: Schema.Boolean,
  /** Prompt limit (2500 when absent). */
  prompt_character_limit: optional(Schema.Finite)
}).annotations({ identifier: "VideoModelConstraints" })

/**
 * Inpaint / edit model constraints.
 *
 * @since 0.1.0
 * @category response
 */
export const InpaintModelConstraints = Schema.Struct({
  aspectRatios: Schema.Array(Schema.String),
  promptCharacterLimit: Schema.Finite,
  /** Supports combining several input images. */
  combineImages: Schema.Boolean,
  /** Maximum input images (3 when absent, 1 without `combineImages`). */
  maxInputImages: optional(Schema.Finite),
  singleImageAspectRatio: optional(Schema.Boolean),
  defaultResolution: optional(Schema.String),
  resolutions: optional(Schema.Array(Schema.String)),
  defaultQuality: optional(Quality),
  qualities: optional(Schema.Array(Quality))
}).annotations({ identifier: "InpaintModelConstraints" })

/**
 * `model_spec.constraints`: image, text, video or inpaint constraints, or an unknown shape kept as received.
 *
 * @since 0.1.0
 * @category response
 */
export const ModelConstraints = Schema.Union(
  TextModelConstraints,
  VideoModelConstraints,
  InpaintModelConstraints,
  ImageModelConstraints,
  Common.JsonObject
)

const UsdDiem = Common.UsdDiem

/**
 * Token pricing of text models, per million tokens (cache reads / writes and a long-context tier optional).
 *
 * @since 0.1.0
 * @category response
 */
export const LlmPricing = Schema.Struct({
  input: UsdDiem,
  output: UsdDiem,
  cache_input: optional(UsdDiem),
  cache_write: optional(UsdDiem),
  /** Rates applied to the whole request when input tokens exceed `context_token_threshold`. */
  extended: optional(
    Schema.Struct({
      context_token_threshold: Schema.Finite,
      input: UsdDiem,
      output: UsdDiem,
      cache_input: optional(UsdDiem),
      cache_write: optional(UsdDiem)
    })
  )
}).annotations({ identifier: "LlmPricing" })

const QualityPricing = Schema.Record({
  key: Schema.String,
  value: Schema.Struct({ low: optional(UsdDiem), medium: optional(UsdDiem), high: optional(UsdDiem) })
})

/**
 * Image pricing: flat `generation` or per-`resolutions` tier, optional per-quality prices, and the account-wide
 * `upscale` prices every image row carries.
 *
 * @since 0.1.0
 * @category response
 */
export const ImagePricing = Schema.Struct({
  upscale: Schema.Struct({ "2x": UsdDiem, "4x": UsdDiem }),
  generation: optional(UsdDiem),
  resolutions: optional(Schema.Record({ key: Schema.String, value: UsdDiem })),
  quality: optional(QualityPricing)
}).annotations({ identifier: "ImagePricing" })

/**
 * Inpaint / edit pricing, per edit.
 *
 * @since 0.1.0
 * @category response
 */
export const InpaintPricing = Schema.Struct({
  inpaint: UsdDiem,
  resolutions: optional(Schema.Record({ key: Schema.String, value: UsdDiem })),
  inputImages: optional(Schema.Struct({ included: Schema.Finite, additional: UsdDiem })),
  quality: optional(QualityPricing)
}).annotations({ identifier: "InpaintPricing" })

/**
 * ASR pricing, per audio second.
 *
 * @since 0.1.0
 * @category response
 */
export const AsrPricing = Schema.Struct({ per_audio_second: UsdDiem }).annotations({ identifier: "AsrPricing" })

/**
 * Duration-bucketed pricing (music).
 *
 * @since 0.1.0
 * @category response
 */
export const DurationPricing = Schema.Struct({
  durations: Schema.Record({
    key: Schema.String,
    value: Schema.Struct({
      usd: Schema.Finite,
      diem: Schema.Finite,
      min_seconds: Schema.Finite,
      max_seconds: Schema.Finite
    })
  })
}).annotations({ identifier: "DurationPricing" })

/**
 * Per generated second (music, sound effects).
 *
 * @since 0.1.0
 * @category response
 */
export const PerSecondPricing = Schema.Struct({ per_second: UsdDiem }).annotations({
  identifier: "PerSecondPricing"
})

/**
 * Per thousand prompt characters (character-priced narration).
 *
 * @since 0.1.0
 * @category response
 */
export const PerThousandCharactersPricing = Schema.Struct({ per_thousand_characters: UsdDiem }).annotations({
  identifier: "PerThousandCharactersPricing"
})

/**
 * Flat price per job (music).
 *
 * @since 0.1.0
 * @category response
 */
export const GenerationPricing = Schema.Struct({ generation: UsdDiem }).annotations({
  identifier: "GenerationPricing"
})

/**
 * Input-only pricing: TTS (per million characters) and embeddings (per million tokens).
 *
 * @since 0.1.0
 * @category response
 */
export const InputPricing = Schema.Struct({ input: UsdDiem }).annotations({ identifier: "InputPricing" })

/**
 * `model_spec.pricing`, by model family; unknown shapes are kept as received. May be missing on free / internal
 * models, and video models have none (use `POST /video/quote`).
 *
 * @since 0.1.0
 * @category response
 */
export const ModelPricing = Schema.Union(
  LlmPricing,
  ImagePricing,
  InpaintPricing,
  AsrPricing,
  DurationPricing,
  PerSecondPricing,
  PerThousandCharactersPricing,
  GenerationPricing,
  InputPricing,
  Common.JsonObject
)

/**
 * Deprecation notice of a model scheduled for retirement.
 *
 * @since 0.1.0
 * @category response
 */
export const ModelDeprecation = Schema.Struct({
  /** Legacy sunset instant (same as `removesAt` today). */
  date: Schema.String,
  /** When the id leaves `GET /models`. */
  removesAt: optional(Schema.String),
  /** When deprecation warnings start. */
  startsAt: optional(Schema.String),
  /** Venice may remap requests to `replacementModelId` instead of failing. */
  autoRemap: optional(Schema.Boolean),
  /** Suggested replacement. */
  replacementModelId: optional(Schema.String)
}).annotations({ identifier: "ModelDeprecation" })

/**
 * Voice-cloning contract of a TTS model (`POST /audio/voices`).
 *
 * @since 0.1.0
 * @category response
 */
export const VoiceCloning = Schema.Struct({
  mode: Common.OpenLiteral("zero_shot", "persistent"),
  accepted_formats: Schema.Array(Schema.String),
  min_sample_seconds: Schema.Finite,
  retention_days: Schema.Finite
}).annotations({ identifier: "VoiceCloning" })

/**
 * `model_spec`: everything Venice says about a model. Only `privacy` is required.
 *
 * @since 0.1.0
 * @category response
 */
export const ModelSpec = Schema.Struct({
  /** `private` (zero data retention) or `anonymized`. */
  privacy: Common.OpenLiteral("private", "anonymized"),
  name: optional(Schema.String),
  description: optional(Schema.String),
  /** Context length (text models). */
  availableContextTokens: optional(Schema.Finite),
  /** Upper bound for `max_completion_tokens` (text models). */
  maxCompletionTokens: optional(Schema.Finite),
  /** Restricted to beta users. */
  beta: optional(Schema.Boolean),
  /** In beta status. */
  betaModel: optional(Schema.Boolean),
  /** Currently unavailable; treat as absent. */
  offline: optional(Schema.Boolean),
  modelSource: optional(Schema.String),
  /** Country codes where the model is available. */
  regionRestrictions: optional(Schema.Array(Schema.String)),
  deprecation: optional(ModelDeprecation),
  capabilities: optional(ModelCapabilities),
  constraints: optional(ModelConstraints),
  pricing: optional(ModelPricing),
  /** Traits resolving to this model (`default`, `default_code` …). */
  traits: optional(Schema.Array(Schema.String)),
  /** Minimal content-based filtering. */
  uncensored: optional(Schema.Boolean),
  /** Image models: accepts `style_references`. */
  supportsStyleReferences: optional(Schema.Boolean),
  /** Embedding models: native output dimensions. */
  embeddingDimensions: optional(Schema.Finite),
  /** Embedding models: max tokens per input string. */
  maxInputTokens: optional(Schema.Finite),
  /** Embedding models: `dimensions` may reduce the output. */
  supportsCustomDimensions: optional(Schema.Boolean),
  /** TTS / music: available voices. */
  voices: optional(Schema.Array(Schema.String)),
  default_voice: optional(Schema.String),
  voice_cloning: optional(VoiceCloning),
  supports_custom_voice_id: optional(Schema.Boolean),
  /** TTS / music: output formats and the default one. */
  supported_formats: optional(Schema.Array(Schema.String)),
  default_format: optional(Schema.String),
  /** Music models. */
  supports_lyrics: optional(Schema.Boolean),
  lyrics_required: optional(Schema.Boolean),
  supports_lyrics_optimizer: optional(Schema.Boolean),
  supports_force_instrumental: optional(Schema.Boolean),
  supports_loop: optional(Schema.Boolean),
  supports_language_code: optional(Schema.Boolean),
  supports_speed: optional(Schema.Boolean),
  default_speed: optional(Schema.Finite),
  min_speed: optional(Schema.Finite),
  max_speed: optional(Schema.Finite),
  duration_options: optional(Schema.Array(Schema.Finite)),
  min_duration: optional(Schema.Finite),
  max_duration: optional(Schema.Finite),
  default_duration: optional(Schema.Finite),
  prompt_character_limit: optional(Schema.Finite),
  min_prompt_length: optional(Schema.Finite),
  lyrics_character_limit: optional(Schema.Finite),
  /** Speech-to-speech model (belongs on `/audio/voice-changer/*`). */
  voice_changer: optional(Schema.Boolean)
}).annotations({ identifier: "ModelSpec" })

/**
 * @since 0.1.0
 * @category response
 */
export type ModelSpec = typeof ModelSpec.Type

/**
 * One model of the list.
 *
 * @since 0.1.0
 * @category response
 */
export const Model = Schema.Struct({
  /** Model id. */
  id: Schema.String,
  /** Model type. */
  type: Common.OpenLiteral(...ModelType.literals),
  object: optional(Schema.String),
  owned_by: optional(Schema.String),
  /** Release date on Venice (Unix seconds). */
  created: optional(Schema.Finite),
  /** Context length (text models; mirrors `model_spec.availableContextTokens`). */
  context_length: optional(Schema.Finite),
  /** Reseller discount fraction (0 < d < 1), only for the reseller it belongs to. */
  discount_to_user: optional(Schema.Finite),
  model_spec: ModelSpec
}).annotations({ identifier: "Model" })

/**
 * @since 0.1.0
 * @category response
 */
export type Model = typeof Model.Type

/**
 * The response of `GET /models`.
 *
 * @since 0.1.0
 * @category response
 */
export class ModelList extends Schema.Class<ModelList>("ModelList")({
  object: Schema.Literal("list"),
  /** The type filter the list was built for. */
  type: Schema.String,
  data: Schema.Array(Model)
}) {}

/**
 * The query of `GET /models/traits` and `GET /models/compatibility_mapping` (default `text`).
 *
 * @since 0.1.0
 * @category request
 */
export class ModelMappingParams extends Schema.Class<ModelMappingParams>("ModelMappingParams")(
  { type: optional(ModelTypeFilter) },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * `GET /models/traits`: trait → model id (`default`, `fastest`, `default_reasoning`, `highest_quality` …) for one
 * model type. Resolve a trait at start-up instead of pinning an id.
 *
 * @since 0.1.0
 * @category response
 */
export class ModelTraits extends Schema.Class<ModelTraits>("ModelTraits")({
  object: Common.OpenLiteral("list"),
  type: Schema.String,
  data: Schema.Record({ key: Schema.String, value: Schema.String })
}) {}

/**
 * `GET /models/compatibility_mapping`: alias (OpenAI-style or vendor id) → Venice model id.
 *
 * @since 0.1.0
 * @category response
 */
export class ModelCompatibilityMapping extends Schema.Class<ModelCompatibilityMapping>("ModelCompatibilityMapping")({
  object: Common.OpenLiteral("list"),
  type: Schema.String,
  data: Schema.Record({ key: Schema.String, value: Schema.String })
}) {}
