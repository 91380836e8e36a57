/**
 * Single-flight x402 top-ups across real processes: 4 worker processes × 8 fibers on one wallet with no credit, the
 * emulator in this process. Their concurrent 402s cause exactly ONE payment (the emulator's ledger), every call
 * succeeds, and the budget they share says $10. Then the process holding the top-up lock is killed mid-top-up: its
 * lease lapses, another process pays, once.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import type { WorkerConfig } from "@venice-effect/testkit/FleetWorker"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import { startFleet } from "./fleet/run.js"
import { inspector, missingRedis, redisUrl, uniquePrefix } from "./support.js"

const walletConfigs = (
  baseUrl: string,
  redisUrl: string,
  keyPrefix: string,
  privateKey: `0x${string}`,
  fibers: number,
  callsPerFiber: number,
  leaseTtlMs: number
): ReadonlyArray<WorkerConfig> =>
  Array.from({ length: 4 }, (_, id) => ({
    id,
    baseUrl,
    fibers,
    store: "redis",
    redisUrl,
    keyPrefix,
    model: "venice-uncensored",
    mode: { _tag: "wallet", privateKey, callsPerFiber, leaseTtlMs, pollMs: 100 }
  }))

describe.skipIf(missingRedis !== undefined)("a fleet of 4 processes on one wallet", () => {
  it.scopedLive(
    "4 processes × 8 fibers get 402 together → exactly ONE top-up; every call succeeds",
    () =>
      Effect.gen(function*() {
        const url = yield* redisUrl
        const key = generatePrivateKey()
        const address = privateKeyToAccount(key).address
        const emu = yield* Emulator.make({ x402: { wallets: { [address]: 0 } } })
        // a lease of 15 s (renewed every 5 s): a holder stalled by a loaded machine keeps its lock; a lease that lapsed
        // under a live holder would let a second process pay, which is what this test must never see for another reason
        const fleet = yield* startFleet(walletConfigs(emu.baseUrl, url, uniquePrefix("topup"), key, 8, 2, 15_000))
        const done = yield* fleet.done
        const view = yield* emu.wallet(address)
        console.log(
          `402 fleet: ${
            done.map((d) => `ok ${d?.ok} failed ${d?.failed} ${JSON.stringify(d?.errors)} spent $${d?.spentUsd}`).join(
              "; "
            )
          }; ` +
            `402s ${yield* emu.count({ status: 402, route: "chat/completions" })}, payments ${
              JSON.stringify(view.payments)
            }`
        )
        expect(done.map((d) => d?.ok)).toEqual([16, 16, 16, 16])
        expect(view.payments).toMatchObject([{ amountUsd: 10, status: "credited", submissions: 1 }])
        expect(view.transactions.filter((t) => t.type === "TOP_UP")).toHaveLength(1)
        expect(done.map((d) => d?.spentUsd)).toEqual([10, 10, 10, 10])
        // the wallet's 5 requests in flight were shared by the fleet too
        expect(yield* emu.count({ status: 429 })).toBe(0)
      }),
    180_000
  )

  it.scopedLive(
    "the lock holder is killed mid-top-up: its lease lapses, another process pays, once",
    () =>
      Effect.gen(function*() {
        const url = yield* redisUrl
        const keyPrefix = uniquePrefix("killed")
        const key = generatePrivateKey()
        const address = privateKeyToAccount(key).address
        const emu = yield* Emulator.make({ x402: { wallets: { [address]: 0 } } })
        // the first top-up request (the holder's discovery) never gets an answer
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.stall)
        // a lease of 3 s, renewed every second: after the kill it has between 2 s (renewed just before) and 3 s to live
        const fleet = yield* startFleet(walletConfigs(emu.baseUrl, url, keyPrefix, key, 4, 1, 3_000))
        const redis = yield* inspector(url)
        const lockKey = `${keyPrefix}topup:wallet:${address.toLowerCase()}`
        let owner: string | null = null
        // a bound on polls, not on time: the fleet's processes may take long to start on a loaded machine
        for (let i = 0; i < 2_400 && (owner === null || (yield* emu.count({ route: "x402/top-up" })) === 0); i++) {
          yield* Effect.sleep(Duration.millis(50))
          owner = yield* Effect.promise(() => redis.hget(lockKey, "o"))
        }
        const pid = Number(/^pid:(\d+):/.exec(owner ?? "")?.[1])
        expect(fleet.pids).toContain(pid)
        const killedAt = Date.now()
        fleet.kill(pid)
        const done = yield* fleet.done
        const view = yield* emu.wallet(address)
        const paidAt = (yield* emu.requests).find((r) => r.route === "x402/top-up" && r.status === 200)?.at ?? 0
        console.log(
          `holder pid ${pid} killed; ${
            done.map((d, i) => `${fleet.pids[i]}: ${d === undefined ? "killed" : `ok ${d.ok} failed ${d.failed}`}`)
              .join("; ")
          }; ` +
            `paid ${paidAt - killedAt} ms after the kill; payments ${JSON.stringify(view.payments)}`
        )
        done.forEach((d, i) => {
          if (fleet.pids[i] === pid) expect(d).toBeUndefined()
          else expect(d).toMatchObject({ ok: 4, failed: 0, spentUsd: 10 })
        })
        expect(view.payments).toMatchObject([{ amountUsd: 10, status: "credited", submissions: 1 }])
        // not before the dead holder's lease had lapsed: at least 2 s after the kill when its last renewal was on time;
        // 0.9 s allows its last renewal to have been 1.1 s late (a loaded machine; the 1.5 s lease this test had left 0.1 s)
        expect(paidAt - killedAt).toBeGreaterThanOrEqual(900)
      }),
    180_000
  )
})
