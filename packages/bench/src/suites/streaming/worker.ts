/**
 * One measured configuration (contender × workload) in a fresh process: set the contender up, run it `warmup` +
 * `runs` times against the loopback server, and report wall time, CPU time, what it delivered, and the process's
 * peak RSS. Only the contender's own modules are imported (dynamically), so peak RSS compares like with like.
 */
import type { RunResult, Setup } from "./contenders/sink.js"
import { sink } from "./contenders/sink.js"

export interface Job {
  readonly contender: string
  readonly workload: string
  readonly port: number
  readonly runs: number
  readonly warmup: number
  readonly maxEventBytes: number
  /** For the flat-RSS measurement: a small workload to warm up with, then one run of `workload`, sampling RSS. */
  readonly rssMode?: { readonly warmupWorkload: string } | undefined
}

export interface Run {
  readonly wallMs: number
  readonly cpuMs: number
  readonly result: RunResult
}

export interface JobResult {
  readonly runs: ReadonlyArray<Run>
  /** Peak RSS of the process (bytes). */
  readonly peakRss: number
  /** RSS after setup and warm-up, after a GC (bytes). */
  readonly baseRss: number
  /** RSS after the imports and the contender's setup, before any run, after a GC (bytes). */
  readonly importRss: number
  /** rssMode: RSS sampled every 50 ms during the long run (bytes). */
  readonly samples?: ReadonlyArray<number>
  readonly checksum: number
  readonly error?: string
}

export const contenders: Record<string, () => Promise<Setup>> = {
  "effect-undici": async () => (await import("./contenders/effect.js")).make("undici", false),
  "effect-undici-schema": async () => (await import("./contenders/effect.js")).make("undici", true),
  "effect-fetch": async () => (await import("./contenders/effect.js")).make("fetch", false),
  "effect-fetch-schema": async () => (await import("./contenders/effect.js")).make("fetch", true),
  openai: async () => (await import("./contenders/openai.js")).setup,
  "fetch-esp": async () => (await import("./contenders/baseline.js")).setup,
  "raw-fetch": async () => (await import("./contenders/raw.js")).fetchSetup,
  "raw-undici": async () => (await import("./contenders/raw.js")).undiciSetup
}

const gc = (): void => {
  const g = (globalThis as { gc?: () => void }).gc
  if (g !== undefined) g()
}

const measure = async (run: (w: string) => Promise<RunResult>, workload: string): Promise<Run> => {
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  const result = await run(workload)
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, result }
}

const runJob = async (job: Job): Promise<JobResult> => {
  const load = contenders[job.contender]
  if (load === undefined) throw new Error(`unknown contender ${job.contender}`)
  const setup = await load()
  const run = await setup(job.port, { maxEventBytes: job.maxEventBytes })
  gc()
  const importRss = process.memoryUsage().rss
  if (job.rssMode !== undefined) {
    for (let i = 0; i < Math.max(1, job.warmup); i++) await run(job.rssMode.warmupWorkload)
    gc()
    const baseRss = process.memoryUsage().rss
    const samples: Array<number> = []
    const timer = setInterval(() => samples.push(process.memoryUsage().rss), 50)
    const r = await measure(run, job.workload)
    clearInterval(timer)
    samples.push(process.memoryUsage().rss)
    return {
      runs: [r],
      peakRss: process.resourceUsage().maxRSS * 1024,
      baseRss,
      importRss,
      samples,
      checksum: sink.checksum
    }
  }
  for (let i = 0; i < job.warmup; i++) await run(job.workload)
  gc()
  const baseRss = process.memoryUsage().rss
  const runs: Array<Run> = []
  for (let i = 0; i < job.runs; i++) {
    gc()
    runs.push(await measure(run, job.workload))
  }
  return { runs, peakRss: process.resourceUsage().maxRSS * 1024, baseRss, importRss, checksum: sink.checksum }
}

process.once("message", (m: unknown) => {
  runJob(m as Job).then(
    (result) => {
      process.send?.(result, () => process.exit(0))
    },
    (error: unknown) => {
      process.send?.(
        {
          runs: [],
          peakRss: 0,
          baseRss: 0,
          importRss: 0,
          checksum: 0,
          error: String(error instanceof Error ? error.stack : error)
        },
        () => process.exit(1)
      )
    }
  )
})
