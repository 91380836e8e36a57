/**
 * Worker processes for the crash tests: the compiled worker (`.tsbuild/test/crash/worker.js`, rebuilt with
 * `tsc -b packages/workflow` when a source is newer), forked with its config, watched over IPC, killed with SIGKILL.
 */
import * as Effect from "effect/Effect"
import * as Child from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { CONFIG_ENV, type FromWorker, type WorkerConfig } from "./protocol.js"

const here = Path.dirname(fileURLToPath(import.meta.url))
const packageRoot = Path.resolve(here, "../..")
const repoRoot = Path.resolve(packageRoot, "../..")
const compiled = Path.join(packageRoot, ".tsbuild/test/crash/worker.js")

const newestMtime = (dir: string, ext: string): number => {
  let newest = 0
  if (!Fs.existsSync(dir)) return newest
  for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
    const full = Path.join(dir, entry.name)
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full, ext))
    else if (entry.name.endsWith(ext)) newest = Math.max(newest, Fs.statSync(full).mtimeMs)
  }
  return newest
}

// `tsc -b` rewrites the project's build info on every build (it leaves unchanged outputs alone)
const lastBuild = Path.join(packageRoot, ".tsbuild/test.tsbuildinfo")

const stale = (): ReadonlyArray<string> => {
  const out: Array<string> = []
  if (
    !Fs.existsSync(compiled) || !Fs.existsSync(lastBuild) ||
    Fs.statSync(lastBuild).mtimeMs < newestMtime(Path.dirname(here), ".ts")
  ) {
    out.push("packages/workflow/test")
  }
  for (const pkg of ["core", "venice", "workflow"]) {
    const src = newestMtime(Path.join(repoRoot, "packages", pkg, "src"), ".ts")
    const dist = newestMtime(Path.join(repoRoot, "packages", pkg, "dist"), ".js")
    if (dist < src) out.push(`packages/${pkg}`)
  }
  return out
}

/** The compiled worker; builds first if a source is newer than its output, so a worker never runs stale code. */
export const compiledWorker = (): string => {
  const outdated = stale()
  if (outdated.length > 0) {
    console.log(`building (${outdated.join(", ")} newer than the build): tsc -b packages/workflow`)
    const result = Child.spawnSync(Path.join(repoRoot, "node_modules/.bin/tsc"), ["-b", "packages/workflow"], {
      cwd: repoRoot,
      encoding: "utf8"
    })
    if (result.status !== 0) throw new Error(`tsc -b packages/workflow failed:\n${result.stdout}\n${result.stderr}`)
  }
  return compiled
}

export type Outcome =
  | Extract<FromWorker, { _tag: "result" | "failure" }>
  | { readonly _tag: "exited"; readonly code: number | null; readonly signal: NodeJS.Signals | null }

export interface Worker {
  readonly pid: number
  /** Everything it wrote to stdout and stderr so far. */
  readonly output: () => string
  /** Resolves once the worker's layers are built and it has started (or joined) its run. */
  readonly ready: Promise<void>
  /** Its result or failure, or its exit without one (killed). */
  readonly outcome: Promise<Outcome>
  /** SIGKILL, and wait for the exit. */
  readonly kill: () => Promise<void>
}

const workers = new Set<Child.ChildProcess>()
process.once("exit", () => {
  for (const proc of workers) proc.kill("SIGKILL")
})

/** Forks one worker with `config`. */
export const spawnWorker = (config: WorkerConfig): Worker => {
  const proc = Child.fork(compiledWorker(), [], {
    env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    stdio: ["ignore", "pipe", "pipe", "ipc"]
  })
  // the worker's output, shown when the test fails (vitest's own output would hide it)
  const output: Array<string> = []
  proc.stdout?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  proc.stderr?.on("data", (chunk: Buffer) => output.push(chunk.toString()))
  workers.add(proc)
  const exited = new Promise<Outcome>((resolve) =>
    proc.once("exit", (code, signal) => {
      workers.delete(proc)
      resolve({ _tag: "exited", code, signal })
    })
  )
  let onReady: () => void = () => {}
  const ready = new Promise<void>((resolve, reject) => {
    onReady = resolve
    void exited.then((o) => reject(new Error(`worker exited before it was ready: ${JSON.stringify(o)}`)))
  })
  ready.catch(() => {})
  const outcome = new Promise<Outcome>((resolve) => {
    proc.on("message", (message: FromWorker) => {
      if (message._tag === "ready") onReady()
      else {
        output.push(`[outcome] ${JSON.stringify(message)}\n`)
        resolve(message)
      }
    })
    void exited.then(resolve)
  })
  return {
    pid: proc.pid ?? 0,
    output: () => output.join(""),
    ready,
    outcome,
    kill: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL")
      await exited
    }
  }
}

/** {@link spawnWorker} in the test's scope: SIGKILLed when the test ends, however it ends (no orphan outlives it). */
export const spawnScoped = (config: WorkerConfig) =>
  Effect.acquireRelease(Effect.sync(() => spawnWorker(config)), (worker) => Effect.promise(worker.kill))

/** Waits for a promise, failing after `ms` with `what` (no test waits without a bound). */
export const within = <A>(ms: number, what: string, promise: Promise<A>): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms)
    promise.then((a) => {
      clearTimeout(timer)
      resolve(a)
    }, (e) => {
      clearTimeout(timer)
      reject(e)
    })
  })
