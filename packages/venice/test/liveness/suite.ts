/**
 * The liveness suite's runner: an emulator on loopback (on the test's TestClock), one HTTP client shared by every
 * case (so the keep-alive pool is the socket baseline), and fast-check driving {@link Harness.runCase} over generated
 * cases. The run count comes from `VENICE_LIVENESS_RUNS` (the whole suite's; `npm run test:deep` sets 20,000; 50
 * under mutation testing), split between the suite's properties by their share; `VENICE_LIVENESS_SEED` replays a run.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as FastCheck from "effect/FastCheck"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Runtime from "effect/Runtime"
import * as TestClock from "effect/TestClock"
import * as VeniceWallet from "../../src/VeniceWallet.js"
import { KEY, NOW } from "../support.js"
import { throwawayKey, throwawaySolanaKey } from "../walletSupport.js"
import * as Cases from "./cases.js"
import * as Harness from "./harness.js"

/** Generated cases of the whole suite in `npm test`. */
export const DEFAULT_RUNS = 2_000

/** This property's share of the suite's runs. */
export const runsFor = (share: number): number => {
  // under mutation testing every mutant the suite covers reruns it: a sample is enough there
  const mutating = process.env["STRYKER_MUTATOR_WORKER"] !== undefined
  const total = Number(process.env["VENICE_LIVENESS_RUNS"] ?? (mutating ? 50 : DEFAULT_RUNS))
  return Math.max(1, Math.round((Number.isFinite(total) ? total : DEFAULT_RUNS) * share))
}

export interface Summary {
  readonly runs: number
  readonly outcomes: Readonly<Record<string, number>>
  readonly longest: number
  readonly forced: number
  /** Cases per caller (`key`, `base`, `solana`). */
  readonly callers: Readonly<Record<string, number>>
}

/** Runs `runs` cases of `arbitrary` against one emulator; fails (with fast-check's counterexample) on a violation. */
export const check = (
  arbitrary: FastCheck.Arbitrary<Cases.Case>,
  runs: number
): Effect.Effect<Summary, never, import("effect/Scope").Scope> =>
  Effect.gen(function*() {
    yield* TestClock.setTime(NOW)
    // two throwaway wallets (Base, Solana) with ample credit: wallet cases sign in on every attempt, never pay
    const base = throwawayKey()
    const solana = throwawaySolanaKey()
    // the emulator's stream chunks are not paced (no sleeps the driver would have to guess)
    const emulator = yield* Emulator.make({
      keys: [KEY],
      x402: { wallets: { [base.address]: 1_000_000, [solana.address]: 1_000_000 } }
    }).pipe(Effect.orDie)
    const wallets: Harness.Wallets = {
      base: yield* VeniceWallet.fromPrivateKey(Redacted.make(base.key)).pipe(Effect.orDie),
      solana: yield* VeniceWallet.fromSolanaSecretKey(Redacted.make(solana.key), { rpcUrl: emulator.solanaRpcUrl })
        .pipe(Effect.orDie)
    }
    const http = yield* Effect.provide(HttpClient.HttpClient, yield* Layer.build(NodeHttpClient.layerUndici))
    const runtime = yield* Effect.runtime<never>()
    const roots = (yield* Fiber.roots).length
    const outcomes: Record<string, number> = {}
    let longest = 0
    let forced = 0
    const callers: Record<string, number> = {}
    // under mutation testing the sample is the same for every mutant (a fixed seed): killed or not, reproducibly
    const seed = process.env["VENICE_LIVENESS_SEED"] ??
      (process.env["STRYKER_MUTATOR_WORKER"] !== undefined ? "13" : undefined)
    yield* Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(arbitrary, async (c) => {
          const t0 = Date.now()
          const outcome = await Runtime.runPromise(runtime)(Harness.runCase(c, { emulator, http, wallets }))
          if (process.env["LIVENESS_PROFILE"] !== undefined && Date.now() - t0 > 200) {
            console.log(`slow case ${Date.now() - t0} ms: ${Cases.describeCase(c)}`)
          }
          outcomes[outcome.tag] = (outcomes[outcome.tag] ?? 0) + 1
          longest = Math.max(longest, outcome.elapsed / outcome.bound)
          forced += outcome.forced
          callers[c.caller] = (callers[c.caller] ?? 0) + 1
        }),
        { numRuns: runs, ...(seed !== undefined ? { seed: Number(seed) } : {}) }
      )
    )
    // no fiber left behind by any case (a leaked wait or request would still be running)
    const left = (yield* Fiber.roots).length
    if (left > roots) throw new Error(`${left - roots} root fibers left running after ${runs} cases`)
    return { runs, outcomes, longest, forced, callers }
  })

/** One line for the test log: cases by caller and by outcome, the longest run against its bound, forced stalls. */
export const report = (name: string, summary: Summary): string =>
  `liveness (${name}): ${summary.runs} cases, callers ${JSON.stringify(summary.callers)}, outcomes ${
    JSON.stringify(summary.outcomes)
  }; longest ${(summary.longest * 100).toFixed(1)}% of its bound; ${summary.forced} attempt(s) treated as stalled`
