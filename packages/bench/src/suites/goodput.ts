/**
 * The `goodput` suite: how much of a rate limit each peer turns into completed requests. The Venice emulator (in a
 * child process) caps the key+model at R requests per window; C concurrent callers send N chat completions; per peer:
 * completed/s as a fraction of R, 429s received per completed request, failures, latency.
 */
import { fmt, fmtSummary, percentile, summarize, type Summary, table, targetsSection } from "../harness/stats.js"
import { isSelected, loadWatch, type Suite, type SuiteContext, type SuiteResult } from "../harness/Suite.js"
import { PEER_INFO, type PeerName, PEERS } from "../peers/peers.js"
import { peerConfig, startEmulator, withWorkers } from "./emulator/session.js"
import type { BurstResult } from "./emulator/worker.js"

interface Plan {
  /** Requests per window. */
  readonly r: number
  readonly windowMs: number
  readonly n: number
  readonly concurrency: number
  readonly deadlineMs: number
}

const planOf = (quick: boolean): Plan => {
  const r = 50
  const windowMs = quick ? 250 : 500
  const n = quick ? 300 : 1000
  const concurrency = 32
  const idealMs = (n / r) * windowMs
  return { r, windowMs, n, concurrency, deadlineMs: Math.round(1.5 * idealMs + 2000) }
}

interface RunFigures {
  readonly fractionOfR: number
  readonly ok: number
  readonly elapsedMs: number
  readonly r429PerOk: number
  readonly got429: number
  readonly failed: number
  readonly unfinished: number
  readonly p50: number
  readonly p99: number
  readonly failures: Readonly<Record<string, number>>
}

export const goodput: Suite = {
  name: "goodput",
  title: "Goodput under a rate limit",
  run: async (ctx: SuiteContext): Promise<SuiteResult> => {
    const plan = planOf(ctx.quick)
    const peers = PEERS.filter((p) => isSelected(ctx, p))
    const load = loadWatch()
    const emulator = await startEmulator({
      rateLimit: { requestsPerWindow: plan.r, tokensPerWindow: 1_000_000_000, window: plan.windowMs }
    })
    const runs = new Map<PeerName, Array<RunFigures>>(peers.map((p) => [p, []]))
    try {
      await withWorkers(peers, emulator, async (workers) => {
        for (let run = 0; run < ctx.runs; run++) {
          // peers interleaved run by run, so a change of the machine's load spreads over all of them
          for (const peer of peers) {
            await emulator.reset()
            const result: BurstResult = await workers.get(peer)!.run({
              type: "burst",
              peer,
              config: peerConfig(emulator.baseUrl),
              n: plan.n,
              concurrency: plan.concurrency,
              deadlineMs: plan.deadlineMs
            })
            const stats = await emulator.stats()
            const got429 = stats.byStatus["429"] ?? 0
            const perSecond = result.ok / (result.elapsedMs / 1000)
            const figures: RunFigures = {
              fractionOfR: perSecond / (plan.r / (plan.windowMs / 1000)),
              ok: result.ok,
              elapsedMs: result.elapsedMs,
              r429PerOk: got429 / Math.max(1, result.ok),
              got429,
              failed: plan.n - result.ok - result.unfinished,
              unfinished: result.unfinished,
              p50: percentile(result.latencies, 50),
              p99: percentile(result.latencies, 99),
              failures: result.failures
            }
            runs.get(peer)!.push(figures)
            ctx.log(
              `  run ${run + 1} ${peer.padEnd(7)} ${(figures.fractionOfR * 100).toFixed(1).padStart(5)} % of R, ` +
                `${result.ok} ok in ${(result.elapsedMs / 1000).toFixed(2)} s, ${got429} × 429 (${
                  figures.r429PerOk.toFixed(3)
                }/ok), ` +
                `${figures.failed} failed ${JSON.stringify(result.failures)}, ${result.unfinished} unfinished, ` +
                `p50 ${fmt(figures.p50)} ms p99 ${fmt(figures.p99)} ms`
            )
          }
        }
      })
    } finally {
      await emulator.stop()
    }
    return render(ctx, plan, runs, load())
  }
}

const pct = (s: Summary) =>
  s.n === 0 ? "–" : `${(s.median * 100).toFixed(1)} % (${(s.min * 100).toFixed(1)}–${(s.max * 100).toFixed(1)})`

const render = (
  ctx: SuiteContext,
  plan: Plan,
  runs: ReadonlyMap<PeerName, ReadonlyArray<RunFigures>>,
  load: string
): SuiteResult => {
  const rate = plan.r / (plan.windowMs / 1000)
  const windows = Math.ceil(plan.n / plan.r)
  const idealSeconds = ((windows - 1) * plan.windowMs) / 1000
  const rows: Array<Array<string>> = []
  const summaries = new Map<PeerName, { fraction: Summary; r429: Summary }>()
  for (const [peer, rs] of runs) {
    const fraction = summarize(rs.map((r) => r.fractionOfR))
    const r429 = summarize(rs.map((r) => r.r429PerOk))
    summaries.set(peer, { fraction, r429 })
    const info = PEER_INFO[peer]
    const kinds = new Map<string, number>()
    for (const r of rs) for (const [k, v] of Object.entries(r.failures)) kinds.set(k, (kinds.get(k) ?? 0) + v)
    rows.push([
      `${info.letter} ${info.label}`,
      pct(fraction),
      fmtSummary(summarize(rs.map((r) => r.ok))),
      fmtSummary(summarize(rs.map((r) => r.elapsedMs / 1000))),
      fmtSummary(r429),
      fmtSummary(summarize(rs.map((r) => r.failed))),
      fmtSummary(summarize(rs.map((r) => r.unfinished))),
      fmtSummary(summarize(rs.map((r) => r.p50))),
      fmtSummary(summarize(rs.map((r) => r.p99))),
      kinds.size === 0 ? "–" : [...kinds].map(([k, v]) => `${k} ×${fmt(v / rs.length)}`).join(", ")
    ])
  }
  const ours = summaries.get("ours")
  const targets: Array<SuiteResult["targets"][number]> = []
  if (ours !== undefined) {
    targets.push({
      name: `(a) completed/s ≥ 95 % of R`,
      met: ours.fraction.median >= 0.95,
      detail: pct(ours.fraction)
    })
    targets.push({
      name: `(a) ≤ 0.02 × 429 per completed request`,
      met: ours.r429.median <= 0.02,
      detail: fmtSummary(ours.r429)
    })
  }
  const method = [
    "### Method",
    "",
    `The Venice emulator runs in a child process with a request window of R = ${plan.r} requests per ` +
    `${plan.windowMs} ms (${
      fmt(rate)
    } requests/s) per key and model (fixed windows that open at the first request, as ` +
    `the emulator's limiter does; tokens unlimited). Each peer runs in its own worker process; per run, the emulator is ` +
    `reset and the peer is built afresh (fresh client and limiter state), then ${plan.concurrency} concurrent callers ` +
    `send ${plan.n} chat completions (one model, one key). A run stops at ${(plan.deadlineMs / 1000).toFixed(1)} s ` +
    `(1.5 × N/R windows + 2 s): requests still waiting then are aborted and counted as unfinished. ${ctx.runs} runs per ` +
    `peer, interleaved (run 1 of every peer, then run 2 …).`,
    "",
    `- **completed/s ÷ R**: successful requests per second of wall time (first request sent → last request settled) ` +
    `over R per second. The emulator's first window opens at the first request and the last window's requests complete ` +
    `at its start, so a perfect client finishes ${plan.n} requests in ${windows - 1} windows plus one request ` +
    `(${fmt(idealSeconds)} s): ${((plan.n / idealSeconds / rate) * 100).toFixed(0)} % of R is the ceiling.`,
    `- **429s per completed**: 429 responses the emulator sent during the run (its request log) over the successful requests.`,
    `- **failed**: requests that ended in an error; the failure column counts them by status or error tag (per run).`,
    `- **latency**: of the successful requests, from the call to its result (pacing waits and retries included), ms.`,
    `- The machine is shared: ${load}.`,
    "",
    ...(Object.entries(PEER_INFO) as Array<[PeerName, (typeof PEER_INFO)[PeerName]]>).map(([name, info]) =>
      `- ${info.letter} **${info.label}** (\`${name}\`): ${info.description}.`
    ),
    ""
  ].join("\n")
  const results = [
    `### R = ${plan.r} per ${plan.windowMs} ms, ${plan.concurrency} callers, ${plan.n} requests`,
    "",
    table(
      [
        "peer",
        "completed/s ÷ R",
        "completed",
        "wall s",
        "429s per completed",
        "failed",
        "unfinished",
        "p50 ms",
        "p99 ms",
        "failures (per run)"
      ],
      rows
    ),
    ""
  ].join("\n")
  const targetLines = targetsSection(targets)
  return { markdown: [method, results, targetLines].join("\n"), targets }
}
