// docs/ai.md: the SDK's typed errors, one layer up.
import { LanguageModel } from "@effect/ai"
import { VeniceAi, VeniceLanguageModel } from "@venice-effect/ai"
import { VeniceError } from "@venice-effect/venice"
import { Console, Effect, Option, Schema } from "effect"

// The AiError keeps its @effect/ai shape (HttpResponseError, MalformedOutput …) and carries the SDK's error.
export const inspect = LanguageModel.generateText({ prompt: "hi" }).pipe(
  Effect.tapError((error) =>
    Option.match(VeniceAi.veniceError(error), {
      onNone: () => Console.error(error.message),
      onSome: (venice) => Console.error(`${venice._tag}: ${venice.message}`)
    })
  )
)

// Or put the SDK's errors back in the channel: catchTag and VeniceError.catchCode work as on a plain SDK call.
export const recovered = LanguageModel.generateText({ prompt: "hi" }).pipe(
  Effect.map((response) => response.text),
  VeniceAi.unwrap,
  VeniceError.catchCode(["MODEL_OFFLINE", "MODEL_AT_CAPACITY"], () => Effect.succeed("try again later")),
  Effect.catchTag("StreamEventError", (e) => Effect.succeed(`the stream failed: ${e.code}`)),
  Effect.catchTag("WaitTooLongError", (e) => Effect.succeed(`Venice asked to wait ${e.wait}`))
)

// A structured output that ignored its schema: the raw text is kept.
const Answer = Schema.Struct({ verdict: Schema.Literal("yes", "no") })
export const structured = LanguageModel.generateObject({ prompt: "Is water wet?", schema: Answer }).pipe(
  VeniceAi.unwrap,
  Effect.catchTag("StructuredOutputError", (e) => Console.error(`not a verdict: ${e.raw}\n${e.issues.join("\n")}`))
)

// Venice's own parameters for one call.
export const searched = LanguageModel.generateText({ prompt: "What happened in Oslo today?" }).pipe(
  VeniceLanguageModel.withConfigOverride({ venice_parameters: { enable_web_search: "on", enable_web_citations: true } })
)
