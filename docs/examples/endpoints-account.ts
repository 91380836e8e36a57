// docs/endpoints.md: key management and billing (ADMIN key).
import { ApiKeys, Billing, VeniceError } from "@venice-effect/venice"
import { Effect, Redacted, Stream } from "effect"

export const program = Effect.gen(function*() {
  const created = yield* ApiKeys.create({
    apiKeyType: "INFERENCE",
    description: "customer 42",
    consumptionLimit: { usd: 5 },
    limitPeriod: "MONTH",
    modelPrivacy: "PRIVATE_ONLY"
  })
  const secret: Redacted.Redacted<string> = created.data.apiKey // shown once, never printed

  // the whole ledger of a month, page after page (keyset cursor)
  const rows = yield* Billing.usageHistoryPages({
    startTimestamp: "2026-06-01T00:00:00Z",
    endTimestamp: "2026-07-01T00:00:00Z"
  }).pipe(Stream.flatMap((page) => Stream.fromIterable(page.data)), Stream.runCount)

  return { secret, rows }
}).pipe(
  // an INFERENCE key on these routes: 401 "Admin API key required", never retried
  VeniceError.catchCode("ADMIN_API_KEY_REQUIRED", (e) => Effect.fail(new Error(VeniceError.remedy(e))))
)
