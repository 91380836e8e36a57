/**
 * The *payment signer* of a wallet (its rail and the chain's x402 library, so that the top-up code is the same for
 * every chain) and the choice of the requirements it may pay.
 *
 * @internal
 */
import type * as X402 from "@venice-effect/core/X402"
import type { PaymentPayload as LibPaymentPayload, PaymentRequired as LibPaymentRequired } from "@x402/core/types"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"

// ─── payment signers: one per chain, behind one interface ─────────────────────────────────────────

/**
 * What a wallet pays with: one rail (a chain's CAIP-2 network and its USDC) and the chain's x402 library, which signs
 * a payment payload for requirements already chosen and checked. `internal/evm.ts` (Base, EIP-3009 through
 * `@x402/evm`) and `internal/svm.ts` (Solana, an SPL `TransferChecked` through `@x402/svm`) implement it.
 */
export interface PaymentSigner {
  /** The rail's CAIP-2 network (`eip155:8453`, `solana:5eykt4UsFv8P8NJdTREpY1vzqKqZKvdp`). */
  readonly network: string
  /** Venice's short alias of the network (`base`, `solana`): accepted on the way in like the CAIP-2 id. */
  readonly alias: string
  /** The rail's USDC asset. */
  readonly asset: string
  /** For messages: `USDC on Base (eip155:8453, 0x8335…2913)`. */
  readonly description: string
  /** Whether two addresses of the chain are the same (EVM: case-insensitively; Solana: exactly). */
  readonly sameAddress: (a: string, b: string) => boolean
  /** Whether a string is an address of the chain. */
  readonly isAddress: (address: string) => boolean
  /**
   * Signs a payment payload (x402 v2) for the only entry of `paymentRequired.accepts`, with the library's own spend
   * control set to `maxAmountPerPaymentUsd`. Fails with a message when the library, the signer or a network read the
   * chain needs refuses or fails. `lastValidBlockHeight`: the payment expires by block height (a Solana transaction
   * lands while the chain's block height is at most its blockhash's `lastValidBlockHeight`), not only by time.
   */
  readonly createPayload: (
    paymentRequired: LibPaymentRequired,
    maxAmountPerPaymentUsd: number
  ) => Effect.Effect<
    { readonly payload: LibPaymentPayload; readonly lastValidBlockHeight?: number | undefined },
    string
  >
  /** The chain's finalized block height, when its payments expire by block height (Solana); `undefined` otherwise. */
  readonly blockHeight: Effect.Effect<number, string> | undefined
}

/** A library's error as a message (viem's `shortMessage` when it has one). */
export const messageOf = (error: unknown): string => {
  if (Predicate.hasProperty(error, "shortMessage") && typeof error.shortMessage === "string") return error.shortMessage
  return error instanceof Error ? error.message : String(error)
}

/** The rail a user allows a wallet to pay on: its chain's USDC, to Venice's `payTo` (or one of `payTo` if pinned). */
export interface Rail {
  readonly signer: PaymentSigner
  /** Receivers the user allows (`undefined`: whatever Venice's own `/x402/top-up` names). */
  readonly payTo: ReadonlyArray<string> | undefined
}

/** Why no `accepts[]` entry can be paid. */
export type NoRail = "no-rail" | "payee-not-allowed"

/**
 * The `exact` entry of `accepts[]` on the wallet's rail (X7): network by CAIP-2 id or alias, the chain's USDC, a
 * `payTo` that is an address of the chain and one the user allows; its network normalized to CAIP-2 (the x402
 * libraries only know CAIP-2 in v2).
 */
export const selectRail = (
  rail: Rail,
  paymentRequired: X402.PaymentRequired
): Either.Either<X402.PaymentRequirements, NoRail> => {
  const { signer } = rail
  const usdc = paymentRequired.accepts.filter((option) =>
    option.scheme === "exact" && (option.network === signer.network || option.network === signer.alias) &&
    signer.sameAddress(option.asset, signer.asset) && signer.isAddress(option.payTo)
  )
  if (usdc.length === 0) return Either.left("no-rail")
  const allowed = usdc.find((option) =>
    rail.payTo === undefined || rail.payTo.some((payTo) => signer.sameAddress(payTo, option.payTo))
  )
  return allowed === undefined
    ? Either.left("payee-not-allowed")
    : Either.right({ ...allowed, network: signer.network })
}
