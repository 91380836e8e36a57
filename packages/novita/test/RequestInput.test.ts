/**
 * Novita's share of issue 13 #6 and #10 (B3, B4): user input JSON cannot carry is refused with a
 * `RequestValidationError` (never a synchronous throw or a defect) and nothing reaches the server; a base URL that
 * cannot be used fails the layer with `InvalidBaseUrlError` before any request.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import { describe, expect, it } from "@effect/vitest"
import { NovitaEmulator } from "@venice-effect/emulator/NovitaEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as Chat from "../src/Chat.js"
import * as ChatStream from "../src/ChatStream.js"
import * as NovitaClient from "../src/NovitaClient.js"
import * as Tasks from "../src/Tasks.js"
import { KEY, layer } from "./support.js"

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

const breakages: ReadonlyArray<readonly [string, (request: Record<string, unknown>) => unknown]> = [
  ["null", () => null],
  ["a circular member", (request) => ({ ...request, metadata: circular() })],
  ["a BigInt member", (request) => ({ ...request, metadata: { n: 10n } })],
  ["a member nested 100,000 deep", (request) => ({ ...request, metadata: nested(100_000) })]
]

// the endpoints' request types are what users write; these tests deliberately pass anything
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Any = any
const chat = { model: "meta-llama/llama-3.1-8b-instruct", messages: [{ role: "user", content: "hi" }] }
const endpoints: ReadonlyArray<
  readonly [string, Record<string, unknown>, (request: Any) => Effect.Effect<unknown, unknown, Any>]
> = [
  ["Chat.completions", chat, (r) => Chat.completions(r)],
  ["ChatStream.stream", chat, (r) => Stream.runDrain(ChatStream.stream(r))],
  [
    "Tasks.txt2img",
    { model_name: "m", prompt: "a cat", width: 512, height: 512, image_num: 1 },
    (r) => Tasks.txt2img(r)
  ],
  ["Tasks.submit", { prompt: "a clip" }, (r) => Tasks.submit("/v3/async/txt2video", r)]
]

describe("Novita: user input JSON cannot carry (issue 13 #6)", () => {
  it.layer(layer())((it) => {
    for (const [name, base, call] of endpoints) {
      // `submit` sends any JSON value as given (its body is the caller's; Novita answers a non-object with a 400)
      for (const [what, breakIt] of breakages.filter(([what]) => !(name === "Tasks.submit" && what === "null"))) {
        it.effect(`${name} with ${what} → RequestValidationError, nothing sent`, () =>
          Effect.gen(function*() {
            const emulator = yield* NovitaEmulator
            yield* emulator.reset
            let effect: Effect.Effect<unknown, unknown, Any>
            try {
              effect = call(breakIt(base))
            } catch (thrown) {
              return expect.fail(`${name} threw synchronously: ${String(thrown)}`)
            }
            const exit = yield* Effect.exit(Effect.scoped(effect))
            if (Exit.isSuccess(exit) || !Cause.isFailType(exit.cause)) {
              return expect.fail(
                `expected a typed failure, got ${Exit.isSuccess(exit) ? "a success" : Cause.pretty(exit.cause)}`
              )
            }
            expect(exit.cause.error).toMatchObject({ _tag: "RequestValidationError", provider: "novita" })
            expect(yield* emulator.count()).toBe(0)
          }))
      }
    }
  })
})

describe("Novita: the base URL is checked when the layer is built (issue 13 #10)", () => {
  for (
    const baseUrl of [
      "not a url",
      "file:///etc/passwd",
      "http://[::1",
      "ftp://example.com",
      "https://api.novita.ai?x=1"
    ]
  ) {
    it.effect(`${JSON.stringify(baseUrl)} → InvalidBaseUrlError, no request`, () =>
      Effect.gen(function*() {
        let requests = 0
        const counting = Layer.effect(
          HttpClient.HttpClient,
          Effect.map(HttpClient.HttpClient, HttpClient.tapRequest(() => Effect.sync(() => void requests++)))
        ).pipe(Layer.provide(NodeHttpClient.layerUndici))
        const client = NovitaClient.layer({ apiKey: Redacted.make(KEY), baseUrl }).pipe(Layer.provide(counting))
        const error = yield* Effect.flip(
          Effect.provide(Chat.completions({ model: "m", messages: [{ role: "user", content: "hi" }] }), client)
        )
        expect(error).toMatchObject({ _tag: "InvalidBaseUrlError", provider: "novita" })
        expect(requests).toBe(0)
      }))
  }
})
