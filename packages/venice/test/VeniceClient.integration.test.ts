/**
 * The client against the emulator over loopback (design.md §4, §7, §9): one scenario per retry class at least, attempts
 * counted on the emulator's side, timing on the TestClock.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Logger from "effect/Logger"
import * as Ref from "effect/Ref"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as CryptoRpc from "../src/CryptoRpc.js"
import * as Jobs from "../src/Jobs.js"
import * as Models from "../src/Models.js"
import * as VeniceError from "../src/VeniceError.js"
import * as Video from "../src/Video.js"
import { drive, KEY, layer } from "./support.js"

const MODEL = "venice-uncensored"
const hello = { model: MODEL, messages: [{ role: "user" as const, content: "hello" }] }

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}

describe("VeniceClient against the emulator", () => {
  it.scoped("200: one attempt, a well-formed completion", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const completion = yield* Chat.completions(hello)
      expect(Chat.text(completion)?.length).toBeGreaterThan(0)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("header-wait: 429 with Retry-After 2 s then 200 → exactly 2 attempts, ≥ 2 s apart", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 2 }))
      const exit = yield* drive(Chat.completions(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      const requests = yield* emu.requests
      expect(requests.map((r) => r.status)).toEqual([429, 200])
      const gap = requests[1]!.at - requests[0]!.at
      expect(gap).toBeGreaterThanOrEqual(2000)
      expect(gap).toBeLessThanOrEqual(2000 + 250 + 10)
    }).pipe(Effect.provide(layer())))

  it.scoped("backoff: 503 ×3 then 200 → 4 attempts with growing waits", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 3, Faults.error("MODEL_AT_CAPACITY"))
      const exit = yield* drive(Chat.completions(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      const requests = yield* emu.requests
      expect(requests.map((r) => r.status)).toEqual([503, 503, 503, 200])
      const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at)
      ;[500, 1000, 2000].forEach((nominal, i) => {
        expect(gaps[i]).toBeGreaterThanOrEqual(nominal * 0.8 - 5)
        expect(gaps[i]).toBeLessThanOrEqual(nominal * 1.2 + 5)
      })
    }).pipe(Effect.provide(layer())))

  it.scoped("never: 401 → 1 attempt, a typed error with the catalog code", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 5, Faults.error("AUTHENTICATION_FAILED"))
      const error = failureOf(yield* drive(Chat.completions(hello)))
      expect(error).toMatchObject({
        _tag: "VeniceStandardError",
        code: "AUTHENTICATION_FAILED",
        status: 401,
        attempt: 1
      })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("R8: 60 failing 400s in a row — the guard stops before Venice's lockout", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 60, Faults.error("INVALID_MODEL"))
      const tags: Array<string> = []
      for (let i = 0; i < 60; i++) {
        const exit = yield* Effect.exit(Chat.completions(hello))
        tags.push(failureOf(exit)._tag)
      }
      const sent = yield* emu.count({ route: "chat/completions" })
      expect(sent).toBe(48) // 50 − the default margin of 2
      expect(tags.filter((t) => t === "ErrorBudgetExhaustedError")).toHaveLength(12)
      expect(yield* emu.count({ status: 429 })).toBe(0) // never locked out
    }).pipe(Effect.provide(layer())))

  it.scoped("R3: a 24 h crypto-RPC reset fails at once with the wait attached", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const now = yield* TestClock.currentTimeMillis
      yield* emu.script(
        { route: "crypto/rpc" },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", {
          rateLimit: { limit: 100, remaining: 0, reset: Math.floor(now / 1000) + 24 * 3600 }
        })
      )
      const error = failureOf(
        yield* drive(CryptoRpc.call("base-mainnet", { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }))
      )
      expect(error._tag).toBe("WaitTooLongError")
      if (error._tag !== "WaitTooLongError") return
      expect(Duration.toHours(error.wait)).toBeCloseTo(24, 0)
      expect(yield* emu.count({ route: "crypto/rpc" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("R12: interrupting during a retry wait sends nothing more", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 5, Faults.error("MODEL_OVERLOADED", { retryAfter: 10 }))
      const waiting = yield* Deferred.make<void>()
      const fiber = yield* Effect.fork(
        Chat.completions(hello).pipe(
          Effect.provideService(Pipeline.Observer, (e) =>
            e._tag === "Waiting" ? Deferred.succeed(waiting, void 0) : Effect.void)
        )
      )
      yield* Deferred.await(waiting)
      yield* Fiber.interrupt(fiber)
      yield* TestClock.adjust("1 minute")
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("B2: an invalid request is refused locally and never sent", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const error = yield* Effect.flip(Chat.completions({ ...hello, temperature: 7 }))
      expect(error._tag).toBe("RequestValidationError")
      if (error._tag === "RequestValidationError") expect(error.issues.join()).toContain("temperature")
      expect(yield* emu.count()).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("transport: a reset before the headers is retried with backoff", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.resetBeforeHeaders)
      const exit = yield* drive(Chat.completions(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("transport: an HTML 502 page is a typed error, retried with backoff", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 5, Faults.htmlPage(502))
      const error = failureOf(yield* drive(Chat.completions(hello)))
      expect(error).toMatchObject({ _tag: "VeniceUnrecognizedError", bodyKind: "html", status: 502 })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(5)
    }).pipe(Effect.provide(layer())))

  it.scoped("a truncated 200 body is a typed decode error, not retried (it may be billed)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.truncatedJson())
      const error = failureOf(yield* drive(Chat.completions(hello)))
      expect(error._tag).toBe("ResponseDecodeError")
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("a stall past the attempt timeout is a typed timeout, retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.stall)
      const exit = yield* drive(Chat.completions(hello, { timeout: "5 seconds" }))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("R6: an overloaded model falls back to the next one at once", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ model: MODEL }, 5, Faults.error("MODEL_OVERLOADED", { retryAfter: 30 }))
      const completion = yield* drive(Chat.completions(hello, { fallbackModels: ["zai-org-glm-5-1"] }))
      expect(Exit.isSuccess(completion)).toBe(true)
      const requests = yield* emu.requests
      expect(requests.map((r) => [r.model, r.status])).toEqual([[MODEL, 429], ["zai-org-glm-5-1", 200]])
    }).pipe(Effect.provide(layer())))

  it.scoped("pacing: 12 concurrent calls against a 5-per-window limit collect no 429", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      // a first call teaches the client the window
      yield* Chat.completions(hello)
      const exit = yield* drive(
        Effect.all(Array.from({ length: 12 }, () => Chat.completions(hello)), { concurrency: "unbounded" })
      )
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* emu.count({ status: 429 })).toBe(0)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(13)
    }).pipe(Effect.provide(layer({ rateLimit: { requestsPerWindow: 5, window: "10 seconds" } }))))

  it.scoped("O1/O3: errors carry correlation facts and never the API key; retries reach the observer", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_AT_CAPACITY"))
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL"))
      const events = yield* Ref.make<ReadonlyArray<Pipeline.Event>>([])
      const logs = yield* Ref.make<ReadonlyArray<string>>([])
      const logger = Logger.make(({ message, annotations }) => {
        Effect.runSync(Ref.update(logs, (l) => [...l, JSON.stringify({ message, annotations: [...annotations] })]))
      })
      const exit = yield* drive(
        Chat.completions(hello).pipe(Effect.provide(Logger.replace(Logger.defaultLogger, logger))),
        { observer: (e) => Ref.update(events, (es) => [...es, e]) }
      )
      const error = failureOf(exit)
      expect(error).toMatchObject({ code: "INVALID_MODEL", attempt: 2, method: "POST" })
      if (!VeniceError.isVeniceError(error)) throw new Error(`expected a Venice error, got ${error._tag}`)
      expect(error.cfRay).toBeDefined()
      expect(error.veniceVersion).toBeDefined()
      expect(String(error)).not.toContain(KEY)
      expect(JSON.stringify(error)).not.toContain(KEY)
      expect((yield* Ref.get(logs)).join("\n")).not.toContain(KEY)
      const tags = (yield* Ref.get(events)).map((e) => e._tag)
      expect(tags).toEqual(["AttemptStarted", "AttemptFailed", "Waiting", "AttemptStarted", "AttemptFailed"])
      const waiting = (yield* Ref.get(events)).find((e) => e._tag === "Waiting")
      expect(waiting?._tag === "Waiting" && waiting.reason).toBe("backoff")
    }).pipe(Effect.provide(layer())))

  it.scoped("GET /models decodes", () =>
    Effect.gen(function*() {
      const models = yield* Models.list({ type: "all" })
      expect(models.data.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("R9: a video job is queued once and polled to the media", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const states = yield* drive(
        Video.generate({
          model: "wan-2.5-preview-text-to-video",
          prompt: "Venice at dawn",
          duration: "5s",
          aspect_ratio: "16:9"
        }).pipe(
          Stream.runCollect
        )
      )
      if (!Exit.isSuccess(states)) throw new Error(String(states.cause))
      const all = [...states.value]
      expect(all.at(-1)?._tag).toMatch(/Media|Completed/)
      expect(all.some((s) => s._tag === "Processing")).toBe(true)
      expect(Jobs.progress(all.at(-1)!)).toBe(1)
      expect(yield* emu.count({ route: "video/queue" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("R9: a queue call whose answer is lost is not re-sent", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "video/queue" }, 1, Faults.resetMidBody(5))
      const error = failureOf(
        yield* drive(
          Video.queue({ model: "wan-2.5-preview-text-to-video", prompt: "x", duration: "5s", aspect_ratio: "16:9" })
        )
      )
      expect(error._tag).toBe("TransportError")
      expect(yield* emu.count({ route: "video/queue" })).toBe(1)
    }).pipe(Effect.provide(layer())))
})
