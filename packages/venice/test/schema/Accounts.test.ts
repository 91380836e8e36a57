/** `ApiKeys`, `Billing` and `X402Api`: the account and wallet read endpoints. */
import { describe, expect, it } from "@effect/vitest"
import * as ApiKeys from "@venice-effect/venice/schema/ApiKeys"
import * as Billing from "@venice-effect/venice/schema/Billing"
import * as X402Api from "@venice-effect/venice/schema/X402Api"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

describe("ApiKeys.RateLimitsResponse", () => {
  it.effect("decodes the skills' example (with BUNDLED_CREDITS, empty limits of a video model)", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(ApiKeys.RateLimitsResponse)({
        data: {
          accessPermitted: true,
          apiTier: { id: "paid", isCharged: true },
          balances: { USD: 50.23, DIEM: 100.023, BUNDLED_CREDITS: 25 },
          keyExpiration: null,
          nextEpochBegins: "2026-04-21T00:00:00.000Z",
          rateLimits: [
            {
              apiModelId: "zai-org-glm-5-1",
              rateLimits: [{ type: "RPM", amount: 100 }, { type: "TPM", amount: 2000000 }]
            },
            { apiModelId: "wan-2.6-text-to-video", rateLimits: [] }
          ]
        }
      })
      expect(response.data.balances.BUNDLED_CREDITS).toBe(25)
    }))

  it.effect("is strict on accessPermitted", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(ApiKeys.RateLimitsResponse, {
        data: {
          apiTier: { id: "paid", isCharged: true },
          balances: {},
          keyExpiration: null,
          nextEpochBegins: "",
          rateLimits: []
        }
      })
      expect(paths(issues)).toEqual(["data.accessPermitted"])
    }))
})

describe("Billing.BillingBalance", () => {
  it.effect("decodes the skills' example (bundledCredits / earnedCredits are not in the spec)", () =>
    Effect.gen(function*() {
      const balance = yield* Schema.decodeUnknown(Billing.BillingBalance)({
        canConsume: true,
        consumptionCurrency: "DIEM",
        balances: { diem: 90.5, usd: 25, bundledCredits: 10, earnedCredits: null },
        diemEpochAllocation: 100
      })
      expect(balance.balances.bundledCredits).toBe(10)
      const empty = yield* Schema.decodeUnknown(Billing.BillingBalance)({
        canConsume: false,
        consumptionCurrency: null,
        balances: { diem: null, usd: null },
        diemEpochAllocation: 0
      })
      expect(empty.consumptionCurrency).toBeNull()
    }))
})

describe("X402Api", () => {
  it.effect("wallet addresses: EVM and Solana accepted, anything else rejected", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(X402Api.WalletAddress)("0x833589fcd6edb6e08f4c7c32d4f71b54bda02913")
      yield* Schema.decodeUnknown(X402Api.WalletAddress)("8qUL23aSj7mDWdoLMXGHFvnVCT9wd7jXcysiekroADEL")
      expect(paths(yield* decodeIssues(X402Api.WalletAddress, "0xYOUR_WALLET_ADDRESS"))).toEqual([""])
      expect(paths(yield* decodeIssues(X402Api.WalletAddress, "0x123"))).toEqual([""])
    }))

  it.effect("transactions query: limit 1–100, offset ≥ 0", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(X402Api.TransactionsParams)({ limit: 50, offset: 0 })
      const issues = yield* decodeIssues(X402Api.TransactionsParams, { limit: 0, offset: -1 })
      expect(paths(issues)).toEqual(expect.arrayContaining(["limit", "offset"]))
      expect(paths(yield* decodeIssues(X402Api.TransactionsParams, { limit: 101 }))).toEqual(["limit"])
    }))

  it.effect("decodes the skills' top-up, balance and transactions examples", () =>
    Effect.gen(function*() {
      const topUp = yield* Schema.decodeUnknown(X402Api.TopUpResponse)({
        success: true,
        data: { walletAddress: "0xabc", amountCredited: 10, newBalance: 22.5, paymentId: "x402-5b1f" }
      })
      expect(topUp.data.newBalance).toBe(22.5)
      const balance = yield* Schema.decodeUnknown(X402Api.X402Balance)({
        success: true,
        data: {
          walletAddress: "0xabc",
          balanceUsd: 12.5,
          canConsume: true,
          minimumTopUpUsd: 5,
          suggestedTopUpUsd: 10,
          diemBalanceUsd: 5.25
        }
      })
      expect(balance.data.diemBalanceUsd).toBe(5.25)
      const transactions = yield* Schema.decodeUnknown(X402Api.X402Transactions)({
        success: true,
        data: {
          walletAddress: "0xabc",
          currentBalance: 12.35,
          transactions: [
            {
              id: "7c1f",
              amount: -0.15,
              balanceAfter: 12.35,
              type: "CHARGE",
              createdAt: "2026-04-03T12:34:56.000Z",
              requestId: "chatcmpl-1",
              modelId: "zai-org-glm-5-1"
            },
            {
              id: "2a9d",
              amount: 10,
              balanceAfter: 12.5,
              type: "TOP_UP",
              createdAt: "2026-04-03T12:00:00.000Z",
              requestId: null,
              modelId: null
            }
          ],
          pagination: { limit: 50, offset: 0, hasMore: false }
        }
      })
      expect(transactions.data.transactions.map((t) => t.type)).toEqual(["CHARGE", "TOP_UP"])
    }))

  it.effect("a top-up 200 must say success: true", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(X402Api.TopUpResponse, {
        success: false,
        data: { walletAddress: "0xabc", amountCredited: 10, newBalance: 22.5, paymentId: "p" }
      })
      expect(paths(issues)).toEqual(["success"])
    }))
})
