/**
 * Failure below `@effect/ai`: the SDK's retries, pacing and payments run underneath `generateText` (attempts counted
 * by the emulator), a mid-stream in-band error fails `streamText` with a typed error, and every `AiError` carries
 * the SDK's tagged error back out (`VeniceAi`), so `catchTag` / `VeniceError.catchCode` work one layer up.
 */
import * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as VeniceAi from "../src/VeniceAi.js"
import * as VeniceLanguageModel from "../src/VeniceLanguageModel.js"
import { drive, KEY, venice, wallet } from "./support.js"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit) || exit.cause._tag !== "Fail") throw new Error("expected a typed failure")
  return exit.cause.error
}

describe("retries and payments underneath generateText", () => {
  const t = venice()

  it.scoped("a 429 storm: the SDK waits what Venice announced and retries; @effect/ai sees one answer", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      yield* emulator.script({ route: "chat/completions" }, 3, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 2 }))
      const exit = yield* drive(LanguageModel.generateText({ prompt: "hi" }))
      expect(Exit.isSuccess(exit)).toBe(true)
      const requests = (yield* emulator.requests).filter((r) => r.route === "chat/completions")
      expect(requests.map((r) => r.status)).toEqual([429, 429, 429, 200])
      // each retry waited the announced 2 s (TestClock), no sooner
      for (let i = 1; i < requests.length; i++) {
        expect(requests[i]!.at - requests[i - 1]!.at).toBeGreaterThanOrEqual(2000)
      }
    }).pipe(Effect.provide(t.layer)))

  it.scoped("a storm longer than the policy: an HttpResponseError carrying the last 429, its code and wait", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      yield* emulator.script({ route: "chat/completions" }, 10, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 1 }))
      const exit = yield* drive(
        LanguageModel.generateText({ prompt: "hi" }).pipe(
          VeniceLanguageModel.withConfigOverride({ call: { retry: RetryPolicy.make({ maxRetries: 2 }) } })
        )
      )
      const error = failureOf(exit)
      expect(error._tag).toBe("HttpResponseError")
      expect(error._tag === "HttpResponseError" && error.response.status).toBe(429)
      expect(error._tag === "HttpResponseError" && error.response.headers["retry-after"]).toBe("1")
      const venice = Option.getOrThrow(VeniceAi.veniceError(error))
      expect(venice).toMatchObject({
        _tag: "VeniceStandardError",
        code: "RATE_LIMIT_EXCEEDED",
        status: 429,
        attempt: 3
      })
      expect(yield* emulator.count({ route: "chat/completions" })).toBe(3)
    }).pipe(Effect.provide(t.layer)))
})

describe("402 top-up underneath generateText", () => {
  const w = wallet({ balanceUsd: 0 })

  it.scoped("wallet call → 402 → x402 top-up → retry → answer; @effect/ai never sees the 402", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      const exit = yield* drive(LanguageModel.generateText({ prompt: "hello" }), { stallAfter: 5_000 })
      expect(Exit.isSuccess(exit)).toBe(true)
      const trail = (yield* emulator.requests).map((r) => `${r.status} ${r.route}`)
      // the ledger is read once before signing: where the payment would be looked for should its answer be lost
      expect(trail).toEqual([
        "402 chat/completions",
        "402 x402/top-up",
        "200 x402/transactions",
        "200 x402/top-up",
        "200 chat/completions"
      ])
      const view = yield* emulator.wallet(w.address)
      expect(view.transactions[0]).toMatchObject({ type: "TOP_UP", amount: 10 })
    }).pipe(Effect.provide(w.layer)))
})

describe("in-band stream errors under streamText", () => {
  const t = venice()

  it.scoped("the parts before the error arrive; then the stream fails with the typed StreamEventError", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.streamError(4, { retryAfter: 7 }))
      const received: Array<string> = []
      const exit = yield* Effect.exit(
        LanguageModel.streamText({ prompt: "Tell me a story" }).pipe(
          Stream.runForEach((part) => Effect.sync(() => received.push(part.type)))
        )
      )
      // the role chunk and three tokens made it through before the error event
      expect(received).toEqual(["response-metadata", "text-start", "text-delta", "text-delta", "text-delta"])
      const error = failureOf(exit)
      expect(error._tag).toBe("UnknownError")
      const venice = Option.getOrThrow(VeniceAi.veniceError(error))
      expect(venice).toMatchObject({ _tag: "StreamEventError", code: "model_overloaded", type: "server_error" })
      expect(venice._tag === "StreamEventError" && venice.retryAfter).toEqual(expect.anything())
      // one layer up: catchTag on the SDK's tag
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.streamError(2))
      const recovered = yield* LanguageModel.streamText({ prompt: "again" }).pipe(
        Stream.runCollect,
        Effect.map(Chunk.size),
        VeniceAi.unwrap,
        Effect.catchTag("StreamEventError", (e) => Effect.succeed(`in-band ${e.code} after ${e.received} events`))
      )
      expect(recovered).toBe("in-band model_overloaded after 2 events")
    }).pipe(Effect.provide(t.layer)))

  it.scoped("a connection reset mid-stream: HttpRequestError (Transport) carrying StreamTransportError", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.streamReset(3))
      const error = yield* Effect.flip(Stream.runDrain(LanguageModel.streamText({ prompt: "hi" })))
      expect(error).toBeInstanceOf(AiError.HttpRequestError)
      expect(Option.getOrThrow(VeniceAi.veniceError(error))._tag).toBe("StreamTransportError")
    }).pipe(Effect.provide(t.layer)))
})

describe("the typed-error round trip", () => {
  const t = venice()

  it.scoped("404 MODEL_NOT_FOUND: HttpResponseError for @effect/ai, the VeniceError for whoever asks", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      const error = yield* Effect.flip(
        LanguageModel.generateText({ prompt: "hi" }).pipe(
          VeniceLanguageModel.withConfigOverride({ model: "no-such-model" })
        )
      )
      expect(error).toBeInstanceOf(AiError.HttpResponseError)
      expect(error._tag === "HttpResponseError" && error.response.status).toBe(404)
      expect(error._tag === "HttpResponseError" && error.description).toBe(
        "MODEL_NOT_FOUND: Specified model not found: no-such-model"
      )
      expect(error.module).toBe("VeniceLanguageModel")
      expect(error.method).toBe("generateText")
      const venice = Option.getOrThrow(VeniceAi.veniceError(error))
      expect(VeniceError.isVeniceError(venice)).toBe(true)
      expect(venice).toMatchObject({ code: "MODEL_NOT_FOUND", status: 404 })
      expect(VeniceError.isVeniceError(venice) && VeniceError.retryClass(venice)).toBe("never")
      expect(yield* emulator.count({ route: "chat/completions" })).toBe(1) // never retried

      // catchCode and catchTag one layer up
      const byCode = yield* LanguageModel.generateText({ prompt: "hi" }).pipe(
        VeniceLanguageModel.withConfigOverride({ model: "no-such-model" }),
        Effect.map((r) => r.text),
        VeniceAi.unwrap,
        VeniceError.catchCode("MODEL_NOT_FOUND", (e) => Effect.succeed(`no model (${e.status})`))
      )
      expect(byCode).toBe("no model (404)")
      const byTag = yield* LanguageModel.generateText({ prompt: "hi" }).pipe(
        VeniceLanguageModel.withConfigOverride({ model: "no-such-model" }),
        Effect.map((r) => r.text),
        VeniceAi.unwrap,
        Effect.catchTag("VeniceStandardError", (e) => Effect.succeed(e.code))
      )
      expect(byTag).toBe("MODEL_NOT_FOUND")
    }).pipe(Effect.provide(t.layer)))

  it.scoped("a request Venice would refuse fails locally as MalformedInput: nothing sent, no budget spent", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      const error = yield* Effect.flip(
        LanguageModel.generateText({ prompt: "hi" }).pipe(VeniceLanguageModel.withConfigOverride({ temperature: 5 }))
      )
      expect(error._tag).toBe("MalformedInput")
      expect(Option.getOrThrow(VeniceAi.veniceError(error))._tag).toBe("RequestValidationError")
      expect(yield* emulator.count({ route: "chat/completions" })).toBe(0)
    }).pipe(Effect.provide(t.layer)))

  it.scoped("no AiError message, description or body carries the API key", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.error("AUTHENTICATION_FAILED"))
      const error = yield* Effect.flip(LanguageModel.generateText({ prompt: "hi" }))
      expect(error._tag).toBe("HttpResponseError")
      expect(`${error.message} ${JSON.stringify(error)}`).not.toContain(KEY)
      expect(error._tag === "HttpResponseError" && error.request.headers).toEqual({})
    }).pipe(Effect.provide(t.layer)))

  it.scoped("AiErrors raised by @effect/ai itself carry nothing; unwrap leaves them alone", () =>
    Effect.gen(function*() {
      const foreign = new AiError.UnknownError({ module: "x", method: "y" })
      expect(Option.isNone(VeniceAi.failure(foreign))).toBe(true)
      const same = yield* Effect.flip(VeniceAi.unwrap(Effect.fail(foreign)))
      expect(same).toBe(foreign)
    }))
})
