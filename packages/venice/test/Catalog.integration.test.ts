/**
 * Characters, model traits and aliases, crypto-RPC networks and its credit cap, augment and voice cloning over
 * loopback HTTP against the emulator: success, typical errors, retry classes, local validation.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Augment from "../src/Augment.js"
import * as Characters from "../src/Characters.js"
import * as CryptoRpc from "../src/CryptoRpc.js"
import * as Models from "../src/Models.js"
import * as Responses from "../src/Responses.js"
import * as Voices from "../src/Voices.js"
import { drive, failureOf, layer } from "./support.js"

const WAV = new Uint8Array([0x52, 0x49, 0x46, 0x46, 0x24, 0, 0, 0, 0x57, 0x41, 0x56, 0x45, 0x66, 0x6d, 0x74, 0x20])

describe("Characters against the emulator", () => {
  it.scoped("list filters and sorts (adult characters only on request), get by slug, reviews paged", () =>
    Effect.gen(function*() {
      const all = yield* Characters.list()
      expect(all.data.map((c) => c.slug)).toEqual(["alan-watts", "code-coach"])
      const adult = yield* Characters.list({ isAdult: "true" })
      expect(adult.data.map((c) => c.slug)).toEqual(["night-owl"])
      const search = yield* Characters.list({ search: "#philosophy", tags: ["philosophy", "zen"], limit: 5 })
      expect(search.data.map((c) => c.slug)).toEqual(["alan-watts"])
      const byImports = yield* Characters.list({ sortBy: "imports", sortOrder: "asc" })
      expect(byImports.data.map((c) => c.slug)).toEqual(["code-coach", "alan-watts"])
      const one = yield* Characters.get("alan-watts")
      expect(one.data.modelId).toBe("venice-uncensored")
      const reviews = yield* Characters.reviews("alan-watts", { page: 2, pageSize: 3 })
      expect(reviews.data).toHaveLength(1)
      expect(reviews.pagination).toEqual({ page: 2, pageSize: 3, total: 4, totalPages: 2 })
    }).pipe(Effect.provide(layer())))

  it.scoped("an unknown slug is CHARACTER_NOT_FOUND, sent once; a bad limit never leaves the process", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const missing = failureOf(yield* drive(Characters.get("nobody")))
      expect(missing).toMatchObject({ status: 404, code: "CHARACTER_NOT_FOUND" })
      const bad = failureOf(yield* Effect.exit(Characters.list({ limit: 500 })))
      expect(bad).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count()).toBe(1)
    }).pipe(Effect.provide(layer())))
})

describe("Models, networks and the crypto-RPC credit cap", () => {
  it.scoped("traits and compatibility mapping per type; a bad type is refused locally", () =>
    Effect.gen(function*() {
      const traits = yield* Models.traits()
      expect(traits).toMatchObject({ type: "text", data: { default: "zai-org-glm-5-1", fastest: "qwen3-4b" } })
      expect((yield* Models.traits({ type: "inpaint" })).data).toEqual({ default: "firered-image-edit" })
      const aliases = yield* Models.compatibilityMapping({ type: "image" })
      expect(aliases.data["dall-e-3"]).toBe("z-image-turbo")
      const bad = failureOf(yield* Effect.exit(Models.traits({ type: "bogus" as "text" })))
      expect(bad).toMatchObject({ _tag: "RequestValidationError" })
    }).pipe(Effect.provide(layer())))

  it.scoped("networks lists the proxy's slugs, sorted", () =>
    Effect.gen(function*() {
      const { networks } = yield* CryptoRpc.networks()
      expect(networks).toContain("base-mainnet")
      expect(networks).toContain("blast-sepolia")
      expect([...networks].sort()).toEqual(networks)
    }).pipe(Effect.provide(layer())))

  it.scoped("a 429 naming the 24 h credit cap fails at once with the window as the wait, never backs off", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script(
        { route: "crypto/rpc" },
        5,
        Faults.error("RATE_LIMIT_EXCEEDED", { message: "Rate limit exceeded: 10000000 credits per rolling 24 hours" })
      )
      const error = failureOf(
        yield* drive(CryptoRpc.call("base-mainnet", { jsonrpc: "2.0", id: 1, method: "eth_blockNumber" }))
      )
      expect(error._tag).toBe("WaitTooLongError")
      if (error._tag !== "WaitTooLongError") return
      expect(Duration.toHours(error.wait)).toBeGreaterThanOrEqual(24)
      expect(error.cause).toMatchObject({ code: "RPC_CREDIT_LIMIT_EXCEEDED" })
      expect(yield* emu.count({ route: "crypto/rpc" })).toBe(1)
    }).pipe(Effect.provide(layer())))
})

describe("Augment and voices against the emulator", () => {
  it.scoped("text parser (JSON and plain), scrape, search", () =>
    Effect.gen(function*() {
      const file = new Blob(["Contract text: pay 10 USDC."], { type: "text/plain" })
      const parsed = yield* Augment.parseText({ file })
      expect(parsed).toMatchObject({ text: "Contract text: pay 10 USDC." })
      expect(parsed.tokens).toBeGreaterThan(0)
      expect(yield* Augment.parseTextPlain({ file })).toBe("Contract text: pay 10 USDC.")
      const page = yield* Augment.scrape({ url: "https://example.com/article" })
      expect(page).toMatchObject({ url: "https://example.com/article", format: "markdown" })
      const found = yield* Augment.search({ query: "venice ai api pricing", limit: 3 })
      expect(found.results).toHaveLength(3)
    }).pipe(Effect.provide(layer())))

  it.scoped("a blocked site is a 400 sent once; a query over 400 characters never leaves the process", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const blocked = failureOf(yield* drive(Augment.scrape({ url: "https://reddit.com/r/venice" })))
      expect(blocked).toMatchObject({ _tag: "VeniceStandardError", status: 400 })
      const long = failureOf(yield* Effect.exit(Augment.search({ query: "q".repeat(401) })))
      expect(long).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count()).toBe(1)
    }).pipe(Effect.provide(layer())))

  it.scoped("a voice sample becomes a vv_ handle; a cloning model not open to the account is a 403, sent once", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const voice = yield* Voices.clone({ file: new Blob([WAV], { type: "audio/wav" }) })
      expect(voice.id).toMatch(/^vv_/)
      expect(voice.model).toBe("tts-chatterbox-hd")
      const refused = failureOf(
        yield* drive(Voices.clone({ file: new Blob([WAV], { type: "audio/wav" }), model: "tts-minimax-speech-02-hd" }))
      )
      expect(refused).toMatchObject({ _tag: "VeniceStandardError", status: 403 })
      // a 5xx is never retried either: the clone may have been charged
      yield* emu.script({ route: "audio/voices" }, 1, Faults.resetBeforeHeaders)
      const reset = yield* drive(Voices.clone({ file: new Blob([WAV], { type: "audio/wav" }) }))
      expect(Exit.isFailure(reset)).toBe(true)
      expect(yield* emu.count({ route: "audio/voices" })).toBe(3)
    }).pipe(Effect.provide(layer())))
})

describe("/responses splits the error budget per user, like Venice", () => {
  it.scoped("a user locked out by the guard leaves another user free", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "responses" }, 100, Faults.error("INVALID_MODEL"))
      const request = (user: string) => Responses.create({ model: "venice-uncensored", input: "hi", user })
      const tags: Array<string> = []
      for (let i = 0; i < 49; i++) tags.push(failureOf(yield* Effect.exit(request("alice")))._tag)
      expect(tags.filter((t) => t === "ErrorBudgetExhaustedError")).toHaveLength(1)
      expect(yield* emu.count({ route: "responses" })).toBe(48)
      expect(failureOf(yield* Effect.exit(request("bob")))._tag).toBe("VeniceStandardError")
      expect(yield* emu.count({ route: "responses" })).toBe(49)
    }).pipe(Effect.provide(layer())))
})
