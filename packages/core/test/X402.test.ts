import { describe, expect, it } from "@effect/vitest"
import * as X402Http from "@x402/core/http"
import type * as X402Types from "@x402/core/types"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as X402 from "../src/X402.js"

interface Vector {
  readonly description: string
  readonly header: string
  readonly decoded: unknown
}

const vectorsPath = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../fixtures/shared/reference/x402-vectors.json"
)
const vectors = JSON.parse(fs.readFileSync(vectorsPath, "utf8")) as ReadonlyArray<Vector>

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64")

/** Every vector in the file is a PAYMENT-REQUIRED header (the `decoded` documents carry `accepts`). */
const codecFor = (decoded: unknown): Schema.Schema<unknown, string> => {
  const doc = decoded as Record<string, unknown>
  if ("accepts" in doc) return X402.PaymentRequiredHeader as Schema.Schema<unknown, string>
  if ("accepted" in doc) return X402.PaymentSignatureHeader as Schema.Schema<unknown, string>
  return X402.PaymentResponseHeader as Schema.Schema<unknown, string>
}

const settle = {
  success: true,
  transaction: "0x3b5f6f0c0b7e2b1e9d2c2a0c6a4e0f5b1b8f3a2c1d0e9f8a7b6c5d4e3f2a1b0c",
  network: "eip155:8453",
  payer: "0x857b06519E91e3A54538791bDbb0E22373e36b66"
}

const payment = {
  x402Version: 2,
  resource: {
    url: "https://api.example-inference.ai/x402/top-up",
    description: "Top-up",
    mimeType: "application/json"
  },
  accepted: {
    scheme: "exact",
    network: "eip155:8453",
    amount: "5000000",
    asset: "0x833589fCD6eDb6E08f4c7C32D4f71b54bdA02913",
    payTo: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
    maxTimeoutSeconds: 300,
    extra: { name: "USD Coin", version: "2" }
  },
  payload: {
    signature: "0xabcdef",
    authorization: {
      from: "0x857b06519E91e3A54538791bDbb0E22373e36b66",
      to: "0x209693Bc6afc0C5328bA36FaF03C514EF312287C",
      value: "5000000",
      validAfter: "0",
      validBefore: "1790000000",
      nonce: "0x0000000000000000000000000000000000000000000000000000000000000001"
    }
  }
}

describe("X402", () => {
  it("has vectors to check", () => {
    expect(vectors.length).toBeGreaterThanOrEqual(5)
  })

  describe.each(vectors.map((v, i) => [i, v] as const))("vector %i", (_i, vector) => {
    it.effect(vector.description.slice(0, 80), () =>
      Effect.gen(function*() {
        const codec = codecFor(vector.decoded)
        const decoded = yield* Schema.decodeUnknown(codec)(vector.header)
        expect(decoded).toStrictEqual(vector.decoded)
        const reencoded = yield* Schema.encode(codec)(decoded)
        expect(reencoded).toMatch(/^[A-Za-z0-9+/]*={0,2}$/)
        expect(yield* Schema.decodeUnknown(codec)(reencoded)).toStrictEqual(vector.decoded)
        // and without padding (H7: padding optional)
        expect(yield* Schema.decodeUnknown(codec)(vector.header.replace(/=+$/, ""))).toStrictEqual(vector.decoded)
      }))
  })

  it("the SIWX extension of the vector that has one decodes", () => {
    const withSiwx = vectors.map((v) => Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(v.header))
      .map(X402.signInWithX)
      .filter(Option.isSome)
    expect(withSiwx.length).toBe(1)
    const ext = withSiwx[0]!.value
    expect(ext.info.domain).toBe("api.example-inference.ai")
    expect(ext.info.version).toBe("1")
    expect(ext.info.nonce).toMatch(/^[0-9a-f]{32}$/)
    expect(ext.supportedChains).toStrictEqual([{ chainId: "eip155:8453", type: "eip191" }])
    // members this module does not model are kept
    expect((ext as unknown as Record<string, unknown>)["schema"]).toBeDefined()
  })

  it("a malformed SIWX extension is None and does not invalidate the payment options", () => {
    const doc = Schema.decodeUnknownSync(X402.PaymentRequired)({
      x402Version: 2,
      accepts: [],
      extensions: { "sign-in-with-x": { info: { domain: 1 } } }
    })
    expect(X402.signInWithX(doc)).toStrictEqual(Option.none())
  })

  it("decodes Venice's challenge shapes: no resource, bare `solana`, siwxChallenge-style extension", () => {
    const doc = {
      x402Version: 2,
      accepts: [{
        scheme: "exact",
        network: "solana",
        amount: "10000000",
        asset: "EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v",
        payTo: "2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4",
        maxTimeoutSeconds: 300,
        extra: { feePayer: "CKPKJWNdJEqa81x7CkZ14BVPiY6y16Sxs7owznqtWYp5" }
      }],
      extensions: {
        "sign-in-with-x": {
          info: {
            domain: "api.venice.ai",
            uri: "https://api.venice.ai",
            version: "1",
            nonce: "3f2a91c4d80b7e15",
            issuedAt: "2026-09-30T19:00:00.000Z",
            expirationTime: "2026-09-30T19:05:00.000Z",
            statement: "Sign in to Venice AI"
          },
          supportedChains: [
            { chainId: "eip155:8453", type: "eip191" },
            { chainId: "eip155:8453", type: "eip1271" },
            { chainId: "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp", type: "ed25519" }
          ]
        }
      }
    }
    const decoded = Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(b64(doc))
    expect(decoded).toStrictEqual(doc)
    const siwx = Option.getOrThrow(X402.signInWithX(decoded))
    expect(siwx.info.statement).toBe("Sign in to Venice AI")
    expect(siwx.supportedChains.length).toBe(3)
  })

  it("keeps unknown members of protocol objects and extra (servers compare the echoed `accepted`)", () => {
    const doc = {
      x402Version: 2,
      accepts: [{ ...payment.accepted, futureField: { a: [1] }, extra: { name: "USD Coin", version: "2", z: null } }],
      topLevelFuture: true
    }
    const decoded = Schema.decodeUnknownSync(X402.PaymentRequired)(doc)
    expect(decoded).toStrictEqual(doc)
    expect(Schema.encodeSync(X402.PaymentRequired)(decoded)).toStrictEqual(doc)
  })

  it("null in optional members decodes as absent (as @x402/core's zod schemas allow)", () => {
    const decoded = Schema.decodeUnknownSync(X402.PaymentRequired)({
      x402Version: 2,
      error: null,
      resource: null,
      accepts: [{ ...payment.accepted, extra: null }],
      extensions: null
    })
    const { extra: _extra, ...withoutExtra } = payment.accepted
    expect(decoded).toStrictEqual({ x402Version: 2, accepts: [withoutExtra] })
  })

  it("PAYMENT-SIGNATURE round trip, and the exact EIP-3009 payload", () =>
    Effect.runPromise(Effect.gen(function*() {
      const header = yield* Schema.encode(X402.PaymentSignatureHeader)(
        yield* Schema.decodeUnknown(X402.PaymentPayload)(payment)
      )
      expect(header).toBe(b64(payment))
      const decoded = yield* Schema.decodeUnknown(X402.PaymentSignatureHeader)(header)
      expect(decoded).toStrictEqual(payment)
      const exact = yield* Schema.decodeUnknown(X402.ExactEip3009Payload)(decoded.payload)
      expect(exact.authorization.value).toBe("5000000")
    })))

  it("PAYMENT-RESPONSE: success and failure documents", () => {
    expect(Schema.decodeUnknownSync(X402.PaymentResponseHeader)(b64(settle))).toStrictEqual(settle)
    const failed = { success: false, transaction: "", network: "eip155:8453", errorReason: "insufficient_funds" }
    expect(Schema.decodeUnknownSync(X402.PaymentResponseHeader)(b64(failed))).toStrictEqual(failed)
  })

  it("rejects documents that are not x402 v2", () => {
    const reject = (doc: unknown) =>
      expect(Either.isLeft(Schema.decodeUnknownEither(X402.PaymentRequiredHeader)(b64(doc)))).toBe(true)
    reject({ x402Version: 1, accepts: [] })
    reject({ x402Version: 2 })
    reject({ x402Version: 2, accepts: [{ ...payment.accepted, amount: "5.00" }] })
    reject({ x402Version: 2, accepts: [{ ...payment.accepted, network: "" }] })
    reject({ x402Version: 2, accepts: [{ ...payment.accepted, maxTimeoutSeconds: "300" }] })
    reject({ x402Version: 2, accepts: [], extensions: [] })
    reject([])
    reject(null)
  })

  describe("interoperates with @x402/core's own header functions", () => {
    // type level: every @x402/core v2 value (x402Version: number there, 2 here) is a valid input for our schemas
    type V2<T> = Omit<T, "x402Version"> & { readonly x402Version: 2 }
    const required: V2<X402Types.PaymentRequired> = vectors[1]!.decoded as V2<X402Types.PaymentRequired>
    const asOurs: Schema.Schema.Encoded<typeof X402.PaymentRequired> = required
    const payloadTheirs: V2<X402Types.PaymentPayload> = payment as V2<X402Types.PaymentPayload>
    const payloadOurs: Schema.Schema.Encoded<typeof X402.PaymentPayload> = payloadTheirs
    const settleTheirs: X402Types.SettleResponse = settle as X402Types.SettleResponse
    const settleOurs: Schema.Schema.Encoded<typeof X402.SettleResponse> = settleTheirs

    it("PAYMENT-REQUIRED", () => {
      const header = X402Http.encodePaymentRequiredHeader(required)
      expect(Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(header)).toStrictEqual(asOurs)
      const ours = Schema.encodeSync(X402.PaymentRequiredHeader)(Schema.decodeUnknownSync(X402.PaymentRequired)(asOurs))
      expect(ours).toBe(header)
      expect(X402Http.decodePaymentRequiredHeader(ours)).toStrictEqual(required)
    })

    it("PAYMENT-SIGNATURE", () => {
      const header = X402Http.encodePaymentSignatureHeader(payloadTheirs)
      expect(Schema.decodeUnknownSync(X402.PaymentSignatureHeader)(header)).toStrictEqual(payloadOurs)
      const ours = Schema.encodeSync(X402.PaymentSignatureHeader)(
        Schema.decodeUnknownSync(X402.PaymentPayload)(payloadOurs)
      )
      expect(X402Http.decodePaymentSignatureHeader(ours)).toStrictEqual(payloadTheirs)
    })

    it("PAYMENT-RESPONSE", () => {
      const header = X402Http.encodePaymentResponseHeader(settleTheirs)
      expect(Schema.decodeUnknownSync(X402.PaymentResponseHeader)(header)).toStrictEqual(settleOurs)
      const ours = Schema.encodeSync(X402.PaymentResponseHeader)(
        Schema.decodeUnknownSync(X402.SettleResponse)(settleOurs)
      )
      expect(X402Http.decodePaymentResponseHeader(ours)).toStrictEqual(settleTheirs)
    })
  })

  describe("garbage headers give a ParseError, never a throw", () => {
    const headers = [X402.PaymentRequiredHeader, X402.PaymentSignatureHeader, X402.PaymentResponseHeader] as const
    const garbage = ["", "   ", "%%%", "e30", "bnVsbA==", "W10=", "eyJ4NDAyVmVyc2lvbiI6Mn0", "////", "\u0000", "é"]

    it("fixed garbage", () => {
      for (const codec of headers) {
        for (const input of garbage) {
          const result = Schema.decodeUnknownEither(codec as Schema.Schema<unknown, string>)(input)
          expect(Either.isLeft(result)).toBe(true)
          if (Either.isLeft(result)) expect(ParseResult.isParseError(result.left)).toBe(true)
        }
      }
    })

    it.prop("arbitrary strings", [FastCheck.string({ unit: "binary", maxLength: 200 })], ([input]) => {
      for (const codec of headers) {
        const result = Schema.decodeUnknownEither(codec as Schema.Schema<unknown, string>)(input)
        if (Either.isLeft(result)) expect(ParseResult.isParseError(result.left)).toBe(true)
      }
    })

    it.prop("base64 of arbitrary JSON", [FastCheck.jsonValue({ maxDepth: 3 })], ([value]) => {
      for (const codec of headers) {
        const result = Schema.decodeUnknownEither(codec as Schema.Schema<unknown, string>)(b64(value))
        if (Either.isLeft(result)) expect(ParseResult.isParseError(result.left)).toBe(true)
      }
    })
  })
})
