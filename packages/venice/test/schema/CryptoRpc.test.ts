import { describe, expect, it } from "@effect/vitest"
import * as CryptoRpc from "@venice-effect/venice/schema/CryptoRpc"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

const call = { jsonrpc: "2.0", method: "eth_chainId", params: [], id: 1 }

describe("CryptoRpc requests", () => {
  it.effect("a single call and a batch", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(CryptoRpc.CryptoRpcRequest)(call)
      yield* Schema.decodeUnknown(CryptoRpc.CryptoRpcRequest)([call, { ...call, method: "eth_blockNumber", id: "b" }])
    }))

  it.effect("missing method", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(CryptoRpc.JsonRpcRequest, { jsonrpc: "2.0", id: 1 })
      expect(issues).toContainEqual({ path: "method", message: "is missing" })
    }))

  it.effect("empty and oversized batches", () =>
    Effect.gen(function*() {
      expect(yield* decodeIssues(CryptoRpc.JsonRpcBatchRequest, [])).toContainEqual({
        path: "",
        message: "a batch must contain at least one request"
      })
      expect(yield* decodeIssues(CryptoRpc.JsonRpcBatchRequest, Array(101).fill(call))).toContainEqual({
        path: "",
        message: "a batch must contain 100 requests or less"
      })
    }))

  it.effect("wrong jsonrpc version and id type", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(CryptoRpc.JsonRpcRequest, { ...call, jsonrpc: "1.0", id: 1.5 })
      expect(paths(issues)).toEqual(expect.arrayContaining(["jsonrpc", "id"]))
    }))

  it.effect("network slugs and idempotency keys", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(CryptoRpc.Network)("base-mainnet")
      yield* Schema.decodeUnknown(CryptoRpc.Network)("some-future-chain")
      expect(CryptoRpc.isKnownNetwork("blast-sepolia")).toBe(true)
      expect(CryptoRpc.isKnownNetwork("some-future-chain")).toBe(false)
      expect(yield* decodeIssues(CryptoRpc.Network, "Base Mainnet")).toContainEqual({
        path: "",
        message: "network must be a slug such as \"base-mainnet\""
      })
      yield* Schema.decodeUnknown(CryptoRpc.IdempotencyKey)("send-tx-2026-04-21-nonce-42")
      expect(paths(yield* decodeIssues(CryptoRpc.IdempotencyKey, "has space"))).toEqual([""])
      expect(paths(yield* decodeIssues(CryptoRpc.IdempotencyKey, "x".repeat(256)))).toEqual([""])
    }))
})

describe("CryptoRpc responses", () => {
  it.effect("results, per-call errors, null ids", () =>
    Effect.gen(function*() {
      const batch = yield* Schema.decodeUnknown(CryptoRpc.CryptoRpcResponse)([
        { jsonrpc: "2.0", id: 1, result: "0x1" },
        { jsonrpc: "2.0", id: 2, error: { code: -32602, message: "invalid params", data: { field: "x" } } },
        { jsonrpc: "2.0", id: null, error: { code: -32700, message: "parse error" } }
      ])
      expect(Array.isArray(batch) ? batch.length : 0).toBe(3)
      const single = yield* Schema.decodeUnknown(CryptoRpc.CryptoRpcResponse)({
        jsonrpc: "2.0",
        id: 1,
        result: { blockNumber: "0x10" }
      })
      expect(Array.isArray(single)).toBe(false)
    }))
})
