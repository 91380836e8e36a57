/**
 * The Novita emulator over loopback, spoken to with a plain HttpClient: it must answer like Novita (design.md §8) so the
 * client tests mean something.
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as ErrorCatalog from "@venice-effect/novita/ErrorCatalog"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import * as Faults from "../src/Faults.js"
import * as NovitaEmulator from "../src/NovitaEmulator.js"
import { Client, send, sseData } from "./helpers.js"

const KEY = "novita-test-key"
const OTHER_KEY = "novita-other-key"

const start = (config: NovitaEmulator.Config = {}) =>
  NovitaEmulator.make({ ...config, keys: [KEY, { key: OTHER_KEY, label: "other" }, ...(config.keys ?? [])] }).pipe(
    Effect.orDie
  )

type Emu = NovitaEmulator.Service

const auth = (request: HttpClientRequest.HttpClientRequest, key: string | null) =>
  key === null ? request : HttpClientRequest.bearerToken(request, key)

const post = (emu: Emu, path: string, body: unknown, key: string | null = KEY) =>
  send(auth(HttpClientRequest.post(emu.url(path)).pipe(HttpClientRequest.bodyUnsafeJson(body)), key))

const get = (emu: Emu, path: string, key: string | null = KEY) => send(auth(HttpClientRequest.get(emu.url(path)), key))

const MODEL = "meta-llama/llama-3.1-8b-instruct"
const chatBody = (extra: Record<string, unknown> = {}) => ({
  model: MODEL,
  messages: [{ role: "user", content: "Why is the sky blue?" }],
  ...extra
})
const txt2img = (extra: Record<string, unknown> = {}) => ({
  request: {
    model_name: "sd_xl_base_1.0.safetensors",
    prompt: "a lighthouse",
    width: 512,
    height: 512,
    image_num: 2,
    steps: 20,
    guidance_scale: 7.5,
    sampler_name: "Euler a",
    ...extra
  }
})

/** A request on a route of each catalog group. */
const callFor = (emu: Emu, group: ErrorCatalog.NovitaErrorGroup) =>
  group === "llm"
    ? post(emu, "/openai/v1/chat/completions", chatBody())
    : group === "media"
    ? post(emu, "/v3/async/txt2img", txt2img())
    : get(emu, "/openapi/v1/billing/bill/list")

const routeOf = (group: ErrorCatalog.NovitaErrorGroup) =>
  group === "llm" ? "chat/completions" : group === "media" ? "async/txt2img" : "billing/bill/list"

describe("NovitaEmulator", () => {
  it.scoped("unknown routes answer the plain text `404 page not found`", () =>
    Effect.gen(function*() {
      const emu = yield* start()
      for (const path of ["/nope", "/v3/openai/chat", "/openai/v2/chat/completions"]) {
        const res = yield* get(emu, path)
        expect(res.status).toBe(404)
        expect(res.text.trim()).toBe("404 page not found")
        expect(res.headers["content-type"]).toMatch(/^text\/plain/)
        expect(res.json).toBeUndefined()
      }
      expect(yield* emu.count({ route: "unknown" })).toBe(3)
    }).pipe(Effect.provide(Client)))

  describe("every catalog row is scriptable and answered as `{code, reason, message, metadata}`", () => {
    for (const row of ErrorCatalog.entries) {
      it.scoped(`${row.group}/${row.code} → ${row.status}`, () =>
        Effect.gen(function*() {
          const emu = yield* start()
          yield* emu.script({ route: routeOf(row.group) }, 1, NovitaEmulator.error(row.code, { group: row.group }))
          const res = yield* callFor(emu, row.group)
          expect(res.status).toBe(row.status)
          expect(res.headers["content-type"]).toMatch(/^application\/json/)
          expect(res.json).toEqual({ code: row.status, reason: row.code, message: row.descriptionEn, metadata: {} })
          expect(res.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/)
          // the script is used up: the next call is answered normally
          expect((yield* callFor(emu, row.group)).status).toBe(200)
        }).pipe(Effect.provide(Client)))
    }

    it.scoped("the group defaults to the route's: INVALID_API_KEY is 403 either way, INVALID_REQUEST_BODY keeps the route's", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        yield* emu.script(
          { route: "chat/completions" },
          1,
          NovitaEmulator.error("INVALID_REQUEST_BODY", { message: "bad", metadata: { field: "x" } })
        )
        const res = yield* post(emu, "/openai/v1/chat/completions", chatBody())
        expect(res.json).toEqual({
          code: 400,
          reason: "INVALID_REQUEST_BODY",
          message: "bad",
          metadata: { field: "x" }
        })
      }).pipe(Effect.provide(Client)))
  })

  describe("keys and balances, per product (the seed's tables)", () => {
    it.scoped("no key: 403 INVALID_API_KEY on LLM routes, 400 MISSING_API_KEY on media routes", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        const llm = yield* post(emu, "/openai/v1/chat/completions", chatBody(), null)
        expect(llm.status).toBe(403)
        expect(llm.json).toMatchObject({ code: 403, reason: "INVALID_API_KEY" })
        const media = yield* post(emu, "/v3/async/txt2img", txt2img(), null)
        expect(media.status).toBe(400)
        expect(media.json).toMatchObject({ reason: "MISSING_API_KEY" })
      }).pipe(Effect.provide(Client)))

    it.scoped("an unknown key: 401 FAILED_TO_AUTH (LLM), 403 INVALID_API_KEY (media)", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        const llm = yield* post(emu, "/openai/v1/chat/completions", chatBody(), "wrong")
        expect(llm.status).toBe(401)
        expect(llm.json).toMatchObject({ reason: "FAILED_TO_AUTH" })
        const media = yield* get(emu, "/v3/async/task-result?task_id=x", "wrong")
        expect(media.status).toBe(403)
        expect(media.json).toMatchObject({ reason: "INVALID_API_KEY" })
        // the log shows a label, never the key
        const requests = yield* emu.requests
        expect(JSON.stringify(requests)).not.toContain("wrong\"")
        expect(requests.every((r) => r.key?.startsWith("key-"))).toBe(true)
      }).pipe(Effect.provide(Client)))

    it.scoped("no balance: 403 NOT_ENOUGH_BALANCE (LLM) vs 400 BILLING_BALANCE_NOT_ENOUGH (media)", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        yield* emu.setBalance(KEY, 0)
        const llm = yield* post(emu, "/openai/v1/chat/completions", chatBody())
        expect(llm.status).toBe(403)
        expect(llm.json).toMatchObject({ reason: "NOT_ENOUGH_BALANCE" })
        const media = yield* post(emu, "/v3/async/txt2img", txt2img())
        expect(media.status).toBe(400)
        expect(media.json).toMatchObject({ reason: "BILLING_BALANCE_NOT_ENOUGH" })
      }).pipe(Effect.provide(Client)))

    it.scoped("a request window per key and group answers 429 without rate-limit headers", () =>
      Effect.gen(function*() {
        const emu = yield* start({ rateLimit: { requestsPerWindow: 2, window: "10 seconds" } })
        const statuses: Array<number> = []
        for (let i = 0; i < 3; i++) statuses.push((yield* post(emu, "/openai/v1/chat/completions", chatBody())).status)
        expect(statuses).toEqual([200, 200, 429])
        const limited = yield* post(emu, "/openai/v1/chat/completions", chatBody())
        expect(limited.json).toMatchObject({ reason: "RATE_LIMIT_EXCEEDED" })
        expect(Object.keys(limited.headers).filter((h) => /ratelimit|retry-after/i.test(h))).toEqual([])
        // billing has its own name for it
        yield* get(emu, "/openapi/v1/billing/bill/list")
        yield* get(emu, "/openapi/v1/billing/bill/list")
        expect((yield* get(emu, "/openapi/v1/billing/bill/list")).json).toMatchObject({
          code: 429,
          reason: "LIST_BILL_TOO_FAST"
        })
        yield* TestClock.adjust(Duration.seconds(10))
        expect((yield* post(emu, "/openai/v1/chat/completions", chatBody())).status).toBe(200)
      }).pipe(Effect.provide(Client)))
  })

  describe("chat", () => {
    it.scoped("plain: a chat.completion with the configured tokens", () =>
      Effect.gen(function*() {
        const emu = yield* start({ stream: { tokens: 5 } })
        const res = yield* post(emu, "/openai/v1/chat/completions", chatBody())
        expect(res.status).toBe(200)
        expect(res.json).toMatchObject({
          object: "chat.completion",
          model: MODEL,
          choices: [{ index: 0, message: { role: "assistant" }, finish_reason: "stop" }],
          usage: { completion_tokens: 5 }
        })
      }).pipe(Effect.provide(Client)))

    it.scoped("bad bodies and unknown models are catalog errors", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        const noMessages = yield* post(emu, "/openai/v1/chat/completions", { model: MODEL, messages: [] })
        expect(noMessages.status).toBe(400)
        expect(noMessages.json).toMatchObject({
          reason: "INVALID_REQUEST_BODY",
          message: "messages: must be a non-empty array"
        })
        const unknown = yield* post(emu, "/openai/v1/chat/completions", chatBody({ model: "nope/nope" }))
        expect(unknown.status).toBe(404)
        expect(unknown.json).toMatchObject({ reason: "MODEL_NOT_FOUND" })
      }).pipe(Effect.provide(Client)))

    it.scoped("stream: SSE chunks, a usage chunk when asked, then [DONE]", () =>
      Effect.gen(function*() {
        const emu = yield* start({ stream: { tokens: 4 } })
        const res = yield* post(
          emu,
          "/openai/v1/chat/completions",
          chatBody({ stream: true, stream_options: { include_usage: true } })
        )
        expect(res.headers["content-type"]).toMatch(/^text\/event-stream/)
        const data = sseData(res.text)
        expect(data.at(-1)).toBe("[DONE]")
        const chunks = data.slice(0, -1).map((d) => JSON.parse(d))
        expect(chunks).toHaveLength(1 + 4 + 1 + 1)
        expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true)
        expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 4 } })
        expect(chunks.slice(1, 5).map((c) => c.choices[0].delta.content).join("")).toBe("Hello from the Novita")
        expect((yield* emu.requests)[0]).toMatchObject({
          route: "chat/completions",
          stream: true,
          model: MODEL,
          status: 200
        })
      }).pipe(Effect.provide(Client)))

    it.scoped("a scripted mid-stream error: K chunks, then an in-band error event, no [DONE]", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        yield* emu.script(
          { route: "chat/completions" },
          1,
          Faults.streamError(3, { code: "TOKEN_LIMIT_EXCEEDED", message: "slow down" })
        )
        // stream faults never hit plain requests
        expect((yield* post(emu, "/openai/v1/chat/completions", chatBody())).status).toBe(200)
        const res = yield* post(emu, "/openai/v1/chat/completions", chatBody({ stream: true }))
        const data = sseData(res.text)
        expect(data).toHaveLength(4)
        expect(JSON.parse(data[3]!)).toEqual({
          error: { message: "slow down", type: "server_error", code: "TOKEN_LIMIT_EXCEEDED" }
        })
        expect((yield* emu.requests).map((r) => r.fault)).toEqual([undefined, "StreamError"])
      }).pipe(Effect.provide(Client)))

    it.scoped("the Venice emulator's transport faults work here too", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        yield* emu.script({ route: "chat/completions" }, 1, Faults.resetBeforeHeaders)
        const reset = yield* Effect.either(post(emu, "/openai/v1/chat/completions", chatBody()))
        expect(reset._tag).toBe("Left")
        yield* emu.script({}, 1, Faults.htmlPage(502))
        const html = yield* post(emu, "/openai/v1/chat/completions", chatBody())
        expect(html.status).toBe(502)
        expect(html.headers["content-type"]).toMatch(/^text\/html/)
        yield* emu.script({}, 1, Faults.truncatedJson(10))
        const cut = yield* post(emu, "/openai/v1/chat/completions", chatBody())
        expect(cut.status).toBe(200)
        expect(cut.text).toHaveLength(10)
        expect((yield* emu.requests).map((r) => r.status)).toEqual([0, 502, 200])
      }).pipe(Effect.provide(Client)))
  })

  describe("async tasks on the Clock", () => {
    it.scoped("queued → processing with progress → succeeded with the outputs", () =>
      Effect.gen(function*() {
        const emu = yield* start({ tasks: { duration: "4 seconds", queued: "1 second" } })
        const submitted = yield* post(emu, "/v3/async/txt2img", txt2img())
        expect(submitted.status).toBe(200)
        const taskId = (submitted.json as { task_id: string }).task_id
        expect(taskId).toMatch(/^[0-9a-f-]{36}$/)
        const result = () => Effect.map(get(emu, `/v3/async/task-result?task_id=${taskId}`), (r) => r.json as any)

        expect((yield* result()).task).toMatchObject({
          task_id: taskId,
          task_type: "TXT_TO_IMG",
          status: "TASK_STATUS_QUEUED",
          progress_percent: 0,
          eta: 4
        })
        yield* TestClock.adjust(Duration.millis(2500))
        const processing = (yield* result()).task
        expect(processing).toMatchObject({ status: "TASK_STATUS_PROCESSING", progress_percent: 50, eta: 2 })
        yield* TestClock.adjust(Duration.millis(1500))
        const done = yield* result()
        expect(done.task).toMatchObject({ status: "TASK_STATUS_SUCCEED", progress_percent: 100, reason: "" })
        expect(done.images).toHaveLength(2)
        expect(done.images[0]).toMatchObject({ image_type: "png", image_url_ttl: "3600" })
        const log = yield* emu.requests
        expect(log.every((r) => r.taskId === taskId)).toBe(true)
        expect(log.map((r) => r.route)).toEqual([
          "async/txt2img",
          "async/task-result",
          "async/task-result",
          "async/task-result"
        ])
      }).pipe(Effect.provide(Client)))

    it.scoped("a scripted TaskFailure: the submission succeeds, the task ends FAILED with the reason (HTTP 200)", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        yield* emu.script({ route: "async/txt2img" }, 1, NovitaEmulator.taskFailure("NSFW content detected"))
        // TaskFailure only matches submissions: reading a result does not consume it
        yield* get(emu, "/v3/async/task-result?task_id=none")
        const taskId = ((yield* post(emu, "/v3/async/txt2img", txt2img())).json as { task_id: string }).task_id
        yield* TestClock.adjust(Duration.seconds(3))
        const res = yield* get(emu, `/v3/async/task-result?task_id=${taskId}`)
        expect(res.status).toBe(200)
        expect(res.json).toMatchObject({
          task: { status: "TASK_STATUS_FAILED", reason: "NSFW content detected" },
          images: []
        })
      }).pipe(Effect.provide(Client)))

    it.scoped("unknown tasks (or another key's) are 404 TASK_NOT_FOUND; unknown async APIs 404 API_NOT_FOUND; bad bodies 400", () =>
      Effect.gen(function*() {
        const emu = yield* start()
        const taskId = ((yield* post(emu, "/v3/async/txt2img", txt2img())).json as { task_id: string }).task_id
        expect((yield* get(emu, `/v3/async/task-result?task_id=${taskId}`, OTHER_KEY)).json).toMatchObject({
          code: 404,
          reason: "TASK_NOT_FOUND"
        })
        expect((yield* get(emu, "/v3/async/task-result?task_id=nope")).status).toBe(404)
        expect((yield* get(emu, "/v3/async/task-result")).json).toMatchObject({ reason: "INVALID_REQUEST_BODY" })
        expect((yield* post(emu, "/v3/async/nope", {})).json).toMatchObject({ code: 404, reason: "API_NOT_FOUND" })
        const bad = yield* post(emu, "/v3/async/txt2img", txt2img({ width: 5000 }))
        expect(bad.status).toBe(400)
        expect(bad.json).toMatchObject({
          reason: "INVALID_REQUEST_BODY",
          message: "request.width: must be an integer in [128, 2048]"
        })
      }).pipe(Effect.provide(Client)))
  })

  it.scoped("admin routes script faults over HTTP (the same Script JSON)", () =>
    Effect.gen(function*() {
      const emu = yield* start({ admin: true })
      const scheduled = yield* send(
        HttpClientRequest.post(emu.url("/__emulator/faults")).pipe(
          HttpClientRequest.bodyUnsafeJson({
            match: { route: "chat/completions" },
            times: 2,
            fault: { _tag: "Error", code: "SERVICE_NOT_AVAILABLE" }
          })
        )
      )
      expect(scheduled.json).toEqual({ scheduled: 1, pendingFaults: 2 })
      expect((yield* post(emu, "/openai/v1/chat/completions", chatBody())).status).toBe(503)
      const log = yield* send(HttpClientRequest.get(emu.url("/__emulator/requests")))
      expect((log.json as { requests: Array<{ fault: string }> }).requests[0]!.fault).toBe(
        "Error:SERVICE_NOT_AVAILABLE"
      )
    }).pipe(Effect.provide(Client)))
})
