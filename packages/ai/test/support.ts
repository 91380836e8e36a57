/**
 * Test support: the Venice (or Novita) emulator on a random loopback port, the SDK's client pointed at it, and the
 * `@effect/ai` model over that client — everything built inside the test's runtime, so client and emulator read the
 * same TestClock. The client's HTTP layer records every request body it sends (to check what reached the wire), and
 * a recording tracer keeps every span's attributes (to search them for secrets).
 */
import type * as LanguageModel from "@effect/ai/LanguageModel"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as NovitaEmulator from "@venice-effect/emulator/NovitaEmulator"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as NovitaClient from "@venice-effect/novita/NovitaClient"
import * as PaymentPolicy from "@venice-effect/venice/PaymentPolicy"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
// these tests sign with wallets: their calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"
import * as NovitaLanguageModel from "../src/NovitaLanguageModel.js"
import * as VeniceLanguageModel from "../src/VeniceLanguageModel.js"

export { drive, realPause } from "@venice-effect/emulator/Testing"

export const KEY = "test-key-ai-0123456789abcdef"
export const NOVITA_KEY = "nk-test-ai-0123456789abcdef"
export const MODEL = "venice-uncensored"
export const REASONING_MODEL = "zai-org-glm-5-1"

/** A realistic "now" for the TestClock (Venice's reset headers are read by magnitude). */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)

/** The JSON bodies the client sent, in order. */
export interface Sent {
  readonly bodies: Array<Record<string, unknown>>
  readonly headers: Array<Readonly<Record<string, string>>>
}

const decoder = new TextDecoder()

/** An `HttpClient` (undici) that records the JSON bodies and headers of the requests it sends. */
export const recordingHttp = (sent: Sent): Layer.Layer<HttpClient.HttpClient> =>
  Layer.effect(
    HttpClient.HttpClient,
    Effect.map(HttpClient.HttpClient, (client) =>
      HttpClient.tapRequest(client, (request: HttpClientRequest.HttpClientRequest) =>
        Effect.sync(() => {
          sent.headers.push({ ...request.headers })
          if (request.body._tag === "Uint8Array") {
            const parsed: unknown = JSON.parse(decoder.decode(request.body.body))
            if (typeof parsed === "object" && parsed !== null) {
              sent.bodies.push({ ...parsed })
            }
          }
        })))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))

const realisticTime = Layer.effectDiscard(
  Effect.clockWith((clock) => ("setTime" in clock ? (clock as TestClock.TestClock).setTime(NOW) : Effect.void))
)

/** The Venice emulator, a `VeniceClient` on it, and `LanguageModel` for `model`. */
export const venice = (
  options: {
    readonly model?: string
    readonly config?: Omit<VeniceLanguageModel.Config.Service, "model">
    readonly emulator?: Emulator.Config
    readonly client?: Omit<VeniceClient.Options, "baseUrl" | "apiKey">
  } = {}
) => {
  const sent: Sent = { bodies: [], headers: [] }
  const emulator = Emulator.layer({ keys: [KEY], ...options.emulator })
  const client = Layer.unwrapEffect(
    Effect.map(
      Emulator.VeniceEmulator,
      (emu) => VeniceClient.layer({ apiKey: Redacted.make(KEY), ...options.client, baseUrl: emu.baseUrl })
    )
  ).pipe(Layer.provide(recordingHttp(sent)))
  const model: Layer.Layer<LanguageModel.LanguageModel, never, VeniceClient.VeniceClient> = VeniceLanguageModel.layer({
    model: options.model ?? MODEL,
    config: options.config
  })
  const layer = model.pipe(
    Layer.provideMerge(client),
    Layer.provideMerge(emulator),
    Layer.provideMerge(realisticTime)
  )
  return { layer, sent }
}

/** The Novita emulator, a `NovitaClient` on it, and `LanguageModel` for `model`. */
export const novita = (options: { readonly model?: string; readonly emulator?: NovitaEmulator.Config } = {}) => {
  const sent: Sent = { bodies: [], headers: [] }
  const emulator = NovitaEmulator.layer({ keys: [NOVITA_KEY], ...options.emulator })
  const client = Layer.unwrapEffect(
    Effect.map(
      NovitaEmulator.NovitaEmulator,
      (emu) => NovitaClient.layer({ apiKey: Redacted.make(NOVITA_KEY), baseUrl: emu.baseUrl })
    )
  ).pipe(Layer.provide(recordingHttp(sent)))
  const layer = NovitaLanguageModel.layer({ model: options.model ?? NOVITA_MODEL }).pipe(
    Layer.provideMerge(client),
    Layer.provideMerge(emulator)
  )
  return { layer, sent }
}

/** A model the Novita emulator knows by default. */
export const NOVITA_MODEL = "meta-llama/llama-3.1-8b-instruct"

/** A tracer that records every span's name, parent and attributes. */
export const recordingTracer = () => {
  const records: Array<{ name: string; parent: string | undefined; attributes: Record<string, unknown> }> = []
  let ids = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const id = String(++ids)
      const record = {
        name,
        parent: parent._tag === "Some" ? parent.value.spanId : undefined,
        attributes: {} as Record<string, unknown>,
        id
      }
      records.push(record)
      const attributes = new Map<string, unknown>()
      return {
        _tag: "Span",
        name,
        spanId: id,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        links,
        sampled: true,
        kind,
        end() {},
        attribute(key, value) {
          attributes.set(key, value)
          record.attributes[key] = value
        },
        event() {},
        addLinks() {}
      } satisfies Tracer.Span
    },
    context: (f) => f()
  })
  const dump = () => JSON.stringify(records, (_, v) => (typeof v === "bigint" ? v.toString() : v))
  return { tracer, records, dump }
}

/**
 * The Venice emulator with a throwaway wallet's credit (viem's `generatePrivateKey()`, never funded anywhere), the
 * wallet, a payment policy (cap $10, budget $50) and a wallet client on the emulator, and `LanguageModel` over it.
 * The TestClock is set to the real time (x402 authorizations are valid from real time).
 */
export const wallet = (options: { readonly balanceUsd?: number } = {}) => {
  const key = generatePrivateKey()
  const address = privateKeyToAccount(key).address
  const emulator = Emulator.layer({ x402: { wallets: { [address]: options.balanceUsd ?? 0 } } })
  const payments = Layer.unwrapEffect(
    Effect.map(
      Emulator.VeniceEmulator,
      (emu) =>
        PaymentPolicy.layer({
          maxPerPaymentUsd: 10,
          budgetUsd: 50,
          settlement: { poll: "2 seconds" },
          baseUrl: emu.baseUrl
        })
    )
  )
  const layer = VeniceLanguageModel.layer({ model: MODEL }).pipe(
    Layer.provideMerge(PaymentPolicy.layerClient()),
    Layer.provideMerge(payments),
    Layer.provideMerge(VeniceWallet.layer({ privateKey: Redacted.make(key) })),
    Layer.provideMerge(emulator),
    Layer.provideMerge(NodeHttpClient.layerUndici),
    Layer.provideMerge(Layer.effectDiscard(TestClock.setTime(Date.now())))
  )
  return { layer, address, key }
}
