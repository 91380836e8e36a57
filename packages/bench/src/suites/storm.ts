/**
 * The `storm` suite: recovery from a storm of 503s and overload 429s that announce their waits (`Retry-After`). One
 * call per run; time to its first success against the ideal, the sum of the waits the server announced.
 */
import { fmt, fmtSummary, summarize, table, targetsSection } from "../harness/stats.js"
import { isSelected, loadWatch, type Suite, type SuiteContext, type SuiteResult } from "../harness/Suite.js"
import { PEER_INFO, type PeerName, PEERS } from "../peers/peers.js"
import type { StormPhase } from "./emulator/child.js"
import { peerConfig, startEmulator, withWorkers } from "./emulator/session.js"

/** How much earlier than announced a phase ends: the emulator's phase timer may fire a little late. */
const EARLY_MS = 50

const PHASES: ReadonlyArray<StormPhase> = [
  { code: "MODEL_AT_CAPACITY", retryAfter: 1, millis: 1000 - EARLY_MS },
  { code: "MODEL_OVERLOADED", retryAfter: 1, millis: 1000 },
  { code: "MODEL_AT_CAPACITY", retryAfter: 1, millis: 1000 }
]

/** Jitter bound of our policy per announced wait (`announcedJitter`, default 250 ms). */
const OUR_JITTER_MS = 250

interface RunFigures {
  readonly ok: boolean
  readonly ms: number
  readonly failure: string | undefined
  readonly attempts: number
}

export const storm: Suite = {
  name: "storm",
  title: "Storm recovery",
  run: async (ctx: SuiteContext): Promise<SuiteResult> => {
    const peers = PEERS.filter((p) => isSelected(ctx, p))
    const load = loadWatch()
    const emulator = await startEmulator({
      rateLimit: { requestsPerWindow: 1_000_000, tokensPerWindow: 1_000_000_000 }
    })
    const runs = new Map<PeerName, Array<RunFigures>>(peers.map((p) => [p, []]))
    const idealMs = PHASES.reduce((sum, p) => sum + p.retryAfter * 1000, 0)
    try {
      await withWorkers(peers, emulator, async (workers) => {
        for (let run = 0; run < ctx.runs; run++) {
          for (const peer of peers) {
            await emulator.reset()
            // the storm starts just before the call (once the peer is built): its phases are timed from there
            const result = await workers.get(peer)!.single({
              type: "single",
              peer,
              config: peerConfig(emulator.baseUrl),
              deadlineMs: idealMs + 15_000
            }, async () => {
              await emulator.storm("chat/completions", PHASES)
            })
            const stats = await emulator.stats()
            const figures: RunFigures = { ok: result.ok, ms: result.ms, failure: result.failure, attempts: stats.total }
            runs.get(peer)!.push(figures)
            ctx.log(
              `  run ${run + 1} ${peer.padEnd(7)} ${result.ok ? "success" : `failed (${result.failure})`} after ` +
                `${fmt(result.ms)} ms, ${stats.total} attempts ${JSON.stringify(stats.byStatus)}`
            )
          }
        }
      })
    } finally {
      await emulator.stop()
    }
    return render(ctx, runs, idealMs, load())
  }
}

const render = (
  ctx: SuiteContext,
  runs: ReadonlyMap<PeerName, ReadonlyArray<RunFigures>>,
  idealMs: number,
  load: string
): SuiteResult => {
  const waits = PHASES.length
  const boundMs = idealMs * 1.05 + waits * OUR_JITTER_MS
  const rows: Array<Array<string>> = []
  const targets: Array<SuiteResult["targets"][number]> = []
  for (const [peer, rs] of runs) {
    const succeeded = rs.filter((r) => r.ok)
    const time = summarize(succeeded.map((r) => r.ms))
    const info = PEER_INFO[peer]
    const failures = rs.filter((r) => !r.ok).map((r) => r.failure ?? "?")
    rows.push([
      `${info.letter} ${info.label}`,
      `${succeeded.length}/${rs.length}`,
      fmtSummary(time),
      succeeded.length === 0 ? "–" : `${(time.median / idealMs).toFixed(2)}×`,
      fmtSummary(summarize(rs.map((r) => r.attempts))),
      failures.length === 0
        ? "–"
        : [...new Set(failures)].map((f) => `${f} ×${failures.filter((x) => x === f).length}`).join(", ")
    ])
    if (peer === "ours") {
      targets.push({
        name: `(a) time to first success ≤ ideal + 5 % + jitter bound (${
          fmt(idealMs)
        } × 1.05 + ${waits} × ${OUR_JITTER_MS} = ${fmt(boundMs)} ms), every run`,
        met: succeeded.length === rs.length && time.max <= boundMs,
        detail: succeeded.length === rs.length
          ? `${fmtSummary(time)} ms`
          : `${rs.length - succeeded.length} run(s) failed`
      })
    }
  }
  const method = [
    "### Method",
    "",
    `The Venice emulator (child process) is put through a storm on \`POST /chat/completions\` just before each call: ` +
    PHASES.map((p, i) =>
      `${i === 0 ? "first" : "then"} every request is answered ${
        p.code === "MODEL_OVERLOADED" ? "429" : "503"
      } \`${p.code}\` ` +
      `with \`Retry-After: ${p.retryAfter}\``
    ).join(", ") +
    `, each phase lasting exactly the wait it announces (timed from the storm's start; each ends ${EARLY_MS} ms early ` +
    `so that the emulator's timer firing late never turns a retry at the announced time into another failure); then ` +
    `the route answers normally. One chat completion per run, timed from the call to its result. The 503s announce ` +
    `\`Retry-After\` too, so the **ideal** is the sum of the announced waits, ${
      fmt(idealMs)
    } ms: a client that waits ` +
    `exactly what it is told succeeds on attempt ${waits + 1} after ${fmt(idealMs)} ms (plus ${waits + 1} loopback ` +
    `round trips). Our bound: ideal + 5 % + our policy's jitter bound (up to +${OUR_JITTER_MS} ms on each announced ` +
    `wait, never less than announced; backoff's ±20 % does not apply to announced waits) = ${fmt(boundMs)} ms. ` +
    `Emulator reset and a fresh peer per run; ${ctx.runs} runs per peer, interleaved; a call still running ` +
    `${fmt(idealMs + 15_000)} ms after its start is aborted. ${load}.`,
    "",
    "- **attempts**: requests the emulator received for the call (its request log).",
    ""
  ].join("\n")
  const results = [
    `### ${PHASES.map((p) => (p.code === "MODEL_OVERLOADED" ? "429" : "503")).join(" → ")} → 200, ideal ${
      fmt(idealMs)
    } ms`,
    "",
    table(["peer", "succeeded", "time to first success ms", "÷ ideal", "attempts", "failures"], rows),
    ""
  ].join("\n")
  const targetLines = targetsSection(targets)
  return { markdown: [method, results, targetLines].join("\n"), targets }
}
