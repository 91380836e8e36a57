// docs/retries.md: watching attempts and waits (what `venice chat` draws its status line from).
import { Pipeline } from "@venice-effect/core"
import { Chat } from "@venice-effect/venice"
import { Duration, Effect } from "effect"

const observer = (event: Pipeline.Event): Effect.Effect<void> => {
  switch (event._tag) {
    case "Waiting":
      return Effect.log(
        `${event.operation}: waiting ${
          Duration.format(event.delay)
        } (${event.reason}) before attempt ${event.nextAttempt}`
      )
    case "Pacing":
      return Effect.log(`${event.operation}: pacing ${Duration.format(event.delay)}`)
    default:
      return Effect.void
  }
}

export const observed = Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
  .pipe(
    Effect.provideService(Pipeline.Observer, observer)
  )
