/**
 * Audio routes:
 *
 * - `POST /api/v1/audio/speech` (TTS): JSON request; the `200` body is raw audio (`audio/mpeg`, `audio/opus`,
 *   `audio/aac`, `audio/flac`, `audio/wav` or `audio/pcm` per the format produced), chunked when `streaming: true`.
 * - `POST /api/v1/audio/transcriptions` (ASR): a `multipart/form-data` request (see {@link TranscriptionRequest} and
 *   {@link toFormData}); the response is JSON, or a `text/plain` transcript with `response_format: "text"`.
 * - `POST /api/v1/audio/quote`, `/audio/queue`, `/audio/retrieve` (async music, sound effects, long-form voice):
 *   queue a job, then poll. While running, retrieve answers the JSON {@link RetrieveAudioStatus}; once done it answers
 *   the audio bytes themselves (`Content-Type` `audio/mpeg`, `audio/wav` or `audio/flac`, plus
 *   `x-venice-audio-format` / `x-venice-inference-time` headers) — tell the two apart by the content type.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

// -----------------------------------------------------------------------------
// speech
// -----------------------------------------------------------------------------

/**
 * TTS model ids the spec lists (any other non-empty id is accepted too; see `GET /models?type=tts`).
 *
 * @since 0.1.0
 * @category speech
 */
export const SpeechModelId = Common.KnownModelId(
  "tts-kokoro",
  "tts-qwen3-0-6b",
  "tts-qwen3-1-7b",
  "tts-xai-v1",
  "tts-inworld-1-5-max",
  "tts-chatterbox-hd",
  "tts-orpheus",
  "tts-elevenlabs-turbo-v2-5",
  "tts-minimax-speech-02-hd",
  "tts-gemini-3-1-flash",
  "tts-gradium-v1"
)

/**
 * TTS output formats. Support is per model (`model_spec.supported_formats`); an unsupported one is a `400`.
 *
 * @since 0.1.0
 * @category speech
 */
export const SpeechFormat = Schema.Literal("mp3", "opus", "aac", "flac", "wav", "pcm")

/**
 * @since 0.1.0
 * @category speech
 */
export type SpeechFormat = typeof SpeechFormat.Type

/**
 * The `Content-Type` Venice answers for each speech format.
 *
 * @since 0.1.0
 * @category speech
 */
export const speechContentType: { readonly [F in SpeechFormat]: string } = {
  mp3: "audio/mpeg",
  opus: "audio/opus",
  aac: "audio/aac",
  flac: "audio/flac",
  wav: "audio/wav",
  pcm: "audio/pcm"
}

/**
 * The request body of `POST /audio/speech`. The spec gives `model` a `tts-kokoro` default, but Venice never applies
 * it (omitting `model` is a `400 "model is required"`), so it is required here.
 *
 * @example
 * ```ts
 * import * as Audio from "@venice-effect/venice/schema/Audio"
 *
 * const request = new Audio.SpeechRequest({
 *   model: "tts-xai-v1",
 *   voice: "eve",
 *   input: "Hello, welcome to Venice Voice.",
 *   response_format: "mp3"
 * })
 * ```
 *
 * @since 0.1.0
 * @category speech
 */
export class SpeechRequest extends Schema.Class<SpeechRequest>("SpeechRequest")(
  {
    /** TTS model id. */
    model: SpeechModelId,
    /** The text: 1–4096 characters with at least one non-whitespace character. */
    input: Schema.String.pipe(
      Schema.minLength(1),
      Schema.maxLength(4096),
      Schema.filter((s) => s.trim().length > 0 || "input must contain non-whitespace text")
    ),
    /** Voice (≤ 512 chars): model-specific name, a `vv_…` cloned-voice handle, or a provider voice id. */
    voice: optional(Schema.String.pipe(Schema.maxLength(512))),
    /** Output format; default per model (`model_spec.default_format`). */
    response_format: optional(SpeechFormat),
    /** Speed, 0.25–4 (default 1; some models clamp further). */
    speed: optional(Schema.Finite.pipe(Schema.between(0.25, 4))),
    /** `true`: chunked audio as it is generated. Default `false`. */
    streaming: optional(Schema.Boolean),
    /** Language hint, 2–32 chars; form is model-specific (`en`, `English`, `English (US)` …). */
    language: optional(Schema.String.pipe(Schema.minLength(2), Schema.maxLength(32))),
    /** Style / emotion instruction (≤ 500 chars; Qwen 3, Gemini Flash). */
    prompt: optional(Schema.String.pipe(Schema.maxLength(500))),
    /** Sampling temperature, 0–2 (Qwen 3, Orpheus, Chatterbox HD, Gemini Flash). */
    temperature: optional(Schema.Finite.pipe(Schema.between(0, 2))),
    /** Nucleus sampling, 0–1 (Qwen 3). */
    top_p: optional(Schema.Finite.pipe(Schema.between(0, 1)))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

// -----------------------------------------------------------------------------
// transcription
// -----------------------------------------------------------------------------

/**
 * ASR model ids the spec lists (any other non-empty id is accepted too; see `GET /models?type=asr`).
 *
 * @since 0.1.0
 * @category transcription
 */
export const TranscriptionModelId = Common.KnownModelId(
  "nvidia/parakeet-tdt-0.6b-v3",
  "openai/whisper-large-v3",
  "fal-ai/wizper",
  "elevenlabs/scribe-v2",
  "stt-xai-v1"
)

/**
 * The fields of the `multipart/form-data` request of `POST /audio/transcriptions`:
 *
 * - `file` (required): the audio as a file part — WAV, FLAC, M4A, AAC, MP4, MP3, OGG, WEBM; at most 25 MB (larger
 *   is a `400 "Maximum size is 25MB"`). Base64 is not accepted.
 * - `model`: defaults to `nvidia/parakeet-tdt-0.6b-v3`.
 * - `response_format`: `json` (default) or `text` (a `text/plain` body).
 * - `timestamps`: include word / segment timestamps (JSON only). Sent as `"true"` / `"false"`.
 * - `language`: ISO 639-1 hint; honored by Whisper-family models only.
 *
 * Use {@link toFormData} to build the body.
 *
 * @since 0.1.0
 * @category transcription
 */
export class TranscriptionRequest extends Schema.Class<TranscriptionRequest>("TranscriptionRequest")(
  {
    /** The audio file (a `Blob` / `File`; its name, if any, is sent as the part's filename). */
    file: Schema.instanceOf(Blob),
    /** ASR model id. */
    model: optional(TranscriptionModelId),
    /** `json` (default) or `text`. */
    response_format: optional(Schema.Literal("json", "text")),
    /** Include timestamps (JSON only). Default `false`. */
    timestamps: optional(Schema.Boolean),
    /** ISO 639-1 language hint (Whisper-family models). */
    language: optional(Schema.String.pipe(Schema.minLength(1)))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * Builds the multipart body of a transcription request (booleans as `"true"` / `"false"`).
 *
 * @since 0.1.0
 * @category transcription
 */
export const toFormData = (request: TranscriptionRequest): FormData => {
  const form = new FormData()
  const file = request.file
  form.append("file", file, typeof File !== "undefined" && file instanceof File ? file.name : "audio")
  if (request.model !== undefined) form.append("model", request.model)
  if (request.response_format !== undefined) form.append("response_format", request.response_format)
  if (request.timestamps !== undefined) form.append("timestamps", String(request.timestamps))
  if (request.language !== undefined) form.append("language", request.language)
  return form
}

const Timed = <Fields extends Schema.Struct.Fields>(fields: Fields) =>
  Schema.Struct({ ...fields, start: Schema.Finite, end: Schema.Finite })

/**
 * The JSON response of `POST /audio/transcriptions`. With `timestamps: true` it adds word / segment / char timings
 * (seconds; which arrays appear depends on the model).
 *
 * @since 0.1.0
 * @category transcription
 */
export class TranscriptionResponse extends Schema.Class<TranscriptionResponse>("TranscriptionResponse")({
  /** The transcript. */
  text: Schema.String,
  /** Audio duration in seconds. */
  duration: optional(Schema.Finite),
  /** Timestamps (only with `timestamps: true`). */
  timestamps: optional(
    Schema.Struct({
      word: optional(Schema.Array(Timed({ word: Schema.String }))),
      segment: optional(Schema.Array(Timed({ text: Schema.String }))),
      char: optional(Schema.Array(Timed({ char: Schema.String })))
    })
  )
}) {}

// -----------------------------------------------------------------------------
// async audio (music, sound effects, long-form voice)
// -----------------------------------------------------------------------------

/**
 * A duration hint in seconds: a positive integer or a numeric string. Only for models exposing duration metadata
 * (`duration_options` / `min_duration` / `max_duration`); rejected by the others.
 *
 * @since 0.1.0
 * @category async
 */
export const DurationSeconds = Schema.Union(
  Schema.Int.pipe(Schema.positive()),
  Schema.String.pipe(Schema.pattern(/^\d+$/, { message: () => "duration_seconds must be digits, e.g. \"60\"" }))
)

/**
 * The per-model and cross-field rules of `/audio/queue` that the skills state (skill venice-audio-music §2), checked
 * before sending (each is a `400` from Venice otherwise):
 *
 * - `lyrics_prompt` must be empty with `lyrics_optimizer: true`;
 * - `minimax-music-v25` needs a `lyrics_prompt` of at least 10 characters unless `force_instrumental` or
 *   `lyrics_optimizer`; `minimax-music-v26` the same unless `force_instrumental`; `minimax-music-v2` a non-blank one;
 * - `seed-audio-1-0` takes no `duration_seconds` (it reserves its 120 s cap and settles on the actual length).
 *
 * @since 0.1.0
 * @category async
 */
export const audioQueueRules = (request: {
  readonly model: string
  readonly lyrics_prompt?: string | undefined
  readonly lyrics_optimizer?: boolean | undefined
  readonly force_instrumental?: boolean | undefined
  readonly duration_seconds?: number | string | undefined
}): Array<Schema.FilterIssue> => {
  const issues: Array<Schema.FilterIssue> = []
  const lyrics = request.lyrics_prompt?.trim() ?? ""
  if (request.lyrics_optimizer === true && (request.lyrics_prompt ?? "").length > 0) {
    issues.push({ path: ["lyrics_prompt"], message: "lyrics_prompt must be empty when lyrics_optimizer is true" })
  }
  const needsLyrics = request.model === "minimax-music-v25"
    ? request.force_instrumental !== true && request.lyrics_optimizer !== true
    : request.model === "minimax-music-v26"
    ? request.force_instrumental !== true
    : false
  if (needsLyrics && lyrics.length < 10) {
    issues.push({
      path: ["lyrics_prompt"],
      message: `${request.model} needs a lyrics_prompt of at least 10 characters${
        request.model === "minimax-music-v25"
          ? " unless force_instrumental or lyrics_optimizer"
          : " unless force_instrumental"
      }`
    })
  }
  if (request.model === "minimax-music-v2" && lyrics.length === 0) {
    issues.push({ path: ["lyrics_prompt"], message: "minimax-music-v2 needs a non-blank lyrics_prompt" })
  }
  if (request.model === "seed-audio-1-0" && request.duration_seconds !== undefined) {
    issues.push({ path: ["duration_seconds"], message: "seed-audio-1-0 takes no duration_seconds" })
  }
  return issues
}

/**
 * The request body of `POST /audio/queue`. Every optional field is rejected (`400`) when the model's `model_spec`
 * says it is unsupported; build it from `GET /models?type=music`. `lyrics_prompt` must be empty with
 * `lyrics_optimizer: true`.
 *
 * @since 0.1.0
 * @category async
 */
export class QueueAudioRequest extends Schema.Class<QueueAudioRequest>("QueueAudioRequest")(
  Schema.Struct({
    /** Music / sound-effect / voice model id. */
    model: Common.ModelId,
    /** What to generate (the text to speak for voice models); model-specific min / max length. */
    prompt: Schema.String.pipe(Schema.minLength(1)),
    /** Lyrics for lyric-capable models (required when `lyrics_required`). */
    lyrics_prompt: optional(Schema.String),
    /** Duration hint in seconds. */
    duration_seconds: optional(DurationSeconds),
    /** Instrumental only (`supports_force_instrumental`). */
    force_instrumental: optional(Schema.Boolean),
    /** Write lyrics from the prompt (`supports_lyrics_optimizer`); `lyrics_prompt` must then be empty. */
    lyrics_optimizer: optional(Schema.Boolean),
    /** Seamless loop (`supports_loop`). */
    loop: optional(Schema.Boolean),
    /** Voice for voice-enabled models (`voices`, or a custom ElevenLabs voice id). */
    voice: optional(Schema.String),
    /** ISO 639-1 language (`supports_language_code`). */
    language_code: optional(Schema.String),
    /** Speed multiplier, 0.25–4 (`supports_speed`; model `min_speed`–`max_speed`). */
    speed: optional(Schema.Finite.pipe(Schema.between(0.25, 4)))
  }).pipe(Schema.filter((request) => audioQueueRules(request))),
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The response of `POST /audio/queue`. Keep `model` and `queue_id`: every later call needs both.
 *
 * @since 0.1.0
 * @category async
 */
export class QueueAudioResponse extends Schema.Class<QueueAudioResponse>("QueueAudioResponse")({
  /** The model of the job. */
  model: Schema.String,
  /** The job id. */
  queue_id: Schema.String,
  /** `QUEUED`. */
  status: Common.OpenLiteral("QUEUED")
}) {}

/**
 * The request body of `POST /audio/quote` (no API key needed).
 *
 * @since 0.1.0
 * @category async
 */
export class QuoteAudioRequest extends Schema.Class<QuoteAudioRequest>("QuoteAudioRequest")(
  {
    /** Model id. */
    model: Common.ModelId,
    /** Duration to price (models with duration metadata); omit for `default_duration`. */
    duration_seconds: optional(DurationSeconds),
    /** Characters to price; required for `per_thousand_characters` models. Positive integer. */
    character_count: optional(Schema.Int.pipe(Schema.positive()))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The response of `POST /audio/quote`: `{ quote }` in USD.
 *
 * @since 0.1.0
 * @category async
 */
export const QuoteAudioResponse = Common.QuoteResponse

/**
 * The request body of `POST /audio/retrieve`.
 *
 * @since 0.1.0
 * @category async
 */
export class RetrieveAudioRequest extends Schema.Class<RetrieveAudioRequest>("RetrieveAudioRequest")(
  {
    /** The model of the job. */
    model: Common.ModelId,
    /** The job id from `/audio/queue`. */
    queue_id: Schema.String.pipe(Schema.minLength(1)),
    /** Delete the stored media once it has been returned (saves a `/audio/complete` call). Default `false`. */
    delete_media_on_completion: optional(Schema.Boolean)
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The JSON `200` of `POST /audio/retrieve` while the job runs (`status: "PROCESSING"`). When it is done the `200`
 * body is the audio itself, not JSON; failures are non-`200` errors (refunded).
 *
 * @since 0.1.0
 * @category async
 */
export const RetrieveAudioStatus = Common.JobProcessing

/**
 * @since 0.1.0
 * @category async
 */
export type RetrieveAudioStatus = Common.JobProcessing

// -----------------------------------------------------------------------------
// voice cloning, job cleanup
// -----------------------------------------------------------------------------

/**
 * The request of `POST /audio/voices` (multipart): a voice sample (≤ 25 MB; a clean recording of ≥ 5 s; MP3, WAV,
 * FLAC or MP4/M4A for `tts-chatterbox-hd`) and the TTS model the handle will pair with (default
 * `tts-chatterbox-hd`, the one cloning model open to regular keys).
 *
 * @since 0.1.0
 * @category voices
 */
export class CloneVoiceRequest extends Schema.Class<CloneVoiceRequest>("CloneVoiceRequest")(
  {
    file: Schema.instanceOf(Blob),
    model: optional(Common.KnownModelId("tts-chatterbox-hd", "tts-minimax-speech-02-hd"))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * A cloned voice: the `vv_…` handle to pass as `voice` to `/audio/speech` with the same `model`. Zero-shot handles
 * expire 7 days after creation.
 *
 * @since 0.1.0
 * @category voices
 */
export class ClonedVoice extends Schema.Class<ClonedVoice>("ClonedVoice")({
  id: Schema.String,
  model: Schema.String
}) {}

/**
 * The request of `POST /audio/complete` and `POST /video/complete`: the job to clean up.
 *
 * @since 0.1.0
 * @category async
 */
export class CompleteJobRequest extends Schema.Class<CompleteJobRequest>("CompleteJobRequest")(
  {
    model: Common.ModelId,
    queue_id: Schema.String.pipe(Schema.minLength(1))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The answer of a `complete` call: `success: false` when the media was not deleted (the call may be repeated).
 *
 * @since 0.1.0
 * @category async
 */
export class CompleteJobResponse extends Schema.Class<CompleteJobResponse>("CompleteJobResponse")({
  success: Schema.Boolean
}) {}
