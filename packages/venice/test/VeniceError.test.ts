import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as ErrorCatalog from "../src/ErrorCatalog.js"
import * as VeniceError from "../src/VeniceError.js"

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)
const json = (u: unknown) => JSON.stringify(u)
const decode = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  VeniceError.decode({ status, headers, body: typeof body === "string" ? body : json(body), nowMillis: NOW })

const base64 = (u: unknown) => Buffer.from(JSON.stringify(u)).toString("base64")

describe("VeniceError.decode — one shape each (design.md §1)", () => {
  it("E1 standard error, with correlation from headers and body", () => {
    const e = decode(401, { error: "Authentication failed", request_id: "req-body" }, {
      "CF-RAY": "8f0c-AMS",
      "x-venice-version": "20260821.193530"
    })
    expect(e).toBeInstanceOf(VeniceError.VeniceStandardError)
    expect(e).toMatchObject({
      _tag: "VeniceStandardError",
      status: 401,
      code: "AUTHENTICATION_FAILED",
      message: "Authentication failed",
      requestId: "req-body",
      cfRay: "8f0c-AMS",
      veniceVersion: "20260821.193530"
    })
    expect(VeniceError.retryClass(e)).toBe("never")
  })

  it("E1 keeps credits_refunded and hint", () => {
    const e = decode(500, {
      error: "Your generation was blocked due to the model provider's content policies. Credits have been refunded.",
      credits_refunded: true,
      hint: "try another model"
    })
    expect(e).toMatchObject({ _tag: "VeniceStandardError", creditsRefunded: true, hint: "try another model" })
    expect(e.code).toBe("UNKNOWN")
    expect(VeniceError.retryClass(e)).toBe("backoff")
  })

  it("E2 validation error with a Zod tree and issues, rendered as field lines", () => {
    const e = decode(400, {
      error: "Invalid request parameters",
      details: {
        _errors: [],
        type: { _errors: ["Invalid enum value. Expected 'asr' | 'decision', received 'bogus'"] },
        messages: { _errors: [], 0: { content: { _errors: ["Required"] } } }
      },
      issues: [{ code: "invalid_union", path: ["type"], message: "Invalid input", unionErrors: [] }]
    })
    expect(e._tag).toBe("VeniceValidationError")
    expect(e.code).toBe("INVALID_REQUEST")
    expect(VeniceError.renderFieldErrors(e)).toEqual([
      "type: Invalid enum value. Expected 'asr' | 'decision', received 'bogus'",
      "messages.0.content: Required",
      "type: Invalid input"
    ])
  })

  it("E2 with details as a plain string", () => {
    const e = decode(400, { error: "Invalid request", details: "width must be a multiple of 8" })
    expect(e).toMatchObject({
      _tag: "VeniceValidationError",
      code: "INVALID_REQUEST",
      details: "width must be a multiple of 8"
    })
    expect(VeniceError.renderFieldErrors(e)).toEqual(["width must be a multiple of 8"])
  })

  it("E3 OpenAI-style error matches on code, not message", () => {
    const e = decode(400, {
      error: {
        message: "provider wording differs",
        type: "invalid_request_error",
        param: "messages",
        code: "context_length_exceeded"
      }
    })
    expect(e).toMatchObject({
      _tag: "VeniceOpenAIError",
      code: "context_length_exceeded",
      type: "invalid_request_error",
      param: "messages"
    })
  })

  it("E4 content violation with and without suggested_prompt", () => {
    const withPrompt = decode(422, {
      error: "Content policy violation",
      suggested_prompt: "A calm instrumental track."
    })
    expect(withPrompt).toMatchObject({
      _tag: "VeniceContentViolationError",
      code: "CONTENT_POLICY_VIOLATION",
      suggestedPrompt: "A calm instrumental track."
    })
    expect(VeniceError.retryClass(withPrompt)).toBe("modify-then-retry")
    const without = decode(422, { error: "Your prompt violates the content policy of Venice.ai or the model provider" })
    expect(without._tag).toBe("VeniceContentViolationError")
    expect(VeniceError.retryClass(without)).toBe("never")
  })

  it("the docs' wording of MEDIA_NOT_FOUND infers it too", () => {
    expect(decode(404, { error: "Media could not be found. Request may be invalid, expired, or deleted." }).code)
      .toBe("MEDIA_NOT_FOUND")
  })

  it("other 422s stay standard errors", () => {
    const e = decode(422, { error: "Video duration is too short." })
    expect(e).toMatchObject({ _tag: "VeniceStandardError", code: "VIDEO_DURATION_TOO_SHORT" })
  })

  it("E5 provider content policy", () => {
    const e = decode(422, {
      error: {
        message:
          "The selected model provider rejected this request due to its content policies. Credits have been refunded. Try using wan-2.5 instead.",
        type: "provider_content_policy",
        credits_refunded: true,
        recommended_model: "wan-2.5"
      }
    })
    expect(e).toMatchObject({
      _tag: "VeniceProviderContentPolicyError",
      code: "PROVIDER_CONTENT_POLICY",
      creditsRefunded: true,
      recommendedModel: "wan-2.5"
    })
    expect(VeniceError.retryClass(e)).toBe("never")
  })

  it("E6 payload too large, by code and by status", () => {
    expect(decode(413, { code: "PAYLOAD_TOO_LARGE", error: "File exceeds the maximum allowed size of 25 MB." }))
      .toMatchObject({ _tag: "VenicePayloadTooLargeError", code: "PAYLOAD_TOO_LARGE" })
    expect(decode(413, { error: "Request body exceeds the maximum allowed size." }))
      .toMatchObject({ _tag: "VenicePayloadTooLargeError", code: "PAYLOAD_TOO_LARGE" })
  })

  const accept = {
    scheme: "exact",
    network: "eip155:8453",
    amount: "10000000",
    asset: "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913",
    payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
    maxTimeoutSeconds: 300,
    extra: { name: "USD Coin", version: "2" }
  }
  const siwx = {
    info: {
      domain: "api.venice.ai",
      uri: "https://api.venice.ai",
      version: "1",
      nonce: "3f2a91c4d80b7e15",
      issuedAt: "2026-11-22T12:00:00.000Z",
      expirationTime: "2026-11-22T12:05:00.000Z",
      statement: "Sign in to Venice AI"
    },
    supportedChains: [{ chainId: "eip155:8453", type: "eip191" }]
  }
  const paymentRequired = {
    x402Version: 2,
    error: "Payment required",
    resource: {
      url: "https://api.venice.ai/api/v1/chat/completions",
      description: "Venice API",
      mimeType: "application/json"
    },
    accepts: [accept],
    extensions: { "sign-in-with-x": siwx }
  }

  it("E7a x402 discovery, with the PAYMENT-REQUIRED header decoded", () => {
    const e = decode(402, {
      ...paymentRequired,
      error: "Authentication required",
      accepts: [accept, { scheme: "exact", network: "solana", "…": "…" }],
      authOptions: {
        apiKey: { header: "Authorization: Bearer YOUR_API_KEY", getKey: "https://venice.ai/settings/api" },
        x402Wallet: { header: "SIGN-IN-WITH-X", legacyHeader: "X-Sign-In-With-X", topUp: "POST /api/v1/x402/top-up" }
      }
    }, { "PAYMENT-REQUIRED": base64(paymentRequired) })
    expect(e._tag).toBe("VeniceX402DiscoveryError")
    if (e._tag !== "VeniceX402DiscoveryError") return
    expect(e.code).toBe("AUTHENTICATION_REQUIRED")
    expect(e.body.accepts).toHaveLength(1) // the malformed entry is dropped, the rest kept
    expect(e.body.signInWithX?.info.nonce).toBe("3f2a91c4d80b7e15")
    expect(e.body.authOptions?.x402Wallet?.header).toBe("SIGN-IN-WITH-X")
    expect(e.paymentRequired?.accepts[0]?.payTo).toBe(accept.payTo)
    expect(VeniceError.retryClass(e)).toBe("never")
  })

  it("E7b wallet below the minimum balance is pay-then-retry", () => {
    const e = decode(402, {
      error: "Payment required",
      code: "PAYMENT_REQUIRED",
      reason: "insufficient_balance",
      currentBalanceUsd: 0.04,
      minimumBalanceUsd: 0.1,
      description: "Venice API",
      suggestedTopUpUsd: 10,
      minimumTopUpUsd: 5,
      supportedTokens: ["USDC"],
      supportedChains: ["base", "solana"],
      topUpInstructions: {
        step1: "POST /api/v1/x402/top-up with no payment header to get payment requirements",
        receiverWallet: accept.payTo,
        tokenAddress: accept.asset,
        tokenDecimals: 6,
        network: "eip155:8453",
        minimumAmountUsd: 5
      },
      siwxChallenge: siwx
    }, { "payment-required": base64(paymentRequired) })
    expect(e._tag).toBe("VenicePaymentRequiredError")
    if (e._tag !== "VenicePaymentRequiredError") return
    expect(e.code).toBe("PAYMENT_REQUIRED")
    expect(e.body).toMatchObject({ suggestedTopUpUsd: 10, minimumTopUpUsd: 5, currentBalanceUsd: 0.04 })
    expect(e.body.topUpInstructions?.tokenDecimals).toBe(6)
    expect(e.body.siwxChallenge?.supportedChains[0]?.type).toBe("eip191")
    expect(e.paymentRequired?.x402Version).toBe(2)
    expect(VeniceError.retryClass(e)).toBe("pay-then-retry")
  })

  it("a Bearer-key 402 is a standard error that is never paid", () => {
    const e = decode(402, { error: ErrorCatalog.entry("INSUFFICIENT_BALANCE").message })
    expect(e).toMatchObject({ _tag: "VeniceStandardError", code: "INSUFFICIENT_BALANCE" })
    expect(VeniceError.retryClass(e)).toBe("never")
  })

  it("E8 coded errors, both body forms", () => {
    expect(decode(401, { error: "Sign-in-with-X nonce has already been used", code: "X402_SIGN_IN_NONCE_REUSED" }))
      .toMatchObject({ _tag: "VeniceCodedError", code: "X402_SIGN_IN_NONCE_REUSED" })
    expect(decode(429, { error: "Too many concurrent requests", code: "X402_CONCURRENCY_LIMIT" }))
      .toMatchObject({ _tag: "VeniceCodedError", code: "X402_CONCURRENCY_LIMIT" })
    const topUp = decode(400, {
      error: "X402_INVALID_PAYMENT",
      message: "Invalid payment header",
      details: { reason: "signature_mismatch" }
    })
    expect(topUp).toMatchObject({
      _tag: "VeniceCodedError",
      code: "INVALID_PAYMENT",
      message: "Invalid payment header",
      details: { reason: "signature_mismatch" }
    })
    const unknown = decode(400, { error: "BRAND_NEW_CODE", message: "something new" })
    expect(unknown).toMatchObject({ _tag: "VeniceCodedError", code: "UNKNOWN", reportedCode: "BRAND_NEW_CODE" })
    expect(decode(409, { error: "PAYMENT_IN_PROGRESS", message: "settling" })).toMatchObject({
      code: "PAYMENT_IN_PROGRESS"
    })
  })

  it("E9 consent required", () => {
    const e = decode(409, {
      error: { code: "needs_consent", message: "This model requires consent" },
      consent_flow: "seedance",
      face_media_roles: ["image", "reference_video"],
      consent: { consent_version: "2026-09", policy_text: "By continuing…" },
      docs_url: "https://docs.venice.ai/guides/media/video-generation"
    })
    expect(e).toMatchObject({
      _tag: "VeniceConsentRequiredError",
      code: "needs_consent",
      consentFlow: "seedance",
      faceMediaRoles: ["image", "reference_video"],
      consentVersion: "2026-09",
      policyText: "By continuing…"
    })
  })

  it("E10 non-JSON bodies keep status, raw text and header facts", () => {
    const html = decode(502, "<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>", {
      "cf-ray": "abc-LHR"
    })
    expect(html).toMatchObject({ _tag: "VeniceUnrecognizedError", bodyKind: "html", status: 502, cfRay: "abc-LHR" })
    expect(html.message).toContain("502 Bad Gateway")
    expect(VeniceError.retryClass(html)).toBe("backoff")
    expect(decode(500, "")).toMatchObject({ bodyKind: "empty" })
    expect(decode(500, "{\"error\": \"Inference proc")).toMatchObject({
      bodyKind: "truncated-json",
      raw: "{\"error\": \"Inference proc"
    })
    expect(decode(404, "404 page not found")).toMatchObject({ bodyKind: "text", message: "404 page not found" })
    expect(decode(429, "Rate limit exceeded")).toMatchObject({ bodyKind: "text", code: "RATE_LIMIT_EXCEEDED" })
    expect(decode(500, [1, 2, 3])).toMatchObject({ bodyKind: "unexpected-json" })
    expect(decode(500, { message: "no error field" })).toMatchObject({
      bodyKind: "unexpected-json",
      message: "no error field"
    })
  })

  it("a __proto__ key in a body neither throws nor pollutes prototypes", () => {
    const e = decode(
      400,
      "{\"error\":\"Invalid request parameters\",\"details\":{\"_errors\":[],\"__proto__\":{\"_errors\":[\"bad\"],\"polluted\":{\"_errors\":[\"x\"]}},\"ok\":{\"_errors\":[\"fine\"]}}}"
    )
    expect(e._tag).toBe("VeniceValidationError")
    expect(VeniceError.renderFieldErrors(e)).toContain("ok: fine")
    expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    expect(Object.getPrototypeOf({})).toBe(Object.prototype)
  })

  it("raw text is bounded to 64 KiB", () => {
    const e = decode(500, "x".repeat(200_000))
    expect(e.raw.length).toBeLessThan(64 * 1024 + 100)
  })
})

describe("VeniceError.decode — header facts (design.md §3)", () => {
  it("Retry-After as seconds and as HTTP-date, and a body retry_after", () => {
    expect(
      decode(429, { error: "The model is currently overloaded. Please try again later." }, { "retry-after": "30" })
        .retryAfter
    )
      .toEqual(Duration.seconds(30))
    const date = new Date(NOW + 5000).toUTCString()
    expect(decode(503, { error: "x" }, { "Retry-After": date }).retryAfter).toEqual(Duration.millis(5000))
    expect(
      decode(429, { error: { message: "overloaded", type: "server_error", code: "model_overloaded", retry_after: 7 } })
        .retryAfter
    )
      .toEqual(Duration.seconds(7))
  })

  it("garbage Retry-After is ignored and reported", () => {
    for (const garbage of ["-5", "soon", "NaN", "1e400", "99999999999", "30, 30"]) {
      const decoded = VeniceError.decodeResponse({
        status: 429,
        headers: { "retry-after": garbage },
        body: "{}",
        nowMillis: NOW
      })
      expect(decoded.error.retryAfter, garbage).toBeUndefined()
      expect(decoded.ignoredHeaders.map((h) => h.name), garbage).toContain("retry-after")
    }
  })

  it("the three rate-limit families are read by exact name and unit", () => {
    const e = decode(429, { error: "Rate limit exceeded" }, {
      "x-ratelimit-limit-requests": "50",
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": String(NOW + 20_000), // Unix ms
      "x-ratelimit-remaining": "47",
      "x-ratelimit-resets": String(NOW + 30_000), // error budget, Unix ms
      "X-Rate-Limit-Advisory": "yes"
    })
    expect(e.rateLimit?.requests?.remaining).toBe(0)
    expect(e.rateLimit?.requests?.resetUnit).toBe("unix-ms")
    expect(e.rateLimit?.errorBudget?.remaining).toBe(47)
    expect(e.rateLimit?.rpc).toBeUndefined()
    expect(e.rateLimit?.advisory).toEqual({ "x-rate-limit-advisory": "yes" })
  })

  it("crypto RPC's X-RateLimit-* reset is Unix seconds", () => {
    const e = VeniceError.decode({
      status: 429,
      headers: {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(NOW / 1000 + 60)
      },
      body: json({ error: "Rate limit exceeded" }),
      nowMillis: NOW,
      request: { route: "crypto-rpc" }
    })
    expect(e.rateLimit?.rpc).toMatchObject({ limit: 100, remaining: 0, resetUnit: "unix-s" })
    expect(e.rateLimit?.errorBudget).toBeUndefined()
  })

  it("the crypto-RPC credit cap announces its rolling 24 h window (or the reset it names), never a backoff", () => {
    const cap = VeniceError.decode({
      status: 429,
      headers: {},
      body: json({ error: "Rate limit exceeded: 10000000 credits per rolling 24 hours" }),
      nowMillis: NOW,
      request: { route: "crypto-rpc" }
    })
    expect(cap.code).toBe("RPC_CREDIT_LIMIT_EXCEEDED")
    expect(cap.retryAfterFrom).toBe("rpc credit window (24 h)")
    expect(Duration.toHours(cap.retryAfter!)).toBe(24)
    // a per-minute reset beside it is not the credit window's; a Retry-After is
    const minuteHeaders = VeniceError.decode({
      status: 429,
      headers: {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(NOW / 1000 + 60)
      },
      body: json({ error: "Daily credit limit exceeded" }),
      nowMillis: NOW,
      request: { route: "crypto-rpc" }
    })
    expect(Duration.toHours(minuteHeaders.retryAfter!)).toBe(24)
    const named = VeniceError.decode({
      status: 429,
      headers: { "Retry-After": String(5 * 3600) },
      body: json({ error: "Daily credit limit exceeded" }),
      nowMillis: NOW,
      request: { route: "crypto-rpc" }
    })
    expect(named.retryAfterFrom).toBe("retry-after")
    expect(Duration.toHours(named.retryAfter!)).toBe(5)
    // the per-minute cap keeps its own reset
    const minute = VeniceError.decode({
      status: 429,
      headers: {
        "X-RateLimit-Limit": "100",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": String(NOW / 1000 + 60)
      },
      body: json({ error: "Rate limit exceeded: 100 requests per minute" }),
      nowMillis: NOW,
      request: { route: "crypto-rpc" }
    })
    expect(minute.code).toBe("RATE_LIMIT_EXCEEDED")
    expect(Duration.toSeconds(minute.retryAfter!)).toBe(60)
  })

  it("a 410 keeps its Deprecation, Sunset and Link headers on the error", () => {
    const e = decode(410, {
      error: "GET /api/v1/billing/usage has been retired. Use GET /api/v1/billing/usage-history"
    }, {
      Deprecation: "@1783555200",
      Sunset: "Wed, 16 Sep 2026 00:00:00 GMT",
      Link: "</api/v1/billing/usage-history>; rel=\"successor-version\""
    })
    expect(e.code).toBe("ENDPOINT_RETIRED")
    expect(e.deprecation).toMatchObject({
      deprecation: "@1783555200",
      sunset: "Wed, 16 Sep 2026 00:00:00 GMT",
      link: "</api/v1/billing/usage-history>; rel=\"successor-version\""
    })
    expect(VeniceError.retryClass(e)).toBe("never")
    expect(decode(400, { error: "Invalid request" }).deprecation).toBeUndefined()
  })

  it("a malformed PAYMENT-REQUIRED header is ignored, never fatal", () => {
    const decoded = VeniceError.decodeResponse({
      status: 402,
      headers: { "payment-required": "%%%not-base64" },
      body: json({ x402Version: 2, accepts: [] }),
      nowMillis: NOW
    })
    expect(decoded.error._tag).toBe("VeniceX402DiscoveryError")
    expect(decoded.ignoredHeaders.map((h) => h.name)).toContain("payment-required")
  })

  it("request context is kept without secrets", () => {
    const e = VeniceError.decode({
      status: 500,
      headers: [["X-Request-ID", "rq-1"]],
      body: json({ error: "Inference processing failed" }),
      request: {
        method: "POST",
        url: "https://user:pw@api.venice.ai/api/v1/chat/completions?api_key=sk-123&x=1",
        attempt: 2,
        correlationId: "c-1"
      }
    })
    expect(e).toMatchObject({
      requestId: "rq-1",
      method: "POST",
      attempt: 2,
      correlationId: "c-1",
      code: "INFERENCE_FAILED"
    })
    expect(e.url).toBe("https://api.venice.ai/api/v1/chat/completions?api_key=<redacted>&x=1")
    expect(String(e)).not.toContain("sk-123")
  })
})

describe("VeniceError helpers", () => {
  it.effect("catchCode recovers by code whatever the shape, other errors pass", () =>
    Effect.gen(function*() {
      const offline = decode(503, { error: "The model is temporarily offline. Please try again later." })
      const recovered = yield* Effect.fail(offline).pipe(
        VeniceError.catchCode(["MODEL_OFFLINE", "MODEL_AT_CAPACITY"], (e) => Effect.succeed(`fallback after ${e.code}`))
      )
      expect(recovered).toBe("fallback after MODEL_OFFLINE")
      const auth = decode(401, { error: "Authentication failed" })
      const passed = yield* Effect.fail(auth).pipe(
        VeniceError.catchCode("MODEL_OFFLINE", () => Effect.succeed("no")),
        Effect.flip
      )
      expect(passed).toBe(auth)
    }))

  it("log level and remedy come from the catalog (C4, C5)", () => {
    expect(VeniceError.logLevel(decode(500, { error: "Inference processing failed" }))).toBe("error")
    expect(VeniceError.logLevel(decode(401, { error: "Authentication failed" }))).toBe("-")
    expect(VeniceError.remedy(decode(404, { error: "Specified model not found: x" }))).toContain("GET /models")
  })
})

// ─── Totality (property test, ≥ 10,000 cases) ───────────────────────────────────────────────────

const interestingKeys = [
  "error",
  "code",
  "message",
  "details",
  "issues",
  "suggested_prompt",
  "credits_refunded",
  "request_id",
  "hint",
  "retry_after",
  "x402Version",
  "accepts",
  "resource",
  "extensions",
  "authOptions",
  "reason",
  "suggestedTopUpUsd",
  "minimumTopUpUsd",
  "supportedTokens",
  "supportedChains",
  "topUpInstructions",
  "siwxChallenge",
  "consent_flow",
  "face_media_roles",
  "consent",
  "docs_url",
  "type",
  "_errors",
  "path",
  "__proto__",
  "constructor"
]
const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(
      null,
      true,
      false,
      0,
      -1,
      1.5,
      402,
      NaN,
      "",
      "PAYMENT_REQUIRED",
      "needs_consent",
      "provider_content_policy"
    ),
    fc.string(),
    fc.double(),
    fc.constantFrom(...ErrorCatalog.codes),
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.constantFrom(...interestingKeys), fc.string()), tie("v"), { maxKeys: 6 })
  )
})).v
const jsonBody = fc.dictionary(fc.constantFrom(...interestingKeys), value, { maxKeys: 8 }).map((o) => {
  try {
    return JSON.stringify(o)
  } catch {
    return "{}"
  }
})
const body = fc.oneof(
  jsonBody,
  fc.string(),
  fc.uint8Array({ maxLength: 256 }),
  jsonBody.chain((s) => fc.nat({ max: Math.max(0, s.length) }).map((n) => s.slice(0, n)))
)
const headerNames = [
  "retry-after",
  "x-ratelimit-limit-requests",
  "x-ratelimit-remaining-requests",
  "x-ratelimit-reset-requests",
  "x-ratelimit-remaining",
  "x-ratelimit-resets",
  "X-RateLimit-Limit",
  "X-RateLimit-Reset",
  "payment-required",
  "x-request-id",
  "cf-ray",
  "x-venice-version",
  "x-venice-balance-usd",
  "x-venice-is-content-violation",
  "content-type",
  "x-rate-limit-foo",
  "deprecation",
  "idempotent-replayed",
  "__proto__"
]
const headerValue = fc.oneof(
  fc.string(),
  fc.integer().map(String),
  fc.double().map(String),
  fc.date({ noInvalidDate: false }).map((d) => {
    try {
      return d.toUTCString()
    } catch {
      return "Invalid"
    }
  })
)
const headers = fc.dictionary(
  fc.oneof(fc.constantFrom(...headerNames), fc.string()),
  fc.oneof(headerValue, fc.array(headerValue, { maxLength: 3 })),
  { maxKeys: 8 }
)

// 10,000 cases, in ten tests of 1,000: each run is synchronous, so vitest can only judge it against its timeout
// afterwards, and one run of 10,000 took longer than that on a loaded machine
const CHUNKS = 10
const RUNS_PER_CHUNK = process.env["STRYKER_MUTATOR_WORKER"] !== undefined ? 50 : 1_000

describe("VeniceError.decode is total (property)", () => {
  for (let chunk = 1; chunk <= CHUNKS; chunk++) {
    it(`any status, headers and body give exactly one tagged error (${chunk}/${CHUNKS})`, () => {
      fc.assert(
        fc.property(fc.integer({ min: 100, max: 599 }), headers, body, (status, hs, b) => {
          const decoded = VeniceError.decodeResponse({ status, headers: hs, body: b, nowMillis: NOW })
          const e = decoded.error
          expect(VeniceError.classes.filter((C) => e instanceof C)).toHaveLength(1)
          expect(e.status).toBe(status)
          expect(typeof e.message).toBe("string")
          expect(["never", "backoff", "header-wait", "pay-then-retry", "modify-then-retry"]).toContain(
            VeniceError.retryClass(e)
          )
          expect(e.raw.length).toBeLessThanOrEqual(64 * 1024 + 64)
        }),
        // fewer under mutation testing (`npm run mutate`), where every mutant of the decoder reruns it
        { numRuns: RUNS_PER_CHUNK }
      )
    })
  }
})
