/**
 * Fleet pacing with real processes: 4 worker processes × 8 fibers on one API key, against the emulator (in this
 * process) capping the key at R = 40 requests per 2 s window. With the Redis store they use the windows in full (≥ 90 %
 * of the limit served per whole window; 32 callers always have a call waiting) with ≤ 0.02 429s per request; with
 * each process on its own in-memory store (for comparison) they collect many more 429s. Then Redis is killed mid-run
 * and restarted: no call fails, each worker warns once, and rejoins.
 *
 * No figure here depends on the machine's speed: how long the processes take to notice that a window opened grows
 * with CPU load (the goodput per second fell to 93.5 % of R on a loaded 2-core machine), so goodput per second is
 * printed, not asserted (the `fleet` benchmark measures it). What the store decides is counted instead: the calls it
 * lets through per server window (a store that under-uses its share leaves windows part-empty) and the 429s it fails
 * to prevent. Window fill and the comparison with in-memory stores are checked when the fleet could offer more than R
 * (the in-memory run shows it); a machine too loaded for that gets the invariants only, and says so.
 *
 * R is modest (20 requests/s) so that the figures measure the coordination, not the CPU: `npm test` runs this next to
 * every other test file on a 2-core machine. The comparison at 50 requests/s, with more and longer runs, is the
 * `fleet` benchmark suite (docs/benchmarks.md, docs/fleet.md).
 */
import { describe, expect, it } from "@effect/vitest"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import type { WorkerConfig } from "@venice-effect/testkit/FleetWorker"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { goodput, startFleet } from "./fleet/run.js"
import { missingRedis, missingRedisServer, redisUrl, startPrivateRedis, uniquePrefix } from "./support.js"

const LIMIT = 40
const WINDOW = 2_000
const MODEL = "venice-uncensored"

const configs = (
  base: Omit<WorkerConfig, "id" | "fibers" | "mode" | "model">,
  apiKey: string,
  durationMs: number
): ReadonlyArray<WorkerConfig> =>
  Array.from(
    { length: 4 },
    (_, id) => ({ ...base, id, fibers: 8, model: MODEL, mode: { _tag: "key", apiKey, durationMs } })
  )

describe.skipIf(missingRedis !== undefined)("a fleet of 4 processes × 8 fibers on one key", () => {
  it.scopedLive(
    "Redis store: windows used in full, ≤ 0.02 429s per request; in-memory stores: visibly worse",
    () =>
      Effect.gen(function*() {
        const url = yield* redisUrl
        const emu = yield* Emulator.make({
          keys: ["fleet-redis-key", "fleet-memory-key"],
          rateLimit: { requestsPerWindow: LIMIT, window: Duration.millis(WINDOW) }
        })
        const run = (store: "redis" | "memory", apiKey: string) =>
          Effect.gen(function*() {
            const fleet = yield* startFleet(
              configs({ baseUrl: emu.baseUrl, store, redisUrl: url, keyPrefix: uniquePrefix(store) }, apiKey, 8_000)
            )
            const done = yield* fleet.done
            const stats = goodput(yield* emu.requests, emu.labelOf(apiKey), LIMIT, WINDOW)
            const failed = done.reduce((n, d) => n + (d?.failed ?? 1), 0)
            console.log(
              `${store.padEnd(6)} windows ${(stats.fill * 100).toFixed(1)} % full; goodput ${
                stats.perSecond.toFixed(1)
              }/s = ${(stats.ratio * 100).toFixed(1)} % of R over ${stats.windows - 1} windows; ` +
                `${stats.requests} requests, ${stats.tooMany} × 429 (${
                  stats.tooManyPerRequest.toFixed(3)
                } per request); failed calls ${failed}`
            )
            return { stats, failed }
          })
        const redis = yield* Effect.scoped(run("redis", "fleet-redis-key"))
        const memory = yield* Effect.scoped(run("memory", "fleet-memory-key"))
        // whatever the machine's load: no call fails, and the shared store keeps the fleet within the key's limit
        expect(redis.failed).toBe(0)
        expect(memory.failed).toBe(0)
        expect(redis.stats.tooManyPerRequest).toBeLessThanOrEqual(0.02)
        // The other two claims need a fleet that offers more than R: the in-memory fleet (4 stores, each granting the
        // whole limit) shows whether this machine let it. With more requests than its windows could take, it over-sent:
        // it must have collected 429s, and the Redis fleet, as able to offer as much, must have used its windows in full.
        // On a machine too loaded for 32 callers to offer R (seen at load 25 on 2 cores: 73 requests in 5 windows of 40),
        // neither claim can be shown either way, and the run says so instead of failing on the machine's speed.
        const saturated = memory.stats.requests > LIMIT * memory.stats.windows
        console.log(
          saturated
            ? "the fleets offered more than R: window fill and 429s compared"
            : "the fleets never offered R (a loaded machine): fill and the comparison not checked"
        )
        if (saturated) {
          expect(redis.stats.windows).toBeGreaterThanOrEqual(3)
          expect(redis.stats.fill).toBeGreaterThanOrEqual(0.9)
          // each process on its own: the key's 429s multiply
          expect(memory.stats.tooManyPerRequest).toBeGreaterThan(Math.max(0.05, 5 * redis.stats.tooManyPerRequest))
        }
      }),
    180_000
  )

  it.scopedLive.skipIf(missingRedisServer !== undefined)(
    "Redis killed mid-run and restarted: no call fails, each worker warns once and rejoins",
    () =>
      Effect.gen(function*() {
        const redis = yield* Effect.acquireRelease(Effect.promise(() => startPrivateRedis()), (r) =>
          Effect.promise(r.kill))
        const emu = yield* Emulator.make({
          keys: ["fleet-outage-key"],
          rateLimit: { requestsPerWindow: LIMIT, window: Duration.millis(WINDOW) }
        })
        const fleet = yield* startFleet(
          configs(
            { baseUrl: emu.baseUrl, store: "redis", redisUrl: redis.url, keyPrefix: uniquePrefix("outage") },
            "fleet-outage-key",
            12_000
          )
        )
        yield* Effect.sleep(Duration.millis(2_200))
        yield* Effect.promise(redis.kill)
        yield* Effect.sleep(Duration.millis(2_500))
        // the workers call on for 7 s after the restart (2.3 s before): time for a starved process to see Redis again
        yield* Effect.promise(redis.start)
        const done = yield* fleet.done
        const stats = goodput(yield* emu.requests, emu.labelOf("fleet-outage-key"), LIMIT, WINDOW)
        console.log(
          `outage: ${
            done.map((d) => `ok ${d?.ok} failed ${d?.failed} warnings ${d?.warnings} rejoins ${d?.rejoins}`).join("; ")
          }; ` +
            `${stats.requests} requests, ${stats.tooMany} × 429, goodput ${(stats.ratio * 100).toFixed(1)} % of R`
        )
        for (const d of done) {
          expect(d).toMatchObject({ failed: 0, warnings: 1, rejoins: 1 })
          expect(d!.ok).toBeGreaterThan(0)
        }
        // every call the workers made was answered 200 in the end (429s were retried, none was lost)
        expect(done.reduce((n, d) =>
          n + d!.ok, 0)).toBe(stats.successes)
      }),
    180_000
  )
})
