// docs/x402.md: the policy's own operations, and its schedule composed per call.
import { Chat, PaymentPolicy, RetryPolicy } from "@venice-effect/venice"
import { Console, Effect, Schedule } from "effect"

export const program = Effect.gen(function*() {
  const payments = yield* PaymentPolicy.PaymentPolicy
  const before = yield* payments.balance // GET /x402/balance/{wallet}
  yield* Console.log(`wallet ${payments.wallet.address}: ${JSON.stringify(before)}`)

  // a top-up now, under the same caps, budget and single flight as a 402's
  yield* payments.topUp(5)

  // per call: pay, or back off twice; each schedule keeps its own state (a payment does not use up a retry)
  const retry = PaymentPolicy.orElse(payments.schedule, RetryPolicy.make({ maxRetries: 2 }))
  yield* Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }, { retry })

  // or only ever pay: no other retry
  yield* Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }, {
    retry: payments.schedule.pipe(Schedule.upTo("2 minutes"))
  })

  const history = yield* payments.transactions({ limit: 10 }) // GET /x402/transactions/{wallet}
  yield* Console.log(history.data.transactions.map((t) => `${t.type} ${t.amount}`).join("\n"))
  yield* Console.log(`spent $${yield* payments.spentUsd} of $${payments.budgetUsd}`)
})
