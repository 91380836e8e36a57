/**
 * User input that JSON cannot carry (issue 13 #6, B3): `null` for a request, a circular object, a `BigInt`,
 * nesting 100,000 deep. Every endpoint that sends user JSON refuses it with a `RequestValidationError` — never a
 * synchronous throw, never a defect — and nothing reaches the server (the emulator counts no request).
 */
import { describe, expect, it } from "@effect/vitest"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Stream from "effect/Stream"
import * as ApiKeys from "../src/ApiKeys.js"
import * as Audio from "../src/Audio.js"
import * as Augment from "../src/Augment.js"
import * as Chat from "../src/Chat.js"
import * as ChatStream from "../src/ChatStream.js"
import * as CryptoRpc from "../src/CryptoRpc.js"
import * as Embeddings from "../src/Embeddings.js"
import * as Images from "../src/Images.js"
import * as Responses from "../src/Responses.js"
import * as SpeechStream from "../src/SpeechStream.js"
import * as Video from "../src/Video.js"
import * as Voices from "../src/Voices.js"
import { layer } from "./support.js"

/** A value nested `depth` levels (built iteratively: a recursive builder would overflow first). */
const nested = (depth: number): unknown => {
  let value: Record<string, unknown> = { type: "string" }
  for (let i = 0; i < depth; i++) value = { type: "object", properties: { x: value } }
  return value
}

const circular = (): Record<string, unknown> => {
  const value: Record<string, unknown> = { type: "object" }
  value["self"] = value
  return value
}

/** The bad inputs: a name and a function from a well-formed request to a broken one. */
const breakages: ReadonlyArray<readonly [string, (request: Record<string, unknown>) => unknown, string]> = [
  ["null", () => null, "not sent"],
  ["undefined", () => undefined, "not sent"],
  ["a number", () => 42, "not sent"],
  ["a circular member", (request) => ({ ...request, metadata: circular() }), "metadata.self: circular reference"],
  ["a BigInt member", (request) => ({ ...request, metadata: { n: 10n } }), "metadata.n: a BigInt cannot be sent"],
  ["a member nested 100,000 deep", (request) => ({ ...request, metadata: nested(100_000) }), "nested deeper than"]
]

/** A 1×1 PNG, base64 (the image routes take base64 or a file). */
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="

const chat = { model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }
const tool = (parameters: unknown) => ({
  ...chat,
  tools: [{ type: "function", function: { name: "f", parameters } }]
})

/** Each endpoint that sends user JSON, as a function of an (untyped) request; streams are run to completion. */
// the endpoints' request types are what users write; these tests deliberately pass anything
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
const endpoints: ReadonlyArray<
  readonly [string, Record<string, unknown>, (request: Any) => Effect.Effect<unknown, unknown, Any>]
> = [
  ["Chat.completions", chat, (r) => Chat.completions(r)],
  ["Chat.completions (streamOnTimeout)", chat, (r) => Chat.completions(r, { streamOnTimeout: true })],
  ["Chat.completions (fallbackModels)", chat, (r) => Chat.completions(r, { fallbackModels: ["qwen3-4b"] })],
  ["ChatStream.stream", chat, (r) => Stream.runDrain(ChatStream.stream(r))],
  ["Responses.create", { model: "venice-uncensored", input: "hi" }, (r) => Responses.create(r)],
  ["Responses.stream", { model: "venice-uncensored", input: "hi" }, (r) => Stream.runDrain(Responses.stream(r))],
  ["Audio.speech", { model: "tts-kokoro", input: "hi" }, (r) => Audio.speech(r)],
  ["SpeechStream.stream", { model: "tts-kokoro", input: "hi" }, (r) => Stream.runDrain(SpeechStream.stream(r))],
  ["Audio.queue", { model: "ace-step-15", prompt: "a song" }, (r) => Audio.queue(r)],
  ["Audio.quote", { model: "ace-step-15", duration_seconds: 30 }, (r) => Audio.quote(r)],
  ["Video.queue", { model: "wan-2.5-preview-text-to-video", prompt: "x", duration: "5s" }, (r) => Video.queue(r)],
  ["Video.quote", { model: "wan-2.5-preview-text-to-video", duration: "5s" }, (r) => Video.quote(r)],
  ["Images.generate", { model: "venice-sd35", prompt: "a cat" }, (r) => Images.generate(r)],
  ["Embeddings.create", { model: "text-embedding-bge-m3", input: "hi" }, (r) => Embeddings.create(r)],
  ["CryptoRpc.call", { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }, (r) => CryptoRpc.call("base-mainnet", r)],
  [
    "Images.generate (return_binary)",
    { model: "venice-sd35", prompt: "a cat", return_binary: true },
    (r) => Images.generate(r)
  ],
  ["Images.edit", { image: PNG, prompt: "night" }, (r) => Images.edit(r)],
  ["Images.multiEdit", { images: [PNG], prompt: "night" }, (r) => Images.multiEdit(r)],
  ["Images.upscale", { image: PNG, scale: 2 }, (r) => Images.upscale(r)],
  ["Images.removeBackground", { image: PNG }, (r) => Images.removeBackground(r)],
  ["Augment.scrape", { url: "https://venice.ai" }, (r) => Augment.scrape(r)],
  ["Augment.search", { query: "venice" }, (r) => Augment.search(r)],
  ["ApiKeys.create", { apiKeyType: "INFERENCE", description: "x" }, (r) => ApiKeys.create(r)],
  ["ApiKeys.update", { id: "k", description: "x" }, (r) => ApiKeys.update(r)],
  ["Voices.clone", { file: new Blob([new Uint8Array(64)], { type: "audio/wav" }) }, (r) => Voices.clone(r)]
]

describe("user input JSON cannot carry (issue 13 #6)", () => {
  it.layer(layer())((it) => {
    for (const [name, base, call] of endpoints) {
      for (const [what, breakIt, reason] of breakages) {
        it.effect(`${name} with ${what} → RequestValidationError, nothing sent`, () =>
          Effect.gen(function*() {
            const emulator = yield* VeniceEmulator
            yield* emulator.reset
            let effect: Effect.Effect<unknown, unknown, Any>
            try {
              effect = call(breakIt(base))
            } catch (thrown) {
              return expect.fail(`${name} threw synchronously: ${String(thrown)}`)
            }
            const exit = yield* Effect.exit(Effect.scoped(effect))
            if (Exit.isSuccess(exit) || Cause.isFailType(exit.cause) === false) {
              return expect.fail(
                `expected a typed failure, got ${Exit.isSuccess(exit) ? "a success" : Cause.pretty(exit.cause)}`
              )
            }
            expect(exit.cause.error).toMatchObject({ _tag: "RequestValidationError", provider: "venice" })
            // refused for what was broken, not for an unrelated reason
            expect(exit.cause.error).toHaveProperty("message", expect.stringContaining(reason))
            expect(yield* emulator.count()).toBe(0)
          }))
      }
    }

    it.effect("every request above, unbroken, passes the local checks and is sent (the refusals are the breakage's)", () =>
      Effect.gen(function*() {
        const emulator = yield* VeniceEmulator
        const results: Array<readonly [string, string, number]> = []
        for (const [name, base, call] of endpoints) {
          yield* emulator.reset
          const exit = yield* Effect.exit(Effect.scoped(call(base)))
          const refused = Exit.isFailure(exit) && Cause.isFailType(exit.cause) &&
            exit.cause.error instanceof Object && "_tag" in exit.cause.error &&
            exit.cause.error._tag === "RequestValidationError"
          results.push([name, refused ? Cause.pretty(exit.cause).split("\n")[0]! : "sent", yield* emulator.count()])
        }
        expect(results).toEqual(endpoints.map(([name]) => [name, "sent", 1]))
      }))

    it.effect("the issue's cases name the field: tools.0.function.parameters nested 100,000 deep, circular, a BigInt", () =>
      Effect.gen(function*() {
        const emulator = yield* VeniceEmulator
        yield* emulator.reset
        const deep = yield* Effect.flip(Chat.completions(tool(nested(100_000)) as Chat.ChatCompletionRequest))
        expect(deep).toMatchObject({ _tag: "RequestValidationError" })
        expect(deep.message).toContain("tools.0.function.parameters")
        expect(deep.message).toContain("nested deeper than 512 levels")
        const cycle = yield* Effect.flip(Chat.completions(tool(circular()) as Chat.ChatCompletionRequest))
        expect(cycle.message).toContain("tools.0.function.parameters.self: circular reference")
        const big = yield* Effect.flip(Chat.completions(tool({ maximum: 2n ** 70n }) as Chat.ChatCompletionRequest))
        expect(big.message).toContain("tools.0.function.parameters.maximum: a BigInt cannot be sent as JSON")
        expect(yield* emulator.count()).toBe(0)
      }))

    it.effect("a shared (not circular) member and nesting within the limit are sent", () =>
      Effect.gen(function*() {
        const emulator = yield* VeniceEmulator
        yield* emulator.reset
        const shared = { type: "string" }
        const parameters = { type: "object", properties: { a: shared, b: shared }, deep: nested(200) }
        const completion = yield* Chat.completions(tool(parameters) as Chat.ChatCompletionRequest)
        expect(completion.choices.length).toBeGreaterThan(0)
        expect(yield* emulator.count()).toBe(1)
      }))
  })
})
