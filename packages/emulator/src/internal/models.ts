/**
 * The emulator's model catalog: a small, representative slice of Venice's `GET /models`, shaped like the live
 * list (ids from the reference docs). Each row also carries the emulator's per-model request / token limits.
 */
import type * as Models from "@venice-effect/venice/schema/Models"
import { createHash } from "node:crypto"

/** @internal */
export interface CatalogModel {
  readonly model: Models.Model
  /** Requests per window (Venice: per minute). */
  readonly rpm: number
  /** Tokens per window. */
  readonly tpm: number
}

const created = 1_727_966_436

const text = (
  id: string,
  name: string,
  tier: { readonly rpm: number; readonly tpm: number },
  options: {
    readonly context: number
    readonly maxCompletion: number
    readonly privacy: "private" | "anonymized"
    readonly input: number
    readonly output: number
    readonly reasoning?: boolean
    readonly code?: boolean
    readonly vision?: boolean
    readonly traits?: ReadonlyArray<string>
  }
): CatalogModel => ({
  rpm: tier.rpm,
  tpm: tier.tpm,
  model: {
    id,
    type: "text",
    object: "model",
    owned_by: "venice.ai",
    created,
    context_length: options.context,
    model_spec: {
      name,
      privacy: options.privacy,
      availableContextTokens: options.context,
      maxCompletionTokens: options.maxCompletion,
      beta: false,
      offline: false,
      traits: options.traits ?? [],
      // every flag the spec's capabilities object requires (skill venice-models adds supportsAudioInput)
      capabilities: {
        optimizedForCode: options.code ?? false,
        quantization: "fp8",
        supportsFunctionCalling: true,
        supportsAudioInput: false,
        supportsReasoning: options.reasoning ?? false,
        supportsReasoningEffort: options.reasoning ?? false,
        ...(options.reasoning === true
          ? { reasoningEffortOptions: ["low", "medium", "high"], defaultReasoningEffort: "medium" }
          : {}),
        supportsResponseSchema: true,
        supportsMultipleImages: options.vision ?? false,
        ...(options.vision === true ? { maxImages: 10 } : {}),
        supportsVision: options.vision ?? false,
        supportsVideoInput: false,
        supportsWebSearch: true,
        supportsLogProbs: true,
        supportsTeeAttestation: false,
        supportsE2EE: false,
        supportsXSearch: false
      },
      constraints: {
        temperature: { default: 0.7 },
        top_p: { default: 0.9 }
      },
      pricing: {
        input: { usd: options.input, diem: options.input },
        output: { usd: options.output, diem: options.output }
      }
    }
  }
})

const video = (
  id: string,
  name: string,
  modelType: "text-to-video" | "image-to-video",
  aspectRatios: ReadonlyArray<string>
): CatalogModel => ({
  rpm: 40,
  tpm: 1_000_000,
  model: {
    id,
    type: "video",
    object: "model",
    owned_by: "venice.ai",
    created,
    model_spec: {
      name,
      privacy: "anonymized",
      constraints: {
        model_type: modelType,
        aspect_ratios: aspectRatios,
        resolutions: ["480p", "720p", "1080p"],
        durations: ["5s", "10s"],
        audio: true,
        audio_configurable: true
      }
    }
  }
})

const inpaint = (
  id: string,
  name: string,
  options: { readonly combine: boolean; readonly maxInputImages?: number; readonly traits?: ReadonlyArray<string> }
): CatalogModel => ({
  rpm: 20,
  tpm: 1_000_000,
  model: {
    id,
    type: "inpaint",
    object: "model",
    owned_by: "venice.ai",
    created,
    model_spec: {
      name,
      privacy: "anonymized",
      traits: options.traits ?? [],
      constraints: {
        aspectRatios: ["auto", "1:1", "3:2", "16:9", "9:16", "2:3"],
        promptCharacterLimit: 32_768,
        combineImages: options.combine,
        ...(options.maxInputImages !== undefined ? { maxInputImages: options.maxInputImages } : {}),
        defaultResolution: "1K",
        resolutions: ["1K", "2K"]
      },
      pricing: { inpaint: { usd: 0.04, diem: 0.04 } }
    }
  }
})

/** Venice's default tiers (requests / tokens per minute). */
const tiers = {
  xs: { rpm: 500, tpm: 1_000_000 },
  s: { rpm: 75, tpm: 750_000 },
  m: { rpm: 50, tpm: 750_000 },
  l: { rpm: 20, tpm: 500_000 }
} as const

/** @internal */
export const catalog: ReadonlyArray<CatalogModel> = [
  text("venice-uncensored", "Venice Uncensored", tiers.s, {
    context: 32_768,
    maxCompletion: 8_192,
    privacy: "private",
    input: 0.2,
    output: 0.9,
    traits: ["most_uncensored"]
  }),
  text("zai-org-glm-5-1", "GLM 5.1", tiers.m, {
    context: 200_000,
    maxCompletion: 24_000,
    privacy: "private",
    input: 0.85,
    output: 2.75,
    reasoning: true,
    traits: ["default", "default_reasoning"]
  }),
  text("qwen3-4b", "Qwen 3 4B", tiers.xs, {
    context: 32_768,
    maxCompletion: 8_192,
    privacy: "private",
    input: 0.05,
    output: 0.15,
    traits: ["fastest"]
  }),
  text("qwen3-coder-480b-a35b-instruct", "Qwen 3 Coder 480B", tiers.l, {
    context: 256_000,
    maxCompletion: 65_536,
    privacy: "private",
    input: 0.75,
    output: 3,
    code: true,
    traits: ["default_code"]
  }),
  text("kimi-k2-6", "Kimi K2.6", tiers.l, {
    context: 256_000,
    maxCompletion: 32_000,
    privacy: "anonymized",
    input: 0.6,
    output: 2.5,
    reasoning: true,
    vision: true,
    traits: ["default_vision"]
  }),
  {
    rpm: 20,
    tpm: 1_000_000,
    model: {
      id: "z-image-turbo",
      type: "image",
      object: "model",
      owned_by: "venice.ai",
      created,
      model_spec: {
        name: "Z-Image Turbo",
        privacy: "private",
        traits: ["default", "fastest"],
        constraints: { promptCharacterLimit: 1500, steps: { default: 8, max: 8 }, widthHeightDivisor: 16 },
        pricing: {
          generation: { usd: 0.01, diem: 0.01 },
          upscale: { "2x": { usd: 0.02, diem: 0.02 }, "4x": { usd: 0.08, diem: 0.08 } }
        }
      }
    }
  },
  {
    rpm: 60,
    tpm: 1_000_000,
    model: {
      id: "tts-kokoro",
      type: "tts",
      object: "model",
      owned_by: "venice.ai",
      created,
      model_spec: {
        name: "Kokoro",
        privacy: "private",
        voices: ["af_sky", "af_bella", "af_heart", "am_adam", "am_michael", "bf_emma", "bm_george"],
        default_voice: "af_sky",
        supported_formats: ["mp3", "opus", "aac", "flac", "wav", "pcm"],
        default_format: "mp3",
        pricing: { input: { usd: 3.5, diem: 3.5 } }
      }
    }
  },
  {
    rpm: 60,
    tpm: 1_000_000,
    model: {
      id: "tts-xai-v1",
      type: "tts",
      object: "model",
      owned_by: "venice.ai",
      created,
      model_spec: {
        name: "xAI TTS",
        privacy: "anonymized",
        voices: ["eve", "ara", "rex", "sal", "leo"],
        default_voice: "eve",
        supported_formats: ["mp3", "wav", "pcm"],
        default_format: "mp3",
        pricing: { input: { usd: 15, diem: 15 } }
      }
    }
  },
  {
    rpm: 60,
    tpm: 1_000_000,
    model: {
      id: "nvidia/parakeet-tdt-0.6b-v3",
      type: "asr",
      object: "model",
      owned_by: "venice.ai",
      created,
      model_spec: {
        name: "Parakeet TDT 0.6B v3",
        privacy: "private",
        pricing: { per_audio_second: { usd: 0.0001, diem: 0.0001 } }
      }
    }
  },
  {
    rpm: 60,
    tpm: 1_000_000,
    model: {
      id: "openai/whisper-large-v3",
      type: "asr",
      object: "model",
      owned_by: "venice.ai",
      created,
      model_spec: {
        name: "Whisper Large v3",
        privacy: "private",
        pricing: { per_audio_second: { usd: 0.0002, diem: 0.0002 } }
      }
    }
  },
  {
    rpm: 500,
    tpm: 5_000_000,
    model: {
      id: "text-embedding-bge-m3",
      type: "embedding",
      object: "model",
      owned_by: "venice.ai",
      created,
      model_spec: {
        name: "BGE-M3",
        privacy: "private",
        embeddingDimensions: 1024,
        maxInputTokens: 8192,
        supportsCustomDimensions: false,
        pricing: { input: { usd: 0.15, diem: 0.15 } }
      }
    }
  },
  inpaint("firered-image-edit", "FireRed Image Edit", { combine: true, maxInputImages: 3, traits: ["default"] }),
  inpaint("qwen-image-2-edit", "Qwen Image 2 Edit", { combine: false }),
  video("wan-2.6-text-to-video", "Wan 2.6 Text to Video", "text-to-video", ["16:9", "9:16", "1:1"]),
  video("wan-2.5-preview-text-to-video", "Wan 2.5 Preview Text to Video", "text-to-video", ["16:9", "9:16", "1:1"]),
  video("wan-2.5-preview-image-to-video", "Wan 2.5 Preview Image to Video", "image-to-video", []),
  video("grok-imagine-1-5-lite-text-to-video", "Grok Imagine 1.5 Lite", "text-to-video", ["16:9", "9:16"]),
  {
    rpm: 40,
    tpm: 1_000_000,
    model: {
      id: "elevenlabs-music",
      type: "music",
      object: "model",
      owned_by: "venice.ai",
      created,
      model_spec: {
        name: "ElevenLabs Music",
        privacy: "anonymized",
        supports_force_instrumental: true,
        supports_lyrics: false,
        min_duration: 10,
        max_duration: 300,
        default_duration: 60,
        prompt_character_limit: 2000,
        min_prompt_length: 10,
        pricing: { per_second: { usd: 0.0115, diem: 0.0115 } }
      }
    }
  }
]

const byId: ReadonlyMap<string, CatalogModel> = new Map(catalog.map((m) => [m.model.id, m]))

/**
 * Finds a model by id or trait, for a route's model type. Feature suffixes (`id:key=value`) are ignored. Returns
 * `"not-found"` for an unknown id, `"wrong-type"` for a model of another type.
 *
 * @internal
 */
export const resolve = (
  id: string,
  type: Models.ModelType
): CatalogModel | "not-found" | "wrong-type" => {
  const colon = id.indexOf(":")
  const bare = (colon === -1 ? id : id.slice(0, colon)).trim()
  const direct = byId.get(bare)
  if (direct !== undefined) return direct.model.type === type ? direct : "wrong-type"
  const trait = catalog.find((m) => m.model.type === type && (m.model.model_spec.traits ?? []).includes(bare))
  return trait ?? "not-found"
}

/** Model types the `type` filter of `GET /models` accepts, as Venice's validator lists them. */
const filterTypes = [
  "asr",
  "decision",
  "embedding",
  "image",
  "inpaint",
  "music",
  "text",
  "tts",
  "upscale",
  "video"
] as const
const filterSpecial = ["all", "code"] as const

/** @internal */
export type TypeFilter = (typeof filterTypes)[number] | (typeof filterSpecial)[number]

/** @internal */
export const isTypeFilter = (value: string): value is TypeFilter =>
  filterTypes.some((t) => t === value) || filterSpecial.some((t) => t === value)

/** @internal */
export const list = (filter: TypeFilter): ReadonlyArray<Models.Model> =>
  catalog
    .map((m) => m.model)
    .filter((m) =>
      filter === "all"
        ? true
        : filter === "code"
        ? m.type === "text" && m.model_spec.capabilities?.optimizedForCode === true
        : m.type === filter
    )

/**
 * The DetailedError Venice answers for `GET /models?type=<bad>` (the live response quoted by the venice-errors
 * skill: a zod union of the two enums).
 *
 * @internal
 */
export const invalidTypeBody = (received: string) => {
  const quote = (values: ReadonlyArray<string>) => values.map((v) => `'${v}'`).join(" | ")
  const first = `Invalid enum value. Expected ${quote(filterTypes)}, received '${received}'`
  const second = `Invalid enum value. Expected ${quote(filterSpecial)}, received '${received}'`
  const enumIssue = (options: ReadonlyArray<string>, message: string) => ({
    received,
    code: "invalid_enum_value",
    options,
    path: ["type"],
    message
  })
  return {
    error: "Invalid request parameters",
    details: { _errors: [], type: { _errors: [first, second] } },
    issues: [
      {
        code: "invalid_union",
        unionErrors: [
          { issues: [enumIssue(filterTypes, first)], name: "ZodError" },
          { issues: [enumIssue(filterSpecial, second)], name: "ZodError" }
        ],
        path: ["type"],
        message: "Invalid input"
      }
    ]
  }
}

/**
 * `GET /models/traits`: each trait of the type's models, and the model that carries it.
 *
 * @internal
 */
export const traitsOf = (type: string): Readonly<Record<string, string>> => {
  const out: Record<string, string> = {}
  for (const m of catalog) {
    if (m.model.type !== type) continue
    for (const trait of m.model.model_spec.traits ?? []) out[trait] ??= m.model.id
  }
  return out
}

/** Aliases Venice maps to its own models (skill venice-models: OpenAI-style and vendor ids). */
const compatibility: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  text: { "gpt-4o": "zai-org-glm-5-1", "gpt-4o-mini": "qwen3-4b", "openai-gpt-54-pro": "zai-org-glm-5-1" },
  image: { "dall-e-3": "z-image-turbo" },
  tts: { "tts-1": "tts-kokoro" },
  asr: { "whisper-1": "openai/whisper-large-v3" },
  embedding: { "text-embedding-3-small": "text-embedding-bge-m3" }
}

/**
 * `GET /models/compatibility_mapping`: alias → model id for one type.
 *
 * @internal
 */
export const compatibilityOf = (type: string): Readonly<Record<string, string>> => compatibility[type] ?? {}

/**
 * Video models served from a VPS (skill venice-video): their queue answer carries a pre-signed `download_url`, and
 * `/video/retrieve` reports `COMPLETED` as JSON instead of answering the bytes.
 *
 * @internal
 */
export const vpsBacked: ReadonlySet<string> = new Set(["grok-imagine-1-5-lite-text-to-video"])

/**
 * The pre-signed URL of a VPS-backed job's video (served by `routes/jobs.ts`, no credentials).
 *
 * @internal
 */
export const downloadUrl = (origin: string, jobId: string): string =>
  `${origin}/media/${jobId}.mp4?X-Signature=${createHash("sha256").update(`media:${jobId}`).digest("hex").slice(0, 32)}`
