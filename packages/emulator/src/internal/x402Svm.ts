/**
 * Solana on the emulator's x402 routes. A signed top-up payment on Solana (`PAYMENT-SIGNATURE` whose `accepted` names
 * the Solana rail) is verified for real by `@x402/svm`'s exact-scheme facilitator: the payer's Ed25519 signature over
 * the transaction, the fee payer (the emulator's `extra.feePayer`), and the SPL `TransferChecked` (the USDC mint, the
 * associated token account of the Solana `payTo`, the amount). There is no chain: the emulator settles by crediting
 * its ledger, as for Base, and "simulating" the transaction only checks that its blockhash is one it handed out and
 * has not expired.
 *
 * The chain's clock is the emulator's `Clock`: a block every {@link BLOCK_MILLIS} ms, and a blockhash handed out at
 * height `h` is valid up to `h + 150` (Solana's `lastValidBlockHeight`, about a minute): a transaction whose
 * blockhash has expired can no longer land — a payment forwarded late is refused, one settling late never lands.
 *
 * A client builds such a payment with a Solana RPC (the USDC mint account, a recent blockhash): the emulator serves
 * that much JSON-RPC at `POST /solana-rpc` (`getAccountInfo` of the USDC mint, `getLatestBlockhash`,
 * `getBlockHeight`).
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import {
  address,
  getBase58Decoder,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder
} from "@solana/kit"
import type { Transaction } from "@solana/kit"
import type * as X402 from "@venice-effect/core/X402"
import type { FacilitatorSvmSigner } from "@x402/svm"
import { TOKEN_PROGRAM_ADDRESS } from "@x402/svm"
import { ExactSvmScheme } from "@x402/svm/exact/facilitator"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import { keccak256 } from "viem"
import type { Env } from "./context.js"
import type { State } from "./state.js"
import { SOLANA_MAINNET, USDC_SOLANA } from "./x402.js"

/** Whether an `accepted.network` names the Solana rail (CAIP-2 or Venice's alias: both are accepted on the way in). */
export const isSolanaNetwork = (network: string): boolean => network === SOLANA_MAINNET || network === "solana"

/** A payment that verified: who paid how much, and the id of the signed payment (the same for every resubmission). */
export interface Verified {
  readonly _tag: "Verified"
  readonly payer: string
  readonly amountUsd: number
  readonly paymentId: string
  /** The settlement's transaction id (base58 of the payer's signature). */
  readonly transaction: string
  /** Epoch ms from which the transaction can no longer land (its blockhash has expired). */
  readonly expiresAt: number
}

/** A payment Venice would refuse, with its top-up code. */
export interface Rejected {
  readonly _tag: "Rejected"
  readonly code:
    | "INVALID_PAYMENT"
    | "UNSUPPORTED_TOKEN"
    | "INVALID_PAYMENT_RECIPIENT"
    | "INVALID_AMOUNT"
    | "AMOUNT_TOO_LOW"
    | "AMOUNT_TOO_HIGH"
    | "PAYMENT_VERIFICATION_FAILED"
  readonly details?: unknown
}

const rejected = (code: Rejected["code"], details?: unknown): Rejected =>
  details === undefined ? { _tag: "Rejected", code } : { _tag: "Rejected", code, details }

/** Milliseconds per block of the emulated chain (Solana's slot time). */
export const BLOCK_MILLIS = 400

/** Blocks a blockhash stays valid after the height it was handed out at. */
const BLOCKHASH_LIFETIME = 150

/** Height 0: Solana mainnet-beta's launch (heights look like mainnet's). */
const GENESIS = Date.UTC(2020, 2, 16)

/** The emulated chain's block height at `now` (epoch ms). */
export const blockHeight = (now: number): number => Math.max(0, Math.floor((now - GENESIS) / BLOCK_MILLIS))

/** The first epoch ms at which the block height is above `lastValidBlockHeight`: a blockhash's expiry. */
const expiryOf = (lastValidBlockHeight: number): number => GENESIS + (lastValidBlockHeight + 1) * BLOCK_MILLIS

/** Blockhashes the emulator's RPC handed out, per emulator, with their `lastValidBlockHeight`. */
const blockhashes = new WeakMap<State, Map<string, number>>()
const issuedBy = (state: State): Map<string, number> => {
  let issued = blockhashes.get(state)
  if (issued === undefined) {
    issued = new Map()
    blockhashes.set(state, issued)
  }
  return issued
}

const decodeTransaction = (base64: string): Transaction | undefined => {
  try {
    return getTransactionDecoder().decode(getBase64Encoder().encode(base64))
  } catch {
    return undefined
  }
}

/** The `lastValidBlockHeight` of a transaction's blockhash, if this emulator handed it out. */
const lastValidOf = (state: State, transaction: Transaction): number | undefined =>
  issuedBy(state).get(getCompiledTransactionMessageDecoder().decode(transaction.messageBytes).lifetimeToken)

/**
 * The facilitator's signer as the emulator plays it: it manages the fee payer, and "simulation" checks that the
 * transaction's blockhash came from this emulator's RPC and is still valid at `now`. It never signs or sends
 * (verification only).
 */
const facilitatorSigner = (state: State, feePayer: string, now: number): FacilitatorSvmSigner => ({
  getAddresses: () => [address(feePayer)],
  simulateTransaction: (transaction) => {
    const decoded = decodeTransaction(transaction)
    const lastValid = decoded === undefined ? undefined : lastValidOf(state, decoded)
    return lastValid !== undefined && blockHeight(now) <= lastValid
      ? Promise.resolve()
      : Promise.reject(new Error("Blockhash not found"))
  },
  signTransaction: () => Promise.reject(new Error("the emulator does not settle on a chain")),
  sendTransaction: () => Promise.reject(new Error("the emulator does not settle on a chain")),
  confirmTransaction: () => Promise.reject(new Error("the emulator does not settle on a chain"))
})

/** The facilitator's `invalidReason` as Venice's top-up code. */
const codeOf = (invalidReason: string | undefined): Rejected["code"] => {
  const reason = invalidReason ?? ""
  if (reason.includes("mint_mismatch")) return "UNSUPPORTED_TOKEN"
  if (reason.includes("recipient_mismatch")) return "INVALID_PAYMENT_RECIPIENT"
  if (reason.includes("amount_mismatch")) return "INVALID_AMOUNT"
  if (/signature|fee_payer|simulation/.test(reason)) return "PAYMENT_VERIFICATION_FAILED"
  return "INVALID_PAYMENT"
}

/** Verifies a signed top-up payment on Solana (its `accepted` already names the Solana rail, scheme `exact`). */
export const verifyPayment = (env: Env, payment: X402.PaymentPayload): Effect.Effect<Verified | Rejected> =>
  Effect.gen(function*() {
    const settings = env.settings.x402
    const accepted = payment.accepted
    if (accepted.asset !== USDC_SOLANA) return rejected("UNSUPPORTED_TOKEN")
    if (accepted.payTo !== settings.solanaPayTo) return rejected("INVALID_PAYMENT_RECIPIENT")
    const wire = payment.payload["transaction"]
    const transaction = Predicate.isString(wire) ? decodeTransaction(wire) : undefined
    if (!Predicate.isString(wire) || transaction === undefined) {
      return rejected("INVALID_PAYMENT", { reason: "payload.transaction is not a base64 Solana transaction" })
    }
    const usd = Number(accepted.amount) / 1_000_000
    if (usd < settings.minimumTopUpUsd) return rejected("AMOUNT_TOO_LOW")
    if (usd > settings.maximumTopUpUsd) return rejected("AMOUNT_TOO_HIGH")
    // Venice takes either spelling of the network: both sides are compared in CAIP-2
    const network = `solana:${SOLANA_MAINNET.slice("solana:".length)}` as const
    const requirements = {
      scheme: "exact",
      network,
      amount: accepted.amount,
      asset: USDC_SOLANA,
      payTo: settings.solanaPayTo,
      maxTimeoutSeconds: 300,
      extra: { feePayer: settings.solanaFeePayer }
    }
    const now = yield* Clock.currentTimeMillis
    const verdict = yield* Effect.promise(() =>
      new ExactSvmScheme(facilitatorSigner(env.state, settings.solanaFeePayer, now)).verify(
        {
          x402Version: 2,
          accepted: { ...accepted, network, extra: accepted.extra ?? {} },
          payload: { transaction: wire }
        },
        requirements
      ).catch((error: unknown) => ({ isValid: false, invalidReason: String(error), payer: undefined }))
    )
    if (!verdict.isValid || verdict.payer === undefined || verdict.payer === "") {
      return rejected(codeOf(verdict.invalidReason), { reason: verdict.invalidReason })
    }
    const payerSignature = transaction.signatures[address(verdict.payer)]
    return {
      _tag: "Verified",
      payer: verdict.payer,
      amountUsd: usd,
      paymentId: `x402-${keccak256(new Uint8Array(transaction.messageBytes)).slice(2, 34)}`,
      transaction: payerSignature == null ? "" : getBase58Decoder().decode(payerSignature),
      expiresAt: expiryOf(lastValidOf(env.state, transaction) ?? 0)
    } as const
  })

// ─── the Solana JSON-RPC a payment is built with ─────────────────────────────────────────────────

/** An SPL mint account (82 bytes): no mint authority, a supply, 6 decimals, initialized, no freeze authority. */
const mintAccount = (): string => {
  const data = new Uint8Array(82)
  new DataView(data.buffer).setBigUint64(36, 1_000_000_000_000_000n, true)
  data[44] = 6
  data[45] = 1
  return Buffer.from(data).toString("base64")
}

const rpcAnswer = (id: unknown, result: unknown) => HttpServerResponse.unsafeJson({ jsonrpc: "2.0", id, result })

const rpcError = (id: unknown, code: number, message: string) =>
  HttpServerResponse.unsafeJson({ jsonrpc: "2.0", id, error: { code, message } })

/**
 * `POST /solana-rpc`: `getAccountInfo` (the USDC mint; other accounts do not exist), `getLatestBlockhash` (valid for
 * 150 blocks) and `getBlockHeight`, on the emulator's `Clock`.
 */
export const rpcRouter = (env: Env) =>
  HttpRouter.empty.pipe(HttpRouter.post(
    "/solana-rpc",
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.json, () => undefined)
      if (!Predicate.isRecord(body) || !Predicate.isString(body["method"])) {
        return rpcError(null, -32600, "Invalid request")
      }
      const id = body["id"] ?? null
      const params = Array.isArray(body["params"]) ? body["params"] : []
      const height = blockHeight(yield* Clock.currentTimeMillis)
      const context = { slot: height }
      switch (body["method"]) {
        case "getLatestBlockhash": {
          const bytes = yield* Effect.all(Array.from({ length: 32 }, () => Random.nextIntBetween(0, 256)))
          const blockhash = getBase58Decoder().decode(Uint8Array.from(bytes))
          const lastValidBlockHeight = height + BLOCKHASH_LIFETIME
          issuedBy(env.state).set(blockhash, lastValidBlockHeight)
          return rpcAnswer(id, { context, value: { blockhash, lastValidBlockHeight } })
        }
        case "getBlockHeight":
          return rpcAnswer(id, height)
        case "getAccountInfo":
          return rpcAnswer(id, {
            context,
            value: params[0] === USDC_SOLANA
              ? {
                data: [mintAccount(), "base64"],
                executable: false,
                lamports: 1_461_600,
                owner: TOKEN_PROGRAM_ADDRESS,
                rentEpoch: 0,
                space: 82
              }
              : null
          })
        default:
          return rpcError(id, -32601, "Method not found")
      }
    })
  ))
