// docs/handling-errors.md: catching by tag, by code, and exhaustively.
import { ClientError } from "@venice-effect/core"
import { Chat, StreamError, VeniceError } from "@venice-effect/venice"
import { Console, Duration, Effect, Match } from "effect"

const call = Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })

// By tag: the body shape Venice sent (11 classes), or the client's own errors.
export const byTag = call.pipe(
  Effect.catchTags({
    VeniceValidationError: (e) => Console.error(VeniceError.renderFieldErrors(e).join("\n")),
    VeniceOpenAIError: (e) => Console.error(`${e.code} (${e.param ?? "-"}): ${e.message}`),
    ErrorBudgetExhaustedError: (e) => Console.error(`not sent; budget resets in ${Duration.format(e.resetIn)}`)
  })
)

// By code: the catalog code, whatever the shape (Venice usually sends only a message; the code is inferred).
export const byCode = call.pipe(
  VeniceError.catchCode(["MODEL_OFFLINE", "MODEL_AT_CAPACITY"], (e) => Console.error(`later: ${e.message}`)),
  VeniceError.catchCode("INSUFFICIENT_BALANCE", () => Console.error("top up the account"))
)

// Exhaustively: every failure of a call is one of three families (a program that signs with a wallet declares a
// fourth, WalletError: see x402.md).
export const describe = (error: Effect.Effect.Error<typeof call> | StreamError.StreamError): string =>
  VeniceError.isVeniceError(error)
    ? `${error.status} ${error.code} [${VeniceError.retryClass(error)}] ${VeniceError.remedy(error)}`
    : StreamError.isStreamError(error)
    ? `${error._tag} after ${error.received} event(s): ${error.message}`
    : ClientError.isClientError(error)
    ? Match.value(error).pipe(
      Match.tag("TransportError", (e) => `transport (${e.reason}), maybe delivered: ${e.maybeDelivered}`),
      Match.tag("WaitTooLongError", (e) => `asked to wait ${Duration.format(e.wait)}`),
      Match.orElse((e) => e.message)
    )
    : "unreachable"
