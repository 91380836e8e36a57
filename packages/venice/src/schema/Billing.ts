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

// -----------------------------------------------------------------------------
// usage history and analytics (ADMIN keys)
// -----------------------------------------------------------------------------

/**
 * The currencies of a usage-history entry (and of its `currency` filter; `VCU` is refused).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsageCurrency = Common.OpenLiteral("USD", "DIEM", "BUNDLED_CREDITS", "EARNED_CREDITS")

const timestamp = Schema.String.pipe(
  Schema.maxLength(40),
  Schema.pattern(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?Z$/, {
    message: () => "an ISO 8601 UTC timestamp ending in Z"
  })
)
const cursor = Schema.String.pipe(Schema.maxLength(512), Schema.pattern(/^[A-Za-z0-9_-]+$/))

/**
 * The query of `GET /billing/usage-history`: a first page (filters, all optional) or a continuation (`cursor` alone —
 * it carries the walk's filters and page size; Venice answers `400` to a cursor with any filter).
 *
 * @since 0.1.0
 * @category request
 */
export const UsageHistoryParams = Schema.Union(
  Schema.Struct({
    /** Inclusive lower bound (ISO 8601 UTC, `Z`). */
    startTimestamp: optional(timestamp),
    /** Exclusive upper bound, later than `startTimestamp`. */
    endTimestamp: optional(timestamp),
    currency: optional(Schema.Literal("USD", "DIEM", "BUNDLED_CREDITS", "EARNED_CREDITS")),
    /** 10–1000 (default 1000). */
    pageSize: optional(Schema.Int.pipe(Schema.between(10, 1000)))
  }).pipe(
    Schema.filter((params) =>
      params.startTimestamp !== undefined && params.endTimestamp !== undefined &&
        Date.parse(params.endTimestamp) <= Date.parse(params.startTimestamp)
        ? { path: ["endTimestamp"], message: "endTimestamp must be later than startTimestamp" }
        : undefined
    )
  ),
  Schema.Struct({ cursor })
).annotations({ identifier: "UsageHistoryParams", parseOptions: { onExcessProperty: "error" } })

/**
 * @since 0.1.0
 * @category request
 */
export type UsageHistoryParams = typeof UsageHistoryParams.Encoded

/**
 * One ledger row. `units` of an LLM are millions of tokens; `amount` is negative for a debit. One request may have
 * several rows (input and output SKUs) repeating the same `inferenceDetails`.
 *
 * @since 0.1.0
 * @category response
 */
export const UsageEntry = Schema.Struct({
  timestamp: Schema.String,
  sku: Schema.String,
  units: Schema.Finite,
  pricePerUnitUsd: Schema.Finite,
  amount: Schema.Finite,
  currency: UsageCurrency,
  notes: Schema.String,
  inferenceDetails: Schema.NullOr(
    Schema.Struct({
      requestId: Schema.String,
      promptTokens: Schema.NullOr(Schema.Int),
      completionTokens: Schema.NullOr(Schema.Int),
      inferenceExecutionTime: Schema.NullOr(Schema.Int)
    })
  )
}).annotations({ identifier: "UsageEntry" })

/**
 * @since 0.1.0
 * @category response
 */
export type UsageEntry = typeof UsageEntry.Type

/**
 * One page of `GET /billing/usage-history` (ascending by time); `nextCursor` is `null` on the last page.
 *
 * @since 0.1.0
 * @category response
 */
export class UsageHistoryPage extends Schema.Class<UsageHistoryPage>("UsageHistoryPage")({
  data: Schema.Array(UsageEntry),
  nextCursor: Schema.NullOr(Schema.String)
}) {}

const day = Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "a date YYYY-MM-DD" }))

/**
 * The query of `GET /billing/usage-analytics`: `lookback` (`Nd`, default `7d`, clamped to `90d`) or `startDate` and
 * `endDate` together (inclusive UTC days, at most 90 days apart).
 *
 * @since 0.1.0
 * @category request
 */
export const UsageAnalyticsParams = Schema.Struct({
  lookback: optional(Schema.String.pipe(Schema.pattern(/^[1-9]\d*d$/, { message: () => "a lookback like 7d" }))),
  startDate: optional(day),
  endDate: optional(day)
}).pipe(
  Schema.filter((params) => {
    if ((params.startDate === undefined) !== (params.endDate === undefined)) {
      return { path: [], message: "send startDate and endDate together (one alone is ignored by Venice)" }
    }
    if (params.startDate !== undefined && params.endDate !== undefined) {
      const span = (Date.parse(params.endDate) - Date.parse(params.startDate)) / 86_400_000
      if (span < 0) return { path: ["endDate"], message: "endDate must not be before startDate" }
      if (span >= 90) return { path: ["endDate"], message: "the range spans at most 90 days" }
    }
    return undefined
  })
).annotations({ identifier: "UsageAnalyticsParams", parseOptions: { onExcessProperty: "error" } })

/**
 * @since 0.1.0
 * @category request
 */
export type UsageAnalyticsParams = typeof UsageAnalyticsParams.Encoded

/**
 * A chart row: `date` (Unix ms) plus one number per series.
 *
 * @since 0.1.0
 * @category response
 */
export const ChartRow = Schema.Record({ key: Schema.String, value: Schema.Number })

/**
 * `GET /billing/usage-analytics` (beta; cached 10 minutes): totals by date, model and key, and chart rows.
 * `byModelDailyUsd` / `byKeyDailyUsd` are documented by the skills, not the spec.
 *
 * @since 0.1.0
 * @category response
 */
export class UsageAnalytics extends Schema.Class<UsageAnalytics>("UsageAnalytics")({
  lookback: Schema.String,
  byDate: Schema.Array(Schema.Struct({ date: Schema.String, USD: Schema.Finite, DIEM: Schema.Finite })),
  byModel: Schema.Array(Schema.Struct({
    modelName: Schema.String,
    unitType: Schema.String,
    modelType: Schema.NullOr(Schema.String),
    totalUsd: Schema.Finite,
    totalDiem: Schema.Finite,
    totalUnits: Schema.Finite,
    breakdown: optional(Schema.Array(Schema.Struct({
      type: Schema.String,
      usd: Schema.Finite,
      diem: Schema.Finite,
      units: Schema.Finite
    })))
  })),
  byModelDaily: Schema.Array(ChartRow),
  byModelDailyUsd: optional(Schema.Array(ChartRow)),
  topModels: Schema.Array(Schema.String),
  byKey: Schema.Array(Schema.Struct({
    apiKeyId: Schema.NullOr(Schema.String),
    description: Schema.String,
    totalUsd: Schema.Finite,
    totalDiem: Schema.Finite,
    totalUnits: Schema.Finite
  })),
  byKeyDaily: Schema.Array(ChartRow),
  byKeyDailyUsd: optional(Schema.Array(ChartRow)),
  topKeyNames: Schema.Array(Schema.String)
}) {}
