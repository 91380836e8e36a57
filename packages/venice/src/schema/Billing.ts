/**
 * `GET /api/v1/billing/balance` (ADMIN key, beta): the account's balances and consumption currency.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * The currency the next request is charged to, in priority order `DIEM`, `EARNED_CREDITS`, `BUNDLED_CREDITS`, `USD`
 * (`VCU`, the old name of DIEM, is in the spec enum but never returned). Open.
 *
 * @since 0.1.0
 * @category response
 */
export const ConsumptionCurrency = Common.OpenLiteral("DIEM", "EARNED_CREDITS", "BUNDLED_CREDITS", "USD", "VCU")

/**
 * Balances. `diem` is `null` when the account is not staking; `usd`, `bundledCredits` and `earnedCredits` are `null`
 * when not positive (the last two are documented by the skills, not the spec).
 *
 * @since 0.1.0
 * @category response
 */
export const AccountBalances = Schema.Struct({
  /** Remaining DIEM this epoch. */
  diem: Schema.NullOr(Schema.Finite),
  /** Remaining USD. */
  usd: Schema.NullOr(Schema.Finite),
  /** Bundled (subscription) credits, USD-denominated. */
  bundledCredits: optional(Schema.NullOr(Schema.Finite)),
  /** Earned credits, USD-denominated. */
  earnedCredits: optional(Schema.NullOr(Schema.Finite))
}).annotations({ identifier: "AccountBalances" })

/**
 * The response of `GET /billing/balance`. `canConsume` ignores per-key limits and the API tier: use
 * `GET /api_keys/rate_limits` → `accessPermitted` as the admission check.
 *
 * @since 0.1.0
 * @category response
 */
export class BillingBalance extends Schema.Class<BillingBalance>("BillingBalance")({
  /** The account's spendable total is at least $0.10. */
  canConsume: Schema.Boolean,
  /** The first currency with a positive balance, or `null`. */
  consumptionCurrency: Schema.NullOr(ConsumptionCurrency),
  /** Balances. */
  balances: AccountBalances,
  /** Total DIEM of the current epoch (`balances.diem / diemEpochAllocation` = remaining fraction). */
  diemEpochAllocation: Schema.Finite
}) {}
