/**
 * x402 protocol v2 schemas (H7, H8, X2), provider-agnostic, field for field the types of `@x402/core`
 * (`ResourceInfo`, `PaymentRequirements`, `PaymentRequired`, `PaymentPayload`, `SettleResponse`), plus the
 * `sign-in-with-x` extension and codecs for the base64 JSON headers that carry them.
 *
 * Where this module is more lenient than `@x402/core`'s TypeScript types, it follows what servers really send
 * (and what `@x402/core`'s own zod schemas accept):
 * - `network` is any non-empty string, not only CAIP-2: Venice's challenges list Solana as the bare `solana`.
 * - `PaymentRequired.resource` and `PaymentRequirements.extra` are optional (Venice's discovery bodies omit
 *   `resource`); `null` in an optional field decodes as absent.
 *
 * Forward compatibility: every protocol object keeps properties this module does not know (they survive decode
 * and encode). That matters for payments: a client echoes the chosen `PaymentRequirements` as
 * `PaymentPayload.accepted`, and servers compare the echo with what they advertised, field for field.
 * `extra`, `extensions` and `payload` are records of `unknown`, kept verbatim.
 *
 * @since 0.1.0
 */
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { base64Json } from "./HeaderCodec.js"

const preserve = { parseOptions: { onExcessProperty: "preserve" } } as const

/**
 * A JSON object with arbitrary members (`Record<string, unknown>`), as used by `extra`, `extensions` and
 * `payload`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnknownRecord = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const optionalNullable = <A, I, R>(schema: Schema.Schema<A, I, R>) =>
  Schema.optionalWith(schema, { nullable: true, exact: true })

/**
 * An amount in the asset's smallest unit, as a decimal string of digits (`"5000000"` = 5 USDC).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AtomicAmount = Schema.String.pipe(
  Schema.pattern(/^[0-9]+$/, { message: () => "amount must be a decimal string of base units" })
).annotations({ identifier: "AtomicAmount" })

/**
 * A network identifier. x402 v2 uses CAIP-2 (`eip155:8453`, `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp`), but
 * bare v1 names (`base`, `solana`) are seen in the wild, so any non-empty string is accepted.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Network = Schema.NonEmptyString.annotations({ identifier: "Network" })

/**
 * Describes the paid resource.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ResourceInfo = Schema.Struct({
  url: Schema.String,
  description: optionalNullable(Schema.String),
  mimeType: optionalNullable(Schema.String),
  serviceName: optionalNullable(Schema.String),
  tags: optionalNullable(Schema.Array(Schema.String)),
  iconUrl: optionalNullable(Schema.String)
}).annotations({ identifier: "ResourceInfo", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface ResourceInfo extends Schema.Schema.Type<typeof ResourceInfo> {}

/**
 * One way to pay (an entry of `accepts[]`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PaymentRequirements = Schema.Struct({
  scheme: Schema.NonEmptyString,
  network: Network,
  amount: AtomicAmount,
  asset: Schema.String,
  payTo: Schema.String,
  maxTimeoutSeconds: Schema.Number,
  extra: optionalNullable(UnknownRecord)
}).annotations({ identifier: "PaymentRequirements", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface PaymentRequirements extends Schema.Schema.Type<typeof PaymentRequirements> {}

/**
 * The `PAYMENT-REQUIRED` document (x402 v2): what a 402 asks for.
 *
 * @since 0.1.0
 * @category schemas
 */
export const PaymentRequired = Schema.Struct({
  x402Version: Schema.Literal(2),
  error: optionalNullable(Schema.String),
  resource: optionalNullable(ResourceInfo),
  accepts: Schema.Array(PaymentRequirements),
  extensions: optionalNullable(UnknownRecord)
}).annotations({ identifier: "PaymentRequired", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface PaymentRequired extends Schema.Schema.Type<typeof PaymentRequired> {}

/**
 * The `PAYMENT-SIGNATURE` document (x402 v2): the chosen requirements echoed as `accepted`, and the
 * scheme-specific signed `payload` (see {@link ExactEip3009Payload} for `exact` on EVM).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PaymentPayload = Schema.Struct({
  x402Version: Schema.Literal(2),
  resource: optionalNullable(ResourceInfo),
  accepted: PaymentRequirements,
  payload: UnknownRecord,
  extensions: optionalNullable(UnknownRecord)
}).annotations({ identifier: "PaymentPayload", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface PaymentPayload extends Schema.Schema.Type<typeof PaymentPayload> {}

/**
 * The `PAYMENT-RESPONSE` document: the settlement result.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SettleResponse = Schema.Struct({
  success: Schema.Boolean,
  transaction: Schema.String,
  network: Network,
  payer: optionalNullable(Schema.String),
  errorReason: optionalNullable(Schema.String),
  errorMessage: optionalNullable(Schema.String),
  amount: optionalNullable(AtomicAmount),
  extensions: optionalNullable(UnknownRecord),
  extra: optionalNullable(UnknownRecord)
}).annotations({ identifier: "SettleResponse", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface SettleResponse extends Schema.Schema.Type<typeof SettleResponse> {}

const Hex = Schema.TemplateLiteral("0x", Schema.String).pipe(
  Schema.pattern(/^0x[0-9a-fA-F]*$/, { message: () => "expected 0x-prefixed hex" })
)

/**
 * The `payload` of an `exact` EVM payment signed as an EIP-3009 `transferWithAuthorization` (as in
 * `@x402/evm`'s `ExactEIP3009Payload`). Decode `PaymentPayload.payload` with it when `accepted.scheme` is
 * `exact` on an `eip155:*` network.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExactEip3009Payload = Schema.Struct({
  signature: Schema.optional(Hex),
  authorization: Schema.Struct({
    from: Hex,
    to: Hex,
    value: AtomicAmount,
    validAfter: AtomicAmount,
    validBefore: AtomicAmount,
    nonce: Hex
  }).annotations(preserve)
}).annotations({ identifier: "ExactEip3009Payload", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface ExactEip3009Payload extends Schema.Schema.Type<typeof ExactEip3009Payload> {}

/**
 * The key of the sign-in-with-x extension in `PaymentRequired.extensions`.
 *
 * @since 0.1.0
 * @category constants
 */
export const SIGN_IN_WITH_X = "sign-in-with-x" as const

/**
 * The message fields a server proposes for a SIWX sign-in (`extensions["sign-in-with-x"].info`, Venice's
 * `siwxChallenge.info`). Times are ISO-8601 strings, as sent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SignInWithXInfo = Schema.Struct({
  domain: Schema.String,
  uri: Schema.String,
  version: Schema.String,
  nonce: Schema.String,
  issuedAt: Schema.String,
  expirationTime: optionalNullable(Schema.String),
  notBefore: optionalNullable(Schema.String),
  statement: optionalNullable(Schema.String),
  chainId: optionalNullable(Schema.Union(Schema.String, Schema.Number)),
  type: optionalNullable(Schema.String),
  requestId: optionalNullable(Schema.String),
  resources: optionalNullable(Schema.Array(Schema.String))
}).annotations({ identifier: "SignInWithXInfo", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface SignInWithXInfo extends Schema.Schema.Type<typeof SignInWithXInfo> {}

/**
 * A chain and signature type a server accepts for SIWX (`{ chainId: "eip155:8453", type: "eip191" }`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const SignInWithXChain = Schema.Struct({
  chainId: Schema.String,
  type: Schema.String
}).annotations({ identifier: "SignInWithXChain", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface SignInWithXChain extends Schema.Schema.Type<typeof SignInWithXChain> {}

/**
 * The sign-in-with-x extension (`extensions["sign-in-with-x"]`; the same shape as Venice's `siwxChallenge`).
 * Other members (such as the JSON `schema` the reference server adds) are kept.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SignInWithXExtension = Schema.Struct({
  info: SignInWithXInfo,
  supportedChains: Schema.Array(SignInWithXChain)
}).annotations({ identifier: "SignInWithXExtension", ...preserve })

/**
 * @since 0.1.0
 * @category models
 */
export interface SignInWithXExtension extends Schema.Schema.Type<typeof SignInWithXExtension> {}

const decodeSignInWithX = Schema.decodeUnknownOption(SignInWithXExtension)

/**
 * The sign-in-with-x extension of a `PaymentRequired`, if present and well-formed. A malformed extension is
 * `None`: it never invalidates the payment options around it.
 *
 * @since 0.1.0
 * @category getters
 */
export const signInWithX = (paymentRequired: PaymentRequired): Option.Option<SignInWithXExtension> =>
  paymentRequired.extensions !== undefined && Object.hasOwn(paymentRequired.extensions, SIGN_IN_WITH_X)
    ? decodeSignInWithX(paymentRequired.extensions[SIGN_IN_WITH_X])
    : Option.none()

/**
 * Codec for the `PAYMENT-REQUIRED` response header (H7): base64 JSON {@link PaymentRequired}.
 *
 * @example
 * ```ts
 * import * as Either from "effect/Either"
 * import * as Schema from "effect/Schema"
 * import { PaymentRequiredHeader } from "@venice-effect/core/X402"
 *
 * const decoded = Schema.decodeUnknownEither(PaymentRequiredHeader)(response.headers["payment-required"])
 * if (Either.isRight(decoded)) console.log(decoded.right.accepts.map((a) => a.network))
 * ```
 *
 * @since 0.1.0
 * @category headers
 */
export const PaymentRequiredHeader: Schema.Schema<PaymentRequired, string> = base64Json(PaymentRequired)

/**
 * Codec for the `PAYMENT-SIGNATURE` request header: base64 JSON {@link PaymentPayload}. The encoded value is
 * a bearer payment authorisation: keep it `Redacted` outside the request itself.
 *
 * @since 0.1.0
 * @category headers
 */
export const PaymentSignatureHeader: Schema.Schema<PaymentPayload, string> = base64Json(PaymentPayload)

/**
 * Codec for the `PAYMENT-RESPONSE` response header (H8): base64 JSON {@link SettleResponse}.
 *
 * @since 0.1.0
 * @category headers
 */
export const PaymentResponseHeader: Schema.Schema<SettleResponse, string> = base64Json(SettleResponse)

/**
 * Header names (lower case, as `@effect/platform` stores them), canonical x402 v2 names first.
 *
 * @since 0.1.0
 * @category constants
 */
export const HeaderNames = {
  paymentRequired: "payment-required",
  paymentSignature: "payment-signature",
  paymentResponse: "payment-response",
  signInWithX: "sign-in-with-x"
} as const
