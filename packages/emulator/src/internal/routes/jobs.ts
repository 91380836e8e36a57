/**
 * The end of async jobs (skills venice-video, venice-audio-music): `POST /audio/complete` deletes a finished job's
 * media (`{ success: true }`); `POST /video/complete` answers `400 "Request ID is invalid."` for queue ids of
 * `/video/queue`, as the skill reports Venice does today; and the pre-signed `download_url` of VPS-backed video
 * models (`GET /media/{id}.mp4?X-Signature=…`, no credentials) serves the video once the job is done.
 */
import * as Audio from "@venice-effect/venice/schema/Audio"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Content from "../content.js"
import type { Ctx, RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import { isReply, jobOwner, resolveModel, V1 } from "../routes.js"
import { validate } from "../validation.js"

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
      const signed = job !== undefined && Catalog.downloadUrl(ctx.env.origin(), id).endsWith(`?${ctx.search.toString()}`)
      if (job === undefined || !signed) {
        return { status: 403, headers: {}, body: { _tag: "text", value: "AccessDenied", contentType: "text/plain" } }
      }
      if (ctx.now - job.queuedAt < job.durationMillis || job.deleted) {
        return { status: 404, headers: {}, body: { _tag: "text", value: "NoSuchKey", contentType: "text/plain" } }
      }
      return { status: 200, headers: {}, body: { _tag: "bytes", value: Content.videoBytes(), contentType: "video/mp4" } }
    })
}

/** The job routes of this file. */
export const jobRoutes: ReadonlyArray<RouteSpec> = [complete("video"), complete("audio"), media]
