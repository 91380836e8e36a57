// docs/fleet.md: every worker process of a service shares one API key's limits through Redis.
import { NodeHttpClient } from "@effect/platform-node"
import { RedisFleet } from "@venice-effect/redis"
import { Chat, VeniceClient } from "@venice-effect/venice"
import { Effect, Layer } from "effect"

// VENICE_API_KEY and VENICE_REDIS_URL (e.g. redis://:password@redis.internal:6379, read redacted) from the environment.
// The client finds the LimiterStore in its context: request windows, the error budget and wallet slots are the fleet's.
const Venice = VeniceClient.layerConfig().pipe(
  Layer.provide(RedisFleet.layerConfig()),
  Layer.provide(NodeHttpClient.layerUndici)
)

export const program = Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
  .pipe(
    Effect.tap((completion) => Effect.log(Chat.text(completion))),
    Effect.provide(Venice)
  )
