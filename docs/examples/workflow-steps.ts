// docs/workflows.md: a workflow of your own, built from durable Venice steps.
import { Workflow } from "@effect/workflow"
import { VeniceActivity } from "@venice-effect/workflow"
import { Effect, Schema } from "effect"

export const Jingle = Workflow.make({
  name: "jingle",
  payload: { product: Schema.String },
  success: VeniceActivity.JobResult,
  error: Schema.Unknown,
  idempotencyKey: (payload) => payload.product
})

// Each step has a name, unique in the workflow: its outcome is recorded under it, and a replay reads the record.
export const JingleLive = Jingle.toLayer((payload) =>
  Effect.gen(function*() {
    const lyrics = yield* VeniceActivity.chat("lyrics", {
      model: "venice-uncensored",
      messages: [{ role: "user", content: `Four short lines of jingle lyrics for ${payload.product}` }]
    })
    // queued once (a lost answer is found in the wallet's ledger), polled with durable sleeps, downloaded to a file
    return yield* VeniceActivity.generateAudio("jingle", {
      model: "elevenlabs-music",
      prompt: `An upbeat jingle for ${payload.product}`,
      lyrics_prompt: String(lyrics.choices[0]?.message.content ?? "")
    }, { output: { _tag: "File", path: `./${payload.product}.mp3` }, maxBytes: 20 * 1024 * 1024 })
  })
)
