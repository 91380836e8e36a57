/**
 * Chat streaming against the emulator over loopback (S1–S3, S6, R11, B1): chunks in order, the usage chunk,
 * in-band errors, resets, truncation, the first-event retry boundary, interruption, the opt-in restarts, and the
 * `openai` client reading the same bytes.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Stream from "effect/Stream"
import OpenAI from "openai"
import * as Chat from "../src/Chat.js"
import * as ChatStream from "../src/ChatStream.js"
import { drive, KEY, layer, realPause } from "./support.js"

const MODEL = "venice-uncensored"
const hello = { model: MODEL, messages: [{ role: "user" as const, content: "hello" }] }
const TOKENS = 12

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${exit.cause._tag}: ${String(exit.cause)}`)
  return failure
}

/** Runs a stream, keeping what it delivered and how it ended. */
const runPartial = <A, E, R>(stream: Stream.Stream<A, E, R>) =>
  Effect.gen(function*() {
    const seen: Array<A> = []
    const exit = yield* drive(Stream.runForEach(stream, (a) => Effect.sync(() => void seen.push(a))))
    return { seen, exit }
  })

describe("ChatStream against the emulator", () => {
  it.scoped("S2: deltas arrive in order and concatenate to the text; the usage chunk is delivered; [DONE] ends it", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const chunks = [...yield* Stream.runCollect(ChatStream.stream(hello))]
      const reference = yield* Chat.completions(hello)
      expect(chunks[0]?.choices[0]?.delta.role).toBe("assistant")
      const text = chunks.map(ChatStream.contentOf).join("")
      expect(text).toBe(Chat.text(reference))
      expect(chunks.filter((c) => ChatStream.contentOf(c).length > 0)).toHaveLength(TOKENS)
      const last = chunks.at(-1)!
      expect(last.choices).toEqual([])
      expect(last.usage?.completion_tokens).toBe(TOKENS)
      expect(last.cost?.usd).toBeGreaterThanOrEqual(0)
      expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe("stop")
      // role chunk + tokens + finish chunk + usage chunk; the leading keep-alive comment is skipped
      expect(chunks).toHaveLength(TOKENS + 3)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("validate: true gives the same chunks", () =>
    Effect.gen(function*() {
      const plain = [...yield* Stream.runCollect(ChatStream.stream(hello))]
      const validated = [...yield* Stream.runCollect(ChatStream.stream(hello, { validate: true }))]
      expect(validated.map(ChatStream.contentOf)).toEqual(plain.map(ChatStream.contentOf))
      expect(validated.length).toBe(plain.length)
    }).pipe(Effect.provide(layer())))

  it.scoped("streamWithMeta: the response's facts, then the chunks", () =>
    Effect.gen(function*() {
      const response = yield* ChatStream.streamWithMeta(hello)
      expect(response.status).toBe(200)
      expect(response.headers["content-type"]).toContain("text/event-stream")
      expect(response.meta.veniceVersion).toBeDefined()
      const chunks = yield* Stream.runCollect(response.chunks)
      expect(Chunk.size(chunks)).toBe(TOKENS + 3)
    }).pipe(Effect.provide(layer())))

  it.scoped("collect: the stream assembled into a ChatCompletion equal to the non-streamed one", () =>
    Effect.gen(function*() {
      const collected = yield* ChatStream.collect(ChatStream.stream(hello))
      const reference = yield* Chat.completions(hello)
      expect(Chat.text(collected)).toBe(Chat.text(reference))
      expect(collected.choices[0]?.finish_reason).toBe("stop")
      expect(collected.usage.completion_tokens).toBe(reference.usage.completion_tokens)
      expect(collected.object).toBe("chat.completion")
    }).pipe(Effect.provide(layer())))

  it.scoped("S2: an in-band error after K chunks → exactly K chunks, then the typed failure with retry_after", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamError(4, { retryAfter: 7 }))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello))
      expect(seen).toHaveLength(4)
      const error = failureOf(exit)
      expect(error).toMatchObject({
        _tag: "StreamEventError",
        type: "server_error",
        code: "model_overloaded",
        received: 4,
        attempt: 1,
        method: "POST"
      })
      expect(JSON.stringify(error)).not.toContain(KEY)
      if (error._tag !== "StreamEventError") return
      expect(error.veniceVersion).toBeDefined()
      expect(error.correlationId).toBeDefined()
      expect(Duration.toSeconds(error.retryAfter!)).toBe(7)
      expect(error.message).toContain("overloaded")
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("S3: an in-band error as the first event is terminal (not retried implicitly)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamError(0, { retryAfter: null }))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello))
      expect(seen).toHaveLength(0)
      const error = failureOf(exit)
      expect(error).toMatchObject({ _tag: "StreamEventError", received: 0 })
      expect(error._tag === "StreamEventError" && error.retryAfter).toBe(undefined)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("B1/S3: a reset mid-stream → a typed error, one attempt (nothing retried after the first event)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamReset(3))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello))
      expect(seen).toHaveLength(3)
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTransportError", reason: "reset", received: 3 })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("S3: a reset after the headers but before the first event is retried like any call", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamReset(0))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(seen).toHaveLength(TOKENS + 3)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("S3: a 429 before the stream is retried: 2 attempts, then the whole stream", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 2 }))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(seen).toHaveLength(TOKENS + 3)
      const requests = yield* emu.requests
      expect(requests.map((r) => r.status)).toEqual([429, 200])
      expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(2000)
    }).pipe(Effect.provide(layer())))

  it.scoped("S3: a 401 before the stream is a client error, not retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("AUTHENTICATION_FAILED"))
      const { exit } = yield* runPartial(ChatStream.stream(hello))
      expect(failureOf(exit)).toMatchObject({ _tag: "VeniceStandardError", status: 401 })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("B1: a stream that ends without [DONE] → a typed truncation error after the K chunks", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamEnd(5))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello))
      expect(seen).toHaveLength(5)
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTruncatedError", received: 5, incomplete: false })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("S6: an event above maxEventBytes fails the stream with a typed error", () =>
    Effect.gen(function*() {
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello, { maxEventBytes: 64 }))
      expect(seen).toHaveLength(0)
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTooLargeError", limit: 64 })
    }).pipe(Effect.provide(layer())))

  it.scoped("idle timeout: a stream that stalls after K chunks fails with idle-timeout", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(2))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello, { idleTimeout: "10 seconds" }))
      expect(seen).toHaveLength(2)
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTransportError", reason: "idle-timeout", received: 2 })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("R12: interrupting a stream closes the connection", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(2))
      const seen: Array<unknown> = []
      const fiber = yield* Effect.fork(
        Stream.runForEach(ChatStream.stream(hello), (c) => Effect.sync(() => void seen.push(c)))
      )
      for (let i = 0; i < 2000 && seen.length < 2; i++) yield* realPause(1)
      expect(seen).toHaveLength(2)
      expect(yield* emu.openConnections).toBe(1)
      yield* Fiber.interrupt(fiber)
      for (let i = 0; i < 2000 && (yield* emu.openConnections) > 0; i++) yield* realPause(1)
      expect(yield* emu.openConnections).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("a consumer that stops early (take) releases the connection", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamStall(4))
      const taken = yield* Stream.runCollect(Stream.take(ChatStream.stream(hello), 3))
      expect(Chunk.size(taken)).toBe(3)
      for (let i = 0; i < 2000 && (yield* emu.openConnections) > 0; i++) yield* realPause(1)
      expect(yield* emu.openConnections).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("retryBeforeFirstToken: an overload before any output restarts invisibly", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      // the role chunk, then the in-band overload with retry_after 3
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamError(1, { retryAfter: 3 }))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello).pipe(ChatStream.retryBeforeFirstToken()))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(seen).toHaveLength(TOKENS + 3) // one role chunk, not two
      const requests = yield* emu.requests
      expect(requests).toHaveLength(2)
      expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(3000)
    }).pipe(Effect.provide(layer())))

  it.scoped("retryBeforeFirstToken: a failure after output passes through", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamReset(5))
      const { exit, seen } = yield* runPartial(ChatStream.stream(hello).pipe(ChatStream.retryBeforeFirstToken()))
      expect(seen).toHaveLength(5)
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamTransportError" })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("resume: a reset after output re-sends with the received text as an assistant prefix", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamReset(5))
      const { exit, seen } = yield* runPartial(ChatStream.resume(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
      // one role chunk, 4 tokens of the first attempt, then the continuation's tokens, finish and usage chunks
      expect(seen.filter((c) => c.choices[0]?.delta.role !== undefined)).toHaveLength(1)
      const firstPart = seen.slice(0, 5).map(ChatStream.contentOf).join("")
      const text = seen.map(ChatStream.contentOf).join("")
      expect(text.startsWith(firstPart)).toBe(true)
      expect(seen.length).toBe(5 + TOKENS + 2)
      // the continuation was billed for the prefix: its prompt is longer than the original one
      const reference = yield* Chat.completions(hello)
      expect(seen.at(-1)!.usage!.prompt_tokens).toBeGreaterThan(reference.usage.prompt_tokens)
    }).pipe(Effect.provide(layer())))

  it.scoped("resume: an overload after the role chunk, before any text, restarts with the same request", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.streamError(1, { retryAfter: 1 }))
      const { exit, seen } = yield* runPartial(ChatStream.resume(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect(seen).toHaveLength(TOKENS + 3) // one role chunk, every token once
      const reference = yield* Chat.completions(hello)
      expect(seen.map(ChatStream.contentOf).join("")).toBe(Chat.text(reference))
      expect(seen.at(-1)!.usage!.prompt_tokens).toBe(reference.usage.prompt_tokens) // no prefix was added
    }).pipe(Effect.provide(layer())))

  it.scoped("resume: a content-filter error is not restartable (retry class never)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "chat/completions" },
        1,
        Faults.streamError(3, { code: "content_filter", type: "content_filter_error", retryAfter: null })
      )
      const { exit, seen } = yield* runPartial(ChatStream.resume(hello))
      expect(seen).toHaveLength(3)
      expect(failureOf(exit)).toMatchObject({ _tag: "StreamEventError", code: "content_filter" })
      expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("R11: a non-streaming 504 REQUEST_TIMEOUT is re-issued as a stream and collected", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("REQUEST_TIMEOUT"))
      const exit = yield* drive(Chat.completions(hello, { streamOnTimeout: true }))
      expect(Exit.isSuccess(exit)).toBe(true)
      if (!Exit.isSuccess(exit)) return
      expect(Chat.text(exit.value)?.length).toBeGreaterThan(0)
      const requests = yield* emu.requests
      expect(requests.map((r) => [r.status, r.stream])).toEqual([[504, false], [200, true]])
    }).pipe(Effect.provide(layer())))

  it.scoped("R11 is opt-in: without it a 504 is retried as a plain call", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "chat/completions" }, 1, Faults.error("REQUEST_TIMEOUT"))
      const exit = yield* drive(Chat.completions(hello))
      expect(Exit.isSuccess(exit)).toBe(true)
      const requests = yield* emu.requests
      expect(requests.map((r) => [r.status, r.stream])).toEqual([[504, false], [200, false]])
    }).pipe(Effect.provide(layer())))

  it.live("the openai client streams the emulator's chat and sees the same chunks as our Stream", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const ours = [...yield* Stream.runCollect(ChatStream.stream(hello))]
      const theirs = yield* Effect.promise(async () => {
        const client = new OpenAI({ apiKey: KEY, baseURL: emu.baseUrl, maxRetries: 0 })
        const out: Array<unknown> = []
        const stream = await client.chat.completions.create({ ...hello, stream: true })
        for await (const chunk of stream) out.push(chunk)
        return out as ReadonlyArray<ChatStream.ChatCompletionChunk>
      })
      const strip = (c: ChatStream.ChatCompletionChunk) => ({ ...c, id: "", created: 0 })
      expect(theirs.map(strip)).toEqual(ours.map(strip))
    }).pipe(Effect.provide(layer()), Effect.scoped))
})
