/**
 * `GET /api/v1/api_keys/rate_limits`: balances and per-model rate limits of the calling key (any key type).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * One rate limit: `RPM` (requests / minute), `RPD` (requests / day) or `TPM` (tokens / minute). Open.
 *
 * @since 0.1.0
 * @category response
 */
export const RateLimit = Schema.Struct({
  /** The limit. */
  amount: Schema.Finite,
  /** `RPM`, `RPD` or `TPM`. */
  type: Common.OpenLiteral("RPM", "RPD", "TPM")
}).annotations({ identifier: "RateLimit" })

/**
 * The limits of one model (video and music models have none: an empty array).
 *
 * @since 0.1.0
 * @category response
 */
export const ModelRateLimits = Schema.Struct({
  /** The model. */
  apiModelId: optional(Schema.String),
  rateLimits: Schema.Array(RateLimit)
}).annotations({ identifier: "ModelRateLimits" })

/**
 * What this key can spend right now: each balance clamped to the key's remaining limit. Any may be missing when
 * unknown; `BUNDLED_CREDITS` (USD-denominated) is documented by the skills, not the spec. Earned credits are not
 * listed.
 *
 * @since 0.1.0
 * @category response
 */
export const KeyBalances = Schema.Struct({
  USD: optional(Schema.NullOr(Schema.Finite)),
  DIEM: optional(Schema.NullOr(Schema.Finite)),
  BUNDLED_CREDITS: optional(Schema.NullOr(Schema.Finite))
}).annotations({ identifier: "KeyBalances" })

/**
 * The response of `GET /api_keys/rate_limits`. Gate requests on `data.accessPermitted` (it includes balance, per-key
 * limits and account status), not on `/billing/balance`'s `canConsume`.
 *
 * @since 0.1.0
 * @category response
 */
export class RateLimitsResponse extends Schema.Class<RateLimitsResponse>("RateLimitsResponse")({
  data: Schema.Struct({
    /** Whether the key may consume the inference APIs now. */
    accessPermitted: Schema.Boolean,
    /** The account's API tier (`isCharged` is always `true`). */
    apiTier: Schema.Struct({ id: Schema.String, isCharged: Schema.Boolean }),
    /** Spendable balances of this key. */
    balances: KeyBalances,
    /** Expiry timestamp of the key; `null` when it never expires. */
    keyExpiration: Schema.NullOr(Schema.String),
    /** When DIEM allocations and `EPOCH` key limits reset. */
    nextEpochBegins: Schema.String,
    /** Per-model limits. */
    rateLimits: Schema.Array(ModelRateLimits)
  })
}) {}

// -----------------------------------------------------------------------------
// key management (ADMIN keys)
// -----------------------------------------------------------------------------

/**
 * `INFERENCE` keys call the inference and utility routes; `ADMIN` keys also manage keys and read billing.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiKeyType = Schema.Literal("INFERENCE", "ADMIN")

/**
 * The window consumption limits are measured over: `EPOCH` (UTC day, default), `MONTH`, `LIFETIME`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const LimitPeriod = Common.OpenLiteral("EPOCH", "MONTH", "LIFETIME")

/**
 * Which models a key may call: `ALL`, `PRIVATE_TEXT` (text / embedding models Private, TEE or E2EE), `PRIVATE_ONLY`.
 * A forbidden model is a `403` (`MODEL_PRIVACY_RESTRICTED`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelPrivacy = Common.OpenLiteral("ALL", "PRIVATE_TEXT", "PRIVATE_ONLY")

const limit = Schema.NullOr(Schema.Finite.pipe(Schema.between(0, 9999999999)))

/**
 * Consumption limits per `limitPeriod`: `usd` (USD, bundled and earned credits together), `diem`; `null` = no cap.
 * `vcu` is the deprecated name of `diem`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ConsumptionLimits = Schema.Struct({
  usd: optional(limit),
  diem: optional(limit),
  vcu: optional(limit)
}).annotations({ identifier: "ConsumptionLimits" })

/**
 * An expiry: `""` (none), a date `YYYY-MM-DD`, or a UTC datetime `YYYY-MM-DDTHH:mm:ss[.sss]Z`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExpiresAt = Schema.Union(
  Schema.Literal(""),
  Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/)),
  Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/))
).annotations({ identifier: "ExpiresAt", message: () => "\"\", YYYY-MM-DD or YYYY-MM-DDTHH:mm:ss[.sss]Z" })

/**
 * Usage figures are strings with 4 decimals.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsageFigures = Schema.Struct({
  usd: Schema.String,
  diem: Schema.String,
  vcu: optional(Schema.String)
}).annotations({ identifier: "UsageFigures" })

/**
 * A key as `GET /api_keys` and `GET /api_keys/{id}` describe it (never its secret, only `last6Chars`).
 *
 * @since 0.1.0
 * @category response
 */
export const ApiKey = Schema.Struct({
  id: Schema.String,
  apiKeyType: Common.OpenLiteral("INFERENCE", "ADMIN"),
  description: optional(Schema.String),
  createdAt: Schema.NullOr(Schema.String),
  expiresAt: Schema.NullOr(Schema.String),
  lastUsedAt: Schema.NullOr(Schema.String),
  last6Chars: Schema.String,
  consumptionLimits: ConsumptionLimits,
  limitPeriod: LimitPeriod,
  modelPrivacy: ModelPrivacy,
  /** Spend of the trailing 7 days (USD includes bundled credits). */
  usage: optional(Schema.Struct({ trailingSevenDays: UsageFigures })),
  /** Spend in the current `limitPeriod` window; only on keys with a limit. */
  currentPeriodUsage: optional(UsageFigures)
}).annotations({ identifier: "ApiKey" })

/**
 * @since 0.1.0
 * @category response
 */
export type ApiKey = typeof ApiKey.Type

/**
 * `GET /api_keys`: the active keys, newest first.
 *
 * @since 0.1.0
 * @category response
 */
export class ApiKeyList extends Schema.Class<ApiKeyList>("ApiKeyList")({
  object: Schema.Literal("list"),
  data: Schema.Array(ApiKey)
}) {}

/**
 * `GET /api_keys/{id}`.
 *
 * @since 0.1.0
 * @category response
 */
export class ApiKeyDetails extends Schema.Class<ApiKeyDetails>("ApiKeyDetails")({
  data: ApiKey
}) {}

const description = Schema.String.pipe(Schema.maxLength(64))

/**
 * `POST /api_keys` (strict body: unknown fields are a `400`). Key creation is limited to 20 per minute and 500 active
 * keys per user.
 *
 * @since 0.1.0
 * @category request
 */
export class CreateApiKeyRequest extends Schema.Class<CreateApiKeyRequest>("CreateApiKeyRequest")(
  {
    apiKeyType: ApiKeyType,
    /** At most 64 characters. */
    description,
    expiresAt: optional(ExpiresAt),
    consumptionLimit: optional(ConsumptionLimits),
    limitPeriod: optional(Schema.Literal("EPOCH", "MONTH", "LIFETIME")),
    modelPrivacy: optional(Schema.Literal("ALL", "PRIVATE_TEXT", "PRIVATE_ONLY"))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The secret of a new key: shown exactly once, kept `Redacted` so it never prints.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ApiKeySecret = Schema.Redacted(Schema.String)

/**
 * A key just created (`POST /api_keys`, `POST /api_keys/generate_web3_key`), with its secret.
 *
 * @since 0.1.0
 * @category response
 */
export const CreatedApiKey = Schema.Struct({
  id: Schema.String,
  /** The secret, `Redacted`: save it now, Venice never shows it again. */
  apiKey: ApiKeySecret,
  apiKeyType: Common.OpenLiteral("INFERENCE", "ADMIN"),
  description: optional(Schema.String),
  expiresAt: Schema.NullOr(Schema.String),
  consumptionLimit: ConsumptionLimits,
  limitPeriod: LimitPeriod,
  modelPrivacy: ModelPrivacy
}).annotations({ identifier: "CreatedApiKey" })

/**
 * The answer of `POST /api_keys` and `POST /api_keys/generate_web3_key`.
 *
 * @since 0.1.0
 * @category response
 */
export class CreateApiKeyResponse extends Schema.Class<CreateApiKeyResponse>("CreateApiKeyResponse")({
  success: Schema.Boolean,
  data: CreatedApiKey
}) {}

/**
 * `PATCH /api_keys`: `id` and the fields to change (`""` or `null` removes an expiry; a `null` limit removes that
 * cap). `apiKeyType` cannot change.
 *
 * @since 0.1.0
 * @category request
 */
export class UpdateApiKeyRequest extends Schema.Class<UpdateApiKeyRequest>("UpdateApiKeyRequest")(
  {
    id: Schema.String.pipe(Schema.minLength(1)),
    description: optional(description),
    expiresAt: optional(Schema.NullOr(ExpiresAt)),
    consumptionLimit: optional(ConsumptionLimits),
    limitPeriod: optional(Schema.Literal("EPOCH", "MONTH", "LIFETIME")),
    modelPrivacy: optional(Schema.Literal("ALL", "PRIVATE_TEXT", "PRIVATE_ONLY"))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The answer of `PATCH /api_keys`: the key as updated (no usage figures).
 *
 * @since 0.1.0
 * @category response
 */
export class UpdateApiKeyResponse extends Schema.Class<UpdateApiKeyResponse>("UpdateApiKeyResponse")({
  success: Schema.Boolean,
  data: ApiKey.pipe(Schema.omit("usage", "currentPeriodUsage"))
}) {}

/**
 * The answer of `DELETE /api_keys?id=…` (revocation is immediate).
 *
 * @since 0.1.0
 * @category response
 */
export class DeleteApiKeyResponse extends Schema.Class<DeleteApiKeyResponse>("DeleteApiKeyResponse")({
  success: Schema.Boolean
}) {}

/**
 * One rate-limit breach of `GET /api_keys/rate_limits/log`. `modelId` is a model id, `endpoint:api/v1/…` for
 * endpoint-level limits, or `model:unknown`.
 *
 * @since 0.1.0
 * @category response
 */
export const RateLimitLogEntry = Schema.Struct({
  apiKeyId: Schema.String,
  modelId: Schema.String,
  rateLimitTier: Schema.String,
  rateLimitType: Common.OpenLiteral("RPD", "RPM", "TPM", "FAILED_REQUESTS", "UNSUPPORTED_FEATURE_REQUESTS"),
  timestamp: Schema.String
}).annotations({ identifier: "RateLimitLogEntry" })

/**
 * `GET /api_keys/rate_limits/log` (ADMIN key): the account's last 50 breaches, newest first.
 *
 * @since 0.1.0
 * @category response
 */
export class RateLimitLog extends Schema.Class<RateLimitLog>("RateLimitLog")({
  object: Schema.Literal("list"),
  data: Schema.Array(RateLimitLogEntry)
}) {}

/**
 * `GET /api_keys/generate_web3_key`: a token (a JWT, valid 15 minutes) for the wallet to sign.
 *
 * @since 0.1.0
 * @category response
 */
export class Web3Token extends Schema.Class<Web3Token>("Web3Token")({
  success: Schema.Boolean,
  data: Schema.Struct({ token: Schema.String })
}) {}

/**
 * `POST /api_keys/generate_web3_key`: the wallet's address, its EIP-191 signature of the token, the token, and the
 * key's settings as for `POST /api_keys` (`description` defaults to `Web3 API Key`). The wallet must hold staked VVV
 * on Base.
 *
 * @since 0.1.0
 * @category request
 */
export class GenerateWeb3KeyRequest extends Schema.Class<GenerateWeb3KeyRequest>("GenerateWeb3KeyRequest")(
  {
    address: Schema.String.pipe(Schema.pattern(/^0x[0-9a-fA-F]{40}$/, { message: () => "a 0x-prefixed EVM address" })),
    signature: Schema.String.pipe(Schema.pattern(/^0x[0-9a-fA-F]+$/, { message: () => "a 0x-prefixed hex signature" })),
    token: Schema.String.pipe(Schema.minLength(1)),
    apiKeyType: ApiKeyType,
    description: optional(Schema.String),
    expiresAt: optional(ExpiresAt),
    consumptionLimit: optional(ConsumptionLimits),
    limitPeriod: optional(Schema.Literal("EPOCH", "MONTH", "LIFETIME")),
    modelPrivacy: optional(Schema.Literal("ALL", "PRIVATE_TEXT", "PRIVATE_ONLY"))
  },
  [undefined, undefined, Common.rejectExcess]
) {}
