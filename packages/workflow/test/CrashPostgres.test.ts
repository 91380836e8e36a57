/**
 * Two workers on PostgreSQL (a real server: `VENICE_PG_URL`, or a private one; see `postgres.ts`), both asked for the
 * same run; the one that runs it is SIGKILLed after its queue request (or its payment) reached Venice and before the
 * answer came back. The other takes the dead worker's shards once its heartbeat is stale and resumes the run: one
 * queue, one credited payment, one result.
 */
import { describe, expect, it } from "@effect/vitest"
import * as LossyProxy from "@venice-effect/emulator/LossyProxy"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { spawnScoped, within } from "./crash/harness.js"
import type { WorkerConfig } from "./crash/protocol.js"
import { freshDatabase, missingPostgres } from "./postgres.js"
import { emulatorLayer, tempDir, throwawayKey, videoRequest } from "./support.js"

const sha256 = (bytes: Uint8Array) => Crypto.createHash("sha256").update(bytes).digest("hex")

const fleetCrash = (
  options: { readonly label: string; readonly balanceUsd: number; readonly rule: LossyProxy.HoldRule }
) => {
  const { address, key } = throwawayKey()
  const dir = tempDir(options.label)
  const path = Path.join(dir, "out.mp4")
  return Effect.gen(function*() {
    const emu = yield* Emulator.VeniceEmulator
    const url = yield* Effect.promise(() => freshDatabase(options.label))
    const proxies = yield* Effect.all([LossyProxy.make(emu.baseUrl), LossyProxy.make(emu.baseUrl)])
    const configs = proxies.map((proxy, i): WorkerConfig => ({
      baseUrl: proxy.url,
      auth: { _tag: "wallet", key },
      storage: { _tag: "pg", url, runner: { host: `worker-${i}`, port: 1000 + i } },
      payments: {
        maxPerPaymentUsd: 10,
        budgetUsd: 20,
        reconcileInterval: "500 millis",
        authorizationWindow: "60 seconds"
      },
      payload: { id: `fleet-${options.label}`, request: videoRequest(), output: { _tag: "File", path } }
    }))
    const holds = proxies.map((proxy, i) => proxy.hold(options.rule).then((seen) => ({ seen, i })))
    const workers = yield* Effect.forEach(configs, spawnScoped)
    const first = yield* Effect.promise(() =>
      within(120_000, `a worker reaching ${options.rule.path}`, Promise.race(holds)).catch((e) => {
        throw new Error(`${e.message}\n${workers.map((w, i) => `worker ${i} said:\n${w.output()}`).join("\n")}`)
      })
    )
    const killed = workers[first.i]!
    const survivor = workers[1 - first.i]!
    proxies.forEach((p) => p.clear())
    yield* Effect.promise(killed.kill)
    proxies[first.i]!.release()
    const outcome = yield* Effect.promise(() =>
      within(150_000, "the surviving worker delivering the result", survivor.outcome).catch((e) => {
        throw new Error(`${e.message}\nsurvivor said:\n${survivor.output()}`)
      })
    )
    if (outcome._tag !== "result") {
      throw new Error(`expected a result, got ${JSON.stringify(outcome)}\n${survivor.output()}`)
    }
    const result = outcome.result as {
      readonly topUp?: { readonly via: string; readonly attempt: number }
      readonly job: { readonly recovered: boolean; readonly media: { readonly sha256: string } }
    }
    const wallet = yield* emu.wallet(address)
    return {
      result,
      held: first.seen,
      queues: yield* emu.count({ route: "video/queue" }),
      payments: wallet.payments,
      file: Fs.readFileSync(path)
    }
  }).pipe(Effect.provide(emulatorLayer(address, options.balanceUsd)))
}

describe.skipIf(missingPostgres !== undefined)("two workers on PostgreSQL, the one running the run killed", () => {
  it.scopedLive(
    "killed after its queue request reached Venice: the other worker finds the job, one queue",
    () =>
      Effect.gen(function*() {
        const run = yield* fleetCrash({
          label: "pgqueue",
          balanceUsd: 10,
          rule: { method: "POST", path: "/video/queue" }
        })
        expect(run.held.status).toBe(200)
        expect(run.queues).toBe(1)
        expect(run.result.job.recovered).toBe(true)
        expect(run.result.job.media.sha256).toBe(sha256(run.file))
      }),
    300_000
  )

  it.scopedLive(
    "killed after its payment reached Venice: the other worker finds it in the ledger, one payment",
    () =>
      Effect.gen(function*() {
        const run = yield* fleetCrash({
          label: "pgpay",
          balanceUsd: 0,
          rule: { method: "POST", path: "/x402/top-up", paying: true }
        })
        expect(run.payments).toHaveLength(1)
        expect(run.payments[0]?.submissions).toBe(1)
        expect(run.result.topUp?.via).toBe("ledger")
        expect(run.queues).toBe(1)
        expect(run.result.job.media.sha256).toBe(sha256(run.file))
      }),
    300_000
  )
})
