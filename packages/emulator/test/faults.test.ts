import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as ErrorCatalog from "@venice-effect/venice/ErrorCatalog"
import * as Chat from "@venice-effect/venice/schema/Chat"
import * as Responses from "@venice-effect/venice/schema/Responses"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Zlib from "node:zlib"
import * as Faults from "../src/Faults.js"
import type * as VeniceEmulator from "../src/VeniceEmulator.js"
import { chatBody, Client, get, KEY, post, type Res, send, sseData, start } from "./helpers.js"

const decodeError = (res: Res) => VeniceError.decode({ status: res.status, headers: res.headers, body: res.text })
const decodeFull = (res: Res) =>
  VeniceError.decodeResponse({ status: res.status, headers: res.headers, body: res.text })

/**
 * The tag design.md §1 expects for a code's body: E7a / E7b for the x402 402s, E2 validation, E3 context overflow, E4
 * content policy, E6 payload, E9 consent, E8 for the codes Venice sends in a `code` field (sign-in, concurrency,
 * payment header) or as the top-up `error`, E1 otherwise.
 */
const expectedTag = (entry: ErrorCatalog.Entry): VeniceError.Tag => {
  switch (entry.code) {
    case "AUTHENTICATION_REQUIRED":
      return "VeniceX402DiscoveryError"
    case "PAYMENT_REQUIRED":
      return "VenicePaymentRequiredError"
    case "INVALID_REQUEST":
      return "VeniceValidationError"
    case "context_length_exceeded":
      return "VeniceOpenAIError"
    case "CONTENT_POLICY_VIOLATION":
      return "VeniceContentViolationError"
    case "PAYLOAD_TOO_LARGE":
      return "VenicePayloadTooLargeError"
    case "needs_consent":
      return "VeniceConsentRequiredError"
    case "PROVIDER_CONTENT_POLICY":
      return "VeniceProviderContentPolicyError"
    case "FAILED_REQUESTS":
    case "UNSUPPORTED_FEATURE_REQUESTS":
      return "VeniceStandardError"
  }
  // skills-only upper-case codes travel in a `code` field (inference) or as the top-up `error` (E8)
  return entry.origin === "skill" && /^[A-Z0-9_]+$/.test(entry.code) ? "VeniceCodedError" : "VeniceStandardError"
}

/** Reads a response body chunk by chunk; the text received before a failure is kept. */
const readAll = (emulator: VeniceEmulator.Service, path: string, body: unknown) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(
      HttpClientRequest.post(emulator.url(path)).pipe(
        HttpClientRequest.bearerToken(KEY),
        HttpClientRequest.bodyUnsafeJson(body)
      )
    )
    let text = ""
    const outcome = yield* response.stream.pipe(
      Stream.decodeText(),
      Stream.runForEach((chunk) =>
        Effect.sync(() => {
          text += chunk
        })
      ),
      Effect.timeout(Duration.millis(500)),
      Effect.either
    )
    return { status: response.status, headers: response.headers, text, outcome }
  }).pipe(Effect.scoped)

describe("faults", () => {
  it.scopedLive("every catalog code, scripted once, decodes to its code and shape", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ errorBudget: { threshold: 10_000 } })
      for (
        const entry of ErrorCatalog.entries as ReadonlyArray<
          ErrorCatalog.Entry & { code: ErrorCatalog.VeniceErrorCode }
        >
      ) {
        yield* emulator.script({ route: "chat/completions" }, 1, Faults.error(entry.code))
        const res = yield* post(emulator, "/chat/completions", chatBody())
        const error = decodeError(res)
        expect({ code: entry.code, status: res.status, tag: error._tag, decoded: error.code }).toEqual({
          code: entry.code,
          status: entry.status,
          tag: expectedTag(entry),
          decoded: entry.code
        })
        if (entry.code === "AUTHENTICATION_REQUIRED" || entry.code === "PAYMENT_REQUIRED") {
          expect(res.headers["payment-required"]).toBeDefined()
        }
        if (entry.code === "MODEL_OVERLOADED") expect(error.retryAfter).toEqual(Duration.seconds(30))
        if (entry.code === "FAILED_REQUESTS") expect(error.rateLimit?.errorBudget?.remaining).toBe(0)
        if (entry.code === "RATE_LIMIT_EXCEEDED") expect(error.rateLimit?.requests?.remaining).toBe(0)
      }
      expect((yield* emulator.stats).pendingFaults).toBe(0)
      // scripted faults answer before the route: the model may not even exist
      yield* emulator.script({ model: "nope" }, 1, Faults.error("INFERENCE_FAILED"))
      expect((yield* post(emulator, "/chat/completions", chatBody({ model: "nope" }))).status).toBe(500)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("error options: message, Retry-After, headers, suggested prompt, request id, and E5 on video retrieve", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      yield* emulator.script({}, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 3, headers: { "x-extra": "1" } }))
      const overloaded = yield* post(emulator, "/chat/completions", chatBody())
      expect([overloaded.headers["retry-after"], overloaded.headers["x-extra"]]).toEqual(["3", "1"])

      yield* emulator.script({}, 1, Faults.error("CONTENT_POLICY_VIOLATION", { suggestedPrompt: "a calm track" }))
      const policy = decodeError(yield* post(emulator, "/chat/completions", chatBody()))
      expect(policy).toMatchObject({ _tag: "VeniceContentViolationError", suggestedPrompt: "a calm track" })
      expect(VeniceError.retryClass(policy)).toBe("modify-then-retry")

      yield* emulator.script(
        {},
        1,
        Faults.error("UNKNOWN_ERROR", { message: "upstream said no", status: 400, requestId: "req-1" })
      )
      const upstream = yield* post(emulator, "/chat/completions", chatBody())
      expect(upstream.json).toEqual({ error: "upstream said no", request_id: "req-1" })
      expect(decodeError(upstream).requestId).toBe("req-1")

      // rate-limit overrides are in the family's unit: Unix seconds on crypto RPC
      yield* emulator.script(
        { route: "crypto/rpc" },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", { rateLimit: { limit: 100, reset: 2_000_000_000 } })
      )
      const rpc = yield* post(emulator, "/crypto/rpc/base-mainnet", {
        jsonrpc: "2.0",
        method: "eth_blockNumber",
        id: 1
      })
      expect([rpc.headers["x-ratelimit-limit"], rpc.headers["x-ratelimit-remaining"], rpc.headers["x-ratelimit-reset"]])
        .toEqual(["100", "0", "2000000000"])

      yield* emulator.script(
        { route: "video/retrieve" },
        1,
        Faults.providerContentPolicy({ recommendedModel: "wan-2.6-text-to-video" })
      )
      const provider = decodeError(
        yield* post(emulator, "/video/retrieve", { model: "wan-2.6-text-to-video", queue_id: "q" })
      )
      expect(provider).toMatchObject({
        _tag: "VeniceProviderContentPolicyError",
        status: 422,
        creditsRefunded: true,
        recommendedModel: "wan-2.6-text-to-video"
      })
    }).pipe(Effect.provide(Client)))

  it.scopedLive("transport: reset before headers, reset mid-body, truncated JSON, HTML 502, empty body", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const client = yield* HttpClient.HttpClient
      const chat = HttpClientRequest.post(emulator.url("/chat/completions")).pipe(
        HttpClientRequest.bearerToken(KEY),
        HttpClientRequest.bodyUnsafeJson(chatBody())
      )

      yield* emulator.script({}, 1, Faults.resetBeforeHeaders)
      const reset = yield* Effect.flip(Effect.scoped(client.execute(chat)))
      expect(reset).toMatchObject({ _tag: "RequestError", reason: "Transport" })

      yield* emulator.script({}, 1, Faults.resetMidBody(40))
      const midBody = yield* Effect.scoped(Effect.gen(function*() {
        const response = yield* client.execute(chat)
        expect(response.status).toBe(200)
        expect(Number(response.headers["content-length"])).toBeGreaterThan(40)
        return yield* Effect.flip(response.arrayBuffer)
      }))
      expect(midBody).toMatchObject({ _tag: "ResponseError" })

      yield* emulator.script({}, 1, Faults.truncatedJson())
      const truncated = yield* post(emulator, "/chat/completions", chatBody())
      expect(truncated.status).toBe(200)
      expect(truncated.json).toBeUndefined()
      expect(truncated.text.startsWith("{\"id\":\"chatcmpl-")).toBe(true)

      yield* emulator.script({}, 1, Faults.htmlPage())
      const html = yield* post(emulator, "/chat/completions", chatBody())
      expect([html.status, html.headers["content-type"]]).toEqual([502, "text/html; charset=UTF-8"])
      expect(decodeError(html)).toMatchObject({ _tag: "VeniceUnrecognizedError", bodyKind: "html", status: 502 })

      yield* emulator.script({}, 1, Faults.emptyBody(503))
      const empty = yield* post(emulator, "/chat/completions", chatBody())
      expect([empty.status, empty.text]).toEqual([503, ""])
      expect(decodeError(empty)).toMatchObject({ _tag: "VeniceUnrecognizedError", bodyKind: "empty" })

      const log = yield* emulator.requests
      expect(log.map((r) => [r.status, r.fault])).toEqual([
        [0, "ResetBeforeHeaders"],
        [200, "ResetMidBody"],
        [200, "TruncatedJson"],
        [502, "HtmlPage"],
        [503, "EmptyBody"]
      ])
    }).pipe(Effect.provide(Client)))

  it.scopedLive("transport: a stall holds the socket until the client gives up; then no socket is left open", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      yield* emulator.script({ route: "chat/completions" }, 1, Faults.stall)
      const stalled = yield* post(emulator, "/chat/completions", chatBody()).pipe(
        Effect.timeout(Duration.millis(300)),
        Effect.either
      )
      expect(Either.isLeft(stalled) && stalled.left._tag).toBe("TimeoutException")
      yield* emulator.openConnections.pipe(
        Effect.repeat({ schedule: Schedule.spaced(Duration.millis(20)), until: (n) => n === 0 }),
        Effect.timeout(Duration.seconds(5))
      )
      expect(yield* emulator.openConnections).toBe(0)
      expect((yield* emulator.requests)[0]).toMatchObject({ status: 0, fault: "Stall" })
    }).pipe(Effect.provide(Client)))

  it.scopedLive("transport: a delay on the emulator's Clock, and extra headers on a normal answer", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      yield* emulator.script({}, 1, Faults.delay(150))
      expect((yield* post(emulator, "/chat/completions", chatBody())).status).toBe(200)
      const [record] = yield* emulator.requests
      expect(record!.answeredAt - record!.at).toBeGreaterThanOrEqual(150)

      yield* emulator.script({}, 1, Faults.headers({ "x-venice-is-content-violation": "true" }))
      const flagged = yield* post(emulator, "/chat/completions", chatBody())
      expect([flagged.status, flagged.headers["x-venice-is-content-violation"]]).toEqual([200, "true"])
    }).pipe(Effect.provide(Client)))

  it.scopedLive("garbage headers are sent as garbage (and the SDK's decoder ignores them)", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const cases = [
        ["retry-after-text", "retry-after", "soon"],
        ["retry-after-duplicate", "retry-after", "1, 2"],
        ["retry-after-absurd", "retry-after", "99999999999"],
        ["retry-after-negative", "retry-after", "-5"],
        ["rate-limit-garbage", "x-ratelimit-remaining-requests", "NaN"],
        ["payment-required-invalid", "payment-required", "%%% not base64 {json} %%%"]
      ] as const
      for (const [kind, header, value] of cases) {
        yield* emulator.script({}, 1, Faults.garbageHeaders(kind))
        const res = yield* post(emulator, "/chat/completions", chatBody())
        expect(res.headers[header]).toBe(value)
        const decoded = decodeFull(res)
        expect(decoded.error.retryAfter).toBeUndefined()
        expect(decoded.ignoredHeaders.map((h) => h.name)).toContain(header)
      }
    }).pipe(Effect.provide(Client)))

  it.scopedLive("chat stream faults: in-band error then [DONE], reset, clean end without [DONE], stall; only streams match", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ stream: { tokens: 6 } })
      const stream = chatBody({ stream: true })

      // a stream fault does not match a non-streaming request
      yield* emulator.script({}, 1, Faults.streamError(2))
      expect((yield* post(emulator, "/chat/completions", chatBody())).status).toBe(200)
      const failed = yield* post(emulator, "/chat/completions", stream)
      const data = sseData(failed.text)
      expect(data).toHaveLength(4)
      expect(data[3]).toBe("[DONE]")
      const event = Schema.decodeUnknownSync(Chat.ChatCompletionStreamEvent)(JSON.parse(data[2]!))
      expect(event).toMatchObject({
        error: { type: "server_error", code: "model_overloaded", retry_after: 30, param: null }
      })

      yield* emulator.script({}, 1, Faults.streamReset(3))
      const reset = yield* readAll(emulator, "/chat/completions", stream)
      expect(Either.isLeft(reset.outcome) && reset.outcome.left._tag).toBe("ResponseError")
      expect(sseData(reset.text)).toHaveLength(3)

      yield* emulator.script({}, 1, Faults.streamEnd(2))
      const ended = yield* readAll(emulator, "/chat/completions", stream)
      expect(Either.isRight(ended.outcome)).toBe(true)
      expect(sseData(ended.text)).toHaveLength(2)
      expect(ended.text).not.toContain("[DONE]")

      yield* emulator.script({}, 1, Faults.streamStall(1))
      const stalled = yield* readAll(emulator, "/chat/completions", stream)
      expect(Either.isLeft(stalled.outcome) && stalled.outcome.left._tag).toBe("TimeoutException")
      expect(sseData(stalled.text)).toHaveLength(1)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("a stall with keep-alives: comments every N ms, never another event", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ stream: { tokens: 6 } })
      yield* emulator.script({}, 1, Faults.streamStall(2, { keepAliveEvery: 100 }))
      const stalled = yield* readAll(emulator, "/chat/completions", chatBody({ stream: true }))
      expect(Either.isLeft(stalled.outcome) && stalled.outcome.left._tag).toBe("TimeoutException")
      expect(sseData(stalled.text)).toHaveLength(2)
      expect(stalled.text.split(": keepalive").length - 1).toBeGreaterThanOrEqual(3) // ~5 in 500 ms
    }).pipe(Effect.provide(Client)))

  it.scopedLive("HugeBody: the real status with a body of N bytes (announced or chunked), or a gzip bomb", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      yield* emulator.script({ route: "models" }, 1, Faults.hugeBody(3 * 1024 * 1024))
      const announced = yield* get(emulator, "/models")
      expect(announced.status).toBe(200)
      expect(announced.headers["content-length"]).toBe(String(3 * 1024 * 1024))
      expect(announced.bytes.byteLength).toBe(3 * 1024 * 1024)
      expect(announced.text.startsWith("{\"padding\":\"aaaa")).toBe(true)
      yield* emulator.script({ route: "models" }, 1, Faults.hugeBody(1_000, { announce: false }))
      const chunked = yield* get(emulator, "/models")
      expect(chunked.headers["content-length"]).toBeUndefined()
      expect(chunked.bytes.byteLength).toBe(1_000)
      yield* emulator.script({ route: "models" }, 1, Faults.hugeBody(8 * 1024 * 1024, { gzip: true }))
      const bomb = yield* get(emulator, "/models")
      expect(bomb.headers["content-encoding"]).toBe("gzip")
      expect(bomb.bytes.byteLength).toBeLessThan(64 * 1024) // undici does not inflate: the bytes on the wire
      expect(Zlib.gunzipSync(bomb.bytes).byteLength).toBe(8 * 1024 * 1024)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("responses stream fault: response.failed then [DONE]; TTS stream: the connection ends before Content-Length", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      yield* emulator.script(
        { route: "responses" },
        1,
        Faults.streamError(4, { code: "upstream_error", message: "provider went away" })
      )
      const failed = yield* post(emulator, "/responses", { model: "venice-uncensored", input: "hi", stream: true })
      const data = sseData(failed.text)
      expect(data[data.length - 1]).toBe("[DONE]")
      const last = Schema.decodeUnknownSync(Responses.ResponseStreamEvent)(JSON.parse(data[data.length - 2]!))
      expect(last).toMatchObject({
        type: "response.failed",
        response: { status: "failed", error: { code: "upstream_error", message: "provider went away" } }
      })
      expect(data).toHaveLength(6)

      yield* emulator.script({ route: "audio/speech" }, 1, Faults.streamEnd(2))
      const speech = yield* readAll(emulator, "/audio/speech", {
        model: "tts-kokoro",
        input: "Hello there",
        streaming: true
      })
      expect(speech.status).toBe(200)
      expect(Number(speech.headers["content-length"])).toBe(2_000 + 11 * 240)
      expect(Either.isLeft(speech.outcome)).toBe(true)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("admin routes are off by default", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const res = yield* send(
        HttpClientRequest.post(emulator.url("/__emulator/faults")).pipe(
          HttpClientRequest.bodyUnsafeJson({ fault: { _tag: "Stall" } })
        )
      )
      expect(res.status).toBe(404)
      expect((yield* get(emulator, "/__emulator/stats", { key: null })).status).toBe(404)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("admin routes (opt-in): script over HTTP, stats, request log with key labels only, reset", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ admin: true })
      const scheduled = yield* send(
        HttpClientRequest.post(emulator.url("/__emulator/faults")).pipe(
          HttpClientRequest.bodyUnsafeJson({
            match: { route: "chat/completions", key: KEY },
            times: 2,
            fault: { _tag: "Error", code: "MODEL_OFFLINE" }
          })
        )
      )
      expect(scheduled.json).toEqual({ scheduled: 1, pendingFaults: 2 })
      const invalid = yield* send(
        HttpClientRequest.post(emulator.url("/__emulator/faults")).pipe(
          HttpClientRequest.bodyUnsafeJson({ fault: { _tag: "Error", code: "NOT_A_CODE" } })
        )
      )
      expect(invalid.status).toBe(400)

      expect((yield* post(emulator, "/chat/completions", chatBody())).status).toBe(503)
      expect((yield* post(emulator, "/chat/completions", chatBody())).status).toBe(503)
      expect((yield* post(emulator, "/chat/completions", chatBody())).status).toBe(200)

      const stats = (yield* get(emulator, "/__emulator/stats", { key: null })).json
      expect(stats).toMatchObject({
        total: 3,
        pendingFaults: 0,
        byRoute: { "chat/completions": 3 },
        byStatus: { "200": 1, "503": 2 },
        byKey: { [emulator.labelOf(KEY)]: 3 },
        byFault: { "Error:MODEL_OFFLINE": 2 }
      })
      const log = yield* get(emulator, "/__emulator/requests", { key: null })
      expect(log.text).not.toContain(KEY)
      expect(log.text).toContain(emulator.labelOf(KEY))
      expect(yield* emulator.count({ key: KEY, status: 503 })).toBe(2)

      yield* send(HttpClientRequest.post(emulator.url("/__emulator/reset")))
      expect((yield* emulator.stats).total).toBe(0)
    }).pipe(Effect.provide(Client)))
})
