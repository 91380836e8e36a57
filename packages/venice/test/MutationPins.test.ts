/**
 * Behaviour that mutation testing found unpinned (issue 13, `npm run mutate`): with any of these changed, every other
 * test still passed. Each is pinned here over loopback HTTP against the emulator.
 *
 * - the crypto-RPC `Idempotency-Key` (R9): one per logical call, the same on every retry, so a retry after a lost
 *   answer is replayed by Venice instead of broadcasting the transaction again;
 * - the 30 s wait assumed for an overload 429 that announces none (H1);
 * - the catalog's log level for each failure (C4);
 * - the retry span events (O2).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Chat from "../src/Chat.js"
import * as CryptoRpc from "../src/CryptoRpc.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { drive, layer, recordingLogger, recordingTracer } from "./support.js"

const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
const rpc = { jsonrpc: "2.0" as const, id: 1, method: "eth_blockNumber" }

describe("mutation pins", () => {
  it.scoped("R9: a crypto RPC whose answer was lost is retried with the same Idempotency-Key and replayed, not re-run", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      // the first answer is cut mid-body: Venice ran the call, the client never saw the result
      yield* emu.script({ route: "crypto/rpc" }, 1, Faults.resetMidBody(10))
      const exit = yield* drive(CryptoRpc.callWithMeta("base-mainnet", rpc))
      if (Exit.isFailure(exit)) return expect.fail(`expected a success, got ${String(exit.cause)}`)
      expect(yield* emu.count({ route: "crypto/rpc" })).toBe(2)
      expect(exit.value.meta.idempotentReplayed).toBe(true)
      // a second logical call gets a key of its own: it runs again
      const again = yield* drive(CryptoRpc.callWithMeta("base-mainnet", rpc))
      if (Exit.isFailure(again)) return expect.fail(`expected a success, got ${String(again.cause)}`)
      expect(again.value.meta.idempotentReplayed).not.toBe(true)
    }).pipe(Effect.provide(layer())))

  it.scoped("H1: an overload 429 without a usable Retry-After waits the 30 s default, not less", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.garbageHeaders("retry-after-text"))
      const exit = yield* drive(Chat.completions(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      const [first, second] = yield* emu.requests
      expect(first!.status).toBe(429)
      const gap = second!.at - first!.at
      expect(gap).toBeGreaterThanOrEqual(30_000)
      expect(gap).toBeLessThanOrEqual(30_000 + 250 + 20)
    }).pipe(Effect.provide(layer())))

  it.scoped("C4: each failure is logged at its catalog level (error, warn, debug)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const logs = recordingLogger()
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INFERENCE_FAILED")) // "error"
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("ASR_UPSTREAM_VALIDATION_FAILED")) // "warn"
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL")) // "-"
      const once = Chat.completions(hello, { retry: RetryPolicy.none }).pipe(
        Effect.exit,
        Effect.provide(logs.layer),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      yield* once
      yield* once
      yield* once
      const levels = logs.lines
        .map((line) => JSON.parse(line) as { level: string; message: unknown; annotations: Record<string, unknown> })
        .filter((line) => String(line.message).includes("chat.completions failed"))
        .map((line) => [line.annotations["venice.code"], line.level])
      expect(levels).toEqual([["INFERENCE_FAILED", "ERROR"], ["ASR_UPSTREAM_VALIDATION_FAILED", "WARN"], [
        "INVALID_MODEL",
        "DEBUG"
      ]])
    }).pipe(Effect.provide(layer())))

  it.scoped("O2: each retry is a span event with its attempt, delay, reason and class", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const tracing = recordingTracer()
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 2 }))
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_AT_CAPACITY"))
      const exit = yield* drive(Chat.completions(hello).pipe(Effect.withTracer(tracing.tracer)))
      expect(Exit.isSuccess(exit)).toBe(true)
      const span = tracing.records.find((r) => r.name === "venice.chat.completions")!
      expect(span.attributes).toMatchObject({ attempts: 3, outcome: "success" })
      const events = span.events as ReadonlyArray<{ name: string; attributes: Record<string, unknown> }>
      expect(events.map((e) => e.name)).toEqual(["retry", "retry"])
      expect(events[0]!.attributes).toMatchObject({
        "retry.attempt": 2,
        "retry.reason": "retry-after",
        "retry.class": "header-wait",
        "error.tag": "VeniceStandardError",
        "venice.code": "MODEL_OVERLOADED"
      })
      expect(events[0]!.attributes["retry.delay_ms"]).toBeGreaterThanOrEqual(2000)
      expect(events[1]!.attributes).toMatchObject({
        "retry.attempt": 3,
        "retry.reason": "backoff",
        "retry.class": "backoff"
      })
    }).pipe(Effect.provide(layer())))
})
