/**
 * The Solana side of a wallet: the Ed25519 key pair (`@solana/kit`) as a SIWX signer, and the Solana rail (USDC on
 * Solana mainnet) paid with an SPL `TransferChecked` transaction that `@x402/svm`'s exact scheme builds and partially
 * signs (Venice's fee payer, `extra.feePayer`, signs last and pays the fee).
 *
 * ## The RPC
 *
 * The transaction needs a recent blockhash and the mint's decimals and token program. `@x402/svm` would read both
 * with `@solana/kit`'s RPC transport, which sets `content-length` itself: Node 20's built-in `fetch` adds its own, and
 * the undici 7 dispatcher `@effect/platform-node` installs globally refuses the doubled header, so every read fails in
 * a process using `NodeHttpClient.layerUndici`. So the blockhash is read here (one JSON-RPC call within `rpcTimeout`,
 * an attempt the pipeline's `Observer` sees) and handed over as `extra.recentBlockhash` (which the scheme uses instead of asking), and USDC's
 * decimals (6) and program (SPL Token) are seeded into the scheme's mint cache; the `accepted` echo stays exactly
 * Venice's requirements.
 *
 * @internal
 */
import { createSignableMessage } from "@solana/kit"
import type { MessagePartialSigner, TransactionSigner } from "@solana/kit"
import * as Pipeline from "@venice-effect/core/Pipeline"
import type * as Siwx from "@venice-effect/core/Siwx"
import { x402Client } from "@x402/core/client"
import {
  ExactSvmScheme,
  MAINNET_RPC_URL,
  SOLANA_MAINNET_CAIP2,
  TOKEN_PROGRAM_ADDRESS,
  USDC_MAINNET_ADDRESS,
  validateSvmAddress
} from "@x402/svm"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { messageOf, type PaymentSigner } from "./wallet.js"

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

const LatestBlockhash = Schema.Struct({
  value: Schema.Struct({ blockhash: Schema.String, lastValidBlockHeight: Schema.Number })
})
const BlockHeight = Schema.Number

/**
 * One JSON-RPC call through `fetch` without a hand-set `content-length`, within `timeout` (interruption aborts it),
 * its `result` decoded with `schema`. An attempt for the pipeline's `Observer` (`solana.rpc.<method>`), like every
 * other request.
 */
const rpc = <A, I>(
  rpcUrl: string,
  timeout: Duration.Duration,
  method: string,
  params: ReadonlyArray<unknown>,
  schema: Schema.Schema<A, I>
): Effect.Effect<A, string> =>
  Effect.gen(function*() {
    const operation = `solana.rpc.${method}`
    const decode = Schema.decodeUnknown(Schema.Struct({ result: schema }), { onExcessProperty: "ignore" })
    const observe = yield* Pipeline.Observer
    yield* observe({ _tag: "AttemptStarted", operation, attempt: 1 })
    const read = Effect.tryPromise({
      try: async (signal) => {
        const response = await fetch(rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
          signal
        })
        if (!response.ok) throw new Error(`the Solana RPC answered ${response.status} to ${method}`)
        // Response.json() is `any`: keep the parsed body `unknown`
        return response.json() as Promise<unknown>
      },
      catch: messageOf
    }).pipe(
      Effect.flatMap((body) => Effect.mapError(decode(body), () => `the Solana RPC's ${method} answer is malformed`)),
      Effect.timeoutFail({
        duration: timeout,
        onTimeout: () => `the Solana RPC did not answer ${method} within ${Duration.format(timeout)}`
      })
    )
    return yield* read.pipe(
      Effect.tapBoth({
        onFailure: (error) => observe({ _tag: "AttemptFailed", operation, attempt: 1, error }),
        onSuccess: () => observe({ _tag: "AttemptSucceeded", operation, attempt: 1, status: 200 })
      }),
      Effect.map((answer) => answer.result)
    )
  })

/** The scheme of one payment, its mint cache holding USDC (see the module docs). */
const schemeOf = (signer: KeyPairSigner, rpcUrl: string): ExactSvmScheme => {
  const scheme = new ExactSvmScheme(signer, { rpcUrl })
  // a private member of @x402/svm ~2.27 (the version is pinned): if it is gone, the scheme reads the mint itself
  const cache: unknown = Reflect.get(scheme, "mintCache")
  if (cache instanceof Map) {
    cache.set(
      `${SOLANA_MAINNET_CAIP2}:${USDC_MAINNET_ADDRESS}`,
      Promise.resolve({ decimals: 6, programAddress: TOKEN_PROGRAM_ADDRESS })
    )
  }
  return scheme
}

/** The Solana payment signer of a key pair. */
export const paymentSigner = (
  signer: KeyPairSigner,
  options: { readonly rpcUrl?: string | undefined; readonly rpcTimeout: Duration.Duration }
): PaymentSigner => {
  const rpcUrl = options.rpcUrl ?? DEFAULT_RPC_URL
  return {
    network: SOLANA_NETWORK,
    alias: "solana",
    asset: SOLANA_USDC,
    description: `USDC on Solana (${SOLANA_NETWORK}, ${SOLANA_USDC}, exact)`,
    // base58 is case-sensitive
    sameAddress: (a, b) => a === b,
    isAddress: validateSvmAddress,
    // Only the exact scheme on Solana mainnet is registered, and the library's spend control is set to the caller's cap.
    createPayload: (paymentRequired, maxAmountPerPaymentUsd) =>
      Effect.gen(function*() {
        const { blockhash, lastValidBlockHeight } = (yield* rpc(
          rpcUrl,
          options.rpcTimeout,
          "getLatestBlockhash",
          [{ commitment: "confirmed" }],
          LatestBlockhash
        )).value
        const withBlockhash = paymentRequired.accepts.map((requirements) => ({
          ...requirements,
          extra: { ...requirements.extra, recentBlockhash: blockhash, lastValidBlockHeight }
        }))
        const payload = yield* Effect.tryPromise({
          try: () =>
            new x402Client()
              .register(SOLANA_MAINNET_CAIP2, schemeOf(signer, rpcUrl))
              .setSpendControls({ maxAmountPerPayment: `$${maxAmountPerPaymentUsd}` })
              .createPaymentPayload({ ...paymentRequired, accepts: withBlockhash }),
          catch: messageOf
        })
        // the blockhash is inside the signed transaction; the echo is Venice's requirements, unchanged
        const accepted = paymentRequired.accepts.find((requirements) => requirements.amount === payload.accepted.amount)
        // the transaction can land while the chain's block height is at most its blockhash's lastValidBlockHeight
        return { payload: accepted === undefined ? payload : { ...payload, accepted }, lastValidBlockHeight }
      }),
    // finalized: a block height every fork has reached, so a transaction past it can no longer land anywhere
    blockHeight: rpc(rpcUrl, options.rpcTimeout, "getBlockHeight", [{ commitment: "finalized" }], BlockHeight)
  }
}
