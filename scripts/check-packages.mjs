#!/usr/bin/env node
/**
 * Checks every publishable package (packages/* without `"private": true`) as npm would publish it: packs each one,
 * then checks the tarball's contents and manifest (README, LICENSE, built entry points, no tests or build caches,
 * metadata, peer dependencies, `internal/` and `bin` closed in `exports`, an `engines.node` floor that every
 * dependency it brings accepts), runs publint on it, and runs
 * @arethetypeswrong/cli (attw, ESM-only profile: the packages are ESM) on every public entry point — the root and one
 * per module, since attw does not expand `exports` wildcards itself. Run by `npm test` after `tsc -b` (the tarballs
 * hold `dist/`). Exits 1 and says what is wrong when anything is.
 *
 *   node scripts/check-packages.mjs [--keep DIR]   (--keep: leave the tarballs in DIR, e.g. for check-install)
 */
import { execFile, execFileSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import semver from "semver"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const keep = process.argv.indexOf("--keep")
const outDir = keep !== -1
  ? path.resolve(process.argv[keep + 1])
  : fs.mkdtempSync(path.join(os.tmpdir(), "venice-effect-packs-"))
fs.mkdirSync(outDir, { recursive: true })
const bin = (name) => path.join(root, "node_modules/.bin", name)

// peers a package must declare when its sources import them (the user's program shares these instances: services,
// tags, schemas and the engines' tables must be one copy)
const PEERS = [
  "effect",
  "@effect/platform",
  "@effect/platform-node",
  "@effect/ai",
  "@effect/workflow",
  "@effect/cluster",
  "@effect/sql",
  "@effect/sql-pg",
  "@effect/rpc",
  "@effect/experimental"
]
// a command-line application carries its own copy instead
const APPLICATIONS = new Set(["@venice-effect/cli"])

const packages = fs.readdirSync(path.join(root, "packages"))
  .map((dir) => ({ dir: path.join(root, "packages", dir), manifest: path.join(root, "packages", dir, "package.json") }))
  .filter((p) => fs.existsSync(p.manifest))
  .map((p) => ({ ...p, pkg: JSON.parse(fs.readFileSync(p.manifest, "utf8")) }))
  .filter((p) => p.pkg.private !== true)

// publint and attw are separate processes: run them for several packages at once
const spawn = (file, args) =>
  new Promise((resolve) =>
    execFile(
      file,
      args,
      { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({ status: error === null ? 0 : typeof error.code === "number" ? error.code : 1, stdout, stderr })
    )
  )
const pool = async (tasks, width) => {
  const results = []
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < tasks.length) {
      const i = next++
      results[i] = await tasks[i]()
    }
  }))
  return results
}

const problems = []
const problem = (name, message) => problems.push(`${name}: ${message}`)

// one `npm pack` for all of them (runs each package's prepack, if any)
const packed = JSON.parse(
  execFileSync("npm", ["pack", "--json", "--pack-destination", outDir, ...packages.flatMap((p) => ["-w", p.dir])], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"]
  })
)

const importsOf = (dir) => {
  const found = new Set()
  const walk = (d) => {
    for (const entry of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name)
      if (entry.isDirectory()) walk(p)
      else if (p.endsWith(".ts")) {
        const text = fs.readFileSync(p, "utf8")
        for (const m of text.matchAll(/^(?:import|export)\b[^"]*?from "((?:@[\w-]+\/)?[\w-]+)/gm)) found.add(m[1])
        // dynamic imports (a dependency loaded only when used)
        for (const m of text.matchAll(/\bimport\(\s*"((?:@[\w-]+\/)?[\w-]+)/g)) found.add(m[1])
      }
    }
  }
  walk(dir)
  return found
}

// ── engines: the package's Node floor must satisfy every package it brings (dependencies and peers, transitively) ──
const manifestAt = (fromDir, name) => {
  for (let d = fromDir;; d = path.dirname(d)) {
    const candidate = path.join(d, "node_modules", name, "package.json")
    if (fs.existsSync(candidate)) return fs.realpathSync(candidate)
    if (d === path.dirname(d)) return undefined
  }
}
const enginesProblems = (dir, pkg) => {
  const floor = semver.minVersion(pkg.engines?.node ?? "*")
  if (floor === null) return [`engines.node "${pkg.engines?.node}" is not a range`]
  const out = []
  const seen = new Set()
  const visit = (fromDir, manifest) => {
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      const file = manifestAt(fromDir, dep)
      if (file === undefined || seen.has(file)) continue
      seen.add(file)
      const m = JSON.parse(fs.readFileSync(file, "utf8"))
      const range = m.engines?.node
      if (typeof range === "string" && !semver.satisfies(floor, range)) {
        out.push(`engines.node "${pkg.engines.node}" admits Node ${floor}, but ${m.name}@${m.version} needs "${range}"`)
      }
      visit(path.dirname(file), m)
    }
  }
  visit(dir, pkg)
  return out
}

const checkOne = async ({ dir, pkg }) => {
  const name = pkg.name
  const info = packed.find((p) => p.name === name)
  if (info === undefined) {
    problem(name, "npm pack produced no tarball")
    return
  }
  const tarball = path.join(outDir, info.filename)
  const files = new Set(info.files.map((f) => f.path))

  // ── contents ──
  for (const required of ["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]) {
    if (!files.has(required)) problem(name, `the tarball has no ${required}`)
  }
  for (const f of files) {
    if (/(^|\/)(test|\.tsbuild|node_modules)\//.test(f) || /\.test\.[cm]?[jt]s$/.test(f) || /tsbuildinfo$/.test(f)) {
      problem(name, `the tarball ships ${f}`)
    }
  }
  const license = fs.readFileSync(path.join(dir, "LICENSE"), "utf8")
  if (!/^MIT License/.test(license) || pkg.license !== "MIT") {
    problem(name, "LICENSE is not the MIT license named in package.json")
  }

  // ── manifest ──
  for (const field of ["description", "keywords", "homepage", "bugs", "repository", "license", "engines"]) {
    if (pkg[field] === undefined) problem(name, `package.json has no "${field}"`)
  }
  if (pkg.repository?.directory !== path.relative(root, dir)) {
    problem(name, `repository.directory is not ${path.relative(root, dir)}`)
  }
  if (pkg.exports?.["./internal/*"] !== null) problem(name, `exports must close internal/ ("./internal/*": null)`)
  if (fs.existsSync(path.join(dir, "src/bin.ts")) && pkg.exports?.["./bin"] !== null) {
    problem(name, `exports must close the bin module ("./bin": null): importing it would start the program`)
  }
  for (const message of enginesProblems(dir, pkg)) problem(name, message)
  const imported = importsOf(path.join(dir, "src"))
  for (const peer of PEERS) {
    if (!imported.has(peer)) continue
    if (APPLICATIONS.has(name)) {
      if (pkg.dependencies?.[peer] === undefined) problem(name, `imports ${peer} but does not depend on it`)
    } else {
      if (pkg.peerDependencies?.[peer] === undefined) problem(name, `imports ${peer}: it must be a peer dependency`)
      if (pkg.dependencies?.[peer] !== undefined) {
        problem(name, `${peer} is both a dependency and a peer: one copy only`)
      }
      if (pkg.devDependencies?.[peer] !== pkg.peerDependencies?.[peer]) {
        problem(name, `${peer}: devDependencies (the monorepo's copy) should equal the peer range`)
      }
    }
  }
  for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (dep.startsWith("@venice-effect/") || dep.startsWith("node:")) continue
    if (!imported.has(dep) && !["@effect/printer", "@effect/printer-ansi"].includes(dep)) {
      console.log(`${name}: note: depends on ${dep}, which its sources never import`)
    }
  }

  // ── publint ──
  const lint = await spawn(bin("publint"), ["run", tarball, "--strict"])
  const lintOut = `${lint.stdout}${lint.stderr}`.trim()
  if (lint.status !== 0) problem(name, `publint:\n${lintOut}`)
  else if (!/All good!/.test(lintOut)) console.log(`${name}: publint suggestions\n${lintOut}`)

  // ── attw: the root, every top-level module, and the schema folder when exported ──
  const schemaExported = pkg.exports?.["./schema/*"] !== undefined
  const entrypoints = [...files]
    .filter((f) =>
      /^dist\/[^/]+\.d\.ts$/.test(f) && !/^dist\/(index|bin)\.d\.ts$/.test(f) ||
      schemaExported && /^dist\/schema\/[^/]+\.d\.ts$/.test(f) && f !== "dist/schema/index.d.ts"
    )
    .map((f) => `./${f.slice("dist/".length, -".d.ts".length)}`)
  const attw = await spawn(
    bin("attw"),
    [tarball, "--profile", "esm-only", "--format", "json", "--no-color", "--include-entrypoints", ...entrypoints]
  )
  let report
  try {
    report = JSON.parse(attw.stdout)
  } catch {
    problem(name, `attw did not answer JSON (exit ${attw.status}):\n${attw.stdout}${attw.stderr}`)
    return
  }
  const attwProblems = (report.analysis?.problems ?? []).filter((p) =>
    // the ESM-only profile: resolution from node10 and from CommonJS is out of scope for an ESM package
    !(p.resolutionKind === "node10" || p.resolutionKind === "node16-cjs" || p.kind === "CJSResolvesToESM")
  )
  if (attw.status !== 0 || attwProblems.length > 0) {
    problem(
      name,
      `attw (${entrypoints.length + 1} entry points):\n${
        JSON.stringify(attwProblems.length > 0 ? attwProblems : report, null, 2).slice(0, 4000)
      }`
    )
  } else {
    console.log(
      `${name}: ${files.size} files, ${(info.size / 1024).toFixed(0)} KiB packed; publint ok; attw ok on ${
        entrypoints.length + 1
      } entry points`
    )
  }
}
await pool(packages.map((p) => () => checkOne(p)), Math.max(1, Math.min(4, os.availableParallelism())))

if (keep === -1) fs.rmSync(outDir, { recursive: true, force: true })
if (problems.length > 0) {
  console.error(`\npackage problems (${problems.length}):\n${problems.join("\n")}`)
  process.exit(1)
}
console.log(`every publishable package packs clean (${packages.map((p) => p.pkg.name).join(", ")})`)
