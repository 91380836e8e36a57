/**
 * The scenario of `venice workflow`: one durable `videoToFile` run (`@venice-effect/workflow`) against the embedded
 * emulator, on a SQLite file, with a throwaway wallet that has no credit. Its worker process is SIGKILLed twice — once
 * after its payment reached Venice and before the answer came back, once after its queue request did — and a fresh
 * worker resumes the run each time. The emulator's counts then show what was billed: one queue request, one payment.
 *
 * @since 0.1.0
 */
import type { ServeError } from "@effect/platform/HttpServerError"
import * as LossyProxy from "@venice-effect/emulator/LossyProxy"
import * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import type * as VeniceWorkflows from "@venice-effect/workflow/VeniceWorkflows"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Child from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import type * as Worker from "./workflow/worker.js"

/**
 * What the scenario came to: the emulator's counts and the run's result.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly queues: number
  readonly retrieves: number
  readonly payments: ReadonlyArray<
    { readonly amountUsd: number; readonly status: string; readonly submissions: number }
  >
  readonly result: VeniceWorkflows.VideoToFileResult | undefined
  readonly workers: number
  /** Every count as expected: one queue, one credited payment submitted once, one result. */
  readonly ok: boolean
}

const JOB_MS = 3_000

type Outcome = Worker.Message | { readonly _tag: "exited" }

const fork = (config: Worker.Config) => {
  const proc = Child.fork(new URL("./workflow/worker.js", import.meta.url), [], {
    env: { ...process.env, VENICE_WORKFLOW_DEMO_WORKER: JSON.stringify(config) },
    stdio: ["ignore", "ignore", "ignore", "ipc"]
  })
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()))
  const outcome = new Promise<Outcome>((resolve) => {
    proc.on("message", (message: Worker.Message) => {
      if (message._tag !== "ready") resolve(message)
    })
    void exited.then(() => resolve({ _tag: "exited" }))
  })
  return {
    pid: proc.pid ?? 0,
    outcome,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL")
      await exited
    }
  }
}

const within = <A>(ms: number, what: string, promise: Promise<A>): Promise<A> =>
  Promise.race([
    promise,
    new Promise<A>((_, reject) => setTimeout(() => reject(new Error(`timed out: ${what}`)), ms).unref())
  ])

const money = (usd: number) => `$${usd.toFixed(2)}`

/**
 * Plays the scenario, printing a line per event with `print`.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const run = (
  print: (line: string) => Effect.Effect<void>
): Effect.Effect<Report, ServeError | Error, Scope.Scope> =>
  Effect.gen(function*() {
    const key = generatePrivateKey()
    const address = privateKeyToAccount(key).address
    const emulator = yield* VeniceEmulator.make({ jobs: { duration: JOB_MS }, x402: { wallets: { [address]: 0 } } })
    const proxy = yield* LossyProxy.make(emulator.baseUrl)
    const dir = yield* Effect.acquireRelease(
      Effect.sync(() => Fs.mkdtempSync(Path.join(Os.tmpdir(), "venice-workflow-demo-"))),
      (d) => Effect.sync(() => Fs.rmSync(d, { recursive: true, force: true }))
    )
    const config: Worker.Config = {
      baseUrl: proxy.url,
      walletKey: key,
      filename: Path.join(dir, "workflows.sqlite"),
      payload: {
        id: "demo-video",
        request: {
          model: "wan-2.5-preview-text-to-video",
          prompt: "Venice at dawn, gondolas in the mist",
          duration: "5s",
          aspect_ratio: "16:9"
        },
        output: { _tag: "File", path: Path.join(dir, "video.mp4") }
      }
    }
    yield* print(`  emulator  ${emulator.baseUrl} (video jobs take ${JOB_MS / 1000} s)`)
    yield* print(`  wallet    ${address} (throwaway, key never printed), credit ${money(0)}`)
    yield* print(`  storage   SQLite ${config.filename}`)

    const kills = [
      { rule: { method: "POST", path: "/x402/top-up", paying: true }, what: "its payment reached Venice" },
      { rule: { method: "POST", path: "/video/queue" }, what: "its queue request reached Venice" }
    ] as const
    let workers = 0
    for (const kill of kills) {
      const held = proxy.hold(kill.rule)
      const worker = fork(config)
      workers++
      const verb = workers === 1 ? "starts" : "resumes"
      yield* print(`worker ${workers} (pid ${worker.pid}) ${verb} run "${config.payload.id}"`)
      const seen = yield* Effect.promise(() => within(60_000, `worker ${workers} reaching ${kill.rule.path}`, held))
      const path = seen.path.replace(/^\/api\/v1/, "")
      yield* print(`  proxy     ${seen.method} ${path} reached Venice (${seen.status}): its answer is held back`)
      yield* Effect.promise(worker.kill)
      proxy.release()
      yield* print(`  kill      worker ${workers} (SIGKILL) after ${kill.what}, before the answer`)
    }
    const last = fork(config)
    workers++
    yield* print(`worker ${workers} (pid ${last.pid}) resumes run "${config.payload.id}"`)
    const outcome = yield* Effect.promise(() => within(90_000, `worker ${workers} delivering`, last.outcome))
    const result = outcome._tag === "result" ? outcome.result : undefined
    if (result !== undefined) {
      const media = result.job.media
      yield* print(
        `  result    ${media._tag === "File" ? media.path : "bytes"} · ${media.size} bytes · ` +
          `sha256 ${media.sha256.slice(0, 12)}…`
      )
      if (result.topUp !== undefined) {
        const { amountUsd, attempt, via } = result.topUp
        yield* print(`            top-up ${money(amountUsd)} (attempt ${attempt}) known from the ${via}`)
      }
      const how = result.job.recovered ? "found in the ledger after the lost answer" : "queued"
      yield* print(`            job ${result.job.queueId} ${how}`)
    } else {
      yield* print(`  failure   ${outcome._tag === "failure" ? outcome.message : "the worker exited without a result"}`)
    }
    const wallet = yield* emulator.wallet(address)
    const queues = yield* emulator.count({ route: "video/queue" })
    const retrieves = yield* emulator.count({ route: "video/retrieve" })
    const payments = wallet.payments.map((p) => ({
      amountUsd: p.amountUsd,
      status: p.status,
      submissions: p.submissions
    }))
    const ok = result !== undefined && queues === 1 && payments.length === 1 && payments[0]?.status === "credited" &&
      payments[0]?.submissions === 1
    return { queues, retrieves, payments, result, workers, ok }
  })

/**
 * The counts as a table.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderCounts = (report: Report): ReadonlyArray<string> => {
  const payment = report.payments[0]
  const mark = (good: boolean) => (good ? "✓" : "✗")
  const paid = payment === undefined
    ? "none"
    : `${money(payment.amountUsd)} ${payment.status}, submitted ${payment.submissions}×`
  const delivered = report.result === undefined ? 0 : 1
  return [
    "emulator counts",
    `  video/queue requests      ${report.queues}  ${mark(report.queues === 1)} exactly one (the job was billed once)`,
    `  payments                  ${report.payments.length}  ${
      mark(report.payments.length === 1 && payment?.status === "credited" && payment.submissions === 1)
    } ${paid}`,
    `  video/retrieve requests   ${report.retrieves}  (polls and downloads: at least once)`,
    `  results delivered         ${delivered}  ${mark(delivered === 1)} by worker ${report.workers}`,
    "",
    report.ok
      ? `${report.workers} workers, ${report.workers - 1} killed mid-run: one video billed, one payment, one result.`
      : "the counts are not what the workflow promises."
  ]
}
