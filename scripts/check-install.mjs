#!/usr/bin/env node
/**
 * The user's path, from outside the monorepo: packs every publishable package, creates a fresh app in a temporary
 * directory, installs the tarballs with `effect`, `@effect/platform` and `@effect/platform-node` at the versions the
 * README names (from the npm registry: the only network this needs), then
 *
 * - adds `@venice-effect/ai` and `@venice-effect/workflow` with their Effect peers at the README's versions (the
 *   workflow's SQLite storage compiles or downloads better-sqlite3 here, as it would for a user);
 * - checks that the app has exactly one copy of each Effect package, and that `npm install` printed no engine
 *   warning;
 * - type-checks docs/examples/getting-started.ts, ai-switch.ts, ai-tools.ts and workflow-video.ts as the app's own
 *   code (strict, NodeNext): once with `exactOptionalPropertyTypes` and `skipLibCheck: false` (every declaration file
 *   checked, ours included), once with neither;
 * - starts `npx venice-emulator` and runs the compiled getting-started and ai-switch examples against it (each must
 *   print the emulator's answer and exit 0), then the workflow example (a video queued, polled and written to a file
 *   through a SQLite-backed worker);
 * - checks that `internal/` modules are closed (`ERR_PACKAGE_PATH_NOT_EXPORTED`) and the documented subpaths open.
 *
 * Needs a build (`tsc -b`); `npm test` checks the tarballs themselves (scripts/check-packages.mjs). Run by `.ci/run`.
 *
 *   node scripts/check-install.mjs [--keep]   (--keep: leave the app directory for inspection)
 */
import { execFileSync, spawn, spawnSync } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const keep = process.argv.includes("--keep")
const work = fs.mkdtempSync(path.join(os.tmpdir(), "venice-effect-install-"))
const packs = path.join(work, "packs")
const app = path.join(work, "app")
fs.mkdirSync(app, { recursive: true })

// the versions README.md and docs/getting-started.md tell users to install
const VERSIONS = { effect: "^3.22.4", "@effect/platform": "^0.97.2", "@effect/platform-node": "^0.108.2" }
// and for @venice-effect/ai and @venice-effect/workflow (README.md, their READMEs)
const AI_VERSIONS = { "@effect/ai": "^0.37.0" }
const WORKFLOW_VERSIONS = { "@effect/workflow": "^0.19.1", "@effect/cluster": "^0.60.2", "@effect/sql": "^0.52.1" }
// the docs examples compiled and run as the app's own code (src/index.ts is getting-started)
const EXAMPLES = ["getting-started", "ai-switch", "ai-tools", "workflow-video"]

const started = Date.now()
const step = (message) => console.log(`[${((Date.now() - started) / 1000).toFixed(1)} s] ${message}`)
const run = (file, args, options = {}) =>
  execFileSync(file, args, { cwd: app, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options })
const fail = (message) => {
  console.error(`check-install: ${message}`)
  console.error(`(the app is in ${app})`)
  process.exit(1)
}

// the versions installed here are the ones the README tells users to install
const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
for (const [name, range] of Object.entries({ ...VERSIONS, ...AI_VERSIONS, ...WORKFLOW_VERSIONS })) {
  if (!readme.includes(`${name}@${range}`)) fail(`README.md's install lines do not name ${name}@${range}`)
}

step("packing the publishable packages")
fs.mkdirSync(packs)
const publishable = fs.readdirSync(path.join(root, "packages"))
  .filter((dir) => fs.existsSync(path.join(root, "packages", dir, "package.json")))
  .filter((dir) =>
    JSON.parse(fs.readFileSync(path.join(root, "packages", dir, "package.json"), "utf8")).private !== true
  )
execFileSync("npm", [
  "pack",
  "--silent",
  "--pack-destination",
  packs,
  ...publishable.flatMap((dir) => ["-w", `packages/${dir}`])
], {
  cwd: root,
  stdio: ["ignore", "ignore", "inherit"]
})
const tarball = (name) => {
  const file = fs.readdirSync(packs).find((f) => f.startsWith(`venice-effect-${name}-`) && f.endsWith(".tgz"))
  if (file === undefined) fail(`no tarball for @venice-effect/${name}`)
  return path.join(packs, file)
}

fs.writeFileSync(
  path.join(app, "package.json"),
  JSON.stringify({ name: "venice-effect-install-check", private: true, type: "module" }, null, 2)
)

// Not on the registry yet: the tarballs stand in for `@venice-effect/<name>` (core comes with venice).
step("npm install (the README's line, the tarballs for our packages)")
const install = (args) => {
  const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", ...args], { cwd: app, encoding: "utf8" })
  if (r.status !== 0) fail(`npm install ${args.join(" ")} failed:\n${r.stdout}${r.stderr}`)
  // npm warns on stderr when a dependency's `engines` excludes this Node
  if (/EBADENGINE/.test(r.stderr)) fail(`npm install warns about engines on Node ${process.version}:\n${r.stderr}`)
}
install([tarball("core"), tarball("venice"), ...Object.entries(VERSIONS).map(([name, range]) => `${name}@${range}`)])
// docs/testing.md: the emulator as a dev dependency (it brings the novita client's catalog)
// (@types/ws: @effect/platform-node-shared's declarations import `ws`, which a full `skipLibCheck: false` check needs)
install([
  "--save-dev",
  tarball("novita"),
  tarball("emulator"),
  "typescript@~5.9.3",
  "@types/node@^20.19.0",
  "@types/ws@^8"
])

// the other two packages, with their Effect peers (npm adds the peers' own peers: @effect/rpc, @effect/experimental)
install([
  tarball("ai"),
  tarball("workflow"),
  ...Object.entries({ ...AI_VERSIONS, ...WORKFLOW_VERSIONS }).map(([name, range]) => `${name}@${range}`)
])

// exactly one copy of the Effect packages
const EFFECT_PACKAGES = [
  "effect",
  "@effect/platform",
  ...Object.keys(AI_VERSIONS),
  ...Object.keys(WORKFLOW_VERSIONS),
  "@effect/rpc",
  "@effect/experimental"
]
for (const name of EFFECT_PACKAGES) {
  const copies = new Set(
    run("npm", ["ls", name, "--all", "--parseable"]).split("\n").filter((l) => l.trim() !== "")
  )
  if (copies.size !== 1) fail(`${copies.size} copies of ${name}:\n${[...copies].join("\n")}`)
}
const versionOf = (name) =>
  JSON.parse(fs.readFileSync(path.join(app, "node_modules", name, "package.json"), "utf8")).version
step(
  `installed effect ${versionOf("effect")}, @effect/platform ${versionOf("@effect/platform")}, @effect/platform-node ${
    versionOf("@effect/platform-node")
  }`
)

// ── the docs examples as the app's code ──
step(`type-checking docs/examples/{${EXAMPLES.join(",")}}.ts in the app`)
fs.mkdirSync(path.join(app, "src"))
for (const name of EXAMPLES) {
  fs.copyFileSync(
    path.join(root, "docs/examples", `${name}.ts`),
    path.join(app, "src", name === "getting-started" ? "index.ts" : `${name}.ts`)
  )
}
// the workflow example exports its program; a user runs it from their own entry point
fs.writeFileSync(
  path.join(app, "src/run-workflow.ts"),
  [
    `import { NodeRuntime } from "@effect/platform-node"`,
    `import { program } from "./workflow-video.js"`,
    ``,
    `NodeRuntime.runMain(program)`,
    ``
  ].join("\n")
)
// once as strict as a demanding user (every declaration file checked, ours included), once as most apps are set up
const tsconfig = (exact) => ({
  compilerOptions: {
    target: "ES2022",
    module: "NodeNext",
    moduleResolution: "NodeNext",
    strict: true,
    exactOptionalPropertyTypes: exact,
    skipLibCheck: !exact,
    types: ["node"],
    outDir: "dist",
    rootDir: "src"
  },
  include: ["src"]
})
const tsc = path.join(app, "node_modules/typescript/bin/tsc")
for (const exact of [true, false]) {
  fs.writeFileSync(path.join(app, "tsconfig.json"), JSON.stringify(tsconfig(exact), null, 2))
  try {
    run(process.execPath, [tsc, "-p", "."])
  } catch (error) {
    fail(`the examples do not type-check (exactOptionalPropertyTypes: ${exact}):\n${error.stdout}${error.stderr}`)
  }
}

// ── subpaths ──
step("checking subpaths: documented ones open, internal/ closed")
const probe = `
const tryImport = async (spec) => { try { await import(spec); return "ok" } catch (e) { return e.code ?? String(e) } }
const out = {}
for (const spec of process.argv.slice(1)) out[spec] = await tryImport(spec)
console.log(JSON.stringify(out))
`
const subpaths = JSON.parse(run(process.execPath, [
  "--input-type=module",
  "-e",
  probe,
  "@venice-effect/venice",
  "@venice-effect/venice/Chat",
  "@venice-effect/venice/schema",
  "@venice-effect/venice/schema/Chat",
  "@venice-effect/venice/internal/endpoint",
  "@venice-effect/core/internal/pipeline",
  "@venice-effect/emulator/bin",
  "@venice-effect/ai/VeniceLanguageModel",
  "@venice-effect/ai/internal/chat",
  "@venice-effect/workflow/WorkflowStorage",
  "@venice-effect/workflow/internal/store"
]))
const expected = {
  "@venice-effect/venice": "ok",
  "@venice-effect/venice/Chat": "ok",
  "@venice-effect/venice/schema": "ok",
  "@venice-effect/venice/schema/Chat": "ok",
  "@venice-effect/venice/internal/endpoint": "ERR_PACKAGE_PATH_NOT_EXPORTED",
  "@venice-effect/core/internal/pipeline": "ERR_PACKAGE_PATH_NOT_EXPORTED",
  "@venice-effect/emulator/bin": "ERR_PACKAGE_PATH_NOT_EXPORTED",
  "@venice-effect/ai/VeniceLanguageModel": "ok",
  "@venice-effect/ai/internal/chat": "ERR_PACKAGE_PATH_NOT_EXPORTED",
  "@venice-effect/workflow/WorkflowStorage": "ok",
  "@venice-effect/workflow/internal/store": "ERR_PACKAGE_PATH_NOT_EXPORTED"
}
for (const [spec, want] of Object.entries(expected)) {
  if (subpaths[spec] !== want) fail(`import("${spec}"): ${subpaths[spec]}, expected ${want}`)
}

// ── run it against `npx venice-emulator` ──
step("running the examples against npx venice-emulator")
// video jobs finish after 1 s (Venice's take minutes)
const emulator = spawn("npx", ["venice-emulator", "--port", "0", "--key", "dev-key", "--job-ms", "1000"], {
  cwd: app,
  stdio: ["ignore", "pipe", "pipe"],
  detached: true
})
const stopEmulator = () => {
  try {
    process.kill(-emulator.pid, "SIGTERM")
  } catch {
    // already gone
  }
}
process.on("exit", stopEmulator)
const baseUrl = await new Promise((resolve, reject) => {
  let out = ""
  let err = ""
  const timer = setTimeout(() => reject(new Error(`venice-emulator printed no URL in 60 s:\n${out}${err}`)), 60_000)
  emulator.stdout.setEncoding("utf8").on("data", (chunk) => {
    out += chunk
    const line = out.split("\n").find((l) => /^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/.test(l.trim()))
    if (line !== undefined) {
      clearTimeout(timer)
      resolve(line.trim())
    }
  })
  emulator.stderr.setEncoding("utf8").on("data", (chunk) => void (err += chunk))
  emulator.once("exit", (code) => reject(new Error(`venice-emulator exited (${code}):\n${out}${err}`)))
}).catch((error) => fail(error.message))

const runExample = (file, timeout) => {
  try {
    return run(process.execPath, [file], {
      env: { ...process.env, VENICE_API_KEY: "dev-key", VENICE_BASE_URL: baseUrl },
      timeout
    })
  } catch (error) {
    stopEmulator()
    return fail(`${file} failed against ${baseUrl} (exit ${error.status}):\n${error.stdout}${error.stderr}`)
  }
}
for (const file of ["dist/index.js", "dist/ai-switch.js"]) {
  const answer = runExample(file, 60_000)
  if (!answer.includes("Hello from the Venice emulator")) fail(`${file} printed no answer:\n${answer}`)
}
step("running the workflow example (SQLite storage, a video job) against npx venice-emulator")
const video = runExample("dist/run-workflow.js", 120_000)
stopEmulator()
// the example logs its failures and succeeds: success is its log line and the file
const written = path.join(app, "launch-teaser.mp4")
if (!/\d+ bytes for \$[\d.]+, job /.test(video) || !fs.existsSync(written) || fs.statSync(written).size === 0) {
  fail(`the workflow example did not write launch-teaser.mp4:\n${video}`)
}

step(`ok — the examples type-check and run from the packed tarballs (${work})`)
if (!keep) fs.rmSync(work, { recursive: true, force: true })
