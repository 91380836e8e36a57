/**
 * Test support: a Novita emulator on a random loopback port and a NovitaClient pointed at it, built inside the test's
 * own runtime (so both sides read the TestClock), and the shared TestClock driver:
 * it advances the clock to each pending wake-up while real HTTP happens in between.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Emulator from "@venice-effect/emulator/NovitaEmulator"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as NovitaClient from "../src/NovitaClient.js"

export const KEY = "nk-test-0123456789abcdef-secret"

/** The emulator plus a client on it. */
export const layer = (
  config: Emulator.Config = {},
  client: Omit<NovitaClient.Options, "baseUrl" | "apiKey"> & { readonly apiKey?: Redacted.Redacted<string> } = {}
): Layer.Layer<Emulator.NovitaEmulator | NovitaClient.NovitaClient, unknown> => {
  const emulator = Emulator.layer({ keys: [KEY], ...config })
  const novita = Layer.unwrapEffect(
    Effect.map(
      Emulator.NovitaEmulator,
      (emu) => NovitaClient.layer({ apiKey: Redacted.make(KEY), ...client, baseUrl: emu.baseUrl })
    )
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  return Layer.provideMerge(novita, emulator)
}

/** The shared TestClock driver (see `@venice-effect/emulator/Testing`). */
import { drive, realPause } from "@venice-effect/emulator/Testing"

export { drive, realPause }
