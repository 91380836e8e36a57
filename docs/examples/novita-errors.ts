// docs/novita.md: catching Novita's API error by its catalog code.
import { Chat, NovitaError } from "@venice-effect/novita"
import { Effect } from "effect"

const request = { model: "meta-llama/llama-3.1-8b-instruct", messages: [{ role: "user" as const, content: "hi" }] }

const safe = Chat.completions(request).pipe(
  Effect.catchTag(
    "NovitaApiError",
    (e) => Effect.fail(NovitaError.hasCode(e, "NOT_ENOUGH_BALANCE") ? "top up your Novita balance" : e)
  )
)
