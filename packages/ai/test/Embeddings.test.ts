/**
 * `VeniceEmbeddingModel` through `@effect/ai`'s `EmbeddingModel`, against the emulator's `/embeddings`: vectors,
 * batching of concurrent `embed` calls into one request, `dimensions`, and typed errors inside the `AiError`.
 */
import * as EmbeddingModel from "@effect/ai/EmbeddingModel"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as VeniceAi from "../src/VeniceAi.js"
import * as VeniceEmbeddingModel from "../src/VeniceEmbeddingModel.js"
import { KEY } from "./support.js"

const layer = (config?: VeniceEmbeddingModel.Config) =>
  VeniceEmbeddingModel.layer({ model: "text-embedding-bge-m3", config }).pipe(
    Layer.provideMerge(Layer.unwrapEffect(
      Effect.map(
        Emulator.VeniceEmulator,
        (emu) => VeniceClient.layer({ apiKey: Redacted.make(KEY), baseUrl: emu.baseUrl, retry: RetryPolicy.none })
      )
    )),
    Layer.provideMerge(Emulator.layer({ keys: [KEY] })),
    Layer.provideMerge(NodeHttpClient.layerUndici)
  )

const norm = (v: ReadonlyArray<number>) => Math.sqrt(v.reduce((s, x) => s + x * x, 0))

describe("VeniceEmbeddingModel", () => {
  it.scoped("embedMany: one request, one unit vector per input, deterministic per text", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.VeniceEmulator
      const model = yield* EmbeddingModel.EmbeddingModel
      const [a, b, a2] = yield* model.embedMany(["a cat", "a dog", "a cat"])
      expect(a).toHaveLength(1024)
      expect(norm(a!)).toBeCloseTo(1, 4)
      expect(a2).toEqual(a)
      expect(b).not.toEqual(a)
      expect(yield* emulator.count({ route: "embeddings" })).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("concurrent embed calls are batched into one request; dimensions are sent", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.VeniceEmulator
      const model = yield* EmbeddingModel.EmbeddingModel
      const vectors = yield* Effect.all([model.embed("one"), model.embed("two"), model.embed("three")], {
        concurrency: "unbounded",
        batching: true
      })
      expect(vectors.map((v) => v.length)).toEqual([256, 256, 256])
      expect(yield* emulator.count({ route: "embeddings" })).toBe(1)
    }).pipe(Effect.provide(layer({ dimensions: 256 }))))

  it.scoped("a failure is an AiError carrying the VeniceError", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.VeniceEmulator
      yield* emulator.script({ route: "embeddings" }, 1, Faults.error("MODEL_OVERLOADED", { retryAfter: 1 }))
      const model = yield* EmbeddingModel.EmbeddingModel
      const error = yield* Effect.flip(model.embed("x"))
      expect(error._tag).toBe("HttpResponseError")
      expect(Option.getOrThrow(VeniceAi.veniceError(error))).toMatchObject({ code: "MODEL_OVERLOADED", status: 429 })
    }).pipe(Effect.provide(layer())))
})
