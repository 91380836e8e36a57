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
