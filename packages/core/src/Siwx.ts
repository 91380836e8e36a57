/**
 * The `SIGN-IN-WITH-X` header (SPEC X1): base64 JSON `{ address, message, signature, chainId }` where `message`
 * is an EIP-4361 (SIWE) message for Base (chain 8453), signed with EIP-191.
 *
 * Client side: {@link makeMessage} → {@link sign} → {@link encodeHeader} (or {@link makeHeader} for all three).
 * Server side (the emulator): {@link verify}, whose failures carry one of the `X402_SIGN_IN_*` reasons.
 *
 * ## Nonces and times
 *
 * A header is good for exactly one request: servers consume the nonce when the signature verifies and reject a
 * replay (`X402_SIGN_IN_NONCE_REUSED`), and the message is only accepted for 5 minutes after `Issued At`. So every
 * attempt, retries included, needs a new message. {@link makeMessage} builds it in one of two ways:
 *
 * - **From a fresh server challenge** (`extensions["sign-in-with-x"].info` of a `PAYMENT-REQUIRED` header, or
 *   Venice's `siwxChallenge.info`): the challenge's `nonce`, `issuedAt`, `expirationTime` and `notBefore` are
 *   used verbatim, which is what x402's sign-in-with-x extension expects. A challenge is single-use: hand it to
 *   one `makeMessage` call only, then pass `undefined`.
 * - **Client-side** (no challenge, or one that is no longer fresh): a new nonce (128 bits from the platform CSPRNG),
 *   `Issued At` = now (from `Clock`), `Expiration Time` = now + `expiresIn` (4 minutes). This is what Venice's own
 *   clients do on every request; Venice only checks that the nonce is unused and the times are in range.
 *
 * Either way `domain`, `uri`, `statement` and `resources` come from the challenge when there is one.
 *
 * ## Secrets
 *
 * The private key never passes through this module (a {@link Signer} signs). Signatures are `Redacted` in
 * {@link SiwxPayload} and the encoded header is a `Redacted<string>`: a header is a bearer credential for up to
 * 5 minutes. Errors never quote the header, the message or the signature.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { getAddress, isAddress, verifyMessage } from "viem"
import { createSiweMessage, parseSiweMessage } from "viem/siwe"
import { Base64Json, base64Json, encodeBase64Utf8 } from "./HeaderCodec.js"
import type { SignInWithXInfo } from "./X402.js"

/**
 * Base mainnet, the only EVM chain Venice accepts for SIWX.
 *
 * @since 0.1.0
 * @category constants
 */
export const BASE_CHAIN_ID = 8453

/**
 * Why a `SIGN-IN-WITH-X` header was rejected, one entry per Venice `X402_SIGN_IN_*` code (the code is
 * `X402_SIGN_IN_` + the key). `NONCE_REUSED` is absent on purpose: only the server that remembers nonces can
 * tell, so {@link verify} returns the nonce for the caller to track.
 *
 * @since 0.1.0
 * @category catalog
 */
export const SignInFailure = {
  INVALID_PAYLOAD: "Sign-in-with-X payload is missing address, message or signature",
  PARSE_ERROR: "Sign-in-with-X header is not base64-encoded JSON",
  INVALID_MESSAGE: "Sign-in-with-X message could not be parsed",
  ADDRESS_MISMATCH: "Sign-in-with-X address does not match the signed message",
  INVALID_CHAIN_ID: "Sign-in-with-X authentication failed",
  CHAIN_MISMATCH: "Sign-in-with-X chain id does not match the signed message",
  UNSUPPORTED_CHAIN: "Sign-in-with-X chain is not supported",
  MISSING_NONCE: "Sign-in-with-X message has no nonce",
  DOMAIN_MISMATCH: "Sign-in-with-X domain is not allowed",
  TIMESTAMP_MISMATCH: "Sign-in-with-X timestamps are inconsistent",
  EXPIRED: "Sign-in-with-X message has expired",
  FUTURE_TIMESTAMP: "Sign-in-with-X message is issued in the future",
  NOT_BEFORE: "Sign-in-with-X message is not yet valid",
  INVALID_SIGNATURE: "Sign-in-with-X signature is invalid",
  INVALID_WALLET: "Sign-in-with-X authentication failed"
} as const

/**
 * @since 0.1.0
 * @category catalog
 */
export type SignInFailureReason = keyof typeof SignInFailure

/**
 * The error code Venice sends for a reason (`X402_SIGN_IN_EXPIRED`, …).
 *
 * @since 0.1.0
 * @category catalog
 */
export type SignInErrorCode = `X402_SIGN_IN_${SignInFailureReason}`

const reasons = Object.keys(SignInFailure) as Array<SignInFailureReason>

/**
 * The Venice error code for a reason: `codeOf("EXPIRED")` is `"X402_SIGN_IN_EXPIRED"`.
 *
 * @since 0.1.0
 * @category catalog
 */
export const codeOf = (reason: SignInFailureReason): SignInErrorCode => `X402_SIGN_IN_${reason}`

/**
 * A `SIGN-IN-WITH-X` header was rejected. `detail` says what exactly was wrong, for people; it never quotes the
 * header, the message or the signature.
 *
 * @since 0.1.0
 * @category errors
 */
export class SiwxVerifyError extends Schema.TaggedError<SiwxVerifyError>()("SiwxVerifyError", {
  reason: Schema.Literal(...reasons),
  detail: Schema.String
}) {
  /**
   * @since 0.1.0
   */
  get code(): SignInErrorCode {
    return codeOf(this.reason)
  }
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `${codeOf(this.reason)}: ${SignInFailure[this.reason]} (${this.detail})`
  }
}

/**
 * Building or signing a SIWX message failed on the client.
 *
 * - `InvalidField`: a field viem refuses (domain, nonce, uri, statement with a newline, …) or a bad challenge.
 * - `DomainMismatch`: the challenge is for another domain than the one the caller expects.
 * - `SignerMismatch`: the message is for another address than the signer's.
 * - `SignerFailed`: the signer rejected or failed.
 *
 * @since 0.1.0
 * @category errors
 */
export class SiwxSignError extends Schema.TaggedError<SiwxSignError>()("SiwxSignError", {
  reason: Schema.Literal("InvalidField", "DomainMismatch", "SignerMismatch", "SignerFailed"),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect)
}) {}

/**
 * What signs a SIWX message: anything with an address and an EIP-191 `signMessage`, such as viem's
 * `LocalAccount` (`privateKeyToAccount(key)`) or a wallet client's account.
 *
 * @since 0.1.0
 * @category models
 */
export interface Signer {
  readonly address: `0x${string}`
  readonly signMessage: (args: { readonly message: string }) => Promise<`0x${string}`>
}

/**
 * The decoded `SIGN-IN-WITH-X` payload. `chainId` is `8453`, `"8453"` or `"eip155:8453"` for EVM; `type`
 * (`"ed25519"`) and `timestamp` (Unix ms, Venice-legacy) are optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SiwxPayload = Schema.Struct({
  address: Schema.String,
  message: Schema.String,
  signature: Schema.Redacted(Schema.String),
  chainId: Schema.optional(Schema.Union(Schema.Number, Schema.String)),
  type: Schema.optional(Schema.String),
  timestamp: Schema.optional(Schema.Number)
}).annotations({ identifier: "SiwxPayload" })

/**
 * @since 0.1.0
 * @category models
 */
export interface SiwxPayload extends Schema.Schema.Type<typeof SiwxPayload> {}

/**
 * Codec for the header value: base64 JSON on the wire, {@link SiwxPayload} (signature `Redacted`) in the
 * program. Its ParseErrors hold the raw header: prefer {@link decodeHeader} where errors may be logged.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SiwxHeader: Schema.Schema<SiwxPayload, string> = base64Json(SiwxPayload)

/**
 * Options for {@link makeMessage}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageOptions {
  /**
   * The domain to sign in to (e.g. `api.venice.ai`). Required without a challenge. With a challenge, the
   * challenge's domain must equal it (protocol, port and path ignored): a challenge for another domain is
   * refused rather than signed, since a sign-in proof can be replayed against the domain it names.
   */
  readonly domain?: string | undefined
  /** Default: the challenge's `uri`, else `https://<domain>`. */
  readonly uri?: string | undefined
  /** Default: the challenge's statement, else none. Must not contain a newline. */
  readonly statement?: string | undefined
  /** Default {@link BASE_CHAIN_ID}. */
  readonly chainId?: number | undefined
  /** Lifetime of a client-side message (`Expiration Time` − `Issued At`). Default 4 minutes. */
  readonly expiresIn?: Duration.DurationInput | undefined
  /** How long after its `issuedAt` a challenge may be used (minus a 30 s margin). Default 5 minutes. */
  readonly maxAge?: Duration.DurationInput | undefined
  /** A nonce for a client-side message (≥ 8 alphanumerics). Default: 32 hex characters from `crypto.getRandomValues`. */
  readonly nonce?: string | undefined
  /** Ignore the challenge's nonce and times even when fresh (keep its domain, uri, statement). */
  readonly clientNonce?: boolean | undefined
}

const CHALLENGE_MARGIN_MILLIS = 30_000

/** 128 bits from the platform CSPRNG as 32 hex characters (SIWE wants ≥ 8 alphanumerics). */
const randomNonce = (): string => {
  const bytes = new Uint8Array(16)
  globalThis.crypto.getRandomValues(bytes)
  let out = ""
  for (const b of bytes) out += b.toString(16).padStart(2, "0")
  return out
}

/**
 * Lower-cased host of a domain-ish string: `https://API.venice.ai:443/x` → `api.venice.ai`.
 *
 * @since 0.1.0
 * @category utils
 */
export const normalizeDomain = (domain: string): string =>
  domain
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, "")
    .replace(/[/?#].*$/, "")
    .replace(/^[^@]*@/, "")
    .replace(/:\d*$/, "")

const parseTime = (value: string | undefined): Date | undefined | "invalid" => {
  if (value === undefined) return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? "invalid" : date
}

const signError = (reason: SiwxSignError["reason"], message: string, cause?: unknown) =>
  new SiwxSignError(cause === undefined ? { reason, message } : { reason, message, cause })

const viemMessage = (error: unknown): string => {
  if (typeof error === "object" && error !== null) {
    const short = (error as { shortMessage?: unknown }).shortMessage
    if (typeof short === "string") return short
    if (error instanceof Error) return error.message
  }
  return String(error)
}

/**
 * Whether a challenge can still be used at `nowMillis`: valid times, not issued in the future, and at least 30 s
 * left before it expires (by `expirationTime` or by `maxAge` after `issuedAt`).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFreshChallenge = (
  challenge: SignInWithXInfo,
  nowMillis: number,
  maxAge: Duration.DurationInput = Duration.minutes(5)
): boolean => {
  const issuedAt = parseTime(challenge.issuedAt)
  const expirationTime = parseTime(challenge.expirationTime)
  const notBefore = parseTime(challenge.notBefore)
  if (!(issuedAt instanceof Date) || expirationTime === "invalid" || notBefore === "invalid") return false
  const deadline = Math.min(
    issuedAt.getTime() + Duration.toMillis(maxAge),
    expirationTime === undefined ? Number.POSITIVE_INFINITY : expirationTime.getTime()
  )
  return issuedAt.getTime() - CHALLENGE_MARGIN_MILLIS <= nowMillis &&
    nowMillis + CHALLENGE_MARGIN_MILLIS < deadline &&
    (notBefore === undefined || notBefore.getTime() <= nowMillis)
}

/**
 * Builds the EIP-4361 message for `address` (see the module docs for where nonce and times come from). The
 * current time is read from `Clock`, so `TestClock` drives it in tests.
 *
 * @example
 * ```ts
 * import * as Siwx from "@venice-effect/core/Siwx"
 *
 * // client-side nonce and times
 * const message = Siwx.makeMessage(undefined, account.address, {
 *   domain: "api.venice.ai",
 *   statement: "Sign in to Venice AI"
 * })
 * // or echo a fresh challenge once
 * const fromChallenge = Siwx.makeMessage(challenge.info, account.address, { domain: "api.venice.ai" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeMessage = (
  challenge: SignInWithXInfo | undefined,
  address: `0x${string}`,
  options: MessageOptions = {}
): Effect.Effect<string, SiwxSignError> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const domain = challenge?.domain ?? options.domain
    if (domain === undefined) {
      return yield* signError("InvalidField", "no domain: pass a challenge or options.domain")
    }
    if (
      challenge !== undefined && options.domain !== undefined &&
      normalizeDomain(challenge.domain) !== normalizeDomain(options.domain)
    ) {
      return yield* signError(
        "DomainMismatch",
        `the challenge is for ${challenge.domain}, expected ${options.domain}: refusing to sign it`
      )
    }
    if (challenge !== undefined && challenge.version !== "1") {
      return yield* signError("InvalidField", `unsupported SIWE version ${challenge.version}`)
    }
    const useChallenge = challenge !== undefined && options.clientNonce !== true &&
      isFreshChallenge(challenge, now, options.maxAge)
    const times = useChallenge
      ? {
        nonce: challenge.nonce,
        issuedAt: new Date(challenge.issuedAt),
        ...(challenge.expirationTime !== undefined ? { expirationTime: new Date(challenge.expirationTime) } : {}),
        ...(challenge.notBefore !== undefined ? { notBefore: new Date(challenge.notBefore) } : {}),
        ...(challenge.requestId !== undefined ? { requestId: challenge.requestId } : {})
      }
      : {
        nonce: options.nonce ?? randomNonce(),
        issuedAt: new Date(now),
        expirationTime: new Date(now + Duration.toMillis(options.expiresIn ?? Duration.minutes(4)))
      }
    const statement = options.statement ?? challenge?.statement
    const resources = challenge?.resources
    return yield* Effect.try({
      try: () =>
        createSiweMessage({
          address,
          chainId: options.chainId ?? BASE_CHAIN_ID,
          domain,
          uri: options.uri ?? challenge?.uri ?? `https://${normalizeDomain(domain)}`,
          version: "1",
          ...times,
          ...(statement !== undefined ? { statement } : {}),
          ...(resources !== undefined ? { resources: [...resources] } : {})
        }),
      catch: (error) => signError("InvalidField", viemMessage(error), error)
    })
  })

/**
 * Signs `message` (EIP-191 `personal_sign`) and returns the payload to send. `chainId` is taken from the
 * message; the message must be for the signer's address.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sign = (signer: Signer, message: string): Effect.Effect<SiwxPayload, SiwxSignError> =>
  Effect.gen(function*() {
    const fields = parseSiweMessage(message)
    if (fields.address === undefined || fields.chainId === undefined) {
      return yield* signError("InvalidField", "not an EIP-4361 message with an address and a Chain ID")
    }
    if (fields.address.toLowerCase() !== signer.address.toLowerCase()) {
      return yield* signError("SignerMismatch", `the message is for ${fields.address}, the signer is ${signer.address}`)
    }
    const signature = yield* Effect.tryPromise({
      try: () => signer.signMessage({ message }),
      catch: (error) => signError("SignerFailed", `the signer failed: ${viemMessage(error)}`, error)
    })
    return {
      address: signer.address,
      message,
      signature: Redacted.make(signature),
      chainId: fields.chainId
    }
  })

/**
 * The header value for a payload: standard padded base64 of its JSON, `Redacted` because it is a credential.
 * Total.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeHeader = (payload: SiwxPayload): Redacted.Redacted<string> =>
  Redacted.make(encodeBase64Utf8(JSON.stringify({
    address: payload.address,
    message: payload.message,
    signature: Redacted.value(payload.signature),
    ...(payload.chainId !== undefined ? { chainId: payload.chainId } : {}),
    ...(payload.type !== undefined ? { type: payload.type } : {}),
    ...(payload.timestamp !== undefined ? { timestamp: payload.timestamp } : {})
  })))

/**
 * A fresh header for one request: {@link makeMessage}, {@link sign}, {@link encodeHeader}. Call it per attempt.
 *
 * @example
 * ```ts
 * import * as Redacted from "effect/Redacted"
 * import { privateKeyToAccount } from "viem/accounts"
 * import * as Siwx from "@venice-effect/core/Siwx"
 *
 * const account = privateKeyToAccount(Redacted.value(key))
 * // Effect<Redacted<string>, SiwxSignError>; run it per attempt and put Redacted.value(header) on that request only
 * const header = Siwx.makeHeader(account, undefined, { domain: "api.venice.ai", statement: "Sign in to Venice AI" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeHeader = (
  signer: Signer,
  challenge: SignInWithXInfo | undefined,
  options: MessageOptions = {}
): Effect.Effect<Redacted.Redacted<string>, SiwxSignError> =>
  makeMessage(challenge, signer.address, options).pipe(
    Effect.flatMap((message) => sign(signer, message)),
    Effect.map(encodeHeader)
  )

const verifyFail = (reason: SignInFailureReason, detail: string) => Effect.fail(new SiwxVerifyError({ reason, detail }))

const decodeJson = Schema.decodeUnknownEither(Base64Json)
const decodePayload = Schema.decodeUnknownEither(SiwxPayload)

/**
 * Decodes a header value. Fails with `PARSE_ERROR` (not base64 JSON), `INVALID_CHAIN_ID` (`chainId` neither a
 * number nor a string) or `INVALID_PAYLOAD` (not an object with string `address`, `message`, `signature`).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeHeader = (
  header: string | Redacted.Redacted<string>
): Effect.Effect<SiwxPayload, SiwxVerifyError> => {
  const raw = typeof header === "string" ? header : Redacted.value(header)
  const json = decodeJson(raw)
  if (Either.isLeft(json)) {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(json.left)[0]
    return verifyFail("PARSE_ERROR", issue?.message ?? "not base64 JSON")
  }
  const payload = decodePayload(json.right)
  if (Either.isLeft(payload)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(payload.left)
    const paths = issues.map((issue) => issue.path.join("."))
    return paths.length > 0 && paths.every((p) => p === "chainId")
      ? verifyFail("INVALID_CHAIN_ID", "chainId must be a number or a string")
      : verifyFail(
        "INVALID_PAYLOAD",
        `expected an object with string address, message and signature (problem at: ${
          paths.map((p) => p === "" ? "(root)" : p).join(", ")
        })`
      )
  }
  return Effect.succeed(payload.right)
}

/**
 * What {@link verify} checks against.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerifyOptions {
  /** The allowed domain(s), compared without protocol, port and path (e.g. `["api.venice.ai", "venice.ai"]`). */
  readonly domain: string | ReadonlyArray<string>
  /** Now. Default: `Clock`. */
  readonly now?: Date | number | undefined
  /** Oldest accepted `Issued At`. Default 5 minutes. */
  readonly maxAge?: Duration.DurationInput | undefined
  /** How far in the future `Issued At` may be. Default 30 seconds. */
  readonly clockSkew?: Duration.DurationInput | undefined
  /** Accepted chain ids. Default `[8453]`. */
  readonly chainIds?: ReadonlyArray<number> | undefined
  /** How far a legacy payload `timestamp` may be from `Issued At`. Default 30 seconds. */
  readonly timestampTolerance?: Duration.DurationInput | undefined
  /**
   * The signature check. Default: viem's `verifyMessage` (EOA, EIP-191). Pass a public client's
   * `verifyMessage` to accept EIP-1271 smart-contract wallets too.
   */
  readonly verifySignature?:
    | ((args: { address: `0x${string}`; message: string; signature: `0x${string}` }) => Promise<boolean>)
    | undefined
}

/**
 * A verified sign-in.
 *
 * @since 0.1.0
 * @category models
 */
export interface Verified {
  /** EIP-55 checksummed. */
  readonly address: `0x${string}`
  readonly chainId: number
  readonly domain: string
  readonly uri: string
  /** Single-use: the caller remembers it (per address) until `validUntil` and rejects a replay. */
  readonly nonce: string
  readonly issuedAt: Date
  readonly expirationTime?: Date | undefined
  readonly notBefore?: Date | undefined
  readonly statement?: string | undefined
  /** The end of the header's life: the earlier of `issuedAt + maxAge` and `expirationTime`. */
  readonly validUntil: Date
}

const toMillis = (now: Date | number): number => typeof now === "number" ? now : now.getTime()

/**
 * Parses an EVM payload `chainId`: `8453`, `"8453"` or `"eip155:8453"` → 8453; a Solana CAIP-2 id → `"solana"`.
 */
const payloadChain = (chainId: number | string): number | "solana" | undefined => {
  if (typeof chainId === "number") return Number.isSafeInteger(chainId) && chainId > 0 ? chainId : undefined
  const match = /^(?:eip155:)?([0-9]{1,15})$/.exec(chainId.trim())
  if (match !== null) return Number(match[1])
  return chainId.startsWith("solana:") ? "solana" : undefined
}

const lineWithoutValue = (message: string, label: string): boolean =>
  new RegExp(`(^|\\n)${label}:[ \\t]*(\\n|$)`).test(message)

/**
 * Verifies an already decoded payload; see {@link verify} for the checks and their order.
 *
 * @since 0.1.0
 * @category verification
 */
export const verifyPayload = (
  payload: SiwxPayload,
  expected: VerifyOptions
): Effect.Effect<Verified, SiwxVerifyError> =>
  Effect.gen(function*() {
    const now = expected.now === undefined ? yield* Clock.currentTimeMillis : toMillis(expected.now)
    const signature = Redacted.value(payload.signature)
    if (payload.address.length === 0 || payload.message.length === 0 || signature.length === 0) {
      return yield* verifyFail("INVALID_PAYLOAD", "address, message and signature must not be empty")
    }
    const claimedChain = payload.chainId === undefined ? undefined : payloadChain(payload.chainId)
    if (payload.chainId !== undefined && claimedChain === undefined) {
      return yield* verifyFail("INVALID_CHAIN_ID", "chainId must be 8453, \"8453\" or \"eip155:8453\"")
    }
    if (payload.type === "ed25519" || claimedChain === "solana") {
      return yield* verifyFail("UNSUPPORTED_CHAIN", "Solana (ed25519) sign-in is not supported by this verifier")
    }
    if (payload.type !== undefined && payload.type !== "eip191" && payload.type !== "eip1271") {
      return yield* verifyFail("INVALID_PAYLOAD", "type must be omitted for EVM wallets")
    }
    if (!isAddress(payload.address, { strict: false })) {
      return yield* verifyFail("INVALID_WALLET", "address is not an EVM address")
    }

    // the message
    const fields = parseSiweMessage(payload.message)
    if (fields.domain === undefined || fields.address === undefined) {
      return yield* verifyFail("INVALID_MESSAGE", "no EIP-4361 header line (`<domain> wants you to sign in …`)")
    }
    if (fields.uri === undefined || fields.nonce === undefined || fields.issuedAt === undefined) {
      if (!/(^|\n)Chain ID:/.test(payload.message)) {
        return yield* verifyFail("UNSUPPORTED_CHAIN", "no Chain ID line, read as chain 1")
      }
      if (lineWithoutValue(payload.message, "Nonce")) {
        return yield* verifyFail("MISSING_NONCE", "the Nonce line is empty")
      }
      return yield* verifyFail(
        "INVALID_MESSAGE",
        "missing or malformed URI, Version, Chain ID, Nonce or Issued At line"
      )
    }
    if (fields.version !== "1") {
      return yield* verifyFail("INVALID_MESSAGE", "Version must be 1")
    }
    if (fields.nonce.length < 8) {
      return yield* verifyFail("INVALID_MESSAGE", "the nonce must be at least 8 alphanumeric characters")
    }
    const issuedAt = fields.issuedAt.getTime()
    const expirationTime = fields.expirationTime?.getTime()
    const notBefore = fields.notBefore?.getTime()
    if (
      Number.isNaN(issuedAt) || (expirationTime !== undefined && Number.isNaN(expirationTime)) ||
      (notBefore !== undefined && Number.isNaN(notBefore))
    ) {
      return yield* verifyFail("INVALID_MESSAGE", "a time is not an RFC 3339 date-time")
    }

    // who, where, which chain
    if (fields.address.toLowerCase() !== payload.address.toLowerCase()) {
      return yield* verifyFail("ADDRESS_MISMATCH", "payload address differs from the message address")
    }
    const messageChain = fields.chainId ?? 1
    if (claimedChain !== undefined && claimedChain !== messageChain) {
      return yield* verifyFail("CHAIN_MISMATCH", `payload chainId ${claimedChain}, message Chain ID ${messageChain}`)
    }
    const chainIds = expected.chainIds ?? [BASE_CHAIN_ID]
    if (!chainIds.includes(messageChain)) {
      return yield* verifyFail("UNSUPPORTED_CHAIN", `chain ${messageChain} (accepted: ${chainIds.join(", ")})`)
    }
    const allowed = (typeof expected.domain === "string" ? [expected.domain] : expected.domain).map(normalizeDomain)
    if (!allowed.includes(normalizeDomain(fields.domain))) {
      return yield* verifyFail("DOMAIN_MISMATCH", `domain ${fields.domain} is not one of ${allowed.join(", ")}`)
    }

    // when
    const maxAge = Duration.toMillis(expected.maxAge ?? Duration.minutes(5))
    const skew = Duration.toMillis(expected.clockSkew ?? Duration.seconds(30))
    const tolerance = Duration.toMillis(expected.timestampTolerance ?? Duration.seconds(30))
    if (payload.timestamp !== undefined && !(Math.abs(payload.timestamp - issuedAt) <= tolerance)) {
      return yield* verifyFail("TIMESTAMP_MISMATCH", `payload timestamp is more than ${tolerance} ms from Issued At`)
    }
    if (issuedAt > now + skew) {
      return yield* verifyFail("FUTURE_TIMESTAMP", `Issued At is ${issuedAt - now} ms in the future`)
    }
    if (now - issuedAt > maxAge) {
      return yield* verifyFail("EXPIRED", `Issued At is ${now - issuedAt} ms old (max ${maxAge} ms)`)
    }
    if (expirationTime !== undefined && now >= expirationTime) {
      return yield* verifyFail("EXPIRED", "Expiration Time has passed")
    }
    if (notBefore !== undefined && now < notBefore) {
      return yield* verifyFail("NOT_BEFORE", `Not Before is ${notBefore - now} ms away`)
    }

    // the signature
    if (!/^0x[0-9a-fA-F]+$/.test(signature)) {
      return yield* verifyFail("INVALID_SIGNATURE", "the signature is not hex")
    }
    const address = getAddress(payload.address)
    const check = expected.verifySignature ?? verifyMessage
    const valid = yield* Effect.tryPromise(() =>
      check({ address, message: payload.message, signature: signature as `0x${string}` })
    ).pipe(Effect.orElseSucceed(() => false))
    if (!valid) {
      return yield* verifyFail("INVALID_SIGNATURE", "the signature does not recover to the address")
    }
    return {
      address,
      chainId: messageChain,
      domain: fields.domain,
      uri: fields.uri,
      nonce: fields.nonce,
      issuedAt: new Date(issuedAt),
      ...(expirationTime !== undefined ? { expirationTime: new Date(expirationTime) } : {}),
      ...(notBefore !== undefined ? { notBefore: new Date(notBefore) } : {}),
      ...(fields.statement !== undefined ? { statement: fields.statement } : {}),
      validUntil: new Date(Math.min(issuedAt + maxAge, expirationTime ?? Number.POSITIVE_INFINITY))
    }
  })

/**
 * Verifies a `SIGN-IN-WITH-X` header the way Venice does (for the emulator and for tests). Checks, in order:
 * payload (`PARSE_ERROR`, `INVALID_PAYLOAD`, `INVALID_CHAIN_ID`, `INVALID_WALLET` for an address that is not an
 * EVM address), message (`INVALID_MESSAGE`, `MISSING_NONCE`; no `Chain ID` line reads as chain 1 →
 * `UNSUPPORTED_CHAIN`), `ADDRESS_MISMATCH`, `CHAIN_MISMATCH`, `UNSUPPORTED_CHAIN`, `DOMAIN_MISMATCH`,
 * `TIMESTAMP_MISMATCH`, `FUTURE_TIMESTAMP`, `EXPIRED` (age or `Expiration Time`), `NOT_BEFORE`, and last the
 * signature (`INVALID_SIGNATURE`). Solana payloads (`type: "ed25519"` or a `solana:` chain) are
 * `UNSUPPORTED_CHAIN` here. Nonce reuse is the caller's job: remember {@link Verified.nonce}.
 *
 * @since 0.1.0
 * @category verification
 */
export const verify = (
  header: string | Redacted.Redacted<string>,
  expected: VerifyOptions
): Effect.Effect<Verified, SiwxVerifyError> =>
  Effect.flatMap(decodeHeader(header), (payload) => verifyPayload(payload, expected))
