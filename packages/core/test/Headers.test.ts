import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as fc from "effect/FastCheck"
import * as Option from "effect/Option"
import * as ErrorBody from "../src/ErrorBody.js"
import * as RateLimit from "../src/RateLimit.js"
import * as ResponseHeaders from "../src/ResponseHeaders.js"
import * as RetryAfter from "../src/RetryAfter.js"
import * as SafeUrl from "../src/SafeUrl.js"

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)

describe("RetryAfter (H1)", () => {
  it("reads delta-seconds, including decimals", () => {
    expect(RetryAfter.parse("30", NOW)).toEqual(Option.some(Duration.seconds(30)))
    expect(RetryAfter.parse(" 2 ", NOW)).toEqual(Option.some(Duration.seconds(2)))
    expect(RetryAfter.parse("1.5", NOW)).toEqual(Option.some(Duration.millis(1500)))
    expect(RetryAfter.parse("0", NOW)).toEqual(Option.some(Duration.zero))
  })

  it("reads the three HTTP-date forms relative to now; a past date waits zero", () => {
    expect(RetryAfter.parse("Sun, 22 Nov 2026 12:00:10 GMT", NOW)).toEqual(Option.some(Duration.seconds(10)))
    expect(RetryAfter.parse("Sunday, 22-Nov-26 12:00:10 GMT", NOW)).toEqual(Option.some(Duration.seconds(10)))
    expect(RetryAfter.parse("Sun Nov 22 12:00:10 2026", NOW)).toEqual(Option.some(Duration.seconds(10)))
    expect(RetryAfter.parse("Sun, 22 Nov 2026 11:00:00 GMT", NOW)).toEqual(Option.some(Duration.zero))
  })

  it("ignores negative, non-numeric, non-finite, list-valued and absurd values", () => {
    for (const v of ["-1", "abc", "NaN", "Infinity", "1e3", "30, 30", "", " ", "0x10", "99999999999", "864000"]) {
      expect(RetryAfter.parse(v, NOW), v).toEqual(Option.none())
    }
    expect(RetryAfter.parse("86400", NOW)).toEqual(Option.some(Duration.hours(24))) // long but sane: R3's job
  })

  it("is total and never negative (property)", () => {
    fc.assert(
      fc.property(fc.string(), fc.integer({ min: 0, max: 4_102_444_800_000 }), (s, now) => {
        const r = RetryAfter.parse(s, now)
        if (Option.isSome(r)) {
          expect(Duration.toMillis(r.value)).toBeGreaterThanOrEqual(0)
          expect(Duration.lessThanOrEqualTo(r.value, RetryAfter.ABSURD_AFTER)).toBe(true)
        }
      }),
      { numRuns: 5000 }
    )
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 600_000 }), (secs) => {
        expect(RetryAfter.parse(String(secs), NOW)).toEqual(Option.some(Duration.seconds(secs)))
      })
    )
  })
})

describe("RateLimit reset unit detection (H2–H4)", () => {
  const at = (o: Option.Option<RateLimit.Reset>) => Option.map(o, (r) => [DateTime.toEpochMillis(r.resetAt), r.unit])

  it("decides the unit by magnitude", () => {
    expect(at(RateLimit.parseReset(String(NOW + 20_000), NOW))).toEqual(Option.some([NOW + 20_000, "unix-ms"]))
    expect(at(RateLimit.parseReset(String(NOW / 1000 + 60), NOW))).toEqual(Option.some([NOW + 60_000, "unix-s"]))
    expect(at(RateLimit.parseReset("20", NOW))).toEqual(Option.some([NOW + 20_000, "delta-s"]))
    expect(at(RateLimit.parseReset("1m30s", NOW))).toEqual(Option.some([NOW + 90_000, "duration"]))
    expect(at(RateLimit.parseReset("250ms", NOW))).toEqual(Option.some([NOW + 250, "duration"]))
    expect(at(RateLimit.parseReset("6m0s", NOW))).toEqual(Option.some([NOW + 360_000, "duration"]))
  })

  it("ignores garbage and resets beyond a year", () => {
    for (const v of ["", "soon", "-5", "1e9", "12:00", String(NOW * 1000), "0x1f"]) {
      expect(RateLimit.parseReset(v, NOW), v).toEqual(Option.none())
    }
  })

  it("parseReset is total and resolves within a year (property)", () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.double().map(String), fc.nat().map(String)), (s) => {
        const r = RateLimit.parseReset(s, NOW)
        if (Option.isSome(r)) {
          expect(DateTime.toEpochMillis(r.value.resetAt) - NOW).toBeLessThanOrEqual(366 * 24 * 3600 * 1000)
        }
      }),
      { numRuns: 5000 }
    )
  })

  it("readWindow reports garbage instead of failing", () => {
    const decoded = RateLimit.readWindow(
      { "x-l": "50", "x-r": "lots", "x-reset": String(NOW + 1000) },
      { limit: "x-l", remaining: "x-r", reset: "x-reset" },
      NOW
    )
    expect(Option.map(decoded.value, (w) => [w.limit, w.remaining])).toEqual(Option.some([50, undefined]))
    expect(decoded.ignored).toEqual([{ name: "x-r", value: "lots", reason: "not a non-negative integer" }])
    const w = Option.getOrThrow(decoded.value)
    expect(Duration.toMillis(w.untilReset(DateTime.unsafeMake(NOW)))).toBe(1000)
  })
})

describe("ErrorBody", () => {
  it("classifies bodies", () => {
    expect(ErrorBody.inspect("")._tag).toBe("empty")
    expect(ErrorBody.inspect(" \n ")._tag).toBe("empty")
    expect(ErrorBody.inspect("{\"error\":\"x\"}")).toMatchObject({ _tag: "json", value: { error: "x" } })
    expect(ErrorBody.inspect("\uFEFF{\"a\":1}")._tag).toBe("json")
    expect(ErrorBody.inspect("<!DOCTYPE html><title>Bad gateway</title>")).toMatchObject({
      _tag: "html",
      title: "Bad gateway"
    })
    expect(ErrorBody.inspect("oops", { contentType: "text/html; charset=utf-8" })._tag).toBe("html")
    expect(ErrorBody.inspect("{\"error\":")._tag).toBe("truncated-json")
    expect(ErrorBody.inspect("404 page not found")._tag).toBe("text")
    expect(ErrorBody.inspect(new Uint8Array(5 * 1024 * 1024))._tag).toBe("too-large")
  })

  it("bounds raw text without splitting a surrogate pair", () => {
    const text = "a".repeat(9) + "😀" + "b".repeat(10)
    const out = ErrorBody.bound(text, 10)
    expect(out.startsWith("a".repeat(9) + "…")).toBe(true)
  })

  it("is total on arbitrary bytes (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 512 }), (bytes) => {
        const b = ErrorBody.inspect(bytes)
        expect(typeof ErrorBody.describe(b, 500)).toBe("string")
      }),
      { numRuns: 3000 }
    )
  })
})

describe("ResponseHeaders / SafeUrl", () => {
  it("normalises names, folds repeats and keeps __proto__ a plain header", () => {
    const h = ResponseHeaders.normalize([["Retry-After", "1"], ["retry-after", "2"], ["__proto__", "x"]])
    expect(h["retry-after"]).toBe("1, 2")
    expect(h["__proto__"]).toBe("x")
    expect(ResponseHeaders.normalize({ "Set-Cookie": ["a", "b"], bad: undefined })).toEqual(
      Object.assign(Object.create(null), { "set-cookie": "a, b" })
    )
  })

  it("masks credentials and secret-looking parameters", () => {
    expect(SafeUrl.sanitize("https://u:p@api.venice.ai/api/v1/models?type=text&api_key=sk&token=t#frag"))
      .toBe("https://api.venice.ai/api/v1/models?type=text&api_key=<redacted>&token=<redacted>")
    expect(SafeUrl.sanitize("not a url with https://u:p@host")).not.toContain("u:p")
  })
})

import * as EffectT from "effect/Effect"
import * as LimiterStore from "../src/LimiterStore.js"

describe("LimiterStore (memory)", () => {
  it.effect("paces a window and admits a probe after the reset, even when a limit of 0 was announced", () =>
    EffectT.gen(function*() {
      const store = LimiterStore.makeMemory()
      expect((yield* store.reserve("b", 0))._tag).toBe("Granted") // unknown bucket
      yield* store.observeWindow("b", { limit: 2, remaining: 1, resetAt: 1000 }, 10)
      expect((yield* store.reserve("b", 20))._tag).toBe("Granted")
      expect(yield* store.reserve("b", 30)).toEqual({ _tag: "Wait", until: 1000 })
      yield* store.observeWindow("b", { limit: 0, remaining: 0, resetAt: 2000 }, 40)
      expect(yield* store.reserve("b", 50)).toEqual({ _tag: "Wait", until: 2000 })
      expect((yield* store.reserve("b", 2000))._tag).toBe("Granted") // the probe
      expect((yield* store.reserve("b", 2001))._tag).toBe("Wait")
    }))

  it.effect("counts the grants made before any response named the window (they are in flight in it)", () =>
    EffectT.gen(function*() {
      const store = LimiterStore.makeMemory()
      for (let i = 0; i < 4; i++) expect((yield* store.reserve("b", i))._tag).toBe("Granted") // unknown bucket
      // the first answer of the four: the server has counted one of them so far
      yield* store.observeWindow("b", { limit: 5, remaining: 4, resetAt: 1000 }, 10)
      expect((yield* store.reserve("b", 20))._tag).toBe("Granted") // the 5th
      expect(yield* store.reserve("b", 30)).toEqual({ _tag: "Wait", until: 1000 })
      // the others arrive: the server's count does not lower ours
      yield* store.observeWindow("b", { limit: 5, remaining: 2, resetAt: 1000 }, 40)
      expect(yield* store.reserve("b", 50)).toEqual({ _tag: "Wait", until: 1000 })
      // a block before any window is known also counts its later grants
      yield* store.block("c", 100, 0)
      expect(yield* store.reserve("c", 50)).toEqual({ _tag: "Wait", until: 100 })
      expect((yield* store.reserve("c", 100))._tag).toBe("Granted")
      expect((yield* store.reserve("c", 101))._tag).toBe("Granted")
      yield* store.observeWindow("c", { limit: 3, remaining: 2, resetAt: 1100 }, 110)
      expect((yield* store.reserve("c", 120))._tag).toBe("Granted")
      expect(yield* store.reserve("c", 130)).toEqual({ _tag: "Wait", until: 1100 })
    }))

  it.effect("counts failures per window and adopts the server's higher count", () =>
    EffectT.gen(function*() {
      const store = LimiterStore.makeMemory()
      yield* store.recordFailure("k", 30_000, 0)
      yield* store.recordFailure("k", 30_000, 10)
      expect(yield* store.budget("k", 20)).toEqual({ failures: 2, resetAt: 30_000 })
      yield* store.observeBudget("k", { remaining: 40, resetAt: 30_000, limit: 50 }, 30)
      expect((yield* store.budget("k", 40)).failures).toBe(10)
      expect((yield* store.budget("k", 30_000)).failures).toBe(0)
    }))
})
