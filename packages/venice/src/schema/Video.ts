/**
 * Async video generation: `POST /api/v1/video/quote` (price, no charge), `POST /video/queue` (validate, charge,
 * enqueue → `queue_id`), `POST /video/retrieve` (poll).
 *
 * `/video/retrieve` answers, with status `200`:
 *
 * - JSON `{ status: "PROCESSING", average_execution_time, execution_duration }` while running (ms);
 * - the video bytes (`Content-Type: video/mp4`) once done, for most models — not JSON, tell it apart by content type;
 * - JSON `{ status: "COMPLETED", … }` for VPS-backed models, whose queue response carried a `download_url`: fetch
 *   the video there (no auth header, valid 24 h).
 *
 * Failures (content policy, provider errors, expired media) are non-`200` errors, replayed on every poll of that
 * `queue_id`.
 *
 * Every field is model-specific (read `model_spec.constraints` from `GET /models?type=video`); the spec's enums for
 * durations, aspect ratios and resolutions are open here because Venice accepts values outside them (e.g. `"768P"`,
 * seconds such as `"12.5"` for upscale models).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Video durations (`"5s"`, `"10s"` …, `"-1"` / `"auto"` for source-matched Seedance edits). Open.
 *
 * @since 0.1.0
 * @category request
 */
export const VideoDuration = Common.OpenLiteral(
  "1s",
  "2s",
  "3s",
  "4s",
  "5s",
  "6s",
  "7s",
  "8s",
  "9s",
  "10s",
  "11s",
  "12s",
  "13s",
  "14s",
  "15s",
  "16s",
  "17s",
  "18s",
  "19s",
  "20s",
  "21s",
  "22s",
  "23s",
  "24s",
  "25s",
  "26s",
  "27s",
  "28s",
  "29s",
  "30s",
  "-1",
  "1 gen",
  "auto",
  "Auto"
)

/**
 * Video aspect ratios (`adaptive` / `auto` match a Seedance source clip). Open.
 *
 * @since 0.1.0
 * @category request
 */
export const VideoAspectRatio = Common.OpenLiteral(
  "1:1",
  "2:3",
  "3:2",
  "3:4",
  "4:3",
  "4:5",
  "5:4",
  "9:16",
  "9:21",
  "16:9",
  "21:9",
  "adaptive",
  "auto"
)

/**
 * Video resolutions (case-sensitive per model, e.g. MiniMax uses `768P`). Open.
 *
 * @since 0.1.0
 * @category request
 */
export const VideoResolution = Common.OpenLiteral(
  "256p",
  "360p",
  "480p",
  "540p",
  "580p",
  "720p",
  "1080p",
  "1440p",
  "2160p",
  "4k",
  "2x",
  "4x",
  "2K",
  "768P",
  "true_1080p"
)

/**
 * Upscale factor (upscale models only): `1` enhancement, `2` double (default), `4` quadruple.
 *
 * @since 0.1.0
 * @category request
 */
export const UpscaleFactor = Schema.Literal(1, 2, 4)

const url = Schema.String.pipe(Schema.minLength(1))
const urls = (max: number) => Schema.Array(url).pipe(Schema.maxItems(max))

/**
 * A Kling element (character / object), referenced in the prompt as `@Element1` …: a frontal image (plus up to 3
 * reference images) or a video.
 *
 * @since 0.1.0
 * @category request
 */
export const VideoElement = Schema.Struct({
  frontal_image_url: optional(url),
  reference_image_urls: optional(urls(3)),
  video_url: optional(url)
}).annotations({ identifier: "VideoElement" })

/**
 * A keyframe pinned to a frame of the 24 fps output (`frame_index` unique, ≤ duration × 24).
 *
 * @since 0.1.0
 * @category request
 */
export const Keyframe = Schema.Struct({
  image_url: url,
  frame_index: Schema.Int.pipe(Schema.nonNegative())
}).annotations({ identifier: "Keyframe" })

/**
 * A camera keyframe of `minimax-h3-max-multi-angle` (exactly these four members).
 *
 * @since 0.1.0
 * @category request
 */
export const CameraKeyframe = Schema.Struct({
  /** 0–1, strictly increasing. */
  time: Schema.Finite.pipe(Schema.between(0, 1)),
  /** Signed degrees. */
  azimuth: Schema.Finite,
  /** −90–90 degrees. */
  elevation: Schema.Finite.pipe(Schema.between(-90, 90)),
  /** Relative to the initial camera (1 = unchanged), > 0. */
  distance: Schema.Finite.pipe(Schema.positive())
}).annotations({ identifier: "CameraKeyframe" })

/**
 * Seedance face-consent attestations (resubmitted after a `409 needs_consent`; all three must be `true`).
 *
 * @since 0.1.0
 * @category request
 */
export const Consents = Schema.Struct({
  seedance: optional(
    Schema.Struct({
      confirmed_terms_and_privacy: Schema.Literal(true),
      confirmed_legal_right: Schema.Literal(true),
      confirmed_screening_acknowledged: Schema.Literal(true)
    })
  )
}).annotations({ identifier: "Consents" })

const promptText = Schema.String.pipe(
  Schema.minLength(1),
  Schema.maxLength(20000),
  Schema.filter((s) => s.trim().length > 0 || "prompt must contain non-whitespace text")
)

const nonEmpty = (values: ReadonlyArray<unknown> | undefined): boolean => values !== undefined && values.length > 0

/**
 * The per-model and cross-field rules of `/video/queue` that the spec and skills state, checked before sending (each
 * is a `400` from Venice otherwise):
 *
 * - `reference_audio_urls` must be paired with a reference image or video (spec: "audio-only Reference workflows are
 *   rejected at validation");
 * - `duration: "-1" | "auto"` and `aspect_ratio: "adaptive" | "auto"` match the source clip and need
 *   `reference_video_urls` (spec);
 * - `omni_reference_task_type` is Seedance 2.5 only (spec: "Not supported on other models"), and `edit` / `extend`
 *   need `reference_video_urls` (skill venice-video);
 * - keyframe `frame_index`es are unique and at most duration × 24 (spec);
 * - `camera_trajectory` is `minimax-h3-max-multi-angle` only, with strictly increasing `time` (skill venice-video).
 *
 * @since 0.1.0
 * @category request
 */
export const videoQueueRules = (request: {
  readonly model: string
  readonly duration?: string | undefined
  readonly aspect_ratio?: string | undefined
  readonly reference_image_urls?: ReadonlyArray<string> | undefined
  readonly reference_video_urls?: ReadonlyArray<string> | undefined
  readonly reference_audio_urls?: ReadonlyArray<string> | undefined
  readonly omni_reference_task_type?: string | undefined
  readonly keyframes?: ReadonlyArray<{ readonly frame_index: number }> | undefined
  readonly camera_trajectory?: ReadonlyArray<{ readonly time: number }> | undefined
}): Array<Schema.FilterIssue> => {
  const issues: Array<Schema.FilterIssue> = []
  const videos = nonEmpty(request.reference_video_urls)
  if (nonEmpty(request.reference_audio_urls) && !videos && !nonEmpty(request.reference_image_urls)) {
    issues.push({
      path: ["reference_audio_urls"],
      message: "reference audio must be paired with at least one reference image or reference video"
    })
  }
  if ((request.duration === "-1" || request.duration === "auto") && !videos) {
    issues.push({
      path: ["duration"],
      message: `duration "${request.duration}" matches the source clip: it needs reference_video_urls`
    })
  }
  if ((request.aspect_ratio === "adaptive" || request.aspect_ratio === "auto") && !videos) {
    issues.push({
      path: ["aspect_ratio"],
      message: `aspect_ratio "${request.aspect_ratio}" matches the source clip: it needs reference_video_urls`
    })
  }
  const task = request.omni_reference_task_type
  if (task !== undefined) {
    if (!request.model.startsWith("seedance-2-5")) {
      issues.push({
        path: ["omni_reference_task_type"],
        message: "omni_reference_task_type is supported on Seedance 2.5 models only"
      })
    } else if (["edit", "extend", "editing", "extension"].includes(task) && !videos) {
      issues.push({
        path: ["omni_reference_task_type"],
        message: `omni_reference_task_type "${task}" needs reference_video_urls`
      })
    }
  }
  if (request.keyframes !== undefined) {
    const seen = new Set<number>()
    const seconds = request.duration !== undefined && /^\d+s$/.test(request.duration)
      ? Number.parseInt(request.duration, 10)
      : undefined
    request.keyframes.forEach((keyframe, i) => {
      if (seen.has(keyframe.frame_index)) {
        issues.push({ path: ["keyframes", i, "frame_index"], message: "frame_index must be unique" })
      }
      seen.add(keyframe.frame_index)
      if (seconds !== undefined && keyframe.frame_index > seconds * 24) {
        issues.push({
          path: ["keyframes", i, "frame_index"],
          message: `frame_index must be at most ${seconds * 24} (duration × 24)`
        })
      }
    })
  }
  if (request.camera_trajectory !== undefined) {
    if (request.model !== "minimax-h3-max-multi-angle") {
      issues.push({
        path: ["camera_trajectory"],
        message: "camera_trajectory is supported by minimax-h3-max-multi-angle only"
      })
    }
    request.camera_trajectory.forEach((keyframe, i) => {
      const previous = request.camera_trajectory?.[i - 1]
      if (previous !== undefined && keyframe.time <= previous.time) {
        issues.push({ path: ["camera_trajectory", i, "time"], message: "time must be strictly increasing" })
      }
    })
  }
  return issues
}

/**
 * The request body of `POST /video/queue`. The spec requires `prompt` and `duration`; Venice does not for upscale,
 * video-to-video and multi-angle models (duration is detected from the source), so both are optional here. Fields a
 * model does not support are a `400` on queue (the quote silently drops them), and so are unknown fields: they are
 * rejected here too. The fields the skills document beyond the spec (`camera_trajectory`, `bitrate_mode`,
 * `image_references`, `video_references`, `voice_id`, `anon_user_id`) are included.
 *
 * @example
 * ```ts
 * import * as Video from "@venice-effect/venice/schema/Video"
 *
 * const request = new Video.QueueVideoRequest({
 *   model: "wan-2.6-text-to-video",
 *   prompt: "Commerce being conducted in the city of Venice, Italy.",
 *   duration: "5s",
 *   aspect_ratio: "16:9",
 *   resolution: "720p"
 * })
 * ```
 *
 * @since 0.1.0
 * @category request
 */
export class QueueVideoRequest extends Schema.Class<QueueVideoRequest>("QueueVideoRequest")(
  Schema.Struct({
    /** Video model id. */
    model: Common.ModelId,
    /** The prompt (required by most models): 1–20000 chars, model limit 2500 unless `prompt_character_limit`. */
    prompt: optional(promptText),
    /** Negative prompt (same limit as `prompt`). */
    negative_prompt: optional(Schema.String.pipe(Schema.maxLength(20000))),
    /** From `constraints.durations`; omit for upscale / video-to-video models. */
    duration: optional(VideoDuration),
    /** Required when the model lists aspect ratios, rejected when it lists none. */
    aspect_ratio: optional(VideoAspectRatio),
    /** From `constraints.resolutions`; not for upscale models (use `upscale_factor`). */
    resolution: optional(VideoResolution),
    /** Upscale models only. */
    upscale_factor: optional(UpscaleFactor),
    /** Generate audio (only when `audio_configurable`). Default `true`. */
    audio: optional(Schema.Boolean),
    /** Start frame (image-to-video): URL or data URL. */
    image_url: optional(url),
    /** End frame (transition models): URL or data URL. */
    end_image_url: optional(url),
    /** Background audio (WAV / MP3, ≤ 30 s, ≤ 15 MB). */
    audio_url: optional(url),
    /** Source video (upscale, video-to-video): MP4, MOV, WebM. */
    video_url: optional(url),
    /** Character / style references (≤ 30; per-model caps are lower). */
    reference_image_urls: optional(urls(30)),
    /** Motion / camera / style donors (≤ 10), or the Seedance edit / extend source. */
    reference_video_urls: optional(urls(10)),
    /** Voice / SFX donors (≤ 10); must be paired with an image or video reference. */
    reference_audio_urls: optional(urls(10)),
    /** One document or webpage URL (Wan 3.0 R2V). */
    reference_document_urls: optional(urls(1)),
    /** Kling elements (≤ 4), referenced as `@Element1` …. */
    elements: optional(Schema.Array(VideoElement).pipe(Schema.maxItems(4)).annotations(Common.ignoreExcess)),
    /** Scene references (≤ 4), referenced as `@Image1` …. */
    scene_image_urls: optional(urls(4)),
    /** Keyframes (≤ 10). */
    keyframes: optional(Schema.Array(Keyframe).pipe(Schema.maxItems(10)).annotations(Common.ignoreExcess)),
    /** Seedance 2.5 task type hint (`editing` / `extension` are accepted aliases). */
    omni_reference_task_type: optional(Schema.Literal("auto", "reference", "edit", "extend", "editing", "extension")),
    /** Camera orbit of `minimax-h3-max-multi-angle`: 2–12 keyframes (skills; not in the spec). */
    camera_trajectory: optional(Schema.Array(CameraKeyframe).pipe(Schema.minItems(2), Schema.maxItems(12))),
    /** Seedance 2.x bitrate (skills; not in the spec). Default `standard`. */
    bitrate_mode: optional(Schema.Literal("standard", "high")),
    /** Typed references, referenced as `@ref_name` (skills; not in the spec). */
    image_references: optional(
      Schema.Array(
        Schema.Struct({
          image_url: url,
          type: optional(Schema.Literal("subject", "background")),
          ref_name: optional(Schema.String)
        })
      ).annotations(Common.ignoreExcess)
    ),
    /** Reference clips with optional per-entity voice (skills; not in the spec). */
    video_references: optional(
      Schema.Array(
        Schema.Struct({
          video_url: url,
          ref_name: optional(Schema.String),
          audio_url: optional(url)
        })
      ).annotations(Common.ignoreExcess)
    ),
    /** Preset Grok voice id (skills; not in the spec). */
    voice_id: optional(Schema.String),
    /** Seedance face-consent attestations. */
    consents: optional(Consents.annotations(Common.ignoreExcess)),
    /** Identifies your end user (≤ 128 printable ASCII chars once trimmed, no `||`). */
    anon_user_id: optional(Common.AnonUserId)
  }).pipe(Schema.filter((request) => videoQueueRules(request))),
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The response of `POST /video/queue`. When `download_url` is present (VPS-backed models) `/video/retrieve` only
 * reports status: fetch the video from `download_url` once it is `COMPLETED`.
 *
 * @since 0.1.0
 * @category response
 */
export class QueueVideoResponse extends Schema.Class<QueueVideoResponse>("QueueVideoResponse")({
  /** The model of the job. */
  model: Schema.String,
  /** The job id (expires after 24 h). */
  queue_id: Schema.String,
  /** Pre-signed download URL (VPS-backed models), valid 24 h. */
  download_url: optional(Schema.String)
}) {}

/**
 * The request body of `POST /video/quote` (no API key needed except for upscale models). Required: `model`, and
 * `duration` for models with fixed durations.
 *
 * @since 0.1.0
 * @category request
 */
export class QuoteVideoRequest extends Schema.Class<QuoteVideoRequest>("QuoteVideoRequest")({
  /** Video model id. */
  model: Common.ModelId,
  /** Duration to price. */
  duration: optional(VideoDuration),
  /** Aspect ratio (required for megapixel-rate pricing). */
  aspect_ratio: optional(VideoAspectRatio),
  /** Resolution (required for duration-resolution pricing). */
  resolution: optional(VideoResolution),
  /** Upscale factor to price. */
  upscale_factor: optional(UpscaleFactor),
  /** Audio on / off. Default `true`. */
  audio: optional(Schema.Boolean),
  /** Upscale / video-to-video source (fetched to detect duration). */
  video_url: optional(url),
  /** Aggregate seconds of reference video (R2V models; ≥ 0, at most 150). */
  reference_video_total_duration: optional(Schema.Finite.pipe(Schema.between(0, 150))),
  /** Reference images to price (skills; not in the spec). */
  reference_image_count: optional(Schema.Int.pipe(Schema.nonNegative()))
}) {}

/**
 * The response of `POST /video/quote`: `{ quote }` in USD.
 *
 * @since 0.1.0
 * @category response
 */
export const QuoteVideoResponse = Common.QuoteResponse

/**
 * The request body of `POST /video/retrieve`: `model` and `queue_id` only, plus `delete_media_on_completion`.
 *
 * @since 0.1.0
 * @category request
 */
export class RetrieveVideoRequest extends Schema.Class<RetrieveVideoRequest>("RetrieveVideoRequest")(
  {
    /** The model of the job. */
    model: Common.ModelId,
    /** The job id from `/video/queue`. */
    queue_id: Schema.String.pipe(Schema.minLength(1)),
    /** Delete the stored video once returned (use this instead of `/video/complete`). Default `false`. */
    delete_media_on_completion: optional(Schema.Boolean)
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The JSON `200` of `/video/retrieve` for a finished job of a VPS-backed model: fetch the video from the queue
 * response's `download_url`.
 *
 * @since 0.1.0
 * @category response
 */
export class VideoCompleted extends Schema.Class<VideoCompleted>("VideoCompleted")({
  status: Schema.Literal("COMPLETED"),
  /** Estimated execution time in milliseconds (P80). */
  average_execution_time: optional(Schema.Finite),
  /** Execution time in milliseconds. */
  execution_duration: optional(Schema.Finite)
}) {}

/**
 * The JSON `200` of `/video/retrieve`: still processing, or completed (VPS-backed models). The other completed
 * case is the `video/mp4` body itself.
 *
 * @since 0.1.0
 * @category response
 */
export const RetrieveVideoStatus = Schema.Union(Common.JobProcessing, VideoCompleted)

/**
 * @since 0.1.0
 * @category response
 */
export type RetrieveVideoStatus = typeof RetrieveVideoStatus.Type
