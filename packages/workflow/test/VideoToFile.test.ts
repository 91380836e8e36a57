/**
 * `VeniceWorkflows.videoToFile` end to end against the emulator over loopback, in one process: quote → (durable
 * top-up) → queue → durable polls → download to a file or bytes, on SQLite storage.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Crypto from "node:crypto"
import * as Fs from "node:fs"
import * as Path from "node:path"
import * as VeniceWorkflows from "../src/VeniceWorkflows.js"
import {
  counts,
  emulatorLayer,
  keyClient,
  sqliteWorker,
  tempDir,
  throwawayKey,
  videoRequest,
  walletClient
} from "./support.js"

const sha256 = (bytes: Uint8Array) => Crypto.createHash("sha256").update(bytes).digest("hex")

describe("videoToFile (one process)", () => {
  it.live("with a wallet short of credit: one durable top-up, one queue, the video in a file", () => {
    const { address, key } = throwawayKey()
    const dir = tempDir("wallet")
    const path = Path.join(dir, "out.mp4")
    return Effect.gen(function*() {
      const result = yield* VeniceWorkflows.videoToFile({
        id: "wallet-run",
        request: videoRequest(),
        output: { _tag: "File", path }
      })
      const seen = yield* counts(address)
      expect(seen.queues).toBe(1)
      expect(seen.credited).toBe(1)
      expect(seen.payments).toHaveLength(1)
      expect(result.topUp?.via).toBe("receipt")
      expect(result.topUp?.amountUsd).toBe(5)
      const file = Fs.readFileSync(path)
      expect(result.job.media._tag).toBe("File")
      expect(result.job.media.sha256).toBe(sha256(file))
      expect(Fs.existsSync(`${path}.part`)).toBe(false)
    }).pipe(
      Effect.provide(
        Layer.unwrapEffect(
          Effect.map(
            Emulator.VeniceEmulator,
            (emu) =>
              sqliteWorker(Path.join(dir, "wf.sqlite"), walletClient(key, emu.baseUrl), {
                maxPerPaymentUsd: 10,
                budgetUsd: 20
              })
          )
        )
      ),
      Effect.provide(emulatorLayer(address, 0))
    )
  }, 60_000)

  it.live("with an API key: the video as bytes, no payment", () => {
    const { address } = throwawayKey()
    const dir = tempDir("key")
    return Effect.gen(function*() {
      const result = yield* VeniceWorkflows.videoToFile({
        id: "key-run",
        request: videoRequest(),
        output: { _tag: "Bytes" }
      })
      const seen = yield* counts()
      expect(seen.queues).toBe(1)
      expect(result.topUp).toBeUndefined()
      expect(result.job.media._tag).toBe("Bytes")
      if (result.job.media._tag === "Bytes") expect(sha256(result.job.media.bytes)).toBe(result.job.media.sha256)
    }).pipe(
      Effect.provide(
        Layer.unwrapEffect(
          Effect.map(
            Emulator.VeniceEmulator,
            (emu) => sqliteWorker(Path.join(dir, "wf.sqlite"), keyClient(emu.baseUrl))
          )
        )
      ),
      Effect.provide(emulatorLayer(address, 0))
    )
  }, 60_000)
})
