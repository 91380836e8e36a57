/**
 * Redis for the `fleet` suite: the one at `VENICE_REDIS_URL` (default `redis://127.0.0.1:6379`) if it answers, else a
 * private `redis-server` started for the suite; and, for the outage configuration, always a private one that the
 * suite kills (SIGKILL) and starts again on the same port.
 */
import * as Child from "node:child_process"
import * as Fs from "node:fs"
import * as Net from "node:net"
import * as Path from "node:path"

/** `PING` over a raw socket (RESP), no client library. */
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
    socket.on("connect", () => socket.write(parsed.password ? `AUTH ${decodeURIComponent(parsed.password)}\r\nPING\r\n` : "PING\r\n"))
    socket.on("data", (data) => done(data.toString().includes("+PONG")))
  })

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = Net.createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(port))
    })
  })

export interface PrivateRedis {
  readonly url: string
  readonly kill: () => Promise<void>
  readonly start: () => Promise<void>
}

export const startPrivateRedis = async (): Promise<PrivateRedis> => {
  const onPath = (process.env["PATH"] ?? "").split(Path.delimiter).some((d) => d.length > 0 && Fs.existsSync(Path.join(d, "redis-server")))
  if (!onPath) throw new Error("the fleet suite needs redis-server (apt-get install -y redis-server) or a Redis at VENICE_REDIS_URL")
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let proc: Child.ChildProcess | undefined
  const start = async () => {
    proc = Child.spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" })
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      if (await ping(url, 200)) return
      await new Promise((r) => setTimeout(r, 50))
    }
    throw new Error(`redis-server on port ${port} did not start`)
  }
  const kill = async () => {
    const p = proc
    proc = undefined
    if (p === undefined || p.exitCode !== null) return
    const exited = new Promise<void>((r) => p.once("exit", () => r()))
    p.kill("SIGKILL")
    await exited
  }
  await start()
  process.once("exit", () => proc?.kill("SIGKILL"))
  return { url, kill, start }
}

/** The shared Redis of the suite: `{ url, stop }`. */
export const sharedRedis = async (): Promise<{ readonly url: string; readonly stop: () => Promise<void> }> => {
  const url = process.env["VENICE_REDIS_URL"] ?? "redis://127.0.0.1:6379"
  if (await ping(url)) return { url, stop: async () => {} }
  const own = await startPrivateRedis()
  return { url: own.url, stop: own.kill }
}
