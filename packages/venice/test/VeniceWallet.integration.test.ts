/**
 * Wallet authentication against the emulator (X1, X4, R10): a fresh SIGN-IN-WITH-X header for every attempt
 * (zero NONCE_REUSED under retries and concurrency), a server challenge used once, typed sign-in failures, the
 * 5-in-flight limit enforced by the client, and keys that never leak.
 */
import { describe, expect, it } from "@effect/vitest"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as Siwx from "@venice-effect/core/Siwx"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Chat from "../src/Chat.js"
import * as ChatStream from "../src/ChatStream.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import * as VeniceWallet from "../src/VeniceWallet.js"
import * as WalletError from "../src/WalletError.js"
import { drive as driveClock } from "./support.js"
import { hello, MODEL, throwawayKey, walletLayer } from "./walletSupport.js"

const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 5_000, ...options })

describe("VeniceWallet", () => {
  it.effect("signIn: a new nonce every time; an offered challenge is used once, then client nonces again", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 10, 22, 12, 0, 0))
      const wallet = yield* VeniceWallet.fromPrivateKey(Redacted.make(throwawayKey().key))
      const nonceOf = (header: Redacted.Redacted<string>) =>
        Effect.flatMap(Siwx.decodeHeader(header), (p) => Effect.succeed(/Nonce: (\S+)/.exec(p.message)?.[1]))
      const a = yield* nonceOf(yield* wallet.signIn())
      const b = yield* nonceOf(yield* wallet.signIn())
      expect(a).not.toBe(b)

      const now = new Date(Date.UTC(2026, 10, 22, 12, 0, 0))
      const challenge = {
        domain: "api.venice.ai",
        uri: "https://api.venice.ai/api/v1/chat/completions",
        version: "1",
        nonce: "c0ffee0123456789c0ffee0123456789",
        issuedAt: now.toISOString(),
        expirationTime: new Date(now.getTime() + 5 * 60_000).toISOString(),
        statement: "Sign in to Venice AI"
      }
      expect(yield* wallet.offerChallenge({ ...challenge, domain: "evil.example", nonce: "deadbeefdeadbeef" })).toBe(
        false
      )
      expect(yield* wallet.offerChallenge(challenge)).toBe(true)
      const header = yield* wallet.signIn()
      expect(yield* nonceOf(header)).toBe(challenge.nonce)
      const verified = yield* Siwx.verify(header, { domain: "api.venice.ai" })
      expect(verified.issuedAt.toISOString()).toBe(challenge.issuedAt) // the server's times, verbatim
      expect(yield* nonceOf(yield* wallet.signIn())).not.toBe(challenge.nonce) // single use

      // a challenge that is no longer fresh is not used
      yield* wallet.offerChallenge({ ...challenge, nonce: "0123456789abcdef0123" })
      yield* TestClock.adjust("10 minutes")
      expect(yield* nonceOf(yield* wallet.signIn())).not.toBe("0123456789abcdef0123")
    }))

  it.effect("a challenge is kept only when bound to the origin that sent it, and used only for that origin", () =>
    Effect.gen(function*() {
      const now = Date.UTC(2026, 10, 22, 12, 0, 0)
      yield* TestClock.setTime(now)
      const wallet = yield* VeniceWallet.fromPrivateKey(Redacted.make(throwawayKey().key))
      const nonceOf = (header: Redacted.Redacted<string>) =>
        Effect.flatMap(Siwx.decodeHeader(header), (p) => Effect.succeed(/Nonce: (\S+)/.exec(p.message)?.[1]))
      const challenge = {
        domain: "127.0.0.1:4021",
        uri: "http://127.0.0.1:4021/api/v1/chat/completions",
        version: "1",
        nonce: "0123456789abcdef0123456789abcdef",
        issuedAt: new Date(now).toISOString(),
        expirationTime: new Date(now + 5 * 60_000).toISOString()
      }
      // answered by another origin (a proxy, a redirect): dropped
      expect(yield* wallet.offerChallenge(challenge, "http://127.0.0.1:4022/api/v1/chat/completions")).toBe(false)
      expect(yield* wallet.offerChallenge(challenge, "https://api.venice.ai/api/v1/chat/completions")).toBe(false)
      expect(yield* wallet.offerChallenge(challenge, "http://127.0.0.1:4021/api/v1/chat/completions")).toBe(true)
      // a request to another origin does not use it; one to its origin does, once
      expect(yield* nonceOf(yield* wallet.signIn({ url: "https://api.venice.ai/api/v1/models" }))).not.toBe(
        challenge.nonce
      )
      const used = yield* wallet.signIn({ url: "http://127.0.0.1:4021/api/v1/models" })
      expect(yield* nonceOf(used)).toBe(challenge.nonce)
      expect((yield* Siwx.verify(used, { domain: "127.0.0.1" })).domain).toBe("127.0.0.1:4021")
      expect(yield* nonceOf(yield* wallet.signIn({ url: "http://127.0.0.1:4021/api/v1/models" }))).not.toBe(
        challenge.nonce
      )
    }))

  it.effect("a private key is Redacted and never printed: an invalid key fails without quoting it", () =>
    Effect.gen(function*() {
      const bad = "0x" + "zz".repeat(32)
      const error = yield* Effect.flip(VeniceWallet.fromPrivateKey(Redacted.make(bad)))
      expect(error).toBeInstanceOf(WalletError.WalletKeyError)
      expect(JSON.stringify(error) + String(error)).not.toContain("zz".repeat(4))
      const { key } = throwawayKey()
      const wallet = yield* VeniceWallet.fromPrivateKey(Redacted.make(key))
      expect(JSON.stringify(wallet)).not.toContain(key.slice(2))
      expect(String(Redacted.make(key))).not.toContain(key.slice(2))
    }))

  {
    // a per-key window of 3 requests: the 4th and later get 429 *after* the sign-in was verified (its nonce consumed)
    const t = walletLayer({
      balanceUsd: 5,
      payments: false,
      emulator: { rateLimit: { requestsPerWindow: 3, window: "2 seconds" } }
    })
    it.scoped("R10: retries and 30 concurrent calls each sign a new header — the emulator never sees NONCE_REUSED", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const exit = yield* drive(Effect.forEach(Array.from({ length: 30 }, () => hello), (r) => Chat.completions(r), {
          concurrency: "unbounded"
        }))
        expect(Exit.isSuccess(exit)).toBe(true)
        const requests = yield* emu.requests
        expect(requests.filter((r) => r.status === 429).length).toBeGreaterThan(20) // plenty of retries
        expect(requests.filter((r) => r.status === 200)).toHaveLength(30)
        expect(yield* emu.count({ status: 401 })).toBe(0)
        // every verified header had its own nonce
        expect(t.recorder.nonces.length).toBe(requests.length)
        expect(new Set(t.recorder.nonces).size).toBe(t.recorder.nonces.length)
        expect(new Set(t.recorder.siwxHeaders).size).toBe(t.recorder.siwxHeaders.length)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ balanceUsd: 0, payments: { maxPerPaymentUsd: 10, budgetUsd: 20 } })
    it.scoped("after a 402 the retry signs in with the server's challenge (its nonce, once)", () =>
      Effect.gen(function*() {
        yield* Chat.completions(hello)
        // the chat's, the ledger read's (before paying), the retried chat's
        const first = t.recorder.nonces[0]
        const retry = t.recorder.nonces.at(-1)
        expect(first).toBeDefined()
        expect(retry).not.toBe(first)
        // the nonce of the retry is the 402's siwxChallenge nonce: 16 hex of the emulator's Random, not the 32 hex of ours
        // — check it the direct way: the challenge the 402 carried
        const headers = t.recorder.requests.filter((r) => r.url.endsWith("/chat/completions"))
        expect(headers).toHaveLength(2)
        const payload = yield* Siwx.decodeHeader(headers[1]!.headers["sign-in-with-x"]!)
        expect(payload.message).toContain(`Nonce: ${retry}`)
        expect(payload.message).toContain(`URI: ${(yield* VeniceEmulator).url("/chat/completions")}`) // the challenge's URI
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ balanceUsd: 5, payments: false, wallet: { domain: "evil.example" } })
    it.scoped("X402_SIGN_IN_* 401s are typed (VeniceCodedError with the code) and never retried", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const error = yield* Effect.flip(Chat.completions(hello))
        expect(error).toMatchObject({
          _tag: "VeniceCodedError",
          code: "X402_SIGN_IN_DOMAIN_MISMATCH",
          status: 401,
          attempt: 1
        })
        expect(yield* emu.count()).toBe(1)
      }).pipe(Effect.provide(t.layer)))
  }

  // Streams keep a request in flight at Venice until they end: 20 paced streams (12 chunks, 40 ms apart, real time)
  const streams = (n: number, retry?: typeof RetryPolicy.none) =>
    Effect.forEach(
      Array.from({ length: n }, () => hello),
      (r) => Effect.exit(Stream.runDrain(ChatStream.stream(r, retry !== undefined ? { retry } : {}))),
      { concurrency: "unbounded" }
    )
  {
    const t = walletLayer({
      balanceUsd: 5,
      payments: false,
      realTime: false,
      emulator: { stream: { pace: "40 millis" } }
    })
    it.scopedLive("X4: 20 concurrent wallet streams — at most 5 in flight, the emulator never answers X402_CONCURRENCY_LIMIT", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const store = yield* LimiterStore.LimiterStore
        const bucket = `inflight:wallet:${t.address.toLowerCase()}`
        let peak = 0
        const sampler = yield* Effect.fork(Effect.forever(Effect.zipRight(
          Effect.flatMap(
            store.slotsInUse(bucket, Date.now()),
            (n) => Effect.sync(() => void (peak = Math.max(peak, n)))
          ),
          Effect.sleep("5 millis")
        )))
        const exits = yield* streams(20)
        yield* Fiber.interrupt(sampler)
        expect(exits.every(Exit.isSuccess)).toBe(true)
        expect(yield* emu.count({ status: 429 })).toBe(0)
        expect(yield* emu.count({ status: 200 })).toBe(20)
        expect(peak).toBe(5)
        expect(yield* store.slotsInUse(bucket, Date.now())).toBe(0) // every slot given back
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({
      balanceUsd: 5,
      payments: false,
      realTime: false,
      wallet: { maxInFlight: false },
      emulator: { stream: { pace: "40 millis" } }
    })
    it.scopedLive("X4 control: without the client's limit the same load collects X402_CONCURRENCY_LIMIT", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const exits = yield* streams(20, RetryPolicy.none)
        const limited = exits.filter(Exit.isFailure)
        expect(limited.length).toBeGreaterThan(0)
        expect(
          limited.map((e) =>
            Exit.isFailure(e) && e.cause._tag === "Fail" ? (e.cause.error as { code?: string }).code : "?"
          )
        )
          .toContain("X402_CONCURRENCY_LIMIT")
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ balanceUsd: 5, payments: false, wallet: { maxInFlight: 2 } })
    it.scoped("X4 and streams: a stream keeps its slot until it is consumed (the request is in flight at Venice)", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "chat/completions" }, 2, Faults.streamStall(1))
        // two streams opened and held (first event read, then the server stalls)
        const held = yield* Effect.forEach(
          [1, 2],
          () => Effect.fork(Stream.runDrain(ChatStream.stream({ ...hello, model: MODEL })))
        )
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
        expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
        // a third call waits for a slot
        const third = yield* Effect.fork(Chat.completions(hello))
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 300)))
        yield* TestClock.adjust("1 second")
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 100)))
        expect(yield* emu.count({ route: "chat/completions" })).toBe(2)
        // ending one stream frees its slot
        yield* Fiber.interrupt(held[0]!)
        yield* TestClock.adjust("1 second")
        const result = yield* drive(Fiber.join(third))
        expect(Exit.isSuccess(result)).toBe(true)
        expect(yield* emu.count({ route: "chat/completions" })).toBe(3)
        yield* Fiber.interrupt(held[1]!)
      }).pipe(Effect.provide(t.layer)))
  }
})
