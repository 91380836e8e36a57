// docs/x402.md: a Solana wallet (an Ed25519 key pair) that signs in and tops itself up on Solana within caps.
import { NodeHttpClient } from "@effect/platform-node"
import { generateKeyPairSigner } from "@solana/kit"
import { Chat, PaymentPolicy, VeniceWallet } from "@venice-effect/venice"
// this program signs with a wallet: its calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import { Console, Effect, Layer } from "effect"

// VENICE_WALLET_SOLANA_SECRET_KEY (read with Config.redacted): the 64-byte secret key, base58 as wallets export it or
// the JSON array of a solana-keygen file. VENICE_SOLANA_RPC_URL: your Solana RPC (a payment reads a recent blockhash;
// the public mainnet endpoint is the default, and rate-limited).
const Wallet = VeniceWallet.layerSolanaConfig({
  // optional: the receivers a top-up may pay; any other payTo is refused (PaymentRefusedError "payee-not-allowed")
  payTo: ["<Venice's Solana receiver>"]
})

// The same policy as on Base: both limits required, one top-up in flight, settlement rules, typed refusals.
const Venice = PaymentPolicy.layerClient().pipe(
  Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50 })),
  Layer.provide(Wallet),
  Layer.provide(NodeHttpClient.layerUndici)
)

export const program = Effect.gen(function*() {
  const completion = yield* Chat.completions({
    model: "venice-uncensored",
    messages: [{ role: "user", content: "hi" }]
  })
  const payments = yield* PaymentPolicy.PaymentPolicy
  yield* Console.log(Chat.text(completion), `wallet ${payments.wallet.address}, spent $${yield* payments.spentUsd}`)
}).pipe(Effect.provide(Venice))

// Or from a @solana/kit signer you already hold (here a new key pair: it has no USDC and no credit).
export const fromSigner = Layer.unwrapEffect(
  Effect.map(
    Effect.promise(() => generateKeyPairSigner()),
    (signer) => VeniceWallet.layerSolanaSigner(signer, { rpcUrl: "https://my-rpc.example" })
  )
)
