/**
 * The `overhead` suite: the cost of our client on the happy path. A minimal loopback server (child process) answers
 * a canned chat completion; each contender (own process) sends `n` of them with `concurrency` callers: requests/s and
 * CPU µs per request of the client process. Ours against the `openai` client and raw `fetch` (the floor).
 */
import { fileURLToPath } from "node:url"
import { fork } from "../harness/child.js"
import { fmt, fmtRatio, fmtSummary, summarize, type Summary, table, targetsSection } from "../harness/stats.js"
import { isSelected, loadWatch, type Suite, type SuiteContext, type SuiteResult } from "../harness/Suite.js"
import type { Job, Run } from "./overhead/worker.js"

const serverPath = fileURLToPath(new URL("./overhead/server.js", import.meta.url))
const workerPath = fileURLToPath(new URL("./overhead/worker.js", import.meta.url))

const CONTENDERS: ReadonlyArray<
  { readonly name: string; readonly letter: string; readonly label: string; readonly description: string }
> = [
  {
    name: "ours",
    letter: "(a)",
    label: "venice-effect, undici",
    description:
      "`Chat.completions` via `VeniceClient` (default options: local request validation, retry policy, pacing, error-budget guard, span, response Schema) on `NodeHttpClient.layerUndici`"
  },
  {
    name: "ours-fetch",
    letter: "(a′)",
    label: "venice-effect, fetch",
    description: "the same on `FetchHttpClient.layer`"
  },
  {
    name: "effect-http",
    letter: "(b)",
    label: "@effect/platform HttpClient, undici",
    description:
      "the plain `HttpClient` of `NodeHttpClient.layerUndici` (what (a) runs on): `execute` of the same POST + `response.json`, no pipeline"
  },
  {
    name: "openai",
    letter: "(c)",
    label: "openai 6",
    description: "`openai` (npm, v6) `chat.completions.create`, default options"
  },
  {
    name: "fetch",
    letter: "(d)",
    label: "raw fetch",
    description: "`fetch` (Node's bundled undici) + `res.json()`, no retries, no checks (the floor)"
  },
  {
    name: "undici-request",
    letter: "(d′)",
    label: "raw undici.request",
    description:
      "`undici.request` (the transport under `NodeHttpClient.layerUndici`) + `body.json()`: a floor below fetch's"
  }
]

interface Config {
  readonly id: string
  readonly concurrency: number
  readonly n: number
}

const configs = (quick: boolean): ReadonlyArray<Config> => [
  { id: "c16", concurrency: 16, n: quick ? 1000 : 3000 },
  { id: "c1", concurrency: 1, n: quick ? 300 : 1000 }
]

interface Row {
  readonly config: Config
  readonly contender: string
  readonly rps: Summary
  readonly cpuUs: Summary
  readonly failed: number
}

/** Where the time goes: side experiments made while building the suite (not re-measured by each run). */
const FINDINGS = [
  "### Findings (side experiments on this machine, Node 20; not re-run by the suite)",
  "",
  "- (b) is what (a) runs on: the gap between (a) and (b) is the per-call pipeline and the Venice layer (request " +
  "building, bearer, local request validation, response decoding), not the transport.",
  "- Effect steps are not the cost. Counting the fiber run loop's instructions per call (an in-process copy of the " +
  "call on a canned `HttpClient`): (a) ≈ 390, (b) ≈ 134; at ≈ 0.1 µs each that is ≈ 25 µs of a call's ≈ 500 µs. " +
  "What costs is allocation (GC is 7–13 % of the samples) and a few heavy operations: bytes allocated per call " +
  "(young generation large enough that no GC runs during the measurement) were 277 KiB for (a) against 92 KiB for " +
  "(b); the attempt timeout's forked fiber ≈ 30 KiB, each `Effect.locally` (a fiber-local change: an " +
  "`acquireUseRelease` and a copy of the fiber's `FiberRefs` map on set and on restore) ≈ 15 KiB, the span with its " +
  "parent-span context ≈ 19 KiB, the response Schema (class instances) ≈ 22 KiB, the request Schema ≈ 19 KiB, " +
  "pacing + guard + slots ≈ 15 KiB.",
  "- Fixed (2026-12-05): a 2xx JSON body whose `Content-Length` is within the bound and that has no " +
  "`Content-Encoding` is read in one step (`response.arrayBuffer`) instead of `Stream.runFoldWhile` over its chunks " +
  "— the stream's `ensuring` aborted the request's `AbortController` on every call (a `DOMException` each) and the " +
  "fold ran a channel executor; this alone halved the in-process cost of a call. The retry driver (`Effect.retry` " +
  "builds two `Ref`s and provides its iteration metadata with a fiber-local change per attempt) is built only after " +
  "a first failure, which is replayed to it. Steps with nothing to do are not run (no guard, no pacing bucket, no " +
  "slots, the default `Observer`: no event object is built). The secret header names join the platform's " +
  "redaction list once per runtime (`Redaction.layerSecrets`, part of the client layers) so the per-call " +
  "`redacting` finds them and skips its `Effect.locally`; an empty per-call header list no longer costs one. " +
  "Sanitized URLs are cached; `jsonIssues` checks a request with a recursive pass that builds no paths before the " +
  "walk that names issues.",
  "- The attempt timeout. Under `TestClock` it is still `Effect.timeoutFail` (a race of two forked fibers); under " +
  "Effect's live `Clock` the exchange runs in one child fiber that a plain `setTimeout` interrupts " +
  "(`core/src/internal/pipeline/timeout.ts`). The fork is what remains: ≈ 10–25 µs and ≈ 30 KiB per attempt " +
  "(`FiberRefs` copied on fork, diffed and merged back by `inheritAll`). A socket-level timeout (undici's " +
  "`headersTimeout` / `bodyTimeout`, or an `AbortSignal`) is not reachable through `@effect/platform-node`: its " +
  "undici client sets `headersTimeout: 60 min, bodyTimeout: 0` and its own `signal` on every request after the " +
  "per-request options. It would take an `HttpClient` of our own over `undici.request`.",
  "- What would close the rest: an upstream `Effect.locally` that does not copy the whole `FiberRefs` map twice (the " +
  "span's parent-span context and the platform client's own span each pay one), the timeout above, and response " +
  "Schemas as plain structs (no class instances) on the hot endpoints.",
  ""
].join("\n")

export const overhead: Suite = {
  name: "overhead",
  title: "Overhead on the happy path",
  run: async (ctx: SuiteContext): Promise<SuiteResult> => {
    const load = loadWatch()
    const server = fork<{ type: string; port: number }>(serverPath)
    const { port } = await server.next()
    const rows: Array<Row> = []
    const selected = CONTENDERS.filter((c) => isSelected(ctx, c.name))
    try {
      for (const config of configs(ctx.quick)) {
        const workers = selected.map((c) => ({
          contender: c.name,
          worker: fork<Run & { ready?: boolean; error?: string }>(workerPath)
        }))
        try {
          for (const { contender, worker } of workers) {
            worker.send({
              type: "setup",
              job: { contender, port, n: config.n, concurrency: config.concurrency } satisfies Job
            })
            const ready = await worker.next()
            if (ready.error !== undefined) throw new Error(`${contender}: ${ready.error}`)
          }
          const runs = new Map<string, Array<Run>>(workers.map((w) => [w.contender, []]))
          // contenders interleaved run by run, so a change of the machine's load spreads over all of them
          for (let i = 0; i < ctx.runs; i++) {
            for (const { contender, worker } of workers) {
              worker.send({ type: "run" })
              const run = await worker.next()
              if (run.error !== undefined) throw new Error(`${contender}: ${run.error}`)
              runs.get(contender)!.push(run)
            }
          }
          for (const [contender, rs] of runs) {
            const row: Row = {
              config,
              contender,
              rps: summarize(rs.map((r) => config.n / (r.wallMs / 1000))),
              cpuUs: summarize(rs.map((r) => (r.cpuMs * 1000) / config.n)),
              failed: rs.reduce((a, r) => a + r.failed, 0)
            }
            rows.push(row)
            ctx.log(
              `  ${config.id.padEnd(4)} ${contender.padEnd(15)} ${fmtSummary(row.rps).padEnd(24)} req/s  ` +
                `${fmtSummary(row.cpuUs).padEnd(22)} CPU µs/req  ${row.failed} failed`
            )
          }
        } finally {
          for (const { worker } of workers) worker.kill()
          await Promise.all(workers.map((w) => w.worker.exited))
        }
      }
    } finally {
      server.send({ type: "stop" })
      await Promise.race([server.exited, new Promise((r) => setTimeout(r, 2000))])
      server.kill()
    }
    return render(ctx, rows, load())
  }
}

const render = (ctx: SuiteContext, rows: ReadonlyArray<Row>, load: string): SuiteResult => {
  const targets: Array<SuiteResult["targets"][number]> = []
  const sections: Array<string> = []
  for (const config of configs(ctx.quick)) {
    const here = rows.filter((r) => r.config.id === config.id)
    if (here.length === 0) continue
    const floor = here.find((r) => r.contender === "fetch")
    const body = here.map((r) => {
      const info = CONTENDERS.find((c) => c.name === r.contender)!
      return [
        `${info.letter} ${info.label}`,
        fmtSummary(r.rps),
        fmtSummary(r.cpuUs),
        floor === undefined ? "–" : fmtRatio(r.rps.median / floor.rps.median),
        floor === undefined ? "–" : fmtRatio(r.cpuUs.median / floor.cpuUs.median),
        String(r.failed)
      ]
    })
    sections.push(
      `### ${config.concurrency} concurrent caller${config.concurrency === 1 ? "" : "s"}, ${config.n} requests per run`,
      "",
      table(["contender", "requests/s", "CPU µs / request", "req/s ÷ (d)", "CPU ÷ (d)", "failed"], body),
      ""
    )
    const ours = here.find((r) => r.contender === "ours")
    const openai = here.find((r) => r.contender === "openai")
    const callers = `${config.concurrency} caller${config.concurrency === 1 ? "" : "s"}`
    if (ours !== undefined && floor !== undefined) {
      const ratio = ours.rps.median / floor.rps.median
      targets.push({
        name: `${callers}: (a) requests/s ≥ 0.8× (d)'s`,
        met: ratio >= 0.8,
        detail: `${fmtRatio(ratio)} (${fmt(ours.rps.median)} vs ${fmt(floor.rps.median)} req/s)`
      })
    }
    if (ours !== undefined && openai !== undefined) {
      const ratio = ours.rps.median / openai.rps.median
      targets.push({
        name: `${callers}: (a) requests/s ≥ 1.2× (c)'s`,
        met: ratio >= 1.2,
        detail: `${fmtRatio(ratio)} (${fmt(ours.rps.median)} vs ${fmt(openai.rps.median)} req/s)`
      })
      targets.push({
        name: `${callers}: (a) CPU µs / request ≤ (c)'s`,
        met: ours.cpuUs.median <= openai.cpuUs.median,
        detail: `${fmt(ours.cpuUs.median)} vs ${fmt(openai.cpuUs.median)} µs`
      })
    }
  }
  const method = [
    "### Method",
    "",
    "A minimal `node:http` server in a child process answers `POST /api/v1/chat/completions` with a canned completion",
    "(~800 bytes of JSON in Venice's shape, with Venice's usual headers: version, CF-RAY, request id, request and token",
    "limits far from exhausted, the error budget untouched, balances). Each contender runs in its own process: set up,",
    "one warm-up run, then one measured run per round; the contenders take turns round by round. A run is `n`",
    "chat completions by `concurrency` callers; every contender reads the answer's text. **requests/s** is `n` over the",
    "run's wall time; **CPU µs / request** is the contender process's user + system CPU time over `n` (the server's",
    `CPU is not counted). Median of ${ctx.runs} runs (min–max). The machine is shared (2 cores for client, server and`,
    `everything else): ${load}; ratios within one run move much less than the figures.`,
    "",
    ...CONTENDERS.map((c) => `- ${c.letter} **${c.label}** (\`${c.name}\`): ${c.description}.`),
    ""
  ].join("\n")
  const targetLines = targetsSection(targets)
  return { markdown: [method, ...sections, FINDINGS, targetLines].join("\n"), targets }
}
