/**
 * The Solana side of a wallet: the Ed25519 key pair (`@solana/kit`) as a SIWX signer, and the Solana rail (USDC on
 * Solana mainnet) paid with an SPL `TransferChecked` transaction that `@x402/svm`'s exact scheme builds and
 * partially signs (Venice's fee payer, `extra.feePayer`, signs last and pays the fee). Building it reads the USDC mint
 * and a recent blockhash from a Solana RPC (`rpcUrl`, default the public mainnet endpoint).
 *
 * @internal
 */
import type * as Siwx from "@venice-effect/core/Siwx"
import { createSignableMessage } from "@solana/kit"
import type { MessagePartialSigner, TransactionSigner } from "@solana/kit"
import { x402Client } from "@x402/core/client"
import {
  ExactSvmScheme,
  MAINNET_RPC_URL,
  SOLANA_MAINNET_CAIP2,
  USDC_MAINNET_ADDRESS,
  validateSvmAddress
} from "@x402/svm"
import type { PaymentSigner } from "./wallet.js"

/** CAIP-2 id of Solana mainnet. */
export const SOLANA_NETWORK: string = SOLANA_MAINNET_CAIP2
/** The USDC mint on Solana mainnet. */
export const SOLANA_USDC: string = USDC_MAINNET_ADDRESS
/** The public mainnet RPC endpoint (rate-limited: give the wallet your own for production). */
export const DEFAULT_RPC_URL: string = MAINNET_RPC_URL

/** A Solana key pair signer: signs messages (SIWX) and transactions (payments), like kit's `KeyPairSigner`. */
export type KeyPairSigner = TransactionSigner & MessagePartialSigner

/** The key pair as core's SIWX signer: Ed25519 over the message's UTF-8 bytes. */
export const siwxSigner = (signer: KeyPairSigner): Siwx.SolanaSigner => ({
  namespace: "solana",
  address: signer.address,
  signBytes: async (bytes) => {
    const [signatures] = await signer.signMessages([createSignableMessage(bytes)])
    const signature = signatures?.[signer.address]
    if (signature === undefined) throw new Error("the Solana signer returned no signature for its address")
    return signature
  }
})

/** The Solana payment signer of a key pair. */
export const paymentSigner = (
  signer: KeyPairSigner,
  options: { readonly rpcUrl?: string | undefined }
): PaymentSigner => ({
  network: SOLANA_NETWORK,
  alias: "solana",
  asset: SOLANA_USDC,
  description: `USDC on Solana (${SOLANA_NETWORK}, ${SOLANA_USDC}, exact)`,
  // base58 is case-sensitive
  sameAddress: (a, b) => a === b,
  isAddress: validateSvmAddress,
  // Only the exact scheme on Solana mainnet is registered (with the wallet's RPC), and the library's spend control is
  // set to the caller's cap.
  createPayload: (paymentRequired, maxAmountPerPaymentUsd) =>
    new x402Client()
      .register(SOLANA_MAINNET_CAIP2, new ExactSvmScheme(signer, { rpcUrl: options.rpcUrl ?? DEFAULT_RPC_URL }))
      .setSpendControls({ maxAmountPerPayment: `$${maxAmountPerPaymentUsd}` })
      .createPaymentPayload(paymentRequired)
})
