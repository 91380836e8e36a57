/**
 * The `SIGN-IN-WITH-X` header (X1) for Base (EIP-4361 message, EIP-191 or EIP-1271 signature) and Solana
 * (CAIP-122 message, Ed25519 signature), built, encoded, signed and verified with `@x402/extensions`' sign-in-with-x
 * module. This module keeps what is Venice's own: the two header forms Venice accepts, the chain-id spellings, the
 * domain allow-list, the 5-minute TTL with 30 s of clock skew, the legacy `timestamp`, and the `X402_SIGN_IN_*` code of
 * every rejection.
 *
 * ## Two header forms (base64 JSON, X6)
 *
 * - `message` (the default): `{ address, message, signature, chainId }` (+ `type: "ed25519"` on Solana), the form
 *   Venice's OpenAPI security scheme, its x402 guide and its own SDK use. The server verifies the exact bytes signed.
 * - `structured`: the x402 v2 fields (`domain`, `address`, `uri`, `version`, `nonce`, `issuedAt`, `chainId`, `type`, …,
 *   `signature`), what `@x402/extensions` sends; the server rebuilds the message (with the bare chain reference in the
 *   `Chain ID` line) and verifies the signature over it.
 *
 * {@link decodeHeader} and {@link verify} accept both, like Venice.
 *
 * ## Nonces and times
 *
 * A header is good for exactly one request: servers consume the nonce when the signature verifies and reject a
 * replay (`X402_SIGN_IN_NONCE_REUSED`), and a message is accepted for 5 minutes after `Issued At`. So every attempt,
 * retries included, needs a new message. {@link makeFields} builds it from a fresh server challenge (its nonce and
 * times, once; only when the challenge is bound to the origin the request goes to) or client-side (128 random bits of
 * nonce, `Issued At` = now from `Clock`, `Expiration Time` = now + 4 minutes).
 *
 * ## Secrets
 *
 * The private key never passes through this module (a {@link Signer} signs). Signatures are `Redacted` in
 * {@link SiwxPayload} and the encoded header is a `Redacted<string>`: a header is a bearer credential for up to
 * 5 minutes. Errors never quote the header, the message or the signature.
 *
 * @since 0.1.0
 */
import {
  assertSIWxChallengeBoundToOrigin,
  createSIWxMessage,
  decodeBase58,
  encodeSIWxHeader,
  signEVMMessage,
  signSolanaMessage,
  verifyEVMSignature,
  verifySolanaSignature
} from "@x402/extensions/sign-in-with-x"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Encoding from "effect/Encoding"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Record from "effect/Record"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { getAddress, isAddress } from "viem"
import { Base64Json, encodeBase64Utf8 } from "./HeaderCodec.js"
import * as Caip122 from "./internal/caip122.js"
import type { SignInWithXInfo } from "./X402.js"

// ─── chains ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Base mainnet's chain id, the only EVM chain Venice accepts for SIWX.
 *
 * @since 0.1.0
 * @category constants
 */
export const BASE_CHAIN_ID = 8453

/**
 * Base mainnet, CAIP-2.
 *
 * @since 0.1.0
 * @category constants
 */
export const BASE_MAINNET = "eip155:8453"

/**
 * Solana mainnet, CAIP-2 (the reference is the genesis hash).
 *
 * @since 0.1.0
 * @category constants
 */
export const SOLANA_MAINNET = "solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp"

/**
 * A payload `chainId` the way Venice reads it, as CAIP-2: `8453`, `"8453"` or `"eip155:8453"` on EVM,
 * `"solana:<reference>"` on Solana. Anything else is `undefined` (Venice answers `X402_SIGN_IN_INVALID_CHAIN_ID`).
 *
 * @since 0.1.0
 * @category chains
 */
export const parseChainId = (chainId: number | string): string | undefined => {
  if (typeof chainId === "number") return Number.isSafeInteger(chainId) && chainId > 0 ? `eip155:${chainId}` : undefined
  const evm = /^(?:eip155:)?([1-9][0-9]{0,14})$/.exec(chainId)
  if (evm !== null) return `eip155:${evm[1]}`
  return /^solana:[1-9A-HJ-NP-Za-km-z]{1,44}$/.test(chainId) ? chainId : undefined
}

const isSolana = (caip2: string): boolean => caip2.startsWith("solana:")

// ─── failures ────────────────────────────────────────────────────────────────────────────────────

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

/**
 * Every sign-in failure reason, in {@link SignInFailure}'s order.
 *
 * @since 0.2.0
 * @category catalog
 */
export const signInFailureReasons: ReadonlyArray<SignInFailureReason> = Record.keys(SignInFailure)

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
  reason: Schema.Literal(...signInFailureReasons),
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
 * - `InvalidField`: a field the message format refuses (domain, nonce, uri, a statement with a newline, …) or a bad
 *   challenge.
 * - `DomainMismatch`: the challenge is not bound to the origin the request goes to (or to the expected domain).
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

// ─── signers ─────────────────────────────────────────────────────────────────────────────────────

/**
 * An EVM signer: an address and EIP-191 `signMessage`, such as viem's `LocalAccount` (`privateKeyToAccount(key)`).
 *
 * @since 0.1.0
 * @category models
 */
export interface EvmSigner {
  readonly address: `0x${string}`
  readonly signMessage: (args: { readonly message: string }) => Promise<`0x${string}`>
}

/**
 * A Solana signer: a base58 address and an Ed25519 signature over raw bytes (64 bytes back). `VeniceWallet` adapts a
 * `@solana/kit` key pair signer to it.
 *
 * @since 0.1.0
 * @category models
 */
export interface SolanaSigner {
  readonly namespace: "solana"
  readonly address: string
  readonly signBytes: (message: Uint8Array) => Promise<Uint8Array>
}

/**
 * What signs a SIWX message.
 *
 * @since 0.1.0
 * @category models
 */
export type Signer = EvmSigner | SolanaSigner

/**
 * @since 0.1.0
 * @category predicates
 */
export const isSolanaSigner = (signer: Signer): signer is SolanaSigner => "namespace" in signer

/**
 * The chain a signer signs in on by default: Base for EVM, Solana mainnet for Solana.
 *
 * @since 0.1.0
 * @category chains
 */
export const defaultChainOf = (signer: Signer): string => (isSolanaSigner(signer) ? SOLANA_MAINNET : BASE_MAINNET)

// ─── payloads ────────────────────────────────────────────────────────────────────────────────────

/**
 * The two JSON forms of the header (see the module docs).
 *
 * @since 0.1.0
 * @category models
 */
export type HeaderForm = "message" | "structured"

/**
 * The structured SIWX fields (CAIP-122): what a server challenge proposes plus the chain and the signature type. Times
 * are RFC 3339 strings.
 *
 * @since 0.1.0
 * @category models
 */
export interface SiwxFields {
  readonly domain: string
  readonly address: string
  readonly uri: string
  readonly version: string
  readonly chainId: string
  readonly type: "eip191" | "eip1271" | "ed25519"
  readonly nonce: string
  readonly issuedAt: string
  readonly expirationTime?: string | undefined
  readonly notBefore?: string | undefined
  readonly statement?: string | undefined
  readonly requestId?: string | undefined
  readonly resources?: ReadonlyArray<string> | undefined
}

/**
 * A decoded (or freshly signed) `SIGN-IN-WITH-X` payload. `message` is the exact text signed: sent as is in the
 * `message` form, rebuilt from `fields` for the `structured` form. `chainId` is as sent (`8453`, `"8453"`,
 * `"eip155:8453"`, `"solana:…"`); `type` (`"ed25519"`) and `timestamp` (Unix ms, Venice-legacy) are optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface SiwxPayload {
  readonly form: HeaderForm
  readonly address: string
  readonly message: string
  readonly signature: Redacted.Redacted<string>
  readonly chainId?: number | string | undefined
  readonly type?: string | undefined
  readonly timestamp?: number | undefined
  /** The structured fields (always set for the `structured` form, and by {@link signFields}). */
  readonly fields?: SiwxFields | undefined
}

const Optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optionalWith(schema, { exact: true })
const ChainIdField = Optional(Schema.Union(Schema.Number, Schema.String))

/** The `message` form on the wire. */
const MessageForm = Schema.Struct({
  address: Schema.String,
  message: Schema.String,
  signature: Schema.String,
  chainId: ChainIdField,
  type: Optional(Schema.String),
  timestamp: Optional(Schema.Number)
})

/** The structured form on the wire: Venice requires `domain`, `address`, `uri`, `nonce`, `issuedAt` and `chainId`. */
const StructuredForm = Schema.Struct({
  domain: Schema.String,
  address: Schema.String,
  uri: Schema.String,
  version: Optional(Schema.String),
  chainId: Schema.Union(Schema.Number, Schema.String),
  type: Optional(Schema.String),
  nonce: Schema.String,
  issuedAt: Schema.String,
  expirationTime: Optional(Schema.String),
  notBefore: Optional(Schema.String),
  statement: Optional(Schema.String),
  requestId: Optional(Schema.String),
  resources: Optional(Schema.Array(Schema.String)),
  signature: Schema.String,
  timestamp: Optional(Schema.Number)
})

// ─── messages ────────────────────────────────────────────────────────────────────────────────────

const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
const NONCE = /^[a-zA-Z0-9]{8,}$/
const BASE58 = /^[1-9A-HJ-NP-Za-km-z]+$/

/** Unix ms of an RFC 3339 date-time, `NaN` for anything else. */
const rfc3339 = (value: string): number => DATE_TIME.test(value) ? Date.parse(value) : Number.NaN

/** What EIP-4361 is strict about (so that `@x402/extensions` is only handed fields it formats). */
const fieldProblem = (fields: SiwxFields): string | undefined => {
  if (!NONCE.test(fields.nonce)) return "the nonce must be at least 8 alphanumeric characters"
  const times = [fields.issuedAt, fields.expirationTime, fields.notBefore]
  if (times.some((time) => time !== undefined && Number.isNaN(rfc3339(time)))) {
    return "a time is not an RFC 3339 date-time"
  }
  const { domain, requestId, resources, statement, uri, version } = fields
  const lines = [domain, uri, version, statement, requestId, ...(resources ?? [])]
  if (lines.some((value) => value !== undefined && /[\r\n]/.test(value))) return "a field spans several lines"
  if (!/^[^\s/?#]+$/.test(fields.domain)) return "the domain is not a host"
  if (!URL.canParse(fields.uri)) return "the uri is not a URI"
  return fields.version === "1" ? undefined : "Version must be 1"
}

/**
 * The message text of structured fields, formatted by `@x402/extensions` (EIP-4361 through `siwe` on EVM, the Solana
 * format on Solana; the `Chain ID` line carries the bare reference).
 *
 * @since 0.1.0
 * @category messages
 */
export const formatMessage = (fields: SiwxFields): Either.Either<string, string> => {
  const chainId = parseChainId(fields.chainId)
  const problem = chainId === undefined ? `unsupported chainId ${fields.chainId}` : fieldProblem(fields)
  if (chainId === undefined || problem !== undefined) return Either.left(problem ?? "")
  return Either.try({
    try: () =>
      createSIWxMessage(
        { ...libInfo(fields), chainId, type: isSolana(chainId) ? "ed25519" : "eip191" },
        fields.address
      ),
    // `split` returns at least one element
    catch: (error) => (error instanceof Error ? error.message.split("\n")[0]! : "the fields do not format")
  })
}

/** The fields as `@x402/extensions` types them (no `undefined` members, mutable resources). */
const libInfo = (fields: SiwxFields) => ({
  domain: fields.domain,
  uri: fields.uri,
  version: fields.version,
  nonce: fields.nonce,
  issuedAt: fields.issuedAt,
  ...(fields.expirationTime !== undefined ? { expirationTime: fields.expirationTime } : {}),
  ...(fields.notBefore !== undefined ? { notBefore: fields.notBefore } : {}),
  ...(fields.statement !== undefined ? { statement: fields.statement } : {}),
  ...(fields.requestId !== undefined ? { requestId: fields.requestId } : {}),
  ...(fields.resources !== undefined ? { resources: [...fields.resources] } : {})
})

// ─── client ──────────────────────────────────────────────────────────────────────────────────────

/**
 * Options for {@link makeFields}.
 *
 * @since 0.1.0
 * @category models
 */
export interface MessageOptions {
  /**
   * The domain to sign in to (e.g. `api.venice.ai`). Required without a challenge. With a challenge and no `origin`,
   * the challenge's domain must equal it (protocol, port and path ignored).
   */
  readonly domain?: string | undefined
  /**
   * The URL the request goes to (the one that answered with the challenge). A challenge is signed only if it is bound
   * to that origin (its `domain` is the URL's host, its `uri` has the URL's origin: x402's origin binding); a sign-in
   * proof can be replayed against the domain it names, so a challenge for anywhere else is refused.
   */
  readonly origin?: string | URL | undefined
  /** Default: the challenge's `uri`, else `https://<domain>`. */
  readonly uri?: string | undefined
  /** Default: the challenge's statement, else none. Must not contain a newline. */
  readonly statement?: string | undefined
  /** The chain: `8453` or a CAIP-2 id. Default Base (`eip155:8453`). */
  readonly chainId?: number | string | undefined
  /** Lifetime of a client-side message (`Expiration Time` − `Issued At`). Default 4 minutes. */
  readonly expiresIn?: Duration.DurationInput | undefined
  /** How long after its `issuedAt` a challenge may be used (minus a 30 s margin). Default 5 minutes. */
  readonly maxAge?: Duration.DurationInput | undefined
  /** A nonce for a client-side message (≥ 8 alphanumerics). Default: 32 hex characters from the platform CSPRNG. */
  readonly nonce?: string | undefined
  /** Ignore the challenge's nonce and times even when fresh (keep its domain, uri, statement). */
  readonly clientNonce?: boolean | undefined
  /** The header form {@link makeHeader} encodes. Default `message`. */
  readonly form?: HeaderForm | undefined
}

const CHALLENGE_MARGIN_MILLIS = 30_000

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

/**
 * Whether a challenge is bound to the origin of `url` (its `domain` is the URL's host, its `uri` has the URL's
 * origin), checked by `@x402/extensions`. A client signs only such challenges (X5).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isBoundToOrigin = (challenge: SignInWithXInfo, url: string | URL): boolean =>
  Either.isRight(Either.try(() => {
    const { domain, issuedAt, nonce, uri, version } = challenge
    assertSIWxChallengeBoundToOrigin({ domain, issuedAt, nonce, uri, version }, url)
  }))

const signError = (reason: SiwxSignError["reason"], message: string, cause?: unknown) =>
  new SiwxSignError(cause === undefined ? { reason, message } : { reason, message, cause })

const messageOf = (error: unknown): string =>
  Predicate.hasProperty(error, "shortMessage") && typeof error.shortMessage === "string"
    ? error.shortMessage
    : error instanceof Error
    ? error.message
    : String(error)

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
  const issuedAt = Date.parse(challenge.issuedAt)
  const expirationTime = challenge.expirationTime === undefined ? Infinity : Date.parse(challenge.expirationTime)
  const notBefore = challenge.notBefore === undefined ? -Infinity : Date.parse(challenge.notBefore)
  return issuedAt - CHALLENGE_MARGIN_MILLIS <= nowMillis && notBefore <= nowMillis &&
    nowMillis + CHALLENGE_MARGIN_MILLIS < Math.min(issuedAt + Duration.toMillis(maxAge), expirationTime)
}

/**
 * The structured fields of a new message for `address` (see the module docs for where nonce and times come from).
 * The current time is read from `Clock`, so `TestClock` drives it in tests.
 *
 * @example
 * ```ts
 * import * as Siwx from "@venice-effect/core/Siwx"
 *
 * // client-side nonce and times
 * const fields = Siwx.makeFields(undefined, account.address, { domain: "api.venice.ai" })
 * // or echo a fresh challenge once, if it is bound to the origin the request goes to
 * const echoed = Siwx.makeFields(challenge.info, account.address, { origin: "https://api.venice.ai/api/v1/models" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFields = (
  challenge: SignInWithXInfo | undefined,
  address: string,
  options: MessageOptions = {}
): Effect.Effect<SiwxFields, SiwxSignError> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const domain = challenge?.domain ?? options.domain
    const chainId = parseChainId(options.chainId ?? BASE_MAINNET)
    if (domain === undefined) return yield* signError("InvalidField", "no domain: pass a challenge or options.domain")
    if (chainId === undefined) return yield* signError("InvalidField", `unsupported chain ${options.chainId}`)
    if (
      challenge !== undefined && (options.origin !== undefined
        ? !isBoundToOrigin(challenge, options.origin)
        : options.domain !== undefined && normalizeDomain(challenge.domain) !== normalizeDomain(options.domain))
    ) {
      const expected = options.origin !== undefined ? new URL(options.origin).origin : options.domain
      return yield* signError("DomainMismatch", `the challenge (${challenge.domain}) is not for ${expected}`)
    }
    const fresh = challenge !== undefined && options.clientNonce !== true &&
      isFreshChallenge(challenge, now, options.maxAge)
    const statement = options.statement ?? challenge?.statement
    const fields: SiwxFields = {
      domain,
      address: !isSolana(chainId) && isAddress(address, { strict: false }) ? getAddress(address) : address,
      uri: options.uri ?? challenge?.uri ?? `https://${normalizeDomain(domain)}`,
      version: challenge?.version ?? "1",
      chainId,
      type: isSolana(chainId) ? "ed25519" : "eip191",
      ...(fresh
        ? {
          nonce: challenge.nonce,
          issuedAt: challenge.issuedAt,
          expirationTime: challenge.expirationTime,
          notBefore: challenge.notBefore,
          requestId: challenge.requestId
        }
        : {
          nonce: options.nonce ?? Encoding.encodeHex(globalThis.crypto.getRandomValues(new Uint8Array(16))),
          issuedAt: new Date(now).toISOString(),
          expirationTime: new Date(now + Duration.toMillis(options.expiresIn ?? Duration.minutes(4))).toISOString()
        }),
      statement,
      resources: challenge?.resources
    }
    const problem = fieldProblem(fields)
    return problem === undefined ? fields : yield* signError("InvalidField", problem)
  })

/** EVM addresses compare case-insensitively, Solana's base58 exactly. */
const sameAddress = (a: string, b: string): boolean =>
  a.startsWith("0x") ? a.toLowerCase() === b.toLowerCase() : a === b

/**
 * Signs a message text (EIP-191 `personal_sign` on EVM, Ed25519 over its UTF-8 bytes on Solana, both through
 * `@x402/extensions`) and returns the `message`-form payload; the message must be for the signer's address. `chainId`
 * is the message's chain (`8453` on Base; the CAIP-2 id on Solana, with `type: "ed25519"`).
 *
 * @since 0.1.0
 * @category constructors
 */
export const sign = (signer: Signer, message: string): Effect.Effect<SiwxPayload, SiwxSignError> =>
  Effect.gen(function*() {
    const read = Caip122.parse(message)
    if (Either.isLeft(read)) return yield* signError("InvalidField", `not a CAIP-122 message: ${read.left.detail}`)
    const fields = read.right
    if (!sameAddress(fields.address, signer.address)) {
      return yield* signError("SignerMismatch", `the message is for ${fields.address}, the signer is ${signer.address}`)
    }
    const solana = fields.namespace === "solana"
    const reference = fields.chainReference?.replace(/^solana:/, "") ?? (solana ? undefined : "1")
    if (reference === undefined) return yield* signError("InvalidField", "the message has no Chain ID line")
    const signature = yield* Effect.tryPromise({
      try: () =>
        isSolanaSigner(signer)
          ? signSolanaMessage(message, { publicKey: signer.address, signMessage: signer.signBytes })
          : signEVMMessage(message, { address: signer.address, signMessage: signer.signMessage }),
      catch: (error) => signError("SignerFailed", `the signer failed: ${messageOf(error)}`, error)
    })
    return {
      form: "message" as const,
      address: signer.address,
      message,
      signature: Redacted.make(signature),
      ...(solana ? { chainId: `solana:${reference}`, type: "ed25519" } : { chainId: Number(reference) })
    }
  })

/**
 * Signs structured fields (the message `@x402/extensions` formats from them): a payload that encodes in either form.
 *
 * @since 0.1.0
 * @category constructors
 */
export const signFields = (signer: Signer, fields: SiwxFields): Effect.Effect<SiwxPayload, SiwxSignError> =>
  Either.match(formatMessage(fields), {
    onLeft: (problem) => Effect.fail(signError("InvalidField", problem)),
    onRight: (message) => Effect.map(sign(signer, message), (payload): SiwxPayload => ({ ...payload, fields }))
  })

/**
 * The header value for a payload: standard padded base64 of its JSON in the given form (default the payload's own),
 * `Redacted` because it is a credential. The `structured` form (encoded by `@x402/extensions`) needs `fields`;
 * without them the `message` form is used.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeHeader = (payload: SiwxPayload, form: HeaderForm = payload.form): Redacted.Redacted<string> => {
  const signature = Redacted.value(payload.signature)
  const fields = payload.fields
  return Redacted.make(
    form === "structured" && fields !== undefined
      ? encodeSIWxHeader({
        ...libInfo(fields),
        address: fields.address,
        chainId: parseChainId(fields.chainId) ?? fields.chainId,
        type: fields.type === "ed25519" ? "ed25519" : "eip191",
        signature
      })
      : encodeBase64Utf8(JSON.stringify({
        address: payload.address,
        message: payload.message,
        signature,
        chainId: payload.chainId,
        type: payload.type,
        timestamp: payload.timestamp
      }))
  )
}

/**
 * A fresh header for one request: {@link makeFields}, {@link signFields}, {@link encodeHeader} (in `options.form`,
 * default `message`). The chain defaults to the signer's (Base or Solana mainnet). Call it per attempt.
 *
 * @example
 * ```ts
 * import * as Record from "effect/Record"
import * as Redacted from "effect/Redacted"
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
  makeFields(challenge, signer.address, { chainId: defaultChainOf(signer), ...options }).pipe(
    Effect.flatMap((fields) => signFields(signer, fields)),
    Effect.map((payload) => encodeHeader(payload, options.form ?? "message"))
  )

// ─── server ──────────────────────────────────────────────────────────────────────────────────────

const verifyFail = (reason: SignInFailureReason, detail: string) => Effect.fail(new SiwxVerifyError({ reason, detail }))

const decodeJson = Schema.decodeUnknownEither(Base64Json)
const decodeMessageForm = Schema.decodeUnknownEither(MessageForm)
const decodeStructuredForm = Schema.decodeUnknownEither(StructuredForm)

const payloadFailure = (error: ParseResult.ParseError, required: string) => {
  const paths = ParseResult.ArrayFormatter.formatErrorSync(error).map((issue) => issue.path.join("."))
  return paths.length > 0 && paths.every((p) => p === "chainId")
    ? verifyFail("INVALID_CHAIN_ID", "chainId must be a number or a string")
    : verifyFail("INVALID_PAYLOAD", `expected ${required} (problem at: ${paths.map((p) => p || "(root)").join(", ")})`)
}

/** The structured form with Venice's defaults (`version` 1, `type` by chain), its message rebuilt. */
const structuredPayload = (wire: typeof StructuredForm.Type): Effect.Effect<SiwxPayload, SiwxVerifyError> => {
  const chainId = parseChainId(wire.chainId)
  if (chainId === undefined) return verifyFail("INVALID_CHAIN_ID", `chainId ${wire.chainId} is not a known spelling`)
  const { signature, timestamp, ...rest } = wire
  const type = wire.type ?? (isSolana(chainId) ? "ed25519" : "eip191")
  if (type !== "eip191" && type !== "eip1271" && type !== "ed25519") {
    return verifyFail("INVALID_PAYLOAD", "type must be eip191, eip1271 or ed25519")
  }
  const fields: SiwxFields = { ...rest, version: wire.version ?? "1", chainId, type }
  if (fields.nonce.trim() === "") return verifyFail("MISSING_NONCE", "the nonce is empty")
  if (!isSolana(chainId) && !isAddress(fields.address, { strict: false })) {
    return verifyFail("INVALID_WALLET", "address is not an EVM address")
  }
  const message = formatMessage(fields)
  if (Either.isLeft(message)) return verifyFail("INVALID_MESSAGE", `the fields do not make a message: ${message.left}`)
  return Effect.succeed({
    form: "structured",
    address: wire.address,
    message: message.right,
    signature: Redacted.make(signature),
    chainId: wire.chainId,
    type,
    timestamp,
    fields
  })
}

/**
 * Decodes a header value in either form (a JSON object with `domain` and no `message` is the structured form, whose
 * message is rebuilt). Fails with `PARSE_ERROR` (not base64 JSON), `INVALID_CHAIN_ID` (a `chainId` of the wrong type
 * or spelling), `INVALID_PAYLOAD` (required members missing), and for structured fields `INVALID_WALLET` (an EVM
 * address that is not one), `MISSING_NONCE` or `INVALID_MESSAGE` (fields that make no message).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeHeader = (
  header: string | Redacted.Redacted<string>
): Effect.Effect<SiwxPayload, SiwxVerifyError> => {
  const json = decodeJson(typeof header === "string" ? header : Redacted.value(header))
  if (Either.isLeft(json)) {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(json.left)[0]
    return verifyFail("PARSE_ERROR", issue?.message ?? "not base64 JSON")
  }
  const value = json.right
  if (Predicate.isRecord(value) && !("message" in value) && "domain" in value) {
    const wire = decodeStructuredForm(value)
    return Either.isLeft(wire)
      ? payloadFailure(wire.left, "domain, address, uri, nonce, issuedAt, chainId and signature")
      : structuredPayload(wire.right)
  }
  const wire = decodeMessageForm(value)
  if (Either.isLeft(wire)) return payloadFailure(wire.left, "an object with string address, message and signature")
  return Effect.succeed({ form: "message", ...wire.right, signature: Redacted.make(wire.right.signature) })
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
  /** Accepted chains, CAIP-2. Default Base and Solana mainnet. */
  readonly chains?: ReadonlyArray<string> | undefined
  /** How far a legacy payload `timestamp` may be from `Issued At`. Default 30 seconds. */
  readonly timestampTolerance?: Duration.DurationInput | undefined
  /**
   * The EVM signature check. Default: ECDSA recovery (EOA, EIP-191). Pass a public client's `verifyMessage` to
   * accept EIP-1271 smart-contract wallets too.
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
  /** EIP-55 checksummed on EVM, base58 on Solana. */
  readonly address: string
  /** CAIP-2 (`eip155:8453`, `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp`). */
  readonly chain: string
  readonly form: HeaderForm
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

const base58Bytes = (value: string): Uint8Array | undefined =>
  BASE58.test(value) ? Either.getOrUndefined(Either.try(() => decodeBase58(value))) : undefined

/** A Solana signature: 64 bytes in base58 or base64 (Venice accepts both). */
const solanaSignature = (value: string): Uint8Array | undefined => {
  const b58 = base58Bytes(value)
  const b64 = Either.getOrUndefined(Encoding.decodeBase64(value))
  return b58?.length === 64 ? b58 : b64?.length === 64 ? b64 : undefined
}

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
    const now = expected.now === undefined ? yield* Clock.currentTimeMillis : new Date(expected.now).getTime()
    const signature = Redacted.value(payload.signature)
    if (payload.address.length === 0 || payload.message.length === 0 || signature.length === 0) {
      return yield* verifyFail("INVALID_PAYLOAD", "address, message and signature must not be empty")
    }
    const claimed = payload.chainId === undefined ? undefined : parseChainId(payload.chainId)
    if (payload.chainId !== undefined && claimed === undefined) {
      return yield* verifyFail("INVALID_CHAIN_ID", "chainId must be 8453, \"8453\", \"eip155:8453\" or solana:…")
    }
    if (payload.type !== undefined && !["eip191", "eip1271", "ed25519"].includes(payload.type)) {
      return yield* verifyFail("INVALID_PAYLOAD", "type must be omitted (EVM), eip191, eip1271 or ed25519")
    }
    const solana = payload.type === "ed25519" || (claimed !== undefined && isSolana(claimed))
    if (solana ? base58Bytes(payload.address)?.length !== 32 : !isAddress(payload.address, { strict: false })) {
      return yield* verifyFail("INVALID_WALLET", `address is not ${solana ? "a Solana" : "an EVM"} address`)
    }

    // the message
    const read = Caip122.parse(payload.message)
    if (Either.isLeft(read)) {
      return yield* verifyFail(read.left.emptyNonce ? "MISSING_NONCE" : "INVALID_MESSAGE", read.left.detail)
    }
    const fields = read.right
    if ((fields.namespace === "solana") !== solana) {
      return yield* verifyFail("CHAIN_MISMATCH", `${fields.namespace} message, ${solana ? "Solana" : "EVM"} payload`)
    }
    if (fields.chainReference === undefined && !solana) {
      return yield* verifyFail("UNSUPPORTED_CHAIN", "no Chain ID line, read as chain 1")
    }
    const reference = fields.chainReference ?? ""
    const chain = solana ? parseChainId(`solana:${reference.replace(/^solana:/, "")}`) : parseChainId(Number(reference))
    const issuedAt = rfc3339(fields.issuedAt)
    const expirationTime = fields.expirationTime === undefined ? Infinity : rfc3339(fields.expirationTime)
    const notBefore = fields.notBefore === undefined ? -Infinity : rfc3339(fields.notBefore)
    const problem = chain === undefined
      ? "the Chain ID line is not a chain reference"
      : fields.version !== "1"
      ? "Version must be 1"
      : !NONCE.test(fields.nonce)
      ? "the nonce must be at least 8 alphanumeric characters"
      : [issuedAt, expirationTime, notBefore].some(Number.isNaN)
      ? "a time is not an RFC 3339 date-time"
      : undefined
    if (chain === undefined || problem !== undefined) return yield* verifyFail("INVALID_MESSAGE", problem ?? "")

    // who, where, which chain
    const chains = expected.chains ?? [BASE_MAINNET, SOLANA_MAINNET]
    const allowed = (typeof expected.domain === "string" ? [expected.domain] : expected.domain).map(normalizeDomain)
    if (!sameAddress(fields.address, payload.address)) {
      return yield* verifyFail("ADDRESS_MISMATCH", "payload address differs from the message address")
    }
    if (claimed !== undefined && claimed !== chain) {
      return yield* verifyFail("CHAIN_MISMATCH", `payload chainId ${claimed}, message Chain ID ${chain}`)
    }
    if (!chains.includes(chain)) {
      return yield* verifyFail("UNSUPPORTED_CHAIN", `chain ${chain} (accepted: ${chains.join(", ")})`)
    }
    if (!allowed.includes(normalizeDomain(fields.domain))) {
      return yield* verifyFail("DOMAIN_MISMATCH", `domain ${fields.domain} is not one of ${allowed.join(", ")}`)
    }

    // when (Venice: 5 minutes after Issued At, 30 s of skew, Expiration Time and Not Before enforced)
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
    if (now >= expirationTime) return yield* verifyFail("EXPIRED", "Expiration Time has passed")
    if (now < notBefore) return yield* verifyFail("NOT_BEFORE", `Not Before is ${notBefore - now} ms away`)

    // the signature, over the exact message, by @x402/extensions
    const [bytes, publicKey] = [solanaSignature(signature), base58Bytes(payload.address)]
    const valid = solana
      ? bytes !== undefined && publicKey !== undefined && verifySolanaSignature(payload.message, bytes, publicKey)
      : /^0x[0-9a-fA-F]+$/.test(signature) && (yield* Effect.tryPromise(() =>
        verifyEVMSignature(payload.message, payload.address, signature, expected.verifySignature)
      ).pipe(Effect.orElseSucceed(() => false)))
    if (!valid) return yield* verifyFail("INVALID_SIGNATURE", `the signature does not verify for the address`)
    return {
      address: solana ? payload.address : getAddress(payload.address),
      chain,
      form: payload.form,
      domain: fields.domain,
      uri: fields.uri,
      nonce: fields.nonce,
      issuedAt: new Date(issuedAt),
      ...(Number.isFinite(expirationTime) ? { expirationTime: new Date(expirationTime) } : {}),
      ...(Number.isFinite(notBefore) ? { notBefore: new Date(notBefore) } : {}),
      statement: fields.statement,
      validUntil: new Date(Math.min(issuedAt + maxAge, expirationTime))
    }
  })

/**
 * Verifies a `SIGN-IN-WITH-X` header (either form) the way Venice does (for the emulator and for tests). Checks, in
 * order: payload (`PARSE_ERROR`, `INVALID_PAYLOAD`, `INVALID_CHAIN_ID`, `INVALID_WALLET` for an address that is not
 * one of its chain), message (`INVALID_MESSAGE`, `MISSING_NONCE`; no `Chain ID` line on EVM reads as chain 1 →
 * `UNSUPPORTED_CHAIN`; the `Chain ID` of a Solana message may be bare or `solana:`-prefixed), `ADDRESS_MISMATCH`,
 * `CHAIN_MISMATCH`, `UNSUPPORTED_CHAIN`, `DOMAIN_MISMATCH`, `TIMESTAMP_MISMATCH`, `FUTURE_TIMESTAMP`, `EXPIRED` (age or
 * `Expiration Time`), `NOT_BEFORE`, and last the signature (`INVALID_SIGNATURE`; EVM hex, Solana base58 or base64).
 * Nonce reuse is the caller's job: remember {@link Verified.nonce}.
 *
 * @since 0.1.0
 * @category verification
 */
export const verify = (
  header: string | Redacted.Redacted<string>,
  expected: VerifyOptions
): Effect.Effect<Verified, SiwxVerifyError> =>
  Effect.flatMap(decodeHeader(header), (payload) => verifyPayload(payload, expected))
