/**
 * The Base rail of a wallet: USDC on Base mainnet, paid with an EIP-3009 `transferWithAuthorization` signed by
 * `@x402/evm`'s exact scheme through `@x402/core`'s client.
 *
 * @internal
 */
import { x402Client } from "@x402/core/client"
import type { ClientEvmSigner } from "@x402/evm"
import { registerExactEvmScheme } from "@x402/evm/exact/client"
import * as Effect from "effect/Effect"
import { isAddress } from "viem"
import { messageOf, type PaymentSigner } from "./wallet.js"

/** CAIP-2 id of Base mainnet. */
export const BASE_NETWORK = "eip155:8453"
/** Native USDC on Base, lower case (compare case-insensitively). */
export const BASE_USDC = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913"

/** The Base payment signer of an EVM account (one without EIP-712 `signTypedData` cannot pay). */
export const paymentSigner = (
  address: `0x${string}`,
  signTypedData: ClientEvmSigner["signTypedData"] | undefined
): PaymentSigner => ({
  network: BASE_NETWORK,
  alias: "base",
  asset: BASE_USDC,
  description: `USDC on Base (${BASE_NETWORK}, ${BASE_USDC}, exact)`,
  sameAddress: (a, b) => a.toLowerCase() === b.toLowerCase(),
  isAddress: (candidate) => isAddress(candidate, { strict: false }),
  // The library's own spend control is set to the caller's cap explicitly (its default is $1, below Venice's $5
  // minimum); only the exact scheme on Base is registered, and only the given requirements are offered.
  createPayload: (paymentRequired, maxAmountPerPaymentUsd) =>
    signTypedData === undefined
      ? Effect.fail("the signer has no signTypedData: it cannot sign x402 payments")
      : Effect.tryPromise({
        try: () =>
          registerExactEvmScheme(new x402Client(), { signer: { address, signTypedData }, networks: [BASE_NETWORK] })
            .setSpendControls({ maxAmountPerPayment: `$${maxAmountPerPaymentUsd}` })
            .createPaymentPayload(paymentRequired)
            // an EIP-3009 authorization expires by time (validBefore, in the payload): no block height
            .then((payload) => ({ payload })),
        catch: messageOf
      }),
  blockHeight: undefined
})
