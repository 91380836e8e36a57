/**
 * Base64-encoded JSON header values (H7, H8, X1): `PAYMENT-REQUIRED`, `PAYMENT-SIGNATURE`,
 * `PAYMENT-RESPONSE`, `SIGN-IN-WITH-X`.
 *
 * Decoding is lenient about the transport and strict about the content: standard-alphabet base64 with or
 * without `=` padding, base64url characters (`-`, `_`) and surrounding whitespace are all accepted; bad base64,
 * bytes that are not UTF-8, and text that is not JSON fail with a `ParseResult` issue (never a throw). Encoding
 * always produces standard, padded base64 of the UTF-8 JSON text (what `@x402/core` emits).
 *
 * The failure messages never quote the decoded bytes, so a rejected credential header cannot leak through an
 * error message; the issue's `actual` still holds the raw input, so credential headers (SIWX) are wrapped by
 * their own module before anything reaches a log.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

const BASE64_LENIENT = /^[A-Za-z0-9+/\-_]*={0,2}$/

const utf8Decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false })

/**
 * Normalises lenient base64 (url alphabet, missing padding) to standard padded base64, or returns a reason.
 */
const normalizeBase64 = (input: string): Either.Either<string, string> => {
  const trimmed = input.trim()
  if (!BASE64_LENIENT.test(trimmed)) {
    return Either.left("not base64: unexpected character (allowed: A-Z a-z 0-9 + / - _ and trailing =)")
  }
  const body = trimmed.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/")
  if (body.length % 4 === 1) {
    return Either.left("not base64: impossible length (one character too many or too few)")
  }
  return Either.right(body + "=".repeat((4 - (body.length % 4)) % 4))
}

/**
 * Decodes lenient base64 to the UTF-8 text it carries. Total: every failure is a `Left` with a reason.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeBase64Utf8 = (input: string): Either.Either<string, string> =>
  Either.flatMap(normalizeBase64(input), (standard) =>
    Either.flatMap(
      Either.mapLeft(Encoding.decodeBase64(standard), () => "not base64"),
      (bytes) => {
        try {
          return Either.right(utf8Decoder.decode(bytes))
        } catch {
          return Either.left("base64 payload is not valid UTF-8")
        }
      }
    ))

/**
 * Encodes text as standard, padded base64 of its UTF-8 bytes.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeBase64Utf8 = (text: string): string => Encoding.encodeBase64(text)

/**
 * Schema from base64 text (lenient, see the module docs) to the UTF-8 string it carries. Encodes to standard
 * padded base64.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Base64Utf8: Schema.Schema<string, string> = Schema.transformOrFail(Schema.String, Schema.String, {
  strict: true,
  decode: (input, _, ast) =>
    Either.match(decodeBase64Utf8(input), {
      onLeft: (reason) => ParseResult.fail(new ParseResult.Type(ast, input, reason)),
      onRight: ParseResult.succeed
    }),
  encode: (text) => ParseResult.succeed(encodeBase64Utf8(text))
}).annotations({ identifier: "Base64Utf8" })

/**
 * Schema from a base64 header value to the JSON value it carries (`unknown`: compose with a target schema, or use
 * {@link base64Json}). Decoding fails with a ParseError on bad base64, bad UTF-8 or bad JSON; encoding fails
 * with a ParseError on values `JSON.stringify` cannot represent (cycles, `bigint`, `undefined`).
 *
 * @example
 * ```ts
 * import * as Schema from "effect/Schema"
 * import { Base64Json } from "@venice-effect/core/HeaderCodec"
 *
 * Schema.decodeUnknownSync(Base64Json)("eyJhIjoxfQ") // { a: 1 } (padding optional)
 * Schema.encodeSync(Base64Json)({ a: 1 }) // "eyJhIjoxfQ=="
 * ```
 *
 * @since 0.1.0
 * @category schemas
 */
export const Base64Json: Schema.Schema<unknown, string> = Schema.transformOrFail(Base64Utf8, Schema.Unknown, {
  strict: true,
  decode: (text, _, ast) => {
    if (text.trim().length === 0) {
      return ParseResult.fail(new ParseResult.Type(ast, text, "empty value, expected base64 JSON"))
    }
    try {
      const json: unknown = JSON.parse(text)
      return ParseResult.succeed(json)
    } catch {
      return ParseResult.fail(new ParseResult.Type(ast, text, "base64 payload is not valid JSON"))
    }
  },
  encode: (value, _, ast) => {
    try {
      const text: string | undefined = JSON.stringify(value)
      return text === undefined
        ? ParseResult.fail(new ParseResult.Type(ast, value, "value has no JSON representation"))
        : ParseResult.succeed(text)
    } catch {
      return ParseResult.fail(new ParseResult.Type(ast, value, "value cannot be serialised as JSON"))
    }
  }
}).annotations({ identifier: "Base64Json" })

/**
 * A header codec: base64 JSON on the wire, `schema`'s type in the program.
 *
 * @example
 * ```ts
 * import * as Schema from "effect/Schema"
 * import { base64Json } from "@venice-effect/core/HeaderCodec"
 *
 * const Header = base64Json(Schema.Struct({ success: Schema.Boolean }))
 * Schema.decodeUnknownEither(Header)("eyJzdWNjZXNzIjp0cnVlfQ==") // Right({ success: true })
 * Schema.decodeUnknownEither(Header)("%%%") // Left(ParseError)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const base64Json = <A, I, R>(schema: Schema.Schema<A, I, R>): Schema.Schema<A, string, R> =>
  Schema.compose(Base64Json, schema, { strict: false })
