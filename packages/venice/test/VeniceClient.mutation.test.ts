/**
 * Tests written from the surviving mutants of `VeniceClient.ts` (docs/testing.md "Mutation testing"): what the Venice
 * provider spec gives a call over loopback against the emulator — the limit facts it reads off a success (pacing, the
 * error-budget guard), the route it tells the decoder, the span attributes of a failure, how a credentials error is
 * treated — and the provider name on the local refusals.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as ClientError from "@venice-effect/core/ClientError"
import * as ProviderClient from "@venice-effect/core/ProviderClient"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as CryptoRpc from "../src/CryptoRpc.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as VeniceClient from "../src/VeniceClient.js"
import * as VeniceError from "../src/VeniceError.js"
import { failureOf, KEY, layer, NOW, realPause, recordingTracer } from "./support.js"

const MODEL = "venice-uncensored"
const hello = { model: MODEL, messages: [{ role: "user" as const, content: "hello" }] }
const once = { retry: RetryPolicy.none }

/** A signer's failure, as a wallet authenticator would raise it. */
class SignerDown extends Data.TaggedError("SignerDown")<{ readonly message: string }> {}

describe("VeniceClient mutation pins: limit facts of a success", () => {
  it.scoped("a 200 whose request window is spent holds the next call until the window's reset", () =>
    // pins: the x-ratelimit-{limit,remaining,reset}-requests of a response reach pacing
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.headers({
          "x-ratelimit-limit-requests": "5",
          "x-ratelimit-remaining-requests": "0",
          "x-ratelimit-reset-requests": String(NOW + 10_000)
        })
      )
      yield* Chat.completions(hello)
      const next = yield* Effect.fork(Chat.completions(hello))
      yield* realPause(50)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1) // held, not sent
      yield* TestClock.adjust("11 seconds")
      expect(Exit.isSuccess(yield* Fiber.await(next))).toBe(true)
      const [, second] = yield* emu.requests
      expect(second!.at).toBeGreaterThanOrEqual(NOW + 10_000)
    }).pipe(Effect.provide(layer())))

  it.scoped("a 200 saying the error budget is spent makes the guard refuse the next call locally", () =>
    // pins: x-ratelimit-remaining with x-ratelimit-resets (the error budget) of a response reach the guard
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.headers({ "x-ratelimit-remaining": "0", "x-ratelimit-resets": String(NOW + 20_000) })
      )
      yield* Chat.completions(hello)
      const refused = failureOf(yield* Effect.exit(Chat.completions(hello, once)))
      expect(refused).toBeInstanceOf(ClientError.ErrorBudgetExhaustedError)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))
})

describe("VeniceClient mutation pins: what a failure carries", () => {
  it.scoped("a chat error reads a bare X-RateLimit-Remaining as the error budget, a crypto RPC error as its window", () =>
    // pins: the route the client tells the decoder (crypto-rpc or other)
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL"))
      const chat = failureOf(yield* Effect.exit(Chat.completions(hello, once)))
      if (!VeniceError.isVeniceError(chat)) return expect.fail(`expected a Venice error, got ${chat._tag}`)
      expect(chat.rateLimit?.errorBudget?.remaining).toBeTypeOf("number")
      expect(chat.rateLimit?.rpc).toBeUndefined()
      yield* emu.script({ route: "crypto/rpc" }, 1, Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 1 }))
      const rpc = failureOf(
        yield* Effect.exit(CryptoRpc.call("base-mainnet", { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }, once))
      )
      if (!VeniceError.isVeniceError(rpc)) return expect.fail(`expected a Venice error, got ${rpc._tag}`)
      expect(rpc.rateLimit?.rpc?.remaining).toBeTypeOf("number")
    }).pipe(Effect.provide(layer())))

  it.scoped("a failed call's span names the code, status, request id, CF-RAY and Venice version it has — and no others", () =>
    // pins: the provider's error attributes, each only when the error has it
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const tracing = recordingTracer()
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL", { requestId: "req-42" }))
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("INVALID_MODEL"))
      yield* emu.script({ route: "chat/completions" }, 1, Faults.htmlPage(502))
      const call = Chat.completions(hello, once).pipe(Effect.exit, Effect.withTracer(tracing.tracer))
      const first = failureOf(yield* call)
      yield* call
      yield* call
      const spans = tracing.records.filter((r) => r.name === "venice.chat.completions").map((r) => r.attributes)
      expect(spans).toHaveLength(3)
      expect(spans[0]).toMatchObject({
        outcome: "failure",
        "venice.code": "INVALID_MODEL",
        "http.response.status_code": 400,
        "venice.request_id": "req-42"
      })
      expect(spans[0]!["venice.cf_ray"]).toBeTypeOf("string")
      expect(spans[0]!["venice.version"]).toBeTypeOf("string")
      expect(spans[1]).not.toHaveProperty("venice.request_id")
      expect(spans[2]).toMatchObject({ "http.response.status_code": 502 })
      expect(spans[2]).not.toHaveProperty("venice.version") // a proxy's page names no Venice version
      // the error itself names the request it answered
      expect(first).toMatchObject({ method: "POST", attempt: 1 })
      if (!VeniceError.isVeniceError(first)) return expect.fail("expected a Venice error")
      expect(first.url).toMatch(/\/chat\/completions$/)
      expect(first.correlationId).toBeTypeOf("string")
    }).pipe(Effect.provide(layer())))
})

describe("VeniceClient mutation pins: credentials errors", () => {
  it.scoped("a credentials error fails the call at once, never retried, and the span names it", () =>
    // pins: providerWith's classifier (errors neither Venice's nor the client's are final) and wallet attribute
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const tracing = recordingTracer()
      const signs = yield* Ref.make(0)
      const service = yield* ProviderClient.make(VeniceClient.providerWith<SignerDown>(), {
        baseUrl: emu.baseUrl,
        authenticator: {
          identity: "wallet:test",
          authorize: () =>
            Effect.zipRight(Ref.update(signs, (n) => n + 1), Effect.fail(new SignerDown({ message: "signer down" })))
        }
      }).pipe(Effect.provide(NodeHttpClient.layerUndici))
      const spec = {
        operation: "chat.completions",
        method: "POST" as const,
        path: "chat/completions",
        body: { _tag: "json" as const, value: hello },
        model: MODEL
      }
      const exit = yield* Effect.exit(service.json(spec, Schema.Unknown).pipe(Effect.withTracer(tracing.tracer)))
      expect(failureOf(exit)).toBeInstanceOf(SignerDown)
      expect(yield* Ref.get(signs)).toBe(1)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(0)
      const span = tracing.records.find((r) => r.name === "venice.chat.completions")
      expect(span?.attributes).toMatchObject({ outcome: "failure", "venice.wallet_error": "SignerDown" })
    }).pipe(Effect.provide(layer())))

  it("a credentials error logs as a warning and, without a tag, is named unknown", () => {
    // pins: providerWith's log level and error attributes for errors that are not Venice's
    const provider = VeniceClient.providerWith<SignerDown | { readonly message: string }>()
    expect(provider.logLevel(new SignerDown({ message: "down" }))).toBe("warn")
    expect(provider.errorAttributes?.({ message: "no tag" })).toEqual({ "venice.wallet_error": "unknown" })
    expect(provider.classify(new SignerDown({ message: "down" }))).toEqual({ retryClass: "never" })
  })
})

describe("VeniceClient mutation pins: construction and local refusals", () => {
  it.scoped("layerWith serves calls with the client it is given", () =>
    // pins: layerWith provides the built service itself
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const client = VeniceClient.layerWith(VeniceClient.make({ apiKey: Redacted.make(KEY), baseUrl: emu.baseUrl }))
      const completion = yield* Chat.completions(hello).pipe(
        Effect.provide(client),
        Effect.provide(NodeHttpClient.layerUndici)
      )
      expect(completion.choices.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(layer())))

  it.effect("local refusals name Venice: a body that is not JSON, a request its schema rejects", () =>
    // pins: the provider name checkBodySize and validateRequest put on their RequestValidationError
    Effect.gen(function*() {
      const unsendable = yield* Effect.flip(
        VeniceClient.checkBodySize("chat.completions", { _tag: "json", value: { n: 1n } })
      )
      expect(unsendable).toMatchObject({
        _tag: "RequestValidationError",
        provider: "venice",
        operation: "chat.completions"
      })
      const small = yield* VeniceClient.checkBodySize("chat.completions", { _tag: "json", value: { text: "x" } })
      expect(small).toEqual({ _tag: "json", text: "{\"text\":\"x\"}" })
      const invalid = yield* Effect.flip(
        VeniceClient.validateRequest("image.generate", Schema.Struct({ width: Schema.Number }), { width: "wide" })
      )
      expect(invalid).toMatchObject({ _tag: "RequestValidationError", provider: "venice", operation: "image.generate" })
    }))
})
