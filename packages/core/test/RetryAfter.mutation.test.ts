/**
 * Tests written from the surviving mutants of `RetryAfter.ts` (docs/testing.md "Mutation testing"): what
 * `fromHeaders` reports for the debug log of ignored headers (design.md §3) — nothing for a usable `Retry-After`, the
 * header and the rule it broke for an unusable one.
 */
import { describe, expect, it } from "@effect/vitest"
import * as RetryAfter from "@venice-effect/core/RetryAfter"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)

describe("RetryAfter.fromHeaders", () => {
  it("a usable Retry-After is the wait and reports nothing", () => {
    // pins: no ignored-header entry beside a parsed value
    expect(RetryAfter.fromHeaders({ "retry-after": "30" }, NOW)).toEqual({
      value: Option.some(Duration.seconds(30)),
      ignored: []
    })
    expect(RetryAfter.fromHeaders({}, NOW)).toEqual({ value: Option.none(), ignored: [] })
  })

  it("an unusable Retry-After is no wait, reported with the rule it broke", () => {
    // pins: the ignored-header entry (name, raw value, reason) of a refused value
    for (const raw of ["soon", "-5", String(8 * 24 * 3600)]) {
      const decoded = RetryAfter.fromHeaders({ "retry-after": raw }, NOW)
      expect(decoded.value, raw).toEqual(Option.none())
      expect(decoded.ignored, raw).toEqual([
        { name: "retry-after", value: raw, reason: "not delta-seconds or an HTTP-date, or absurd" }
      ])
    }
  })
})
