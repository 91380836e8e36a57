// docs/jobs.md: video and music jobs, polled under their own policy, resumed by queue id.
import { Audio, Jobs, Video } from "@venice-effect/venice"
import { Console, Effect, Schedule, Stream } from "effect"

const request = {
  model: "wan-2.5-preview-text-to-video",
  prompt: "Venice at dawn",
  duration: "5s",
  aspect_ratio: "16:9"
} as const

// Queued once (never re-sent once it may have reached Venice), then polled: progress, then the media.
export const video = Video.generate(request).pipe(
  Stream.tap((state) => Console.log(`${Math.round(Jobs.progress(state) * 100)}%`)),
  Jobs.await_
)

// The job is billed and may still finish when polling gives up: every job error names it.
export const patient = video.pipe(
  Effect.catchTag("JobTimeoutError", (e) => Jobs.await_(Video.resume(e.queueId, { model: e.model })))
)

// Your cadence and bound instead of the defaults.
export const music = Audio.generate(
  { model: "elevenlabs-music", prompt: "An upbeat folk tune with a fiddle" },
  { polling: Schedule.spaced("10 seconds"), pollFor: "30 minutes" }
).pipe(Jobs.await_)
