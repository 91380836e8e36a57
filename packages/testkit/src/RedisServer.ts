/**
 * A Redis for tests and benchmarks: `PING` over a raw socket (RESP, no client library), and a private `redis-server`
 * child process on a free loopback port that can be killed (SIGKILL) and started again on the same port.
 */
import * as Child from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Os from "node:os"
import * as Path from "node:path"
import { freePort } from "./FreePort.js"

/** The Redis tried first when `VENICE_REDIS_URL` is unset. */
export const DEFAULT_URL = "redis://127.0.0.1:6379"

/** Whether a Redis answers `PING` at `url` within `timeoutMs` (with `AUTH` first when the URL has a password). */
export const ping = (url: string, timeoutMs = 500): Promise<boolean> =>
  new Promise((resolve) => {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      return resolve(false)
    }
    const socket = Net.connect({ host: parsed.hostname, port: Number(parsed.port || 6379) })
    const done = (ok: boolean) => {
      socket.destroy()
      resolve(ok)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.on("error", () => done(false))
    socket.on("connect", () =>
      socket.write(parsed.password ? `AUTH ${decodeURIComponent(parsed.password)}\r\nPING\r\n` : "PING\r\n"))
    socket.on("data", (data) =>
      done(data.toString().includes("+PONG")))
  })

/** Whether an executable named `name` is on the `PATH`. */
export const hasBinary = (name: string): boolean =>
  (process.env["PATH"] ?? "").split(Path.delimiter).some((dir) => dir.length > 0 && Fs.existsSync(Path.join(dir, name)))

export { freePort }

/** A `redis-server` child process on a port of its own: kill it, start it again on the same port. */
export interface PrivateRedis {
  readonly url: string
  readonly port: number
  /** SIGKILL: the server vanishes (connections reset), its data with it unless it is persistent. */
  readonly kill: () => Promise<void>
  /** Starts it again on the same port and waits until it answers. */
  readonly start: () => Promise<void>
  readonly running: () => boolean
}

/**
 * Starts a private `redis-server` (without persistence unless `persistent`: then every write is in the append-only
 * file before it is answered, so a SIGKILL loses nothing). Killed when this process exits.
 */
export const startPrivateRedis = async (options: { readonly persistent?: boolean } = {}): Promise<PrivateRedis> => {
  if (!hasBinary("redis-server")) {
    throw new Error(
      "redis-server is not installed (apt-get install -y redis-server): this needs a Redis it can stop and start"
    )
  }
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  const persistence = options.persistent === true
    ? [
      "--dir",
      Fs.mkdtempSync(Path.join(Os.tmpdir(), "venice-redis-")),
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--save",
      ""
    ]
    : ["--save", "", "--appendonly", "no"]
  let proc: Child.ChildProcess | undefined
  const start = async () => {
    proc = Child.spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", ...persistence], {
      stdio: "ignore"
    })
    // a bound on attempts (each a 200 ms PING at most, 50 ms apart), not a reading of the wall clock
    for (let attempt = 0; attempt < 200; attempt++) {
      if (await ping(url, 200)) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`redis-server on port ${port} did not answer PING (200 attempts)`)
  }
  const kill = async () => {
    const p = proc
    proc = undefined
    if (p === undefined || p.exitCode !== null) return
    const exited = new Promise<void>((resolve) => p.once("exit", () => resolve()))
    p.kill("SIGKILL")
    await exited
  }
  await start()
  process.once("exit", () => proc?.kill("SIGKILL"))
  return { url, port, kill, start, running: () => proc !== undefined && proc.exitCode === null }
}

/**
 * The Redis at `VENICE_REDIS_URL` (default {@link DEFAULT_URL}) if it answers, else a private one: `{ url, stop }`
 * (`stop` kills the private one; it leaves a Redis it did not start alone).
 */
export const sharedRedis = async (): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> => {
  const url = process.env["VENICE_REDIS_URL"] ?? DEFAULT_URL
  if (await ping(url)) return { url, stop: async () => {} }
  const own = await startPrivateRedis()
  return { url: own.url, stop: own.kill }
}
