/**
 * The `budget` suite: error-budget safety. A burst of requests of which 30 % are invalid (the emulator answers them
 * 400, in the same key + model + user bucket as the valid ones): how many requests does the emulator lock out with
 * its error-budget 429 (Venice: > 50 failed requests in 30 s lock the bucket out for the rest of the 30 s)?
 */
import { fmt, fmtSummary, summarize, type Summary, table, targetsSection } from "../harness/stats.js"
import { isSelected, loadWatch, type Suite, type SuiteContext, type SuiteResult } from "../harness/Suite.js"
import { PEER_INFO, type PeerName, PEERS } from "../peers/peers.js"
import { peerConfig, startEmulator, withWorkers } from "./emulator/session.js"

interface Plan {
  readonly n: number
  readonly invalid: { readonly first: number; readonly of: number }
  readonly concurrency: number
  readonly deadlineMs: number
}

const planOf = (_quick: boolean): Plan => ({ n: 200, invalid: { first: 3, of: 10 }, concurrency: 32, deadlineMs: 5000 })

interface RunFigures {
  readonly lockouts: number
  readonly sent400: number
  readonly validOk: number
  readonly refused: number
  readonly validFailed: number
  readonly unfinished: number
  readonly elapsedMs: number
  readonly failures: Readonly<Record<string, number>>
}

export const budget: Suite = {
  name: "budget",
  title: "Error-budget safety",
  run: async (ctx: SuiteContext): Promise<SuiteResult> => {
    const plan = planOf(ctx.quick)
    const peers = PEERS.filter((p) => isSelected(ctx, p))
    const load = loadWatch()
    const emulator = await startEmulator({
      rateLimit: { requestsPerWindow: 1_000_000, tokensPerWindow: 1_000_000_000 },
      errorBudget: { threshold: 50, window: 30_000 }
    })
    const runs = new Map<PeerName, Array<RunFigures>>(peers.map((p) => [p, []]))
    try {
      await withWorkers(peers, emulator, async (workers) => {
        for (let run = 0; run < ctx.runs; run++) {
          for (const peer of peers) {
            await emulator.reset()
            // every request to /responses (the invalid 30 %) is answered 400 before anything else: same key, model, user
            await emulator.script({
              route: "responses",
              code: "INVALID_REQUEST",
              times: 1_000_000,
              message: "Invalid request parameters"
            })
            const result = await workers.get(peer)!.run({
              type: "burst",
              peer,
              config: peerConfig(emulator.baseUrl),
              n: plan.n,
              concurrency: plan.concurrency,
              deadlineMs: plan.deadlineMs,
              invalid: plan.invalid
            })
            const stats = await emulator.stats()
            const all: Record<string, number> = { ...result.failures }
            for (const [k, v] of Object.entries(result.failuresInvalid)) {
              all[`${k} (invalid)`] = (all[`${k} (invalid)`] ?? 0) + v
            }
            const refused = (result.failures["ErrorBudgetExhaustedError"] ?? 0) +
              (result.failuresInvalid["ErrorBudgetExhaustedError"] ?? 0)
            const validTotal = plan.n - Math.floor(plan.n / plan.invalid.of) * plan.invalid.first
            const figures: RunFigures = {
              lockouts: stats.byStatus["429"] ?? 0,
              sent400: stats.byStatus["400"] ?? 0,
              validOk: result.ok,
              refused,
              validFailed: Object.values(result.failures).reduce((a, b) => a + b, 0),
              unfinished: result.unfinished,
              elapsedMs: result.elapsedMs,
              failures: all
            }
            void validTotal
            runs.get(peer)!.push(figures)
            ctx.log(
              `  run ${run + 1} ${peer.padEnd(7)} ${figures.lockouts} lockout 429s, ${figures.sent400} × 400 sent, ` +
                `${result.ok} valid ok, ${refused} refused locally, ${result.unfinished} unfinished in ` +
                `${(result.elapsedMs / 1000).toFixed(2)} s ${JSON.stringify(all)}`
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

const render = (
  ctx: SuiteContext,
  plan: Plan,
  runs: ReadonlyMap<PeerName, ReadonlyArray<RunFigures>>,
  load: string
): SuiteResult => {
  const invalidCount = Math.floor(plan.n / plan.invalid.of) * plan.invalid.first
  const rows: Array<Array<string>> = []
  let ours: Summary | undefined
  for (const [peer, rs] of runs) {
    const lockouts = summarize(rs.map((r) => r.lockouts))
    if (peer === "ours") ours = lockouts
    const kinds = new Map<string, number>()
    for (const r of rs) for (const [k, v] of Object.entries(r.failures)) kinds.set(k, (kinds.get(k) ?? 0) + v)
    const info = PEER_INFO[peer]
    rows.push([
      `${info.letter} ${info.label}`,
      fmtSummary(lockouts),
      fmtSummary(summarize(rs.map((r) => r.sent400))),
      fmtSummary(summarize(rs.map((r) => r.validOk))),
      fmtSummary(summarize(rs.map((r) => r.refused))),
      fmtSummary(summarize(rs.map((r) => r.unfinished))),
      kinds.size === 0 ? "–" : [...kinds].map(([k, v]) => `${k} ×${fmt(v / rs.length)}`).join(", ")
    ])
  }
  const targets: Array<SuiteResult["targets"][number]> = []
  if (ours !== undefined) {
    targets.push({ name: "(a) error-budget lockouts: 0", met: ours.max === 0, detail: fmtSummary(ours) })
  }
  const method = [
    "### Method",
    "",
    `The Venice emulator (child process) with Venice's error budget: more than 50 failed requests (4xx except 429) in ` +
    `30 s per key + model + user lock the bucket out — every request of it gets 429 "Too many failed attempts" until ` +
    `the window ends. Request limits are off. ${plan.concurrency} concurrent callers send ${plan.n} requests, one key, ` +
    `one model: every request whose index mod ${plan.invalid.of} is below ${plan.invalid.first} (${invalidCount}, ` +
    `${Math.round((invalidCount / plan.n) * 100)} %) is invalid: the emulator answers it \`400 Invalid request ` +
    `parameters\` in the same bucket as the valid ones (a scripted 400 on \`POST /responses\`, which each peer sends ` +
    `with the same model: the emulator's fault scripts select requests by route, not by content; our client's local ` +
    `validation is not involved). A run stops after ${
      (plan.deadlineMs / 1000).toFixed(0)
    } s: requests still retrying ` +
    `a lockout then (it lasts 30 s) are aborted and counted as unfinished, so the retrying peers' lockout counts are ` +
    `lower bounds. Emulator reset and a fresh peer per run; ${ctx.runs} runs per peer, interleaved. ${load}.`,
    "",
    "- **lockout 429s**: error-budget 429 responses the emulator sent (its request log; nothing else answers 429 here).",
    "- **400s sent**: invalid requests that reached the emulator and were counted against the budget.",
    "- **refused locally**: requests our client did not send because the budget was nearly spent (`ErrorBudgetExhaustedError`).",
    ""
  ].join("\n")
  const results = [
    `### ${plan.n} requests, ${invalidCount} invalid, ${plan.concurrency} callers`,
    "",
    table([
      "peer",
      "lockout 429s",
      "400s sent",
      "valid completed",
      "refused locally",
      "unfinished",
      "failures (per run)"
    ], rows),
    ""
  ].join("\n")
  const targetLines = targetsSection(targets)
  return { markdown: [method, results, targetLines].join("\n"), targets }
}
