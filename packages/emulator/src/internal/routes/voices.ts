/**
 * `POST /audio/voices` (skill venice-audio-speech §Voice cloning): a multipart voice sample in, a `vv_…` handle out,
 * paired with its model. The sample is checked by extension / MIME and by its first bytes (RIFF, ID3 / MPEG frame,
 * fLaC, ftyp); a sample over 25 MB is `413`; `tts-minimax-speech-02-hd` is `403` (not open to regular keys).
 */
import * as Effect from "effect/Effect"
import type { RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Reply from "../reply.js"
import { V1 } from "./common.js"
import * as Forms from "./forms.js"

const signature = (bytes: Uint8Array): boolean => {
  const ascii = (from: number, to: number) => String.fromCharCode(...bytes.subarray(from, to))
  return ascii(0, 4) === "RIFF" || ascii(0, 3) === "ID3" || (bytes[0] === 0xff && ((bytes[1] ?? 0) & 0xe0) === 0xe0) ||
    ascii(0, 4) === "fLaC" || ascii(4, 8) === "ftyp"
}

const clone: RouteSpec = {
  name: "audio/voices",
  method: "POST",
  path: `${V1}/audio/voices`,
  auth: "any",
  body: "multipart",
  handle: (ctx) =>
    Effect.gen(function*() {
      const record = yield* Forms.fields(ctx)
      if (record === undefined) return Reply.standard(400, "Invalid multipart/form-data request")
      const file = record.file
      if (!(file instanceof Blob)) {
        return Reply.json(400, {
          error: "Invalid request parameters",
          details: { _errors: [], file: { _errors: ["Required"] } }
        })
      }
      const model = typeof record.model === "string" ? record.model : "tts-chatterbox-hd"
      if (model === "tts-minimax-speech-02-hd") {
        return Reply.standard(403, "Voice cloning with tts-minimax-speech-02-hd is not available on your account")
      }
      if (model !== "tts-chatterbox-hd") {
        return Errors.codeReply("MODEL_NOT_FOUND", ctx.errorEnv, { message: `Specified model not found: ${model}` })
      }
      if (file.size > ctx.env.settings.maxFileBytes) {
        return Errors.codeReply("PAYLOAD_TOO_LARGE", ctx.errorEnv, {
          message: "File exceeds the maximum allowed size of 25 MB."
        })
      }
      const head = new Uint8Array(yield* Effect.promise(() => file.slice(0, 16).arrayBuffer()))
      if (!signature(head)) {
        return Reply.standard(400, "Unsupported voice sample: send MP3, WAV, FLAC or MP4 (M4A) audio")
      }
      const id = `vv_${yield* ctx.hex(20)}`
      ctx.env.state.voices.set(id, model)
      ctx.charge({ usd: 0.5, model, requestId: id })
      return Reply.json(200, { id, model })
    })
}

/** The voice routes of this file. */
export const voiceRoutes: ReadonlyArray<RouteSpec> = [clone]
