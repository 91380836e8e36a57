// docs/x402.md: a wallet-authenticated client that tops itself up within caps.
import { NodeHttpClient } from "@effect/platform-node"
import { Chat, PaymentPolicy, RetryPolicy, VeniceWallet } from "@venice-effect/venice"
// this program signs with a wallet: its calls may fail with a WalletError (a program with an API key imports nothing)
import type {} from "@venice-effect/venice/WalletErrors"
import { Console, Effect, Layer } from "effect"

// VENICE_WALLET_PRIVATE_KEY is read with Config.redacted; the key becomes a viem account and is never kept or printed.
const Wallet = VeniceWallet.layerConfig()

// Both limits are required: at most $10 per payment, $50 in total for this process.
const Payments = PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50 })

// A client signed in by the wallet (a fresh SIGN-IN-WITH-X per attempt) with the payment step around every call:
// 402 PAYMENT_REQUIRED → top up, run the call again at once; a refusal → its typed error; the rest → `retry`.
const Venice = PaymentPolicy.layerClient({ retry: RetryPolicy.make({ maxRetries: 3 }) }).pipe(
  Layer.provideMerge(Payments),
  Layer.provide(Wallet),
  Layer.provide(NodeHttpClient.layerUndici)
)

export const program = Effect.gen(function*() {
  const completion = yield* Chat.completions({
    model: "venice-uncensored",
    messages: [{ role: "user", content: "hi" }]
  })
  const payments = yield* PaymentPolicy.PaymentPolicy
  yield* Console.log(Chat.text(completion), `spent $${yield* payments.spentUsd}`)
}).pipe(
  Effect.catchTags({
    PaymentRefusedError: (e) => Console.error(`not paid (${e.reason}): ${e.message}`),
    TopUpFailedError: (e) => Console.error(`top-up ${e.reason}${e.fundsMayHaveMoved ? " — funds may still land" : ""}`)
  }),
  Effect.provide(Venice)
)
