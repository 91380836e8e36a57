// docs/endpoints.md: a job to the end, its media as a bounded byte stream, then cleanup.
import { Audio, JobMedia, Jobs } from "@venice-effect/venice"
import { Effect, Stream } from "effect"

export const program = Effect.gen(function*() {
  const request = { model: "elevenlabs-music", prompt: "uplifting indie folk, 120 BPM", duration_seconds: 60 }
  const queued = yield* Audio.queue(request)
  const job = { model: queued.model, queue_id: queued.queue_id }
  const done = yield* Jobs.await_(Jobs.poll({ queueId: job.queue_id, model: job.model }, Audio.retrieve(job)))
  if (done._tag === "Media") console.log(done.meta?.audioFormat, done.meta?.inferenceTimeSeconds)
  // Media bytes, or a VPS-backed video's download_url fetched without credentials; over maxBytes fails
  const size = yield* JobMedia.stream(done, { maxBytes: 100 * 1024 * 1024 }).pipe(
    Stream.runFold(0, (n, chunk) => n + chunk.length)
  )
  yield* Audio.complete(job)
  return size
})
