/**
 * The shared reporter: writes `docs/benchmarks.md` with a header (machine, command, date) and one section per suite
 * between `<!-- suite:<name> -->` markers. Running some suites replaces their sections and keeps the others, so
 * suites added later by other people can be run and reported independently.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import type { Machine } from "./machine.js"
import { machineMarkdown } from "./machine.js"
import type { Suite, SuiteResult } from "./Suite.js"

const begin = (name: string) => `<!-- suite:${name}:begin -->`
const end = (name: string) => `<!-- suite:${name}:end -->`

const HEADER_BEGIN = "<!-- header:begin -->"
const HEADER_END = "<!-- header:end -->"

/** Extracts the existing sections of the file, by suite name, in file order. */
const readSections = (text: string): Array<{ readonly name: string; readonly body: string }> => {
  const out: Array<{ name: string; body: string }> = []
  const re = /<!-- suite:([a-z0-9-]+):begin -->\n([\s\S]*?)\n<!-- suite:\1:end -->/g
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push({ name: m[1]!, body: m[2]! })
  return out
}

export interface WriteOptions {
  readonly file: string
  readonly machine: Machine
  readonly command: string
  readonly quick: boolean
  readonly results: ReadonlyArray<{ readonly suite: Suite; readonly result: SuiteResult; readonly seconds: number }>
  /** Section order (suite names); sections of other names keep their place after these. */
  readonly order?: ReadonlyArray<string>
}

/** Writes (or updates) the report. */
export const writeReport = (options: WriteOptions): void => {
  const existing = fs.existsSync(options.file) ? fs.readFileSync(options.file, "utf8") : ""
  const sections = readSections(existing)
  const date = new Date().toISOString().replace(/\.\d+Z$/, "Z")
  for (const { suite, result, seconds } of options.results) {
    const body = [
      `## ${suite.title}`,
      "",
      `_Suite \`${suite.name}\`, measured ${date} on ${machineMarkdown(options.machine)}; \`${options.command}\`` +
      `${options.quick ? " (**quick mode**: fewer runs, smaller workloads — not the figures of record)" : ""}; ` +
      `suite run time ${seconds.toFixed(0)} s._`,
      "",
      result.markdown.trim()
    ].join("\n")
    const i = sections.findIndex((s) => s.name === suite.name)
    if (i >= 0) sections[i] = { name: suite.name, body }
    else sections.push({ name: suite.name, body })
  }
  const order = options.order ?? []
  const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length)
  sections.sort((a, b) => rank(a.name) - rank(b.name))
  const header = [
    HEADER_BEGIN,
    "# Benchmarks",
    "",
    "Programs, not timed assertions: `npm run bench` (all suites) or `npm run bench -- --suite <name> [--quick]`",
    "runs them and rewrites this file's section for each suite run (the other sections are kept). Every figure is",
    "the median of the measured runs with the min–max range in parentheses. Sections record the machine they were",
    "measured on.",
    HEADER_END
  ].join("\n")
  const text = [header, ...sections.map((s) => `${begin(s.name)}\n${s.body}\n${end(s.name)}`)].join("\n\n") + "\n"
  fs.mkdirSync(path.dirname(options.file), { recursive: true })
  fs.writeFileSync(options.file, text)
  for (const { suite, result } of options.results) {
    for (const mirror of result.mirrors ?? []) {
      writeMirror(path.resolve(path.dirname(options.file), mirror.file), suite, mirror, date, options)
    }
  }
}

/** Replaces one marked block of another document with a copy of part of a suite's section. */
const writeMirror = (
  file: string,
  suite: Suite,
  mirror: { readonly marker: string; readonly markdown: string },
  date: string,
  options: WriteOptions
): void => {
  if (!fs.existsSync(file)) return
  const start = `<!-- ${mirror.marker}:start -->`
  const stop = `<!-- ${mirror.marker}:end -->`
  const text = fs.readFileSync(file, "utf8")
  const i = text.indexOf(start)
  const j = text.indexOf(stop)
  if (i < 0 || j < i) return
  const block = [
    start,
    `_Measured ${date} on ${machineMarkdown(options.machine)}; \`${options.command}\`` +
    `${
      options.quick ? " (**quick mode**, not the figures of record)" : ""
    }; copied from the \`${suite.name}\` section of ` +
    `[benchmarks.md](${path.relative(path.dirname(file), options.file).split(path.sep).join("/")})._`,
    "",
    mirror.markdown.trim(),
    stop
  ].join("\n")
  fs.writeFileSync(file, text.slice(0, i) + block + text.slice(j + stop.length))
}
