/**
 * The x402 routes (skill venice-x402): `POST /x402/top-up` (a payment header verified and settled, EVM or Solana),
 * the signed-in wallet's balance and transaction history.
 */
import * as X402 from "@venice-effect/core/X402"
import * as X402Api from "@venice-effect/venice/schema/X402Api"
import { authorizationTypes } from "@x402/evm"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { getAddress, isAddress, keccak256, toHex, verifyTypedData } from "viem"
import type { Ctx, RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Reply from "../reply.js"
import { walletKey } from "../state.js"
import { validate } from "../validation.js"
import * as X402Docs from "../x402.js"
import * as X402Svm from "../x402Svm.js"
import { uuid, V1 } from "./common.js"

/** The canonical x402 v2 name first, then Venice's original and x402 v1's (skill venice-x402 §Header names). */
const PAYMENT_HEADERS = [X402.HeaderNames.paymentSignature, "x-402-payment", "x-payment"] as const

/** The payment header of a request, if any (canonical name first). */
export const paymentHeader = (headers: Readonly<Record<string, string | undefined>>): string | undefined =>
  PAYMENT_HEADERS.map((name) => headers[name]).find((value) => value !== undefined)

const decodePayment = Schema.decodeUnknownEither(X402.PaymentSignatureHeader)
const decodeEip3009 = Schema.decodeUnknownEither(X402.ExactEip3009Payload)

const topUpError = (ctx: Ctx, code: Parameters<typeof Errors.codeReply>[0], details?: unknown): Reply.Reply =>
  Errors.codeReply(code, ctx.errorEnv, details === undefined ? {} : { details })

const topUp: RouteSpec = {
  name: "x402/top-up",
  method: "POST",
  path: `${V1}/x402/top-up`,
  auth: "none",
  body: "none",
  perMinute: { limit: 10, by: "ip" },
  handle: (ctx) =>
    Effect.gen(function*() {
      const settings = ctx.env.settings.x402
      const resourceUrl = `${ctx.env.origin()}${V1}/x402/top-up`
      const header = paymentHeader(ctx.request.headers)
      if (header === undefined) {
        const document = X402Docs.topUpRequirements(settings, resourceUrl, ctx.errorEnv.solanaNetwork)
        return Reply.json(402, document.body, { "PAYMENT-REQUIRED": document.header })
      }
      const payment = decodePayment(header)
      if (Either.isLeft(payment)) return topUpError(ctx, "INVALID_PAYMENT_FORMAT")
      const accepted = payment.right.accepted
      if (accepted.scheme !== "exact") return topUpError(ctx, "UNSUPPORTED_SCHEME")
      if (X402Svm.isSolanaNetwork(accepted.network)) {
        const solana = yield* X402Svm.verifyPayment(ctx.env, payment.right)
        if (solana._tag === "Rejected") return topUpError(ctx, solana.code, solana.details)
        return yield* settle(ctx, { ...solana, network: X402Docs.SOLANA_MAINNET })
      }
      if (accepted.network !== X402Docs.BASE_MAINNET && accepted.network !== "base") {
        return topUpError(ctx, "UNSUPPORTED_NETWORK", {
          network: accepted.network,
          supported: [X402Docs.BASE_MAINNET, X402Docs.SOLANA_MAINNET]
        })
      }
      if (accepted.asset.toLowerCase() !== X402Docs.USDC_BASE.toLowerCase()) return topUpError(ctx, "UNSUPPORTED_TOKEN")
      if (accepted.payTo.toLowerCase() !== settings.payTo.toLowerCase()) {
        return topUpError(ctx, "INVALID_PAYMENT_RECIPIENT")
      }
      const payload = decodeEip3009(payment.right.payload)
      if (Either.isLeft(payload)) {
        return topUpError(ctx, "INVALID_PAYMENT")
      }
      const authorization = payload.right.authorization
      if (authorization.to.toLowerCase() !== settings.payTo.toLowerCase()) {
        return topUpError(ctx, "INVALID_PAYMENT_RECIPIENT")
      }
      if (!isAddress(authorization.from)) return topUpError(ctx, "INVALID_PAYMENT_PAYER")
      if (authorization.value !== accepted.amount) return topUpError(ctx, "INVALID_AMOUNT")
      const usd = Number(authorization.value) / 1_000_000
      if (usd < settings.minimumTopUpUsd) return topUpError(ctx, "AMOUNT_TOO_LOW")
      if (usd > settings.maximumTopUpUsd) return topUpError(ctx, "AMOUNT_TOO_HIGH")
      const nowSeconds = Math.floor(ctx.now / 1000)
      if (!(Number(authorization.validAfter) <= nowSeconds && nowSeconds < Number(authorization.validBefore))) {
        return topUpError(ctx, "PAYMENT_VERIFICATION_FAILED", { reason: "authorization is not valid at this time" })
      }
      const signature = payload.right.signature
      const extra = accepted.extra ?? {}
      const valid = signature === undefined ? false : yield* Effect.tryPromise(() =>
        verifyTypedData({
          address: getAddress(authorization.from),
          domain: {
            name: typeof extra.name === "string" ? extra.name : "USD Coin",
            version: typeof extra.version === "string" ? extra.version : "2",
            chainId: 8453,
            verifyingContract: getAddress(accepted.asset)
          },
          types: authorizationTypes,
          primaryType: "TransferWithAuthorization",
          message: {
            from: getAddress(authorization.from),
            to: getAddress(authorization.to),
            value: BigInt(authorization.value),
            validAfter: BigInt(authorization.validAfter),
            validBefore: BigInt(authorization.validBefore),
            nonce: authorization.nonce
          },
          signature
        })
      ).pipe(Effect.orElseSucceed(() => false))
      if (!valid) return topUpError(ctx, "PAYMENT_VERIFICATION_FAILED", { reason: "invalid signature" })
      const paymentId = `x402-${keccak256(toHex(`${authorization.from}:${authorization.nonce}`)).slice(2, 34)}`
      return yield* settle(ctx, {
        payer: getAddress(authorization.from),
        amountUsd: usd,
        paymentId,
        transaction: keccak256(toHex(paymentId)),
        network: X402Docs.BASE_MAINNET,
        expiresAt: Number(authorization.validBefore) * 1000
      })
    })
}

/** A verified signed payment, on either rail. */
interface Paid {
  readonly payer: string
  readonly amountUsd: number
  /** The same for every resubmission of one signed payment. */
  readonly paymentId: string
  /** The settlement's transaction id (`PAYMENT-RESPONSE`). */
  readonly transaction: string
  readonly network: string
  /**
   * Epoch ms from which the payment can no longer land: an EIP-3009 authorization's `validBefore`, a Solana
   * transaction's blockhash expiry.
   */
  readonly expiresAt: number
}

/** Settles a verified payment: credited at most once; while it settles, a resubmission gets `409 PAYMENT_IN_PROGRESS`. */
const settle = (ctx: Ctx, paid: Paid): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const { paymentId } = paid
    const state = ctx.env.state
    let record = state.payments.get(paymentId)
    if (record !== undefined) {
      record.submissions++
      if (record.status === "pending") return topUpError(ctx, "PAYMENT_IN_PROGRESS")
    } else {
      record = {
        paymentId,
        wallet: paid.payer,
        amountUsd: paid.amountUsd,
        status: "pending",
        landsAt: undefined,
        newBalance: 0,
        submissions: 1
      }
      const fault = ctx.settlementFault
      if (fault?.outcome === "failed") return topUpError(ctx, "SETTLEMENT_FAILED")
      if (fault?.outcome === "in-progress") return topUpError(ctx, "PAYMENT_IN_PROGRESS")
      if (fault?.outcome === "timeout") {
        // the transfer is on its way: it lands later on Clock (or never), and is credited then, once — never once
        // it has expired (the chain refuses a transferWithAuthorization at or after validBefore, and a Solana
        // transaction whose blockhash is past its lastValidBlockHeight)
        const landsAt = ctx.now + (fault.landsAfter ?? 10_000)
        state.payments.set(paymentId, {
          ...record,
          landsAt: fault.lands === false || landsAt >= paid.expiresAt ? undefined : landsAt
        })
        return topUpError(ctx, "SETTLEMENT_TIMEOUT")
      }
      state.payments.set(paymentId, record)
      state.credit(record, ctx.now, yield* uuid(ctx))
    }
    const settlement: X402.SettleResponse = {
      success: true,
      transaction: paid.transaction,
      network: paid.network,
      payer: record.wallet
    }
    return Reply.json(200, {
      success: true,
      data: { walletAddress: record.wallet, amountCredited: record.amountUsd, newBalance: record.newBalance, paymentId }
    }, { "PAYMENT-RESPONSE": Schema.encodeSync(X402.PaymentResponseHeader)(settlement) })
  })

/** The path wallet must be the signed-in wallet (`403` otherwise). */
const ownWallet = (ctx: Ctx, what: "balance" | "transaction history") => {
  const path = ctx.params.wallet ?? ""
  if (!Schema.is(X402Api.WalletAddress)(path)) {
    return { reply: Reply.standard(400, "Invalid wallet address") }
  }
  // EVM addresses compare case-insensitively, Solana's base58 exactly
  if (ctx.identity._tag !== "wallet" || walletKey(ctx.identity.wallet.address) !== walletKey(path)) {
    return { reply: Reply.standard(403, `You can only access ${what} for your own wallet`) }
  }
  return { wallet: ctx.identity.wallet }
}

const x402Balance: RouteSpec = {
  name: "x402/balance",
  method: "GET",
  path: `${V1}/x402/balance/:wallet`,
  auth: "siwx",
  body: "none",
  perMinute: { limit: 30, by: "wallet" },
  handle: (ctx) =>
    Effect.sync(() => {
      const own = ownWallet(ctx, "balance")
      if (own.reply !== undefined) return own.reply
      const settings = ctx.env.settings.x402
      return Reply.json(200, {
        success: true,
        data: {
          walletAddress: own.wallet.address,
          balanceUsd: own.wallet.balanceUsd,
          canConsume: own.wallet.balanceUsd >= settings.minimumBalanceUsd,
          minimumTopUpUsd: settings.minimumTopUpUsd,
          suggestedTopUpUsd: settings.suggestedTopUpUsd
        }
      })
    })
}

const TransactionsQuery = Schema.Struct({
  limit: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 100)), { exact: true }),
  offset: Schema.optionalWith(Schema.NumberFromString.pipe(Schema.int(), Schema.nonNegative()), { exact: true })
})

const x402Transactions: RouteSpec = {
  name: "x402/transactions",
  method: "GET",
  path: `${V1}/x402/transactions/:wallet`,
  auth: "siwx",
  body: "none",
  perMinute: { limit: 20, by: "wallet" },
  handle: (ctx) =>
    Effect.sync(() => {
      const own = ownWallet(ctx, "transaction history")
      if (own.reply !== undefined) return own.reply
      const query = validate(TransactionsQuery, Object.fromEntries(ctx.search))
      if (Either.isLeft(query)) return Reply.json(400, query.left)
      const limit = query.right.limit ?? 50
      const offset = query.right.offset ?? 0
      const newestFirst = [...own.wallet.transactions].reverse()
      return Reply.json(200, {
        success: true,
        data: {
          walletAddress: own.wallet.address,
          currentBalance: own.wallet.balanceUsd,
          transactions: newestFirst.slice(offset, offset + limit),
          pagination: { limit, offset, hasMore: offset + limit < newestFirst.length }
        }
      })
    })
}

/** The x402 routes. */
export const x402Routes: ReadonlyArray<RouteSpec> = [topUp, x402Balance, x402Transactions]
