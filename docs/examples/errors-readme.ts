// README: catching a Venice error by tag and by code.
import { VeniceError } from "@venice-effect/venice"
import { Effect } from "effect"

declare const call: Effect.Effect<string, VeniceError.VeniceError>

const program = call.pipe(
  Effect.catchTag("VeniceValidationError", (e) => Effect.succeed(VeniceError.renderFieldErrors(e).join("\n"))),
  VeniceError.catchCode(["MODEL_OFFLINE", "MODEL_AT_CAPACITY"], (e) => Effect.succeed(`later: ${e.message}`))
)
