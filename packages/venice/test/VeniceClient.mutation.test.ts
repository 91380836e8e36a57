/**
 * What Venice's configuration of the provider client decides (issue 13, mutation testing of `VeniceClient.ts`), pinned
 * over loopback HTTP against the emulator: the limit headers it reads (H2 request window, H3 error budget), the facts
 * and attributes its errors carry into logs and spans (O1, O3), the classification of errors that are not Venice's
 * (a wallet's, never retried), and the local checks that send nothing (B2).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as ProviderClient from "@venice-effect/core/ProviderClient"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as CryptoRpc from "../src/CryptoRpc.js"
import * as Models from "../src/Models.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as VeniceClient from "../src/VeniceClient.js"
import * as VeniceError from "../src/VeniceError.js"
import { drive, failureOf, KEY, layer, recordingTracer } from "./support.js"

const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
const rpc = { jsonrpc: "2.0" as const, id: 1, method: "eth_blockNumber" }

/** A logger that keeps each line's level, message and annotations as values (an `undefined` annotation stays). */
const annotationsLogger = () => {
  const lines: Array<{ level: string; message: string; annotations: Record<string, unknown> }> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    lines.push({ level: logLevel.label, message: String(message), annotations: Object.fromEntries(annotations) })
  })
  return { layer: Logger.replace(Logger.defaultLogger, logger), lines }
}

/** An error a custom authenticator fails with: neither Venice's nor the client kit's. */
class SignerRefused extends Data.TaggedError("SignerRefused")<{ readonly reason: string }> {}

const listModels: VeniceClient.RequestSpec = { operation: "models.list", method: "GET", path: "models" }
const chat: VeniceClient.RequestSpec = {
  operation: "chat.completions",
  method: "POST",
  path: "chat/completions",
  body: { _tag: "json", value: hello },
  model: hello.model
}

/** A signer that refuses every attempt, counting them. */
const refusingSigner = Effect.map(Ref.make(0), (count) => ({
  authorizations: Ref.get(count),
  authenticator: {
    identity: "test:refusing-signer",
    authorize: () => Effect.zipRight(Ref.update(count, (n) => n + 1), new SignerRefused({ reason: "locked" }))
  }
}))

/**
 * A client of `providerWith<SignerRefused>()` (credentials that may fail with an error of their own) on the emulator,
 * its HTTP client living as long as the test.
 */
const clientWith = (credentials: Omit<ProviderClient.Options<VeniceError.VeniceError | SignerRefused>, "baseUrl">) =>
  Effect.gen(function*() {
    const emu = yield* VeniceEmulator
    const http = yield* Layer.build(NodeHttpClient.layerUndici)
    return yield* ProviderClient.make(VeniceClient.providerWith<SignerRefused>(), {
      ...credentials,
      baseUrl: emu.baseUrl
    }).pipe(Effect.provide(http))
  })

describe("VeniceClient (mutation pins)", () => {
  it.scoped("H3: the error budget the server announces (x-ratelimit-remaining, -resets) counts in the guard", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      // Venice answers with 2 failures left of its 50 (another process of this key spent the rest): the client's
      // guard, which keeps 2 in hand, must not send the next call — it learned that only from the headers
      expect(Exit.isSuccess(yield* Effect.exit(Chat.completions(hello)))).toBe(true)
      const refused = failureOf(yield* Effect.exit(Chat.completions(hello)))
      expect(refused._tag).toBe("ErrorBudgetExhaustedError")
      if (refused._tag !== "ErrorBudgetExhaustedError") return
      expect(refused.failures).toBe(48)
      expect(refused.limit).toBe(50)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer({ errorBudget: { threshold: 2, window: "30 seconds" } }))))

  it.scoped("H3/L3: a budget count that cannot be read is not recorded (it would blind the guard, not stop it)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.headers({ "x-ratelimit-remaining": "lots" }))
      expect(Exit.isSuccess(yield* Effect.exit(Chat.completions(hello)))).toBe(true)
      // the next answer's count (2 left of 50) still stops the call after it
      expect(Exit.isSuccess(yield* Effect.exit(Chat.completions(hello)))).toBe(true)
      expect(failureOf(yield* Effect.exit(Chat.completions(hello)))._tag).toBe("ErrorBudgetExhaustedError")
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer({ errorBudget: { threshold: 2, window: "30 seconds" } }))))

  it.scoped("H2/L3: a request window whose remaining count cannot be read is not recorded: the next call is not paced", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const events = yield* Ref.make<ReadonlyArray<string>>([])
      const observer = (e: Pipeline.Event) => Ref.update(events, (es) => [...es, e._tag])
      yield* emu.script({ route: "chat/completions" }, 1, Faults.headers({ "x-ratelimit-remaining-requests": "lots" }))
      // the first call needs no clock: the TestClock stays where the window's reset is still ahead
      const first = yield* Effect.exit(Chat.completions(hello).pipe(Effect.provideService(Pipeline.Observer, observer)))
      expect(Exit.isSuccess(first)).toBe(true)
      expect(Exit.isSuccess(yield* drive(Chat.completions(hello), { observer }))).toBe(true)
      expect(yield* Ref.get(events)).toEqual([
        "AttemptStarted",
        "AttemptSucceeded",
        "AttemptStarted",
        "AttemptSucceeded"
      ])
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer({ rateLimit: { requestsPerWindow: 5, window: "10 seconds" } }))))

  it.scoped("R3: a chat 429 that names only its request window's reset waits for that reset, not a backoff", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const now = yield* TestClock.currentTimeMillis
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", { rateLimit: { limit: 100, remaining: 0, reset: now + 7_000 } })
      )
      const waits = yield* Ref.make<ReadonlyArray<Pipeline.Event>>([])
      const observer = (e: Pipeline.Event) => e._tag === "Waiting" ? Ref.update(waits, (es) => [...es, e]) : Effect.void
      expect(Exit.isSuccess(yield* drive(Chat.completions(hello), { observer }))).toBe(true)
      const [waiting] = yield* Ref.get(waits)
      if (waiting?._tag !== "Waiting") return expect.fail("expected a retry wait")
      expect(waiting.reason).toBe("x-ratelimit-reset-requests")
      expect(Duration.toMillis(waiting.delay)).toBeGreaterThanOrEqual(7_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("R3: a crypto-RPC 429 waits for the RPC window, even when the answer also describes a request window", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const now = yield* TestClock.currentTimeMillis
      yield* emu.script(
        { route: "crypto/rpc" },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", {
          rateLimit: { limit: 100, remaining: 0, reset: Math.floor(now / 1000) + 24 * 3600 },
          // the key's request window, far from exhausted and resetting in 10 s: not what this 429 is about
          headers: {
            "x-ratelimit-limit-requests": "500",
            "x-ratelimit-remaining-requests": "499",
            "x-ratelimit-reset-requests": String(now + 10_000)
          }
        })
      )
      const error = failureOf(yield* drive(CryptoRpc.call("base-mainnet", rpc)))
      expect(error._tag).toBe("WaitTooLongError")
      if (error._tag !== "WaitTooLongError") return
      expect(Duration.toHours(error.wait)).toBeCloseTo(24, 0)
      expect(yield* emu.count({ route: "crypto/rpc" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("O1/C4: a failure's log line carries the code, status, request id, CF-RAY and API version", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const logs = annotationsLogger()
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL", { requestId: "req-7c1e" }))
      const error = failureOf(
        yield* Chat.completions(hello, { retry: RetryPolicy.none }).pipe(
          Effect.exit,
          Effect.provide(logs.layer),
          Logger.withMinimumLogLevel(LogLevel.All)
        )
      )
      if (!VeniceError.isVeniceError(error)) return expect.fail(`expected a Venice error, got ${error._tag}`)
      expect(error.cfRay).toMatch(/-AMS$/)
      expect(error.veniceVersion).toBeDefined()
      const line = logs.lines.find((l) => l.message.includes("chat.completions failed"))
      expect(line?.annotations).toMatchObject({
        "venice.code": "INVALID_MODEL",
        "http.response.status_code": 400,
        "venice.request_id": "req-7c1e",
        "venice.cf_ray": error.cfRay,
        "venice.version": error.veniceVersion
      })
    }).pipe(Effect.provide(layer())))

  it.scoped("O1: facts a response did not give are absent from the log line, not present as undefined", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const logs = annotationsLogger()
      // no request id in the body, a blank CF-RAY; a proxy's HTML page has no x-venice-version
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL", { headers: { "CF-RAY": "" } }))
      yield* emu.script({ route: "chat/completions" }, 1, Faults.htmlPage(502))
      const once = Chat.completions(hello, { retry: RetryPolicy.none }).pipe(
        Effect.exit,
        Effect.provide(logs.layer),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      yield* once
      yield* once
      const [blank, proxy] = logs.lines.filter((l) => l.message.includes("chat.completions failed"))
      expect(blank?.annotations["venice.code"]).toBe("INVALID_MODEL")
      expect(Object.keys(blank?.annotations ?? {})).not.toContain("venice.request_id")
      expect(Object.keys(blank?.annotations ?? {})).not.toContain("venice.cf_ray")
      expect(Object.keys(blank?.annotations ?? {})).toContain("venice.version")
      expect(proxy?.annotations["http.response.status_code"]).toBe(502)
      expect(Object.keys(proxy?.annotations ?? {})).toContain("venice.cf_ray")
      expect(Object.keys(proxy?.annotations ?? {})).not.toContain("venice.version")
    }).pipe(Effect.provide(layer())))

  it.scoped("O1: an error keeps the call's own correlation id and the URL it was sent to", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL"))
      const error = failureOf(yield* Effect.exit(Chat.completions(hello, { correlationId: "order-42" })))
      expect(error).toMatchObject({ correlationId: "order-42", method: "POST", attempt: 1 })
      if (!VeniceError.isVeniceError(error)) return expect.fail(`expected a Venice error, got ${error._tag}`)
      expect(String(error.url)).toBe(`${emu.baseUrl}/chat/completions`)
    }).pipe(Effect.provide(layer())))

  it.scoped("an authenticator's own error is never retried and is named on the span as a wallet error", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const tracing = recordingTracer()
      const refusing = yield* refusingSigner
      const client = yield* clientWith({ authenticator: refusing.authenticator })
      const exit = yield* drive(client.json(listModels, Schema.Unknown).pipe(Effect.withTracer(tracing.tracer)))
      expect(failureOf(exit)).toBeInstanceOf(SignerRefused)
      expect(yield* refusing.authorizations).toBe(1)
      expect(yield* emu.count({})).toBe(0)
      const span = tracing.records.find((r) => r.name === "venice.models.list")
      expect(span?.attributes).toMatchObject({
        attempts: 1,
        outcome: "failure",
        "error.tag": "SignerRefused",
        "venice.wallet_error": "SignerRefused"
      })
    }).pipe(Effect.provide(layer())))

  it.scoped("O2: a caller's schedule that retries an authenticator's error anyway records it as class never", () =>
    Effect.gen(function*() {
      const tracing = recordingTracer()
      const refusing = yield* refusingSigner
      const client = yield* clientWith({ authenticator: refusing.authenticator })
      const exit = yield* drive(
        client.json(listModels, Schema.Unknown, { retry: Schedule.recurs(1) }).pipe(Effect.withTracer(tracing.tracer))
      )
      expect(failureOf(exit)).toBeInstanceOf(SignerRefused)
      expect(yield* refusing.authorizations).toBe(2)
      const span = tracing.records.find((r) => r.name === "venice.models.list")
      const events = (span?.events ?? []) as ReadonlyArray<{ name: string; attributes: Record<string, unknown> }>
      expect(events.map((e) => e.attributes)).toMatchObject([{
        "retry.attempt": 2,
        "retry.class": "never",
        "venice.wallet_error": "SignerRefused"
      }])
    }).pipe(Effect.provide(layer())))

  it.scoped("C4: a client whose credentials may fail otherwise keeps Venice's catalog log levels", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const logs = annotationsLogger()
      const client = yield* clientWith({ apiKey: Redacted.make(KEY) })
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INFERENCE_FAILED"))
      const exit = yield* client.json(chat, Schema.Unknown, { retry: Schedule.stop }).pipe(
        Effect.exit,
        Effect.provide(logs.layer),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      expect(failureOf(exit)).toMatchObject({ code: "INFERENCE_FAILED" })
      const line = logs.lines.find((l) => l.message.includes("chat.completions failed"))
      expect(line).toMatchObject({ level: "ERROR", annotations: { "venice.code": "INFERENCE_FAILED" } })
    }).pipe(Effect.provide(layer())))

  it.scoped("layerWith: a client built by the caller is the layer's service, and its calls go through", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const venice = VeniceClient.layerWith<VeniceClient.AuthenticatorError, HttpClient.HttpClient>(
        VeniceClient.make({ apiKey: Redacted.make(KEY), baseUrl: emu.baseUrl })
      ).pipe(Layer.provide(NodeHttpClient.layerUndici))
      const models = yield* Models.list({ type: "all" }).pipe(Effect.provide(venice))
      expect(models.data.length).toBeGreaterThan(0)
      const client = yield* Effect.provide(VeniceClient.VeniceClient, venice)
      expect(client).toMatchObject({ provider: "venice", baseUrl: emu.baseUrl })
    }).pipe(Effect.provide(layer())))

  it.effect("B2: bodies over Venice's limits are refused locally, naming Venice and the limit", () =>
    Effect.gen(function*() {
      const small = yield* VeniceClient.checkBodySize("chat.completions", { _tag: "json", value: { a: 1 } })
      expect(small).toEqual({ _tag: "json", text: "{\"a\":1}" })
      const json = yield* Effect.flip(
        VeniceClient.checkBodySize("chat.completions", {
          _tag: "json",
          value: { text: "x".repeat(VeniceClient.MAX_JSON_BODY_BYTES) }
        })
      )
      expect(json).toMatchObject({ _tag: "RequestValidationError", provider: "venice", operation: "chat.completions" })
      expect(json.message).toContain("35")
      const form = new FormData()
      form.append("file", new Blob([new Uint8Array(VeniceClient.MAX_FILE_BYTES + 1)]), "a.wav")
      const file = yield* Effect.flip(VeniceClient.checkBodySize("audio.transcriptions", { _tag: "form", value: form }))
      expect(file).toMatchObject({ provider: "venice", operation: "audio.transcriptions" })
      expect(file.message).toContain("25")
      const invalid = yield* Effect.flip(
        VeniceClient.validateRequest("chat.completions", Schema.Struct({ model: Schema.String }), { model: 1 })
      )
      expect(invalid).toMatchObject({ provider: "venice", operation: "chat.completions" })
    }))
})
