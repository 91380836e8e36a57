import { describe, expect, it } from "@effect/vitest"
import { encodeBase58, encodeSIWxHeader, parseSIWxHeader, verifySIWxSignature } from "@x402/extensions/sign-in-with-x"
import { createSIWxPayload } from "@x402/extensions/sign-in-with-x"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as crypto from "node:crypto"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import { createSiweMessage } from "viem/siwe"
import * as Siwx from "../src/Siwx.js"
import * as X402 from "../src/X402.js"

// Throwaway keys, new on every run: they never hold funds.
const account = privateKeyToAccount(generatePrivateKey())
const other = privateKeyToAccount(generatePrivateKey())

const NOW = Date.parse("2026-10-02T12:00:00.000Z")
const DOMAIN = "api.venice.ai"
const expected: Siwx.VerifyOptions = { domain: [DOMAIN, "venice.ai"] }

const atNow = <A, E, R>(self: Effect.Effect<A, E, R>) => Effect.zipRight(TestClock.setTime(NOW), self)

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value), "utf8").toString("base64")

const wire = (payload: Siwx.SiwxPayload): Record<string, unknown> =>
  JSON.parse(Buffer.from(Redacted.value(Siwx.encodeHeader(payload)), "base64").toString("utf8")) as Record<
    string,
    unknown
  >

/** `account`, and whether it signed anything. */
const watchedSigner = () => {
  let signed = false
  const signer: Siwx.Signer = {
    address: account.address,
    signMessage: (args) => {
      signed = true
      return account.signMessage(args)
    }
  }
  return { signed: () => signed, signer }
}

/** The message text of new fields (client-side unless a challenge is given). */
const makeMessage = (challenge: X402.SignInWithXInfo | undefined, address: string, options: Siwx.MessageOptions) =>
  Effect.flatMap(
    Siwx.makeFields(challenge, address, options),
    (fields) => Effect.orDie(Either.match(Siwx.formatMessage(fields), { onLeft: Effect.fail, onRight: Effect.succeed }))
  )

/** A correctly signed payload for `account`, built at NOW. */
const signed = (options: Siwx.MessageOptions = {}, signer: Siwx.Signer = account) =>
  makeMessage(undefined, signer.address, {
    domain: DOMAIN,
    statement: "Sign in to Venice AI",
    chainId: Siwx.defaultChainOf(signer),
    ...options
  }).pipe(
    Effect.flatMap((message) => Siwx.sign(signer, message))
  )

const signRaw = (fields: Omit<Parameters<typeof createSiweMessage>[0], "address" | "version">) =>
  Siwx.sign(account, createSiweMessage({ address: account.address, version: "1", ...fields }))

/** A Solana signer on a throwaway Ed25519 key (node:crypto), as `VeniceWallet` adapts a kit key pair. */
const solanaSigner = (): Siwx.SolanaSigner => {
  const { privateKey, publicKey } = crypto.generateKeyPairSync("ed25519")
  const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url")
  return {
    namespace: "solana",
    address: encodeBase58(raw),
    signBytes: (bytes) => Promise.resolve(new Uint8Array(crypto.sign(null, bytes, privateKey)))
  }
}
const solana = solanaSigner()
const otherSolana = solanaSigner()
const SOLANA_DEVNET = "solana:EtWTRABZaYq6iMfeYKouRu166VU2xqa1"

/** A structured-form payload for `signer`, built at NOW. */
const signedFields = (options: Siwx.MessageOptions = {}, signer: Siwx.Signer = account) =>
  Siwx.makeFields(undefined, signer.address, {
    domain: DOMAIN,
    statement: "Sign in to Venice AI",
    chainId: Siwx.defaultChainOf(signer),
    ...options
  }).pipe(Effect.flatMap((fields) => Siwx.signFields(signer, fields)))

const structuredWire = (payload: Siwx.SiwxPayload): Record<string, unknown> =>
  JSON.parse(
    Buffer.from(Redacted.value(Siwx.encodeHeader(payload, "structured")), "base64").toString("utf8")
  ) as Record<
    string,
    unknown
  >

const reasonOf = (header: string | Redacted.Redacted<string>, options: Siwx.VerifyOptions = expected) =>
  Siwx.verify(header, options).pipe(Effect.flip, Effect.map((e) => e.reason))

describe("Siwx", () => {
  describe("sign → encode → decode → verify", () => {
    it.effect("succeeds for a client-side message", () =>
      atNow(Effect.gen(function*() {
        const payload = yield* signed()
        expect(payload.chainId).toBe(8453)
        expect(payload.address).toBe(account.address)
        const header = Siwx.encodeHeader(payload)
        expect(Redacted.isRedacted(header)).toBe(true)
        expect(String(header)).toBe("<redacted>")

        const decoded = yield* Siwx.decodeHeader(header)
        expect(decoded.message).toBe(payload.message)
        expect(Redacted.value(decoded.signature)).toBe(Redacted.value(payload.signature))

        const verified = yield* Siwx.verify(header, expected)
        expect(verified.address).toBe(account.address)
        expect(verified.chain).toBe("eip155:8453")
        expect(verified.form).toBe("message")
        expect(verified.domain).toBe(DOMAIN)
        expect(verified.nonce).toMatch(/^[a-zA-Z0-9]{8,}$/)
        expect(verified.issuedAt.getTime()).toBe(NOW)
        expect(verified.expirationTime?.getTime()).toBe(NOW + 4 * 60_000)
        expect(verified.validUntil.getTime()).toBe(NOW + 4 * 60_000)
        expect(verified.statement).toBe("Sign in to Venice AI")
      })))

    it.effect("the wire format is Venice's: {address, message, signature, chainId}, standard base64", () =>
      atNow(Effect.gen(function*() {
        const payload = yield* signed()
        const header = Redacted.value(Siwx.encodeHeader(payload))
        expect(header).toMatch(/^[A-Za-z0-9+/]*={0,2}$/)
        const json = wire(payload)
        expect(Object.keys(json).sort()).toStrictEqual(["address", "chainId", "message", "signature"])
        expect(json["signature"]).toMatch(/^0x[0-9a-f]{130}$/)
        expect(payload.message).toContain(
          `${DOMAIN} wants you to sign in with your Ethereum account:\n${account.address}`
        )
        expect(payload.message).toContain("\nChain ID: 8453\n")
        // a plain string header decodes as well (what a server receives)
        expect((yield* Siwx.verify(header, expected)).address).toBe(account.address)
      })))

    it.effect("accepts every documented chainId form and the legacy timestamp", () =>
      atNow(Effect.gen(function*() {
        const payload = yield* signed()
        for (const chainId of [8453, "8453", "eip155:8453"] as const) {
          yield* Siwx.verify(Siwx.encodeHeader({ ...payload, chainId }), expected)
        }
        const { chainId: _omit, ...withoutChain } = payload
        yield* Siwx.verify(Siwx.encodeHeader(withoutChain), expected)
        yield* Siwx.verify(Siwx.encodeHeader({ ...payload, timestamp: NOW + 10_000 }), expected)
      })))

    it.effect("domain comparison ignores protocol, port, path and case", () =>
      atNow(Effect.gen(function*() {
        const payload = yield* signed({ domain: "API.venice.ai:443" })
        yield* Siwx.verify(Siwx.encodeHeader(payload), { domain: "https://api.venice.ai/api/v1" })
      })))

    it.effect("every message gets a new nonce", () =>
      atNow(Effect.gen(function*() {
        const nonces = new Set<string>()
        for (let i = 0; i < 20; i++) {
          const verified = yield* Siwx.verify(Siwx.encodeHeader(yield* signed()), expected)
          nonces.add(verified.nonce)
        }
        expect(nonces.size).toBe(20)
      })))

    it.effect("secrets stay out of errors and of the payload's printed form", () =>
      atNow(Effect.gen(function*() {
        const payload = yield* signed()
        const signature = Redacted.value(payload.signature)
        expect(JSON.stringify(payload)).not.toContain(signature)
        expect(String(payload.signature)).toBe("<redacted>")
        const tampered = Siwx.encodeHeader({ ...payload, message: payload.message.replace("Venice AI", "Venice Al") })
        const error = yield* Effect.flip(Siwx.verify(tampered, expected))
        const printed = `${error.message} ${JSON.stringify(error)} ${String(error)}`
        expect(printed).not.toContain(signature)
        expect(printed).not.toContain(Redacted.value(tampered))
        expect(error.code).toBe("X402_SIGN_IN_INVALID_SIGNATURE")
        expect(error.message).toContain("X402_SIGN_IN_INVALID_SIGNATURE: Sign-in-with-X signature is invalid")
        expect(error._tag).toBe("SiwxVerifyError")
      })))
  })

  describe("failure reasons", () => {
    const cases: ReadonlyArray<
      readonly [Siwx.SignInFailureReason, string, Effect.Effect<Siwx.SignInFailureReason, unknown, never>]
    > = [
      ["PARSE_ERROR", "not base64", reasonOf("%%% not base64 %%%")],
      ["PARSE_ERROR", "base64 of non-JSON", reasonOf(Buffer.from("{nope").toString("base64"))],
      ["INVALID_PAYLOAD", "no signature", reasonOf(b64({ address: account.address, message: "m" }))],
      ["INVALID_PAYLOAD", "a JSON array", reasonOf(b64([]))],
      [
        "INVALID_PAYLOAD",
        "empty signature",
        Effect.flatMap(signed(), (p) => reasonOf(b64({ ...wire(p), signature: "" })))
      ],
      [
        "INVALID_CHAIN_ID",
        "chainId `base`",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader({ ...p, chainId: "base" })))
      ],
      [
        "INVALID_CHAIN_ID",
        "chainId true",
        Effect.flatMap(signed(), (p) => reasonOf(b64({ ...wire(p), chainId: true })))
      ],
      [
        "INVALID_WALLET",
        "address not EVM",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader({ ...p, address: "0x1234" })))
      ],
      [
        "INVALID_MESSAGE",
        "not SIWE",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader({ ...p, message: "hello" })))
      ],
      [
        "INVALID_MESSAGE",
        "no Issued At line",
        Effect.flatMap(
          signed(),
          (p) => reasonOf(Siwx.encodeHeader({ ...p, message: p.message.replace(/\nIssued At: [^\n]*/, "") }))
        )
      ],
      [
        "MISSING_NONCE",
        "empty Nonce line",
        Effect.flatMap(
          signed(),
          (p) => reasonOf(Siwx.encodeHeader({ ...p, message: p.message.replace(/\nNonce: [^\n]*/, "\nNonce: ") }))
        )
      ],
      [
        "ADDRESS_MISMATCH",
        "swapped payload address",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader({ ...p, address: other.address })))
      ],
      [
        "CHAIN_MISMATCH",
        "payload 8453, message 84532",
        Effect.flatMap(signed({ chainId: 84532 }), (p) => reasonOf(Siwx.encodeHeader({ ...p, chainId: 8453 })))
      ],
      ["UNSUPPORTED_CHAIN", "chain 1", Effect.flatMap(signed({ chainId: 1 }), (p) => reasonOf(Siwx.encodeHeader(p)))],
      [
        "UNSUPPORTED_CHAIN",
        "no Chain ID line",
        Effect.flatMap(
          signed(),
          (p) => reasonOf(Siwx.encodeHeader({ ...p, message: p.message.replace(/\nChain ID: \d+/, "") }))
        )
      ],
      [
        "UNSUPPORTED_CHAIN",
        "Solana devnet",
        Effect.flatMap(signed({ chainId: SOLANA_DEVNET }, solana), (p) => reasonOf(Siwx.encodeHeader(p)))
      ],
      [
        "INVALID_WALLET",
        "a Solana claim on an EVM address",
        Effect.flatMap(
          signed(),
          (p) => reasonOf(Siwx.encodeHeader({ ...p, type: "ed25519", chainId: Siwx.SOLANA_MAINNET }))
        )
      ],
      [
        "CHAIN_MISMATCH",
        "a Solana message with an EVM chainId",
        Effect.flatMap(signed({}, solana), (p) => reasonOf(b64({ ...wire(p), chainId: 8453, type: "ed25519" })))
      ],
      [
        "INVALID_CHAIN_ID",
        "structured chainId `base`",
        Effect.flatMap(signedFields(), (p) => reasonOf(b64({ ...structuredWire(p), chainId: "base" })))
      ],
      [
        "INVALID_PAYLOAD",
        "structured without a nonce",
        Effect.flatMap(signedFields(), (p) => {
          const { nonce: _nonce, ...rest } = structuredWire(p)
          return reasonOf(b64(rest))
        })
      ],
      [
        "INVALID_SIGNATURE",
        "structured, tampered statement",
        Effect.flatMap(
          signedFields(),
          (p) => reasonOf(b64({ ...structuredWire(p), statement: "Sign in to Venice Al" }))
        )
      ],
      [
        "INVALID_SIGNATURE",
        "Solana, signed by another key",
        Effect.flatMap(signed({}, solana), (p) =>
          Effect.flatMap(
            Effect.promise(() => otherSolana.signBytes(new TextEncoder().encode(p.message))),
            (signature) => reasonOf(b64({ ...wire(p), signature: encodeBase58(signature) }))
          ))
      ],
      [
        "DOMAIN_MISMATCH",
        "wrong domain",
        Effect.flatMap(signed({ domain: "api.venice.ai.evil.example" }), (p) => reasonOf(Siwx.encodeHeader(p)))
      ],
      [
        "TIMESTAMP_MISMATCH",
        "timestamp 60 s off",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader({ ...p, timestamp: NOW - 60_000 })))
      ],
      [
        "FUTURE_TIMESTAMP",
        "issued 2 min ahead",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader(p), { ...expected, now: NOW - 2 * 60_000 }))
      ],
      [
        "EXPIRED",
        "older than 5 min",
        Effect.flatMap(
          signed({ expiresIn: Duration.hours(1) }),
          (p) => reasonOf(Siwx.encodeHeader(p), { ...expected, now: NOW + 5 * 60_000 + 1 })
        )
      ],
      [
        "EXPIRED",
        "past Expiration Time",
        Effect.flatMap(
          signed({ expiresIn: Duration.minutes(1) }),
          (p) => reasonOf(Siwx.encodeHeader(p), { ...expected, now: NOW + 61_000 })
        )
      ],
      [
        "NOT_BEFORE",
        "Not Before ahead",
        Effect.flatMap(
          signRaw({
            chainId: 8453,
            domain: DOMAIN,
            uri: "https://api.venice.ai",
            nonce: "a1b2c3d4e5f6a7b8",
            issuedAt: new Date(NOW),
            notBefore: new Date(NOW + 60_000)
          }),
          (p) => reasonOf(Siwx.encodeHeader(p))
        )
      ],
      [
        "INVALID_SIGNATURE",
        "tampered message",
        Effect.flatMap(
          signed(),
          (p) => reasonOf(Siwx.encodeHeader({ ...p, message: p.message.replace("Sign in to", "Sign into") }))
        )
      ],
      [
        "INVALID_SIGNATURE",
        "signed by another key",
        Effect.gen(function*() {
          const message = yield* makeMessage(undefined, account.address, { domain: DOMAIN })
          const signature = yield* Effect.promise(() => other.signMessage({ message }))
          return yield* reasonOf(
            Siwx.encodeHeader({
              form: "message",
              address: account.address,
              message,
              signature: Redacted.make(signature),
              chainId: 8453
            })
          )
        })
      ],
      [
        "INVALID_SIGNATURE",
        "signature not hex",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader({ ...p, signature: Redacted.make("zz") })))
      ],
      [
        "INVALID_SIGNATURE",
        "signature garbage hex",
        Effect.flatMap(signed(), (p) => reasonOf(Siwx.encodeHeader({ ...p, signature: Redacted.make("0x1234") })))
      ]
    ]

    for (const [reason, name, run] of cases) {
      it.effect(`${reason}: ${name}`, () => atNow(Effect.map(run, (got) => expect(got).toBe(reason))))
    }

    it("the cases cover every reason", () => {
      expect(new Set(cases.map(([reason]) => reason))).toStrictEqual(new Set(Object.keys(Siwx.SignInFailure)))
    })

    it.effect("within the clock skew is not in the future; 5 min old is still fine", () =>
      atNow(Effect.gen(function*() {
        const header = Siwx.encodeHeader(yield* signed({ expiresIn: Duration.hours(1) }))
        yield* Siwx.verify(header, { ...expected, now: NOW - 29_000 })
        yield* Siwx.verify(header, { ...expected, now: NOW + 5 * 60_000 })
        expect(yield* reasonOf(header, { ...expected, now: NOW - 31_000 })).toBe("FUTURE_TIMESTAMP")
        expect(yield* reasonOf(header, { ...expected, clockSkew: 0, now: NOW - 1 })).toBe("FUTURE_TIMESTAMP")
      })))

    it.effect("a custom signature check (e.g. EIP-1271 via a public client) is used", () =>
      atNow(Effect.gen(function*() {
        const header = Siwx.encodeHeader(yield* signed())
        expect(yield* reasonOf(header, { ...expected, verifySignature: () => Promise.resolve(false) })).toBe(
          "INVALID_SIGNATURE"
        )
        expect(yield* reasonOf(header, { ...expected, verifySignature: () => Promise.reject(new Error("rpc down")) }))
          .toBe("INVALID_SIGNATURE")
      })))

    it.effect.prop(
      "arbitrary headers fail with a SiwxVerifyError, never a defect",
      [FastCheck.oneof(FastCheck.string(), FastCheck.jsonValue().map(b64))],
      ([header]) =>
        Effect.gen(function*() {
          const exit = yield* Effect.exit(Siwx.verify(header, { ...expected, now: NOW }))
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit)) {
            const failure = Cause.failureOption(exit.cause)
            expect(Option.isSome(failure)).toBe(true)
            expect(Option.getOrThrow(failure)).toBeInstanceOf(Siwx.SiwxVerifyError)
          }
        })
    )
  })

  describe("challenges", () => {
    const vectors = JSON.parse(
      fs.readFileSync(
        path.resolve(
          path.dirname(fileURLToPath(import.meta.url)),
          "../../../fixtures/shared/reference/x402-vectors.json"
        ),
        "utf8"
      )
    ) as ReadonlyArray<{ readonly header: string }>
    const extension = vectors
      .map((v) => X402.signInWithX(Schema.decodeUnknownSync(X402.PaymentRequiredHeader)(v.header)))
      .find(Option.isSome)!.value
    const info = extension.info
    const issued = Date.parse(info.issuedAt)

    it.effect("a fresh challenge is echoed: its nonce and times are signed", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(issued + 60_000)
        const header = yield* Siwx.makeHeader(account, info, { domain: info.domain })
        const verified = yield* Siwx.verify(header, { domain: info.domain })
        expect(verified.nonce).toBe(info.nonce)
        expect(verified.issuedAt.toISOString()).toBe(info.issuedAt)
        expect(verified.expirationTime?.toISOString()).toBe(info.expirationTime)
        expect(verified.uri).toBe(info.uri)
        expect(verified.statement).toBe(info.statement)
        const message = (yield* Siwx.decodeHeader(header)).message
        expect(message).toContain(`Resources:\n- ${info.resources![0]}`)
      }))

    it.effect("a stale challenge only lends domain, uri and statement: nonce and times are the client's", () =>
      Effect.gen(function*() {
        const now = issued + 4 * 60_000 + 45_000 // 15 s before the challenge expires: too late to use
        yield* TestClock.setTime(now)
        const verified = yield* Siwx.verify(yield* Siwx.makeHeader(account, info), { domain: info.domain })
        expect(verified.nonce).not.toBe(info.nonce)
        expect(verified.issuedAt.getTime()).toBe(now)
        expect(verified.uri).toBe(info.uri)
        expect(verified.statement).toBe(info.statement)
      }))

    it.effect("clientNonce ignores even a fresh challenge's nonce", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(issued + 1_000)
        const verified = yield* Siwx.verify(
          yield* Siwx.makeHeader(account, info, { clientNonce: true, nonce: "clientnonce123" }),
          { domain: info.domain }
        )
        expect(verified.nonce).toBe("clientnonce123")
        expect(verified.issuedAt.getTime()).toBe(issued + 1_000)
      }))

    it("freshness", () => {
      expect(Siwx.isFreshChallenge(info, issued)).toBe(true)
      expect(Siwx.isFreshChallenge(info, issued - 31_000)).toBe(false)
      expect(Siwx.isFreshChallenge(info, issued + 4 * 60_000)).toBe(true)
      expect(Siwx.isFreshChallenge(info, issued + 4 * 60_000 + 31_000)).toBe(false)
      expect(Siwx.isFreshChallenge({ ...info, issuedAt: "yesterday" }, issued)).toBe(false)
    })

    it.effect("a challenge for another domain than expected is refused, not signed", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(issued + 1_000)
        const { signed: signedSomething, signer: watched } = watchedSigner()
        const error = yield* Effect.flip(Siwx.makeHeader(watched, info, { domain: DOMAIN }))
        expect(error.reason).toBe("DomainMismatch")
        expect(signedSomething()).toBe(false)
      }))
  })

  describe("Solana (Ed25519)", () => {
    it.effect("a Solana message: bare genesis hash in Chain ID, base58 signature, type ed25519, CAIP-2 chainId", () =>
      atNow(Effect.gen(function*() {
        const payload = yield* signed({}, solana)
        expect(payload.message).toContain(
          `${DOMAIN} wants you to sign in with your Solana account:\n${solana.address}\n`
        )
        expect(payload.message).toContain("\nChain ID: 5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp\n")
        const json = wire(payload)
        expect(json).toMatchObject({ address: solana.address, chainId: Siwx.SOLANA_MAINNET, type: "ed25519" })
        expect(json["signature"]).toMatch(/^[1-9A-HJ-NP-Za-km-z]{86,88}$/)
        const verified = yield* Siwx.verify(Siwx.encodeHeader(payload), expected)
        expect(verified).toMatchObject({ address: solana.address, chain: Siwx.SOLANA_MAINNET, domain: DOMAIN })
      })))

    it.effect("a solana:-prefixed Chain ID line and a base64 signature are accepted too", () =>
      atNow(Effect.gen(function*() {
        const base = yield* makeMessage(undefined, solana.address, { domain: DOMAIN, chainId: Siwx.SOLANA_MAINNET })
        const prefixed = base.replace("\nChain ID: 5eykt", "\nChain ID: solana:5eykt")
        const payload = yield* Siwx.sign(solana, prefixed)
        expect(payload.chainId).toBe(Siwx.SOLANA_MAINNET)
        yield* Siwx.verify(Siwx.encodeHeader(payload), expected)
        const bytes = yield* Effect.promise(() => solana.signBytes(new TextEncoder().encode(base)))
        const base64 = Buffer.from(bytes).toString("base64")
        yield* Siwx.verify(
          b64({ address: solana.address, message: base, signature: base64, chainId: Siwx.SOLANA_MAINNET }),
          expected
        )
        // Venice compares Solana addresses exactly (base58 is case-sensitive)
        const flipped = solana.address.replace(/[a-hj-np-z]/, (c) => c.toUpperCase())
        expect(["ADDRESS_MISMATCH", "INVALID_WALLET"]).toContain(
          yield* reasonOf(b64({ ...wire(payload), address: flipped }))
        )
      })))
  })

  describe("both header forms, @x402/extensions as the independent decoder", () => {
    for (const [name, signer] of [["EVM", account], ["Solana", solana]] as const) {
      it.effect(`${name}: the structured header is x402 v2: @x402/extensions parses it and verifies its signature`, () =>
        atNow(Effect.gen(function*() {
          const payload = yield* signedFields({}, signer)
          const header = Redacted.value(Siwx.encodeHeader(payload, "structured"))
          const parsed = parseSIWxHeader(header)
          expect(parsed).toMatchObject({
            domain: DOMAIN,
            address: signer.address,
            chainId: Siwx.defaultChainOf(signer),
            type: name === "EVM" ? "eip191" : "ed25519",
            nonce: payload.fields?.nonce,
            issuedAt: new Date(NOW).toISOString()
          })
          expect(yield* Effect.promise(() => verifySIWxSignature(parsed))).toMatchObject({ isValid: true })
          // and Venice's rules accept it, the message rebuilt from the fields
          const verified = yield* Siwx.verify(header, expected)
          expect(verified).toMatchObject({ form: "structured", chain: Siwx.defaultChainOf(signer) })
          // the same signature in the message form verifies too: one message, two encodings
          expect((yield* Siwx.verify(Siwx.encodeHeader(payload, "message"), expected)).form).toBe("message")
        })))

      it.effect(`${name}: a header made by @x402/extensions (createSIWxPayload) passes Siwx.verify`, () =>
        Effect.gen(function*() {
          const now = Date.now()
          yield* TestClock.setTime(now)
          const url = "http://127.0.0.1:4021/api/v1/chat/completions"
          const libSigner = name === "EVM"
            ? account
            : { publicKey: solana.address, signMessage: (bytes: Uint8Array) => solana.signBytes(bytes) }
          const payload = yield* Effect.promise(() =>
            createSIWxPayload(
              {
                domain: "127.0.0.1:4021",
                uri: url,
                version: "1",
                nonce: "f12bca24572176a7fbecf2a6af502ea8",
                issuedAt: new Date(now).toISOString(),
                expirationTime: new Date(now + 5 * 60_000).toISOString(),
                statement: "Sign in to Venice AI",
                resources: [url],
                chainId: Siwx.defaultChainOf(signer),
                type: name === "EVM" ? "eip191" : "ed25519"
              },
              libSigner,
              url
            )
          )
          const verified = yield* Siwx.verify(encodeSIWxHeader(payload), { domain: "127.0.0.1" })
          expect(verified).toMatchObject({
            address: signer.address,
            form: "structured",
            nonce: "f12bca24572176a7fbecf2a6af502ea8"
          })
        }))
    }

    it.effect("the message form is the default of makeHeader; @x402/extensions' parser does not know it", () =>
      atNow(Effect.gen(function*() {
        const header = Redacted.value(yield* Siwx.makeHeader(account, undefined, { domain: DOMAIN }))
        expect(Object.keys(JSON.parse(Buffer.from(header, "base64").toString("utf8"))).sort())
          .toStrictEqual(["address", "chainId", "message", "signature"])
        expect(() => parseSIWxHeader(header)).toThrow(/Invalid SIWX header/)
        const structured = Redacted.value(
          yield* Siwx.makeHeader(account, undefined, { domain: DOMAIN, form: "structured" })
        )
        expect(parseSIWxHeader(structured).address).toBe(account.address)
      })))

    it.effect.prop(
      "arbitrary structured payloads fail with a SiwxVerifyError, never a defect",
      [
        FastCheck.record({
          domain: FastCheck.oneof(FastCheck.constant(DOMAIN), FastCheck.string()),
          address: FastCheck.oneof(
            FastCheck.constant(account.address),
            FastCheck.constant(solana.address),
            FastCheck.string()
          ),
          uri: FastCheck.oneof(FastCheck.constant("https://api.venice.ai"), FastCheck.string()),
          nonce: FastCheck.oneof(FastCheck.constant("a1b2c3d4e5f6a7b8"), FastCheck.string()),
          issuedAt: FastCheck.oneof(FastCheck.constant(new Date(NOW).toISOString()), FastCheck.string()),
          chainId: FastCheck.oneof(
            FastCheck.constantFrom(8453, "eip155:8453", Siwx.SOLANA_MAINNET),
            FastCheck.jsonValue()
          ),
          type: FastCheck.oneof(FastCheck.constantFrom("eip191", "ed25519"), FastCheck.string()),
          statement: FastCheck.string(),
          signature: FastCheck.oneof(FastCheck.constant("0x1234"), FastCheck.string())
        }, { requiredKeys: ["domain"] }).map(b64)
      ],
      ([header]) =>
        Effect.gen(function*() {
          const exit = yield* Effect.exit(Siwx.verify(header, { ...expected, now: NOW }))
          expect(Exit.isFailure(exit)).toBe(true)
          if (Exit.isFailure(exit)) {
            expect(Option.getOrThrow(Cause.failureOption(exit.cause))).toBeInstanceOf(Siwx.SiwxVerifyError)
          }
        })
    )
  })

  describe("origin binding", () => {
    const challenge: X402.SignInWithXInfo = {
      domain: "127.0.0.1:4021",
      uri: "http://127.0.0.1:4021/api/v1/chat/completions",
      version: "1",
      nonce: "0123456789abcdef0123456789abcdef",
      issuedAt: new Date(NOW).toISOString(),
      expirationTime: new Date(NOW + 5 * 60_000).toISOString(),
      statement: "Sign in to Venice AI"
    }

    it.effect("a challenge bound to the request's origin is signed (its domain and nonce)", () =>
      atNow(Effect.gen(function*() {
        const header = yield* Siwx.makeHeader(account, challenge, { origin: "http://127.0.0.1:4021/api/v1/models" })
        const verified = yield* Siwx.verify(header, { domain: "127.0.0.1" })
        expect(verified).toMatchObject({ domain: "127.0.0.1:4021", nonce: challenge.nonce })
      })))

    it.effect("a challenge for another origin (host, port or scheme) is refused before anything is signed", () =>
      atNow(Effect.gen(function*() {
        const { signed: signedSomething, signer: watched } = watchedSigner()
        for (
          const origin of [
            "http://127.0.0.1:4022/api/v1",
            "https://127.0.0.1:4021/api/v1",
            "https://api.venice.ai/api/v1"
          ]
        ) {
          const error = yield* Effect.flip(Siwx.makeHeader(watched, challenge, { origin }))
          expect(error.reason).toBe("DomainMismatch")
        }
        expect(Siwx.isBoundToOrigin(challenge, "http://127.0.0.1:4021")).toBe(true)
        expect(Siwx.isBoundToOrigin({ ...challenge, uri: "http://evil.example/x" }, "http://127.0.0.1:4021")).toBe(
          false
        )
        expect(signedSomething()).toBe(false)
      })))
  })

  describe("client errors", () => {
    it.effect("no domain and no challenge", () =>
      Effect.gen(function*() {
        const error = yield* Effect.flip(Siwx.makeFields(undefined, account.address))
        expect(error.reason).toBe("InvalidField")
      }))

    it.effect("fields viem refuses are typed errors, not throws", () =>
      Effect.gen(function*() {
        expect((yield* Effect.flip(signed({ nonce: "short" }))).reason).toBe("InvalidField")
        expect((yield* Effect.flip(signed({ statement: "two\nlines" }))).reason).toBe("InvalidField")
        expect((yield* Effect.flip(signed({ domain: "not a domain" }))).reason).toBe("InvalidField")
      }))

    it.effect("a message for someone else is not signed", () =>
      Effect.gen(function*() {
        const message = yield* makeMessage(undefined, other.address, { domain: DOMAIN })
        expect((yield* Effect.flip(Siwx.sign(account, message))).reason).toBe("SignerMismatch")
      }))

    it.effect("a failing signer is a SignerFailed error", () =>
      Effect.gen(function*() {
        const refusing: Siwx.Signer = {
          address: account.address,
          signMessage: () => Promise.reject(new Error("user rejected"))
        }
        const error = yield* Effect.flip(Siwx.makeHeader(refusing, undefined, { domain: DOMAIN }))
        expect(error.reason).toBe("SignerFailed")
        expect(error.message).toContain("user rejected")
      }))
  })
})
