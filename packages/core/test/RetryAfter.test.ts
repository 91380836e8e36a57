/**
 * What `RetryAfterFromString` says when it refuses a value (H1): the decoder's errors name the rule the value broke,
 * so a log of a refused `Retry-After` tells delta-seconds garbage from a bad date. Found unpinned by mutation testing
 * (`npm run mutate`, docs/testing.md): with any of these messages emptied every other test passed.
 */
import { describe, expect, it } from "@effect/vitest"
import * as RetryAfter from "@venice-effect/core/RetryAfter"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const refusal = (value: string): string => {
  const result = Schema.decodeUnknownEither(RetryAfter.RetryAfterFromString)(value)
  if (Either.isRight(result)) throw new Error(`expected ${JSON.stringify(value)} to be refused`)
  return ParseResult.TreeFormatter.formatErrorSync(result.left)
}

describe("RetryAfter refusals", () => {
  it("garbage names both forms it is not: delta-seconds and an HTTP-date", () => {
    const message = refusal("soon")
    expect(message).toContain("delta-seconds must be a non-negative number")
    expect(message).toContain("not an HTTP-date (IMF-fixdate, RFC 850 or asctime)")
  })

  it("a date of the right form that is no day (32 January) is refused as an invalid date", () => {
    expect(refusal("Mon, 32 Jan 2026 10:00:00 GMT")).toContain("not a valid HTTP-date")
  })

  it("delta-seconds and dates with surrounding blanks decode to the same wait as without", () => {
    const now = Date.UTC(2026, 0, 1)
    expect(RetryAfter.parse(" 7 ", now)).toEqual(RetryAfter.parse("7", now))
    expect(RetryAfter.parse("  Thu, 01 Jan 2026 00:00:30 GMT ", now)).toEqual(
      RetryAfter.parse("Thu, 01 Jan 2026 00:00:30 GMT", now)
    )
  })
})
