import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as ApiKeys from "@venice-effect/venice/schema/ApiKeys"
import * as Audio from "@venice-effect/venice/schema/Audio"
import * as Billing from "@venice-effect/venice/schema/Billing"
import * as Chat from "@venice-effect/venice/schema/Chat"
import * as CryptoRpc from "@venice-effect/venice/schema/CryptoRpc"
import * as Embeddings from "@venice-effect/venice/schema/Embeddings"
import * as Image from "@venice-effect/venice/schema/Image"
import * as Models from "@venice-effect/venice/schema/Models"
import * as Responses from "@venice-effect/venice/schema/Responses"
import * as Video from "@venice-effect/venice/schema/Video"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as VeniceEmulator from "../src/VeniceEmulator.js"
import { chatBody, Client, get, INFERENCE_KEY, KEY, post, send, sseData, sseEvents, start } from "./helpers.js"

const decode = <A, I>(schema: Schema.Schema<A, I>, value: unknown) => Schema.decodeUnknownSync(schema)(value)

describe("routes", () => {
  it.scopedLive("chat completion: a chat.completion with usage, cost and Venice headers", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const res = yield* post(emulator, "/chat/completions", chatBody())
      expect(res.status).toBe(200)
      const completion = decode(Chat.ChatCompletion, res.json)
      expect(completion.choices[0]!.message.content).toContain("Venice emulator")
      expect(completion.usage.completion_tokens).toBe(12)
      expect(completion.cost?.usd).toBeGreaterThan(0)
      expect(res.headers["x-venice-version"]).toBe("20260821.193530")
      expect(res.headers["cf-ray"]).toMatch(/^[0-9a-f]{16}-AMS$/)
      expect(res.headers["x-venice-balance-usd"]).toBe("100.0000")
      expect(res.headers["x-ratelimit-remaining-requests"]).toBe("74")
      expect(res.headers["x-ratelimit-remaining"]).toBe("50")
      expect(res.headers["x-venice-model-id"]).toBe("venice-uncensored")
      // max_completion_tokens cuts the completion
      const short = decode(
        Chat.ChatCompletion,
        (yield* post(emulator, "/chat/completions", chatBody({ max_completion_tokens: 3 }))).json
      )
      expect(short.usage.completion_tokens).toBe(3)
      expect(short.choices[0]!.finish_reason).toBe("length")
    }).pipe(Effect.provide(Client)))

  it.scopedLive("chat stream: keepalive, chunks, the usage chunk with choices: [], then [DONE]", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ stream: { tokens: 5 } })
      const res = yield* post(emulator, "/chat/completions", chatBody({ stream: true }))
      expect(res.status).toBe(200)
      expect(res.headers["content-type"]).toContain("text/event-stream")
      expect(res.text.startsWith(": keepalive\n\n")).toBe(true)
      const data = sseData(res.text)
      expect(data[data.length - 1]).toBe("[DONE]")
      const chunks = data.slice(0, -1).map((d) => decode(Chat.ChatCompletionChunk, JSON.parse(d)))
      const text = chunks.flatMap((c) => c.choices.map((choice) => choice.delta.content ?? "")).join("")
      expect(text).toBe("Hello from the Venice emulator.")
      const last = chunks[chunks.length - 1]!
      expect(Chat.isUsageChunk(last)).toBe(true)
      expect(last.cost?.usd).toBeGreaterThan(0)
      expect(chunks.some((c) => c.choices[0]?.finish_reason === "stop")).toBe(true)

      // keepalive comments between events, when asked for
      const chatty = yield* start({ stream: { tokens: 5, keepaliveEvery: 2 } })
      const withComments = yield* post(chatty, "/chat/completions", chatBody({ stream: true }))
      expect(withComments.text.split(": keepalive\n\n").length - 1).toBe(1 + Math.floor(8 / 2))
      expect(sseData(withComments.text)).toHaveLength(data.length)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("responses: non-stream and the typed event stream", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ stream: { tokens: 4 } })
      const plain = yield* post(emulator, "/responses", { model: "venice-uncensored", input: "Explain the sky." })
      expect(plain.status).toBe(200)
      const response = decode(Responses.ResponsesResponse, plain.json)
      expect(response.status).toBe("completed")
      expect(response.outputText).toBe("Hello from the Venice")

      const streamed = yield* post(emulator, "/responses", { model: "venice-uncensored", input: "hi", stream: true })
      expect(sseEvents(streamed.text)).toEqual([
        "response.created",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed"
      ])
      const data = sseData(streamed.text)
      expect(data[data.length - 1]).toBe("[DONE]")
      const events = data.slice(0, -1).map((d) => decode(Responses.ResponseStreamEvent, JSON.parse(d)))
      const sequence = events.map((e) => ("sequence_number" in e ? e.sequence_number : undefined))
      expect(sequence).toEqual(events.map((_, i) => i))
      expect(Responses.isTerminalEvent(events[events.length - 1]!)).toBe(true)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("models: list, type filter, and the exact DetailedError for a bad type", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const text = decode(Models.ModelList, (yield* get(emulator, "/models", { key: null })).json)
      expect(text.type).toBe("text")
      expect(text.data.every((m) => m.type === "text")).toBe(true)
      const all = decode(Models.ModelList, (yield* get(emulator, "/models?type=all")).json)
      expect(new Set(all.data.map((m) => m.type))).toEqual(
        new Set(["text", "image", "tts", "asr", "embedding", "video", "music", "inpaint"])
      )
      const code = decode(Models.ModelList, (yield* get(emulator, "/models?type=code")).json)
      expect(code.data.map((m) => m.id)).toEqual(["qwen3-coder-480b-a35b-instruct"])

      const bad = yield* get(emulator, "/models?type=bogus")
      expect(bad.status).toBe(400)
      expect(bad.json).toMatchObject({
        error: "Invalid request parameters",
        details: {
          _errors: [],
          type: {
            _errors: [
              "Invalid enum value. Expected 'asr' | 'decision' | 'embedding' | 'image' | 'inpaint' | 'music' | 'text' | 'tts' | 'upscale' | 'video', received 'bogus'",
              "Invalid enum value. Expected 'all' | 'code', received 'bogus'"
            ]
          }
        },
        issues: [{ code: "invalid_union", path: ["type"], message: "Invalid input" }]
      })
      const error = VeniceError.decode({ status: bad.status, headers: bad.headers, body: bad.text })
      expect(error._tag).toBe("VeniceValidationError")
      expect(error.code).toBe("INVALID_REQUEST")
      expect(VeniceError.renderFieldErrors(error)[0]).toMatch(/^type: Invalid enum value/)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("embeddings, images and speech", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const embeddings = decode(
        Embeddings.EmbeddingResponse,
        (yield* post(emulator, "/embeddings", { model: "text-embedding-bge-m3", input: ["a", "b"] })).json
      )
      expect(embeddings.data.map((d) => d.index)).toEqual([0, 1])
      const vector = embeddings.data[0]!.embedding
      expect(Array.isArray(vector) && vector.length).toBe(1024)

      const image = yield* post(emulator, "/image/generate", {
        model: "z-image-turbo",
        prompt: "a lighthouse",
        variants: 2
      })
      expect(decode(Image.GenerateImageResponse, image.json).images).toHaveLength(2)
      expect(image.headers["x-venice-is-content-violation"]).toBe("false")
      const blocked = yield* post(emulator, "/image/generate", {
        model: "z-image-turbo",
        prompt: "[content-violation]"
      })
      expect(blocked.status).toBe(200)
      expect(blocked.headers["x-venice-is-content-violation"]).toBe("true")
      const binary = yield* post(emulator, "/image/generate", {
        model: "z-image-turbo",
        prompt: "x",
        format: "png",
        return_binary: true
      })
      expect(binary.headers["content-type"]).toBe("image/png")
      expect([...binary.bytes.subarray(1, 4)].map((b) => String.fromCharCode(b)).join("")).toBe("PNG")

      const speech = yield* post(emulator, "/audio/speech", {
        model: "tts-kokoro",
        input: "Hello there",
        response_format: "wav"
      })
      expect(speech.status).toBe(200)
      expect(speech.headers["content-type"]).toBe(Audio.speechContentType.wav)
      expect(new TextDecoder().decode(speech.bytes.subarray(0, 4))).toBe("RIFF")
      const streamed = yield* post(emulator, "/audio/speech", {
        model: "tts-kokoro",
        input: "Hello there",
        streaming: true
      })
      expect(streamed.headers["transfer-encoding"]).toBe("chunked")
      expect(streamed.bytes.length).toBe(2_000 + "Hello there".length * 240)
      const badVoice = yield* post(emulator, "/audio/speech", { model: "tts-kokoro", input: "x", voice: "eve" })
      expect(badVoice.status).toBe(400)
    }).pipe(Effect.provide(Client)))

  it.scopedLive("transcriptions: multipart in, JSON or text out", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const form = Audio.toFormData(
        new Audio.TranscriptionRequest({
          file: new File([new Uint8Array(64_000)], "note.wav", { type: "audio/wav" }),
          timestamps: true
        })
      )
      // Encoded with the platform's own Response: the npm undici under NodeHttpClient cannot send Node's FormData.
      const encoded = new Response(form)
      const bytes = new Uint8Array(yield* Effect.promise(() => encoded.arrayBuffer()))
      const res = yield* send(
        HttpClientRequest.post(emulator.url("/audio/transcriptions")).pipe(
          HttpClientRequest.bearerToken(KEY),
          HttpClientRequest.bodyUint8Array(bytes, encoded.headers.get("content-type") ?? "")
        )
      )
      expect(res.status).toBe(200)
      const transcript = decode(Audio.TranscriptionResponse, res.json)
      expect(transcript.duration).toBe(2)
      expect(transcript.timestamps?.word?.length).toBeGreaterThan(0)
      const json = yield* post(emulator, "/audio/transcriptions", { file: "base64" })
      expect(json.status).toBe(415)
    }).pipe(Effect.provide(Client)))

  it.scoped("video and audio jobs progress on Clock; queue charges at queue time", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ jobs: { duration: Duration.seconds(10) } })
      const queued = yield* post(emulator, "/video/queue", {
        model: "wan-2.6-text-to-video",
        prompt: "Commerce in Venice",
        duration: "5s",
        aspect_ratio: "16:9",
        resolution: "720p"
      })
      expect(queued.status).toBe(200)
      const job = decode(Video.QueueVideoResponse, queued.json)
      const balance = yield* get(emulator, "/api_keys/rate_limits")
      expect(decode(ApiKeys.RateLimitsResponse, balance.json).data.balances.USD).toBe(99.45)

      const retrieve = { model: job.model, queue_id: job.queue_id, delete_media_on_completion: true }
      yield* TestClock.adjust(Duration.seconds(4))
      const processing = yield* post(emulator, "/video/retrieve", retrieve)
      expect(decode(Video.RetrieveVideoStatus, processing.json)).toMatchObject({
        status: "PROCESSING",
        average_execution_time: 10_000,
        execution_duration: 4_000
      })
      yield* TestClock.adjust(Duration.seconds(6))
      const done = yield* post(emulator, "/video/retrieve", retrieve)
      expect(done.headers["content-type"]).toBe("video/mp4")
      expect(new TextDecoder().decode(done.bytes.subarray(4, 8))).toBe("ftyp")
      const gone = yield* post(emulator, "/video/retrieve", retrieve)
      expect(gone.status).toBe(404)
      const unknown = yield* post(emulator, "/video/retrieve", { model: job.model, queue_id: "nope" })
      expect(unknown.status).toBe(400)
      expect(VeniceError.decode({ status: unknown.status, headers: unknown.headers, body: unknown.text }).code).toBe(
        "REQUEST_ID_NOT_FOUND"
      )

      const audio = decode(
        Audio.QueueAudioResponse,
        (yield* post(emulator, "/audio/queue", {
          model: "elevenlabs-music",
          prompt: "An uplifting folk track",
          duration_seconds: 30
        })).json
      )
      expect(audio.status).toBe("QUEUED")
      const audioRetrieve = { model: audio.model, queue_id: audio.queue_id }
      expect(decode(Audio.RetrieveAudioStatus, (yield* post(emulator, "/audio/retrieve", audioRetrieve)).json).status)
        .toBe("PROCESSING")
      yield* TestClock.adjust(Duration.seconds(10))
      const track = yield* post(emulator, "/audio/retrieve", audioRetrieve)
      expect(track.headers["content-type"]).toBe("audio/mpeg")
      expect(track.headers["x-venice-audio-format"]).toBe("mp3")
    }).pipe(Effect.provide(Client)))

  it.scopedLive("keys and billing: rate limits for any key, balance for ADMIN keys only", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const limits = decode(
        ApiKeys.RateLimitsResponse,
        (yield* get(emulator, "/api_keys/rate_limits", { key: INFERENCE_KEY })).json
      )
      expect(limits.data.rateLimits.find((m) => m.apiModelId === "venice-uncensored")?.rateLimits).toEqual([
        { type: "RPM", amount: 75 },
        { type: "TPM", amount: 750_000 }
      ])
      const balance = decode(Billing.BillingBalance, (yield* get(emulator, "/billing/balance")).json)
      expect(balance).toMatchObject({ canConsume: true, consumptionCurrency: "USD", balances: { usd: 100 } })
      const inference = yield* get(emulator, "/billing/balance", { key: INFERENCE_KEY })
      expect(inference.status).toBe(401)
      expect(inference.json).toEqual({ error: "Admin API key required" })
      const retired = yield* get(emulator, "/billing/usage", { key: null })
      expect(retired.status).toBe(410)
      expect(retired.headers["sunset"]).toBe("Wed, 16 Sep 2026 00:00:00 GMT")
      expect(VeniceError.decode({ status: 410, headers: retired.headers, body: retired.text }).code).toBe(
        "ENDPOINT_RETIRED"
      )
    }).pipe(Effect.provide(Client)))

  it.scopedLive("crypto RPC: JSON-RPC answers, credits, X-Request-ID, batches, and refused methods", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const single = yield* post(emulator, "/crypto/rpc/base-mainnet", {
        jsonrpc: "2.0",
        method: "eth_chainId",
        params: [],
        id: 1
      })
      expect(decode(CryptoRpc.CryptoRpcResponse, single.json)).toEqual({ jsonrpc: "2.0", id: 1, result: "0x2105" })
      expect(single.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/)
      expect(single.headers["x-venice-rpc-credits"]).toBe("20")
      expect(single.headers["x-venice-rpc-cost-usd"]).toBe("0.00001400")
      expect(single.headers["x-ratelimit-limit"]).toBeUndefined()

      const batch = yield* post(emulator, "/crypto/rpc/ethereum-mainnet", [
        { jsonrpc: "2.0", method: "eth_blockNumber", id: 1 },
        { jsonrpc: "2.0", method: "debug_traceTransaction", params: ["0x1"], id: 2 }
      ])
      const answers = decode(CryptoRpc.CryptoRpcResponse, batch.json)
      expect(Array.isArray(answers) && answers.length).toBe(2)
      expect(batch.headers["x-venice-rpc-credits"]).toBe("25")

      const filter = yield* post(emulator, "/crypto/rpc/ethereum-mainnet", {
        jsonrpc: "2.0",
        method: "eth_newFilter",
        id: 1
      })
      expect(filter.status).toBe(400)
      expect(filter.headers["x-request-id"]).toBeDefined()
      const cross = yield* post(emulator, "/crypto/rpc/solana-mainnet", { jsonrpc: "2.0", method: "eth_call", id: 1 })
      expect(cross.status).toBe(400)
      const networks = yield* get(emulator, "/crypto/rpc/networks", { key: null })
      expect((networks.json as { networks: Array<string> }).networks).toContain("blast-mainnet")
    }).pipe(Effect.provide(Client)))

  it.scopedLive("request errors: unknown route, content type, invalid JSON, 413, validation, unknown model", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ maxJsonBytes: 1024 })
      const unknown = yield* get(emulator, "/does/not/exist")
      expect(unknown.status).toBe(404)
      expect(unknown.headers["x-venice-version"]).toBeDefined()

      const raw = (body: string, contentType: string) =>
        send(
          HttpClientRequest.post(emulator.url("/chat/completions")).pipe(
            HttpClientRequest.bearerToken(KEY),
            HttpClientRequest.bodyText(body, contentType)
          )
        )
      const wrongType = yield* raw("{}", "text/plain")
      expect([wrongType.status, wrongType.json]).toEqual([400, { error: "'Content-Type' must be 'application/json'" }])
      const invalid = yield* raw("{not json", "application/json")
      expect([invalid.status, invalid.json]).toEqual([400, { error: "Invalid JSON request" }])
      const large = yield* raw(JSON.stringify({ model: "x", pad: "x".repeat(2048) }), "application/json")
      expect(large.status).toBe(413)
      expect(large.json).toEqual({ code: "PAYLOAD_TOO_LARGE", error: "Request body exceeds the maximum allowed size." })
      expect(VeniceError.decode({ status: 413, headers: large.headers, body: large.text })._tag).toBe(
        "VenicePayloadTooLargeError"
      )

      const missingModel = yield* post(emulator, "/chat/completions", { messages: [] })
      expect(missingModel.json).toEqual({ error: "model is required" })
      const invalidBody = yield* post(emulator, "/chat/completions", {
        model: "venice-uncensored",
        messages: [],
        bogus: 1
      })
      expect(invalidBody.status).toBe(400)
      const validation = VeniceError.decode({ status: 400, headers: invalidBody.headers, body: invalidBody.text })
      expect(validation._tag).toBe("VeniceValidationError")
      expect(VeniceError.renderFieldErrors(validation)).toEqual(
        expect.arrayContaining([
          "messages: messages must contain at least one message",
          "(root): Unrecognized key(s) in object: 'bogus'"
        ])
      )
      const noModel = yield* post(emulator, "/chat/completions", chatBody({ model: "gpt-nothing" }))
      expect(noModel.status).toBe(404)
      expect(VeniceError.decode({ status: 404, headers: noModel.headers, body: noModel.text }).code).toBe(
        "MODEL_NOT_FOUND"
      )
      const wrongModel = yield* post(emulator, "/chat/completions", chatBody({ model: "tts-kokoro" }))
      expect([wrongModel.status, wrongModel.json]).toEqual([400, { error: "Invalid model specified" }])
    }).pipe(Effect.provide(Client)))

  it.scopedLive("layerConfig reads VENICE_EMULATOR_KEYS / _ADMIN from the environment", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator.VeniceEmulator
      expect((yield* post(emulator, "/chat/completions", chatBody(), { key: "env-key-2" })).status).toBe(200)
      expect((yield* get(emulator, "/__emulator/stats", { key: null })).status).toBe(200)
    }).pipe(
      Effect.provide(Layer.merge(
        VeniceEmulator.layerConfig().pipe(
          Layer.provide(Layer.setConfigProvider(
            ConfigProvider.fromMap(
              new Map([["VENICE_EMULATOR_KEYS", "env-key-1, env-key-2"], ["VENICE_EMULATOR_ADMIN", "true"]])
            )
          ))
        ),
        Client
      ))
    ))
})
