/**
 * What a wallet's authenticator, its payment policy and the client share, inside one process:
 *
 * - the *stamp* of the attempt a fiber last signed in for (wallet, attempt number, payment generation). The pipeline
 *   runs an attempt and then the retry schedule's step for its failure in the same fiber, so the payment schedule
 *   reads the stamp to learn which wallet signed the request that got the 402, and whether a top-up completed after
 *   that request was sent (then the 402 is stale: retry, do not pay again);
 * - the *payment records*: the wallet error the payment schedule decided for a given 402 (a refusal, a failed
 *   top-up). A `Schedule` cannot fail, so it records its decision here and stops; the client then fails the call with
 *   the recorded error instead of the bare 402;
 * - the *payment signer* of a wallet: its rail and the chain's x402 library, so that the top-up code is the same for
 *   every chain.
 *
 * @internal
 */
import type * as X402 from "@venice-effect/core/X402"
import type { PaymentPayload as LibPaymentPayload, PaymentRequired as LibPaymentRequired } from "@x402/core/types"
import type * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
import * as Predicate from "effect/Predicate"
import type * as WalletError from "../WalletError.js"

/** Which attempt this fiber last signed in for. */
export interface AttemptStamp {
  /** `wallet:0x…` */
  readonly wallet: string
  /** The pipeline's 1-based attempt number. */
  readonly attempt: number
  /** The wallet's payment generation when the request was signed. */
  readonly generation: number
}

/** The stamp of the last SIWX-signed attempt of the current fiber. */
export const currentAttempt: FiberRef.FiberRef<AttemptStamp | undefined> = globalValue(
  Symbol.for("@venice-effect/venice/internal/wallet/currentAttempt"),
  () => FiberRef.unsafeMake<AttemptStamp | undefined>(undefined)
)

/** Per-wallet coordination state (one per `VeniceWallet` service). */
export interface Coordination {
  /** Incremented each time a top-up of the wallet has taken effect. */
  generation: number
  /**
   * Waits for the wallet's top-up in flight, if any: attempts about to be signed wait for it rather than collect a
   * 402 (each 402 also counts against Venice's failed-request budget).
   */
  topUpInFlight: Effect.Effect<void> | undefined
}

const coordinations: WeakMap<object, Coordination> = globalValue(
  Symbol.for("@venice-effect/venice/internal/wallet/coordinations"),
  () => new WeakMap<object, Coordination>()
)

/** The coordination state of a wallet service. */
export const coordinationOf = (wallet: object): Coordination => {
  let state = coordinations.get(wallet)
  if (state === undefined) {
    state = { generation: 0, topUpInFlight: undefined }
    coordinations.set(wallet, state)
  }
  return state
}

const records: WeakMap<object, WalletError.WalletError> = globalValue(
  Symbol.for("@venice-effect/venice/internal/wallet/paymentRecords"),
  () => new WeakMap<object, WalletError.WalletError>()
)

/** Records the payment schedule's decision for a 402. */
export const recordPaymentFailure = (paymentRequired: object, error: WalletError.WalletError): void => {
  records.set(paymentRequired, error)
}

/** The payment schedule's decision for a 402, if it made one. */
export const paymentFailureOf = (error: unknown): WalletError.WalletError | undefined =>
  typeof error === "object" && error !== null ? records.get(error) : undefined

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
