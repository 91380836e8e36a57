/**
 * The rate-limit and balance routes (`GET /api_keys/rate_limits`, `GET /billing/balance`) and the routes Venice
 * retired (`/billing/usage`, `/video/transcriptions`), which answer with the retirement message and headers.
 */
import * as Effect from "effect/Effect"
import type { RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import { round, V1 } from "./common.js"

const epochEnd = (now: number): string => {
  const d = new Date(now)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1)).toISOString()
}

const rateLimits: RouteSpec = {
  name: "api_keys/rate_limits",
  method: "GET",
  path: `${V1}/api_keys/rate_limits`,
  auth: "bearer",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const key = ctx.identity._tag === "key" ? ctx.identity.key : undefined
      const settings = ctx.env.settings.rateLimit
      return Reply.json(200, {
        data: {
          accessPermitted: key === undefined || key.balanceUsd + key.balanceDiem > 0,
          apiTier: { id: "paid", isCharged: true },
          balances: { USD: round(key?.balanceUsd ?? 0, 4), DIEM: round(key?.balanceDiem ?? 0, 4), BUNDLED_CREDITS: 0 },
          keyExpiration: null,
          nextEpochBegins: epochEnd(ctx.now),
          rateLimits: Catalog.catalog.map((m) => ({
            apiModelId: m.model.id,
            rateLimits: m.model.type === "video" || m.model.type === "music"
              ? []
              : [
                { type: "RPM", amount: settings.requestsPerWindow ?? m.rpm },
                { type: "TPM", amount: settings.tokensPerWindow ?? m.tpm }
              ]
          }))
        }
      })
    })
}

const billingBalance: RouteSpec = {
  name: "billing/balance",
  method: "GET",
  path: `${V1}/billing/balance`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const key = ctx.identity._tag === "key" ? ctx.identity.key : undefined
      const usd = key?.balanceUsd ?? 0
      const diem = key?.balanceDiem ?? 0
      return Reply.json(200, {
        canConsume: usd + diem >= 0.1,
        consumptionCurrency: diem > 0 ? "DIEM" : usd > 0 ? "USD" : null,
        balances: {
          diem: diem > 0 ? round(diem, 4) : null,
          usd: usd > 0 ? round(usd, 4) : null,
          bundledCredits: null,
          earnedCredits: null
        },
        diemEpochAllocation: key?.initialDiem ?? 0
      })
    })
}

const retired = (
  name: string,
  method: "GET" | "POST",
  message: string,
  headers: Record<string, string>
): RouteSpec => ({
  name,
  method,
  path: `${V1}/${name}`,
  auth: "none",
  body: "none",
  handle: (ctx) => Effect.sync(() => Errors.codeReply("ENDPOINT_RETIRED", ctx.errorEnv, { message, headers }))
})

const billingUsage = retired(
  "billing/usage",
  "GET",
  "GET /api/v1/billing/usage has been retired. Use GET /api/v1/billing/usage-history instead (page + limit → pageSize + nextCursor, startDate / endDate → startTimestamp / endTimestamp).",
  {
    Deprecation: "@1783555200",
    Sunset: "Wed, 16 Sep 2026 00:00:00 GMT",
    Link:
      "</api/v1/billing/usage-history>; rel=\"successor-version\", <https://docs.venice.ai/api-reference/endpoint/billing/usage-history>; rel=\"deprecation\"; type=\"text/html\""
  }
)

const videoTranscriptions = retired(
  "video/transcriptions",
  "POST",
  "POST /api/v1/video/transcriptions has been retired. Use POST /api/v1/chat/completions with a video_url content part on a model with supportsVideoInput.",
  {
    Deprecation: "true",
    Link: "</api/v1/chat/completions>; rel=\"successor-version\", </api/v1/models>; rel=\"describedby\""
  }
)

/** The keys and billing routes. */
export const billingRoutes: ReadonlyArray<RouteSpec> = [rateLimits, billingBalance, billingUsage, videoTranscriptions]
