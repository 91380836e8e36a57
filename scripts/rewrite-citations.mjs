#!/usr/bin/env node
/**
 * Rewrites requirement citations from the old form, which named a file outside the repository (`SPEC R3`,
 * `SPEC O1, B1, R8`, `SPEC §4`), to the form docs/design.md defines: the bare id (`R3`, `O1, B1, R8`) and, for a
 * group, `design.md §4`. Safe to run again (a tree without `SPEC` citations is left as it is).
 *
 * One rename rides along: the liveness rules first cited as `SPEC W1`–`SPEC W3` (waits before sending bounded by
 * `maxWait`, windows that end, nonsense limits ignored) — for a while `SPEC W1`, `W8`, `W9` — are `L1`–`L3` in
 * design.md, because `W1`… name the list of waits and their bounds. Only ids written after `SPEC` are renamed; a bare
 * `W1` already means the wait.
 *
 *   node scripts/rewrite-citations.mjs          rewrite in place, print what changed
 *   node scripts/rewrite-citations.mjs --check  change nothing, exit 1 when something would change
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { citingFiles, ID, root, SEP } from "./citations.mjs"

const check = process.argv.includes("--check")
const files = citingFiles()

// `SPEC` followed by a list of ids: `R3`, `R1–R6`, `R2/R3`, `O1, B1 and R8`, `§1–3`
const LIST = String.raw`(${ID}(?:${SEP}(?:${ID}|§?[0-9]+\b))*)`
// on one line (`SPEC R3`) or across a comment's line break (`… SPEC` / ` * R3`)
const cited = new RegExp(String.raw`[ \t]*\bSPEC[ \t]*(\n[ \t]*(?:\*|\/\/)[ \t]*)${LIST}|\bSPEC[ \t]+${LIST}`, "g")

const LIVENESS = { 1: "L1", 2: "L2", 3: "L3", 8: "L2", 9: "L3" }
const renameLiveness = (list) => list.replace(/\bW([1-389])\b/g, (_, n) => LIVENESS[n])
const rewrite = (text) =>
  text.replace(cited, (_, lineBreak, broken, list) => {
    const ids = renameLiveness(list ?? broken)
    return `${lineBreak ?? ""}${ids.startsWith("§") ? `design.md ${ids}` : ids}`
  })

let changedFiles = 0
let changedCitations = 0
for (const file of files) {
  const before = fs.readFileSync(file, "utf8")
  const count = [...before.matchAll(cited)].length
  if (count === 0) continue
  const after = rewrite(before)
  changedFiles++
  changedCitations += count
  if (check) console.log(`${path.relative(root, file)}: ${count} citation(s) in the SPEC form`)
  else fs.writeFileSync(file, after)
}
if (check) {
  if (changedCitations > 0) {
    console.error(`${changedCitations} citation(s) in ${changedFiles} file(s): run node scripts/rewrite-citations.mjs`)
    process.exit(1)
  }
  console.log("no citation in the SPEC form")
} else {
  console.log(`rewrote ${changedCitations} citation(s) in ${changedFiles} file(s)`)
}
