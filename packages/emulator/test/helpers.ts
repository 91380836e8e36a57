/**
 * Test helpers: real loopback HTTP against an in-process emulator, through `@effect/platform`'s HttpClient
 * (undici).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientError from "@effect/platform/HttpClientError"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as VeniceEmulator from "../src/VeniceEmulator.js"

/** The API key every test emulator accepts. */
export const KEY = "test-admin-key"
/** An INFERENCE key. */
export const INFERENCE_KEY = "test-inference-key"

/** A started emulator with the test keys. */
export const start = (config: VeniceEmulator.Config = {}): Effect.Effect<VeniceEmulator.Service, never, Scope.Scope> =>
  VeniceEmulator.make({
    ...config,
    keys: [KEY, { key: INFERENCE_KEY, type: "INFERENCE" }, ...(config.keys ?? [])]
  }).pipe(Effect.orDie)

/** The HTTP client layer of the tests. */
export const Client: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici

/** A response, fully read. */
export interface Res {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly text: string
  readonly bytes: Uint8Array
  /** The body parsed as JSON (`undefined` when it is not JSON). */
  readonly json: unknown
}

const parse = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** Sends a request and reads the whole response. */
export const send = (
  request: HttpClientRequest.HttpClientRequest
): Effect.Effect<Res, HttpClientError.HttpClientError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    const buffer = yield* response.arrayBuffer
    const bytes = new Uint8Array(buffer)
    const text = new TextDecoder().decode(bytes)
    return { status: response.status, headers: response.headers, text, bytes, json: parse(text) }
  }).pipe(Effect.scoped)

/** Options of {@link post} / {@link get}. */
export interface Options {
  readonly key?: string | null
  readonly headers?: Readonly<Record<string, string>>
}

const withAuth = (request: HttpClientRequest.HttpClientRequest, options: Options) => {
  const key = options.key === undefined ? KEY : options.key
  const authorized = key === null ? request : HttpClientRequest.bearerToken(request, key)
  return HttpClientRequest.setHeaders(authorized, options.headers ?? {})
}

/** `POST <baseUrl><path>` with a JSON body and the test key. */
export const post = (emulator: VeniceEmulator.Service, path: string, body: unknown, options: Options = {}) =>
  send(withAuth(HttpClientRequest.post(emulator.url(path)).pipe(HttpClientRequest.bodyUnsafeJson(body)), options))

/** `GET <baseUrl><path>` with the test key. */
export const get = (emulator: VeniceEmulator.Service, path: string, options: Options = {}) =>
  send(withAuth(HttpClientRequest.get(emulator.url(path)), options))

/** A chat request body. */
export const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: "venice-uncensored",
  messages: [{ role: "user", content: "Why is the sky blue?" }],
  ...extra
})

/** The `data:` payloads of an SSE text (comments and blank lines skipped). */
export const sseData = (text: string): ReadonlyArray<string> =>
  text.split("\n\n").flatMap((block) => {
    const data = block.split("\n").filter((line) => line.startsWith("data: ")).map((line) => line.slice(6))
    return data.length > 0 ? [data.join("\n")] : []
  })

/** The `event:` names of an SSE text. */
export const sseEvents = (text: string): ReadonlyArray<string> =>
  text.split("\n").filter((line) => line.startsWith("event: ")).map((line) => line.slice(7))
