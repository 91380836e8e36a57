/**
 * Billing (ADMIN keys only; an `INFERENCE` key gets `401 "Admin API key required"`, code `ADMIN_API_KEY_REQUIRED`,
 * never retried): `GET /billing/balance`, the per-request ledger `GET /billing/usage-history` (keyset pages, walked
 * by {@link usageHistoryPages}; CSV with {@link usageHistoryCsv}) and the aggregates of `GET /billing/usage-analytics`
 * (beta, cached 10 minutes). `GET /billing/usage` is retired: it answers `410` with `Deprecation` / `Link` headers,
 * which the error carries in `deprecation`.
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { Billing } from "@venice-effect/venice"
 *
 * // every ledger row of June, page after page
 * const june = Billing.usageHistoryPages({
 *   startTimestamp: "2026-06-01T00:00:00Z",
 *   endTimestamp: "2026-07-01T00:00:00Z"
 * }).pipe(Stream.flatMap((page) => Stream.fromIterable(page.data)), Stream.runCount)
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { jsonEndpoint } from "./internal/endpoint.js"
import * as Jobs from "./Jobs.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Billing.js"
import * as VeniceClient from "./VeniceClient.js"

type Call<A, R> = Effect.Effect<A, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>

const balanceEndpoint = jsonEndpoint({
  operation: "billing.balance",
  method: "GET",
  path: "billing/balance",
  request: Schema.Struct({}),
  response: Schemas.BillingBalance
})

/**
 * Reads the balances.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const balance = <R = never>(options?: VeniceClient.CallOptions<R>): Call<Schemas.BillingBalance, R> =>
  Effect.map(balanceEndpoint({}, options), (response) => response.value)

const query = (params: Readonly<Record<string, string | number | undefined>>) =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v === undefined ? undefined : String(v)]))

const historyEndpoint = jsonEndpoint({
  operation: "billing.usage_history",
  method: "GET",
  path: "billing/usage-history",
  request: Schemas.UsageHistoryParams,
  response: Schemas.UsageHistoryPage,
  query
})

/**
 * Reads one page of the ledger: a first page (`startTimestamp`, `endTimestamp`, `currency`, `pageSize`) or the
 * continuation `{ cursor }` of a previous page's `nextCursor`. A cursor with a filter is refused locally.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const usageHistory = <R = never>(
  params: Schemas.UsageHistoryParams = {},
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.UsageHistoryPage, R> => Effect.map(historyEndpoint(params, options), (response) => response.value)

/**
 * Walks the whole ledger from a first page's filters: each page is fetched when the stream needs it, following
 * `nextCursor` until it is `null`.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const usageHistoryPages = <R = never>(
  params: Exclude<Schemas.UsageHistoryParams, { readonly cursor: string }> = {},
  options?: VeniceClient.CallOptions<R>
): Stream.Stream<Schemas.UsageHistoryPage, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  Stream.paginateEffect(
    params,
    (current: Schemas.UsageHistoryParams) =>
      Effect.map(usageHistory(current, options), (page) => {
        const next: Option.Option<Schemas.UsageHistoryParams> = Option.map(
          Option.fromNullable(page.nextCursor),
          (cursor) => ({ cursor })
        )
        return [page, next] as const
      })
  )

/**
 * A CSV page of the ledger (`Accept: text/csv`): the text, and the continuation token of the `x-next-cursor` header
 * (absent on the last page).
 *
 * @since 0.1.0
 * @category models
 */
export interface CsvPage {
  readonly csv: string
  readonly nextCursor: string | undefined
}

/**
 * Reads one page of the ledger as CSV. Pass `{ cursor: page.nextCursor }` for the next one.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const usageHistoryCsv = <R = never>(
  params: Schemas.UsageHistoryParams = {},
  options?: VeniceClient.CallOptions<R>
): Call<CsvPage, R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    yield* VeniceClient.validateRequest("billing.usage_history", Schemas.UsageHistoryParams, params)
    return yield* client.execute(
      {
        operation: "billing.usage_history",
        method: "GET",
        path: "billing/usage-history",
        query: query(params),
        headers: { accept: "text/csv" }
      },
      (raw) =>
        Effect.map(Jobs.readBytes("billing.usage_history", raw.response, raw.facts), (bytes): CsvPage => ({
          csv: new TextDecoder().decode(bytes),
          nextCursor: raw.response.headers["x-next-cursor"]
        })),
      options
    )
  })

const analyticsEndpoint = jsonEndpoint({
  operation: "billing.usage_analytics",
  method: "GET",
  path: "billing/usage-analytics",
  request: Schemas.UsageAnalyticsParams,
  response: Schemas.UsageAnalytics,
  query
})

/**
 * Aggregated usage by date, model and key (`lookback` such as `30d`, or `startDate` and `endDate`). A `504` (the
 * query timed out) is retried with backoff; shorten the window if it persists.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const usageAnalytics = <R = never>(
  params: Schemas.UsageAnalyticsParams = {},
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.UsageAnalytics, R> => Effect.map(analyticsEndpoint(params, options), (response) => response.value)
