import { describe, expect, it } from "@effect/vitest"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import { Base64Json, base64Json, Base64Utf8, decodeBase64Utf8 } from "../src/HeaderCodec.js"

const decode = Schema.decodeUnknownEither(Base64Json)
const encode = Schema.encodeEither(Base64Json)

const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64")
const b64url = (text: string) => Buffer.from(text, "utf8").toString("base64url")

const expectParseError = (result: Either.Either<unknown, ParseResult.ParseError>, fragment: string) => {
  expect(Either.isLeft(result)).toBe(true)
  if (Either.isLeft(result)) {
    expect(ParseResult.isParseError(result.left)).toBe(true)
    expect(result.left.message).toContain(fragment)
  }
}

describe("HeaderCodec", () => {
  describe("Base64Json decode", () => {
    const value = { x402Version: 2, name: "ünïcødé ✓", list: [1, null, true, "x"] }
    const json = JSON.stringify(value)

    it("accepts padded standard base64", () => {
      expect(Buffer.byteLength(json) % 3).not.toBe(0)
      expect(b64(json).endsWith("=")).toBe(true)
      expect(decode(b64(json))).toStrictEqual(Either.right(value))
    })

    it("accepts base64 without padding", () => {
      expect(decode(b64(json).replace(/=+$/, ""))).toStrictEqual(Either.right(value))
    })

    it("accepts base64url characters and surrounding whitespace", () => {
      const text = JSON.stringify({ s: "???>>>~~~" }) // encodes to '+' and '/' in the standard alphabet
      expect(b64(text)).toMatch(/[+/]/)
      expect(decode(`  ${b64url(text)}\t\n`)).toStrictEqual(Either.right({ s: "???>>>~~~" }))
    })

    it("fails on bad base64 with a clear message", () => {
      expectParseError(decode("not base64!"), "not base64")
      expectParseError(decode("abcde"), "impossible length")
      expectParseError(decode("ab=c"), "not base64")
      expectParseError(decode("abc==="), "not base64")
      expectParseError(decode(""), "empty value")
      expectParseError(decode("   "), "empty value")
    })

    it("fails on bytes that are not UTF-8", () => {
      expectParseError(decode(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]).toString("base64")), "not valid UTF-8")
    })

    it("fails on text that is not JSON, without quoting it", () => {
      const result = decode(b64("{secret-ish: nope"))
      expectParseError(result, "not valid JSON")
      if (Either.isLeft(result)) expect(result.left.message).not.toContain("secret-ish")
    })

    it("fails (no throw) on non-string input", () => {
      expectParseError(decode(42), "Expected string")
      expectParseError(decode(undefined), "Expected string")
    })
  })

  describe("Base64Json encode", () => {
    it("produces standard padded base64", () => {
      const encoded = Either.getOrThrow(encode({ s: "???>>>~~~" }))
      expect(encoded).toBe(b64(JSON.stringify({ s: "???>>>~~~" })))
      expect(encoded.length % 4).toBe(0)
      expect(encoded).toMatch(/^[A-Za-z0-9+/]*={0,2}$/)
    })

    it("fails (no throw) on values JSON cannot hold", () => {
      expect(Either.isLeft(encode(10n))).toBe(true)
      expect(Either.isLeft(encode(undefined))).toBe(true)
      const cyclic: Record<string, unknown> = {}
      cyclic["self"] = cyclic
      expect(Either.isLeft(encode(cyclic))).toBe(true)
    })
  })

  describe("base64Json(schema)", () => {
    const Header = base64Json(Schema.Struct({ success: Schema.Boolean, n: Schema.NumberFromString }))

    it("decodes to the target type and encodes back", () => {
      const header = b64(JSON.stringify({ success: true, n: "7" }))
      expect(Schema.decodeUnknownEither(Header)(header)).toStrictEqual(Either.right({ success: true, n: 7 }))
      expect(Schema.encodeEither(Header)({ success: true, n: 7 })).toStrictEqual(Either.right(header))
    })

    it("reports target-schema failures as ParseErrors", () => {
      expectParseError(Schema.decodeUnknownEither(Header)(b64(JSON.stringify({ success: "yes", n: "7" }))), "success")
    })
  })

  describe("properties", () => {
    it.prop("round trip: any JSON value survives encode → decode", [FastCheck.jsonValue()], ([value]) => {
      const encoded = Either.getOrThrow(encode(value))
      expect(encoded).toMatch(/^[A-Za-z0-9+/]*={0,2}$/)
      // JSON has no -0; compare through JSON so 0 and -0 count as the same value
      expect(JSON.stringify(Either.getOrThrow(decode(encoded)))).toBe(JSON.stringify(value))
      // and without padding, in the url alphabet
      const url = encoded.replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_")
      expect(JSON.stringify(Either.getOrThrow(decode(url)))).toBe(JSON.stringify(value))
    })

    it.prop("never throws on arbitrary strings", [FastCheck.string({ unit: "binary" })], ([input]) => {
      const result = decode(input)
      expect(Either.isLeft(result) || Either.isRight(result)).toBe(true)
      expect(Either.isLeft(decodeBase64Utf8(input)) || Either.isRight(decodeBase64Utf8(input))).toBe(true)
    })

    it.prop(
      "never throws on arbitrary base64-alphabet strings",
      [FastCheck.stringMatching(/^\s?[A-Za-z0-9+/\-_]{0,64}={0,3}\s?$/)],
      ([input]) => {
        const result = Schema.decodeUnknownEither(Base64Utf8)(input)
        expect(Either.isLeft(result) || Either.isRight(result)).toBe(true)
        expect(Either.isLeft(decode(input)) || Either.isRight(decode(input))).toBe(true)
      }
    )

    it.prop("any UTF-8 text survives Base64Utf8", [FastCheck.string({ unit: "grapheme" })], ([text]) => {
      const encoded = Schema.encodeSync(Base64Utf8)(text)
      expect(encoded).toBe(b64(text))
      expect(Schema.decodeUnknownSync(Base64Utf8)(encoded)).toBe(text)
    })
  })
})
