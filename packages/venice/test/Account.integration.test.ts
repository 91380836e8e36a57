/**
 * Keys, the rate-limit log, web3 keys and billing over loopback HTTP against the emulator: success, the ADMIN-key
 * rule (an INFERENCE key gets a typed, never-retried 401 with its remedy), local validation, paging, retry classes.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import { privateKeyToAccount } from "viem/accounts"
import * as ApiKeys from "../src/ApiKeys.js"
import * as Billing from "../src/Billing.js"
import * as Characters from "../src/Characters.js"
import * as Chat from "../src/Chat.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import type * as VeniceClient from "../src/VeniceClient.js"
import * as VeniceError from "../src/VeniceError.js"
import { drive, failureOf, KEY, layer } from "./support.js"

const INFERENCE_KEY = "inference-key-0123456789"
const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
const inferenceClient = layer({ keys: [KEY, { key: INFERENCE_KEY, type: "INFERENCE" }] }, {
  apiKey: Redacted.make(INFERENCE_KEY)
})

describe("API keys against the emulator", () => {
  it.scoped("create → list → get → update → remove; the secret is Redacted, shown once", () =>
    Effect.gen(function*() {
      const created = yield* ApiKeys.create({
        apiKeyType: "INFERENCE",
        description: "backend",
        consumptionLimit: { usd: 5 },
        limitPeriod: "MONTH",
        modelPrivacy: "PRIVATE_ONLY",
        expiresAt: "2030-01-01"
      })
      const secret = created.data.apiKey
      expect(Redacted.isRedacted(secret)).toBe(true)
      expect(String(secret)).not.toContain("VENICE_")
      expect(JSON.stringify(created)).not.toContain(Redacted.value(secret))
      expect(Redacted.value(secret)).toMatch(/^VENICE_INFERENCE_KEY_/)
      expect(created.data).toMatchObject({
        limitPeriod: "MONTH",
        modelPrivacy: "PRIVATE_ONLY",
        expiresAt: "2030-01-01T00:00:00.000Z"
      })

      const listed = yield* ApiKeys.list()
      const mine = listed.data.find((k) => k.id === created.data.id)
      expect(mine).toMatchObject({ description: "backend", last6Chars: Redacted.value(secret).slice(-6) })
      expect(mine?.currentPeriodUsage).toEqual({ usd: "0.0000", diem: "0.0000" })

      const updated = yield* ApiKeys.update({
        id: created.data.id,
        description: "renamed",
        consumptionLimit: { usd: null }
      })
      expect(updated.data).toMatchObject({ description: "renamed", consumptionLimits: { usd: null } })
      expect((yield* ApiKeys.get(created.data.id)).data.description).toBe("renamed")

      expect((yield* ApiKeys.remove(created.data.id)).success).toBe(true)
      const gone = failureOf(yield* Effect.exit(ApiKeys.get(created.data.id)))
      expect(gone).toMatchObject({ _tag: "VeniceStandardError", status: 400 })
      expect(VeniceError.retryClass(gone as VeniceError.VeniceError)).toBe("never")
    }).pipe(Effect.provide(layer())))

  it.scoped("a create body Venice would refuse is refused locally (description over 64, unknown field)", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const long = failureOf(yield* Effect.exit(ApiKeys.create({ apiKeyType: "ADMIN", description: "x".repeat(65) })))
      expect(long).toMatchObject({ _tag: "RequestValidationError" })
      const unknown = failureOf(
        yield* Effect.exit(ApiKeys.create({ apiKeyType: "ADMIN", description: "x", vcu: 1 } as never))
      )
      expect(unknown).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count()).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("an INFERENCE key on a management route: ADMIN_API_KEY_REQUIRED, with its remedy, sent once", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const calls: ReadonlyArray<Effect.Effect<unknown, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient>> = [
        ApiKeys.list(),
        ApiKeys.rateLimitLog(),
        Billing.usageHistory(),
        Billing.usageAnalytics()
      ]
      for (const call of calls) {
        const error = failureOf(yield* drive(call))
        expect(error).toMatchObject({ _tag: "VeniceStandardError", status: 401, code: "ADMIN_API_KEY_REQUIRED" })
        expect(VeniceError.remedy(error as VeniceError.VeniceError)).toMatch(/ADMIN key/)
      }
      expect(yield* emu.count()).toBe(4)
      // the calling key's own limits work with any key
      expect((yield* ApiKeys.rateLimits()).data.accessPermitted).toBe(true)
    }).pipe(Effect.provide(inferenceClient)))

  it.scoped("the rate-limit log lists a breach of the request window", () =>
    Effect.gen(function*() {
      yield* Chat.completions(hello)
      const second = yield* Effect.exit(Chat.completions(hello, { retry: RetryPolicy.none }))
      expect(Exit.isFailure(second)).toBe(true)
      const log = yield* ApiKeys.rateLimitLog()
      expect(log.data[0]).toMatchObject({ modelId: "venice-uncensored", rateLimitType: "RPM" })
    }).pipe(Effect.provide(layer({ rateLimit: { requestsPerWindow: 1 } }, { pacing: false }))))

  it.scoped("web3 keys: a wallet signs the token and gets a key; a wrong signature is a 400, never retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d")
      const minted = yield* ApiKeys.mintWeb3Key(account, { apiKeyType: "INFERENCE" })
      expect(minted.data.description).toBe("Web3 API Key")
      expect(Redacted.value(minted.data.apiKey)).toMatch(/^VENICE_INFERENCE_KEY_/)
      const { data: { token } } = yield* ApiKeys.web3Token()
      const other = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a")
      const signature = yield* Effect.promise(() => other.signMessage({ message: token }))
      const error = failureOf(
        yield* drive(ApiKeys.generateWeb3Key({ apiKeyType: "INFERENCE", address: account.address, signature, token }))
      )
      expect(error).toMatchObject({ status: 400, message: "Signature does not match the wallet address" })
      expect(yield* emu.count({ route: "api_keys/generate_web3_key" })).toBe(2)
    }).pipe(Effect.provide(layer())))
})

describe("Billing against the emulator", () => {
  it.scoped("usage history: keyset pages walked by the stream; a cursor with a filter is refused locally", () =>
    Effect.gen(function*() {
      for (let i = 0; i < 25; i++) yield* Chat.completions(hello)
      const pages = Chunk.toReadonlyArray(yield* Stream.runCollect(Billing.usageHistoryPages({ pageSize: 10 })))
      expect(pages.map((p) => p.data.length)).toEqual([10, 10, 5])
      expect(pages[2]!.nextCursor).toBeNull()
      expect(pages[0]!.data[0]).toMatchObject({ currency: "USD", notes: "API Inference" })
      expect(pages[0]!.data[0]!.amount).toBeLessThan(0)
      const mixed = failureOf(
        yield* Effect.exit(Billing.usageHistory({ cursor: pages[0]!.nextCursor!, pageSize: 10 } as never))
      )
      expect(mixed).toMatchObject({ _tag: "RequestValidationError" })
      const csv = yield* Billing.usageHistoryCsv({ pageSize: 10 })
      expect(csv.csv.split("\n")[0]).toBe(
        "timestamp,sku,pricePerUnitUsd,units,amount,currency,notes,inferenceDetails.requestId,inferenceDetails.inferenceExecutionTime,inferenceDetails.promptTokens,inferenceDetails.completionTokens"
      )
      expect(csv.nextCursor).toBe(pages[0]!.nextCursor)
    }).pipe(Effect.provide(layer())))

  it.scoped("usage analytics: a zero-filled day per lookback day; a range over 90 days is refused locally", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* Chat.completions(hello)
      const week = yield* Billing.usageAnalytics({ lookback: "7d" })
      expect(week.byDate).toHaveLength(7)
      expect(week.byModel[0]).toMatchObject({ modelName: "venice-uncensored" })
      expect(week.topKeyNames).toHaveLength(1)
      const clamped = yield* Billing.usageAnalytics({ lookback: "400d" })
      expect(clamped.lookback).toBe("90d")
      const range = failureOf(
        yield* Effect.exit(Billing.usageAnalytics({ startDate: "2026-01-01", endDate: "2026-06-01" }))
      )
      expect(range).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count({ route: "billing/usage-analytics" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("a 504 from analytics is retried with backoff", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "billing/usage-analytics" }, 1, Faults.error("REQUEST_TIMEOUT"))
      expect(Exit.isSuccess(yield* drive(Billing.usageAnalytics()))).toBe(true)
      expect((yield* emu.requests).map((r) => r.status)).toEqual([504, 200])
    }).pipe(Effect.provide(layer())))

  it.scoped("a 410 carries Deprecation and Link on the error, and is never retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "characters" }, 3, Faults.error("ENDPOINT_RETIRED"))
      const error = failureOf(yield* drive(Characters.list()))
      expect(error).toMatchObject({ status: 410, code: "ENDPOINT_RETIRED" })
      expect((error as VeniceError.VeniceError).deprecation).toMatchObject({
        deprecation: "true",
        link: "</api/v1/chat/completions>; rel=\"successor-version\""
      })
      expect(yield* emu.count({ route: "characters" })).toBe(1)
    }).pipe(Effect.provide(layer())))
})
