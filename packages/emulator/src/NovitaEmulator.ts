/**
 * A real HTTP server that behaves like Novita AI (design.md §8): Bearer keys; failures as `{code, reason, message,
 * metadata}` from Novita's catalog (`ErrorCatalog`), each row scriptable; the plain-text `404 page not found`
 * of unknown routes; OpenAI-compatible chat (`/openai/v1/chat/completions`), plain and streamed, with mid-stream
 * error events; async tasks (`/v3/async/<api>` → `task_id`, `/v3/async/task-result`) that progress over time on
 * `Clock`; a request log for counting attempts. Separate from the Venice emulator (its own port), built on the same
 * `@effect/platform` `HttpServer` and the same transport faults (`Faults.resetBeforeHeaders`, `Faults.streamReset` …).
 *
 * How it answers, in order: a scripted fault matching the request; then no key → `400 MISSING_API_KEY` (media and
 * billing routes) or `403 INVALID_API_KEY` (LLM: "未提供 API Key"); an unknown key → `403 INVALID_API_KEY` or
 * `401 FAILED_TO_AUTH` (LLM); the optional request window → `429 RATE_LIMIT_EXCEEDED` (`LIST_BILL_TOO_FAST` on
 * billing); no balance → `400 BILLING_BALANCE_NOT_ENOUGH` or `403 NOT_ENOUGH_BALANCE` (LLM); then the route (bad
 * bodies `400 INVALID_REQUEST_BODY`, unknown models `404 MODEL_NOT_FOUND`, unknown tasks `404 TASK_NOT_FOUND`, unknown
 * async APIs `404 API_NOT_FOUND`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Faults, NovitaEmulator } from "@venice-effect/emulator"
 *
 * const program = Effect.gen(function*() {
 *   const novita = yield* NovitaEmulator.NovitaEmulator
 *   // the next two chat calls are rate limited, then a stream fails after 3 chunks
 *   yield* novita.script({ route: "chat/completions" }, 2, NovitaEmulator.error("RATE_LIMIT_EXCEEDED"))
 *   yield* novita.script({ route: "chat/completions" }, 1, Faults.streamError(3))
 *   console.log(novita.baseUrl) // http://127.0.0.1:<port>
 * })
 *
 * Effect.runPromise(Effect.scoped(program.pipe(Effect.provide(NovitaEmulator.layer({ keys: ["test-key"] })))))
 * ```
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Config_ from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"
import * as Faults from "./Faults.js"
import { makeApp, storeScript } from "./internal/novita/server.js"
import { type Settings, State } from "./internal/novita/state.js"
import { hashKey, labelOfHash } from "./internal/state.js"
import type { Fault } from "./NovitaFaults.js"

// ─── faults (defined in NovitaFaults.ts, which the internal modules import: no import cycle) ──────

export { error, ErrorFault, Fault, isStreamFault, Script, TaskFailure, taskFailure } from "./NovitaFaults.js"

// ─── configuration ───────────────────────────────────────────────────────────────────────────────

/**
 * An API key the emulator accepts as `Authorization: Bearer <key>`. `label` is what the log shows (default
 * `key-<first 8 hex of sha256>`); the key itself is only kept as a hash. `balanceUsd` (default 100) is charged a
 * little per call; at 0 the key gets the balance errors.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyConfig {
  readonly key: string | Redacted.Redacted<string>
  readonly label?: string | undefined
  readonly balanceUsd?: number | undefined
}

/**
 * The emulator's configuration. Every member is optional.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** Port to listen on; `0` (default) picks a free one. */
  readonly port?: number | undefined
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined
  readonly keys?: ReadonlyArray<string | Redacted.Redacted<string> | KeyConfig> | undefined
  /** Serve `POST/DELETE /__emulator/faults`, `GET /__emulator/requests`, `POST /__emulator/reset`. Default off. */
  readonly admin?: boolean | undefined
  /** Models the chat route knows (others: `404 MODEL_NOT_FOUND`). Default a few of Novita's public ids. */
  readonly models?: ReadonlyArray<string> | undefined
  /** Chat: `tokens` per completion (default 8), `pace` between streamed chunks (default none), `keepalive` comment first (default true). */
  readonly stream?: {
    readonly tokens?: number | undefined
    readonly pace?: Duration.DurationInput | undefined
    readonly keepalive?: boolean | undefined
  } | undefined
  /** Async tasks: time until done (default 3 s) and time queued before processing (default 500 ms), on `Clock`. */
  readonly tasks?: {
    readonly duration?: Duration.DurationInput | undefined
    readonly queued?: Duration.DurationInput | undefined
  } | undefined
  /** A fixed request window per key and route group (default: none). Exceeding it answers the group's 429. */
  readonly rateLimit?: {
    readonly requestsPerWindow?: number | undefined
    readonly window?: Duration.DurationInput | undefined
  } | undefined
}

// ─── service ─────────────────────────────────────────────────────────────────────────────────────

/**
 * One request the emulator received. `status` is `0` when none was sent (a reset before the headers, a stall);
 * `fault` names the scripted fault that answered or changed it. Keys appear only as labels.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestRecord {
  readonly seq: number
  /** Clock time the request arrived (Unix ms). */
  readonly at: number
  readonly method: string
  readonly path: string
  /** Route name (`chat/completions`, `async/txt2img`, `async/task-result` …), or `unknown`. */
  readonly route: string
  /** Label of the API key sent. */
  readonly key: string | undefined
  readonly model: string | undefined
  readonly stream: boolean
  readonly status: number
  readonly fault: string | undefined
  /** The task created (submissions) or read (`task-result`). */
  readonly taskId: string | undefined
  /** Clock time the answer was decided (Unix ms). */
  readonly answeredAt: number
}

/**
 * A filter over the request log: a match plus a status.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestFilter extends Faults.Match {
  readonly status?: number | undefined
}

/**
 * The running emulator and its control API.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://host:port`: the base URL to give a Novita client. */
  readonly baseUrl: string
  readonly port: number
  /** `<baseUrl><path>`. */
  readonly url: (path: string) => string
  /** The next `times` responses matching `match` get `fault`. */
  readonly script: (match: Faults.Match, times: number, fault: Fault) => Effect.Effect<void>
  /** Drops every pending fault. */
  readonly clearFaults: Effect.Effect<void>
  /** The request log (the last 20,000). */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  /** How many logged requests match. */
  readonly count: (filter?: RequestFilter) => Effect.Effect<number>
  /** Sockets open right now. */
  readonly openConnections: Effect.Effect<number>
  /** Back to the configured state: faults, tasks, windows, balances, log. */
  readonly reset: Effect.Effect<void>
  /** Sets a key's balance. */
  readonly setBalance: (key: string | Redacted.Redacted<string>, usd: number) => Effect.Effect<void>
  /** The label the log shows for a key. */
  readonly labelOf: (key: string | Redacted.Redacted<string>) => string
}

/**
 * @since 0.1.0
 * @category tags
 */
export class NovitaEmulator extends Context.Tag("@venice-effect/emulator/NovitaEmulator")<NovitaEmulator, Service>() {}

/**
 * The models the chat route knows by default.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MODELS: ReadonlyArray<string> = [
  "meta-llama/llama-3.1-8b-instruct",
  "deepseek/deepseek-v3-0324",
  "qwen/qwen3-32b-fp8"
]

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput): number =>
  Duration.toMillis(Duration.decode(input ?? fallback))

const settingsOf = (config: Config): Settings => ({
  host: config.host ?? "127.0.0.1",
  port: config.port ?? 0,
  admin: config.admin ?? false,
  models: config.models ?? DEFAULT_MODELS,
  stream: {
    tokens: config.stream?.tokens ?? 8,
    paceMillis: millis(config.stream?.pace, Duration.zero),
    keepalive: config.stream?.keepalive ?? true
  },
  tasks: {
    durationMillis: millis(config.tasks?.duration, Duration.seconds(3)),
    queuedMillis: millis(config.tasks?.queued, Duration.millis(500))
  },
  rateLimit: {
    requestsPerWindow: config.rateLimit?.requestsPerWindow,
    windowMillis: millis(config.rateLimit?.window, Duration.minutes(1))
  },
  defaultBalanceUsd: 100
})

const keyValue = (
  key: string | Redacted.Redacted<string>
): string => (typeof key === "string" ? key : Redacted.value(key))

/**
 * Starts the emulator; it stops (every open socket closed) when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: Config = {}): Effect.Effect<Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = settingsOf(config)
    const state = new State(settings)
    for (const entry of config.keys ?? []) {
      const key: KeyConfig = typeof entry === "string" || Redacted.isRedacted(entry) ? { key: entry } : entry
      const hash = hashKey(keyValue(key.key))
      const usd = key.balanceUsd ?? settings.defaultBalanceUsd
      state.addKey({ hash, label: key.label ?? labelOfHash(hash), balanceUsd: usd, initialUsd: usd })
    }

    const sockets = new Set<Net.Socket>()
    const server = Http.createServer()
    server.on("connection", (socket: Net.Socket) => {
      sockets.add(socket)
      state.openConnections++
      socket.once("close", () => {
        sockets.delete(socket)
        state.openConnections--
      })
    })
    const httpServer = yield* NodeHttpServer.make(() => server, { port: settings.port, host: settings.host })
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const socket of sockets) socket.destroy()
      })
    )
    const address = httpServer.address
    const port = address._tag === "TcpAddress" ? address.port : settings.port
    const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host
    const origin = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`
    yield* httpServer.serve(makeApp({ state, settings, origin }))

    const labelOf = (key: string | Redacted.Redacted<string>): string => {
      const hash = hashKey(keyValue(key))
      return state.keys.get(hash)?.label ?? labelOfHash(hash)
    }
    const matchesFilter = (record: RequestRecord, filter: RequestFilter): boolean => {
      if (filter.status !== undefined && record.status !== filter.status) return false
      if (filter.key !== undefined && record.key !== labelOf(filter.key)) return false
      if (filter.keyLabel !== undefined && record.key !== filter.keyLabel) return false
      if (filter.route !== undefined) {
        const route = filter.route.replace(/^\/+|\/+$/g, "")
        if (route !== record.route && `/${route}` !== record.path && filter.route !== record.path) return false
      }
      if (filter.model !== undefined && record.model !== filter.model) return false
      return true
    }

    const service: Service = {
      baseUrl: origin,
      port,
      url: (path) => `${origin}${path.startsWith("/") ? path : `/${path}`}`,
      script: (match, times, fault) => Effect.sync(() => storeScript(state, { match, times, fault })),
      clearFaults: Effect.sync(() => {
        state.scripts = []
      }),
      requests: Effect.sync(() => state.log.map((entry) => ({ ...entry }))),
      count: (filter = {}) => Effect.sync(() => state.log.filter((r) => matchesFilter(r, filter)).length),
      openConnections: Effect.sync(() => state.openConnections),
      reset: Effect.sync(() => state.reset()),
      setBalance: (key, usd) =>
        Effect.sync(() => {
          const record = state.keys.get(hashKey(keyValue(key)))
          if (record !== undefined) record.balanceUsd = usd
        }),
      labelOf
    }
    return service
  })

/**
 * The emulator as a layer (started when the layer is built, stopped when its scope closes).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (config: Config = {}): Layer.Layer<NovitaEmulator, ServeError> =>
  Layer.scoped(NovitaEmulator, make(config))

/**
 * The emulator configured from the environment: `NOVITA_EMULATOR_PORT` (default 0), `NOVITA_EMULATOR_HOST`,
 * `NOVITA_EMULATOR_KEYS` (comma-separated, redacted), merged over `config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config = {}): Layer.Layer<NovitaEmulator, ServeError | ConfigError.ConfigError> =>
  Layer.scoped(
    NovitaEmulator,
    Effect.gen(function*() {
      const port = yield* Config_.option(Config_.integer("NOVITA_EMULATOR_PORT"))
      const host = yield* Config_.option(Config_.string("NOVITA_EMULATOR_HOST"))
      const keys = yield* Config_.option(Config_.redacted("NOVITA_EMULATOR_KEYS"))
      return yield* make({
        ...config,
        ...(port._tag === "Some" ? { port: port.value } : {}),
        ...(host._tag === "Some" ? { host: host.value } : {}),
        ...(keys._tag === "Some"
          ? {
            keys: [
              ...(config.keys ?? []),
              ...Redacted.value(keys.value).split(",").map((k) => k.trim()).filter((k) => k.length > 0).map((k) =>
                Redacted.make(k)
              )
            ]
          }
          : {})
      })
    })
  )
