/**
 * What the Venice route families share: the path prefix, the model checks every inference route makes first, the
 * model headers, prices, job ownership and the SSE setup.
 */
import * as Models from "@venice-effect/venice/schema/Models"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type { Ctx } from "../context.js"
import * as Errors from "../errors.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import * as Streams from "../streams.js"

/** The path prefix of every Venice route. */
export const V1 = "/api/v1"

/** Whether a value is a JSON object. */
export const isRecord = Predicate.isRecord

/** Rounds to `digits` decimals (money, durations). */
export const round = (n: number, digits = 8): number => Math.round(n * 10 ** digits) / 10 ** digits

/** `x-venice-model-id` / `x-venice-model-name` of a model. */
export const modelHeaders = (model: Catalog.CatalogModel): Record<string, string> => ({
  "x-venice-model-id": model.model.id,
  "x-venice-model-name": model.model.model_spec.name ?? model.model.id
})

/**
 * Venice's model checks before schema validation: a missing or non-string `model` is a plain 400, an unknown id a
 * 404, a model of another type a 400.
 */
export const resolveModel = (ctx: Ctx, type: Models.ModelType): Reply.Reply | Catalog.CatalogModel => {
  const body = ctx.body
  if (!isRecord(body) || body.model === undefined) return Reply.standard(400, "model is required")
  if (typeof body.model !== "string") return Reply.standard(400, "model must be a string")
  const found = Catalog.resolve(body.model, type)
  if (found === "not-found") {
    return Errors.codeReply("MODEL_NOT_FOUND", ctx.errorEnv, { message: `Specified model not found: ${body.model}` })
  }
  if (found === "wrong-type") return Errors.codeReply("INVALID_MODEL", ctx.errorEnv)
  return found
}

/** Whether a model lookup answered an error reply instead of a model. */
export const isReply = (u: Reply.Reply | Catalog.CatalogModel): u is Reply.Reply => "status" in u

/** A member of a JSON object (`undefined` when not an object). */
export const member = (u: unknown, key: string): unknown => (isRecord(u) ? u[key] : undefined)

/** What a chat completion costs with `model`'s per-million-token prices. */
export const llmCost = (model: Catalog.CatalogModel, promptTokens: number, completionTokens: number) => {
  const rate = (side: "input" | "output"): number => {
    const usd = member(member(model.model.model_spec.pricing, side), "usd")
    return typeof usd === "number" ? usd : 0
  }
  return round((promptTokens * rate("input") + completionTokens * rate("output")) / 1_000_000)
}

/** How the emulator paces and breaks the SSE streams of this request. */
export const streamEnv = (ctx: Ctx): Streams.StreamEnv => ({
  paceMillis: ctx.env.settings.stream.paceMillis,
  keepalive: ctx.env.settings.stream.keepalive,
  keepaliveEvery: ctx.env.settings.stream.keepaliveEvery,
  fault: ctx.streamFault,
  response: ctx.response
})

/** The headers of every SSE response. */
export const SSE_HEADERS = { "cache-control": "no-cache", connection: "keep-alive" }

/** Who owns a job: the key hash, the wallet, or the IP. */
export const jobOwner = (ctx: Ctx): string =>
  ctx.identity._tag === "key"
    ? ctx.identity.key.hash
    : ctx.identity._tag === "wallet"
    ? ctx.identity.wallet.address.toLowerCase()
    : ctx.ip

/** The `402 INSUFFICIENT_BALANCE` reply when the caller cannot pay `price`, else `undefined`. */
export const insufficient = (ctx: Ctx, price: number): Reply.Reply | undefined => {
  const identity = ctx.identity
  const available = identity._tag === "key"
    ? identity.key.balanceUsd + identity.key.balanceDiem
    : identity._tag === "wallet"
    ? identity.wallet.balanceUsd
    : Number.POSITIVE_INFINITY
  return available < price ? Errors.codeReply("INSUFFICIENT_BALANCE", ctx.errorEnv) : undefined
}

/** A random UUID (v4 shape) from the `Random` service. */
export const uuid = (ctx: Ctx) =>
  Effect.map(
    ctx.hex(32),
    (h) => `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
  )
