import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as ResponseMeta from "../src/ResponseMeta.js"

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)
const decode = (headers: Record<string, string>, route?: "crypto-rpc") =>
  ResponseMeta.decode(headers, { nowMillis: NOW, route })

describe("ResponseMeta (H1–H9)", () => {
  it("keeps correlation ids (H6) and balances, flags, deprecation (H9)", () => {
    const { value, ignored } = decode({
      "x-request-id": "rq",
      "cf-ray": "ray-AMS",
      "x-venice-version": "20260821.193530",
      "x-venice-balance-usd": "12.50",
      "x-venice-balance-diem": "3",
      "x-balance-remaining": "4.230000",
      "x-venice-is-content-violation": "false",
      "x-venice-is-blurred": "TRUE",
      "x-venice-deprecated": "true",
      "x-venice-deprecated-replacement": "zai-org-glm-5-2",
      "sunset": "Wed, 16 Sep 2026 00:00:00 GMT",
      "idempotent-replayed": "true",
      "x-venice-rpc-credits": "20",
      "x-venice-rpc-cost-usd": "0.00001400"
    })
    expect(ignored).toEqual([])
    expect(value).toMatchObject({
      requestId: "rq",
      cfRay: "ray-AMS",
      veniceVersion: "20260821.193530",
      balanceUsd: 12.5,
      balanceDiem: 3,
      balanceRemainingUsd: 4.23,
      contentViolation: false,
      blurred: true,
      idempotentReplayed: true,
      rpcCredits: 20,
      rpcCostUsd: 0.000014
    })
    expect(value.deprecation).toMatchObject({ deprecated: true, replacement: "zai-org-glm-5-2" })
  })

  it("H3 and H4 share names case-insensitively; plural resets and route decide", () => {
    const budget =
      decode({ "x-ratelimit-remaining": "12", "x-ratelimit-resets": String(NOW + 30_000) }).value.rateLimits
    expect(budget.errorBudget).toMatchObject({ remaining: 12, resetUnit: "unix-ms" })
    expect(budget.rpc).toBeUndefined()

    const bare = decode({ "x-ratelimit-remaining": "3" }).value.rateLimits
    expect(bare.errorBudget?.remaining).toBe(3)

    const rpc =
      decode({ "x-ratelimit-limit": "100", "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(NOW / 1000 + 30) })
        .value.rateLimits
    expect(rpc.rpc).toMatchObject({ limit: 100, remaining: 0, resetUnit: "unix-s" })
    expect(rpc.errorBudget).toBeUndefined()

    const onRoute = decode({ "x-ratelimit-remaining": "5" }, "crypto-rpc").value.rateLimits
    expect(onRoute.rpc?.remaining).toBe(5)
    expect(onRoute.errorBudget).toBeUndefined()
  })

  it("garbage values are ignored and reported, the rest kept", () => {
    const { value, ignored } = decode({
      "retry-after": "tomorrow",
      "x-venice-balance-usd": "lots",
      "x-venice-is-content-violation": "maybe",
      "x-ratelimit-remaining-requests": "-3",
      "x-ratelimit-limit-requests": "60"
    })
    expect(value.retryAfter).toBeUndefined()
    expect(value.balanceUsd).toBeUndefined()
    expect(value.rateLimits.requests?.limit).toBe(60)
    expect(ignored.map((i) => i.name).sort()).toEqual([
      "retry-after",
      "x-ratelimit-remaining-requests",
      "x-venice-balance-usd",
      "x-venice-is-content-violation"
    ])
  })

  it("Retry-After resolves against now", () => {
    expect(decode({ "retry-after": "Sun, 22 Nov 2026 12:00:03 GMT" }).value.retryAfter).toEqual(Duration.seconds(3))
  })
})
