import { describe, expect, it } from "@effect/vitest"
import * as ErrorBody from "@venice-effect/core/ErrorBody"
import * as RetryClass from "@venice-effect/core/RetryClass"
import * as ErrorCatalog from "@venice-effect/novita/ErrorCatalog"
import * as NovitaError from "@venice-effect/novita/NovitaError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as fc from "effect/FastCheck"
import * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"

const routes: Record<ErrorCatalog.NovitaErrorGroup, string> = {
  media: "/v3/async/txt2img",
  llm: "https://api.novita.ai/openai/v1/chat/completions",
  billing: "/openapi/v1/billing/bill/list"
}

const json = (value: unknown): string => JSON.stringify(value)

const expectApi = (error: NovitaError.NovitaError): NovitaError.NovitaApiError => {
  if (error._tag !== "NovitaApiError") throw new Error(`expected NovitaApiError, got ${error._tag}: ${error.message}`)
  return error
}

const expectUnrecognized = (error: NovitaError.NovitaError): NovitaError.NovitaUnrecognizedError => {
  if (error._tag !== "NovitaUnrecognizedError") {
    throw new Error(`expected NovitaUnrecognizedError, got ${error._tag}: ${error.message}`)
  }
  return error
}

describe("NovitaError.decode", () => {
  describe("every catalog row", () => {
    for (const row of ErrorCatalog.entries) {
      it(`${row.group}/${row.code} (${row.status})`, () => {
        const body = json({ code: row.status, reason: row.code, message: `msg ${row.code}`, metadata: { a: 1 } })
        const error = expectApi(
          NovitaError.decode({ status: row.status, headers: {}, body, route: routes[row.group] })
        )
        expect(error).toBeInstanceOf(NovitaError.NovitaApiError)
        expect(error.code).toBe(row.code)
        expect(error.group).toBe(row.group)
        expect(error.reason).toBe(row.code)
        expect(error.status).toBe(row.status)
        expect(error.bodyCode).toBe(row.status)
        expect(error.message).toBe(`msg ${row.code}`)
        expect(error.metadata).toEqual({ a: 1 })
        expect(error.raw).toBe(body)
        expect(NovitaError.entry(error)).toEqual(Option.some(row))
        expect(NovitaError.retryClass(error)).toBe(row.retryClass)
        expect(NovitaError.isRetryable(error)).toBe(row.retryClass !== "never")
        expect(NovitaError.catalogLogLevel(error)).toBe(row.logLevel)
        expect(NovitaError.hasCode(error, row.code)).toBe(true)

        // without a route hint: the only row of a single-group code, the first row of a shared one
        const bare = expectApi(
          NovitaError.decode({ status: row.status, headers: {}, body: new TextEncoder().encode(body) })
        )
        expect(bare.code).toBe(row.code)
        expect(bare.group).toBe(ErrorCatalog.byCode(row.code)[0]!.group)
      })
    }
  })

  describe("reason first, status second (N2)", () => {
    it("the same condition under two names: BILLING_BALANCE_NOT_ENOUGH 400 vs NOT_ENOUGH_BALANCE 403", () => {
      const media = expectApi(
        NovitaError.decode({
          status: 400,
          headers: {},
          body: json({ code: 400, reason: "BILLING_BALANCE_NOT_ENOUGH", message: "balance not enough" })
        })
      )
      const llm = expectApi(
        NovitaError.decode({
          status: 403,
          headers: {},
          body: json({ code: 403, reason: "NOT_ENOUGH_BALANCE", message: "not enough balance", metadata: {} })
        })
      )
      expect([media.code, media.group]).toEqual(["BILLING_BALANCE_NOT_ENOUGH", "media"])
      expect([llm.code, llm.group]).toEqual(["NOT_ENOUGH_BALANCE", "llm"])
      expect(NovitaError.isRetryable(media)).toBe(false)
      expect(NovitaError.isRetryable(llm)).toBe(false)
      expect(Option.map(NovitaError.entry(media), (row) => row.description)).toEqual(
        Option.map(NovitaError.entry(llm), (row) => row.description)
      )
    })

    it("a 403 is not a balance error unless the reason says so", () => {
      const error = expectApi(
        NovitaError.decode({
          status: 403,
          headers: {},
          body: json({ code: 403, reason: "ACCESS_DENY", message: "no" })
        })
      )
      expect(error.code).toBe("ACCESS_DENY")
    })

    it("the reason wins over a status that does not match the catalog", () => {
      const error = expectApi(
        NovitaError.decode({ status: 500, headers: {}, body: json({ code: 500, reason: "TASK_NOT_FOUND" }) })
      )
      expect(error.code).toBe("TASK_NOT_FOUND")
      expect(error.status).toBe(500)
      expect(NovitaError.retryClass(error)).toBe("never")
    })

    it("a shared code picks the route's group: INVALID_API_KEY on an LLM route is the LLM row", () => {
      const body = json({ code: 403, reason: "INVALID_API_KEY", message: "" })
      const llm = expectApi(NovitaError.decode({ status: 403, headers: {}, body, route: "/openai/v1/models" }))
      expect(llm.group).toBe("llm")
      expect(llm.message).toBe("No API key provided") // empty message → the catalog's English description
      const media = expectApi(
        NovitaError.decode({
          status: 403,
          headers: {},
          body,
          request: { method: "POST", url: "https://api.novita.ai/v3/async/txt2img", attempt: 2 }
        })
      )
      expect(media.group).toBe("media")
      expect([media.method, media.url, media.attempt]).toEqual([
        "POST",
        "https://api.novita.ai/v3/async/txt2img",
        2
      ])
      const byRequestUrl = expectApi(
        NovitaError.decode({
          status: 403,
          headers: {},
          body,
          request: { method: "GET", url: "https://api.novita.ai/openai/v1/models" }
        })
      )
      expect(byRequestUrl.group).toBe("llm")
    })

    it("an uncatalogued reason keeps the raw reason, code UNKNOWN, no group, and retries by status", () => {
      const teapot = expectApi(
        NovitaError.decode({ status: 418, headers: {}, body: json({ code: 418, reason: "I_AM_A_TEAPOT" }) })
      )
      expect([teapot.code, teapot.reason, teapot.group]).toEqual(["UNKNOWN", "I_AM_A_TEAPOT", undefined])
      expect(NovitaError.entry(teapot)).toEqual(Option.none())
      expect(NovitaError.retryClass(teapot)).toBe("never")
      expect(NovitaError.catalogLogLevel(teapot)).toBe("warn")
      expect(teapot.message).toBe("HTTP 418: I_AM_A_TEAPOT")

      const busy = expectApi(
        NovitaError.decode({ status: 502, headers: {}, body: json({ code: 502, reason: "UPSTREAM_BUSY" }) })
      )
      expect(NovitaError.retryClass(busy)).toBe("backoff")
      expect(NovitaError.catalogLogLevel(busy)).toBe("error")

      const limited = expectApi(NovitaError.decode({ status: 429, headers: {}, body: json({ reason: "SLOW_DOWN" }) }))
      expect(NovitaError.retryClass(limited)).toBe("backoff")
    })

    it("the billing table's own UNKNOWN code is catalogued (group billing)", () => {
      const error = expectApi(
        NovitaError.decode({ status: 500, headers: {}, body: json({ code: 500, reason: "UNKNOWN", message: "?" }) })
      )
      expect([error.code, error.group]).toEqual(["UNKNOWN", "billing"])
      expect(NovitaError.retryClass(error)).toBe("backoff")
    })

    it("reads the body leniently: a string code, a non-object metadata, a non-string message", () => {
      const error = expectApi(
        NovitaError.decode({
          status: 400,
          headers: {},
          body: json({ code: "400", reason: "ILLEGAL_PROMPT", message: 42, metadata: [1, 2] })
        })
      )
      expect(error.code).toBe("ILLEGAL_PROMPT")
      expect(error.bodyCode).toBeUndefined()
      expect(error.metadata).toEqual({})
      expect(error.message).toBe("The prompt contains inappropriate content")
    })

    it("a `__proto__` key in metadata stays data", () => {
      const error = expectApi(
        NovitaError.decode({
          status: 400,
          headers: {},
          body:
            `{"code":400,"reason":"INVALID_REQUEST_BODY","message":"bad","metadata":{"__proto__":{"polluted":true}}}`
        })
      )
      expect(error.code).toBe("INVALID_REQUEST_BODY")
      expect(Object.getPrototypeOf(error.metadata)).toBe(Object.prototype)
      expect(Object.keys(error.metadata)).toEqual(["__proto__"])
      expect(error.metadata["polluted"]).toBeUndefined()
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined()
    })
  })

  describe("headers", () => {
    it("keeps the request id (case-insensitive, multi-valued) and the content type", () => {
      const error = NovitaError.decode({
        status: 502,
        headers: { "X-Request-Id": ["req-1", "req-2"], "Content-Type": "text/html; charset=utf-8" },
        body: "Bad gateway"
      })
      expect(error.requestId).toBe("req-1")
      expect(expectUnrecognized(error)).toMatchObject({ bodyKind: "html", contentType: "text/html; charset=utf-8" })
    })

    it("falls back to a request_id in the body", () => {
      const error = NovitaError.decode({
        status: 400,
        headers: {},
        body: json({ code: 400, reason: "MISSING_API_KEY", request_id: "body-id" })
      })
      expect(error.requestId).toBe("body-id")
    })

    it("a Retry-After from something in front is kept; an uncatalogued 429 then waits on it", () => {
      const error = expectUnrecognized(
        NovitaError.decode({ status: 429, headers: { "retry-after": "7" }, body: "Too Many Requests" })
      )
      expect(error.retryAfter).toEqual(Duration.seconds(7))
      expect(NovitaError.retryClass(error)).toBe("header-wait")
      const dated = NovitaError.decode({
        status: 503,
        headers: { "Retry-After": "Wed, 21 Oct 2015 07:28:10 GMT" },
        body: "",
        nowMillis: Date.parse("Wed, 21 Oct 2015 07:28:00 GMT")
      })
      expect(dated.retryAfter).toEqual(Duration.seconds(10))
      const garbage = NovitaError.decode({ status: 429, headers: { "retry-after": "-1" }, body: "" })
      expect(garbage.retryAfter).toBeUndefined()
      expect(NovitaError.retryClass(garbage)).toBe("backoff")
    })

    it("a catalogued 429 backs off even with a Retry-After (the catalog decides)", () => {
      const error = NovitaError.decode({
        status: 429,
        headers: { "retry-after": "3" },
        body: json({ code: 429, reason: "TOKEN_LIMIT_EXCEEDED", message: "slow down" })
      })
      expect(error.retryAfter).toEqual(Duration.seconds(3))
      expect(NovitaError.retryClass(error)).toBe("backoff")
    })
  })

  describe("non-JSON bodies", () => {
    it("plain `404 page not found` is a missing route: never retried, logged as an error", () => {
      for (
        const body of ["404 page not found", "404 page not found\n", new TextEncoder().encode("404 page not found")]
      ) {
        const error = NovitaError.decode({
          status: 404,
          headers: { "content-type": "text/plain; charset=utf-8" },
          body,
          request: { method: "GET", url: "https://api.novita.ai/v3/nope", attempt: 1 }
        })
        expect(error).toBeInstanceOf(NovitaError.NovitaNotFoundRouteError)
        expect(error.status).toBe(404)
        expect(error.message).toBe("HTTP 404: no such route (https://api.novita.ai/v3/nope)")
        expect(error.raw.trim()).toBe("404 page not found")
        expect(NovitaError.retryClass(error)).toBe("never")
        expect(NovitaError.logLevel(error)).toBe(LogLevel.Error)
      }
    })

    it("the same text at another status is not a missing route", () => {
      const error = expectUnrecognized(NovitaError.decode({ status: 500, headers: {}, body: "404 page not found" }))
      expect(error.bodyKind).toBe("text")
      expect(error.message).toBe("HTTP 500: 404 page not found")
    })

    it("a JSON 404 from Novita is an API error, not a missing route", () => {
      const error = NovitaError.decode({
        status: 404,
        headers: {},
        body: json({ code: 404, reason: "MODEL_NOT_FOUND", message: "model not found" })
      })
      expect(expectApi(error).code).toBe("MODEL_NOT_FOUND")
    })

    it("HTML from a proxy", () => {
      const html = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
      const error = expectUnrecognized(NovitaError.decode({ status: 502, headers: {}, body: html }))
      expect(error.bodyKind).toBe("html")
      expect(error.raw).toBe(html)
      expect(error.message).toContain("502 Bad Gateway")
      expect(NovitaError.retryClass(error)).toBe("backoff")
      expect(NovitaError.catalogLogLevel(error)).toBe("error")
    })

    it("empty", () => {
      for (const body of ["", "  \n", new Uint8Array(0)]) {
        const error = expectUnrecognized(NovitaError.decode({ status: 503, headers: {}, body }))
        expect(error.bodyKind).toBe("empty")
        expect(error.message).toBe("HTTP 503 with an empty body")
        expect(NovitaError.isRetryable(error)).toBe(true)
      }
      const forbidden = NovitaError.decode({ status: 403, headers: {}, body: "" })
      expect(NovitaError.isRetryable(forbidden)).toBe(false)
      expect(NovitaError.catalogLogLevel(forbidden)).toBe("warn")
    })

    it("truncated JSON", () => {
      const body = `{"code":429,"reason":"RATE_LIMIT_EXCEEDED","mess`
      const error = expectUnrecognized(NovitaError.decode({ status: 429, headers: {}, body }))
      expect(error.bodyKind).toBe("truncated-json")
      expect(error.raw).toBe(body)
      expect(error.status).toBe(429)
      expect(NovitaError.retryClass(error)).toBe("backoff")
    })

    it("JSON that is not a Novita error document keeps a foreign message when it has one", () => {
      const openai = expectUnrecognized(
        NovitaError.decode({
          status: 400,
          headers: {},
          body: json({ error: { message: "bad model", type: "invalid_request_error" } })
        })
      )
      expect(openai.bodyKind).toBe("json")
      expect(openai.message).toBe("HTTP 400: bad model")
      const noReason = expectUnrecognized(
        NovitaError.decode({ status: 400, headers: {}, body: json({ code: 400, message: "missing reason" }) })
      )
      expect(noReason.message).toBe("HTTP 400: missing reason")
      for (const body of ["[1,2]", "42", `"text"`, "null", json({ reason: 7 })]) {
        const error = expectUnrecognized(NovitaError.decode({ status: 500, headers: {}, body }))
        expect(error.bodyKind, body).toBe("json")
        expect(error.message, body).toBe("HTTP 500 with an unrecognised JSON body")
      }
    })

    it("bounds the raw text of a huge body", () => {
      const body = "x".repeat(200_000)
      const error = NovitaError.decode({ status: 500, headers: {}, body })
      expect(error.raw.length).toBeLessThan(ErrorBody.DEFAULT_RAW_LIMIT + 64)
      expect(error.message.length).toBeLessThan(300)
    })
  })

  describe("as Effect failures", () => {
    it.effect("is yieldable and caught by tag", () =>
      Effect.gen(function*() {
        const error = NovitaError.decode({
          status: 429,
          headers: {},
          body: json({ code: 429, reason: "RATE_LIMIT_EXCEEDED", message: "slow down", metadata: {} }),
          route: "/openai/v1/chat/completions"
        })
        const flipped = yield* Effect.flip(Effect.fail(error))
        expect(NovitaError.isNovitaError(flipped)).toBe(true)
        const caught = yield* Effect.fail(error).pipe(
          Effect.catchTags({
            NovitaApiError: (e) => Effect.succeed(`${e.group}/${e.code}`),
            NovitaNotFoundRouteError: () => Effect.succeed("route"),
            NovitaUnrecognizedError: () => Effect.succeed("unrecognized")
          })
        )
        expect(caught).toBe("llm/RATE_LIMIT_EXCEEDED")
        expect(NovitaError.isNovitaError(new Error("x"))).toBe(false)
      }))
  })

  describe("property: decode is total", () => {
    const reasonArb = fc.oneof(
      fc.constantFrom(...ErrorCatalog.codes),
      fc.string(),
      fc.integer(),
      fc.constant(null),
      fc.array(fc.string(), { maxLength: 2 }),
      fc.dictionary(fc.string(), fc.string(), { maxKeys: 2 })
    )
    const codeArb = fc.oneof(
      fc.integer({ min: 100, max: 599 }),
      fc.string(),
      fc.double(),
      fc.boolean(),
      fc.constant(null)
    )
    const documentArb = fc
      .record(
        {
          code: codeArb,
          reason: reasonArb,
          message: fc.oneof(fc.string(), fc.jsonValue()),
          metadata: fc.oneof(fc.dictionary(fc.string(), fc.jsonValue(), { maxKeys: 4 }), fc.jsonValue()),
          request_id: fc.oneof(fc.string(), fc.integer())
        },
        { requiredKeys: [] }
      )
      .map(json)
    const textArb = fc.oneof(
      documentArb,
      fc.json(),
      fc.string(),
      fc.string({ unit: "binary" }),
      documentArb.chain((text) => fc.nat({ max: text.length }).map((n) => text.slice(0, n))),
      fc.constantFrom(
        "404 page not found",
        "",
        "<html><title>oops</title></html>",
        `{"__proto__":{"reason":"ILLEGAL_PROMPT"},"reason":"TASK_FAILED"}`,
        `{"reason":"RATE_LIMIT_EXCEEDED","metadata":{"__proto__":null}}`,
        "1e999",
        "\uFEFF{}"
      )
    )
    const bodyArb = fc.oneof(
      textArb,
      textArb.map((text) => new TextEncoder().encode(text)),
      fc.uint8Array({ maxLength: 512 })
    )
    const headerNameArb = fc.oneof(
      fc.string(),
      fc.constantFrom("content-type", "Content-Type", "retry-after", "Retry-After", "x-request-id", "X-REQUEST-ID")
    )
    const headerValueArb = fc.oneof(
      fc.string(),
      fc.constantFrom("text/html", "application/json", "0", "120", "Wed, 21 Oct 2015 07:28:00 GMT", "-5", "NaN"),
      fc.array(fc.string(), { maxLength: 3 }),
      fc.constant(undefined)
    )
    const headersArb = fc.dictionary(headerNameArb, headerValueArb, { maxKeys: 6 })
    const requestArb = fc.option(
      fc.record({
        method: fc.constantFrom("GET", "POST"),
        url: fc.oneof(fc.webUrl(), fc.constantFrom(...Object.values(routes)), fc.string()),
        attempt: fc.integer({ min: 1, max: 10 })
      }),
      { nil: undefined }
    )
    const routeArb = fc.option(fc.oneof(fc.string(), fc.constantFrom(...Object.values(routes))), { nil: undefined })

    it("never throws and always returns one of the classes with the status preserved (10,000 runs)", () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 100, max: 599 }),
          headersArb,
          bodyArb,
          requestArb,
          routeArb,
          (status, headers, body, request, route) => {
            const error = NovitaError.decode({ status, headers, body, request, route })
            expect(
              error instanceof NovitaError.NovitaApiError ||
                error instanceof NovitaError.NovitaNotFoundRouteError ||
                error instanceof NovitaError.NovitaUnrecognizedError
            ).toBe(true)
            expect(error.status).toBe(status)
            expect(typeof error.message).toBe("string")
            expect(error.raw.length).toBeLessThanOrEqual(ErrorBody.DEFAULT_RAW_LIMIT + 64)
            expect(RetryClass.all).toContain(NovitaError.retryClass(error))
            expect(["-", "warn", "error"]).toContain(NovitaError.catalogLogLevel(error))
            if (request !== undefined) expect(error.url).toBe(request.url)
            if (error._tag === "NovitaApiError") {
              expect(error.code === "UNKNOWN" || ErrorCatalog.isCode(error.code)).toBe(true)
              expect(error.group === undefined || Option.isSome(NovitaError.entry(error))).toBe(true)
              expect(typeof error.metadata).toBe("object")
            }
            if (error._tag === "NovitaNotFoundRouteError") expect(status).toBe(404)
          }
        ),
        { numRuns: 10_000 }
      )
    })
  })
})

describe("NovitaError.decodeResponse", () => {
  it("reports a garbage Retry-After as ignored (never a failure) and keeps the call's facts", () => {
    const { error, ignoredHeaders } = NovitaError.decodeResponse({
      status: 429,
      headers: { "Retry-After": "soon", "x-request-id": "rid-1" },
      body: "Too Many Requests",
      request: {
        method: "POST",
        url: "https://api.novita.ai/openai/v1/chat/completions",
        attempt: 2,
        correlationId: "ve-1"
      }
    })
    expect(ignoredHeaders).toEqual([expect.objectContaining({ name: "retry-after", value: "soon" })])
    expect(error).toMatchObject({
      status: 429,
      retryAfter: undefined,
      requestId: "rid-1",
      method: "POST",
      attempt: 2,
      correlationId: "ve-1"
    })
    expect(NovitaError.retryClass(error)).toBe("backoff")
  })

  it("accepts headers as pairs (a Headers object, an iterable)", () => {
    const { error, ignoredHeaders } = NovitaError.decodeResponse({
      status: 503,
      headers: new Headers({ "X-Request-ID": "rid-2", "content-type": "application/json" }),
      body: JSON.stringify({ code: 503, reason: "SERVICE_NOT_AVAILABLE", message: "down", metadata: {} })
    })
    expect(ignoredHeaders).toEqual([])
    expect(error).toMatchObject({ _tag: "NovitaApiError", code: "SERVICE_NOT_AVAILABLE", requestId: "rid-2" })
  })
})
