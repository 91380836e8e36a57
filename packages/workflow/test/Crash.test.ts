/**
 * Crash tests over real processes (SQLite storage): a worker runs `videoToFile` against the emulator through a proxy
 * that can lose answers, and is SIGKILLed (a) right after its queue request reached Venice, (b) mid-poll, (c) after
 * its payment reached Venice and before the answer came back; a fresh worker on the same file resumes the run. The
 * emulator counts what was billed: exactly one queue, one credited payment per need, one result.
 */
import { describe, expect, it } from "@effect/vitest"
import * as LossyProxy from "@venice-effect/emulator/LossyProxy"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { type Outcome, spawnScoped, within } from "./crash/harness.js"
import type { WorkerConfig } from "./crash/protocol.js"
import { emulatorLayer, tempDir, throwawayKey, videoRequest } from "./support.js"

const sha256 = (bytes: Uint8Array) => Crypto.createHash("sha256").update(bytes).digest("hex")

const resultOf = (outcome: Outcome) => {
  if (outcome._tag !== "result") throw new Error(`expected a result, got ${JSON.stringify(outcome)}`)
  return outcome.result as {
    readonly topUp?: { readonly via: string; readonly attempt: number; readonly amountUsd: number }
    readonly job: {
      readonly queueId: string
      readonly recovered: boolean
      readonly media: { readonly path: string; readonly sha256: string }
    }
  }
}

/**
 * One crash: worker 1 runs until the proxy has held the answer matching `rule` (the effect happened upstream), is
 * killed; worker 2 (same storage, same run id) resumes and delivers. Returns worker 2's result, the emulator's counts
 * and the output file.
 */
const crashAndResume = (options: {
  readonly balanceUsd: number
  readonly rule: LossyProxy.HoldRule
  readonly label: string
  readonly authorizationWindow?: Duration.DurationInput
}) => {
  const { address, key } = throwawayKey()
  const dir = tempDir(options.label)
  const path = Path.join(dir, "out.mp4")
  return Effect.gen(function*() {
    const emu = yield* Emulator.VeniceEmulator
    const proxy = yield* LossyProxy.make(emu.baseUrl)
    const config: WorkerConfig = {
      baseUrl: proxy.url,
      auth: { _tag: "wallet", key },
      storage: { _tag: "sqlite", filename: Path.join(dir, "wf.sqlite") },
      payments: {
        maxPerPaymentUsd: 10,
        budgetUsd: 20,
        reconcileInterval: "500 millis",
        authorizationWindow: options.authorizationWindow ?? "60 seconds",
        landingMargin: "1 second"
      },
      payload: { id: `crash-${options.label}`, request: videoRequest(), output: { _tag: "File", path } }
    }
    const held = proxy.hold(options.rule)
    const first = yield* spawnScoped(config)
    const heldRequest = yield* Effect.promise(() =>
      within(30_000, `worker 1 reaching ${options.rule.path}`, held).catch((e) => {
        throw new Error(`${e.message}\nworker 1 said:\n${first.output()}\nproxy saw: ${JSON.stringify(proxy.seen)}`)
      })
    )
    yield* Effect.promise(first.kill)
    proxy.release()
    const firstOutcome = yield* Effect.promise(() => first.outcome)
    const second = yield* spawnScoped(config)
    const outcome = yield* Effect.promise(() => within(60_000, "worker 2 delivering the result", second.outcome))
    const wallet = yield* emu.wallet(address)
    return {
      heldRequest,
      firstOutcome,
      result: resultOf(outcome),
      queues: yield* emu.count({ route: "video/queue" }),
      payments: wallet.payments,
      file: Fs.readFileSync(path),
      partLeft: Fs.existsSync(`${path}.part`)
    }
  }).pipe(Effect.provide(emulatorLayer(address, options.balanceUsd)))
}

describe("a worker killed mid-run, resumed by a fresh one (SQLite)", () => {
  it.scopedLive(
    "(a) killed right after its queue request reached Venice: found in the ledger, queued once",
    () =>
      Effect.gen(function*() {
        const run = yield* crashAndResume({
          label: "queue",
          balanceUsd: 10,
          rule: { method: "POST", path: "/video/queue" }
        })
        expect(run.heldRequest.status).toBe(200)
        expect(run.firstOutcome._tag).toBe("exited")
        expect(run.queues).toBe(1)
        expect(run.result.job.recovered).toBe(true)
        expect(run.payments).toHaveLength(0)
        expect(run.result.job.media.sha256).toBe(sha256(run.file))
        expect(run.partLeft).toBe(false)
      }),
    120_000
  )

  it.scopedLive(
    "(b) killed mid-poll: polling resumes from the record, the job is not queued again",
    () =>
      Effect.gen(function*() {
        const run = yield* crashAndResume({
          label: "poll",
          balanceUsd: 10,
          rule: { method: "POST", path: "/video/retrieve", nth: 2 }
        })
        expect(run.queues).toBe(1)
        expect(run.result.job.recovered).toBe(false)
        expect(run.result.job.media.sha256).toBe(sha256(run.file))
      }),
    120_000
  )

  it.scopedLive(
    "(c) killed after its payment reached Venice: found in the ledger, no new signature",
    () =>
      Effect.gen(function*() {
        const run = yield* crashAndResume({
          label: "payment",
          balanceUsd: 0,
          rule: { method: "POST", path: "/x402/top-up", paying: true }
        })
        expect(run.heldRequest.status).toBe(200)
        expect(run.payments).toHaveLength(1)
        expect(run.payments[0]?.status).toBe("credited")
        expect(run.payments[0]?.submissions).toBe(1)
        expect(run.result.topUp?.via).toBe("ledger")
        expect(run.result.topUp?.attempt).toBe(1)
        expect(run.queues).toBe(1)
        expect(run.result.job.media.sha256).toBe(sha256(run.file))
      }),
    120_000
  )

  it.scopedLive(
    "(c') killed after sending a payment lost on its way: void once expired, then one payment",
    () =>
      Effect.gen(function*() {
        const run = yield* crashAndResume({
          label: "lost-payment",
          balanceUsd: 0,
          authorizationWindow: "6 seconds",
          rule: { method: "POST", path: "/x402/top-up", paying: true, forward: false }
        })
        // the first authorization never arrived; the second was signed only after the first could no longer land
        expect(run.payments).toHaveLength(1)
        expect(run.payments[0]?.status).toBe("credited")
        expect(run.result.topUp?.attempt).toBe(2)
        expect(run.result.topUp?.via).toBe("receipt")
        expect(run.queues).toBe(1)
      }),
    120_000
  )
})
