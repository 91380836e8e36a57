// docs/endpoints.md: a job to the end, its media as a bounded byte stream, then cleanup.
import { Audio } from "@venice-effect/venice"
import { Effect, Stream } from "effect"

export const program = Effect.gen(function*() {
  const request = { model: "elevenlabs-music", prompt: "uplifting indie folk, 120 BPM", duration_seconds: 60 }
  const queued = yield* Audio.queue(request)
  // polled under the jobs' policy, then streamed (the retrieve's body, or a VPS-backed video's download_url): at most
  // maxBytes (ResponseTooLargeError), at most idleTimeout between two chunks (StreamTransportError)
  const size = yield* Audio.download(queued.queue_id, { model: queued.model, maxBytes: 100 * 1024 * 1024 }).pipe(
    Stream.runFold(0, (n, chunk) => n + chunk.length)
  )
  yield* Audio.complete({ model: queued.model, queue_id: queued.queue_id })
  return size
})
