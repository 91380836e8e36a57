/**
 * Core's provider kit as Venice configures it (issue 14 #1): `layerConfig` takes `Config` values, so the
 * caller chooses the keys; the defaults stay `VENICE_*`; a key read from the chosen name is the one the
 * client authenticates with (its identity is the key's digest).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as VeniceClient from "../src/VeniceClient.js"

const env = (entries: ReadonlyArray<readonly [string, string]>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))

describe("ProviderClient.layerConfig (issue 14 #1)", () => {
  it.effect("Venice: keys of the caller's choosing; the default names are not read", () =>
    Effect.gen(function*() {
      const client = yield* VeniceClient.VeniceClient
      expect(client.baseUrl).toBe("http://127.0.0.1:2/v1")
      expect(client.provider).toBe("venice")
      const expected = yield* Effect.provide(
        Effect.map(VeniceClient.VeniceClient, (c) => c.identity),
        VeniceClient.layer({ apiKey: Redacted.make("staging-key") }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      )
      expect(client.identity).toBe(expected)
    }).pipe(
      Effect.provide(
        VeniceClient.layerConfig({
          apiKey: Config.redacted("STAGING_KEY"),
          baseUrl: Config.string("STAGING_URL")
        }).pipe(Layer.provide(NodeHttpClient.layerUndici))
      ),
      env([["STAGING_KEY", "staging-key"], ["STAGING_URL", "http://127.0.0.1:2/v1"], ["VENICE_API_KEY", "other"]])
    ))

  it.effect("Venice: the defaults are VENICE_API_KEY and VENICE_BASE_URL; a missing key fails the layer", () =>
    Effect.gen(function*() {
      const layer = VeniceClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
      const client = yield* Effect.provide(VeniceClient.VeniceClient, layer).pipe(
        env([["VENICE_API_KEY", "k"], ["VENICE_BASE_URL", "http://127.0.0.1:3/api/v1"]])
      )
      expect(client.baseUrl).toBe("http://127.0.0.1:3/api/v1")
      const missing = yield* Effect.exit(Effect.provide(VeniceClient.VeniceClient, layer).pipe(env([])))
      expect(Exit.isFailure(missing)).toBe(true)
    }))
})
