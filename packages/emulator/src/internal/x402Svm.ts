/**
 * Solana on the emulator's x402 routes. A signed top-up payment on Solana (`PAYMENT-SIGNATURE` whose `accepted` names
 * the Solana rail) is verified for real by `@x402/svm`'s exact-scheme facilitator: the payer's Ed25519 signature over
 * the transaction, the fee payer (the emulator's `extra.feePayer`), and the SPL `TransferChecked` (the USDC mint, the
 * associated token account of the Solana `payTo`, the amount). There is no chain: the emulator settles by crediting
 * its ledger, as for Base, and "simulating" the transaction only checks that its blockhash is one it handed out.
 *
 * A client builds such a payment with a Solana RPC (the USDC mint account, a recent blockhash): the emulator serves
 * that much JSON-RPC at `POST /solana-rpc` (`getAccountInfo` of the USDC mint, `getLatestBlockhash`).
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import type * as X402 from "@venice-effect/core/X402"
import {
  address,
  getBase58Decoder,
  getBase64Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder
} from "@solana/kit"
import type { Transaction } from "@solana/kit"
import type { FacilitatorSvmSigner } from "@x402/svm"
import { TOKEN_PROGRAM_ADDRESS } from "@x402/svm"
import { ExactSvmScheme } from "@x402/svm/exact/facilitator"
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

/** Blockhashes the emulator's RPC handed out, per emulator. */
const blockhashes = new WeakMap<State, Set<string>>()
const issuedBy = (state: State): Set<string> => {
  let issued = blockhashes.get(state)
  if (issued === undefined) {
    issued = new Set()
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

/**
 * The facilitator's signer as the emulator plays it: it manages the fee payer, and "simulation" checks that the
 * transaction's blockhash came from this emulator's RPC. It never signs or sends (verification only).
 */
const facilitatorSigner = (state: State, feePayer: string): FacilitatorSvmSigner => ({
  getAddresses: () => [address(feePayer)],
  simulateTransaction: (transaction) => {
    const decoded = decodeTransaction(transaction)
    const message = decoded === undefined ? undefined : getCompiledTransactionMessageDecoder().decode(decoded.messageBytes)
    return message !== undefined && issuedBy(state).has(message.lifetimeToken)
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
    const verdict = yield* Effect.promise(() =>
      new ExactSvmScheme(facilitatorSigner(env.state, settings.solanaFeePayer)).verify(
        { x402Version: 2, accepted: { ...accepted, network, extra: accepted.extra ?? {} }, payload: { transaction: wire } },
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
      transaction: payerSignature == null ? "" : getBase58Decoder().decode(payerSignature)
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

/** `POST /solana-rpc`: `getAccountInfo` (the USDC mint; other accounts do not exist) and `getLatestBlockhash`. */
export const rpcRouter = (env: Env) =>
  HttpRouter.empty.pipe(HttpRouter.post(
    "/solana-rpc",
    Effect.gen(function*() {
      const request = yield* HttpServerRequest.HttpServerRequest
      const body = yield* Effect.orElseSucceed(request.json, () => undefined)
      if (!Predicate.isRecord(body) || !Predicate.isString(body["method"])) return rpcError(null, -32600, "Invalid request")
      const id = body["id"] ?? null
      const params = Array.isArray(body["params"]) ? body["params"] : []
      const context = { slot: 1 }
      switch (body["method"]) {
        case "getLatestBlockhash": {
          const bytes = yield* Effect.all(Array.from({ length: 32 }, () => Random.nextIntBetween(0, 256)))
          const blockhash = getBase58Decoder().decode(Uint8Array.from(bytes))
          issuedBy(env.state).add(blockhash)
          return rpcAnswer(id, { context, value: { blockhash, lastValidBlockHeight: 1_000_000 } })
        }
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
