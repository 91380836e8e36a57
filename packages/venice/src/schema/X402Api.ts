/**
 * The x402 wallet routes' success bodies: `POST /api/v1/x402/top-up` (`200` after a signed payment settled),
 * `GET /x402/balance/{walletAddress}` and `GET /x402/transactions/{walletAddress}` (both authenticated with a
 * `SIGN-IN-WITH-X` proof of the same wallet).
 *
 * The `402` payment-requirements documents (discovery, insufficient balance) are x402 protocol shapes and live with
 * the protocol schemas, not here.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * A wallet address path parameter: an EVM address (`0x` + 40 hex) or a Solana base58 address (32–44 chars). EVM
 * addresses are compared lowercased; Solana addresses are case-sensitive.
 *
 * @since 0.1.0
 * @category request
 */
export const WalletAddress = Schema.String.pipe(
  Schema.pattern(/^(0x[a-fA-F0-9]{40}|[1-9A-HJ-NP-Za-km-z]{32,44})$/, {
    message: () => "walletAddress must be an EVM (0x + 40 hex) or Solana (base58) address"
  })
).annotations({ identifier: "WalletAddress" })

/**
 * The `200` of `POST /x402/top-up`: the payment was settled and credited (a signed payment is credited at most
 * once). The settlement receipt is also in the base64 `PAYMENT-RESPONSE` header.
 *
 * @since 0.1.0
 * @category response
 */
export class TopUpResponse extends Schema.Class<TopUpResponse>("TopUpResponse")({
  success: Schema.Literal(true),
  data: Schema.Struct({
    /** The credited wallet. */
    walletAddress: Schema.String,
    /** Amount credited, USD. */
    amountCredited: Schema.Finite,
    /** Balance after the top-up, USD. */
    newBalance: Schema.Finite,
    /** Opaque id derived from the signed payment. */
    paymentId: Schema.String
  })
}) {}

/**
 * The response of `GET /x402/balance/{walletAddress}`.
 *
 * @since 0.1.0
 * @category response
 */
export class X402Balance extends Schema.Class<X402Balance>("X402Balance")({
  success: Schema.Literal(true),
  data: Schema.Struct({
    /** Normalized wallet address. */
    walletAddress: Schema.String,
    /** USDC credit balance, USD (`0` for a wallet that never topped up). */
    balanceUsd: Schema.Finite,
    /** Credit ≥ $0.10 or linked DIEM available. */
    canConsume: Schema.Boolean,
    /** Minimum top-up, USD. */
    minimumTopUpUsd: Schema.Finite,
    /** Suggested top-up, USD. */
    suggestedTopUpUsd: Schema.Finite,
    /** DIEM of a linked Venice account (separate from `balanceUsd`), when any remains this epoch. */
    diemBalanceUsd: optional(Schema.Finite)
  })
}) {}

/**
 * Query parameters of `GET /x402/transactions/{walletAddress}`.
 *
 * @since 0.1.0
 * @category request
 */
export class TransactionsParams extends Schema.Class<TransactionsParams>("TransactionsParams")(
  {
    /** Page size, 1–100 (default 50). */
    limit: optional(Schema.Int.pipe(Schema.between(1, 100))),
    /** Entries to skip, ≥ 0 (default 0). */
    offset: optional(Schema.Int.pipe(Schema.nonNegative()))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * A ledger entry: `TOP_UP`, `CHARGE` (negative `amount`) or `REFUND`. Open.
 *
 * @since 0.1.0
 * @category response
 */
export const X402Transaction = Schema.Struct({
  id: Schema.String,
  /** Signed USD amount. */
  amount: Schema.Finite,
  /** Balance after this entry, USD. */
  balanceAfter: Schema.Finite,
  type: Common.OpenLiteral("TOP_UP", "CHARGE", "REFUND"),
  /** ISO timestamp. */
  createdAt: Schema.String,
  /** The request charged, for usage entries. */
  requestId: Schema.NullOr(Schema.String),
  /** The model used, for usage entries. */
  modelId: Schema.NullOr(Schema.String)
}).annotations({ identifier: "X402Transaction" })

/**
 * The response of `GET /x402/transactions/{walletAddress}`: newest first; page with `offset += limit` while
 * `pagination.hasMore`.
 *
 * @since 0.1.0
 * @category response
 */
export class X402Transactions extends Schema.Class<X402Transactions>("X402Transactions")({
  success: Schema.Literal(true),
  data: Schema.Struct({
    walletAddress: Schema.String,
    /** Current balance, USD. */
    currentBalance: Schema.Finite,
    transactions: Schema.Array(X402Transaction),
    pagination: Schema.Struct({
      limit: Schema.Finite,
      offset: Schema.Finite,
      hasMore: Schema.Boolean
    })
  })
}) {}
