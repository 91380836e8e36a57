/**
 * What a wallet's authenticator, its payment policy and the client share, inside one process:
 *
 * - the *stamp* of the attempt a fiber last signed in for (wallet, attempt number, payment generation). The pipeline
 *   runs an attempt and then the retry schedule's step for its failure in the same fiber, so the payment schedule
 *   reads the stamp to learn which wallet signed the request that got the 402, and whether a top-up completed after
 *   that request was sent (then the 402 is stale: retry, do not pay again);
 * - the *payment records*: the wallet error the payment schedule decided for a given 402 (a refusal, a failed
 *   top-up). A `Schedule` cannot fail, so it records its decision here and stops; the client then fails the call with
 *   the recorded error instead of the bare 402.
 *
 * @internal
 */
import type * as Effect from "effect/Effect"
import * as FiberRef from "effect/FiberRef"
import { globalValue } from "effect/GlobalValue"
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
