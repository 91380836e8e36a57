// docs/x402.md: the policy's own operations, and the payment step around a call wired by hand.
import { Chat, PaymentPolicy } from "@venice-effect/venice"
// this program signs with a wallet: its calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import { Console, Effect } from "effect"

// with a client of the wallet without payments (VeniceWallet.layerClient()) and the policy in context
export const program = Effect.gen(function*() {
  const payments = yield* PaymentPolicy.PaymentPolicy
  const before = yield* payments.balance // GET /x402/balance/{wallet}
  yield* Console.log(`wallet ${payments.wallet.address}: ${JSON.stringify(before)}`)

  // a top-up now, under the same caps, budget and single flight as a 402's
  yield* payments.topUp(5)

  // the payment step around one call: a 402 → top up, run it again; a refusal → PaymentRefusedError, not the 402
  yield* Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }).pipe(
    PaymentPolicy.retry(payments),
    Effect.catchTag("PaymentRefusedError", (e) => Console.error(`not paid (${e.reason})`))
  )

  const history = yield* payments.transactions({ limit: 10 }) // GET /x402/transactions/{wallet}
  yield* Console.log(history.data.transactions.map((t) => `${t.type} ${t.amount}`).join("\n"))
  yield* Console.log(`spent $${yield* payments.spentUsd} of $${payments.budgetUsd}`)
})
