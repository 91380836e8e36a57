/**
 * The Redis connection of fleet mode (`ioredis`), and its rule for failure: degraded, not down. Every Redis operation
 * of the fleet services runs through {@link Service.run} with an in-process fallback; while Redis is unreachable (the
 * connection dropped, a command timed out or failed) the fallback answers, the process keeps working on its own
 * state, and one warning is logged for the outage. When the connection is back, operations go to Redis again and one
 * info line says so.
 *
 * Commands are never queued while disconnected (`enableOfflineQueue: false`) nor re-sent after a reconnect: a
 * limiter decision that comes late is worse than a local one now.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import { Redis } from "ioredis"
import type { RedisOptions } from "ioredis"
import type { Script } from "./internal/scripts.js"

/**
 * Connection options.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /**
   * `redis://[[user]:password@]host[:port][/db]` or `rediss://…` (TLS). Default `redis://127.0.0.1:6379`. It may hold a
   * password, so pass it `Redacted`; it is never logged (logs name `host:port` only).
   */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** Prefix of every key (default `venice-effect:`), so several fleets or environments can share one Redis. */
  readonly keyPrefix?: string | undefined
  /**
   * Longest wait for one Redis command before the operation falls back to the in-process state (default 1 s). Real
   * time (a socket timeout), not the Effect `Clock`.
   */
  readonly operationTimeout?: Duration.DurationInput | undefined
  /**
   * After a failed command, how long operations stay in-process before Redis is tried again (default 1 s); then one
   * operation probes it while the others stay in-process until the probe succeeds.
   */
  readonly retryAfter?: Duration.DurationInput | undefined
  /**
   * How long building the layer waits for the first connection (default 2 s). A Redis that is not reachable by then
   * does not fail the layer: the process starts degraded (one warning) and joins when Redis answers.
   */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** Longest pause between reconnection attempts (default 1 s). */
  readonly maxReconnectDelay?: Duration.DurationInput | undefined
  /** More `ioredis` options (TLS, username …); the options above win where they overlap. */
  readonly redis?: RedisOptions | undefined
}

/**
 * Where the fleet state is right now.
 *
 * @since 0.1.0
 * @category models
 */
export type Health = "connected" | "degraded"

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** Prefix of every key. */
  readonly keyPrefix: string
  /** `host:port` of the server (no credentials), for logs. */
  readonly endpoint: string
  /**
   * Runs one script on one key in Redis; if Redis is unreachable or the command fails, runs `fallback` instead (and
   * logs the outage once). `decode` turns the reply into the result; a reply it rejects (`undefined`) counts as a
   * failure.
   */
  readonly run: <A>(
    script: Script,
    key: string,
    args: ReadonlyArray<string | number>,
    decode: (reply: unknown) => A | undefined,
    fallback: Effect.Effect<A>
  ) => Effect.Effect<A>
  /** Whether operations go to Redis (`connected`) or to the in-process state (`degraded`) right now. */
  readonly health: Effect.Effect<Health>
  /** The `ioredis` client (owned by the layer: do not close it). */
  readonly client: Redis
}

/**
 * @since 0.1.0
 * @category tags
 */
export class RedisConnection extends Context.Tag("@venice-effect/redis/RedisConnection")<RedisConnection, Service>() {}

/**
 * The default URL: a Redis on this machine.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_URL = "redis://127.0.0.1:6379"

const endpointOf = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.hostname}:${parsed.port.length > 0 ? parsed.port : "6379"}`
  } catch {
    return "(unparseable VENICE_REDIS_URL)"
  }
}

const messageOf = (error: unknown): string =>
  error instanceof Error ? error.message : typeof error === "string" ? error : "unknown error"

/**
 * A promise with a real-time limit (not the Effect `Clock`, which tests may hold still). When the timer fires, the
 * rejection waits for the event loop's I/O phase once: after the loop was blocked (a busy process), a reply that has
 * arrived meanwhile is read first, so a slow process is not mistaken for a Redis outage.
 */
const withinRealTime = <A>(promise: Promise<A>, millis: number): Promise<A> =>
  new Promise<A>((resolve, reject) => {
    let settled = false
    const settle = (f: () => void) => {
      if (settled) return
      settled = true
      f()
    }
    const timer = setTimeout(
      () => setImmediate(() => settle(() => reject(new Error(`no answer within ${millis} ms`)))),
      millis
    )
    promise.then(
      (value) => {
        clearTimeout(timer)
        settle(() => resolve(value))
      },
      (error: unknown) => {
        clearTimeout(timer)
        settle(() => reject(error))
      }
    )
  })

const evalScript = (
  client: Redis,
  script: Script,
  key: string,
  args: ReadonlyArray<string | number>
): Promise<unknown> =>
  client.evalsha(script.sha, 1, key, ...args).catch((error: unknown) =>
    /NOSCRIPT/.test(messageOf(error)) ? client.eval(script.lua, 1, key, ...args) : Promise.reject(error)
  )

/**
 * Connects (scoped: the connection closes with the scope). Never fails: an unreachable Redis leaves the service
 * degraded until it answers.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options = {}): Effect.Effect<Service, never, Scope.Scope> =>
  Effect.gen(function*() {
    const url = options.url === undefined
      ? DEFAULT_URL
      : Redacted.isRedacted(options.url)
      ? Redacted.value(options.url)
      : options.url
    const endpoint = endpointOf(url)
    const keyPrefix = options.keyPrefix ?? "venice-effect:"
    const timeout = Math.max(1, Duration.toMillis(Duration.decode(options.operationTimeout ?? Duration.seconds(1))))
    const retryAfter = Duration.toMillis(Duration.decode(options.retryAfter ?? Duration.seconds(1)))
    const connectTimeout = Math.max(
      1,
      Duration.toMillis(Duration.decode(options.connectTimeout ?? Duration.seconds(2)))
    )
    const maxReconnectDelay = Math.max(
      10,
      Duration.toMillis(Duration.decode(options.maxReconnectDelay ?? Duration.seconds(1)))
    )

    const client = yield* Effect.acquireRelease(
      Effect.sync(() => {
        const redis = new Redis(url, {
          ...options.redis,
          lazyConnect: true,
          enableOfflineQueue: false,
          autoResendUnfulfilledCommands: false,
          maxRetriesPerRequest: 0,
          connectTimeout,
          retryStrategy: (times: number) => Math.min(times * 100, maxReconnectDelay)
        })
        // connection errors are reported by the operations that meet them (once per outage), not by ioredis
        redis.on("error", () => {})
        return redis
      }),
      (redis) => Effect.sync(() => redis.disconnect())
    )

    // ── health: degraded, not down ──────────────────────────────────────────────────────────────
    let degraded = false
    /** Real time (ms) before which operations do not try Redis again after a failure. */
    let retryAt = 0
    /** While degraded: an operation is trying Redis (the others stay in-process until it succeeds). */
    let probing = false

    const enterDegraded = (reason: string) =>
      Effect.suspend(() => {
        retryAt = Date.now() + retryAfter
        if (degraded) return Effect.void
        degraded = true
        return Effect.logWarning(
          "Redis unreachable: venice-effect continues on this process's own limiter and payment state (limits are not shared with the fleet) until it is back"
        ).pipe(Effect.annotateLogs({ redis: endpoint, reason }))
      })

    const leaveDegraded = Effect.suspend(() => {
      if (!degraded) return Effect.void
      degraded = false
      return Effect.logInfo(
        "Redis reachable again: venice-effect shares limiter and payment state with the fleet again"
      ).pipe(
        Effect.annotateLogs({ redis: endpoint })
      )
    })

    const connected = yield* Effect.promise(() =>
      withinRealTime(client.connect(), connectTimeout).then(() => true, () => false)
    )
    if (!connected) yield* enterDegraded(`no connection within ${connectTimeout} ms`)

    const run: Service["run"] = (script, key, args, decode, fallback) =>
      Effect.suspend(() => {
        if (client.status !== "ready") {
          return Effect.zipRight(enterDegraded(`connection ${client.status}`), fallback)
        }
        const probe = degraded
        if (probe && (Date.now() < retryAt || probing)) return fallback
        if (probe) probing = true
        return Effect.tryPromise(() => withinRealTime(evalScript(client, script, key, args), timeout)).pipe(
          Effect.flatMap((reply) => {
            const decoded = decode(reply)
            return decoded === undefined
              ? Effect.fail(new Error(`unexpected reply to ${script.name}`))
              : Effect.as(leaveDegraded, decoded)
          }),
          Effect.catchAll((error) => Effect.zipRight(enterDegraded(messageOf(error.cause ?? error)), fallback)),
          Effect.ensuring(Effect.sync(() => void (probe && (probing = false))))
        )
      })

    return {
      keyPrefix,
      endpoint,
      run,
      health: Effect.sync((): Health => (!degraded && client.status === "ready" ? "connected" : "degraded")),
      client
    } satisfies Service
  })

/**
 * A connection from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<RedisConnection> =>
  Layer.scoped(RedisConnection, make(options))

/**
 * A connection from configuration: `VENICE_REDIS_URL` (required, redacted) and `VENICE_REDIS_PREFIX` (optional key
 * prefix); other options as given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "url" | "keyPrefix"> = {}
): Layer.Layer<RedisConnection, ConfigError.ConfigError> =>
  Layer.scoped(
    RedisConnection,
    Effect.gen(function*() {
      const url = yield* Config.redacted("VENICE_REDIS_URL")
      const keyPrefix = yield* Config.string("VENICE_REDIS_PREFIX").pipe(Config.withDefault("venice-effect:"))
      return yield* make({ ...options, url, keyPrefix })
    })
  )
