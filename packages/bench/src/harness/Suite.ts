import * as os from "node:os"
/**
 * What a benchmark suite is: a named program that measures something and returns a Markdown section for
 * `docs/benchmarks.md`. Suites live in `src/suites/*.ts` and are listed in `src/suites/registry.ts`; `main.ts` runs
 * the ones asked for and the reporter writes each one's section in place (the others are kept).
 */
import type { Machine } from "./machine.js"

/** What a suite gets from the runner. */
export interface SuiteContext {
  /** `--quick`: fewer runs, smaller workloads — for a smoke check, not for the report of record. */
  readonly quick: boolean
  /** Measured runs per configuration (median of these; ≥ 5 unless `--quick`). */
  readonly runs: number
  /** Progress output (stderr). */
  readonly log: (line: string) => void
  readonly machine: Machine
  /** Only the configurations whose name contains one of these (empty: all). */
  readonly only: ReadonlyArray<string>
}

/** A suite's result: its Markdown section (without the `## title` line) and whether its targets were met. */
export interface SuiteResult {
  readonly markdown: string
  /** Human-readable target checks, e.g. `(a) ≥ 1.0× (c): met (1.04×)`. */
  readonly targets: ReadonlyArray<{ readonly name: string; readonly met: boolean; readonly detail: string }>
  /**
   * Copies of parts of the section kept in other documents (e.g. the fleet tables in `docs/fleet.md`): each replaces
   * what is between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` in `file` (relative to the report's folder).
   */
  readonly mirrors?: ReadonlyArray<{ readonly file: string; readonly marker: string; readonly markdown: string }>
}

/** A benchmark suite. */
export interface Suite {
  /** `streaming`, `goodput`, … (the `--suite` name). */
  readonly name: string
  /** The section title in `docs/benchmarks.md`. */
  readonly title: string
  readonly run: (context: SuiteContext) => Promise<SuiteResult>
}

/** Whether a configuration named `name` runs under `--only` (no filter: all of them). */
export const isSelected = (context: SuiteContext, name: string): boolean =>
  context.only.length === 0 || context.only.some((o) => name.includes(o))

/**
 * The machine's 1-minute load average now; call the result when the suite is done to get the sentence the reports
 * print (`load average (1 min) 1.97 before, 1.85 after`).
 */
export const loadWatch = (): () => string => {
  const before = os.loadavg()[0]!
  return () => `load average (1 min) ${before.toFixed(2)} before, ${os.loadavg()[0]!.toFixed(2)} after`
}
