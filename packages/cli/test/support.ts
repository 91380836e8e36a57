/**
 * Test support: the built `venice` command as a subprocess (never in-process: exit codes, stdout/stderr and TTY
 * detection are what is tested), and a Venice emulator in the test process for the runs that point the command at
 * it with `VENICE_BASE_URL` + `VENICE_API_KEY`.
 */
import * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export const pkg = fileURLToPath(new URL("..", import.meta.url))
export const root = path.resolve(pkg, "../..")
export const bin = path.join(pkg, "bin/venice.js")
export const start = path.join(pkg, "bin/start.js")
export const emulatorBin = path.resolve(root, "packages/emulator/bin/venice-emulator.js")

export interface Run {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** A command started, not finished: the child (to signal it, or write to its terminal) and what it will end with. */
export interface Started {
  readonly child: ChildProcess
  /** Output so far. */
  readonly output: () => { readonly stdout: string; readonly stderr: string }
  readonly done: Promise<Run>
}

/** Any ANSI / VT control sequence (CSI, OSC), or a bare carriage return. */
// eslint-disable-next-line no-control-regex
export const CONTROL = /\x1b|\r/

const environment = (env: Readonly<Record<string, string>> | undefined): Record<string, string> => {
  const merged: Record<string, string> = {}
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith("VENICE_") && k !== "NO_COLOR") merged[k] = v
  }
  return Object.assign(merged, env)
}

const collect = (child: ChildProcess, merge: boolean, timeout: number): Started => {
  let stdout = ""
  let stderr = ""
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => void (stdout += chunk))
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => void (merge ? (stdout += chunk) : (stderr += chunk)))
  const done = new Promise<Run>((resolve, reject) => {
    // a bound on the run, not an assertion on its duration: a hung command is killed and fails its test
    const timer = setTimeout(() => child.kill("SIGKILL"), timeout)
    child.once("error", reject)
    child.once("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
  return { child, output: () => ({ stdout, stderr }), done }
}

/**
 * Starts a command (the emulator of the test process keeps serving meanwhile) with stdout and stderr piped: neither
 * is a TTY. The environment is the test's without any `VENICE_*` variable or `NO_COLOR`, plus `env`.
 */
export const startPiped = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly script?: string; readonly timeout?: number } = {}
): Started =>
  collect(
    spawn(process.execPath, [options.script ?? bin, ...args], {
      cwd: root,
      env: environment(options.env),
      stdio: ["ignore", "pipe", "pipe"]
    }),
    false,
    options.timeout ?? 25_000
  )

/** Runs a command piped (see {@link startPiped}) to its end. */
export const run = (
  args: ReadonlyArray<string>,
  options: { readonly env?: Readonly<Record<string, string>>; readonly script?: string; readonly timeout?: number } = {}
): Promise<Run> => startPiped(args, options).done

/** Whether `script` (util-linux) is here to give a command a pseudo-terminal. CI installs it and requires it. */
export const hasPty = (() => {
  try {
    execFileSync("script", ["--version"], { stdio: "ignore" })
    return true
  } catch {
    if (process.env["VENICE_PTY_REQUIRED"] === "1") throw new Error("script(1) is required for the terminal tests")
    return false
  }
})()

/**
 * Starts a shell command line under a pseudo-terminal (`script -qfec`), as a terminal runs it: both streams merged
 * into `stdout`, and what the test writes to `child.stdin` typed at the terminal (`\x03` is Ctrl-C). `script`'s own
 * terminal has no size: prefix `stty cols N;` to give it one.
 */
export const startInPty = (
  commandLine: string,
  env: Readonly<Record<string, string>> = {},
  timeout = 25_000
): Started =>
  collect(
    spawn("script", ["-qfec", commandLine, "/dev/null"], {
      cwd: root,
      env: environment(env),
      stdio: ["pipe", "pipe", "pipe"]
    }),
    true,
    timeout
  )

/** Runs a shell command line under a pseudo-terminal (see {@link startInPty}) to its end. */
export const runInPty = (
  commandLine: string,
  env: Readonly<Record<string, string>> = {},
  timeout = 25_000
): Promise<Run> => startInPty(commandLine, env, timeout).done

/** Waits (polling every 20 ms, at most `attempts` times) until `condition` holds; rejects if it never does. */
export const eventually = async (condition: () => boolean | Promise<boolean>, attempts = 1_000): Promise<void> => {
  for (let i = 0; i < attempts; i++) {
    if (await condition()) return
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error("the condition never held")
}

/** Every line's width in characters (not bytes: `─`, `✓` count one). */
export const widths = (text: string): ReadonlyArray<number> => text.split("\n").map((line) => [...line].length)

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
