import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import OpenAI from "openai"
import * as Faults from "../src/Faults.js"
import { chatBody, Client, KEY, post, sseData, start } from "./helpers.js"

// The `openai` npm client (v6), pointed at the emulator, must see a Venice it can talk to.

const messages = [{ role: "user" as const, content: "Why is the sky blue?" }]

const openai = (baseURL: string, maxRetries = 0) => new OpenAI({ apiKey: KEY, baseURL, maxRetries })

describe("openai client compatibility", () => {
  it.scopedLive("a well-formed completion", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const completion = yield* Effect.promise(() =>
        openai(emulator.baseUrl).chat.completions.create({ model: "venice-uncensored", messages })
      )
      expect(completion.object).toBe("chat.completion")
      expect(completion.choices[0]?.message.role).toBe("assistant")
      expect(completion.choices[0]?.message.content).toContain("Venice emulator")
      expect(completion.choices[0]?.finish_reason).toBe("stop")
      expect(completion.usage?.total_tokens).toBeGreaterThan(0)
      expect(completion.model).toBe("venice-uncensored")
    }))

  it.scopedLive("a scripted error is an APIError with the right status; overloads are retried after Retry-After", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const client = openai(emulator.baseUrl)

      yield* emulator.script({ route: "chat/completions" }, 1, Faults.error("MODEL_NOT_FOUND"))
      const notFound = yield* Effect.flip(
        Effect.tryPromise(() => client.chat.completions.create({ model: "venice-uncensored", messages }))
      )
      expect(notFound.error).toBeInstanceOf(OpenAI.NotFoundError)
      if (notFound.error instanceof OpenAI.APIError) {
        expect(notFound.error.status).toBe(404)
        expect(notFound.error.message).toContain("Specified model not found")
      }

      yield* emulator.script({ route: "chat/completions" }, 1, Faults.error("context_length_exceeded"))
      const overflow = yield* Effect.flip(
        Effect.tryPromise(() => client.chat.completions.create({ model: "venice-uncensored", messages }))
      )
      expect(overflow.error).toBeInstanceOf(OpenAI.BadRequestError)
      if (overflow.error instanceof OpenAI.APIError) {
        expect(overflow.error.code).toBe("context_length_exceeded")
        expect(overflow.error.type).toBe("invalid_request_error")
      }

      yield* emulator.script({ route: "chat/completions" }, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 0 }))
      const retried = yield* Effect.promise(() =>
        openai(emulator.baseUrl, 2).chat.completions.create({ model: "venice-uncensored", messages })
      )
      expect(retried.choices).toHaveLength(1)
      expect(yield* emulator.count({ route: "chat/completions", status: 429 })).toBe(1)
    }))

  it.scopedLive("streams the same chunks the emulator sends, and fails on the in-band error", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ stream: { tokens: 7 } })
      const raw = sseData((yield* post(emulator, "/chat/completions", chatBody({ stream: true }))).text)
      const expected = raw.slice(0, -1).map((d) => JSON.parse(d) as { choices: Array<unknown>; usage?: unknown })

      const chunks = yield* Effect.promise(async () => {
        const stream = await openai(emulator.baseUrl).chat.completions.create({
          model: "venice-uncensored",
          messages,
          stream: true
        })
        const out = []
        for await (const chunk of stream) out.push(chunk)
        return out
      })
      expect(chunks).toHaveLength(expected.length)
      const strip = (c: { choices: Array<unknown>; usage?: unknown }) => ({ choices: c.choices, usage: c.usage })
      expect(chunks.map(strip)).toEqual(expected.map(strip))
      expect(chunks[chunks.length - 1]?.choices).toEqual([])
      expect(chunks.every((c) => c.object === "chat.completion.chunk")).toBe(true)

      yield* emulator.script({ route: "chat/completions" }, 1, Faults.streamError(3))
      const seen: Array<unknown> = []
      const failure = yield* Effect.flip(Effect.tryPromise(async () => {
        const stream = await openai(emulator.baseUrl).chat.completions.create({
          model: "venice-uncensored",
          messages,
          stream: true
        })
        for await (const chunk of stream) seen.push(chunk)
      }))
      expect(seen).toHaveLength(3)
      expect(failure.error).toBeInstanceOf(OpenAI.APIError)
      if (failure.error instanceof OpenAI.APIError) {
        expect(failure.error.message).toContain("overloaded")
        expect(failure.error.code).toBe("model_overloaded")
      }
    }).pipe(Effect.provide(Client)))
})
