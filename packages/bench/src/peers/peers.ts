/**
 * The peers of the emulator suites (goodput, error budget, storm, overhead), each a way to send one chat completion
 * and report how it ended:
 *
 * - `ours`: `Chat.completions` through `VeniceClient` (default options: retry policy, pacing, error-budget guard) on
 *   `NodeHttpClient.layerUndici`;
 * - `seed`: the seed guide's reference `callVenice` loop on `fetch`;
 * - `skill`: the `venice-errors` skill's newer `callVenice` loop on `fetch`;
 * - `openai`: the `openai` npm client (v6) with its own retries (`maxRetries` default, 2);
 * - `raw`: `fetch` with no retries (the floor).
 *
 * A peer is built per run (fresh client, fresh limiter state) and closed after it. `send` never rejects.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Chat from "@venice-effect/venice/Chat"
import * as Responses from "@venice-effect/venice/Responses"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import OpenAI from "openai"
import * as Seed from "./callVeniceSeed.js"
import * as Skill from "./callVeniceSkill.js"

export const PEERS = ["ours", "seed", "skill", "openai", "raw"] as const
export type PeerName = (typeof PEERS)[number]

export const PEER_INFO: Record<
  PeerName,
  { readonly letter: string; readonly label: string; readonly description: string }
> = {
  ours: {
    letter: "(a)",
    label: "venice-effect",
    description:
      "`Chat.completions` via `VeniceClient.layer({ apiKey, baseUrl })` on `NodeHttpClient.layerUndici`, default options (retry policy, pacing, error-budget guard)"
  },
  seed: {
    letter: "(b)",
    label: "seed `callVenice`",
    description:
      "the seed guide's reference retry loop (`seeds/003`), re-typed in `src/peers/callVeniceSeed.ts`, on `fetch`"
  },
  skill: {
    letter: "(b′)",
    label: "skill `callVenice`",
    description:
      "the newer loop of the official `venice-errors` skill (reads `x-ratelimit-reset-requests` / `-resets`), re-typed in `src/peers/callVeniceSkill.ts`, on `fetch`"
  },
  openai: {
    letter: "(c)",
    label: "openai 6",
    description: "`openai` (npm, v6) `chat.completions.create`, its own retries (`maxRetries` default: 2)"
  },
  raw: {
    letter: "(d)",
    label: "raw fetch",
    description: "`fetch` (Node's bundled undici) and `res.json()`, no retries (the floor)"
  }
}

/** What a request is: a valid chat completion, or a request the server rejects with 400 (same key, model, user). */
export type RequestKind = "chat" | "invalid"

export interface SendResult {
  readonly ok: boolean
  /** How it failed, for the report (`429`, `400`, `ErrorBudgetExhaustedError`, `aborted` …). */
  readonly failure?: string | undefined
}

export interface Peer {
  readonly send: (kind: RequestKind, signal: AbortSignal) => Promise<SendResult>
  readonly close: () => Promise<void>
}

export interface PeerConfig {
  readonly baseUrl: string
  readonly apiKey: string
  readonly model: string
}

const chatBody = (model: string) => ({ model, messages: [{ role: "user" as const, content: "hi" }] })
const invalidBody = (model: string) => ({ model, input: "hi" })

const statusOf = (error: unknown): number | undefined =>
  typeof error === "object" && error !== null && "status" in error && typeof error.status === "number"
    ? error.status
    : undefined

const describe = (error: unknown): string => {
  if (error instanceof Error && error.name === "AbortError") return "aborted"
  const status = statusOf(error)
  if (status !== undefined) return String(status)
  if (error instanceof Error) return error.message.slice(0, 60)
  return String(error).slice(0, 60)
}

const fetchPeer = (config: PeerConfig, loop: (<T>(fn: () => Promise<Response>) => Promise<T>) | undefined): Peer => {
  const headers = { "content-type": "application/json", authorization: `Bearer ${config.apiKey}` }
  const chat = JSON.stringify(chatBody(config.model))
  const invalid = JSON.stringify(invalidBody(config.model))
  return {
    send: async (kind, signal) => {
      const url = `${config.baseUrl}/${kind === "chat" ? "chat/completions" : "responses"}`
      const fn = () => fetch(url, { method: "POST", headers, body: kind === "chat" ? chat : invalid, signal })
      try {
        if (loop !== undefined) {
          await loop<unknown>(fn)
          return { ok: true }
        }
        const res = await fn()
        await res.arrayBuffer()
        return res.ok ? { ok: true } : { ok: false, failure: String(res.status) }
      } catch (error) {
        return { ok: false, failure: signal.aborted ? "aborted" : describe(error) }
      }
    },
    close: async () => {}
  }
}

const openaiPeer = (config: PeerConfig): Peer => {
  const client = new OpenAI({ apiKey: config.apiKey, baseURL: config.baseUrl })
  return {
    send: async (kind, signal) => {
      try {
        if (kind === "chat") await client.chat.completions.create(chatBody(config.model), { signal })
        else await client.responses.create(invalidBody(config.model), { signal })
        return { ok: true }
      } catch (error) {
        return { ok: false, failure: signal.aborted ? "aborted" : describe(error) }
      }
    },
    close: async () => {}
  }
}

const oursPeer = async (config: PeerConfig): Promise<Peer> => {
  const layer = VeniceClient.layer({ apiKey: Redacted.make(config.apiKey), baseUrl: config.baseUrl }).pipe(
    Layer.provide(NodeHttpClient.layerUndici)
  )
  const runtime = ManagedRuntime.make(layer)
  await runtime.runPromise(Effect.void)
  const chat = Effect.asVoid(Chat.completions(chatBody(config.model)))
  const invalid = Effect.asVoid(Responses.create(invalidBody(config.model)))
  return {
    send: async (kind, signal) => {
      const exit = await runtime.runPromiseExit(kind === "chat" ? chat : invalid, { signal })
      if (Exit.isSuccess(exit)) return { ok: true }
      if (signal.aborted || Cause.isInterruptedOnly(exit.cause)) return { ok: false, failure: "aborted" }
      const failure = Cause.failureOption(exit.cause)
      if (Option.isNone(failure)) return { ok: false, failure: "defect" }
      const error = failure.value
      return {
        ok: false,
        failure: "status" in error && typeof error.status === "number" ? String(error.status) : error._tag
      }
    },
    close: () => runtime.dispose()
  }
}

export const makePeer = async (name: PeerName, config: PeerConfig): Promise<Peer> => {
  switch (name) {
    case "ours":
      return oursPeer(config)
    case "seed":
      return fetchPeer(config, Seed.callVenice)
    case "skill":
      return fetchPeer(config, Skill.callVenice)
    case "openai":
      return openaiPeer(config)
    case "raw":
      return fetchPeer(config, undefined)
  }
}
