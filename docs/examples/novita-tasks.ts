// docs/novita.md: an async text-to-image task, submitted once and polled with a Schedule.
import { Tasks } from "@venice-effect/novita"
import { Effect, Schedule, Stream } from "effect"

const generate = Tasks.txt2img({
  request: {
    model_name: "sd_xl_base_1.0.safetensors",
    prompt: "a lighthouse at dusk",
    width: 1024,
    height: 1024,
    image_num: 1,
    steps: 20,
    guidance_scale: 7.5,
    sampler_name: "Euler a"
  }
}).pipe(
  Effect.flatMap(({ task_id }) =>
    Tasks.poll(task_id, { polling: Schedule.spaced("2 seconds").pipe(Schedule.upTo("5 minutes")) }).pipe(
      Stream.tap((s) => Effect.log(`${s.task.status} ${s.task.progress_percent ?? 0}%`)),
      Tasks.last
    )
  ),
  Effect.map((done) => done.images?.map((i) => i.image_url) ?? []),
  Effect.catchTag("NovitaTaskFailedError", (e) => Effect.fail(`the task failed: ${e.reason}`))
)
