/**
 * Tests written from the surviving mutants of `VeniceError.ts` (docs/testing.md "Mutation testing"): what a caller
 * sees of a decoded error — its shape, code, message, announced wait and its source, the rendered field lines, the
 * retry class, log level and remedy — for the bodies and headers at the edges of each decoding rule.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as ErrorCatalog from "../src/ErrorCatalog.js"
import * as VeniceError from "../src/VeniceError.js"

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)
const decode = (
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
  request?: VeniceError.RequestContext
) =>
  VeniceError.decode({
    status,
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
    nowMillis: NOW,
    ...(request !== undefined ? { request } : {})
  })

/** A Zod `format()` tree nested `depth` fields deep, each level with one message. */
const nested = (depth: number): Record<string, unknown> =>
  depth === 0 ? { _errors: ["leaf"] } : { _errors: [`at ${depth}`], f: nested(depth - 1) }

describe("VeniceError mutation pins: validation details (E2)", () => {
  it("a details tree keeps only object fields and string messages", () => {
    // pins: non-object leaves are skipped, non-string messages filtered, `_errors` never a field of its own
    const e = decode(400, {
      error: "Invalid request parameters",
      details: {
        _errors: ["top", 5, null],
        code: "too_small",
        count: 3,
        width: { _errors: ["must be a multiple of 8"] },
        height: { _errors: { _errors: ["not a field"] } }
      }
    })
    expect(e._tag).toBe("VeniceValidationError")
    if (e._tag !== "VeniceValidationError") return
    expect(e.details).toEqual({
      errors: ["top"],
      fields: { width: { errors: ["must be a multiple of 8"], fields: {} }, height: { errors: [], fields: {} } }
    })
    expect(VeniceError.renderFieldErrors(e)).toEqual(["(root): top", "width: must be a multiple of 8"])
  })

  it("a details tree is read 32 levels deep and no deeper", () => {
    // pins: the depth bound (MAX_TREE_DEPTH 32, inclusive), counted downwards from the root
    const e = decode(400, { error: "Invalid request parameters", details: nested(40) })
    const lines = VeniceError.renderFieldErrors(e)
    expect(lines).toHaveLength(33) // the root and 32 nested levels
    expect(lines.at(-1)).toBe(`${Array.from({ length: 32 }, () => "f").join(".")}: at 8`)
  })

  it("a details object that is not a Zod tree is dropped; the issues still render", () => {
    // pins: only an object with `_errors` is a tree; an error without details renders its issues alone
    const e = decode(400, {
      error: "Invalid request parameters",
      details: { reason: "bad" },
      issues: [{ path: ["model"], message: "Required" }]
    })
    expect(e._tag).toBe("VeniceValidationError")
    if (e._tag !== "VeniceValidationError") return
    expect(e.details).toBeUndefined()
    expect(VeniceError.renderFieldErrors(e)).toEqual(["model: Required"])
  })

  it("an issue without a path is rendered at the root, and a line the tree already gave is not repeated", () => {
    // pins: the issue path default ([]) rendered as "(root)", and the de-duplication of rendered lines
    const e = decode(400, {
      error: "Invalid request parameters",
      details: { _errors: [], type: { _errors: ["Invalid input"] } },
      issues: [{ message: "Body is not an object" }, { path: ["type"], message: "Invalid input" }]
    })
    expect(VeniceError.renderFieldErrors(e)).toEqual(["type: Invalid input", "(root): Body is not an object"])
  })

  it("malformed issues are dropped, not a failure", () => {
    // pins: an `issues` list that does not decode gives no issues
    const e = decode(400, { error: "Invalid request", details: "width", issues: "oops" })
    expect(e._tag).toBe("VeniceValidationError")
    if (e._tag !== "VeniceValidationError") return
    expect(e.issues).toEqual([])
    expect(VeniceError.renderFieldErrors(e)).toEqual(["width"])
  })

  it("details: null or a code beside the details is not a validation error", () => {
    // pins: E2 needs non-null details and no `code` field
    expect(decode(400, { error: "Bad thing happened", details: null })._tag).toBe("VeniceStandardError")
    expect(decode(400, { error: "Upload rejected", code: "FILE_TOO_LARGE", details: { max: 25 } })).toMatchObject({
      _tag: "VeniceCodedError",
      code: "FILE_TOO_LARGE",
      details: { max: 25 }
    })
  })

  it("other shapes render no field lines", () => {
    // pins: renderFieldErrors is empty for every shape but E2
    expect(VeniceError.renderFieldErrors(decode(401, { error: "Authentication failed" }))).toEqual([])
  })

  it("FieldErrorsFromZodFormat encodes a tree back to Zod's format", () => {
    // pins: the schema's encode direction (`_errors` per node, one key per field)
    const tree = { errors: ["top"], fields: { a: { errors: ["x"], fields: { b: { errors: [], fields: {} } } } } }
    expect(Schema.encodeSync(VeniceError.FieldErrorsFromZodFormat)(tree)).toEqual({
      _errors: ["top"],
      a: { _errors: ["x"], b: { _errors: [] } }
    })
    expect(Schema.decodeUnknownSync(VeniceError.FieldErrorsFromZodFormat)({ _errors: ["top"] })).toEqual({
      errors: ["top"],
      fields: {}
    })
    expect(() => Schema.decodeUnknownSync(VeniceError.FieldErrorsFromZodFormat)({ a: { _errors: [] } })).toThrow()
  })
})

describe("VeniceError mutation pins: the announced wait (R3)", () => {
  const reset = (ms: number) => String(NOW + ms)

  it("a body retry_after counts from 0 s to 7 days; anything else is ignored", () => {
    // pins: the bounds of a body `retry_after` (number, finite, ≥ 0, ≤ 7 × 24 × 3600)
    const wait = (retryAfter: unknown) => decode(500, { error: "Inference processing failed", retry_after: retryAfter })
    expect(wait(0)).toMatchObject({ retryAfter: Duration.zero, retryAfterFrom: "body retry_after" })
    expect(wait(7 * 24 * 3600).retryAfter).toEqual(Duration.days(7))
    expect(wait(3600).retryAfter).toEqual(Duration.hours(1))
    for (const ignored of [7 * 24 * 3600 + 1, -1, "7", null, true]) {
      expect(wait(ignored).retryAfter, JSON.stringify(ignored)).toBeUndefined()
    }
    expect(decode(500, "{\"error\":\"Inference processing failed\",\"retry_after\":1e400}").retryAfter).toBeUndefined()
  })

  it("a limit's reset is a wait on a 429 only", () => {
    // pins: no wait is derived from rate-limit headers on another status
    const headers = { "x-ratelimit-remaining-requests": "0", "x-ratelimit-reset-requests": reset(20_000) }
    expect(decode(503, { error: "The model is at capacity. Please try again later." }, headers).retryAfter)
      .toBeUndefined()
    expect(decode(429, { error: "Rate limit exceeded" }, headers)).toMatchObject({
      retryAfter: Duration.seconds(20),
      retryAfterFrom: "x-ratelimit-reset-requests"
    })
  })

  it("the error-budget lockouts wait for the budget's reset, not the request window's", () => {
    // pins: FAILED_REQUESTS and UNSUPPORTED_FEATURE_REQUESTS read `x-ratelimit-resets`
    const headers = {
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": reset(20_000),
      "x-ratelimit-remaining": "0",
      "x-ratelimit-resets": reset(45_000)
    }
    for (const code of ["FAILED_REQUESTS", "UNSUPPORTED_FEATURE_REQUESTS"] as const) {
      const e = decode(429, { error: ErrorCatalog.entry(code).message }, headers)
      expect(e.code).toBe(code)
      expect(e, code).toMatchObject({ retryAfter: Duration.seconds(45), retryAfterFrom: "x-ratelimit-resets" })
    }
    // another 429 beside the same headers waits for its own window
    expect(decode(429, { error: "Rate limit exceeded" }, headers).retryAfterFrom).toBe("x-ratelimit-reset-requests")
  })

  it("on crypto RPC the RPC window's reset wins over a request window's", () => {
    // pins: the crypto-RPC route reads the `X-RateLimit-Reset` family first
    const headers = {
      "x-ratelimit-remaining-requests": "0",
      "x-ratelimit-reset-requests": reset(20_000),
      "X-RateLimit-Limit": "100",
      "X-RateLimit-Remaining": "0",
      "X-RateLimit-Reset": String(NOW / 1000 + 60)
    }
    expect(decode(429, { error: "Rate limit exceeded" }, headers, { route: "crypto-rpc" })).toMatchObject({
      retryAfter: Duration.seconds(60),
      retryAfterFrom: "x-ratelimit-reset"
    })
    expect(decode(429, { error: "Rate limit exceeded" }, headers, { route: "other" })).toMatchObject({
      retryAfter: Duration.seconds(20),
      retryAfterFrom: "x-ratelimit-reset-requests"
    })
  })

  it("the exhausted window names the wait; with none exhausted, requests, then tokens, then the RPC window", () => {
    // pins: the order in which a 429's windows are read
    const requests = (remaining: number, ms: number) => ({
      "x-ratelimit-remaining-requests": String(remaining),
      "x-ratelimit-reset-requests": reset(ms)
    })
    const tokens = (remaining: number, ms: number) => ({
      "x-ratelimit-remaining-tokens": String(remaining),
      "x-ratelimit-reset-tokens": reset(ms)
    })
    const from = (headers: Record<string, string>) => {
      const e = decode(429, { error: "Rate limit exceeded" }, headers)
      return [e.retryAfterFrom, e.retryAfter === undefined ? undefined : Duration.toSeconds(e.retryAfter)]
    }
    expect(from({ ...requests(0, 10_000), ...tokens(0, 30_000) })).toEqual(["x-ratelimit-reset-requests", 10])
    expect(from({ ...requests(5, 10_000), ...tokens(0, 30_000) })).toEqual(["x-ratelimit-reset-tokens", 30])
    expect(from({ ...requests(5, 10_000), ...tokens(9, 30_000) })).toEqual(["x-ratelimit-reset-requests", 10])
    expect(from(tokens(9, 30_000))).toEqual(["x-ratelimit-reset-tokens", 30])
    expect(from({ "X-RateLimit-Limit": "100", "X-RateLimit-Reset": String(NOW / 1000 + 50) }))
      .toEqual(["x-ratelimit-reset", 50])
    expect(from({})).toEqual([undefined, undefined])
  })
})

describe("VeniceError mutation pins: which shape a body is", () => {
  it("an empty string is no message: the body is not a Venice error document", () => {
    // pins: empty strings count as absent fields
    expect(decode(500, { error: "" })).toMatchObject({
      _tag: "VeniceUnrecognizedError",
      bodyKind: "unexpected-json",
      message: "HTTP 500 with an unrecognised JSON body"
    })
  })

  it("JSON that is not an object is unexpected JSON", () => {
    // pins: a scalar JSON body never reaches the field reads
    for (const body of ["42", "\"Internal error\"", "null", "[{\"error\":\"x\"}]"]) {
      expect(decode(500, body), body).toMatchObject({ _tag: "VeniceUnrecognizedError", bodyKind: "unexpected-json" })
    }
  })

  it("a text body's message is its first line, trimmed; a blank first line is no message", () => {
    // pins: the first-line rule of plain-text bodies (`\r?\n`, trimmed, empty → described)
    expect(decode(502, "  upstream timed out  \nat line 2").message).toBe("upstream timed out")
    expect(decode(502, "upstream reset\r\nat line 2").message).toBe("upstream reset")
    expect(decode(502, "\nupstream reset")).toMatchObject({
      bodyKind: "text",
      message: "HTTP 502 with a non-JSON body"
    })
  })

  it("a text/html content type makes any body an HTML page", () => {
    // pins: the response's content-type reaches the body classifier
    expect(decode(502, "Bad gateway", { "content-type": "text/html; charset=utf-8" })).toMatchObject({
      _tag: "VeniceUnrecognizedError",
      bodyKind: "html"
    })
    expect(decode(502, "Bad gateway", { "content-type": "text/plain" })).toMatchObject({ bodyKind: "text" })
  })

  it("a coded body without a message takes the catalog's message", () => {
    // pins: the message of a known code falls back to its catalog row
    expect(decode(429, { code: "X402_CONCURRENCY_LIMIT" })).toMatchObject({
      _tag: "VeniceCodedError",
      code: "X402_CONCURRENCY_LIMIT",
      message: ErrorCatalog.entry("X402_CONCURRENCY_LIMIT").message
    })
  })

  it("a coded body keeps its own message; `message` is read only when `error` is the code", () => {
    // pins: E8's message choice between `error` and `message`
    expect(decode(429, { error: "Slow down, wallet", code: "X402_CONCURRENCY_LIMIT", message: "other" }).message)
      .toBe("Slow down, wallet")
    expect(decode(429, { code: "X402_CONCURRENCY_LIMIT", message: "from message" }).message).toBe("from message")
    expect(decode(400, { error: "PAYMENT_HEADER_NOT_ACCEPTED" })).not.toHaveProperty("details")
  })

  it("an x402 body that does not decode as discovery is read as a standard error", () => {
    // pins: E7a needs a decodable discovery body; its code is never reported as an unknown one
    const e = decode(402, { x402Version: 2, accepts: "bogus", error: "Authentication required" })
    expect(e).toMatchObject({ _tag: "VeniceStandardError", code: "AUTHENTICATION_REQUIRED" })
    const discovery = decode(402, { x402Version: 2, accepts: [], error: "Authentication required" })
    expect(discovery._tag).toBe("VeniceX402DiscoveryError")
    expect(discovery).not.toHaveProperty("reportedCode")
    expect(discovery).not.toHaveProperty("paymentRequired")
  })

  it("a PAYMENT_REQUIRED body prefers `message`, needs its lists, and works without the header", () => {
    // pins: E7b's message order, its body check, and an absent PAYMENT-REQUIRED header
    const body = {
      error: "Payment required",
      message: "Wallet balance below the minimum",
      code: "PAYMENT_REQUIRED",
      supportedTokens: ["USDC"],
      supportedChains: ["base"]
    }
    const e = decode(402, body)
    expect(e).toMatchObject({ _tag: "VenicePaymentRequiredError", message: "Wallet balance below the minimum" })
    expect(e).not.toHaveProperty("paymentRequired")
    // a body whose lists are not lists is no E7b body: a coded error that is never paid
    const coded = decode(402, { ...body, supportedTokens: "USDC" })
    expect(coded).toMatchObject({ _tag: "VeniceCodedError", code: "PAYMENT_REQUIRED" })
    expect(VeniceError.retryClass(coded)).toBe("never")
  })

  it("a 413 is too large only with an error text and no other code", () => {
    // pins: E6's status rule
    expect(decode(413, { message: "too big" })).toMatchObject({ _tag: "VeniceUnrecognizedError", message: "too big" })
    expect(decode(413, { error: "Upload rejected", code: "FILE_TOO_LARGE" })).toMatchObject({
      _tag: "VeniceCodedError",
      code: "FILE_TOO_LARGE"
    })
  })

  it("content violation needs a 422 with an error text and no code, then a suggested prompt or the catalog message", () => {
    // pins: E4's conditions
    expect(decode(400, { error: "Nope", suggested_prompt: "calm" })._tag).toBe("VeniceStandardError")
    expect(decode(422, { suggested_prompt: "calm" })._tag).toBe("VeniceUnrecognizedError")
    expect(decode(422, { error: "Nope", code: "IMAGE_TOO_LARGE", suggested_prompt: "calm" })._tag)
      .toBe("VeniceCodedError")
    const suggested = decode(422, { error: "Nope", suggested_prompt: "calm" })
    expect(suggested).toMatchObject({ _tag: "VeniceContentViolationError", suggestedPrompt: "calm" })
    expect(VeniceError.retryClass(suggested)).toBe("modify-then-retry")
    const coded = decode(422, { error: "Your prompt was refused", code: "CONTENT_POLICY_VIOLATION" })
    expect(coded).toMatchObject({ _tag: "VeniceCodedError", code: "CONTENT_POLICY_VIOLATION" })
    expect(VeniceError.retryClass(coded)).toBe("never")
  })

  it("consent fields that do not decode are left out, never a failure", () => {
    // pins: E9 with a malformed or partial consent body
    const malformed = decode(409, {
      error: { code: "needs_consent", message: "consent needed" },
      face_media_roles: "image",
      consent_flow: "seedance"
    })
    expect(malformed).toMatchObject({ _tag: "VeniceConsentRequiredError", faceMediaRoles: [] })
    expect(malformed).not.toHaveProperty("consentFlow")
    const partial = decode(409, {
      error: { code: "needs_consent", message: "consent needed" },
      consent_flow: "seedance",
      docs_url: "https://docs.venice.ai"
    })
    expect(partial).toMatchObject({ faceMediaRoles: [], consentFlow: "seedance", docsUrl: "https://docs.venice.ai" })
    expect(partial).not.toHaveProperty("consentVersion")
    expect(partial).not.toHaveProperty("policyText")
  })

  it("OpenAI-style nulls are absent fields; a provider refusal without a code is PROVIDER_CONTENT_POLICY", () => {
    // pins: null → absent, and E5's default code
    const openai = decode(400, { error: { message: "bad", type: null, param: null, code: null } })
    expect(openai._tag).toBe("VeniceOpenAIError")
    expect(openai).not.toHaveProperty("type")
    expect(openai).not.toHaveProperty("param")
    const provider = decode(422, { error: { message: "The provider refused", type: "provider_content_policy" } })
    expect(provider).toMatchObject({ _tag: "VeniceProviderContentPolicyError", code: "PROVIDER_CONTENT_POLICY" })
    expect(provider).not.toHaveProperty("reportedCode")
    expect(decode(422, { error: { message: "Refused", type: "provider_content_policy", code: "NEW_PROVIDER_CODE" } }))
      .toMatchObject({ code: "UNKNOWN", reportedCode: "NEW_PROVIDER_CODE" })
  })
})

describe("VeniceError mutation pins: retry class, log level, remedy", () => {
  it("a catalogued code's class comes from the catalog, not from the status", () => {
    // pins: retryClass reads the catalog row for known codes
    expect(VeniceError.retryClass(decode(504, { error: "SETTLEMENT_TIMEOUT", message: "unknown outcome" })))
      .toBe("never")
    expect(VeniceError.retryClass(decode(409, { error: "PAYMENT_IN_PROGRESS", message: "settling" }))).toBe("backoff")
  })

  it("an unnamed error's class comes from its status, and a 408 is final", () => {
    // pins: the UNKNOWN branch of retryClass and its 408 exception
    expect(VeniceError.retryClass(decode(408, { error: "Request Timeout" }))).toBe("never")
    expect(VeniceError.retryClass(decode(502, { error: "Bad gateway" }))).toBe("backoff")
    expect(VeniceError.retryClass(decode(429, { error: "Slow down" }))).toBe("header-wait")
  })

  it("log level: the catalog's for a known code; error from 500 up for an unnamed one", () => {
    // pins: logLevel's branches and its 500 boundary
    expect(VeniceError.logLevel(decode(503, { error: "The model is temporarily offline. Please try again later." })))
      .toBe("-")
    expect(VeniceError.logLevel(decode(402, { error: "SETTLEMENT_FAILED", message: "reverted" }))).toBe("warn")
    expect(VeniceError.logLevel(decode(500, { error: "nope" }))).toBe("error")
    expect(VeniceError.logLevel(decode(503, { error: "nope" }))).toBe("error")
    expect(VeniceError.logLevel(decode(499, { error: "nope" }))).toBe("-")
  })

  it("remedy: the catalog's for a known code; a server-side or a client-side one for an unnamed error", () => {
    // pins: remedy's branches and its 500 boundary
    expect(VeniceError.remedy(decode(402, { error: "SETTLEMENT_FAILED", message: "reverted" })))
      .toBe(ErrorCatalog.entry("SETTLEMENT_FAILED").remedy)
    const server = VeniceError.remedy(decode(500, { error: "nope" }))
    const client = VeniceError.remedy(decode(499, { error: "nope" }))
    expect(server).toContain("retried with backoff")
    expect(client).toContain("raw body")
    expect(VeniceError.remedy(decode(503, { error: "nope" }))).toBe(server)
  })
})

describe("VeniceError mutation pins: guards and combinators", () => {
  const offline = decode(503, { error: "The model is temporarily offline. Please try again later." })

  it("isVeniceError is true for the decoded shapes only", () => {
    // pins: the guard's three checks (an object, a string tag, one of ours)
    expect(VeniceError.isVeniceError(offline)).toBe(true)
    for (const other of [null, undefined, 42, {}, { _tag: "TransportError" }, { _tag: 7 }]) {
      expect(VeniceError.isVeniceError(other), JSON.stringify(other)).toBe(false)
    }
  })

  it("hasCode narrows by any of the codes given, for Venice errors only", () => {
    // pins: hasCode (some, not every; Venice errors only)
    expect(VeniceError.hasCode(offline, "MODEL_OFFLINE")).toBe(true)
    expect(VeniceError.hasCode(offline, "MODEL_AT_CAPACITY", "MODEL_OFFLINE")).toBe(true)
    expect(VeniceError.hasCode(offline, "MODEL_AT_CAPACITY")).toBe(false)
    expect(VeniceError.hasCode({ _tag: "Other", code: "MODEL_OFFLINE" }, "MODEL_OFFLINE")).toBe(false)
  })

  it.effect("catchCode with a single code recovers that code", () =>
    // pins: a single code (not an array) is one code, not its characters
    Effect.gen(function*() {
      const recovered = yield* Effect.fail(offline).pipe(
        VeniceError.catchCode("MODEL_OFFLINE", (e) => Effect.succeed(`recovered ${e.code}`))
      )
      expect(recovered).toBe("recovered MODEL_OFFLINE")
    }))
})

describe("VeniceError mutation pins: what the first run left", () => {
  it("an `error` object that is no error document is unexpected JSON", () => {
    // pins: an object-valued `error` without a string `message` (neither E3, E5 nor E9)
    for (const error of [{ type: "server_error" }, { message: 42, code: "x" }]) {
      expect(decode(500, { error }), JSON.stringify(error)).toMatchObject({
        _tag: "VeniceUnrecognizedError",
        bodyKind: "unexpected-json",
        message: "HTTP 500 with an unrecognised JSON body"
      })
    }
  })

  it("FieldErrorsFromZodFormat says why a value is no Zod tree", () => {
    // pins: the schema's own failure (not a later type mismatch) with its message
    const result = Schema.decodeUnknownEither(VeniceError.FieldErrorsFromZodFormat)({ reason: "bad" })
    expect(result._tag).toBe("Left")
    if (result._tag === "Left") expect(result.left.message).toContain("not a Zod format() tree")
  })
})
