// docs/novita.md: a Novita client pointed at the Novita emulator, both in the test's runtime.
import { NodeHttpClient } from "@effect/platform-node"
import { NovitaEmulator } from "@venice-effect/emulator"
import { NovitaClient } from "@venice-effect/novita"
import { Effect, Layer, Redacted } from "effect"

const TestNovita = Layer.unwrapEffect(
  Effect.map(
    NovitaEmulator.NovitaEmulator,
    (emu) => NovitaClient.layer({ apiKey: Redacted.make("test-key"), baseUrl: emu.baseUrl })
  )
).pipe(Layer.provide(NodeHttpClient.layerUndici), Layer.provideMerge(NovitaEmulator.layer({ keys: ["test-key"] })))
