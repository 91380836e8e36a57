/**
 * The Novita client against the Novita emulator over loopback (design.md §8, §4, §5, §9): every catalog row decoded from
 * a real response with the attempts its retry class allows (counted by the emulator), chat plain and streamed, tasks,
 * retries on the TestClock, and secrets kept out of errors and logs.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as ClientError from "@venice-effect/core/ClientError"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/NovitaEmulator"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Chat from "../src/Chat.js"
import * as ChatStream from "../src/ChatStream.js"
import * as ErrorCatalog from "../src/ErrorCatalog.js"
import * as NovitaClient from "../src/NovitaClient.js"
import * as NovitaError from "../src/NovitaError.js"
import * as Tasks from "../src/Tasks.js"
import { drive, KEY, layer } from "./support.js"

const MODEL = "meta-llama/llama-3.1-8b-instruct"
const hello: Chat.ChatCompletionRequest = { model: MODEL, messages: [{ role: "user", content: "hello" }] }
const image: Tasks.Txt2ImgRequest = {
  request: {
    model_name: "sd_xl_base_1.0.safetensors",
    prompt: "a lighthouse at dusk",
    width: 512,
    height: 512,
    image_num: 1,
    steps: 20,
    guidance_scale: 7.5,
    sampler_name: "Euler a"
  }
}

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

const successOf = <A, E>(exit: Exit.Exit<A, E>): A => {
  if (Exit.isFailure(exit)) throw new Error(`expected a success, got ${Cause.pretty(exit.cause)}`)
  return exit.value
}

/** A billing call (the client has no billing module: the generic `json` does it). */
const billList = Effect.flatMap(
  NovitaClient.NovitaClient,
  (client) =>
    client.json({ operation: "billing.list", method: "GET", path: "/openapi/v1/billing/bill/list" }, Schema.Unknown)
)

const callFor = (
  group: ErrorCatalog.NovitaErrorGroup
): Effect.Effect<unknown, unknown, NovitaClient.NovitaClient> =>
  group === "llm" ? Chat.completions(hello) : group === "media" ? Tasks.txt2img(image) : billList

const routeOf = (group: ErrorCatalog.NovitaErrorGroup) =>
  group === "llm" ? "chat/completions" : group === "media" ? "async/txt2img" : "billing/bill/list"

describe("NovitaClient against the Novita emulator", () => {
  describe("every catalog row: decoded to its tag/code/group, attempts as its retry class says", () => {
    for (const row of ErrorCatalog.entries) {
      const attempts = row.retryClass === "never" ? 1 : 5
      it.scoped(`${row.group}/${row.code} (${row.status}, ${row.retryClass}) → ${attempts} attempt(s)`, () =>
        Effect.gen(function*() {
          const emu = yield* Emulator.NovitaEmulator
          yield* emu.script({ route: routeOf(row.group) }, 10, Emulator.error(row.code, { group: row.group }))
          const error = failureOf(yield* drive(callFor(row.group)))
          expect(error).toBeInstanceOf(NovitaError.NovitaApiError)
          expect(error).toMatchObject({
            _tag: "NovitaApiError",
            code: row.code,
            group: row.group,
            status: row.status,
            attempt: attempts
          })
          expect(NovitaError.retryClass(error as NovitaError.NovitaError)).toBe(row.retryClass)
          expect(yield* emu.count({ route: routeOf(row.group) })).toBe(attempts)
        }).pipe(Effect.provide(layer())))
    }
  })

  it.scoped("an unknown route: the plain-text 404 is NovitaNotFoundRouteError, never retried", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.NovitaEmulator
      const client = yield* NovitaClient.NovitaClient
      const error = failureOf(
        yield* drive(client.json({ operation: "nope", method: "GET", path: "/v3/nope" }, Schema.Unknown))
      )
      expect(error).toMatchObject({ _tag: "NovitaNotFoundRouteError", status: 404, attempt: 1 })
      expect(NovitaError.retryClass(error as NovitaError.NovitaError)).toBe("never")
      expect(yield* emu.count({ route: "unknown" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  describe("chat", () => {
    it.scoped("plain: one attempt, a decoded completion", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        const response = yield* Chat.completionsWithMeta(hello)
        expect(Chat.text(response.value)).toBe("Hello from the Novita emulator. This answer is")
        expect(response.requestId).toMatch(/^[0-9a-f]{32}$/)
        expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
      }).pipe(Effect.provide(layer())))

    it.scoped("stream: every chunk, the text, ended by [DONE]", () =>
      Effect.gen(function*() {
        const chunks = Chunk.toReadonlyArray(
          yield* Stream.runCollect(ChatStream.stream({ ...hello, stream_options: { include_usage: true } }))
        )
        expect(chunks).toHaveLength(1 + 8 + 1 + 1)
        expect(chunks.at(-1)?.usage).toMatchObject({ completion_tokens: 8 })
        const text = yield* Stream.runCollect(ChatStream.textDeltas(ChatStream.stream(hello)))
        expect(Chunk.join(text, "")).toBe("Hello from the Novita emulator. This answer is")
      }).pipe(Effect.provide(layer())))

    it.scoped("a mid-stream error event fails the stream with StreamEventError after the chunks before it; no retry", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script(
          { route: "chat/completions" },
          1,
          Faults.streamError(3, { code: "SERVICE_NOT_AVAILABLE", message: "upstream gone" })
        )
        const received: Array<Chat.ChatCompletionChunk> = []
        const exit = yield* drive(
          Stream.runForEach(ChatStream.stream(hello), (c) => Effect.sync(() => received.push(c)))
        )
        const error = failureOf(exit)
        expect(received).toHaveLength(3)
        expect(error).toMatchObject({
          _tag: "StreamEventError",
          code: "SERVICE_NOT_AVAILABLE",
          reason: "SERVICE_NOT_AVAILABLE",
          type: "server_error",
          received: 3,
          provider: "novita",
          operation: "chat.completions"
        })
        expect((error as { message: string }).message).toContain("upstream gone")
        expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
      }).pipe(Effect.provide(layer())))

    it.scoped("an end without [DONE] is StreamTruncatedError", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "chat/completions" }, 1, Faults.streamEnd(4))
        const error = failureOf(yield* drive(Stream.runDrain(ChatStream.stream(hello))))
        expect(error).toMatchObject({ _tag: "StreamTruncatedError", received: 4, incomplete: false })
      }).pipe(Effect.provide(layer())))

    it.scoped("before the first event, a reset or a 429 is retried like any call; the stream then succeeds", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "chat/completions" }, 1, Faults.streamReset(0))
        yield* emu.script({ route: "chat/completions" }, 1, Emulator.error("RATE_LIMIT_EXCEEDED"))
        const chunks = successOf(yield* drive(Stream.runCollect(ChatStream.stream(hello))))
        expect(Chunk.size(chunks)).toBe(10)
        expect((yield* emu.requests).map((r) => r.status)).toEqual([200, 429, 200])
      }).pipe(Effect.provide(layer())))

    it.scoped("a reset mid-stream (after the first event) is StreamTransportError, not retried", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "chat/completions" }, 1, Faults.streamReset(2))
        const error = failureOf(yield* drive(Stream.runDrain(ChatStream.stream(hello))))
        expect(error).toMatchObject({ _tag: "StreamTransportError", reason: "reset" })
        expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
      }).pipe(Effect.provide(layer())))

    it.scoped("an invalid request fails locally (RequestValidationError): nothing is sent", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        const error = yield* Effect.flip(Chat.completions({ model: "", messages: [], temperature: 9 }))
        expect(error).toBeInstanceOf(ClientError.RequestValidationError)
        expect(error).toMatchObject({ provider: "novita", operation: "chat.completions" })
        expect((error as ClientError.RequestValidationError).issues).toEqual(
          expect.arrayContaining([
            expect.stringMatching(/^model:/),
            expect.stringMatching(/^messages:/),
            expect.stringMatching(/^temperature:/)
          ])
        )
        const streamError = yield* Effect.flip(Stream.runDrain(ChatStream.stream({ ...hello, messages: [] })))
        expect(streamError._tag).toBe("RequestValidationError")
        expect(yield* emu.count()).toBe(0)
      }).pipe(Effect.provide(layer())))
  })

  describe("retries (N3)", () => {
    it.scoped("429 RATE_LIMIT_EXCEEDED ×2 then 200 → 3 attempts with exponential backoff (no headers to wait on)", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "chat/completions" }, 2, Emulator.error("RATE_LIMIT_EXCEEDED"))
        successOf(yield* drive(Chat.completions(hello)))
        const requests = yield* emu.requests
        expect(requests.map((r) => r.status)).toEqual([429, 429, 200])
        const gaps = requests.slice(1).map((r, i) => r.at - requests[i]!.at)
        ;[500, 1000].forEach((nominal, i) => {
          expect(gaps[i]).toBeGreaterThanOrEqual(nominal * 0.8 - 5)
          expect(gaps[i]).toBeLessThanOrEqual(nominal * 1.2 + 5)
        })
      }).pipe(Effect.provide(layer())))

    it.scoped("TOKEN_LIMIT_EXCEEDED and SERVICE_NOT_AVAILABLE back off too; a custom policy bounds them", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "chat/completions" }, 10, Emulator.error("TOKEN_LIMIT_EXCEEDED"))
        const client = yield* NovitaClient.NovitaClient
        const error = failureOf(
          yield* drive(
            Chat.completions(hello, { retry: Schedule.intersect(client.retryPolicy, Schedule.recurs(1)) })
          )
        )
        expect(error).toMatchObject({ code: "TOKEN_LIMIT_EXCEEDED", attempt: 2 })
        expect(yield* emu.count()).toBe(2)
      }).pipe(Effect.provide(layer())))

    it.scoped("403 NOT_ENOUGH_BALANCE → 1 attempt, never retried", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.setBalance(KEY, 0)
        const error = failureOf(yield* drive(Chat.completions(hello)))
        expect(error).toMatchObject({
          _tag: "NovitaApiError",
          code: "NOT_ENOUGH_BALANCE",
          status: 403,
          group: "llm",
          attempt: 1
        })
        expect(NovitaError.isRetryable(error as NovitaError.NovitaError)).toBe(false)
        expect(yield* emu.count()).toBe(1)
      }).pipe(Effect.provide(layer())))

    it.scoped("a 502 page from a proxy is retried on chat, but a submission is not re-sent (it may have been forwarded)", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "chat/completions" }, 1, Faults.htmlPage(502))
        successOf(yield* drive(Chat.completions(hello)))
        expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
        yield* emu.script({ route: "async/txt2img" }, 5, Faults.htmlPage(502))
        const error = failureOf(yield* drive(Tasks.txt2img(image)))
        expect(error).toMatchObject({ _tag: "NovitaUnrecognizedError", status: 502, bodyKind: "html" })
        expect(yield* emu.count({ route: "async/txt2img" })).toBe(1)
      }).pipe(Effect.provide(layer())))

    it.scoped("a submission lost after sending (reset) is final: not re-sent", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "async/txt2img" }, 5, Faults.resetBeforeHeaders)
        const error = failureOf(yield* drive(Tasks.txt2img(image)))
        expect(error).toMatchObject({ _tag: "TransportError", provider: "novita", maybeDelivered: true })
        expect(yield* emu.count({ route: "async/txt2img" })).toBe(1)
        // a plain read is retried after the same failure
        yield* emu.script({ route: "async/task-result" }, 1, Faults.resetBeforeHeaders)
        const read = yield* drive(Tasks.get("missing"))
        expect(failureOf(read)).toMatchObject({ code: "TASK_NOT_FOUND" })
        expect(yield* emu.count({ route: "async/task-result" })).toBe(2)
      }).pipe(Effect.provide(layer())))
  })

  describe("async tasks (N4)", () => {
    it.scoped("txt2img: submitted once, polled on the Clock through queued and processing (progress grows) to succeeded", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        const states = Chunk.toReadonlyArray(successOf(
          yield* drive(Stream.runCollect(
            Stream.unwrap(Effect.map(Tasks.txt2img(image), (submitted) => Tasks.poll(submitted.task_id)))
          ))
        ))
        const statuses = states.map((s) => s.task.status)
        expect(statuses[0]).toBe("TASK_STATUS_QUEUED")
        expect(statuses).toContain("TASK_STATUS_PROCESSING")
        expect(statuses.at(-1)).toBe("TASK_STATUS_SUCCEED")
        const percents = states.map((s) => s.task.progress_percent ?? 0)
        expect([...percents].sort((a, b) => a - b)).toEqual(percents)
        expect(percents.some((p) => p > 0 && p < 100)).toBe(true)
        expect(states.at(-1)?.images).toHaveLength(1)
        expect(Tasks.progress(states.at(-1)!)).toBe(1)
        expect(yield* emu.count({ route: "async/txt2img" })).toBe(1)
        expect(yield* emu.count({ route: "async/task-result" })).toBe(states.length)
      }).pipe(Effect.provide(layer({ tasks: { duration: "8 seconds", queued: "1 second" } }))))

    it.scoped("run + last: the succeeded result", () =>
      Effect.gen(function*() {
        const done = successOf(
          yield* drive(Tasks.last(Tasks.run("/v3/async/txt2video", { model_name: "m", prompt: "waves" })))
        )
        expect(done.task).toMatchObject({ status: "TASK_STATUS_SUCCEED", task_type: "TXT_TO_VIDEO" })
        expect(done.videos).toHaveLength(1)
      }).pipe(Effect.provide(layer())))

    it.scoped("a failed task (HTTP 200, TASK_STATUS_FAILED) fails with NovitaTaskFailedError carrying the reason", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        yield* emu.script({ route: "async/txt2img" }, 1, Emulator.taskFailure("NSFW content detected in the output"))
        const seen: Array<string> = []
        const error = failureOf(
          yield* drive(
            Tasks.txt2img(image).pipe(
              Effect.flatMap((submitted) =>
                Stream.runForEach(
                  Tasks.poll(submitted.task_id),
                  (s) => Effect.sync(() => seen.push(s.task.status))
                )
              )
            )
          )
        )
        expect(error).toBeInstanceOf(Tasks.NovitaTaskFailedError)
        expect(error).toMatchObject({
          code: "TASK_FAILED",
          reason: "NSFW content detected in the output",
          taskType: "TXT_TO_IMG"
        })
        expect(seen.length).toBeGreaterThan(0)
        expect(seen).not.toContain("TASK_STATUS_FAILED")
        expect(yield* emu.count({ route: "async/txt2img" })).toBe(1)
      }).pipe(Effect.provide(layer())))

    // No server stalls here: `stallAfter` only keeps a loaded machine's slow exchange from being taken for a stall
    // (which would move the clock to the attempt's timeout, past the task's 30 s in the queue).
    it.scoped("a polling schedule that gives up first: NovitaTaskTimeoutError with the last state", () =>
      Effect.gen(function*() {
        const noStall = { stallAfter: 60_000 }
        const submitted = successOf(yield* drive(Tasks.txt2img(image), noStall))
        const error = failureOf(
          yield* drive(
            Tasks.wait(submitted.task_id, {
              polling: Schedule.spaced("100 millis").pipe(Schedule.intersect(Schedule.recurs(2)))
            }),
            noStall
          )
        )
        expect(error).toMatchObject({
          _tag: "NovitaTaskTimeoutError",
          taskId: submitted.task_id,
          lastStatus: "TASK_STATUS_QUEUED"
        })
      }).pipe(Effect.provide(layer({ tasks: { duration: "60 seconds", queued: "30 seconds" } }))))

    it.scoped("an invalid txt2img request fails locally; an unknown task is TASK_NOT_FOUND", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        const invalid = yield* Effect.flip(
          Tasks.txt2img({ request: { ...image.request, width: 4096, prompt: "" } })
        )
        expect(invalid).toMatchObject({
          _tag: "RequestValidationError",
          provider: "novita",
          operation: "async.txt2img"
        })
        expect(yield* emu.count()).toBe(0)
        const missing = failureOf(yield* drive(Tasks.get("00000000-0000-4000-a000-000000000000")))
        expect(missing).toMatchObject({ code: "TASK_NOT_FOUND", group: "media", status: 404, attempt: 1 })
      }).pipe(Effect.provide(layer())))
  })

  describe("secrets (O3)", () => {
    it.scoped("the key appears in no error, no log line (a wrong key, a 429 retried, a stream error)", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.NovitaEmulator
        const lines: Array<string> = []
        const capture = Logger.replace(
          Logger.defaultLogger,
          Logger.make(({ annotations, message }) =>
            lines.push(JSON.stringify({ message, annotations: [...annotations] }))
          )
        )
        yield* emu.script({ route: "chat/completions" }, 1, Emulator.error("RATE_LIMIT_EXCEEDED"))
        yield* emu.script({ route: "chat/completions" }, 1, Faults.streamError(1))
        const exit = yield* drive(
          Stream.runDrain(ChatStream.stream(hello)).pipe(
            Effect.provide(capture),
            Logger.withMinimumLogLevel(LogLevel.All)
          )
        )
        const streamError = failureOf(exit)
        const wrongKey = yield* NovitaClient.make({ apiKey: Redacted.make("nk-wrong-" + KEY), baseUrl: emu.baseUrl })
        const authError = failureOf(
          yield* drive(
            wrongKey.json({ operation: "models", method: "GET", path: "/openai/v1/models" }, Schema.Unknown).pipe(
              Effect.provide(capture),
              Logger.withMinimumLogLevel(LogLevel.All)
            )
          )
        )
        expect(authError).toMatchObject({ _tag: "NovitaApiError", code: "FAILED_TO_AUTH", status: 401 })
        expect(lines.length).toBeGreaterThan(0)
        for (
          const text of [
            JSON.stringify(streamError),
            String(streamError),
            JSON.stringify(authError),
            String(authError),
            Cause.pretty(Cause.fail(authError)),
            ...lines
          ]
        ) {
          expect(text).not.toContain(KEY)
        }
      }).pipe(Effect.provide(Layer.merge(layer(), NodeHttpClient.layerUndici))))
  })

  it.effect("layerConfig reads NOVITA_API_KEY (redacted) and NOVITA_BASE_URL", () =>
    Effect.gen(function*() {
      const client = yield* NovitaClient.NovitaClient
      expect(client.baseUrl).toBe("http://127.0.0.1:1")
    }).pipe(
      Effect.provide(NovitaClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))),
      Effect.withConfigProvider(
        ConfigProvider.fromMap(new Map([["NOVITA_API_KEY", "k"], ["NOVITA_BASE_URL", "http://127.0.0.1:1/"]]))
      )
    ))

  it.effect("layerConfig takes Config values: the caller chooses the key's name (issue 14 #1)", () =>
    Effect.gen(function*() {
      const client = yield* NovitaClient.NovitaClient
      expect(client.provider).toBe("novita")
      expect(client.baseUrl).toBe(NovitaClient.DEFAULT_BASE_URL)
    }).pipe(
      Effect.provide(
        NovitaClient.layerConfig({ apiKey: Config.redacted("MY_NOVITA") }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
      ),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["MY_NOVITA", "k"]])))
    ))
})
