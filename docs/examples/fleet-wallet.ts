// docs/fleet.md: worker processes on one x402 wallet: one top-up at a time for the fleet, one budget.
import { NodeHttpClient } from "@effect/platform-node"
import { RedisFleet } from "@venice-effect/redis"
import { Chat, PaymentPolicy, VeniceWallet } from "@venice-effect/venice"
// this program signs with a wallet: its calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import { Effect, Layer } from "effect"

// RedisFleet provides the LimiterStore (the wallet's 5 requests in flight, shared) and the top-up Coordinator: a 402 in
// any process runs one payment under a lock in Redis; the others wait for it, check the balance and retry.
const Venice = PaymentPolicy.layerClient().pipe(
  // $10 per payment, $50 for the whole fleet (give every process the same settings)
  Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50 })),
  Layer.provide(VeniceWallet.layerConfig()), // VENICE_WALLET_PRIVATE_KEY
  Layer.provide(RedisFleet.layerConfig({ leaseTtl: "30 seconds" })), // VENICE_REDIS_URL
  Layer.provide(NodeHttpClient.layerUndici)
)

export const program = Effect.gen(function*() {
  const completion = yield* Chat.completions({
    model: "venice-uncensored",
    messages: [{ role: "user", content: "hi" }]
  })
  const payments = yield* PaymentPolicy.PaymentPolicy
  yield* Effect.log(Chat.text(completion), `the fleet has spent $${yield* payments.spentUsd}`)
}).pipe(Effect.provide(Venice))
