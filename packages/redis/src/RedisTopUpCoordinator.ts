/**
 * The x402 top-up coordinator of a fleet (X3 across processes): a `TopUpCoordinator` (core) in Redis. Every
 * process paying for one wallet sees one top-up lock — a lease that its holder renews while its top-up runs and that
 * lapses if the holder dies — one top-up generation, and one cumulative spend checked against the budget in the same
 * atomic step that reserves a payment. Concurrent `402 PAYMENT_REQUIRED`s in different processes therefore cause one
 * payment: the other processes wait for the lock, see the generation move, check the balance and retry.
 *
 * One key per wallet, `<prefix>topup:wallet:<address>`, kept `retention` (default 7 days) after its last payment:
 * the fleet's spend is cumulative while the fleet pays, and forgotten after a week without payments. Use another
 * `VENICE_REDIS_PREFIX` to start a new budget at once.
 *
 * Degraded, not down: while Redis is unreachable the process coordinates its own top-ups only (one in flight per
 * process) and counts against the budget what it last knew the fleet had spent plus its own payments since; those are
 * added to the shared spend when Redis is back. During an outage the fleet as a whole may therefore exceed the budget
 * by at most what each process may still pay on its own.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { PaymentPolicy, VeniceWallet } from "@venice-effect/venice"
 * import { RedisFleet } from "@venice-effect/redis"
 *
 * const Venice = PaymentPolicy.layerClient().pipe(
 *   Layer.provideMerge(PaymentPolicy.layerConfig()),
 *   Layer.provide(VeniceWallet.layerConfig()),
 *   Layer.provide(RedisFleet.layerConfig()), // the LimiterStore and this coordinator, on VENICE_REDIS_URL
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as TopUpCoordinator from "@venice-effect/core/TopUpCoordinator"
import type * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Scripts from "./internal/scripts.js"
import * as RedisConnection from "./RedisConnection.js"

/**
 * Coordinator options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * Lease of the top-up lock (default 30 s). The holder renews it every third of this while its top-up runs; after a
   * holder crashed, another process can take the lock once the lease has lapsed.
   */
  readonly leaseTtl?: Duration.DurationInput | undefined
  /** How often a process waiting for another's top-up asks again (default 250 ms). */
  readonly pollInterval?: Duration.DurationInput | undefined
  /** How long a wallet's state (spend, generation) is kept after its last payment (default 7 days). */
  readonly retention?: Duration.DurationInput | undefined
}

const MICROS = 1_000_000
const micros = (usd: number): number => Math.round(usd * MICROS)

const pair = (reply: unknown): readonly [number, number] | undefined =>
  Array.isArray(reply) && reply.length === 2 && typeof reply[0] === "number" && typeof reply[1] === "number"
    ? [reply[0], reply[1]]
    : undefined

interface Local {
  /** The fleet's spend as Redis last said, micro-USD. */
  lastSpent: number
  /** Spend recorded while Redis was unreachable, not yet added to Redis, micro-USD. */
  carry: number
  /** The generation as Redis last said, plus the top-ups made here while it was unreachable. */
  generation: number
  /** The in-process holder while Redis is unreachable. */
  owner: string | undefined
  /** An unconfirmed payment recorded while Redis was unreachable (this process's own; it wins until settled). */
  unconfirmed: TopUpCoordinator.UnconfirmedPayment | undefined
  /** The fleet's unconfirmed payment as Redis last said (used while it is unreachable). */
  lastSeen: TopUpCoordinator.UnconfirmedPayment | undefined
}

const UnconfirmedJson = Schema.parseJson(Schema.Struct({
  id: Schema.String,
  amountUsd: Schema.Finite,
  validBefore: Schema.Finite,
  lastValidBlockHeight: Schema.optional(Schema.Finite),
  submittedAt: Schema.Finite,
  mark: Schema.Struct({ id: Schema.NullOr(Schema.String), createdAt: Schema.NullOr(Schema.String) })
}))
const decodeUnconfirmed = Schema.decodeUnknownOption(UnconfirmedJson)
const encodeUnconfirmed = Schema.encodeSync(UnconfirmedJson)

/**
 * The coordinator over the connection in context.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  options: Options = {}
): Effect.Effect<TopUpCoordinator.Service, never, RedisConnection.RedisConnection> =>
  Effect.map(RedisConnection.RedisConnection, (redis) => {
    const leaseTtl = Duration.decode(options.leaseTtl ?? Duration.seconds(30))
    const pollInterval = Duration.decode(options.pollInterval ?? Duration.millis(250))
    const retention = Math.max(
      60_000,
      Math.round(Duration.toMillis(Duration.decode(options.retention ?? Duration.days(7))))
    )
    const key = (wallet: string) => `${redis.keyPrefix}topup:${wallet}`
    const locals = new Map<string, Local>()
    const local = (wallet: string): Local => {
      let state = locals.get(wallet)
      if (state === undefined) {
        state = { lastSpent: 0, carry: 0, generation: 0, owner: undefined, unconfirmed: undefined, lastSeen: undefined }
        locals.set(wallet, state)
      }
      return state
    }

    /**
     * Moves the spend by `delta` micro-USD (checked against `cap` when positive and `cap >= 0`), adding what was spent
     * while Redis was unreachable first; the carry is taken before the command and put back if it fails.
     */
    const spend = (wallet: string, now: number, delta: number, cap: number) =>
      Effect.suspend(() => {
        const state = local(wallet)
        const carry = state.carry
        state.carry = 0
        return redis.run(
          Scripts.spend,
          key(wallet),
          [now, retention, carry, delta, cap],
          (reply) => {
            const r = pair(reply)
            if (r === undefined) return undefined
            state.lastSpent = r[1]
            return { ok: r[0] === 1, spent: r[1] }
          },
          Effect.sync(() => {
            state.carry += carry
            const spent = Math.max(0, state.lastSpent + state.carry)
            if (delta > 0 && cap >= 0 && spent + delta > cap) return { ok: false, spent }
            const next = Math.max(0, spent + delta)
            state.carry = next - state.lastSpent
            return { ok: true, spent: next }
          })
        )
      })

    const service: TopUpCoordinator.Service = {
      acquire: (wallet, owner, now, ttlMillis) =>
        redis.run(
          Scripts.acquireLock,
          key(wallet),
          [Math.round(now), retention, owner, Math.ceil(ttlMillis)],
          (reply): TopUpCoordinator.LockAnswer | undefined => {
            const r = pair(reply)
            if (r === undefined) return undefined
            local(wallet).generation = r[1]
            return r[0] === 1 ? { _tag: "Acquired", generation: r[1] } : { _tag: "Held", generation: r[1] }
          },
          Effect.sync((): TopUpCoordinator.LockAnswer => {
            const state = local(wallet)
            if (state.owner !== undefined && state.owner !== owner) {
              return { _tag: "Held", generation: state.generation }
            }
            state.owner = owner
            return { _tag: "Acquired", generation: state.generation }
          })
        ),
      release: (wallet, owner, paid, now) =>
        Effect.suspend(() => {
          const state = local(wallet)
          // the local lock too: it may have been taken while Redis was unreachable
          if (state.owner === owner) state.owner = undefined
          return redis.run(
            Scripts.releaseLock,
            key(wallet),
            [Math.round(now), retention, owner, paid ? 1 : 0],
            (reply) => {
              if (typeof reply !== "number") return undefined
              state.generation = reply
              return reply
            },
            Effect.sync(() => (paid ? ++state.generation : state.generation))
          )
        }),
      reserve: (wallet, amountUsd, budgetUsd) =>
        Effect.map(
          Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) =>
            spend(wallet, now, micros(amountUsd), micros(budgetUsd))),
          ({ ok, spent }): TopUpCoordinator.BudgetAnswer =>
            ok ? { _tag: "Reserved", spentUsd: spent / MICROS } : { _tag: "OverBudget", spentUsd: spent / MICROS }
        ),
      unreserve: (wallet, amountUsd) =>
        Effect.map(
          Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) =>
            spend(wallet, now, -micros(amountUsd), -1)),
          ({ spent }) =>
            spent / MICROS
        ),
      spent: (wallet) =>
        Effect.map(
          Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => spend(wallet, now, 0, -1)),
          ({ spent }) => spent / MICROS
        ),
      markUnconfirmed: (wallet, payment) =>
        Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => {
          const state = local(wallet)
          return redis.run(
            Scripts.markUnconfirmed,
            key(wallet),
            [Math.round(now), retention, payment.id, encodeUnconfirmed(payment), micros(payment.amountUsd)],
            (reply) => {
              const held = Option.getOrUndefined(decodeUnconfirmed(reply))
              if (held !== undefined) state.lastSeen = held
              return held
            },
            Effect.sync(() => (state.unconfirmed ??= payment))
          )
        }),
      unconfirmed: (wallet) =>
        Effect.suspend(() => {
          const state = local(wallet)
          if (state.unconfirmed !== undefined) return Effect.succeed(state.unconfirmed)
          return redis.run(
            Scripts.getUnconfirmed,
            key(wallet),
            [],
            (reply) => {
              if (reply === "") return { held: undefined }
              const held = Option.getOrUndefined(decodeUnconfirmed(reply))
              return held === undefined ? undefined : { held }
            },
            // unreachable: what the fleet last said (never "none" when it said otherwise)
            Effect.sync(() => ({ held: state.lastSeen }))
          ).pipe(Effect.map(({ held }) => (state.lastSeen = held)))
        }),
      resolveUnconfirmed: (wallet, id, outcome) =>
        Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => {
          const state = local(wallet)
          const mine = state.unconfirmed
          if (mine !== undefined && mine.id === id) {
            // recorded while Redis was unreachable: settled in the process (its spend is in the carry)
            state.unconfirmed = undefined
            return outcome === "absent"
              ? Effect.map(spend(wallet, now, -micros(mine.amountUsd), -1), ({ spent }) => spent / MICROS)
              : Effect.map(spend(wallet, now, 0, -1), ({ spent }) => spent / MICROS)
          }
          const held = state.lastSeen
          // unreachable: what this process knows of the record (the fleet's spend catches up through the carry)
          const back = outcome === "absent" && held !== undefined && held.id === id ? micros(held.amountUsd) : 0
          return Effect.suspend(() => {
            const carry = state.carry
            state.carry = 0
            return redis.run(
              Scripts.resolveUnconfirmed,
              key(wallet),
              [Math.round(now), retention, id, carry, outcome === "absent" ? 1 : 0],
              (reply) => {
                const r = pair(reply)
                if (r === undefined) return undefined
                state.lastSpent = r[1]
                if (state.lastSeen?.id === id) state.lastSeen = undefined
                return r[1] / MICROS
              },
              Effect.sync(() => {
                state.carry += carry
                if (state.lastSeen?.id === id) state.lastSeen = undefined
                state.carry -= back
                return Math.max(0, state.lastSpent + state.carry) / MICROS
              })
            )
          })
        }),
      lease: { ttl: leaseTtl, pollInterval }
    }
    return service
  })

/**
 * The coordinator over a {@link RedisConnection.RedisConnection} provided separately (see `RedisFleet`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromConnection = (
  options: Options = {}
): Layer.Layer<TopUpCoordinator.TopUpCoordinator, never, RedisConnection.RedisConnection> =>
  Layer.effect(TopUpCoordinator.TopUpCoordinator, make(options))

/**
 * The coordinator with its own connection, from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: RedisConnection.Options & Options = {}
): Layer.Layer<TopUpCoordinator.TopUpCoordinator> =>
  Layer.provide(layerFromConnection(options), RedisConnection.layer(options))

/**
 * The coordinator with its own connection, from configuration: `VENICE_REDIS_URL` (required), `VENICE_REDIS_PREFIX`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<RedisConnection.Options, "url" | "keyPrefix"> & Options = {}
): Layer.Layer<TopUpCoordinator.TopUpCoordinator, ConfigError.ConfigError> =>
  Layer.provide(layerFromConnection(options), RedisConnection.layerConfig(options))
