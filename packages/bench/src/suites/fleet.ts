/**
 * The `fleet` suite: several worker processes on one API key or one wallet (issue 8, docs/fleet.md). 4 processes × 8
 * fibers call the Venice emulator (its own child process), which caps the key+model at R requests per window:
 *
 * - `redis`: the limiter state shared in Redis (`@venice-effect/redis`): goodput and 429s;
 * - `memory`: each process on its own in-memory store (the default), for comparison;
 * - `outage`: Redis store, with the Redis server killed (SIGKILL) a third into the run and started again at two thirds:
 *   calls lost, warnings, rejoins;
 * - `topup-redis` / `topup-memory`: 4 × 8 callers on one wallet without credit, the x402 payment policy with the top-up
 *   coordinator in Redis or in each process: payments made.
 */
import type { FromWorker, ToWorker, WorkerConfig } from "@venice-effect/testkit/FleetWorker"
import { sharedRedis, startPrivateRedis } from "@venice-effect/testkit/RedisServer"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Crypto from "node:crypto"
import { fileURLToPath } from "node:url"
import { fork } from "../harness/child.js"
import { fmt, fmtSummary, percentile, summarize, type Summary, table, targetsSection } from "../harness/stats.js"
import { isSelected, loadWatch, type Suite, type SuiteContext, type SuiteResult } from "../harness/Suite.js"
import type { Answer, Request } from "./fleet/emulator.js"

const emulatorPath = fileURLToPath(new URL("./fleet/emulator.js", import.meta.url))
const workerPath = fileURLToPath(import.meta.resolve("@venice-effect/testkit/FleetWorker"))

const PROCESSES = 4
const FIBERS = 8
const R = 50
const WINDOW_MS = 1_000
const MODEL = "venice-uncensored"
const KEY = "fleet-bench-key-0123456789"

type Config = "redis" | "memory" | "outage" | "topup-redis" | "topup-memory"
const CONFIGS: ReadonlyArray<Config> = ["redis", "memory", "outage", "topup-redis", "topup-memory"]

const DESCRIPTIONS: Record<Config, string> = {
  redis: "limiter state in Redis: `RedisFleet.layer` (one `LimiterStore` for the fleet)",
  memory: "each process on its own in-memory `LimiterStore` (the default without Redis)",
  outage: "as `redis`, the Redis server SIGKILLed at 1/3 of the run and started again (empty) at 2/3",
  "topup-redis":
    "wallet with no credit, `PaymentPolicy` with the Redis top-up coordinator (one lock and budget per wallet)",
  "topup-memory": "the same with each process's in-memory coordinator (the default)"
}

type Done = Extract<FromWorker, { _tag: "done" }>

interface RateFigures {
  readonly fractionOfR: number
  readonly perSecond: number
  readonly requests: number
  readonly r429PerRequest: number
  readonly failed: number
  readonly p50: number
  readonly warnings: number
  readonly rejoins: number
}

interface TopUpFigures {
  readonly payments: number
  readonly ok: number
  readonly failed: number
  readonly got402: number
  readonly seconds: number
}

const emulatorChild = async () => {
  const child = fork<Answer>(emulatorPath)
  const ask = async <T extends Answer["type"]>(request: Request, type: T): Promise<Extract<Answer, { type: T }>> => {
    child.send(request)
    const a = await child.next()
    if (a.type !== type) throw new Error(`fleet emulator: expected ${type}, got ${JSON.stringify(a)}`)
    return a as Extract<Answer, { type: T }>
  }
  const started = await ask({
    type: "start",
    keys: [KEY],
    config: {
      rateLimit: { requestsPerWindow: R, tokensPerWindow: 1_000_000_000, window: WINDOW_MS },
      errorBudget: { threshold: 1_000 }
    }
  }, "listening")
  return {
    baseUrl: started.baseUrl,
    label: started.labels[0]!,
    ask,
    stop: async () => {
      child.send({ type: "stop" } satisfies Request)
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, 2000))])
      child.kill()
    }
  }
}

/** Forks the workers, starts them together, waits for their reports. `during` runs once they have started. */
const runFleet = async (
  configs: ReadonlyArray<WorkerConfig>,
  during: (startedAt: number) => Promise<void> = async () => {}
): Promise<ReadonlyArray<Done>> => {
  const workers = configs.map(() => fork<FromWorker>(workerPath))
  try {
    workers.forEach((w, i) => w.send({ _tag: "start", config: configs[i]! } satisfies ToWorker))
    for (const w of workers) {
      const m = await w.next()
      if (m._tag !== "ready") throw new Error(`fleet worker: expected ready, got ${m._tag}`)
    }
    const at = Date.now() + 300
    workers.forEach((w) => w.send({ _tag: "go", at } satisfies ToWorker))
    const [done] = await Promise.all([Promise.all(workers.map((w) => w.next())), during(at)])
    return done.map((d) => {
      if (d._tag !== "done") throw new Error(`fleet worker: expected done, got ${d._tag}`)
      return d
    })
  } finally {
    workers.forEach((w) => w.kill())
  }
}

/** Goodput over whole emulator windows (replayed from the request log), 429s per request. */
const analyze = (records: ReadonlyArray<readonly [number, number, number, string]>, label: string) => {
  const rs = records.filter((r) => r[3] === label).sort((a, b) => a[0] - b[0])
  const starts: Array<number> = []
  const ok: Array<number> = []
  for (const [, at, status] of rs) {
    if (starts.length === 0 || at >= starts[starts.length - 1]! + WINDOW_MS) {
      starts.push(at)
      ok.push(0)
    }
    if (status === 200) ok[ok.length - 1]!++
  }
  const whole = ok.slice(0, -1).reduce((a, b) => a + b, 0)
  const span = starts.length > 1 ? starts[starts.length - 1]! - starts[0]! : NaN
  const perSecond = (whole * 1000) / span
  const got429 = rs.filter((r) => r[2] === 429).length
  return {
    perSecond,
    fractionOfR: perSecond / ((R * 1000) / WINDOW_MS),
    requests: rs.length,
    r429PerRequest: got429 / Math.max(1, rs.length)
  }
}

const prefix = (label: string) =>
  `venice-effect-bench:${label}:${process.pid}:${Crypto.randomBytes(4).toString("hex")}:`

const mergeCounts = (counts: ReadonlyArray<Readonly<Record<string, number>>>): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const c of counts) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v
  return out
}

export const fleet: Suite = {
  name: "fleet",
  title: "Fleet: 4 processes on one key or wallet",
  run: async (ctx: SuiteContext): Promise<SuiteResult> => {
    const durationMs = ctx.quick ? 6_000 : 15_000
    const configs = CONFIGS.filter((c) => isSelected(ctx, c))
    const load = loadWatch()
    const redis = await sharedRedis()
    const emulator = await emulatorChild()
    const rate = new Map<Config, Array<RateFigures>>()
    const topUps = new Map<Config, Array<TopUpFigures>>()
    try {
      for (let run = 0; run < ctx.runs; run++) {
        for (const config of configs) {
          await emulator.ask({ type: "reset" }, "ok")
          if (config === "topup-redis" || config === "topup-memory") {
            const privateKey = `0x${Crypto.randomBytes(32).toString("hex")}` as const
            const wallet = await Effect.runPromise(VeniceWallet.fromPrivateKey(Redacted.make(privateKey)))
            const t0 = Date.now()
            const keyPrefix = prefix(config) // one namespace for the whole fleet of the run
            const done = await runFleet(Array.from({ length: PROCESSES }, () => ({
              baseUrl: emulator.baseUrl,
              fibers: FIBERS,
              store: config === "topup-redis" ? "redis" : "memory",
              redisUrl: redis.url,
              keyPrefix,
              model: MODEL,
              mode: { _tag: "wallet", privateKey, callsPerFiber: 2 }
            })))
            const seconds = (Date.now() - t0) / 1000
            const view = await emulator.ask({ type: "wallet", address: wallet.address }, "wallet")
            const got402 = (await emulator.ask({ type: "count", status: 402, route: "chat/completions" }, "count")).n
            const figures: TopUpFigures = {
              payments: view.payments,
              ok: done.reduce((n, d) => n + d.ok, 0),
              failed: done.reduce((n, d) => n + d.failed, 0),
              got402,
              seconds
            }
            topUps.set(config, [...(topUps.get(config) ?? []), figures])
            ctx.log(
              `  run ${run + 1} ${
                config.padEnd(12)
              } ${figures.payments} payment(s), ${figures.ok} ok, ${figures.failed} failed, ${got402} × 402, ` +
                `warnings ${done.reduce((n, d) => n + d.warnings, 0)}`
            )
            continue
          }
          const outage = config === "outage" ? await startPrivateRedis() : undefined
          const keyPrefix = prefix(config) // one namespace for the whole fleet of the run
          try {
            const done = await runFleet(
              Array.from({ length: PROCESSES }, () => ({
                baseUrl: emulator.baseUrl,
                fibers: FIBERS,
                store: config === "memory" ? "memory" : "redis",
                redisUrl: outage?.url ?? redis.url,
                keyPrefix,
                model: MODEL,
                mode: { _tag: "key", apiKey: KEY, durationMs }
              })),
              async (at) => {
                if (outage === undefined) return
                await new Promise((r) => setTimeout(r, at + durationMs / 3 - Date.now()))
                await outage.kill()
                await new Promise((r) => setTimeout(r, at + (2 * durationMs) / 3 - Date.now()))
                await outage.start()
              }
            )
            const log = await emulator.ask({ type: "log" }, "log")
            const a = analyze(log.records, emulator.label)
            const figures: RateFigures = {
              ...a,
              failed: done.reduce((n, d) => n + d.failed, 0),
              p50: percentile(done.flatMap((d) => d.latencies), 50),
              warnings: done.reduce((n, d) => n + d.warnings, 0),
              rejoins: done.reduce((n, d) => n + d.rejoins, 0)
            }
            rate.set(config, [...(rate.get(config) ?? []), figures])
            ctx.log(
              `  run ${run + 1} ${config.padEnd(12)} ${
                (figures.fractionOfR * 100).toFixed(1)
              } % of R, ${figures.requests} requests, ` +
                `${figures.r429PerRequest.toFixed(3)} × 429 per request, ${figures.failed} failed, ` +
                `warnings ${figures.warnings}, rejoins ${figures.rejoins}` +
                (figures.failed > 0 ? ` ${JSON.stringify(mergeCounts(done.map((d) => d.errors)))}` : "")
            )
          } finally {
            await outage?.kill()
          }
        }
      }
    } finally {
      await emulator.stop()
      await redis.stop()
    }
    return render(ctx, durationMs, rate, topUps, load())
  }
}

const pct = (s: Summary) =>
  s.n === 0 ? "–" : `${(s.median * 100).toFixed(1)} % (${(s.min * 100).toFixed(1)}–${(s.max * 100).toFixed(1)})`

const render = (
  ctx: SuiteContext,
  durationMs: number,
  rate: ReadonlyMap<Config, ReadonlyArray<RateFigures>>,
  topUps: ReadonlyMap<Config, ReadonlyArray<TopUpFigures>>,
  load: string
): SuiteResult => {
  const rateRows = [...rate].map(([config, rs]) => [
    `\`${config}\``,
    pct(summarize(rs.map((r) => r.fractionOfR))),
    fmtSummary(summarize(rs.map((r) => r.requests))),
    fmtSummary(summarize(rs.map((r) => r.r429PerRequest))),
    fmtSummary(summarize(rs.map((r) => r.failed))),
    fmtSummary(summarize(rs.map((r) => r.p50))),
    config === "outage"
      ? `${fmt(summarize(rs.map((r) => r.warnings)).median)} / ${fmt(summarize(rs.map((r) => r.rejoins)).median)}`
      : "–"
  ])
  const topUpRows = [...topUps].map(([config, rs]) => [
    `\`${config}\``,
    fmtSummary(summarize(rs.map((r) => r.payments))),
    fmtSummary(summarize(rs.map((r) => r.ok))),
    fmtSummary(summarize(rs.map((r) => r.failed))),
    fmtSummary(summarize(rs.map((r) => r.got402))),
    fmtSummary(summarize(rs.map((r) => r.seconds)))
  ])
  const targets: Array<SuiteResult["targets"][number]> = []
  const redis = rate.get("redis")
  if (redis !== undefined) {
    const fraction = summarize(redis.map((r) => r.fractionOfR))
    const r429 = summarize(redis.map((r) => r.r429PerRequest))
    targets.push({ name: "`redis`: goodput ≥ 95 % of R", met: fraction.median >= 0.95, detail: pct(fraction) })
    targets.push({ name: "`redis`: ≤ 0.02 × 429 per request", met: r429.median <= 0.02, detail: fmtSummary(r429) })
    const memory = rate.get("memory")
    if (memory !== undefined) {
      const m429 = summarize(memory.map((r) => r.r429PerRequest))
      targets.push({
        name: "`memory` does visibly worse (429s per request)",
        met: m429.median > 2 * r429.median,
        detail: fmtSummary(m429)
      })
    }
  }
  const outage = rate.get("outage")
  if (outage !== undefined) {
    const failed = summarize(outage.map((r) => r.failed))
    targets.push({ name: "`outage`: no call lost (failed = 0)", met: failed.max === 0, detail: fmtSummary(failed) })
    const rejoined = outage.every((r) => r.warnings === 4 && r.rejoins === 4)
    targets.push({
      name: "`outage`: every process warns once and rejoins",
      met: rejoined,
      detail: rejoined ? "4 / 4" : "see runs"
    })
  }
  const topUp = topUps.get("topup-redis")
  if (topUp !== undefined) {
    const payments = summarize(topUp.map((r) => r.payments))
    targets.push({
      name: "`topup-redis`: exactly one payment",
      met: payments.min === 1 && payments.max === 1,
      detail: fmtSummary(payments)
    })
  }
  const method = [
    "### Method",
    "",
    `The Venice emulator runs in a child process with a request window of R = ${R} requests per ${WINDOW_MS} ms per key and ` +
    `model (fixed windows that open at the first request after the previous one ended; tokens unlimited; error budget ` +
    `relaxed). ${PROCESSES} worker processes × ${FIBERS} fibers call it together (one key, one model) for ` +
    `${durationMs / 1000} s; each run uses fresh processes, a fresh emulator state and a fresh Redis key prefix. ` +
    `${ctx.runs} runs per configuration, interleaved. Redis is a local \`redis-server\` (the one at \`VENICE_REDIS_URL\` ` +
    `if it answers, else one started for the suite; the outage runs always use one of their own).`,
    "",
    "- **goodput ÷ R**: successful requests per second over R, counted over whole emulator windows (replayed from its " +
    "request log: windows 1‥n−1, from the first window's start to the last one's), so a cut last window does not skew it.",
    "- **429s per request**: 429 responses over all chat requests the emulator received.",
    "- **failed**: calls that ended in an error (after the default retry policy).",
    "- **p50 ms**: latency of the successful calls, pacing waits and retries included.",
    "- **warnings / rejoins**: the fleet's `Redis unreachable` warnings and `Redis reachable again` lines (4 processes).",
    `- The machine is shared: ${load}.`,
    "",
    ...CONFIGS.map((c) => `- \`${c}\`: ${DESCRIPTIONS[c]}.`),
    ""
  ].join("\n")
  const results = [
    `### One key: R = ${R} per ${WINDOW_MS} ms, ${PROCESSES} processes × ${FIBERS} fibers, ${durationMs / 1000} s`,
    "",
    table(
      ["configuration", "goodput ÷ R", "requests", "429s per request", "failed", "p50 ms", "warnings / rejoins"],
      rateRows
    ),
    "",
    `### One wallet without credit: ${PROCESSES} processes × ${FIBERS} fibers × 2 calls, x402 payment policy (cap $10)`,
    "",
    table(["configuration", "payments", "calls ok", "failed", "402s", "wall s"], topUpRows),
    ""
  ].join("\n")
  const targetLines = targetsSection(targets)
  return {
    markdown: [method, results, targetLines].join("\n"),
    targets,
    mirrors: [{ file: "fleet.md", marker: "fleet-table", markdown: [results, targetLines].join("\n") }]
  }
}
