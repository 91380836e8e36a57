/**
 * Test support: a real Redis. Tests use `VENICE_REDIS_URL` (default `redis://127.0.0.1:6379`). When nothing answers
 * there: with `VENICE_REDIS_REQUIRED` set (CI, see `.ci/run`) the tests fail loudly; otherwise, if a `redis-server`
 * binary is installed, a private one is started for the test file (and stopped after it). On a machine with neither
 * (a developer's laptop running `npm test` without Redis) the Redis tests are skipped with a warning naming what is
 * missing; CI sets `VENICE_REDIS_REQUIRED`, so there they never skip. Tests that kill and restart Redis need the
 * `redis-server` binary whatever `VENICE_REDIS_URL` says.
 *
 * Every test works under its own key prefix, so test files (and other people's runs against the same server) never
 * see each other's keys.
 */
import { DEFAULT_URL, hasBinary, ping, startPrivateRedis } from "@venice-effect/testkit/RedisServer"
import * as Effect from "effect/Effect"
import { Redis } from "ioredis"
import * as Child from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll } from "vitest"

export { DEFAULT_URL, freePort, type PrivateRedis, startPrivateRedis } from "@venice-effect/testkit/RedisServer"

/** A unique key prefix for one test. */
export const uniquePrefix = (label: string): string =>
  `venice-effect-test:${label}:${process.pid}:${Math.random().toString(36).slice(2, 10)}:`

const required = process.env["VENICE_REDIS_REQUIRED"] !== undefined

const warnSkip = (reason: string): string => {
  console.warn(`[venice-effect] Redis tests skipped: ${reason} (CI installs and starts one: see .ci/run)`)
  return reason
}

/**
 * Why the tests that need a Redis cannot run here (`undefined`: they can). Never set when `VENICE_REDIS_REQUIRED` is:
 * then they run and fail loudly.
 */
export const missingRedis: string | undefined = required || hasBinary("redis-server") ||
    (await ping(process.env["VENICE_REDIS_URL"] ?? DEFAULT_URL, 500))
  ? undefined
  : warnSkip("no Redis answers at VENICE_REDIS_URL (or redis://127.0.0.1:6379) and redis-server is not installed")

/** Why the tests that stop and start a Redis of their own cannot run here (`undefined`: they can). */
export const missingRedisServer: string | undefined = required || hasBinary("redis-server")
  ? undefined
  : missingRedis ?? warnSkip("redis-server is not installed (apt-get install -y redis-server)")

let resolved: Promise<{ readonly url: string; readonly stop: () => Promise<void> }> | undefined

/**
 * The Redis the tests of this file use (see the module docs). Resolved once per test file (process).
 */
export const testRedisUrl = (): Promise<string> => {
  resolved ??= (async () => {
    const url = process.env["VENICE_REDIS_URL"] ?? DEFAULT_URL
    if (await ping(url, 1000)) return { url, stop: async () => {} }
    const where = `VENICE_REDIS_URL=${
      process.env["VENICE_REDIS_URL"] === undefined ? `(unset, default ${DEFAULT_URL})` : "(set)"
    }`
    if (process.env["VENICE_REDIS_REQUIRED"] !== undefined) {
      throw new Error(
        `Redis is required (VENICE_REDIS_REQUIRED is set) and nothing answers PING at ${where}: .ci/run starts one`
      )
    }
    if (!hasBinary("redis-server")) {
      throw new Error(
        `no Redis answers PING at ${where} and redis-server is not installed: install it (apt-get install -y redis-server) or point VENICE_REDIS_URL at a Redis`
      )
    }
    const own = await startPrivateRedis()
    return { url: own.url, stop: own.kill }
  })()
  return resolved.then((r) => r.url)
}

// A Redis this file started for itself is stopped with the file (a worker's `exit` event is not enough: pooled
// workers are reused or killed by signal, and the server would outlive the run).
afterAll(async () => {
  if (resolved !== undefined) await (await resolved.catch(() => ({ stop: async () => {} }))).stop()
})

/** The test Redis as an Effect. */
export const redisUrl: Effect.Effect<string> = Effect.promise(testRedisUrl)

/** A plain client for inspecting keys (closed with the scope). */
export const inspector = (url: string) =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const client = new Redis(url, { maxRetriesPerRequest: 1 })
      client.on("error", () => {})
      return client
    }),
    (client) => Effect.sync(() => client.disconnect())
  )

// ── compiled workers for multi-process tests ────────────────────────────────────────────────────

const here = Path.dirname(fileURLToPath(import.meta.url))
const packageRoot = Path.resolve(here, "..")
const repoRoot = Path.resolve(packageRoot, "../..")

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

/** The compiled outputs older than a source they depend on (`tsc -b` has not run since a change). */
const stale = (): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (const pkg of ["core", "venice", "emulator", "redis", "testkit"]) {
    const src = newestMtime(Path.join(repoRoot, "packages", pkg, "src"), ".ts")
    const dist = newestMtime(Path.join(repoRoot, "packages", pkg, "dist"), ".js")
    if (dist < src) out.push(`packages/${pkg}`)
  }
  return out
}

/**
 * The compiled fleet worker (`@venice-effect/testkit`'s `dist/FleetWorker.js`, built by `tsc -b`), which runs from
 * the packages' `dist`. If a source is newer than its output, builds first (`tsc -b packages/testkit`), so a worker
 * never runs stale code.
 */
export const compiledWorker = (): string => {
  const outdated = stale()
  if (outdated.length > 0) {
    console.log(`building (${outdated.join(", ")} newer than the build): tsc -b packages/testkit`)
    const result = Child.spawnSync(Path.join(repoRoot, "node_modules/.bin/tsc"), ["-b", "packages/testkit"], {
      cwd: repoRoot,
      encoding: "utf8"
    })
    if (result.status !== 0) throw new Error(`tsc -b packages/testkit failed:\n${result.stdout}\n${result.stderr}`)
  }
  return Path.join(repoRoot, "packages/testkit/dist/FleetWorker.js")
}
