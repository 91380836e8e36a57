#!/usr/bin/env node
// `npm run mutate`: StrykerJS (stryker.config.mjs) in a throwaway copy of the repository, never in the checkout.
//
// Stryker runs in place (`inPlace: true`: each package's vitest config imports `../../vitest.shared.js`, which its
// sandbox would have to rewrite) and puts the mutated files back when it exits — but not when it is killed (SIGKILL,
// out of memory, a machine that goes down), and a checkout left with instrumented sources is a trap. So it mutates a
// copy: the files git tracks or would track (uncommitted edits included) are copied to a temporary directory whose
// `node_modules` are links to the checkout's, Stryker runs there, and its reports (`reports/mutation/*.html|json`) and
// incremental files come back to the checkout's `reports/mutation/` when it ends, however it ends. The copy is removed
// (`MUTATE_KEEP=1` keeps it).
//
// Environment (see stryker.config.mjs): `MUTATE` narrows the run to some files, `MUTATE_CONCURRENCY` sets the
// workers, `MUTATE_INCREMENTAL=0` retests every mutant. `MUTATE_AT=<commit>` mutates the sources and runs the tests
// of an older commit with today's Stryker configuration: how the "before" scores of docs/testing.md were measured.
// Other arguments go to `stryker run`.
import { execFileSync, spawn } from "node:child_process"
import * as fs from "node:fs"
import * as os from "node:os"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
const at = process.env["MUTATE_AT"]
const git = (...args) => execFileSync("git", args, { cwd: root, maxBuffer: 1 << 30 })

const copy = fs.mkdtempSync(path.join(os.tmpdir(), "venice-effect-mutate-"))
const write = (file, contents) => {
  fs.mkdirSync(path.dirname(path.join(copy, file)), { recursive: true })
  fs.writeFileSync(path.join(copy, file), contents)
}

// the sources: the working tree, or a commit's tree with today's mutation configuration on top
const configFiles = ["stryker.config.mjs", "vitest.mutate.config.ts"]
if (at === undefined) {
  const files = git("ls-files", "-z", "--cached", "--others", "--exclude-standard").toString().split("\0")
  for (const file of files) {
    if (file !== "" && fs.existsSync(path.join(root, file))) write(file, fs.readFileSync(path.join(root, file)))
  }
} else {
  const files = git("ls-tree", "-r", "-z", "--name-only", at).toString().split("\0")
  for (const file of files) if (file !== "") write(file, git("show", `${at}:${file}`))
  for (const file of configFiles) write(file, fs.readFileSync(path.join(root, file)))
}
// dependencies: linked (vitest resolves the workspace packages to the copy's sources through vitest.shared.ts)
const link = (dir) => {
  const from = path.join(root, dir, "node_modules")
  if (fs.existsSync(from) && fs.existsSync(path.join(copy, dir))) {
    fs.symlinkSync(from, path.join(copy, dir, "node_modules"))
  }
}
link(".")
for (const pkg of fs.readdirSync(path.join(root, "packages"))) link(path.join("packages", pkg))
// earlier results, for incremental runs
const reports = path.join(root, "reports", "mutation")
if (fs.existsSync(reports)) fs.cpSync(reports, path.join(copy, "reports", "mutation"), { recursive: true })

const stryker = path.join(root, "node_modules", ".bin", "stryker")
const child = spawn(stryker, ["run", ...process.argv.slice(2)], { cwd: copy, stdio: "inherit" })
const forward = (signal) => () => child.kill(signal)
process.on("SIGINT", forward("SIGINT"))
process.on("SIGTERM", forward("SIGTERM"))
child.on("exit", (code, signal) => {
  const produced = path.join(copy, "reports", "mutation")
  if (fs.existsSync(produced)) fs.cpSync(produced, reports, { recursive: true })
  if (process.env["MUTATE_KEEP"] === "1") console.error(`mutate: the copy is kept at ${copy}`)
  else fs.rmSync(copy, { recursive: true, force: true })
  process.exit(code ?? (signal !== null ? 1 : 0))
})
