// docs/workflows.md: a worker on SQLite that turns a prompt into a video file, durably (API key).
import { NodeContext, NodeHttpClient } from "@effect/platform-node"
import { VeniceClient } from "@venice-effect/venice"
import { VeniceWorkflows, WorkflowStorage } from "@venice-effect/workflow"
import { Effect, Layer } from "effect"

// The worker: the ready workflows, their storage (one SQLite file, one worker process per file), a client.
const Worker = VeniceWorkflows.layer().pipe(
  Layer.provideMerge(WorkflowStorage.layerSqlite({ filename: "./workflows.sqlite" })),
  Layer.provide(VeniceClient.layerConfig()), // VENICE_API_KEY
  Layer.provide(NodeHttpClient.layerUndici),
  Layer.provide(NodeContext.layer) // the file system, for the video file
)

// Start the run named "launch-teaser" — or, after a crash and a restart, join it where it stopped.
export const program = Effect.gen(function*() {
  const result = yield* VeniceWorkflows.videoToFile({
    id: "launch-teaser",
    request: { model: "wan-2.5-preview-text-to-video", prompt: "Venice at dawn", duration: "5s", aspect_ratio: "16:9" },
    output: { _tag: "File", path: "./launch-teaser.mp4" }
  })
  yield* Effect.log(`${result.job.media.size} bytes for $${result.priceUsd}, job ${result.job.queueId}`)
}).pipe(
  // every Venice failure on the way is typed
  Effect.catchTags({
    QueueOutcomeUnknownError: (e) => Effect.logError(`not re-sent, decide by hand: ${e.message}`),
    VeniceCallError: (e) => Effect.logError(`${e.step}: ${e.code ?? e.error} — ${e.message}`)
  }),
  Effect.provide(Worker)
)
