/**
 * `RateLimit` at its edges (H2–H4): the magnitude boundaries of reset units, the one-year horizon, duration
 * strings, blank values, and how a window is read from headers that are absent, partial or garbage. Written against
 * the survivors of `npm run mutate` on 8cb3725.
 */
import { describe, expect, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as RateLimit from "../src/RateLimit.js"

const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)
const YEAR = 366 * 24 * 3600 * 1000
const at = (o: Option.Option<RateLimit.Reset>) =>
  Option.map(o, (r) => [DateTime.toEpochMillis(r.resetAt) - NOW, r.unit])

describe("RateLimit.parseReset boundaries", () => {
  it("10¹² is Unix ms, 10⁹ Unix seconds, anything smaller seconds from now", () => {
    // exactly at the floors: 1e12 ms is 2001-09-09, 1e9 s the same instant — both far in the past, hence resolved
    expect(Option.map(RateLimit.parseReset("1000000000000", NOW), (r) => [DateTime.toEpochMillis(r.resetAt), r.unit]))
      .toEqual(Option.some([1e12, "unix-ms"]))
    expect(Option.map(RateLimit.parseReset("1000000000", NOW), (r) => [DateTime.toEpochMillis(r.resetAt), r.unit]))
      .toEqual(Option.some([1e12, "unix-s"]))
    expect(at(RateLimit.parseReset("999999999", NOW))).toEqual(Option.none()) // 31 years from now: past the horizon
    expect(at(RateLimit.parseReset("999", NOW))).toEqual(Option.some([999_000, "delta-s"]))
  })

  it("durations add up hours, minutes, seconds and milliseconds", () => {
    expect(at(RateLimit.parseReset("2h", NOW))).toEqual(Option.some([7_200_000, "duration"]))
    expect(at(RateLimit.parseReset("1h2m3s4ms", NOW))).toEqual(Option.some([3_723_004, "duration"]))
    expect(at(RateLimit.parseReset("1.5m", NOW))).toEqual(Option.some([90_000, "duration"]))
  })

  it("blank values are garbage, not a reset now", () => {
    for (const blank of ["", " ", "   ", "\t"]) {
      expect(RateLimit.parseReset(blank, NOW), JSON.stringify(blank)).toEqual(Option.none())
    }
  })

  it("the horizon is a year: exactly 366 days is kept, one millisecond more is garbage", () => {
    expect(at(RateLimit.parseReset(String(NOW + YEAR), NOW))).toEqual(Option.some([YEAR, "unix-ms"]))
    expect(RateLimit.parseReset(String(NOW + YEAR + 1), NOW)).toEqual(Option.none())
  })
})

describe("RateLimit.Window", () => {
  it("untilReset: zero when unknown or past, the time left otherwise", () => {
    const now = DateTime.unsafeMake(NOW)
    expect(new RateLimit.Window({}).untilReset(now)).toEqual(Duration.zero)
    expect(new RateLimit.Window({ resetAt: DateTime.unsafeMake(NOW - 5) }).untilReset(now)).toEqual(Duration.zero)
    expect(new RateLimit.Window({ resetAt: DateTime.unsafeMake(NOW + 1500) }).untilReset(now)).toEqual(
      Duration.millis(1500)
    )
  })

  it("exhausted: only a known remaining of zero or less", () => {
    expect(new RateLimit.Window({}).exhausted).toBe(false)
    expect(new RateLimit.Window({ limit: 5 }).exhausted).toBe(false)
    expect(new RateLimit.Window({ remaining: 1 }).exhausted).toBe(false)
    expect(new RateLimit.Window({ remaining: 0 }).exhausted).toBe(true)
    expect(new RateLimit.Window({ remaining: -1 }).exhausted).toBe(true)
  })
})

describe("RateLimit.readWindow", () => {
  const names = { limit: "l", remaining: "r", reset: "t" }

  it("no header of the family: no window and nothing ignored", () => {
    expect(RateLimit.readWindow({ other: "1" }, names, NOW)).toEqual({ value: Option.none(), ignored: [] })
  })

  it("only garbage: no window, every value reported with its reason", () => {
    const decoded = RateLimit.readWindow({ l: "lots", r: "-1", t: "tomorrow" }, names, NOW)
    expect(decoded.value).toEqual(Option.none())
    expect(decoded.ignored.map((i) => [i.name, i.reason])).toEqual([
      ["l", "not a non-negative integer"],
      ["r", "not a non-negative integer"],
      ["t", "not a reset time or duration"]
    ])
  })

  it("a window from any one good field; the garbage next to it is reported", () => {
    const onlyReset = RateLimit.readWindow({ t: "30", l: "x" }, names, NOW)
    expect(Option.map(onlyReset.value, (w) => [w.limit, w.remaining, w.resetUnit])).toEqual(
      Option.some([undefined, undefined, "delta-s"])
    )
    expect(onlyReset.ignored.map((i) => i.name)).toEqual(["l"])
    const onlyRemaining = RateLimit.readWindow({ r: " 7 " }, names, NOW)
    expect(Option.map(onlyRemaining.value, (w) => w.remaining)).toEqual(Option.some(7))
  })

  it("names left out are not read", () => {
    const decoded = RateLimit.readWindow({ l: "5", r: "2", t: "30" }, { remaining: "r" }, NOW)
    expect(Option.map(decoded.value, (w) => [w.limit, w.remaining, w.resetAt])).toEqual(
      Option.some([undefined, 2, undefined])
    )
    expect(RateLimit.readWindow({ l: "5" }, {}, NOW)).toEqual({ value: Option.none(), ignored: [] })
    // not even a header literally named "undefined"
    expect(RateLimit.readWindow({ undefined: "5" }, {}, NOW)).toEqual({ value: Option.none(), ignored: [] })
  })
})

describe("RateLimit survivors of the 2026-12 mutation run", () => {
  it("a count is digits only: trailing garbage is refused, surrounding blanks are not", () => {
    expect(RateLimit.parseCount("12abc")).toEqual(Option.none())
    expect(RateLimit.parseCount("12 5")).toEqual(Option.none())
    expect(RateLimit.parseCount(" 7 ")).toEqual(Option.some(7))
  })

  it("a window is exhausted only when it says what remains, and that is nothing", () => {
    expect(new RateLimit.Window({ limit: 5 }).exhausted).toBe(false)
    expect(new RateLimit.Window({ limit: 5, remaining: 1 }).exhausted).toBe(false)
    expect(new RateLimit.Window({ limit: 5, remaining: 0 }).exhausted).toBe(true)
  })

  it("readWindow: a readable field gives a window; only garbage fields give none, each reported", () => {
    const names = { limit: "l", remaining: "r", reset: "t" }
    const read = RateLimit.readWindow({ l: "5", r: "0" }, names, NOW)
    expect(Option.map(read.value, (w) => [w.limit, w.remaining, w.exhausted])).toEqual(Option.some([5, 0, true]))
    expect(read.ignored).toEqual([])
    const garbage = RateLimit.readWindow({ l: "lots", r: "-1" }, names, NOW)
    expect(garbage.value).toEqual(Option.none())
    expect(garbage.ignored.map((i) => i.name)).toEqual(["l", "r"])
    expect(RateLimit.readWindow({}, names, NOW).value).toEqual(Option.none())
  })
})
