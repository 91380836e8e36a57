#!/usr/bin/env node
/**
 * Checks that every exported declaration in the published packages' sources carries a JSDoc comment (the line
 * before it, blank lines aside, ends a `/** … *\/` block). Re-exports (`export { … }`, `export * from`) are exempt.
 * Run by `npm test` (through `npm run check:generated`); exits 1 and lists the places when one is missing.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const packages = ["core", "venice", "novita", "ai", "emulator", "cli", "redis", "workflow"]
const declaration =
  /^export (declare )?(const|let|function|async function|class|abstract class|interface|type (?!\{)|enum|namespace)/

const sources = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) return sources(p)
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : []
  })

const missing = []
for (const pkg of packages) {
  const src = path.join(root, "packages", pkg, "src")
  if (!fs.existsSync(src)) continue
  for (const file of sources(src)) {
    const lines = fs.readFileSync(file, "utf8").split("\n")
    lines.forEach((line, i) => {
      if (!declaration.test(line)) return
      let j = i - 1
      while (j >= 0 && lines[j].trim() === "") j--
      if (j < 0 || !lines[j].trim().endsWith("*/")) {
        missing.push(`${path.relative(root, file)}:${i + 1}: ${line.slice(0, 100)}`)
      }
    })
  }
}
if (missing.length > 0) {
  console.error(`exports without JSDoc (${missing.length}):\n${missing.join("\n")}`)
  process.exit(1)
}
console.log(`every export documented (${packages.join(", ")})`)
