/**
 * What scripts/check-design-ids.mjs and scripts/rewrite-citations.mjs share: the files that may cite requirement ids,
 * and the shape of an id and of a list of ids.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root. */
export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

/** One id (`R3`, `§4`) and what separates the ids of a list (`R1–R6`, `R2/R3`, `O1, B1 and R8`). */
export const ID = String.raw`(?:§[0-9]+|[A-Z]{1,2}[0-9]+)`
export const SEP = String.raw`\s*(?:[–-]|,|/|&|and)\s*`

const skip = new Set(["node_modules", "dist", ".tsbuild", ".git", "fixtures"])
const walk = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return []
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) return walk(p)
    return /\.(ts|mts|mjs|js|md)$/.test(entry.name) && !entry.name.endsWith(".d.ts") ? [p] : []
  })

// docs/design.md defines the ids; these scripts describe the old citation form on purpose
const exempt = new Set(
  ["docs/design.md", "scripts/check-design-ids.mjs", "scripts/rewrite-citations.mjs", "scripts/citations.mjs"].map((
    f
  ) => path.join(root, f))
)

/** Every file that may cite an id: sources, tests, docs, scripts, README.md and CONTRIBUTING.md (absolute paths). */
export const citingFiles = () =>
  [
    ...walk(path.join(root, "packages")),
    ...walk(path.join(root, "docs")),
    ...walk(path.join(root, "scripts")),
    path.join(root, "README.md"),
    path.join(root, "CONTRIBUTING.md")
  ].filter((f) => !exempt.has(f) && fs.existsSync(f))
