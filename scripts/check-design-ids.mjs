#!/usr/bin/env node
/**
 * Checks that every requirement id cited in the repository resolves in docs/design.md. Run by `npm test`.
 *
 * Defined: each `- **ID** …` line of docs/design.md (`R3`, `W1` …) and each `### §N` heading (a group).
 * Cited, in sources (comments only), tests, scripts and every markdown file:
 * - after `design.md` (`design.md §4`, `design.md R3`, `design.md §1, E1–E10`): every id, ranges expanded, whatever
 *   its letter;
 * - after `SPEC` (`SPEC R3`, `SPEC O1, B1, R8`, `SPEC R2/R3`, `SPEC R1–R6`, `SPEC §1–3`): the first form, which named a
 *   file outside the repository — reported, whatever the id, with the command that rewrites it
 *   (`node scripts/rewrite-citations.mjs`);
 * - bare (`R3`, `(S2, S6)`, `R1–R6`): ids of a family design.md defines (its letters), in comments, markdown and
 *   tests (test names cite ids); ids count from 1, so `A0` (a byte in hex) is not one.
 * Exits 1 and lists each unresolved citation with its place.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { citingFiles, ID, root, SEP } from "./citations.mjs"

const designFile = path.join(root, "docs/design.md")
const design = fs.readFileSync(designFile, "utf8")

const defined = new Set()
for (const m of design.matchAll(/^\s*- \*\*([A-Z]+[0-9]+)\*\*/gm)) defined.add(m[1])
for (const m of design.matchAll(/^#{2,4} §([0-9]+)\b/gm)) defined.add(`§${m[1]}`)
// the first release's requirement groups, all of which design.md must define
const FIRST_RELEASE = { E: 10, C: 5, H: 9, R: 12, S: 6, X: 4, O: 3, N: 4, B: 2 }
const missing = Object.entries(FIRST_RELEASE).flatMap(([letter, count]) =>
  Array.from({ length: count }, (_, i) => `${letter}${i + 1}`).filter((id) => !defined.has(id))
)
if (missing.length > 0) {
  console.error(`docs/design.md does not define ${missing.join(", ")}`)
  process.exit(1)
}
const families = new Set([...defined].filter((id) => !id.startsWith("§")).map((id) => id.replace(/[0-9]+$/, "")))

const files = citingFiles()

// ── citations ──
const list = (id) => new RegExp(String.raw`(${id}(?:${SEP}(?:${id}|§?[0-9]+\b))*)`, "g")
const prefixed = new RegExp(String.raw`\b(?:SPEC|design\.md)\s+${list(ID).source}`, "g")
const bareFamily = families.size === 0 ? undefined : `(?:${[...families].join("|")})[1-9][0-9]?`
const bare = bareFamily === undefined
  ? undefined
  : new RegExp(String.raw`(?<![\w§.#/-])${list(bareFamily).source}(?![\w=-])`, "g")

/** `R1–R6` → R1 … R6; `§1–3` → §1 … §3; `O1, B1` → O1, B1. */
const expand = (text) => {
  const out = []
  const parts = text.split(/\s*(?:,|\/|&|and)\s*/).filter((p) => p !== "")
  for (const part of parts) {
    const range = /^(§|[A-Z]{1,2})?([0-9]+)\s*[–-]\s*(§|[A-Z]{1,2})?([0-9]+)$/.exec(part)
    if (range !== null) {
      const letter = range[1] ?? range[3] ?? ""
      const from = Number(range[2])
      const to = Number(range[4])
      if (to >= from && to - from < 50) {
        for (let n = from; n <= to; n++) out.push(`${letter}${n}`)
        continue
      }
    }
    const single = /^(§|[A-Z]{1,2})?([0-9]+)$/.exec(part)
    if (single !== null) out.push(`${single[1] ?? out.at(-1)?.replace(/[0-9]+$/, "") ?? ""}${single[2]}`)
  }
  return out
}

/** The text of a line that is comment (TS/JS) or all of it (markdown). */
const commentOf = (line, markdown) => {
  if (markdown) return line
  const t = line.trim()
  if (t.startsWith("*") || t.startsWith("/*") || t.startsWith("//")) return line
  const i = line.search(/(?<![:"'`])\/\/ /)
  return i === -1 ? "" : line.slice(i)
}

const unresolved = []
const oldForm = []
let citations = 0
for (const file of files) {
  // markdown, and tests (whose names cite ids: `it("R8: …")`), are read whole; other code only in its comments
  const markdown = file.endsWith(".md") || /\/test\//.test(file)
  fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    const seen = new Set()
    const cite = (ids, form) => {
      for (const id of ids) {
        if (seen.has(id)) continue
        seen.add(id)
        citations++
        if (!defined.has(id)) {
          unresolved.push(`${path.relative(root, file)}:${i + 1}: ${form} cites ${id}, not defined in docs/design.md`)
        }
      }
    }
    // `SPEC …` / `design.md …` anywhere on the line (strings included: test names cite ids too)
    for (const m of line.matchAll(prefixed)) {
      if (m[0].startsWith("SPEC")) {
        oldForm.push(`${path.relative(root, file)}:${i + 1}: ${m[0]}`)
        continue
      }
      cite(expand(m[1]), "design.md")
    }
    if (bare === undefined) return
    const text = commentOf(line, markdown).replace(prefixed, "")
    for (const m of text.matchAll(bare)) cite(expand(m[1]), "a bare id")
  })
}

if (oldForm.length > 0) {
  console.error(`citations in the SPEC form, which names a file outside the repository (${oldForm.length}):`)
  console.error(oldForm.join("\n"))
  console.error(`\nRewrite them to design.md's form: node scripts/rewrite-citations.mjs\n`)
}
if (unresolved.length > 0) {
  console.error(`requirement ids that do not resolve (${unresolved.length}):\n${unresolved.join("\n")}`)
  console.error(`\nDefine each in docs/design.md as a "- **ID** one line" item (or fix the citation).`)
}
if (oldForm.length > 0 || unresolved.length > 0) process.exit(1)
console.log(`every requirement id resolves in docs/design.md (${citations} citations of ${defined.size} ids)`)
