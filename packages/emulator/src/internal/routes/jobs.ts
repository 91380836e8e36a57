/**
 * The async jobs (skills venice-video, venice-audio-music): `POST /video/queue` and `/audio/queue` (checked against the
 * model's constraints, charged up front), `/retrieve` (progress on `Clock`, then the media), `/quote`; and their end:
 * `POST /audio/complete` deletes a finished job's
 * media (`{ success: true }`); `POST /video/complete` answers `400 "Request ID is invalid."` for queue ids of
 * `/video/queue`, as the skill reports Venice does today; and the pre-signed `download_url` of VPS-backed video
 * models (`GET /media/{id}.mp4?X-Signature=…`, no credentials) serves the video once the job is done.
 */
import * as Audio from "@venice-effect/venice/schema/Audio"
import type * as Models from "@venice-effect/venice/schema/Models"
import * as Video from "@venice-effect/venice/schema/Video"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Content from "../content.js"
import type { Ctx, RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import type { Job } from "../state.js"
import { validate } from "../validation.js"
import {
  insufficient,
  isRecord,
  isReply,
  jobOwner,
  member,
  modelHeaders,
  resolveModel,
  round,
  uuid,
  V1
} from "./common.js"

const videoPrice = (duration: string | undefined): number => {
  const seconds = duration !== undefined ? Number.parseFloat(duration) : 5
  return round(0.11 * (Number.isFinite(seconds) ? seconds : 5), 4)
}

/** Records a job and charges its price at queue time (skills venice-video, venice-audio-music), else refuses. */
const enqueue = (
  ctx: Ctx,
  kind: Job["kind"],
  model: string,
  price: number,
  answer: (job: Job) => Reply.Reply
): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const refused = insufficient(ctx, price)
    if (refused !== undefined) return refused
    const job: Job = {
      id: yield* uuid(ctx),
      kind,
      model,
      owner: jobOwner(ctx),
      queuedAt: ctx.now,
      durationMillis: ctx.env.settings.jobs.durationMillis,
      deleted: false
    }
    ctx.env.state.jobs.set(job.id, job)
    ctx.charge({ usd: price, model, requestId: job.id })
    return answer(job)
  })

const videoQueue: RouteSpec = {
  name: "video/queue",
  method: "POST",
  path: `${V1}/video/queue`,
  auth: "any",
  body: "json",
  modelType: "video",
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "video")
      if (isReply(model)) return model
      const decoded = validate(Video.QueueVideoRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const constraints: unknown = model.model.model_spec.constraints
      if (request.prompt === undefined) return Reply.standard(400, "prompt is required for this model")
      if (isRecord(constraints)) {
        const allowed = (field: string): ReadonlyArray<unknown> => {
          const values = member(constraints, field)
          return Array.isArray(values) ? values : []
        }
        if (request.duration === undefined || !allowed("durations").includes(request.duration)) {
          return Reply.standard(400, `Invalid duration for this model. Allowed: ${allowed("durations").join(", ")}`)
        }
        if (request.aspect_ratio === undefined && allowed("aspect_ratios").length > 0) {
          return Reply.standard(400, "aspect_ratio is required for this model")
        }
        if (request.aspect_ratio !== undefined && !allowed("aspect_ratios").includes(request.aspect_ratio)) {
          return Reply.standard(400, "This model does not support aspect_ratio " + request.aspect_ratio)
        }
        if (request.resolution !== undefined && !allowed("resolutions").includes(request.resolution)) {
          return Reply.standard(400, "This model does not support resolution " + request.resolution)
        }
        const modelType = member(constraints, "model_type")
        if (modelType === "text-to-video" && request.image_url !== undefined) {
          return Reply.standard(400, "This model does not support image_url")
        }
        if (modelType === "image-to-video" && request.image_url === undefined) {
          return Reply.standard(400, "image_url is required for this model")
        }
      }
      return yield* enqueue(ctx, "video", model.model.id, videoPrice(request.duration), (job) =>
        Reply.json(200, {
          model: model.model.id,
          queue_id: job.id,
          ...(Catalog.vpsBacked.has(model.model.id)
            ? { download_url: Catalog.downloadUrl(ctx.env.origin(), job.id) }
            : {})
        }, modelHeaders(model)))
    })
}

const retrieve = (
  kind: "video" | "audio",
  schema: typeof Video.RetrieveVideoRequest | typeof Audio.RetrieveAudioRequest
): RouteSpec["handle"] =>
(ctx) =>
  Effect.sync(() => {
    const model = resolveModel(ctx, kind === "video" ? "video" : "music")
    if (isReply(model)) return model
    const decoded = validate(schema, ctx.body)
    if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
    const request = decoded.right
    const job = ctx.env.state.jobs.get(request.queue_id)
    if (job === undefined || job.kind !== kind || job.owner !== jobOwner(ctx)) {
      return Errors.codeReply("REQUEST_ID_NOT_FOUND", ctx.errorEnv)
    }
    if (job.deleted) {
      // The docs' wording (the error-code table has "may may").
      return Errors.codeReply("MEDIA_NOT_FOUND", ctx.errorEnv, {
        message: "Media could not be found. Request may be invalid, expired, or deleted."
      })
    }
    const elapsed = ctx.now - job.queuedAt
    const status = (status: "PROCESSING" | "COMPLETED") =>
      Reply.json(
        200,
        { status, average_execution_time: job.durationMillis, execution_duration: elapsed },
        modelHeaders(model)
      )
    if (elapsed < job.durationMillis) return status("PROCESSING")
    // VPS-backed: the video is at the queue answer's download_url (routes/jobs.ts)
    if (kind === "video" && Catalog.vpsBacked.has(job.model)) return status("COMPLETED")
    if (request.delete_media_on_completion === true) job.deleted = true
    if (kind === "video") {
      return {
        status: 200,
        headers: modelHeaders(model),
        body: { _tag: "bytes", value: Content.videoBytes(), contentType: "video/mp4" }
      }
    }
    return {
      status: 200,
      headers: {
        ...modelHeaders(model),
        "x-venice-audio-format": "mp3",
        "x-venice-inference-time": String(round(job.durationMillis / 1000, 3))
      },
      body: { _tag: "bytes", value: Content.audioBytes("mp3", 48_000), contentType: "audio/mpeg" }
    }
  })

const videoRetrieve: RouteSpec = {
  name: "video/retrieve",
  method: "POST",
  path: `${V1}/video/retrieve`,
  auth: "any",
  body: "json",
  handle: retrieve("video", Video.RetrieveVideoRequest)
}

const audioQueue: RouteSpec = {
  name: "audio/queue",
  method: "POST",
  path: `${V1}/audio/queue`,
  auth: "any",
  body: "json",
  modelType: "music",
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "music")
      if (isReply(model)) return model
      const decoded = validate(Audio.QueueAudioRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const spec = model.model.model_spec
      if (request.prompt.trim().length < (spec.min_prompt_length ?? 10)) {
        return Reply.standard(400, `prompt must be at least ${spec.min_prompt_length ?? 10} characters`)
      }
      if (request.lyrics_prompt !== undefined && spec.supports_lyrics !== true) {
        return Reply.standard(400, "This model does not support lyrics_prompt")
      }
      const seconds = request.duration_seconds !== undefined
        ? Number(request.duration_seconds)
        : spec.default_duration ?? 60
      return yield* enqueue(ctx, "audio", model.model.id, round(seconds * 0.0115, 4), (job) =>
        Reply.json(200, { model: model.model.id, queue_id: job.id, status: "QUEUED" }, modelHeaders(model)))
    })
}

const audioRetrieve: RouteSpec = {
  name: "audio/retrieve",
  method: "POST",
  path: `${V1}/audio/retrieve`,
  auth: "any",
  body: "json",
  handle: retrieve("audio", Audio.RetrieveAudioRequest)
}

const quote = (name: string, type: Models.ModelType, price: (body: Record<string, unknown>) => number): RouteSpec => ({
  name,
  method: "POST",
  path: `${V1}/${name}`,
  auth: "none",
  body: "json",
  handle: (ctx) =>
    Effect.sync(() => {
      const model = resolveModel(ctx, type)
      if (isReply(model)) return model
      return Reply.json(200, { quote: price(isRecord(ctx.body) ? ctx.body : {}) })
    })
})

const videoQuote = quote(
  "video/quote",
  "video",
  (body) => videoPrice(typeof body.duration === "string" ? body.duration : undefined)
)
const audioQuote = quote("audio/quote", "music", (body) => round(Number(body.duration_seconds ?? 60) * 0.0115, 4))

const complete = (kind: "video" | "audio"): RouteSpec => ({
  name: `${kind}/complete`,
  method: "POST",
  path: `${V1}/${kind}/complete`,
  auth: "any",
  body: "json",
  handle: (ctx: Ctx) =>
    Effect.sync(() => {
      const model = resolveModel(ctx, kind === "video" ? "video" : "music")
      if (isReply(model)) return model
      const decoded = validate(Audio.CompleteJobRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const job = ctx.env.state.jobs.get(decoded.right.queue_id)
      // skill venice-video §4: /video/complete currently refuses every queue id issued by /video/queue
      if (kind === "video" || job === undefined || job.kind !== kind || job.owner !== jobOwner(ctx)) {
        return Errors.codeReply("REQUEST_ID_NOT_FOUND", ctx.errorEnv)
      }
      job.deleted = true
      return Reply.json(200, { success: true })
    })
})

const media: RouteSpec = {
  name: "media",
  method: "GET",
  path: "/media/:file",
  auth: "none",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const id = (ctx.params.file ?? "").replace(/\.mp4$/, "")
      const job = ctx.env.state.jobs.get(id)
      const signed = job !== undefined &&
        Catalog.downloadUrl(ctx.env.origin(), id).endsWith(`?${ctx.search.toString()}`)
      if (job === undefined || !signed) {
        return { status: 403, headers: {}, body: { _tag: "text", value: "AccessDenied", contentType: "text/plain" } }
      }
      if (ctx.now - job.queuedAt < job.durationMillis || job.deleted) {
        return { status: 404, headers: {}, body: { _tag: "text", value: "NoSuchKey", contentType: "text/plain" } }
      }
      return {
        status: 200,
        headers: {},
        body: { _tag: "bytes", value: Content.videoBytes(), contentType: "video/mp4" }
      }
    })
}

/** The async job routes: queue, retrieve, quote and complete for video and audio, and the pre-signed media. */
export const jobRoutes: ReadonlyArray<RouteSpec> = [
  videoQueue,
  videoRetrieve,
  videoQuote,
  audioQueue,
  audioRetrieve,
  audioQuote,
  complete("video"),
  complete("audio"),
  media
]
