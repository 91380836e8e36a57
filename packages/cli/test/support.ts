/**
 * Test support: the built `venice` command as a subprocess (never in-process: exit codes, stdout/stderr and TTY
 * detection are what is tested), and a Venice emulator in the test process for the runs that point the command at
 * it with `VENICE_BASE_URL` + `VENICE_API_KEY`.
 */
import * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const pkg = fileURLToPath(new URL("..", import.meta.url))
export const root = path.resolve(pkg, "../..")
export const bin = path.join(pkg, "bin/venice.js")
export const start = path.join(pkg, "bin/start.js")

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
  readonly millis: number
}

/** Any ANSI / VT control sequence (CSI, OSC), or a bare carriage return. */
// eslint-disable-next-line no-control-regex
export const CONTROL = /\x1b|\r/

/**
 * Runs a command asynchronously (the emulator of the test process keeps serving meanwhile) with stdout and stderr
 * piped: neither is a TTY. The environment is the test's without any `VENICE_*` variable, plus `env`.
 */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly script?: string; readonly timeout?: number } = {}
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const env: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("VENICE_") && k !== "NO_COLOR") env[k] = v
    Object.assign(env, options.env)
    const started = Date.now()
    const child = spawn(process.execPath, [options.script ?? bin, ...args], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    let stderr = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stderr += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeout ?? 25_000)
    child.once("error", reject)
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr, millis: Date.now() - started })
    })
  })

/** Runs a shell command line under a pseudo-terminal (`script -qfec`), both streams merged, as a terminal shows them. */
export const runInPty = (
  commandLine: string,
  env: Readonly<Record<string, string>> = {}
): Promise<Run> =>
  new Promise((resolve, reject) => {
    const merged: Record<string, string> = {}
    for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith("VENICE_") && k !== "NO_COLOR") merged[k] = v
    Object.assign(merged, env)
    const started = Date.now()
    const child = spawn("script", ["-qfec", commandLine, "/dev/null"], { cwd: root, env: merged, stdio: ["ignore", "pipe", "pipe"] })
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk))
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk))
    const timer = setTimeout(() => child.kill("SIGKILL"), 25_000)
    child.once("error", reject)
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr: "", millis: Date.now() - started })
    })
  })

/** A Venice emulator in the test process, started by `start()` and stopped by `stop()`. */
export const emulatorFixture = (config: VeniceEmulator.Config) => {
  const scope = Effect.runSync(Scope.make())
  let service: VeniceEmulator.Service | undefined
  return {
    start: async () => {
      service = await Effect.runPromise(Scope.extend(VeniceEmulator.make(config), scope))
    },
    stop: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    get emulator(): VeniceEmulator.Service {
      if (service === undefined) throw new Error("the emulator is not started")
      return service
    },
    /** Runs an effect of the emulator's control API. */
    do: <A>(f: (emulator: VeniceEmulator.Service) => Effect.Effect<A>) => {
      if (service === undefined) throw new Error("the emulator is not started")
      return Effect.runPromise(f(service))
    }
  }
}
