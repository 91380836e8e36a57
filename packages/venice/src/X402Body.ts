/**
 * The bodies of Venice's two x402 402 answers (E7) and the `PAYMENT-REQUIRED` header, typed on top of the
 * provider-agnostic x402 v2 schemas of `@venice-effect/core/X402`. Decoding is lenient per member: one malformed
 * `accepts[]` entry or challenge does not discard the rest of the document.
 *
 * @since 0.1.0
 */
import * as HeaderDiagnostics from "@venice-effect/core/HeaderDiagnostics"
import * as X402 from "@venice-effect/core/X402"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

const opt = <A, I, R>(schema: Schema.Schema<A, I, R>) => Schema.optionalWith(schema, { exact: true })

/**
 * The x402 v2 `PaymentRequired` document (re-exported from core for convenience).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PaymentRequired = X402.PaymentRequired

/**
 * The `authOptions` of the discovery body: how to authenticate instead.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuthOptions = Schema.Struct({
  apiKey: opt(Schema.Struct({ header: opt(Schema.String), getKey: opt(Schema.String), docs: opt(Schema.String) })),
  x402Wallet: opt(
    Schema.Struct({
      header: opt(Schema.String),
      legacyHeader: opt(Schema.String),
      topUp: opt(Schema.String),
      docs: opt(Schema.String)
    })
  )
})

/**
 * E7a — the no-credentials 402 body: the x402 v2 requirements plus `authOptions`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DiscoveryBody = Schema.Struct({
  x402Version: Schema.Number,
  error: opt(Schema.String),
  resource: opt(X402.ResourceInfo),
  accepts: Schema.Array(X402.PaymentRequirements),
  extensions: opt(X402.UnknownRecord),
  /** The sign-in-with-x challenge of `extensions`, when well-formed. */
  signInWithX: opt(X402.SignInWithXExtension),
  authOptions: opt(AuthOptions)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface DiscoveryBody extends Schema.Schema.Type<typeof DiscoveryBody> {}

/**
 * How to top up, as the insufficient-balance body describes it (Base rail only; `accepts[]` of `/x402/top-up` is
 * authoritative).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TopUpInstructions = Schema.Struct({
  step1: opt(Schema.String),
  step2: opt(Schema.String),
  step3: opt(Schema.String),
  receiverWallet: opt(Schema.String),
  tokenAddress: opt(Schema.String),
  tokenDecimals: opt(Schema.Number),
  network: opt(Schema.String),
  minimumAmountUsd: opt(Schema.Number)
})

/**
 * E7b — the insufficient-balance body of a signed-in wallet (`code: "PAYMENT_REQUIRED"`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const PaymentRequiredBody = Schema.Struct({
  error: opt(Schema.String),
  code: Schema.Literal("PAYMENT_REQUIRED"),
  reason: opt(Schema.String),
  message: opt(Schema.String),
  currentBalanceUsd: opt(Schema.Number),
  minimumBalanceUsd: opt(Schema.Number),
  description: opt(Schema.String),
  suggestedTopUpUsd: opt(Schema.Number),
  minimumTopUpUsd: opt(Schema.Number),
  supportedTokens: Schema.Array(Schema.String),
  supportedChains: Schema.Array(Schema.String),
  topUpInstructions: opt(TopUpInstructions),
  siwxChallenge: opt(X402.SignInWithXExtension)
})

/**
 * @since 0.1.0
 * @category models
 */
export interface PaymentRequiredBody extends Schema.Schema.Type<typeof PaymentRequiredBody> {}

const Loose = <F extends Schema.Struct.Fields>(fields: F) => Schema.Struct(fields)
const DiscoveryCore = Loose({
  x402Version: Schema.Number,
  error: opt(Schema.String),
  accepts: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  resource: opt(Schema.Unknown),
  extensions: opt(Schema.Unknown),
  authOptions: opt(Schema.Unknown)
})
const PaymentRequiredCore = Loose({
  error: opt(Schema.String),
  code: Schema.Literal("PAYMENT_REQUIRED"),
  reason: opt(Schema.String),
  message: opt(Schema.String),
  currentBalanceUsd: opt(Schema.Number),
  minimumBalanceUsd: opt(Schema.Number),
  description: opt(Schema.String),
  suggestedTopUpUsd: opt(Schema.Number),
  minimumTopUpUsd: opt(Schema.Number),
  supportedTokens: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  supportedChains: Schema.optionalWith(Schema.Array(Schema.Unknown), { default: () => [] }),
  topUpInstructions: opt(Schema.Unknown),
  siwxChallenge: opt(Schema.Unknown)
})

const some = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownOption(schema)
  return (u: unknown): A | undefined => (u === undefined ? undefined : Option.getOrUndefined(decode(u)))
}
const decodeRequirements = some(X402.PaymentRequirements)
const decodeResource = some(X402.ResourceInfo)
const decodeRecord = some(X402.UnknownRecord)
const decodeSiwx = some(X402.SignInWithXExtension)
const decodeAuthOptions = some(AuthOptions)
const decodeInstructions = some(TopUpInstructions)
const decodeDiscoveryCore = Schema.decodeUnknownOption(DiscoveryCore)
const decodePaymentRequiredCore = Schema.decodeUnknownOption(PaymentRequiredCore)

const withDefined = <A extends Record<string, unknown>>(record: A): A => {
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(record)) if (v !== undefined) out[k] = v
  // only undefined values are dropped: under exactOptionalPropertyTypes those are A's optional fields
  return out as A
}

/**
 * Decodes an E7a body leniently: invalid `accepts[]` entries are dropped, an invalid `resource`, `extensions` or
 * `authOptions` is left out. `None` only when `x402Version` is not a number.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeDiscoveryBody = (u: unknown): Option.Option<DiscoveryBody> =>
  Option.map(decodeDiscoveryCore(u), (core) => {
    const extensions = decodeRecord(core.extensions)
    // each field is decoded to its DiscoveryBody type; withDefined drops the undefined (optional) ones
    return withDefined({
      x402Version: core.x402Version,
      error: core.error,
      resource: decodeResource(core.resource),
      accepts: core.accepts.flatMap((a) => decodeRequirements(a) ?? []),
      extensions,
      signInWithX: extensions === undefined ? undefined : decodeSiwx(extensions[X402.SIGN_IN_WITH_X]),
      authOptions: decodeAuthOptions(core.authOptions)
    }) as DiscoveryBody
  })

/**
 * Decodes an E7b body leniently (see {@link decodeDiscoveryBody}). `None` unless `code` is `"PAYMENT_REQUIRED"`.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePaymentRequiredBody = (u: unknown): Option.Option<PaymentRequiredBody> =>
  Option.map(decodePaymentRequiredCore(u), (core) =>
    // each field is decoded to its PaymentRequiredBody type; withDefined drops the undefined (optional) ones
    withDefined({
      ...core,
      supportedTokens: core.supportedTokens.filter(Predicate.isString),
      supportedChains: core.supportedChains.filter(Predicate.isString),
      topUpInstructions: decodeInstructions(core.topUpInstructions),
      siwxChallenge: decodeSiwx(core.siwxChallenge)
    }) as PaymentRequiredBody)

const decodeHeader = Schema.decodeUnknownEither(X402.PaymentRequiredHeader)

/**
 * Decodes the `PAYMENT-REQUIRED` header (H7). Absent → `Right(undefined)`; malformed → `Left` with the
 * diagnostic for a debug log, never a failure.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePaymentRequiredHeader = (
  value: string | undefined
): Either.Either<X402.PaymentRequired | undefined, HeaderDiagnostics.IgnoredHeader> =>
  value === undefined
    ? Either.right(undefined)
    : Either.mapLeft(
      decodeHeader(value),
      () => HeaderDiagnostics.ignored("payment-required", value, "not base64 JSON of an x402 v2 PaymentRequired")
    )

const decodeResponseHeader = Schema.decodeUnknownEither(X402.PaymentResponseHeader)

/**
 * Decodes the `PAYMENT-RESPONSE` header of a top-up (H8), like {@link decodePaymentRequiredHeader}.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodePaymentResponseHeader = (
  value: string | undefined
): Either.Either<X402.SettleResponse | undefined, HeaderDiagnostics.IgnoredHeader> =>
  value === undefined
    ? Either.right(undefined)
    : Either.mapLeft(
      decodeResponseHeader(value),
      () => HeaderDiagnostics.ignored("payment-response", value, "not base64 JSON of an x402 v2 SettleResponse")
    )
