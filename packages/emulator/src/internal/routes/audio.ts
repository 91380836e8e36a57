/**
 * The audio routes: `POST /audio/speech` (bytes, or a paced stream of audio chunks) and `POST
 * /audio/transcriptions` (multipart uploads, checked for a supported file extension).
 */
import * as Audio from "@venice-effect/venice/schema/Audio"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Content from "../content.js"
import type { RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import * as Streams from "../streams.js"
import { validate } from "../validation.js"
import { isRecord, isReply, modelHeaders, resolveModel, round, streamEnv, V1 } from "./common.js"

const speech: RouteSpec = {
  name: "audio/speech",
  method: "POST",
  path: `${V1}/audio/speech`,
  auth: "any",
  body: "json",
  modelType: "tts",
  streaming: (body) => isRecord(body) && body.streaming === true,
  handle: (ctx) =>
    Effect.sync(() => {
      const model = resolveModel(ctx, "tts")
      if (isReply(model)) return model
      const decoded = validate(Audio.SpeechRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const spec = model.model.model_spec
      if (request.voice !== undefined && !(spec.voices ?? []).includes(request.voice)) {
        return Reply.standard(400, `Invalid voice "${request.voice}" for model ${model.model.id}`)
      }
      const format = request.response_format ?? (isSpeechFormat(spec.default_format) ? spec.default_format : "mp3")
      if (!(spec.supported_formats ?? []).includes(format)) {
        return Reply.standard(400, `Unsupported response_format "${format}" for model ${model.model.id}`)
      }
      const bytes = Content.audioBytes(format, 2_000 + request.input.length * 240)
      ctx.charge({ usd: round(request.input.length * 3.5 / 1_000_000), model: model.model.id, requestId: null })
      const contentType = Audio.speechContentType[format]
      if (request.streaming === true) {
        const { contentLength, stream } = Streams.audioStream(
          bytes,
          ctx.env.settings.stream.audioChunks,
          streamEnv(ctx)
        )
        return {
          status: 200,
          headers: modelHeaders(model),
          body: { _tag: "stream", contentType, stream, contentLength }
        }
      }
      return { status: 200, headers: modelHeaders(model), body: { _tag: "bytes", value: bytes, contentType } }
    })
}

const isSpeechFormat = Schema.is(Audio.SpeechFormat)

const AUDIO_EXTENSIONS = ["wav", "wave", "flac", "m4a", "aac", "mp4", "mp3", "ogg", "webm"]

const transcriptions: RouteSpec = {
  name: "audio/transcriptions",
  method: "POST",
  path: `${V1}/audio/transcriptions`,
  auth: "any",
  body: "multipart",
  modelType: "asr",
  handle: (ctx) =>
    Effect.gen(function*() {
      const form = yield* Effect.tryPromise(() =>
        new Response(new Uint8Array(ctx.rawBody), { headers: { "content-type": ctx.contentType } }).formData()
      ).pipe(Effect.option)
      if (form._tag === "None") return Reply.standard(400, "Invalid multipart/form-data request")
      const data = form.value
      const file = data.get("file")
      if (file === null || typeof file === "string") {
        return Reply.json(400, {
          error: "Invalid request parameters",
          details: { _errors: [], file: { _errors: ["Required"] } },
          issues: [{ code: "invalid_type", path: ["file"], message: "Required" }]
        })
      }
      if (file.size > ctx.env.settings.maxFileBytes) return Reply.standard(400, "Maximum size is 25MB")
      const name = file instanceof File ? file.name : ""
      const extension = name.includes(".") ? name.slice(name.lastIndexOf(".") + 1).toLowerCase() : ""
      if (!(AUDIO_EXTENSIONS.includes(extension) || file.type.startsWith("audio/"))) {
        return Errors.codeReply("INVALID_AUDIO_FORMAT", ctx.errorEnv)
      }
      const modelId = data.get("model")
      const resolved = Catalog.resolve(typeof modelId === "string" ? modelId : "nvidia/parakeet-tdt-0.6b-v3", "asr")
      if (resolved === "not-found") {
        return Errors.codeReply("MODEL_NOT_FOUND", ctx.errorEnv, {
          message: `Specified model not found: ${String(modelId)}`
        })
      }
      if (resolved === "wrong-type") return Errors.codeReply("INVALID_MODEL", ctx.errorEnv)
      const duration = round(file.size / 32_000, 2)
      const text = Content.tokens(ctx.env.settings.stream.tokens).join("")
      ctx.charge({ usd: round(duration * 0.0001), model: resolved.model.id, requestId: null })
      if (data.get("response_format") === "text") {
        return {
          status: 200,
          headers: modelHeaders(resolved),
          body: { _tag: "text", value: text, contentType: "text/plain; charset=utf-8" }
        }
      }
      const timestamps = data.get("timestamps") === "true"
      return Reply.json(200, {
        text,
        duration,
        ...(timestamps
          ? {
            timestamps: {
              segment: [{ text, start: 0, end: duration }],
              word: text.trim().split(" ").map((word, i, all) => ({
                word,
                start: round((duration * i) / all.length, 3),
                end: round((duration * (i + 1)) / all.length, 3)
              }))
            }
          }
          : {})
      }, modelHeaders(resolved))
    })
}

/** The audio routes. */
export const audioRoutes: ReadonlyArray<RouteSpec> = [speech, transcriptions]
