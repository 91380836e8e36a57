#!/usr/bin/env node
/**
 * Checks that no module of the packages' sources imports itself through others: a cycle of value imports makes
 * module initialisation order matter (a `const` read before it is defined, at load time). Type-only imports
 * (`import type`, `export type`) are erased by TypeScript and do not count. Edges: relative imports inside a package
 * and `@venice-effect/<pkg>[/<Module>]` imports between packages. Run by `npm test`; exits 1 and prints each cycle.
 */
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

// Cycles allowed until someone breaks them: none today. A cycle listed here that is gone fails the check too, so
// the list never outlives its cycles.
const KNOWN = []
const packagesDir = path.join(root, "packages")

const sources = (dir) =>
  fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const p = path.join(dir, entry.name)
    if (entry.isDirectory()) return sources(p)
    return p.endsWith(".ts") && !p.endsWith(".d.ts") ? [p] : []
  })

const files = fs.readdirSync(packagesDir)
  .map((pkg) => path.join(packagesDir, pkg, "src"))
  .filter((dir) => fs.existsSync(dir))
  .flatMap(sources)

const resolve = (from, specifier) => {
  let target
  if (specifier.startsWith(".")) target = path.resolve(path.dirname(from), specifier)
  else {
    const m = /^@venice-effect\/([a-z]+)(?:\/(.+))?$/.exec(specifier)
    if (m === null) return undefined
    target = path.join(packagesDir, m[1], "src", m[2] ?? "index")
  }
  target = target.replace(/\.js$/, "")
  for (const candidate of [`${target}.ts`, path.join(target, "index.ts")]) {
    if (fs.existsSync(candidate)) return candidate
  }
  return undefined
}

// value imports: `import … from "x"`, `import "x"`, `export … from "x"`, `import("x")`; not `import type` / `export type`
const graph = new Map()
for (const file of files) {
  const text = fs.readFileSync(file, "utf8").replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "")
  const edges = new Set()
  const statements = text.matchAll(/^(import|export)\s+(type\s+)?([^;'"]*?\bfrom\s+)?["']([^"']+)["']/gm)
  for (const m of statements) {
    if (m[2] !== undefined) continue
    if (m[1] === "export" && m[3] === undefined) continue
    const target = resolve(file, m[4])
    if (target !== undefined) edges.add(target)
  }
  // (a dynamic `import("x")` runs after load: it cannot take part in an initialisation cycle, so it is no edge)
  graph.set(file, edges)
}

// Tarjan's strongly connected components
let index = 0
const stack = []
const onStack = new Set()
const indices = new Map()
const lowlinks = new Map()
const cycles = []
const strongConnect = (v) => {
  indices.set(v, index)
  lowlinks.set(v, index)
  index++
  stack.push(v)
  onStack.add(v)
  for (const w of graph.get(v) ?? []) {
    if (!indices.has(w)) {
      strongConnect(w)
      lowlinks.set(v, Math.min(lowlinks.get(v), lowlinks.get(w)))
    } else if (onStack.has(w)) lowlinks.set(v, Math.min(lowlinks.get(v), indices.get(w)))
  }
  if (lowlinks.get(v) === indices.get(v)) {
    const component = []
    let w
    do {
      w = stack.pop()
      onStack.delete(w)
      component.push(w)
    } while (w !== v)
    if (component.length > 1 || graph.get(v)?.has(v)) cycles.push(component)
  }
}
for (const v of graph.keys()) if (!indices.has(v)) strongConnect(v)

const key = (files) => [...files].sort().join(" ⇄ ")
const known = new Set(KNOWN.map(key))
const found = cycles.map((c) => key(c.map((f) => path.relative(root, f))))
const gone = [...known].filter((k) => !found.includes(k))
for (const k of gone) console.error(`a known cycle is gone — remove it from KNOWN: ${k}`)
const fresh = found.filter((k) => !known.has(k))
if (gone.length > 0 && fresh.length === 0) process.exit(1)
if (fresh.length > 0) {
  console.error(`import cycles among the packages' sources (${fresh.length}):`)
  for (const k of fresh) console.error(`  ${k}`)
  console.error("Break each: move what both sides need into a module of its own, or import only types (`import type`).")
  process.exit(1)
}
console.log(`no new import cycles (${files.length} modules; ${found.length} known)`)
