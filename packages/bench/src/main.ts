/**
 * `npm run bench [-- options]`: runs benchmark suites and writes their sections of `docs/benchmarks.md`.
 *
 *   --suite <name>[,<name>]   suites to run (repeatable; default: all, see src/suites/registry.ts)
 *   --quick                   fewer runs and smaller workloads (a smoke check; marked as such in the report)
 *   --runs <n>                measured runs per configuration (default 5; 3 with --quick)
 *   --only <text>[,<text>]    only configurations whose name contains one of these (suite-defined)
 *   --out <file>              report file (default docs/benchmarks.md at the repository root)
 *   --no-write                print the sections, do not write the report
 *   --list                    list the suites
 */
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { describeMachine } from "./harness/machine.js"
import { writeReport } from "./harness/report.js"
import type { Suite, SuiteResult } from "./harness/Suite.js"
import { suites } from "./suites/registry.js"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")

interface Args {
  readonly suites: ReadonlyArray<string>
  readonly quick: boolean
  readonly runs: number | undefined
  readonly only: ReadonlyArray<string>
  readonly out: string
  readonly write: boolean
  readonly list: boolean
}

const parseArgs = (argv: ReadonlyArray<string>): Args => {
  const names: Array<string> = []
  const only: Array<string> = []
  let quick = false
  let runs: number | undefined
  let out = path.join(root, "docs/benchmarks.md")
  let write = true
  let list = false
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    const [flag, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined]
    const value = () => inline ?? argv[++i] ?? ""
    switch (flag) {
      case "--suite":
        names.push(...value().split(",").filter((s) => s.length > 0))
        break
      case "--quick":
        quick = true
        break
      case "--runs":
        runs = Math.max(1, Number(value()))
        break
      case "--only":
        only.push(...value().split(",").filter((s) => s.length > 0))
        break
      case "--out":
        out = path.resolve(value())
        break
      case "--no-write":
        write = false
        break
      case "--list":
        list = true
        break
      default:
        throw new Error(`unknown option ${arg} (see packages/bench/src/main.ts)`)
    }
  }
  return { suites: names, quick, runs, only, out, write, list }
}

const main = async () => {
  const args = parseArgs(process.argv.slice(2))
  if (args.list) {
    for (const s of suites) console.log(`${s.name.padEnd(16)} ${s.title}`)
    return
  }
  const unknown = args.suites.filter((n) => !suites.some((s) => s.name === n))
  if (unknown.length > 0) {
    throw new Error(`unknown suite(s): ${unknown.join(", ")}; known: ${suites.map((s) => s.name).join(", ")}`)
  }
  const selected = args.suites.length === 0 ? suites : suites.filter((s) => args.suites.includes(s.name))
  const machine = describeMachine()
  const runs = args.runs ?? (args.quick ? 3 : 5)
  const log = (line: string) => process.stderr.write(line + "\n")
  const command = `npm run bench -- ${process.argv.slice(2).join(" ")}`.trim().replace(/ --$/, "")
  const results: Array<{ suite: Suite; result: SuiteResult; seconds: number }> = []
  let missed = 0
  for (const suite of selected) {
    log(`▶ ${suite.name}: ${suite.title}${args.quick ? " (quick)" : ""}, ${runs} runs per configuration`)
    const t0 = Date.now()
    const result = await suite.run({ quick: args.quick, runs, log, machine, only: args.only })
    const seconds = (Date.now() - t0) / 1000
    results.push({ suite, result, seconds })
    for (const t of result.targets) {
      log(`  ${t.met ? "✓" : "✗"} ${t.name}: ${t.detail}`)
      if (!t.met) missed++
    }
    log(`◀ ${suite.name} in ${seconds.toFixed(0)} s`)
  }
  if (args.write) {
    writeReport({ file: args.out, machine, command, quick: args.quick, results, order: suites.map((s) => s.name) })
    log(`wrote ${path.relative(process.cwd(), args.out)}`)
  } else {
    for (const r of results) console.log(`## ${r.suite.title}\n\n${r.result.markdown}\n`)
  }
  if (missed > 0) log(`${missed} target(s) missed`)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
