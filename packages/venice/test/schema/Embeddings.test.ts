import { describe, expect, it } from "@effect/vitest"
import * as Embeddings from "@venice-effect/venice/schema/Embeddings"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { decodeIssues, paths } from "./spec.js"

const minimal = { model: "text-embedding-bge-m3", input: "Why is the sky blue?" }

describe("Embeddings.EmbeddingRequest", () => {
  it.effect("accepts a string, a batch, and an unlisted model id", () =>
    Effect.gen(function*() {
      yield* Schema.decodeUnknown(Embeddings.EmbeddingRequest)(minimal)
      yield* Schema.decodeUnknown(Embeddings.EmbeddingRequest)({
        model: "some-new-embedding-model",
        input: ["first doc", "second doc"],
        encoding_format: "base64",
        dimensions: 256
      })
    }))

  it.effect("missing model", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Embeddings.EmbeddingRequest, { input: "x" })
      expect(issues).toContainEqual({ path: "model", message: "is missing" })
    }))

  it.effect("empty string input", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Embeddings.EmbeddingRequest, { ...minimal, input: "" })
      expect(issues).toContainEqual({ path: "input", message: "input must not be an empty string" })
    }))

  it.effect("empty and oversized batches", () =>
    Effect.gen(function*() {
      const empty = yield* decodeIssues(Embeddings.EmbeddingRequest, { ...minimal, input: [] })
      expect(empty).toContainEqual({ path: "input", message: "input must contain at least one string" })
      const big = yield* decodeIssues(Embeddings.EmbeddingRequest, { ...minimal, input: Array(2049).fill("x") })
      expect(big).toContainEqual({ path: "input", message: "input must contain 2048 strings or less" })
    }))

  it.effect("token arrays are not supported", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Embeddings.EmbeddingRequest, { ...minimal, input: [1, 2, 3] })
      expect(paths(issues).every((path) => path.startsWith("input"))).toBe(true)
    }))

  it.effect("dimensions, encoding_format, unknown field", () =>
    Effect.gen(function*() {
      const issues = yield* decodeIssues(Embeddings.EmbeddingRequest, {
        ...minimal,
        dimensions: 0,
        encoding_format: "hex",
        input_type: "query"
      })
      expect(paths(issues)).toEqual(expect.arrayContaining(["dimensions", "encoding_format", "input_type"]))
    }))
})

describe("Embeddings.EmbeddingResponse", () => {
  it.effect("decodes float and base64 embeddings", () =>
    Effect.gen(function*() {
      const response = yield* Schema.decodeUnknown(Embeddings.EmbeddingResponse)({
        object: "list",
        model: "text-embedding-bge-m3",
        data: [
          { object: "embedding", index: 0, embedding: [0.0023, -0.0093] },
          { object: "embedding", index: 1, embedding: "AACAPwAAAEA=" }
        ],
        usage: { prompt_tokens: 8, total_tokens: 8 }
      })
      expect(response.data).toHaveLength(2)
    }))
})
