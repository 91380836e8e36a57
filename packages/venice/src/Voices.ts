/**
 * Voice cloning, `POST /audio/voices` (multipart): a voice sample in, a `vv_…` handle out, to pass as `voice` to
 * `/audio/speech` with the same `model`. Each clone is charged, so a clone is sent at most once (a transport failure
 * after the upload may have reached Venice is not retried). Samples over 25 MB are refused locally; Venice answers
 * `400` for a bad sample and `403` for a cloning model not open to the account.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Audio, Voices } from "@venice-effect/venice"
 * import * as fs from "node:fs"
 *
 * const program = Effect.gen(function*() {
 *   const sample = new Blob([fs.readFileSync("sample.wav")], { type: "audio/wav" })
 *   const voice = yield* Voices.clone({ file: sample, model: "tts-chatterbox-hd" })
 *   return yield* Audio.speech({ model: voice.model, voice: voice.id, input: "Hello in my own voice." })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Media from "./internal/media.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Audio.js"
import * as VeniceClient from "./VeniceClient.js"

/**
 * Clones a voice from a sample.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const clone = <R = never>(
  request: typeof Schemas.CloneVoiceRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<Schemas.ClonedVoice, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const valid = yield* VeniceClient.validateRequest("audio.voices", Schemas.CloneVoiceRequest, request)
    const response = yield* client.json(
      {
        operation: "audio.voices",
        method: "POST",
        path: "audio/voices",
        body: { _tag: "form", value: Media.toFormData({ file: valid.file, model: valid.model }) },
        model: valid.model,
        resendable: false
      },
      Schemas.ClonedVoice,
      options
    )
    return response.value
  })
