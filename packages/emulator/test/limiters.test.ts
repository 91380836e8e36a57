import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { describe, expect, it } from "@effect/vitest"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as TestClock from "effect/TestClock"
import { chatBody, Client, KEY, post, type Res, send, start } from "./helpers.js"

// Every test here runs the emulator in the test's runtime: its windows follow TestClock (which starts at 0).

const decodeError = (res: Res, route?: "crypto-rpc") =>
  VeniceError.decode({
    status: res.status,
    headers: res.headers,
    body: res.text,
    nowMillis: 0,
    ...(route !== undefined ? { request: { route } } : {})
  })

const LOCKOUT = (n: number) =>
  `Too many failed attempts (> ${n}) resulting in a non-success status code. Please wait 30 seconds and try again. See https://docs.venice.ai/api-reference/rate-limiting for more information.`

describe("limiters", () => {
  it.scoped("request windows: headers count down, 429 when exhausted, a new window after reset", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ rateLimit: { requestsPerWindow: 3, window: Duration.minutes(1) } })
      const remaining: Array<string | undefined> = []
      for (let i = 0; i < 3; i++) {
        const res = yield* post(emulator, "/chat/completions", chatBody())
        expect(res.status).toBe(200)
        expect(res.headers["x-ratelimit-limit-requests"]).toBe("3")
        expect(res.headers["x-ratelimit-reset-requests"]).toBe("60000")
        remaining.push(res.headers["x-ratelimit-remaining-requests"])
      }
      expect(remaining).toEqual(["2", "1", "0"])
      const limited = yield* post(emulator, "/chat/completions", chatBody())
      expect([limited.status, limited.json]).toEqual([429, { error: "Rate limit exceeded" }])
      const error = decodeError(limited)
      expect(error.code).toBe("RATE_LIMIT_EXCEEDED")
      expect(error.rateLimit?.requests).toMatchObject({ limit: 3, remaining: 0 })
      // a 429 does not spend the error budget
      expect(limited.headers["x-ratelimit-remaining"]).toBe("50")
      // the window is per model
      expect((yield* post(emulator, "/chat/completions", chatBody({ model: "qwen3-4b" }))).status).toBe(200)

      yield* TestClock.adjust(Duration.minutes(1))
      const fresh = yield* post(emulator, "/chat/completions", chatBody())
      expect(fresh.status).toBe(200)
      expect(fresh.headers["x-ratelimit-remaining-requests"]).toBe("2")
      expect(fresh.headers["x-ratelimit-reset-requests"]).toBe("120000")
    }).pipe(Effect.provide(Client)))

  it.scoped("token windows: usage is counted, 429 once the tokens of the window are spent", () =>
    Effect.gen(function*() {
      // each call uses 18 tokens (6 prompt + 12 completion)
      const emulator = yield* start({ rateLimit: { tokensPerWindow: 30 } })
      const first = yield* post(emulator, "/chat/completions", chatBody())
      expect(first.headers["x-ratelimit-remaining-tokens"]).toBe("30")
      const second = yield* post(emulator, "/chat/completions", chatBody())
      expect(second.status).toBe(200)
      expect(second.headers["x-ratelimit-remaining-tokens"]).toBe("12")
      const limited = yield* post(emulator, "/chat/completions", chatBody())
      expect(limited.status).toBe(429)
      expect(limited.headers["x-ratelimit-remaining-tokens"]).toBe("0")
    }).pipe(Effect.provide(Client)))

  it.scoped("error budget: failed requests count down (as admitted), then every request of the bucket is locked out until reset", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ errorBudget: { threshold: 3, window: Duration.seconds(30) } })
      const invalid = chatBody({ messages: [] })
      const budget: Array<string | undefined> = []
      for (let i = 0; i < 3; i++) {
        yield* TestClock.adjust(Duration.seconds(1))
        const res = yield* post(emulator, "/chat/completions", invalid)
        expect(res.status).toBe(400)
        budget.push(res.headers["x-ratelimit-remaining"])
        expect(res.headers["x-ratelimit-resets"]).toBe("31000")
      }
      // the headers report the budget as each request was admitted (before its own failure is counted)
      expect(budget).toEqual(["3", "2", "1"])

      // exempt: invalid JSON and the no-credentials 402 do not count (and are not locked out either)
      const locked = yield* post(emulator, "/chat/completions", chatBody())
      expect(locked.status).toBe(429)
      expect(locked.json).toEqual({ error: LOCKOUT(3) })
      expect(locked.headers["x-ratelimit-remaining"]).toBe("0")
      expect(locked.headers["x-ratelimit-resets"]).toBe("31000")
      const error = decodeError(locked)
      expect(error.code).toBe("FAILED_REQUESTS")
      expect(error.rateLimit?.errorBudget).toMatchObject({ remaining: 0 })

      // the bucket is per model: another model is still served
      expect((yield* post(emulator, "/chat/completions", chatBody({ model: "qwen3-4b" }))).status).toBe(200)

      yield* TestClock.adjust(Duration.seconds(28))
      const again = yield* post(emulator, "/chat/completions", chatBody())
      expect(again.status).toBe(200)
      expect(again.headers["x-ratelimit-remaining"]).toBe("3")
    }).pipe(Effect.provide(Client)))

  it.scoped("error budget: the invalid-JSON and Content-Type 400s, the 413 and the no-credentials 402 are not counted", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ errorBudget: { threshold: 2 }, maxJsonBytes: 512 })
      const raw = (body: string, contentType: string) =>
        send(
          HttpClientRequest.post(emulator.url("/chat/completions")).pipe(
            HttpClientRequest.bearerToken(KEY),
            HttpClientRequest.bodyText(body, contentType)
          )
        )
      for (let i = 0; i < 3; i++) {
        expect((yield* raw("{oops", "application/json")).status).toBe(400)
        expect((yield* raw("{}", "text/plain")).status).toBe(400)
        expect((yield* raw(JSON.stringify({ pad: "x".repeat(1024) }), "application/json")).status).toBe(413)
        expect((yield* post(emulator, "/chat/completions", chatBody(), { key: null })).status).toBe(402)
      }
      const ok = yield* post(emulator, "/chat/completions", chatBody())
      expect(ok.status).toBe(200)
      expect(ok.headers["x-ratelimit-remaining"]).toBe("2")
    }).pipe(Effect.provide(Client)))

  it.scoped("overload: 429 with Retry-After until lifted", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      yield* emulator.setOverloaded("venice-uncensored", 7)
      const res = yield* post(emulator, "/chat/completions", chatBody())
      expect([res.status, res.json]).toEqual([429, {
        error: "The model is currently overloaded. Please try again later."
      }])
      expect(res.headers["retry-after"]).toBe("7")
      const error = decodeError(res)
      expect(error.code).toBe("MODEL_OVERLOADED")
      expect(error.retryAfter).toEqual(Duration.seconds(7))
      yield* emulator.setOverloaded("venice-uncensored", false)
      expect((yield* post(emulator, "/chat/completions", chatBody())).status).toBe(200)
    }).pipe(Effect.provide(Client)))

  it.scoped("crypto RPC: idempotent replays (not billed, not counted), a reused key with another body is 400, the per-minute cap sends X-RateLimit-* in seconds", () =>
    Effect.gen(function*() {
      const emulator = yield* start({ cryptoRpc: { requestsPerMinute: 2 } })
      const call = { jsonrpc: "2.0", method: "eth_sendRawTransaction", params: ["0xdeadbeef"], id: 7 }
      const idem = { headers: { "Idempotency-Key": "send-tx-42" } }
      const first = yield* post(emulator, "/crypto/rpc/base-mainnet", call, idem)
      expect(first.status).toBe(200)
      expect(first.headers["idempotent-replayed"]).toBeUndefined()
      const replay = yield* post(emulator, "/crypto/rpc/base-mainnet", call, idem)
      expect(replay.headers["idempotent-replayed"]).toBe("true")
      expect(replay.text).toBe(first.text)
      expect(replay.headers["x-request-id"]).toBe(first.headers["x-request-id"])
      const conflict = yield* post(emulator, "/crypto/rpc/base-mainnet", { ...call, id: 8 }, idem)
      expect(conflict.status).toBe(400)
      expect(conflict.headers["x-request-id"]).toMatch(/^[0-9a-f]{32}$/)

      // replays and the conflict are answered before the cap: this is the second request of the minute
      expect(
        (yield* post(emulator, "/crypto/rpc/base-mainnet", { jsonrpc: "2.0", method: "eth_blockNumber", id: 1 })).status
      ).toBe(200)
      const limited = yield* post(emulator, "/crypto/rpc/base-mainnet", {
        jsonrpc: "2.0",
        method: "eth_blockNumber",
        id: 1
      })
      expect(limited.status).toBe(429)
      expect(limited.headers["x-ratelimit-limit"]).toBe("2")
      expect(limited.headers["x-ratelimit-remaining"]).toBe("0")
      expect(limited.headers["x-ratelimit-reset"]).toBe("60")
      const error = decodeError(limited, "crypto-rpc")
      expect(error.code).toBe("RATE_LIMIT_EXCEEDED")
      expect(error.rateLimit?.rpc).toMatchObject({ limit: 2, remaining: 0 })
      // only the 429 carries them
      expect(first.headers["x-ratelimit-limit"]).toBeUndefined()

      yield* TestClock.adjust(Duration.minutes(1))
      expect(
        (yield* post(emulator, "/crypto/rpc/base-mainnet", { jsonrpc: "2.0", method: "eth_blockNumber", id: 1 })).status
      ).toBe(200)
      yield* TestClock.adjust(Duration.hours(24))
      const expired = yield* post(emulator, "/crypto/rpc/base-mainnet", call, idem)
      expect(expired.headers["idempotent-replayed"]).toBeUndefined()
    }).pipe(Effect.provide(Client)))
})
