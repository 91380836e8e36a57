// docs/endpoints.md: characters, model traits, crypto-RPC networks and its credit cap, augment.
import { Augment, Characters, CryptoRpc, Models } from "@venice-effect/venice"
import { Effect } from "effect"

export const program = Effect.gen(function*() {
  const model = (yield* Models.traits({ type: "text" })).data["default"]
  const { data } = yield* Characters.list({ search: "philosopher", sortBy: "highestRating", limit: 5 })
  const { networks } = yield* CryptoRpc.networks()
  const { results } = yield* Augment.search({ query: "venice ai api pricing", limit: 3 })
  const pages = yield* Effect.forEach(results, (r) => Augment.scrape({ url: r.url }), { concurrency: 3 })
  return { model, characters: data.length, networks: networks.length, pages: pages.length }
}).pipe(
  // the crypto-RPC 24 h credit cap is never slept: the call fails at once with the wait
  Effect.catchTag("WaitTooLongError", (e) => Effect.logWarning(`retry in ${e.wait}`))
)
