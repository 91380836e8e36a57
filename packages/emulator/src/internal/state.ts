/**
 * The emulator's mutable state: resolved settings, API keys (stored by hash), wallets, async jobs, scripted faults,
 * limiters and the request log. JavaScript is single-threaded, so the server reads and writes it synchronously from
 * inside `Effect.sync`.
 */
import * as Faults from "../Faults.js"
import type { RequestRecord, SiwxIdentity } from "../VeniceEmulator.js"

export type { SiwxIdentity }
import { createHash } from "node:crypto"
import { ErrorBudget, FixedWindows, TtlCache } from "./limiters.js"
import type { X402Settings } from "./x402.js"

// ─── settings ────────────────────────────────────────────────────────────────────────────────────

/** Everything the server needs, with defaults applied. */
export interface Settings {
  readonly host: string
  readonly port: number
  readonly admin: boolean
  readonly version: string
  readonly maxJsonBytes: number
  readonly maxFileBytes: number
  readonly rateLimit: {
    readonly requestsPerWindow: number | undefined
    readonly tokensPerWindow: number | undefined
    readonly windowMillis: number
  }
  readonly errorBudget: { readonly threshold: number; readonly windowMillis: number }
  readonly cryptoRpc: { readonly requestsPerMinute: number; readonly idempotencyTtlMillis: number }
  readonly stream: {
    readonly tokens: number
    readonly paceMillis: number
    readonly keepalive: boolean
    readonly keepaliveEvery: number
    readonly audioChunks: number
  }
  readonly jobs: { readonly durationMillis: number }
  readonly x402: X402Settings & {
    readonly concurrency: number
    readonly nonceTtlMillis: number
  }
  readonly defaultBalanceUsd: number
  readonly defaultBalanceDiem: number
}

// ─── keys ────────────────────────────────────────────────────────────────────────────────────────

/** `sha256(key)` as hex. */
export const hashKey = (key: string): string => createHash("sha256").update(key, "utf8").digest("hex")

/** The id `GET /api_keys` shows for a configured key (a UUID shape derived from its hash). */
export const keyIdOfHash = (hash: string): string =>
  `${hash.slice(0, 8)}-${hash.slice(8, 12)}-4${hash.slice(13, 16)}-a${hash.slice(17, 20)}-${hash.slice(20, 32)}`

/** The label shown for a key: never the key itself. */
export const labelOfHash = (hash: string): string => `key-${hash.slice(0, 8)}`

/** An API key as the emulator remembers it. */
export interface KeyRecord {
  readonly hash: string
  readonly label: string
  readonly type: "ADMIN" | "INFERENCE"
  balanceUsd: number
  balanceDiem: number
  readonly initialUsd: number
  readonly initialDiem: number
}

// ─── wallets ─────────────────────────────────────────────────────────────────────────────────────

/** One row of a wallet's ledger. */
export interface Transaction {
  readonly id: string
  readonly amount: number
  readonly balanceAfter: number
  readonly type: "TOP_UP" | "CHARGE" | "REFUND"
  readonly createdAt: string
  readonly requestId: string | null
  readonly modelId: string | null
}

/** A wallet's credit balance and ledger (newest last). */
export interface Wallet {
  readonly address: string
  balanceUsd: number
  readonly transactions: Array<Transaction>
  inFlight: number
  /**
   * Linked to a Venice account whose DIEM is billed first (skill venice-x402): its requests are billed to the linked
   * account, so they get `402 PAYMENT_REQUIRED` whatever the wallet's credit, and a top-up does not help.
   */
  diemLinked: boolean
}

/** A signed top-up payment the emulator has seen (keyed by its payment id). */
export interface Payment {
  readonly paymentId: string
  /** The paying wallet (EIP-55). */
  readonly wallet: string
  readonly amountUsd: number
  /** `pending`: settlement timed out, the transfer lands at `landsAt` (never when undefined). */
  status: "credited" | "pending"
  /** Clock time the transfer lands (pending payments). */
  readonly landsAt: number | undefined
  /** The balance right after the credit (credited payments). */
  newBalance: number
  /** How many times the payment was submitted. */
  submissions: number
}

/** Wallet addresses are compared lowercased (EVM). */
export const walletKey = (address: string): string => (address.startsWith("0x") ? address.toLowerCase() : address)

// ─── jobs ────────────────────────────────────────────────────────────────────────────────────────

/** An async job of `/video/queue` or `/audio/queue`. */
export interface Job {
  readonly id: string
  readonly kind: "video" | "audio"
  readonly model: string
  readonly owner: string
  readonly queuedAt: number
  readonly durationMillis: number
  deleted: boolean
}

// ─── account (routes/account.ts, routes/voices.ts) ─────────────────────────────────────────────────

/** Key-management facts of a key (configured keys get theirs on first use). */
export interface KeyMeta {
  readonly id: string
  /** Created by `POST /api_keys` (removed again on reset). */
  readonly created: boolean
  description: string
  readonly createdAt: string
  expiresAt: string | null
  lastUsedAt: string | null
  readonly last6Chars: string
  consumptionLimits: { usd: number | null; diem: number | null; vcu: number | null }
  limitPeriod: "EPOCH" | "MONTH" | "LIFETIME"
  modelPrivacy: "ALL" | "PRIVATE_TEXT" | "PRIVATE_ONLY"
}

/** One rate-limit breach (`GET /api_keys/rate_limits/log`). */
export interface RateLimitBreach {
  readonly apiKeyId: string
  readonly modelId: string
  readonly rateLimitTier: string
  readonly rateLimitType: "RPM" | "TPM" | "RPD" | "FAILED_REQUESTS" | "UNSUPPORTED_FEATURE_REQUESTS"
  readonly timestamp: string
}

/** One ledger row of a key's spend (`GET /billing/usage-history`). */
export interface UsageRow {
  readonly at: number
  readonly keyHash: string
  readonly sku: string
  readonly units: number
  readonly amount: number
  readonly currency: "USD" | "DIEM"
  readonly requestId: string | null
  readonly tokens: number | null
}

// ─── faults ──────────────────────────────────────────────────────────────────────────────────────

/** A stored script: the key of its match is hashed. */
export interface StoredScript {
  readonly match: {
    readonly keyHash?: string | undefined
    readonly keyLabel?: string | undefined
    readonly wallet?: string | undefined
    readonly route?: string | undefined
    readonly model?: string | undefined
    readonly paying?: boolean | undefined
  }
  remaining: number
  readonly fault: Faults.Fault
}

/** What a request is matched on. */
export interface MatchInput {
  readonly keyHash: string | undefined
  readonly keyLabel: string | undefined
  readonly wallet: string | undefined
  readonly route: string
  readonly path: string
  readonly model: string | undefined
  readonly streaming: boolean
  /** A top-up request carrying a payment header (settlement faults match only those). */
  readonly paying: boolean
  /** A chat request asking for a `json_schema` structured output (content faults match only those). */
  readonly structured?: boolean | undefined
  /** Taking the document faults (`BareSolanaNetwork`), which match only then. */
  readonly documents?: boolean | undefined
}

// ─── stats ───────────────────────────────────────────────────────────────────────────────────────

const MAX_LOG = 20_000

/** A log entry, completed when the request is answered. */
export type LogEntry = { -readonly [K in keyof RequestRecord]: RequestRecord[K] }

/** Request counts by route, status, key label, wallet, model and fault. */
export interface Counters {
  readonly byRoute: Map<string, number>
  readonly byStatus: Map<string, number>
  readonly byKey: Map<string, number>
  readonly byWallet: Map<string, number>
  readonly byModel: Map<string, number>
  readonly byFault: Map<string, number>
}

const emptyCounters = (): Counters => ({
  byRoute: new Map(),
  byStatus: new Map(),
  byKey: new Map(),
  byWallet: new Map(),
  byModel: new Map(),
  byFault: new Map()
})

const bump = (counts: Map<string, number>, key: string): void => {
  counts.set(key, (counts.get(key) ?? 0) + 1)
}

// ─── the state ───────────────────────────────────────────────────────────────────────────────────

/** The emulator's state. */
export class State {
  readonly keys = new Map<string, KeyRecord>()
  readonly wallets = new Map<string, Wallet>()
  readonly jobs = new Map<string, Job>()
  scripts: Array<StoredScript> = []
  readonly overloaded = new Map<string, number>()
  readonly requestWindows = new FixedWindows()
  readonly tokenWindows = new FixedWindows()
  readonly rpcWindows = new FixedWindows()
  readonly routeWindows = new FixedWindows()
  readonly errorBudget: ErrorBudget
  readonly idempotency = new TtlCache<
    {
      readonly bodyHash: string
      readonly status: number
      readonly body: string
      readonly headers: Record<string, string>
    }
  >()
  readonly nonces = new TtlCache<true>()
  /** Every signed top-up payment seen, by payment id: credited at most once. */
  readonly payments = new Map<string, Payment>()
  /** Key-management facts by key hash, and the keys revoked by `DELETE /api_keys` (routes/account.ts). */
  readonly keyMeta = new Map<string, KeyMeta>()
  /** Configured keys revoked by `DELETE /api_keys`, restored on reset. */
  readonly revokedKeys = new Map<string, KeyRecord>()
  /** The rate-limit breaches, oldest first (at most 50 kept). */
  rateLimitLog: Array<RateLimitBreach> = []
  /** Every charge to a key, oldest first. */
  usage: Array<UsageRow> = []
  /** Cloned voice handles and their model (routes/voices.ts). */
  readonly voices = new Map<string, string>()
  log: Array<LogEntry> = []
  seq = 0
  counters = emptyCounters()
  openConnections = 0
  blockNumber = 0x1_3a_5f_00

  constructor(
    readonly settings: Settings,
    private readonly initialWallets: ReadonlyArray<readonly [string, number]>,
    private readonly initialDiemLinked: ReadonlyArray<string> = []
  ) {
    this.errorBudget = new ErrorBudget(settings.errorBudget.threshold, settings.errorBudget.windowMillis)
    this.resetWallets()
  }

  private resetWallets(): void {
    this.wallets.clear()
    for (const [address, usd] of this.initialWallets) this.wallet(address).balanceUsd = usd
    for (const address of this.initialDiemLinked) this.wallet(address).diemLinked = true
  }

  wallet(address: string): Wallet {
    const key = walletKey(address)
    let wallet = this.wallets.get(key)
    if (wallet === undefined) {
      wallet = { address, balanceUsd: 0, transactions: [], inFlight: 0, diemLinked: false }
      this.wallets.set(key, wallet)
    }
    return wallet
  }

  /** Credits a payment to its wallet (once), with a `TOP_UP` ledger row at `at`. */
  credit(payment: Payment, at: number, transactionId: string): void {
    if (payment.status === "credited") return
    const wallet = this.wallet(payment.wallet)
    wallet.balanceUsd = Math.round((wallet.balanceUsd + payment.amountUsd) * 1e6) / 1e6
    wallet.transactions.push({
      id: transactionId,
      amount: payment.amountUsd,
      balanceAfter: wallet.balanceUsd,
      type: "TOP_UP",
      createdAt: new Date(at).toISOString(),
      requestId: null,
      modelId: null
    })
    payment.status = "credited"
    payment.newBalance = wallet.balanceUsd
  }

  /** Lands the pending transfers whose time has come (settlement timeouts land later, on `Clock`). */
  settleDue(now: number): void {
    for (const payment of this.payments.values()) {
      if (payment.status === "pending" && payment.landsAt !== undefined && payment.landsAt <= now) {
        this.credit(payment, payment.landsAt, `landed-${payment.paymentId}`)
      }
    }
  }

  addKey(record: KeyRecord): void {
    this.keys.set(record.hash, record)
  }

  /** Records a rate-limit breach of a key (the log keeps the last 50). */
  breach(keyHash: string, modelId: string | undefined, type: RateLimitBreach["rateLimitType"], at: number): void {
    this.rateLimitLog.push({
      apiKeyId: this.keyMeta.get(keyHash)?.id ?? keyIdOfHash(keyHash),
      modelId: modelId ?? "model:unknown",
      rateLimitTier: "paid",
      rateLimitType: type,
      timestamp: new Date(at).toISOString()
    })
    if (this.rateLimitLog.length > 50) this.rateLimitLog.splice(0, this.rateLimitLog.length - 50)
  }

  // faults

  addScript(script: StoredScript): void {
    this.scripts.push(script)
  }

  /** Takes the first script matching the request (stream faults only match streaming requests). */
  takeFault(input: MatchInput): Faults.Fault | undefined {
    for (let i = 0; i < this.scripts.length; i++) {
      const script = this.scripts[i]! // i < length
      if (!matches(script, input)) continue
      script.remaining--
      if (script.remaining <= 0) this.scripts.splice(i, 1)
      return script.fault
    }
    return undefined
  }

  // stats

  /** Logs a request as it arrives (status `0` until {@link answer}). */
  arrive(entry: Pick<RequestRecord, "at" | "method" | "path" | "route" | "key" | "wallet">): LogEntry {
    const record: LogEntry = {
      ...entry,
      seq: ++this.seq,
      model: undefined,
      stream: false,
      status: 0,
      fault: undefined,
      answeredAt: entry.at
    }
    this.log.push(record)
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG)
    const c = this.counters
    bump(c.byRoute, entry.route)
    if (entry.key !== undefined) bump(c.byKey, entry.key)
    if (entry.wallet !== undefined) bump(c.byWallet, entry.wallet)
    return record
  }

  /** Completes a log entry with what was answered. */
  answer(
    record: LogEntry,
    fields: Pick<RequestRecord, "model" | "stream" | "status" | "fault" | "answeredAt" | "wallet">
  ): void {
    Object.assign(record, fields)
    const c = this.counters
    bump(c.byStatus, String(fields.status))
    if (fields.model !== undefined) bump(c.byModel, fields.model)
    if (fields.fault !== undefined) bump(c.byFault, fields.fault)
  }

  /** Back to the configured state: faults, limiters, jobs, wallets, balances, log (open connections stay). */
  reset(): void {
    this.scripts = []
    this.overloaded.clear()
    this.requestWindows.clear()
    this.tokenWindows.clear()
    this.rpcWindows.clear()
    this.routeWindows.clear()
    this.errorBudget.clear()
    this.idempotency.clear()
    this.nonces.clear()
    this.payments.clear()
    this.jobs.clear()
    for (const [hash, meta] of this.keyMeta) if (meta.created) this.keys.delete(hash)
    for (const [hash, record] of this.revokedKeys) this.keys.set(hash, record)
    this.keyMeta.clear()
    this.revokedKeys.clear()
    this.rateLimitLog = []
    this.usage = []
    this.voices.clear()
    this.log = []
    this.seq = 0
    this.counters = emptyCounters()
    for (const key of this.keys.values()) {
      key.balanceUsd = key.initialUsd
      key.balanceDiem = key.initialDiem
    }
    this.resetWallets()
  }
}

const routeMatches = (wanted: string, input: MatchInput): boolean => {
  const w = wanted.replace(/^\/+|\/+$/g, "")
  return w === input.route || `/${w}` === input.path || w === input.path.replace(/^\/api\/v1\//, "") ||
    wanted === input.path
}

const matches = (script: StoredScript, input: MatchInput): boolean => {
  const m = script.match
  if (Faults.isStreamFault(script.fault) && !input.streaming) return false
  if (Faults.isSettlementFault(script.fault) && !input.paying) return false
  if (Faults.isContentFault(script.fault) && input.structured !== true) return false
  if (Faults.isDocumentFault(script.fault) !== (input.documents === true)) return false
  if (m.keyHash !== undefined && m.keyHash !== input.keyHash) return false
  if (m.keyLabel !== undefined && m.keyLabel !== input.keyLabel) return false
  if (m.wallet !== undefined && (input.wallet === undefined || walletKey(m.wallet) !== walletKey(input.wallet))) {
    return false
  }
  if (m.route !== undefined && !routeMatches(m.route, input)) return false
  if (m.model !== undefined && m.model !== input.model) return false
  if (m.paying !== undefined && m.paying !== input.paying) return false
  return true
}
