/**
 * Test support: a real PostgreSQL. Tests use `VENICE_PG_URL` (`.ci/run` starts one and sets it, with
 * `VENICE_PG_REQUIRED`). Without it, if PostgreSQL's binaries are installed (`initdb` on the PATH or in
 * `/usr/lib/postgresql/<version>/bin`), a private server is started for the test file (as the `postgres` user when
 * running as root: initdb refuses root) and stopped after it. On a machine with neither, the PostgreSQL tests are
 * skipped with a warning naming what is missing — never in CI, where `VENICE_PG_REQUIRED` makes them fail instead.
 *
 * Every test works in a database of its own (`CREATE DATABASE`), so the cluster's and the steps' tables of one test
 * never see another's.
 */
import { freePort } from "@venice-effect/testkit/FreePort"
import * as Child from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll } from "vitest"

const required = process.env["VENICE_PG_REQUIRED"] !== undefined
const configured = process.env["VENICE_PG_URL"]

/** The directory of PostgreSQL's server binaries, if installed. */
const binDir = (): string | undefined => {
  for (const dir of (process.env["PATH"] ?? "").split(Path.delimiter)) {
    if (dir.length > 0 && Fs.existsSync(Path.join(dir, "initdb")) && Fs.existsSync(Path.join(dir, "pg_ctl"))) return dir
  }
  const root = "/usr/lib/postgresql"
  if (!Fs.existsSync(root)) return undefined
  const versions = Fs.readdirSync(root).filter((v) => Fs.existsSync(Path.join(root, v, "bin/initdb"))).sort((a, b) =>
    Number(b) - Number(a)
  )
  return versions[0] === undefined ? undefined : Path.join(root, versions[0], "bin")
}

/**
 * Why the PostgreSQL tests cannot run here (`undefined`: they can). Never set when `VENICE_PG_REQUIRED` is: then they
 * run and fail loudly.
 */
export const missingPostgres: string | undefined = required || configured !== undefined || binDir() !== undefined
  ? undefined
  : (() => {
    const reason = "VENICE_PG_URL is not set and PostgreSQL is not installed (apt-get install -y postgresql)"
    console.warn(`[venice-effect] PostgreSQL tests skipped: ${reason} (CI installs and starts one: see .ci/run)`)
    return reason
  })()

const isRoot = typeof process.getuid === "function" && process.getuid() === 0

/** Runs a PostgreSQL binary (as `postgres` when this process is root). */
const run = (bin: string, args: ReadonlyArray<string>): void => {
  const [command, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, [...args]]
  const result = Child.spawnSync(command, argv, { encoding: "utf8" })
  if (result.status !== 0) {
    throw new Error(`${Path.basename(bin)} failed (${result.status}): ${result.stderr || result.stdout}`)
  }
}

const startPrivate = async (): Promise<{ readonly url: string; readonly stop: () => void }> => {
  const bin = binDir()
  if (bin === undefined) throw new Error("PostgreSQL is not installed (apt-get install -y postgresql)")
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "venice-pg-"))
  if (isRoot) {
    const uid = Number(Child.execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim())
    const gid = Number(Child.execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim())
    Fs.chownSync(dir, uid, gid)
  }
  const port = await freePort()
  const data = Path.join(dir, "data")
  run(Path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "venice", "-E", "UTF8", "--no-sync"])
  run(Path.join(bin, "pg_ctl"), [
    "-D",
    data,
    "-l",
    Path.join(dir, "log"),
    "-w",
    "-t",
    "30",
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
    "start"
  ])
  const stop = () => {
    try {
      run(Path.join(bin, "pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"])
    } catch {
      // already stopped
    }
    Fs.rmSync(dir, { recursive: true, force: true })
  }
  process.once("exit", stop)
  return { url: `postgres://venice@127.0.0.1:${port}/postgres`, stop }
}

let resolved: Promise<{ readonly url: string; readonly stop: () => void }> | undefined

/** The server the tests of this file use: `VENICE_PG_URL`, else a private one (see the module docs). */
export const serverUrl = (): Promise<string> => {
  resolved ??= configured !== undefined
    ? Promise.resolve({ url: configured, stop: () => {} })
    : required
    ? Promise.reject(
      new Error("PostgreSQL is required (VENICE_PG_REQUIRED is set) and VENICE_PG_URL is not: .ci/run starts one")
    )
    : startPrivate()
  return resolved.then((r) => r.url)
}

afterAll(async () => {
  if (resolved !== undefined) (await resolved.catch(() => ({ stop: () => {} }))).stop()
})

/** A fresh database on the test server; its URL. */
export const freshDatabase = async (label: string): Promise<string> => {
  const url = new URL(await serverUrl())
  const name = `venice_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^a-z0-9_]/g, "_")
  const Pg = await import("@effect/sql-pg/PgClient")
  const SqlClient = await import("@effect/sql/SqlClient")
  const Effect = await import("effect/Effect")
  const Redacted = await import("effect/Redacted")
  await Effect.runPromise(
    Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(`CREATE DATABASE ${name}`)).pipe(
      Effect.provide(Pg.layer({ url: Redacted.make(url.toString()) })),
      Effect.scoped
    )
  )
  url.pathname = `/${name}`
  return url.toString()
}
