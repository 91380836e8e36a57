/**
 * What a route handler sees: the parsed request, who sent it, the limiter state, and the emulator.
 */
import type * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as Siwx from "@venice-effect/core/Siwx"
import type * as Models from "@venice-effect/venice/schema/Models"
import type * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import type * as Http from "node:http"
import type * as Faults from "../Faults.js"
import type { ErrorEnv } from "./errors.js"
import type { WindowState } from "./limiters.js"
import type { Reply } from "./reply.js"
import type { KeyRecord, Settings, SiwxIdentity, State, Wallet } from "./state.js"

/** The emulator as the routes see it. */
export interface Env {
  readonly state: State
  readonly settings: Settings
  /** `http://host:port` once listening. */
  readonly origin: () => string
  /** The SIWX verifier (core's `Siwx.verify` against the configured domain unless replaced). */
  readonly verifySiwx: (header: string) => Effect.Effect<SiwxIdentity, Siwx.SiwxVerifyError>
  /** The emulator's scope: work that outlives a request (a late forward of a `LostAnswer`) runs in it. */
  readonly scope: Scope.Scope
}

/** Who sent the request, once verified. */
export type Identity =
  | { readonly _tag: "none" }
  | { readonly _tag: "key"; readonly key: KeyRecord }
  | { readonly _tag: "wallet"; readonly wallet: Wallet }

/** How a route authenticates. */
export type AuthMode =
  /** No credentials needed. */
  | "none"
  /** Bearer key or SIWX wallet (SIWX wins when both are sent). */
  | "any"
  /** Bearer key only (a SIWX header alone is `401 Authentication failed`). */
  | "bearer"
  /** ADMIN Bearer key only (an INFERENCE key is `401 Admin API key required`). */
  | "admin"
  /** SIWX only (`/x402/balance`, `/x402/transactions`). */
  | "siwx"

/** One route. */
export interface RouteSpec {
  /** The name in stats and fault matches (`chat/completions`). */
  readonly name: string
  readonly method: "GET" | "POST" | "PATCH" | "DELETE"
  /** Router path (`/api/v1/crypto/rpc/:network`). */
  readonly path: `/${string}`
  readonly auth: AuthMode
  /** `json`: a JSON body is required; `multipart`: form data; `either`: one of the two; `none`: the body is ignored. */
  readonly body: "json" | "multipart" | "either" | "none"
  /** Inference routes: the model type the `model` must have; the per-model request windows apply. */
  readonly modelType?: Models.ModelType | undefined
  /**
   * A per-route limiter without rate-limit headers (the x402 routes): requests per minute per IP or per wallet; the
   * 429 says "Rate limit exceeded. Please try again later."
   */
  readonly perMinute?: { readonly limit: number; readonly by: "ip" | "wallet" } | undefined
  /** Whether the request asks for a streamed answer (stream faults match only those). */
  readonly streaming?: ((body: unknown) => boolean) | undefined
  /** Whether the request asks for a structured output (content faults match only those). */
  readonly structured?: ((body: unknown) => boolean) | undefined
  readonly handle: (ctx: Ctx) => Effect.Effect<Reply>
}

/** The request as a handler sees it. */
export interface Ctx {
  readonly env: Env
  readonly spec: RouteSpec
  readonly request: HttpServerRequest.HttpServerRequest
  readonly params: Readonly<Record<string, string | undefined>>
  readonly search: URLSearchParams
  /** The parsed JSON body (`undefined` for `none` routes). */
  readonly body: unknown
  /** The raw body bytes. */
  readonly rawBody: Uint8Array
  /** The `content-type` of the request. */
  readonly contentType: string
  /** The `model` of the body, when a string. */
  readonly model: string | undefined
  /** Clock time at arrival (Unix ms). */
  readonly now: number
  readonly identity: Identity
  readonly ip: string
  /** The scripted stream fault for this request. */
  readonly streamFault: Faults.StreamFault | undefined
  /** The scripted settlement fault for this request (a paying top-up). */
  readonly settlementFault: Faults.Settlement | undefined
  /** The scripted content fault for this request (a structured-output chat request). */
  readonly contentFault?: Faults.StructuredOutputViolation | undefined
  /** The Node response (for transport actions). */
  readonly response: () => Http.ServerResponse
  /** The request window after this request (inference routes). */
  readonly requests: WindowState | undefined
  /** What error replies need. */
  readonly errorEnv: ErrorEnv
  /** Random lowercase hex of `length` characters. */
  readonly hex: (length: number) => Effect.Effect<string>
  /** Charges the caller (key balance or wallet ledger), and records tokens for the token window. */
  readonly charge: (
    charge: {
      readonly usd: number
      readonly model: string | null
      readonly requestId: string | null
      readonly tokens?: number
    }
  ) => void
}
