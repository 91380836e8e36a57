/**
 * A `LimiterStore` in Redis, shared by every process of a fleet on one API key or wallet: the request windows that
 * pace calls (Venice's requests per minute per key and model), the failed-request error budget (R8) and the
 * wallet's requests in flight (X4). Each operation is one Lua script on one key, so concurrent processes never
 * race between a read and a write; its logic is that of `LimiterStore.makeMemory`.
 *
 * Keys are `<prefix>win:<bucket>`, `<prefix>budget:<bucket>` and `<prefix>slots:<bucket>` (bucket names are
 * non-secret identities such as `key:3fa9c1d2:venice-uncensored`); each expires once idle. Time is the caller's
 * `now` (its `Clock`), so the fleet's clocks must agree (NTP) — as they must anyway to read Venice's reset headers.
 *
 * Degraded, not down: while Redis is unreachable every operation answers from an in-process store (the state of this
 * process alone), which also sees every window, block and failure observed while Redis was up, so a process that
 * loses Redis keeps pacing at the limits it knew — at its share of them: each reservation also says how many processes
 * reserved in the bucket lately (`membersSeenWithin`), and the in-process store paces on `limit ÷ members`, so a fleet
 * cut off from Redis does not send `members ×` the window. One warning per outage; the store rejoins when Redis
 * answers.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { VeniceClient } from "@venice-effect/venice"
 * import { RedisLimiterStore } from "@venice-effect/redis"
 *
 * // VENICE_API_KEY and VENICE_REDIS_URL from the environment
 * const Venice = VeniceClient.layerConfig().pipe(
 *   Layer.provide(RedisLimiterStore.layerConfig()),
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Scripts from "./internal/scripts.js"
import * as RedisConnection from "./RedisConnection.js"

/**
 * Store options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * How long a bucket's state is kept after its window (or block, or lease) ends with no activity (default
   * 10 minutes): the known limit of an idle bucket is forgotten after this, as if the fleet had just started.
   */
  readonly idleTtl?: Duration.DurationInput | undefined
  /**
   * A process counts as a member of a bucket's fleet while it reserved in the bucket within this time (default
   * 1 minute, Venice's request window): the share the process paces on while Redis is unreachable is `1 ÷ members`.
   */
  readonly membersSeenWithin?: Duration.DurationInput | undefined
  /**
   * How often a call waiting for a slot of a bucket (a wallet's requests in flight, the error budget's unresolved
   * requests) asks Redis again (default 20 ms): another process's release cannot wake it, so it polls.
   */
  readonly slotPollInterval?: Duration.DurationInput | undefined
}

const integers = (reply: unknown): ReadonlyArray<number> | undefined =>
  Array.isArray(reply) && reply.every((x): x is number => typeof x === "number") ? reply : undefined

const int = (x: number): number => Math.round(x)
const ceil = (x: number): number => Math.ceil(x)

/**
 * The store over the connection in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<LimiterStore.Service, never, RedisConnection.RedisConnection> =>
  Effect.map(RedisConnection.RedisConnection, (redis) => {
    const idle = Math.max(1000, int(Duration.toMillis(Duration.decode(options.idleTtl ?? Duration.minutes(10)))))
    // what this process knows on its own: the answer while Redis is unreachable
    const local = LimiterStore.makeMemory()
    const member = globalThis.crypto.randomUUID()
    const seen = Math.max(
      1000,
      int(Duration.toMillis(Duration.decode(options.membersSeenWithin ?? Duration.minutes(1))))
    )
    /** bucket → processes that reserved in it lately (from the last reservation Redis answered). */
    const fleetSize = new Map<string, number>()
    /** What one process may take of a window the whole fleet shares. */
    const share = (bucket: string, window: LimiterStore.WindowObservation): LimiterStore.WindowObservation => {
      const members = fleetSize.get(bucket) ?? 1
      if (members <= 1) return window
      const limit = Math.max(1, Math.floor(window.limit / members))
      const used = Math.ceil(Math.max(0, window.limit - window.remaining) / members)
      return { limit, remaining: Math.max(0, limit - used), resetAt: window.resetAt }
    }
    const windowKey = (bucket: string) => `${redis.keyPrefix}win:${bucket}`
    const budgetKey = (bucket: string) => `${redis.keyPrefix}budget:${bucket}`
    const slotsKey = (bucket: string) => `${redis.keyPrefix}slots:${bucket}`
    const ok = (reply: unknown): true | undefined => (typeof reply === "number" ? true : undefined)
    const slotPoll = Effect.sleep(Duration.decode(options.slotPollInterval ?? Duration.millis(20)))

    const service: LimiterStore.Service = {
      reserve: (bucket, now) =>
        redis.run(
          Scripts.reserve,
          windowKey(bucket),
          [int(now), idle, Number.MAX_SAFE_INTEGER, member, seen],
          (reply) => {
            const r = integers(reply)
            if (r === undefined || r.length !== 3) return undefined
            // r.length === 3 (checked above)
            fleetSize.set(bucket, Math.max(1, r[2]!))
            // r.length === 3 (checked above)
            return r[0] === 1 ? { _tag: "Granted" } as const : { _tag: "Wait", until: r[1]! } as const
          },
          local.reserve(bucket, now)
        ),
      observeWindow: (bucket, window, now) =>
        Effect.zipRight(
          local.observeWindow(bucket, share(bucket, window), now),
          Effect.asVoid(
            redis.run(
              Scripts.observeWindow,
              windowKey(bucket),
              [int(now), idle, int(window.limit), int(window.remaining), ceil(window.resetAt)],
              ok,
              Effect.succeed(true)
            )
          )
        ),
      block: (bucket, until, now) =>
        Effect.zipRight(
          local.block(bucket, until, now),
          Effect.asVoid(
            redis.run(
              Scripts.block,
              windowKey(bucket),
              [int(now), idle, ceil(until), Number.MAX_SAFE_INTEGER],
              ok,
              Effect.succeed(true)
            )
          )
        ),
      recordFailure: (bucket, windowMillis, now) =>
        Effect.flatMap(
          local.recordFailure(bucket, windowMillis, now),
          (mine) =>
            redis.run(Scripts.recordFailure, budgetKey(bucket), [int(now), idle, ceil(windowMillis)], (reply) => {
              const r = integers(reply)
              // r.length === 2 (checked on this line)
              return r === undefined || r.length !== 2 ? undefined : { failures: r[0]!, resetAt: r[1]! }
            }, Effect.succeed(mine))
        ),
      observeBudget: (bucket, observation, now) =>
        Effect.zipRight(
          local.observeBudget(bucket, observation, now),
          Effect.asVoid(
            redis.run(
              Scripts.observeBudget,
              budgetKey(bucket),
              [int(now), idle, int(observation.remaining), ceil(observation.resetAt), int(observation.limit)],
              ok,
              Effect.succeed(true)
            )
          )
        ),
      budget: (bucket, now) =>
        redis.run(Scripts.budget, budgetKey(bucket), [int(now)], (reply) => {
          const r = integers(reply)
          // r.length === 2 (checked on this line)
          return r === undefined || r.length !== 2 ? undefined : { failures: r[0]!, resetAt: r[1]! }
        }, local.budget(bucket, now)),
      acquireSlot: (bucket, lease, limit, now, ttlMillis) =>
        redis.run(
          Scripts.acquireSlot,
          slotsKey(bucket),
          [int(now), idle, lease, int(limit), ceil(ttlMillis)],
          (reply) => {
            const r = integers(reply)
            if (r === undefined || r.length !== 2) return undefined
            // r.length === 2 (checked above)
            return r[0] === 1 ? { _tag: "Granted" } as const : { _tag: "Busy", inUse: r[1]! } as const
          },
          local.acquireSlot(bucket, lease, limit, now, ttlMillis)
        ),
      // the fleet's releases happen in other processes: a waiter asks again after the poll interval
      watchSlots: () => Effect.succeed(slotPoll),
      // a lease is given back wherever it may be held: in Redis, and locally (taken while Redis was unreachable)
      releaseSlot: (bucket, lease) =>
        Effect.zipRight(
          local.releaseSlot(bucket, lease),
          Effect.asVoid(redis.run(Scripts.releaseSlot, slotsKey(bucket), [lease], ok, Effect.succeed(true)))
        ),
      slotsInUse: (bucket, now) =>
        redis.run(
          Scripts.slotsInUse,
          slotsKey(bucket),
          [int(now)],
          (reply) => (typeof reply === "number" ? reply : undefined),
          local.slotsInUse(bucket, now)
        )
    }
    return service
  })

/**
 * The store over a {@link RedisConnection.RedisConnection} provided separately (e.g. shared with the top-up
 * coordinator, see `RedisFleet`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromConnection = (
  options: Options = {}
): Layer.Layer<LimiterStore.LimiterStore, never, RedisConnection.RedisConnection> =>
  Layer.effect(LimiterStore.LimiterStore, make(options))

/**
 * The store with its own connection, from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RedisConnection.Options & Options = {}
): Layer.Layer<LimiterStore.LimiterStore> => Layer.provide(layerFromConnection(options), RedisConnection.layer(options))

/**
 * The store with its own connection, from configuration: `VENICE_REDIS_URL` (required), `VENICE_REDIS_PREFIX`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<RedisConnection.Options, "url" | "keyPrefix"> & Options = {}
): Layer.Layer<LimiterStore.LimiterStore, ConfigError.ConfigError> =>
  Layer.provide(layerFromConnection(options), RedisConnection.layerConfig(options))
