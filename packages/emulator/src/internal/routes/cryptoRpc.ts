/**
 * The crypto RPC routes: `GET /crypto/rpc/networks` and `POST /crypto/rpc/{network}` (JSON-RPC methods allowed per
 * chain family, credits by method tier, results computed locally).
 */
import * as CryptoRpc from "@venice-effect/venice/schema/CryptoRpc"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import { isHex, keccak256 } from "viem"
import type { RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Reply from "../reply.js"
import { validate } from "../validation.js"
import { V1 } from "./common.js"

type Family = "evm" | "starknet" | "solana"

const familyOf = (network: string): Family =>
  network.startsWith("starknet-") ? "starknet" : network.startsWith("solana-") ? "solana" : "evm"

const chainIds: Readonly<Record<string, number>> = {
  "ethereum-mainnet": 1,
  "ethereum-sepolia": 11155111,
  "ethereum-holesky": 17000,
  "base-mainnet": 8453,
  "base-sepolia": 84532,
  "optimism-mainnet": 10,
  "optimism-sepolia": 11155420,
  "arbitrum-mainnet": 42161,
  "arbitrum-sepolia": 421614,
  "polygon-mainnet": 137,
  "polygon-amoy": 80002,
  "linea-mainnet": 59144,
  "linea-sepolia": 59141,
  "avalanche-mainnet": 43114,
  "avalanche-fuji": 43113,
  "bsc-mainnet": 56,
  "bsc-testnet": 97,
  "blast-mainnet": 81457,
  "blast-sepolia": 168587773,
  "zksync-mainnet": 324,
  "zksync-sepolia": 300,
  "robinhood-mainnet": 4663,
  "robinhood-testnet": 46630
}

const EVM_PREFIXES = ["eth_", "net_", "web3_", "trace_", "debug_", "txpool_", "zks_", "linea_", "bor_", "arbtrace_"]
const STATEFUL = [
  "eth_newFilter",
  "eth_newBlockFilter",
  "eth_newPendingTransactionFilter",
  "eth_getFilterChanges",
  "eth_getFilterLogs",
  "eth_uninstallFilter",
  "eth_subscribe",
  "eth_unsubscribe"
]

/** Whether a method is on the family's allowlist (else the whole request is a 400). */
const allowed = (family: Family, method: string): boolean => {
  switch (family) {
    case "evm":
      return EVM_PREFIXES.some((p) => method.startsWith(p)) && !STATEFUL.includes(method)
    case "starknet":
      return method.startsWith("starknet_")
    case "solana":
      return /^[a-z][A-Za-z]+$/.test(method) && !/Subscribe$|Unsubscribe$/.test(method) && !method.includes("_")
  }
}

const tier = (method: string): number =>
  /^trace_replay|^txpool_content$|^arbtrace_replay|^getLargestAccounts$|^getSupply$/.test(method)
    ? 4
    : /^trace_|^debug_|^txpool_|^arbtrace_/.test(method)
    ? 2
    : 1

const baseCredits = (
  network: string
): number => (network.startsWith("zksync-") || network.startsWith("solana-") ? 30 : 20)

const USD_PER_CREDIT = 7e-7

const cryptoNetworks: RouteSpec = {
  name: "crypto/rpc/networks",
  method: "GET",
  path: `${V1}/crypto/rpc/networks`,
  auth: "none",
  body: "none",
  handle: () => Effect.succeed(Reply.json(200, { networks: [...CryptoRpc.knownNetworks].sort() }))
}

const cryptoRpc: RouteSpec = {
  name: "crypto/rpc",
  method: "POST",
  path: `${V1}/crypto/rpc/:network`,
  auth: "any",
  body: "json",
  handle: (ctx) =>
    Effect.gen(function*() {
      const state = ctx.env.state
      const settings = ctx.env.settings.cryptoRpc
      const requestId = yield* ctx.hex(32)
      const withId = (reply: Reply.Reply): Reply.Reply => ({
        ...reply,
        headers: { ...reply.headers, "X-Request-ID": requestId }
      })
      const network = ctx.params.network ?? ""
      if (!CryptoRpc.isKnownNetwork(network)) return withId(Reply.standard(400, `Unsupported network: ${network}`))
      const user = ctx.identity._tag === "key"
        ? ctx.identity.key.hash
        : ctx.identity._tag === "wallet"
        ? ctx.identity.wallet.address.toLowerCase()
        : ctx.ip

      // idempotency (24 h per user and key): a replay is the cached answer, not billed again
      const idempotencyKey = ctx.request.headers["idempotency-key"]
      const bodyHash = keccak256(ctx.rawBody)
      if (idempotencyKey !== undefined) {
        if (!Schema.is(CryptoRpc.IdempotencyKey)(idempotencyKey)) {
          return withId(Reply.standard(400, "Idempotency-Key must match [A-Za-z0-9_-]{1,255}"))
        }
        const cached = state.idempotency.get(`${user}|${idempotencyKey}`, ctx.now)
        if (cached !== undefined) {
          if (cached.bodyHash !== bodyHash) {
            return withId(Reply.standard(400, "Idempotency-Key was already used with a different request body"))
          }
          return {
            status: cached.status,
            headers: { ...cached.headers, "Idempotent-Replayed": "true" },
            body: { _tag: "text", value: cached.body, contentType: "application/json; charset=utf-8" }
          }
        }
      }

      // per-minute cap per caller; its 429 alone carries X-RateLimit-* (reset in Unix seconds)
      const window = state.rpcWindows.take(user, ctx.now, settings.requestsPerMinute, 60_000)
      if (!window.allowed) {
        return withId(Reply.standard(
          429,
          `Rate limit exceeded: ${settings.requestsPerMinute} requests per minute`,
          Errors.rpcHeaders(window)
        ))
      }

      const decoded = validate(CryptoRpc.CryptoRpcRequest, ctx.body)
      if (Either.isLeft(decoded)) return withId(Reply.json(400, decoded.left))
      const calls = Array.isArray(decoded.right) ? decoded.right : [decoded.right]
      const family = familyOf(network)
      const refused = calls.find((call) => !allowed(family, call.method))
      if (refused !== undefined) {
        return withId(Reply.standard(400, `Method ${refused.method} is not supported on ${network}`))
      }
      let credits = 0
      const answers = calls.map((call) => {
        const result = rpcResult(network, family, call, ctx.now)
        credits += "error" in result ? 5 : baseCredits(network) * tier(call.method)
        return { jsonrpc: "2.0", id: call.id ?? null, ...result }
      })
      const cost = credits * USD_PER_CREDIT
      ctx.charge({ usd: cost, model: `crypto-rpc:${network}`, requestId })
      const body = JSON.stringify(Array.isArray(decoded.right) ? answers : answers[0])
      const headers = {
        "X-Venice-RPC-Credits": String(credits),
        "X-Venice-RPC-Cost-USD": cost.toFixed(8),
        "X-Request-ID": requestId
      }
      if (idempotencyKey !== undefined) {
        state.idempotency.set(
          `${user}|${idempotencyKey}`,
          { bodyHash, status: 200, body, headers },
          ctx.now,
          settings.idempotencyTtlMillis
        )
      }
      return {
        status: 200,
        headers,
        body: { _tag: "text", value: body, contentType: "application/json; charset=utf-8" }
      }
    })
}

const hexQuantity = (n: number): string => `0x${Math.floor(n).toString(16)}`

const rpcResult = (
  network: string,
  family: Family,
  call: CryptoRpc.JsonRpcRequest,
  now: number
): { readonly result: unknown } | { readonly error: { readonly code: number; readonly message: string } } => {
  const block = 0x1_3a_5f_00 + Math.floor(now / 2_000)
  const params = call.params ?? []
  const notFound = { error: { code: -32601, message: `the method ${call.method} does not exist/is not available` } }
  switch (family) {
    case "evm":
      switch (call.method) {
        case "eth_chainId":
          return { result: hexQuantity(chainIds[network] ?? 1) }
        case "net_version":
          return { result: String(chainIds[network] ?? 1) }
        case "eth_blockNumber":
          return { result: hexQuantity(block) }
        case "web3_clientVersion":
          return { result: "venice-emulator/0.1.0" }
        case "eth_gasPrice":
          return { result: "0x3b9aca00" }
        case "eth_getBalance":
        case "eth_getTransactionCount":
          return { result: "0x0" }
        case "eth_estimateGas":
          return { result: "0x5208" }
        case "eth_call":
          return { result: "0x" }
        case "eth_getLogs":
          return { result: [] }
        case "eth_sendRawTransaction": {
          const raw = params[0]
          return typeof raw === "string" && isHex(raw)
            ? { result: keccak256(raw) }
            : { error: { code: -32602, message: "invalid argument 0: expected a hex-encoded transaction" } }
        }
        default:
          return notFound
      }
    case "starknet":
      switch (call.method) {
        case "starknet_chainId":
          return { result: network === "starknet-mainnet" ? "0x534e5f4d41494e" : "0x534e5f5345504f4c4941" }
        case "starknet_blockNumber":
          return { result: block }
        default:
          return notFound
      }
    case "solana":
      switch (call.method) {
        case "getSlot":
        case "getBlockHeight":
          return { result: block }
        case "getBalance":
          return { result: { context: { slot: block }, value: 0 } }
        case "getAccountInfo":
          return { result: { context: { slot: block }, value: null } }
        case "getLatestBlockhash":
          return {
            result: {
              context: { slot: block },
              value: { blockhash: "EkSnNWid2cvwEVnVx9aBqawnmiCNiDgp3gUdkDPTKN1N", lastValidBlockHeight: block + 150 }
            }
          }
        case "getHealth":
          return { result: "ok" }
        case "getVersion":
          return { result: { "solana-core": "2.1.0", "feature-set": 0 } }
        default:
          return notFound
      }
  }
}

/** The crypto RPC routes. */
export const cryptoRpcRoutes: ReadonlyArray<RouteSpec> = [cryptoNetworks, cryptoRpc]
