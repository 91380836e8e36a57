/**
 * Fleet mode in one layer: the `LimiterStore` (request windows, error budget, wallet slots) and the x402
 * `TopUpCoordinator` (top-up lock, budget) in Redis over one connection, for every process of a fleet that
 * shares an API key or a wallet. Provide it under `VeniceClient` / `PaymentPolicy` layers: they pick both up from
 * context (without it they keep the in-process defaults).
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { VeniceClient } from "@venice-effect/venice"
 * import { RedisFleet } from "@venice-effect/redis"
 *
 * // VENICE_API_KEY, VENICE_REDIS_URL (e.g. redis://redis.internal:6379) from the environment
 * const Venice = VeniceClient.layerConfig().pipe(
 *   Layer.provide(RedisFleet.layerConfig()),
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as LimiterStore from "@venice-effect/core/LimiterStore"
import type * as TopUpCoordinator from "@venice-effect/core/TopUpCoordinator"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as RedisConnection from "./RedisConnection.js"
import * as RedisLimiterStore from "./RedisLimiterStore.js"
import * as RedisTopUpCoordinator from "./RedisTopUpCoordinator.js"

/**
 * Options of the connection, the store and the coordinator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends RedisConnection.Options, RedisLimiterStore.Options, RedisTopUpCoordinator.Options {}

/**
 * What the fleet layer provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Services = LimiterStore.LimiterStore | TopUpCoordinator.TopUpCoordinator | RedisConnection.RedisConnection

const over = <E>(connection: Layer.Layer<RedisConnection.RedisConnection, E>, options: Options) =>
  Layer.mergeAll(RedisLimiterStore.layerFromConnection(options), RedisTopUpCoordinator.layerFromConnection(options))
    .pipe(
      Layer.provideMerge(connection)
    )

/**
 * The store and the coordinator over one connection, from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services> => over(RedisConnection.layer(options), options)

/**
 * The store and the coordinator over one connection, from configuration: `VENICE_REDIS_URL` (required),
 * `VENICE_REDIS_PREFIX` (optional).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "url" | "keyPrefix"> = {}
): Layer.Layer<Services, ConfigError.ConfigError> => over(RedisConnection.layerConfig(options), options)
