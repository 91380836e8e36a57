// docs/testing.md: scripting the emulator — what to match, how many times, which fault.
import { Faults, VeniceEmulator } from "@venice-effect/emulator"
import { Effect } from "effect"

export const storm = Effect.gen(function*() {
  const emulator = yield* VeniceEmulator.VeniceEmulator
  const chat = { route: "chat/completions", model: "venice-uncensored" }

  // any catalog code, in the body shape and with the headers Venice sends for it
  yield* emulator.script(chat, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 2 }))
  yield* emulator.script(chat, 2, Faults.error("MODEL_AT_CAPACITY"))
  yield* emulator.script(
    { route: "audio/queue" },
    1,
    Faults.error("CONTENT_POLICY_VIOLATION", { suggestedPrompt: "a calm piano piece" })
  )
  // the wire: a reset before the headers, a CDN's HTML 502, a body cut mid-way, a server that never answers
  yield* emulator.script(chat, 1, Faults.resetBeforeHeaders)
  yield* emulator.script(chat, 1, Faults.htmlPage(502))
  yield* emulator.script(chat, 1, Faults.truncatedJson())
  yield* emulator.script(chat, 1, Faults.stall)
  // streams: an in-band error after 3 chunks, a reset, an end without [DONE]
  yield* emulator.script(chat, 1, Faults.streamError(3, { code: "model_overloaded", retryAfter: 1 }))
  yield* emulator.script(chat, 1, Faults.streamReset(5))
  yield* emulator.script(chat, 1, Faults.streamEnd(2))
  // x402 settlement: times out, lands 10 s later on the emulator's Clock
  yield* emulator.script({ route: "x402/top-up" }, 1, Faults.settlementTimeout({ landsAfter: 10_000 }))

  // every request of a model: 429 with Retry-After 30, until switched off
  yield* emulator.setOverloaded("qwen3-4b", 30)
  // wallets: credit, ledger, payments
  yield* emulator.setWalletBalance("0x0000000000000000000000000000000000000001", 0)

  // what it saw: the request log (status, route, model, key label, wallet, scripted fault, times) and counters
  const log = yield* emulator.requests
  const limited = yield* emulator.count({ route: "chat/completions", status: 429 })
  return { log, limited, stats: yield* emulator.stats }
})
