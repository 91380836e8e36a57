/**
 * A real HTTP server that behaves like the Venice API: its routes, bodies and headers, its auth (Bearer keys, the x402
 * discovery 402, SIWX wallets), its limiters (per-key per-model request windows, the failed-request error budget,
 * overloads, crypto RPC's per-minute cap and idempotency), its async jobs, and faults scripted in-process or over an
 * opt-in admin route. Built on `@effect/platform`'s `HttpServer` / `HttpRouter`; time comes from `Clock`, randomness
 * from `Random`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Faults, VeniceEmulator } from "@venice-effect/emulator"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* VeniceEmulator.VeniceEmulator
 *   yield* emulator.script({ route: "chat/completions" }, 1, Faults.error("MODEL_OVERLOADED"))
 *   console.log(emulator.baseUrl) // http://127.0.0.1:<port>/api/v1
 * })
 *
 * Effect.runPromise(Effect.scoped(program.pipe(Effect.provide(VeniceEmulator.layer({ keys: ["test-key"] })))))
 * ```
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Siwx from "@venice-effect/core/Siwx"
import * as Clock from "effect/Clock"
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
import type * as Faults from "./Faults.js"
import type { Env } from "./internal/context.js"
import { makeApp, statsOf, storeScript } from "./internal/server.js"
import { hashKey, labelOfHash, type Settings, State, walletKey } from "./internal/state.js"

// ─── configuration ───────────────────────────────────────────────────────────────────────────────

/**
 * An API key the emulator accepts. `label` is what stats and logs show (default `key-<first 8 hex of sha256>`); the
 * key itself is only kept as a hash. `type` defaults to `ADMIN` (every route works); `INFERENCE` keys get
 * `401 Admin API key required` on admin routes. Balances (default $100 USD, 0 DIEM) are charged by usage and shown
 * in `x-venice-balance-usd` / `-diem`.
 *
 * @since 0.1.0
 * @category models
 */
export interface KeyConfig {
  readonly key: string | Redacted.Redacted<string>
  readonly label?: string | undefined
  readonly type?: "ADMIN" | "INFERENCE" | undefined
  readonly balanceUsd?: number | undefined
  readonly balanceDiem?: number | undefined
}

/**
 * A verified sign-in: who signed in, and the nonce to refuse on replay until `validUntil` (Unix ms).
 *
 * @since 0.1.0
 * @category models
 */
export interface SiwxIdentity {
  readonly address: string
  readonly nonce?: string | undefined
  readonly validUntil?: number | undefined
}

/**
 * A `SIGN-IN-WITH-X` verifier: the signed-in address, and the nonce to refuse on replay. The default is core's
 * `Siwx.verify` (both header forms; Base EIP-191 and Solana Ed25519; 5-minute messages) against `x402.domain` and the
 * host of the emulator's public origin (what its challenges name).
 *
 * @since 0.1.0
 * @category models
 */
export type SiwxVerifier = (header: string) => Effect.Effect<SiwxIdentity, Siwx.SiwxVerifyError>

/**
 * The emulator's configuration. Every member is optional; defaults are Venice's.
 *
 * @since 0.1.0
 * @category models
 */
export interface Config {
  /** Port to listen on; `0` (default) picks a free one. */
  readonly port?: number | undefined
  /** Interface to listen on. Default `127.0.0.1`. */
  readonly host?: string | undefined
  /** API keys accepted as `Authorization: Bearer <key>`. */
  readonly keys?: ReadonlyArray<string | Redacted.Redacted<string> | KeyConfig> | undefined
  /** Serve the admin routes (`/__emulator/faults`, `/__emulator/stats`, `/__emulator/requests`, `/__emulator/reset`). Default off. */
  readonly admin?: boolean | undefined
  /** `x-venice-version`. Default `20260821.193530` (the OpenAPI document's version). */
  readonly version?: string | undefined
  /**
   * Per-key per-model request windows (fixed windows). Without `requestsPerWindow` / `tokensPerWindow` each model's
   * Venice default applies (e.g. 50 RPM / 750k TPM for a tier-M text model). Default window 1 minute.
   */
  readonly rateLimit?: {
    readonly requestsPerWindow?: number | undefined
    readonly tokensPerWindow?: number | undefined
    readonly window?: Duration.DurationInput | undefined
  } | undefined
  /** The failed-request error budget. Default 50 failures per 30 seconds. */
  readonly errorBudget?: {
    readonly threshold?: number | undefined
    readonly window?: Duration.DurationInput | undefined
  } | undefined
  /** Crypto RPC: per-minute cap per caller (default 100, the paid tier) and the idempotency TTL (default 24 h). */
  readonly cryptoRpc?: {
    readonly requestsPerMinute?: number | undefined
    readonly idempotencyTtl?: Duration.DurationInput | undefined
  } | undefined
  /**
   * Generated completions: `tokens` per choice (default 12), `pace` between streamed chunks (default none),
   * `keepalive` sends `: keepalive` before the first event (default true), `keepaliveEvery` also after every N events
   * (default 0: never), `audioChunks` per streamed TTS answer (default 8).
   */
  readonly stream?: {
    readonly tokens?: number | undefined
    readonly pace?: Duration.DurationInput | undefined
    readonly keepalive?: boolean | undefined
    readonly keepaliveEvery?: number | undefined
    readonly audioChunks?: number | undefined
  } | undefined
  /** Async jobs (`/video/queue`, `/audio/queue`): time until done, on `Clock`. Default 3 seconds. */
  readonly jobs?: { readonly duration?: Duration.DurationInput | undefined } | undefined
  /** Largest JSON body (default 35 MB) and multipart file (default 25 MB), in bytes. */
  readonly maxJsonBytes?: number | undefined
  readonly maxFileBytes?: number | undefined
  /** x402 wallets. */
  readonly x402?: {
    /** The Base receiver (`payTo`) of every payment requirement. */
    readonly payTo?: string | undefined
    /** The Solana receiver. */
    readonly solanaPayTo?: string | undefined
    /**
     * The SIWX domain(s) accepted besides the host of `origin` (the one challenges name). Default `api.venice.ai`,
     * `venice.ai`.
     */
    readonly domain?: string | ReadonlyArray<string> | undefined
    /**
     * The public origin the emulator answers for (`https://proxy.example:8443`, for a proxy in front): SIWX challenges
     * are bound to it (`domain` its host, `uri` the resource under it) and x402 documents name it in `resource.url`.
     * Default: the emulator's own `http://host:port`.
     */
    readonly origin?: string | undefined
    /**
     * List the Solana rail before Base in `accepts[]` (Venice lists Base first). `@x402/extensions`' `wrapFetchWithSIWx`
     * signs in only on the chain of `accepts[0]`: this lets a Solana signer use it. Default `false`.
     */
    readonly solanaFirst?: boolean | undefined
    /** Minimum credit to be admitted. Default $0.10. */
    readonly minimumBalanceUsd?: number | undefined
    /** Requests in flight per wallet. Default 5. */
    readonly concurrency?: number | undefined
    /** Initial credit balances by wallet address. */
    readonly wallets?: Readonly<Record<string, number>> | undefined
    /**
     * Wallets linked to a Venice account with staked DIEM (skill venice-x402): their requests are billed to the linked
     * account first, so they get `402 PAYMENT_REQUIRED` whatever their credit, and a top-up does not help.
     */
    readonly diemLinked?: ReadonlyArray<string> | undefined
    /** Replace the SIWX verifier. */
    readonly verifySiwx?: SiwxVerifier | undefined
  } | undefined
}

// ─── service ─────────────────────────────────────────────────────────────────────────────────────

/**
 * One request the emulator received. `status` is `0` when no status was sent (a reset before the headers, a
 * stall); `fault` names the scripted fault that answered or changed it. Keys appear only as labels.
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
  /** Route name (`chat/completions`, `crypto/rpc`, …), or `unknown`. */
  readonly route: string
  /** Label of the API key sent. */
  readonly key: string | undefined
  /** SIWX wallet (as claimed by the header, or verified). */
  readonly wallet: string | undefined
  readonly model: string | undefined
  readonly stream: boolean
  readonly status: number
  readonly fault: string | undefined
  /** Clock time the answer was decided (Unix ms). */
  readonly answeredAt: number
}

/**
 * Counters since start (or the last reset), and the sockets open right now.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stats {
  readonly total: number
  readonly openConnections: number
  readonly pendingFaults: number
  readonly byRoute: Readonly<Record<string, number>>
  readonly byStatus: Readonly<Record<string, number>>
  readonly byKey: Readonly<Record<string, number>>
  readonly byWallet: Readonly<Record<string, number>>
  readonly byModel: Readonly<Record<string, number>>
  readonly byFault: Readonly<Record<string, number>>
}

/**
 * A filter over the request log: a {@link Faults.Match} plus a status.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestFilter extends Faults.Match {
  readonly status?: number | undefined
}

/**
 * A wallet's credit and ledger (newest last), and the signed top-up payments the emulator received for it.
 *
 * @since 0.1.0
 * @category models
 */
export interface WalletView {
  readonly address: string
  readonly balanceUsd: number
  /** Billed to a linked account's DIEM first (see `Config.x402.diemLinked`). */
  readonly diemLinked: boolean
  /** Every distinct signed payment of the wallet: `credited` once, or `pending` (settlement timed out, not landed yet). */
  readonly payments: ReadonlyArray<{
    readonly paymentId: string
    readonly amountUsd: number
    readonly status: "credited" | "pending"
    /** Times the same payment was submitted. */
    readonly submissions: number
  }>
  readonly transactions: ReadonlyArray<{
    readonly id: string
    readonly amount: number
    readonly balanceAfter: number
    readonly type: "TOP_UP" | "CHARGE" | "REFUND"
    readonly createdAt: string
    readonly requestId: string | null
    readonly modelId: string | null
  }>
}

/**
 * The running emulator and its control API.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** `http://host:port/api/v1`: the base URL to give a client. */
  readonly baseUrl: string
  /** `http://host:port`. */
  readonly origin: string
  /** The emulated Solana JSON-RPC a Solana wallet builds its payments with (`<origin>/solana-rpc`). */
  readonly solanaRpcUrl: string
  readonly port: number
  /** The URL of a path: `url("/chat/completions")` → `<baseUrl>/chat/completions`; `url("/__emulator/stats")` stays at the root. */
  readonly url: (path: string) => string
  /** The next `times` responses matching `match` get `fault`. */
  readonly script: (match: Faults.Match, times: number, fault: Faults.Fault) => Effect.Effect<void>
  /** Drops every pending fault. */
  readonly clearFaults: Effect.Effect<void>
  readonly stats: Effect.Effect<Stats>
  /** The request log (the last 20,000). */
  readonly requests: Effect.Effect<ReadonlyArray<RequestRecord>>
  /** How many logged requests match. */
  readonly count: (filter?: RequestFilter) => Effect.Effect<number>
  /** Sockets open right now. */
  readonly openConnections: Effect.Effect<number>
  /** Back to the configured state: faults, limiters, jobs, balances, wallets, log. */
  readonly reset: Effect.Effect<void>
  /** Every request for `model` gets `429` with `Retry-After: retryAfterSeconds`, until called with `false`. */
  readonly setOverloaded: (model: string, retryAfterSeconds: number | false) => Effect.Effect<void>
  /** Sets a wallet's credit balance. */
  readonly setWalletBalance: (address: string, usd: number) => Effect.Effect<void>
  /** Links a wallet to a Venice account with staked DIEM (its requests get 402 whatever its credit), or unlinks it. */
  readonly setDiemLinked: (address: string, linked: boolean) => Effect.Effect<void>
  /** A wallet's credit, ledger and payments (transfers due by now on `Clock` have landed). */
  readonly wallet: (address: string) => Effect.Effect<WalletView>
  /** The label stats show for a key (`key-<first 8 hex of sha256>`, or its configured label). */
  readonly labelOf: (key: string | Redacted.Redacted<string>) => string
}

/**
 * @since 0.1.0
 * @category tags
 */
export class VeniceEmulator extends Context.Tag("@venice-effect/emulator/VeniceEmulator")<VeniceEmulator, Service>() {}

// ─── constructors ────────────────────────────────────────────────────────────────────────────────

/** The default Base receiver (a placeholder address: nothing is ever paid to it). */
const DEFAULT_PAY_TO = "0x2670B922ef37C7Df47158725C0CC407b5382293F"
const DEFAULT_SOLANA_PAY_TO = "2wKupLR9q6wXYppw8Gr2NvWxKBUqm4PPJKkQfoxHDBg4"
const DEFAULT_FEE_PAYER = "CKPKJWNdJEqa81x7CkZ14BVPiY6y16Sxs7owznqtWYp5"

const millis = (input: Duration.DurationInput | undefined, fallback: Duration.DurationInput): number =>
  Duration.toMillis(Duration.decode(input ?? fallback))

const settingsOf = (config: Config): Settings => {
  const domains = config.x402?.domain === undefined
    ? ["api.venice.ai", "venice.ai"]
    : typeof config.x402.domain === "string"
    ? [config.x402.domain]
    : config.x402.domain
  return {
    host: config.host ?? "127.0.0.1",
    port: config.port ?? 0,
    admin: config.admin ?? false,
    version: config.version ?? "20260821.193530",
    maxJsonBytes: config.maxJsonBytes ?? 35 * 1024 * 1024,
    maxFileBytes: config.maxFileBytes ?? 25 * 1024 * 1024,
    rateLimit: {
      requestsPerWindow: config.rateLimit?.requestsPerWindow,
      tokensPerWindow: config.rateLimit?.tokensPerWindow,
      windowMillis: millis(config.rateLimit?.window, Duration.minutes(1))
    },
    errorBudget: {
      threshold: config.errorBudget?.threshold ?? 50,
      windowMillis: millis(config.errorBudget?.window, Duration.seconds(30))
    },
    cryptoRpc: {
      requestsPerMinute: config.cryptoRpc?.requestsPerMinute ?? 100,
      idempotencyTtlMillis: millis(config.cryptoRpc?.idempotencyTtl, Duration.hours(24))
    },
    stream: {
      tokens: config.stream?.tokens ?? 12,
      paceMillis: millis(config.stream?.pace, Duration.zero),
      keepalive: config.stream?.keepalive ?? true,
      keepaliveEvery: config.stream?.keepaliveEvery ?? 0,
      audioChunks: config.stream?.audioChunks ?? 8
    },
    jobs: { durationMillis: millis(config.jobs?.duration, Duration.seconds(3)) },
    x402: {
      payTo: config.x402?.payTo ?? DEFAULT_PAY_TO,
      solanaPayTo: config.x402?.solanaPayTo ?? DEFAULT_SOLANA_PAY_TO,
      solanaFeePayer: DEFAULT_FEE_PAYER,
      solanaFirst: config.x402?.solanaFirst ?? false,
      domain: domains[0] ?? "api.venice.ai",
      minimumBalanceUsd: config.x402?.minimumBalanceUsd ?? 0.1,
      suggestedTopUpUsd: 10,
      minimumTopUpUsd: 5,
      maximumTopUpUsd: 10_000,
      concurrency: config.x402?.concurrency ?? 5,
      nonceTtlMillis: 330_000
    },
    defaultBalanceUsd: 100,
    defaultBalanceDiem: 0
  }
}

const keyValue = (
  key: string | Redacted.Redacted<string>
): string => (typeof key === "string" ? key : Redacted.value(key))

const defaultVerifier = (domains: ReadonlyArray<string>): SiwxVerifier => (header) =>
  Effect.map(Siwx.verify(header, { domain: domains }), (verified) => ({
    address: verified.address,
    nonce: verified.nonce,
    validUntil: verified.validUntil.getTime()
  }))

/**
 * Starts the emulator; it stops (every open socket closed) when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (config: Config = {}): Effect.Effect<Service, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const settings = settingsOf(config)
    const state = new State(settings, Object.entries(config.x402?.wallets ?? {}), config.x402?.diemLinked ?? [])
    for (const entry of config.keys ?? []) {
      const key: KeyConfig = typeof entry === "string" || Redacted.isRedacted(entry) ? { key: entry } : entry
      const hash = hashKey(keyValue(key.key))
      const usd = key.balanceUsd ?? settings.defaultBalanceUsd
      const diem = key.balanceDiem ?? settings.defaultBalanceDiem
      state.addKey({
        hash,
        label: key.label ?? labelOfHash(hash),
        type: key.type ?? "ADMIN",
        balanceUsd: usd,
        balanceDiem: diem,
        initialUsd: usd,
        initialDiem: diem
      })
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
    // Runs before the server's own close (which would wait for stalled and streaming connections).
    yield* Effect.addFinalizer(() =>
      Effect.sync(() => {
        for (const socket of sockets) socket.destroy()
      })
    )
    const address = httpServer.address
    const port = address._tag === "TcpAddress" ? address.port : settings.port
    const host = settings.host.includes(":") ? `[${settings.host}]` : settings.host
    const origin = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`
    const domains = typeof config.x402?.domain === "string"
      ? [config.x402.domain]
      : config.x402?.domain ?? ["api.venice.ai", "venice.ai"]
    const publicOrigin = config.x402?.origin === undefined ? origin : new URL(config.x402.origin).origin
    const env: Env = {
      state,
      settings,
      origin: () => publicOrigin,
      verifySiwx: config.x402?.verifySiwx ?? defaultVerifier([...domains, new URL(publicOrigin).host]),
      scope: yield* Effect.scope
    }
    yield* httpServer.serve(makeApp(env))

    const labelOf = (key: string | Redacted.Redacted<string>): string => {
      const hash = hashKey(keyValue(key))
      return state.keys.get(hash)?.label ?? labelOfHash(hash)
    }
    const matchesFilter = (record: RequestRecord, filter: RequestFilter): boolean => {
      if (filter.status !== undefined && record.status !== filter.status) return false
      if (filter.key !== undefined && record.key !== labelOf(filter.key)) return false
      if (filter.keyLabel !== undefined && record.key !== filter.keyLabel) return false
      if (
        filter.wallet !== undefined &&
        (record.wallet === undefined || walletKey(record.wallet) !== walletKey(filter.wallet))
      ) {
        return false
      }
      if (filter.route !== undefined) {
        const route = filter.route.replace(/^\/+|\/+$/g, "")
        if (
          route !== record.route && route !== record.path.replace(/^\/+/, "") && filter.route !== record.path
        ) return false
      }
      if (filter.model !== undefined && record.model !== filter.model) return false
      return true
    }

    const service: Service = {
      baseUrl: `${origin}/api/v1`,
      origin,
      solanaRpcUrl: `${origin}/solana-rpc`,
      port,
      url: (path) => (path.startsWith("/__emulator") || path.startsWith("/api/")
        ? `${origin}${path}`
        : `${origin}/api/v1${path.startsWith("/") ? path : `/${path}`}`),
      script: (match, times, fault) => Effect.sync(() => storeScript(state, { match, times, fault })),
      clearFaults: Effect.sync(() => {
        state.scripts = []
      }),
      stats: Effect.sync(() => statsOf(state)),
      requests: Effect.sync(() => state.log.map((entry) => ({ ...entry }))),
      count: (filter = {}) => Effect.sync(() => state.log.filter((r) => matchesFilter(r, filter)).length),
      openConnections: Effect.sync(() => state.openConnections),
      reset: Effect.sync(() => state.reset()),
      setOverloaded: (model, retryAfterSeconds) =>
        Effect.sync(() => {
          if (retryAfterSeconds === false) state.overloaded.delete(model)
          else state.overloaded.set(model, retryAfterSeconds)
        }),
      setWalletBalance: (address, usd) =>
        Effect.sync(() => {
          state.wallet(address).balanceUsd = usd
        }),
      setDiemLinked: (address, linked) =>
        Effect.sync(() => {
          state.wallet(address).diemLinked = linked
        }),
      wallet: (address) =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Effect.sync(() => {
            state.settleDue(now)
            const wallet = state.wallet(address)
            const key = walletKey(address)
            return {
              address: wallet.address,
              balanceUsd: wallet.balanceUsd,
              diemLinked: wallet.diemLinked,
              transactions: [...wallet.transactions],
              payments: [...state.payments.values()]
                .filter((p) => walletKey(p.wallet) === key)
                .map((p) => ({
                  paymentId: p.paymentId,
                  amountUsd: p.amountUsd,
                  status: p.status,
                  submissions: p.submissions
                }))
            }
          })),
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
export const layer = (config: Config = {}): Layer.Layer<VeniceEmulator, ServeError> =>
  Layer.scoped(VeniceEmulator, make(config))

/**
 * The emulator configured from the environment: `VENICE_EMULATOR_PORT` (default 0), `VENICE_EMULATOR_HOST`,
 * `VENICE_EMULATOR_KEYS` (comma-separated), `VENICE_EMULATOR_ADMIN` (boolean), merged over `config`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (config: Config = {}): Layer.Layer<VeniceEmulator, ServeError | ConfigError.ConfigError> =>
  Layer.scoped(
    VeniceEmulator,
    Effect.gen(function*() {
      const port = yield* Config_.option(Config_.integer("VENICE_EMULATOR_PORT"))
      const host = yield* Config_.option(Config_.string("VENICE_EMULATOR_HOST"))
      const keys = yield* Config_.option(Config_.redacted("VENICE_EMULATOR_KEYS"))
      const admin = yield* Config_.option(Config_.boolean("VENICE_EMULATOR_ADMIN"))
      return yield* make({
        ...config,
        ...(port._tag === "Some" ? { port: port.value } : {}),
        ...(host._tag === "Some" ? { host: host.value } : {}),
        ...(admin._tag === "Some" ? { admin: admin.value } : {}),
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
