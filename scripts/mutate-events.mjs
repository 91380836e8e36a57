#!/usr/bin/env node
// The score of a mutation run from its event-recorder files (`reports/mutation/events/<name>/`), which Stryker writes
// as each mutant is tested — so a run that was stopped before its reports still has a figure for what it tested.
//
//   node scripts/mutate-events.mjs reports/mutation/events/venice_src_PaymentPolicy.ts [--survivors]
//
// Prints the counts per status and the score as docs/testing.md defines it, (K + T) / (K + T + S + NC), static and
// ignored mutants excluded; `--survivors` also lists each surviving or uncovered mutant (line, mutator, replacement).
import * as fs from "node:fs"
import * as path from "node:path"

const [dir, ...flags] = process.argv.slice(2)
if (dir === undefined || !fs.existsSync(dir)) {
  console.error("usage: node scripts/mutate-events.mjs <events directory> [--survivors]")
  process.exit(2)
}
const mutants = fs.readdirSync(dir)
  .filter((file) => file.endsWith("-onMutantTested.json"))
  .map((file) => JSON.parse(fs.readFileSync(path.join(dir, file), "utf8")))
const counts = {}
for (const m of mutants) counts[m.status] = (counts[m.status] ?? 0) + 1
const n = (status) => counts[status] ?? 0
const detected = n("Killed") + n("Timeout")
const scored = detected + n("Survived") + n("NoCoverage")
console.log(`${mutants.length} mutants tested: ${JSON.stringify(counts)}`)
console.log(`score ${scored === 0 ? "—" : `${(100 * detected / scored).toFixed(1)} %`} (${detected} of ${scored})`)
if (flags.includes("--survivors")) {
  const left = mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage")
  left.sort((a, b) =>
    a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column
  )
  for (const m of left) {
    const where = `${path.basename(m.fileName)}:${m.location.start.line}:${m.location.start.column}`
    console.log(
      `${m.status.padEnd(10)} ${where.padEnd(24)} ${m.mutatorName.padEnd(22)} ${JSON.stringify(m.replacement ?? "")}`
    )
  }
}
