/**
 * O3 for headers: the client adds its secret headers and a call's own `headers` ("never logged") to
 * `@effect/platform`'s redaction list, after the names already on it, never instead of them. Checked on what the
 * platform's HTTP client span records over real loopback HTTP (it writes every request and response header as an
 * attribute unless its name is on the list), and on every log line.
 */
import * as Headers from "@effect/platform/Headers"
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Chat from "../src/Chat.js"
import { KEY, layer, recordingLogger, recordingTracer } from "./support.js"

const hello = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "hello" }] }
const PER_CALL_SECRET = "per-call-secret-5d1f0c"

describe("header redaction", () => {
  it.scoped("a call's own headers, the client's secrets and the application's names all stay out of spans and logs", () =>
    Effect.gen(function*() {
      const tracing = recordingTracer()
      const logging = recordingLogger()
      yield* Chat.completions(hello, { headers: { "X-Customer-Token": PER_CALL_SECRET } }).pipe(
        // the application's own addition to the platform's list: kept while the call runs
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, "cf-ray", /^x-ratelimit-/]),
        Effect.withTracer(tracing.tracer),
        Effect.provide(logging.layer),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
      const http = tracing.records.find((r) => "http.request.header.x-customer-token" in r.attributes)
      expect(http, "the platform's client span records request headers").toBeDefined()
      const attributes = http?.attributes ?? {}
      // sent, and recorded redacted
      expect(attributes["http.request.header.x-customer-token"]).toBe("<redacted>")
      expect(attributes["http.request.header.authorization"]).toBe("<redacted>")
      // the names the application put on the list before the call are still on it
      expect(attributes["http.response.header.cf-ray"]).toBe("<redacted>")
      const rateLimit = Object.entries(attributes).filter(([k]) => k.startsWith("http.response.header.x-ratelimit-"))
      expect(rateLimit.length).toBeGreaterThan(0)
      for (const [, value] of rateLimit) expect(value).toBe("<redacted>")
      for (const text of [tracing.dump(), logging.dump()]) {
        expect(text).not.toContain(PER_CALL_SECRET)
        expect(text).not.toContain(KEY)
      }
    }).pipe(Effect.provide(layer())))

  it.scoped("outside a call the platform's list is what it was", () =>
    Effect.gen(function*() {
      const before = yield* Headers.currentRedactedNames
      yield* Chat.completions(hello, { headers: { "x-customer-token": PER_CALL_SECRET } })
      expect(yield* Headers.currentRedactedNames).toEqual(before)
    }).pipe(Effect.provide(layer())))
})
