/**
 * The account routes (skills venice-api-keys, venice-billing): key management (`GET` / `POST` / `PATCH` / `DELETE
 * /api_keys`, `GET /api_keys/{id}`; ADMIN keys only, so an INFERENCE key gets `401 Admin API key required` from the
 * server), the rate-limit log, the two-step web3 key flow (an HMAC'd token, an EIP-191 signature checked with viem),
 * and billing's usage history (keyset pages, JSON or CSV) and usage analytics, both computed from the emulator's own
 * ledger of charges to keys.
 */
import * as ApiKeys from "@venice-effect/venice/schema/ApiKeys"
import * as Billing from "@venice-effect/venice/schema/Billing"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { createHmac } from "node:crypto"
import { isAddress, isHex, verifyMessage } from "viem"
import type { Ctx, RouteSpec } from "../context.js"
import * as Reply from "../reply.js"
import { hashKey, keyIdOfHash, type KeyMeta, type KeyRecord, type State, type UsageRow } from "../state.js"
import { validate } from "../validation.js"
import { round, V1 } from "./common.js"

const MAX_ACTIVE_KEYS = 500
const WEB3_TOKEN_TTL_MILLIS = 15 * 60_000

/** The management facts of a key (configured keys get theirs on first use; their secret is unknown, so their
 * `last6Chars` come from the hash). */
const metaOf = (state: State, record: KeyRecord, now: number): KeyMeta => {
  let meta = state.keyMeta.get(record.hash)
  if (meta === undefined) {
    meta = {
      id: keyIdOfHash(record.hash),
      created: false,
      description: record.label,
      createdAt: new Date(now).toISOString(),
      expiresAt: null,
      lastUsedAt: null,
      last6Chars: record.hash.slice(-6),
      consumptionLimits: { usd: null, diem: null, vcu: null },
      limitPeriod: "EPOCH",
      modelPrivacy: "ALL"
    }
    state.keyMeta.set(record.hash, meta)
  }
  return meta
}

const active = (ctx: Ctx): ReadonlyArray<readonly [KeyRecord, KeyMeta]> =>
  [...ctx.env.state.keys.values()]
    .map((record) => [record, metaOf(ctx.env.state, record, ctx.now)] as const)
    .filter(([, meta]) => meta.expiresAt === null || Date.parse(meta.expiresAt) > ctx.now)
    .sort((a, b) => Date.parse(b[1].createdAt) - Date.parse(a[1].createdAt))

const spend = (rows: ReadonlyArray<UsageRow>, hash: string, since: number, currency: "USD" | "DIEM"): string =>
  (-rows.filter((r) => r.keyHash === hash && r.at >= since && r.currency === currency)
    .reduce((sum, r) => sum + r.amount, 0)).toFixed(4)

const periodStart = (meta: KeyMeta, now: number): number => {
  const d = new Date(now)
  switch (meta.limitPeriod) {
    case "MONTH":
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
    case "LIFETIME":
      return 0
    default:
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate())
  }
}

const describe = (ctx: Ctx, record: KeyRecord, meta: KeyMeta, withUsage: boolean) => {
  const rows = ctx.env.state.usage
  const weekAgo = ctx.now - 7 * 86_400_000
  const limited = meta.consumptionLimits.usd !== null || meta.consumptionLimits.diem !== null
  const since = periodStart(meta, ctx.now)
  return {
    id: meta.id,
    apiKeyType: record.type,
    description: meta.description,
    createdAt: meta.createdAt,
    expiresAt: meta.expiresAt,
    lastUsedAt: meta.lastUsedAt,
    last6Chars: meta.last6Chars,
    consumptionLimits: meta.consumptionLimits,
    limitPeriod: meta.limitPeriod,
    modelPrivacy: meta.modelPrivacy,
    ...(withUsage
      ? {
        usage: {
          trailingSevenDays: {
            usd: spend(rows, record.hash, weekAgo, "USD"),
            vcu: "0.0000",
            diem: spend(rows, record.hash, weekAgo, "DIEM")
          }
        },
        ...(limited
          ? {
            currentPeriodUsage: {
              usd: spend(rows, record.hash, since, "USD"),
              diem: spend(rows, record.hash, since, "DIEM")
            }
          }
          : {})
      }
      : {})
  }
}

/** `""` / absent: no expiry; a date: its midnight UTC; a datetime: as sent. */
const expiryOf = (value: string | null | undefined): string | null =>
  value === undefined || value === null || value === ""
    ? null
    : /^\d{4}-\d{2}-\d{2}$/.test(value)
    ? `${value}T00:00:00.000Z`
    : new Date(value).toISOString()

const limitsOf = (limits: typeof ApiKeys.ConsumptionLimits.Type | undefined, base?: KeyMeta["consumptionLimits"]) => {
  const pick = (key: "usd" | "diem" | "vcu") =>
    limits !== undefined && key in limits ? limits[key] ?? null : base?.[key] ?? null
  return { usd: pick("usd"), diem: pick("diem"), vcu: pick("vcu") }
}

const list: RouteSpec = {
  name: "api_keys",
  method: "GET",
  path: `${V1}/api_keys`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() =>
      Reply.json(200, { object: "list", data: active(ctx).map(([record, meta]) => describe(ctx, record, meta, true)) })
    )
}

const byId = (ctx: Ctx, id: string): readonly [KeyRecord, KeyMeta] | undefined =>
  active(ctx).find(([, meta]) => meta.id === id)

const get: RouteSpec = {
  name: "api_keys/id",
  method: "GET",
  path: `${V1}/api_keys/:id`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const found = byId(ctx, ctx.params.id ?? "")
      return found === undefined
        ? Reply.standard(400, "API key not found")
        : Reply.json(200, { data: describe(ctx, found[0], found[1], true) })
    })
}

/** Adds a key (its secret made here, shown once) with the settings of a create request. */
const mint = (
  ctx: Ctx,
  request: {
    readonly apiKeyType: "INFERENCE" | "ADMIN"
    readonly description?: string | undefined
    readonly expiresAt?: string | undefined
    readonly consumptionLimit?: typeof ApiKeys.ConsumptionLimits.Type | undefined
    readonly limitPeriod?: "EPOCH" | "MONTH" | "LIFETIME" | undefined
    readonly modelPrivacy?: "ALL" | "PRIVATE_TEXT" | "PRIVATE_ONLY" | undefined
  },
  description: string
) =>
  Effect.gen(function*() {
    const state = ctx.env.state
    const secret = `VENICE_${request.apiKeyType}_KEY_${yield* ctx.hex(44)}`
    const hash = hashKey(secret)
    const hex = yield* ctx.hex(32)
    const id = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`
    const settings = ctx.env.settings
    const record: KeyRecord = {
      hash,
      label: `key-${hash.slice(0, 8)}`,
      type: request.apiKeyType,
      balanceUsd: settings.defaultBalanceUsd,
      balanceDiem: settings.defaultBalanceDiem,
      initialUsd: settings.defaultBalanceUsd,
      initialDiem: settings.defaultBalanceDiem
    }
    const meta: KeyMeta = {
      id,
      created: true,
      description,
      createdAt: new Date(ctx.now).toISOString(),
      expiresAt: expiryOf(request.expiresAt),
      lastUsedAt: null,
      last6Chars: secret.slice(-6),
      consumptionLimits: limitsOf(request.consumptionLimit),
      limitPeriod: request.limitPeriod ?? "EPOCH",
      modelPrivacy: request.modelPrivacy ?? "ALL"
    }
    state.addKey(record)
    state.keyMeta.set(hash, meta)
    return Reply.json(200, {
      success: true,
      data: {
        id,
        apiKey: secret,
        apiKeyType: record.type,
        description: meta.description,
        expiresAt: meta.expiresAt,
        consumptionLimit: meta.consumptionLimits,
        limitPeriod: meta.limitPeriod,
        modelPrivacy: meta.modelPrivacy
      }
    })
  })

const create: RouteSpec = {
  name: "api_keys/create",
  method: "POST",
  path: `${V1}/api_keys`,
  auth: "admin",
  body: "json",
  // key creation: 20 per minute per user (skill venice-api-keys)
  perMinute: { limit: 20, by: "ip" },
  handle: (ctx) =>
    Effect.gen(function*() {
      const decoded = validate(ApiKeys.CreateApiKeyRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      if (active(ctx).length >= MAX_ACTIVE_KEYS) {
        return Reply.standard(400, `You have reached the maximum number of active API keys (${MAX_ACTIVE_KEYS})`)
      }
      return yield* mint(ctx, decoded.right, decoded.right.description)
    })
}

const update: RouteSpec = {
  name: "api_keys/update",
  method: "PATCH",
  path: `${V1}/api_keys`,
  auth: "admin",
  body: "json",
  handle: (ctx) =>
    Effect.sync(() => {
      const decoded = validate(ApiKeys.UpdateApiKeyRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const found = byId(ctx, request.id)
      if (found === undefined) return Reply.standard(400, "API key not found or expired")
      const [record, meta] = found
      if (request.description !== undefined) meta.description = request.description
      if (request.expiresAt !== undefined) meta.expiresAt = expiryOf(request.expiresAt)
      if (request.consumptionLimit !== undefined) {
        meta.consumptionLimits = limitsOf(request.consumptionLimit, meta.consumptionLimits)
      }
      if (request.limitPeriod !== undefined) meta.limitPeriod = request.limitPeriod
      if (request.modelPrivacy !== undefined) meta.modelPrivacy = request.modelPrivacy
      return Reply.json(200, { success: true, data: describe(ctx, record, meta, false) })
    })
}

const remove: RouteSpec = {
  name: "api_keys/delete",
  method: "DELETE",
  path: `${V1}/api_keys`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const found = byId(ctx, ctx.search.get("id") ?? "")
      if (found === undefined) return Reply.standard(400, "API key could not be found")
      const [record, meta] = found
      const state = ctx.env.state
      state.keys.delete(record.hash)
      if (meta.created) state.keyMeta.delete(record.hash)
      else state.revokedKeys.set(record.hash, record)
      return Reply.json(200, { success: true })
    })
}

const rateLimitLog: RouteSpec = {
  name: "api_keys/rate_limits/log",
  method: "GET",
  path: `${V1}/api_keys/rate_limits/log`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => Reply.json(200, { object: "list", data: [...ctx.env.state.rateLimitLog].reverse() }))
}

// ─── web3 keys ───────────────────────────────────────────────────────────────────────────────────

const base64url = (text: string): string => Buffer.from(text, "utf8").toString("base64url")
const TOKEN_SECRET = "venice-emulator-web3-token"
const sign = (payload: string): string => createHmac("sha256", TOKEN_SECRET).update(payload).digest("base64url")

/** A JWT-shaped token: `{ exp }`, HMAC'd, valid 15 minutes. */
const issueToken = (now: number, nonce: string): string => {
  const payload = `${base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }))}.${
    base64url(JSON.stringify({ nonce, exp: Math.floor((now + WEB3_TOKEN_TTL_MILLIS) / 1000) }))
  }`
  return `${payload}.${sign(payload)}`
}

const TokenClaims = Schema.parseJson(Schema.Struct({ exp: Schema.Number }))

const tokenValid = (token: string, now: number): boolean => {
  const [header, payload, signature, ...rest] = token.split(".")
  if (payload === undefined || rest.length > 0 || sign(`${header}.${payload}`) !== signature) return false
  const claims = Schema.decodeUnknownEither(TokenClaims)(Buffer.from(payload, "base64url").toString("utf8"))
  return Either.isRight(claims) && claims.right.exp * 1000 > now
}

const web3Token: RouteSpec = {
  name: "api_keys/generate_web3_key/token",
  method: "GET",
  path: `${V1}/api_keys/generate_web3_key`,
  auth: "none",
  body: "none",
  handle: (ctx) =>
    Effect.map(ctx.hex(16), (nonce) => Reply.json(200, { success: true, data: { token: issueToken(ctx.now, nonce) } }))
}

const web3Key: RouteSpec = {
  name: "api_keys/generate_web3_key",
  method: "POST",
  path: `${V1}/api_keys/generate_web3_key`,
  auth: "none",
  body: "json",
  handle: (ctx) =>
    Effect.gen(function*() {
      const decoded = validate(ApiKeys.GenerateWeb3KeyRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      if (!tokenValid(request.token, ctx.now)) return Reply.standard(400, "Token is invalid or has expired")
      const { address, signature } = request
      const signed = isAddress(address) && isHex(signature)
        ? yield* Effect.tryPromise(() => verifyMessage({ address, message: request.token, signature })).pipe(
          Effect.orElseSucceed(() => false)
        )
        : false
      if (!signed) return Reply.standard(400, "Signature does not match the wallet address")
      return yield* mint(ctx, request, request.description ?? "Web3 API Key")
    })
}

// ─── billing ─────────────────────────────────────────────────────────────────────────────────────

const HistoryQuery = Schema.Struct({
  startTimestamp: Schema.optional(Schema.String),
  endTimestamp: Schema.optional(Schema.String),
  currency: Schema.optional(Schema.String),
  pageSize: Schema.optional(Schema.NumberFromString),
  cursor: Schema.optional(Schema.String)
})

const Cursor = Schema.parseJson(Schema.Struct({
  offset: Schema.Int,
  pageSize: Schema.Int,
  start: Schema.NullOr(Schema.Number),
  end: Schema.NullOr(Schema.Number),
  currency: Schema.NullOr(Schema.String)
}))

const csvCell = (value: unknown): string => {
  const text = value === null || value === undefined ? "" : String(value)
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, "\"\"")}"` : text
}

const usageHistory: RouteSpec = {
  name: "billing/usage-history",
  method: "GET",
  path: `${V1}/billing/usage-history`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const raw = Object.fromEntries(ctx.search)
      const query = validate(HistoryQuery, raw)
      if (Either.isLeft(query)) return Reply.json(400, query.left)
      // the SDK's schema is Venice's validator: strict, and a cursor comes alone
      const params = validate(Billing.UsageHistoryParams, query.right)
      if (Either.isLeft(params)) return Reply.json(400, params.left)
      let walk: typeof Cursor.Type
      if ("cursor" in params.right) {
        const decoded = Schema.decodeUnknownEither(Cursor)(
          Buffer.from(params.right.cursor, "base64url").toString("utf8")
        )
        if (Either.isLeft(decoded)) return Reply.standard(400, "Invalid or expired cursor; restart from the first page")
        walk = decoded.right
      } else {
        const p = params.right
        walk = {
          offset: 0,
          pageSize: p.pageSize ?? 1000,
          start: p.startTimestamp !== undefined ? Date.parse(p.startTimestamp) : null,
          end: p.endTimestamp !== undefined ? Date.parse(p.endTimestamp) : null,
          currency: p.currency ?? null
        }
      }
      const rows = ctx.env.state.usage.filter((r) =>
        (walk.start === null || r.at >= walk.start) && (walk.end === null || r.at < walk.end) &&
        (walk.currency === null || r.currency === walk.currency)
      )
      const page = rows.slice(walk.offset, walk.offset + walk.pageSize).map((r) => ({
        timestamp: new Date(r.at).toISOString(),
        sku: r.sku,
        units: round(r.units, 6),
        pricePerUnitUsd: r.units > 0 ? round(-r.amount / r.units, 6) : 0,
        amount: round(r.amount),
        currency: r.currency,
        notes: "API Inference",
        inferenceDetails: r.requestId === null
          ? null
          : { requestId: r.requestId, promptTokens: r.tokens, completionTokens: null, inferenceExecutionTime: null }
      }))
      const more = walk.offset + walk.pageSize < rows.length
      const nextCursor = more
        ? Buffer.from(JSON.stringify({ ...walk, offset: walk.offset + walk.pageSize }), "utf8").toString("base64url")
        : null
      if ((ctx.request.headers["accept"] ?? "").includes("text/csv")) {
        const columns = [
          "timestamp",
          "sku",
          "pricePerUnitUsd",
          "units",
          "amount",
          "currency",
          "notes",
          "inferenceDetails.requestId",
          "inferenceDetails.inferenceExecutionTime",
          "inferenceDetails.promptTokens",
          "inferenceDetails.completionTokens"
        ]
        const lines = page.map((e) =>
          [
            e.timestamp,
            e.sku,
            e.pricePerUnitUsd,
            e.units,
            e.amount,
            e.currency,
            e.notes,
            e.inferenceDetails?.requestId,
            e.inferenceDetails?.inferenceExecutionTime,
            e.inferenceDetails?.promptTokens,
            e.inferenceDetails?.completionTokens
          ].map(csvCell).join(",")
        )
        return {
          status: 200,
          headers: {
            "Content-Disposition": `attachment; filename=billing-usage-history-${
              new Date(ctx.now).toISOString().replace(/[:.]/g, "-")
            }.csv`,
            ...(nextCursor !== null ? { "x-next-cursor": nextCursor } : {})
          },
          body: {
            _tag: "text",
            value: [columns.join(","), ...lines].join("\n") + "\n",
            contentType: "text/csv; charset=utf-8"
          }
        }
      }
      return Reply.json(200, { data: page, nextCursor })
    })
}

const DAY = 86_400_000

const usageAnalytics: RouteSpec = {
  name: "billing/usage-analytics",
  method: "GET",
  path: `${V1}/billing/usage-analytics`,
  auth: "admin",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const params = validate(Billing.UsageAnalyticsParams, Object.fromEntries(ctx.search))
      if (Either.isLeft(params)) return Reply.json(400, params.left)
      const p = params.right
      const today = Math.floor(ctx.now / DAY) * DAY
      let from: number
      let to: number
      let lookback: string
      if (p.startDate !== undefined && p.endDate !== undefined) {
        from = Date.parse(p.startDate)
        to = Date.parse(p.endDate) + DAY
        lookback = `${p.startDate}:${p.endDate}`
      } else {
        // values above 90d are clamped (skill venice-billing)
        const days = Math.min(90, Number.parseInt(p.lookback ?? "7d", 10))
        from = today - (days - 1) * DAY
        to = today + DAY
        lookback = `${days}d`
      }
      const rows = ctx.env.state.usage.filter((r) => r.at >= from && r.at < to)
      const byDate: Array<{ date: string; USD: number; DIEM: number }> = []
      for (let day = from; day < to; day += DAY) {
        const of = rows.filter((r) => r.at >= day && r.at < day + DAY)
        const total = (currency: string) =>
          round(-of.filter((r) => r.currency === currency).reduce((s, r) => s + r.amount, 0))
        byDate.push({ date: new Date(day).toISOString().slice(0, 10), USD: total("USD"), DIEM: total("DIEM") })
      }
      const group = (key: (r: UsageRow) => string) => {
        const groups = new Map<string, Array<UsageRow>>()
        for (const r of rows) groups.set(key(r), [...(groups.get(key(r)) ?? []), r])
        return [...groups].map(([name, of]) => ({
          name,
          totalUsd: round(-of.filter((r) => r.currency === "USD").reduce((s, r) => s + r.amount, 0)),
          totalDiem: round(-of.filter((r) => r.currency === "DIEM").reduce((s, r) => s + r.amount, 0)),
          totalUnits: round(of.reduce((s, r) => s + r.units, 0), 6),
          of
        })).sort((a, b) => b.totalUsd + b.totalDiem - (a.totalUsd + a.totalDiem))
      }
      const models = group((r) => r.sku.replace(/-usage$/, ""))
      const keys = group((r) => r.keyHash)
      const daily = (series: ReturnType<typeof group>, label: (name: string) => string, usdOnly: boolean) => {
        const out: Array<Record<string, number>> = []
        for (let day = from; day < to; day += DAY) {
          const row: Record<string, number> = { date: day }
          for (const s of series.slice(0, 50)) {
            row[label(s.name)] = round(
              -s.of.filter((r) => r.at >= day && r.at < day + DAY && (!usdOnly || r.currency === "USD"))
                .reduce((sum, r) => sum + r.amount, 0)
            )
          }
          out.push(row)
        }
        return out
      }
      const state = ctx.env.state
      const keyName = (hash: string) =>
        state.keyMeta.get(hash)?.description ?? state.keys.get(hash)?.label ?? `Key ...${hash.slice(-6)}`
      return Reply.json(200, {
        lookback,
        byDate,
        byModel: models.map((m) => ({
          modelName: m.name,
          unitType: "tokens",
          modelType: "LLM",
          totalUsd: m.totalUsd,
          totalDiem: m.totalDiem,
          totalUnits: m.totalUnits
        })),
        byModelDaily: daily(models, (name) => name, false),
        byModelDailyUsd: daily(models, (name) => name, true),
        topModels: models.slice(0, 50).map((m) => m.name),
        byKey: keys.map((k) => ({
          apiKeyId: state.keyMeta.get(k.name)?.id ?? keyIdOfHash(k.name),
          description: keyName(k.name),
          totalUsd: k.totalUsd,
          totalDiem: k.totalDiem,
          totalUnits: k.totalUnits
        })),
        byKeyDaily: daily(keys, keyName, false),
        byKeyDailyUsd: daily(keys, keyName, true),
        topKeyNames: keys.slice(0, 50).map((k) => keyName(k.name))
      })
    })
}

/** The account routes of this file. */
export const accountRoutes: ReadonlyArray<RouteSpec> = [
  list,
  create,
  update,
  remove,
  rateLimitLog,
  web3Token,
  web3Key,
  get,
  usageHistory,
  usageAnalytics
]
