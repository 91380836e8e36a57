/**
 * Every example the OpenAPI spec gives for the routes this SDK covers decodes with the matching schema: request
 * examples with the request schema, `200` JSON examples with the response schema, parameter examples with the
 * parameter schema. See `spec.ts` for "documented" vs "synthesized" examples.
 *
 * Examples that are invalid against the spec's *own* schema are listed in `knownInvalid` with the reason and skipped
 * explicitly; a test checks that each entry still names an existing example.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ApiKeys from "@venice-effect/venice/schema/ApiKeys"
import * as Audio from "@venice-effect/venice/schema/Audio"
import * as Billing from "@venice-effect/venice/schema/Billing"
import * as Chat from "@venice-effect/venice/schema/Chat"
import * as CryptoRpc from "@venice-effect/venice/schema/CryptoRpc"
import * as Embeddings from "@venice-effect/venice/schema/Embeddings"
import * as Image from "@venice-effect/venice/schema/Image"
import * as Models from "@venice-effect/venice/schema/Models"
import * as Responses from "@venice-effect/venice/schema/Responses"
import * as Video from "@venice-effect/venice/schema/Video"
import * as X402Api from "@venice-effect/venice/schema/X402Api"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type { Example } from "./spec.js"
import { parameterExamples, requestExamples, responseExamples } from "./spec.js"

interface Route {
  readonly route: string
  readonly method: "get" | "post"
  /** Request body schema (JSON unless `requestContentType`). */
  readonly request?: Schema.Schema.AnyNoContext
  readonly requestContentType?: string
  /** Turns a spec example into what the schema decodes (e.g. a multipart placeholder into a Blob). */
  readonly prepareRequest?: (value: unknown) => unknown
  /** `200` `application/json` body schema. */
  readonly response?: Schema.Schema.AnyNoContext
  /** Parameter schemas by name; query parameters are decoded as `{ [name]: value }` with `query`. */
  readonly parameters?: ReadonlyArray<{
    readonly name: string
    readonly schema: Schema.Schema.AnyNoContext
    readonly query?: boolean
  }>
}

/**
 * The multipart example gives the file as a placeholder string (`"[audio file]"`), and the spec forgets to mark
 * `file` required (Venice rejects a request without it; the skills say "Required"), so synthesized examples lack it:
 * put a real Blob in its place.
 */
const withBlobFile = (value: unknown): unknown =>
  typeof value === "object" && value !== null
    ? { ...value, file: new Blob([new Uint8Array([0x52, 0x49, 0x46, 0x46])], { type: "audio/wav" }) }
    : value

/**
 * The synthesized `/video/queue` documents combine every property example, whatever model each belongs to; the
 * request schema also holds the per-model rules (`videoQueueRules`). Sent to Seedance 2.5 R2V, the one model family
 * that takes `omni_reference_task_type`, with a reference video (which `auto` durations and task types need), they
 * are coherent requests.
 */
const asSeedanceReference = (value: unknown): unknown =>
  typeof value === "object" && value !== null && "model" in value
    ? {
      ...value,
      model: "seedance-2-5-reference-to-video-basic",
      reference_video_urls: "reference_video_urls" in value && Array.isArray(value.reference_video_urls) &&
          value.reference_video_urls.length > 0
        ? value.reference_video_urls
        : ["https://example.com/reference-clip.mp4"]
    }
    : value

const routes: ReadonlyArray<Route> = [
  {
    route: "/chat/completions",
    method: "post",
    request: Chat.ChatCompletionRequest,
    response: Chat.ChatCompletion
  },
  {
    route: "/responses",
    method: "post",
    request: Responses.ResponsesRequest,
    response: Responses.ResponsesResponse
  },
  {
    route: "/models",
    method: "get",
    response: Models.ModelList,
    parameters: [{ name: "type", schema: Models.ListModelsParams, query: true }]
  },
  {
    route: "/embeddings",
    method: "post",
    request: Embeddings.EmbeddingRequest,
    response: Embeddings.EmbeddingResponse
  },
  {
    route: "/image/generate",
    method: "post",
    request: Image.GenerateImageRequest,
    response: Image.GenerateImageResponse
  },
  { route: "/audio/speech", method: "post", request: Audio.SpeechRequest },
  {
    route: "/audio/transcriptions",
    method: "post",
    request: Audio.TranscriptionRequest,
    requestContentType: "multipart/form-data",
    prepareRequest: withBlobFile,
    response: Audio.TranscriptionResponse
  },
  {
    route: "/video/queue",
    method: "post",
    request: Video.QueueVideoRequest,
    prepareRequest: asSeedanceReference,
    response: Video.QueueVideoResponse
  },
  {
    route: "/video/quote",
    method: "post",
    request: Video.QuoteVideoRequest,
    response: Video.QuoteVideoResponse
  },
  {
    route: "/video/retrieve",
    method: "post",
    request: Video.RetrieveVideoRequest,
    response: Video.RetrieveVideoStatus
  },
  {
    route: "/audio/queue",
    method: "post",
    request: Audio.QueueAudioRequest,
    response: Audio.QueueAudioResponse
  },
  {
    route: "/audio/quote",
    method: "post",
    request: Audio.QuoteAudioRequest,
    response: Audio.QuoteAudioResponse
  },
  {
    route: "/audio/retrieve",
    method: "post",
    request: Audio.RetrieveAudioRequest,
    response: Audio.RetrieveAudioStatus
  },
  { route: "/api_keys/rate_limits", method: "get", response: ApiKeys.RateLimitsResponse },
  { route: "/billing/balance", method: "get", response: Billing.BillingBalance },
  {
    route: "/crypto/rpc/{network}",
    method: "post",
    request: CryptoRpc.CryptoRpcRequest,
    response: CryptoRpc.CryptoRpcResponse,
    parameters: [
      { name: "network", schema: CryptoRpc.Network },
      { name: "Idempotency-Key", schema: CryptoRpc.IdempotencyKey }
    ]
  },
  { route: "/x402/top-up", method: "post", response: X402Api.TopUpResponse },
  {
    route: "/x402/balance/{walletAddress}",
    method: "get",
    response: X402Api.X402Balance,
    parameters: [{ name: "walletAddress", schema: X402Api.WalletAddress }]
  },
  {
    route: "/x402/transactions/{walletAddress}",
    method: "get",
    response: X402Api.X402Transactions,
    parameters: [
      { name: "walletAddress", schema: X402Api.WalletAddress },
      { name: "limit", schema: X402Api.TransactionsParams, query: true },
      { name: "offset", schema: X402Api.TransactionsParams, query: true }
    ]
  }
]

/**
 * Spec examples that violate the spec's own schema, keyed `METHOD route kind: label`. Each is skipped explicitly.
 */
const knownInvalid: Readonly<Record<string, string>> = {
  // `example: "0xYOUR_WALLET_ADDRESS"` does not match the parameter's own
  // `pattern: ^(0x[a-fA-F0-9]{40}|[1-9A-HJ-NP-Za-km-z]{32,44})$` (a placeholder, not an address).
  "GET /x402/balance/{walletAddress} parameter walletAddress: parameter walletAddress schema example":
    "placeholder \"0xYOUR_WALLET_ADDRESS\" does not match the walletAddress pattern",
  "GET /x402/transactions/{walletAddress} parameter walletAddress: parameter walletAddress schema example":
    "placeholder \"0xYOUR_WALLET_ADDRESS\" does not match the walletAddress pattern"
}

const keyOf = (route: Route, kind: string, example: Example) =>
  `${route.method.toUpperCase()} ${route.route} ${kind}: ${example.label}`

const seenKeys = new Set<string>()

const decodes = (schema: Schema.Schema.AnyNoContext, value: unknown) =>
  Effect.asVoid(Schema.decodeUnknown(schema)(value, { errors: "all" }))

const cases = (
  route: Route,
  kind: string,
  examples: ReadonlyArray<Example>,
  schema: Schema.Schema.AnyNoContext,
  prepare: (value: unknown) => unknown = (value) => value
) => {
  for (const example of examples) {
    const key = keyOf(route, kind, example)
    seenKeys.add(key)
    const reason = knownInvalid[key]
    if (reason !== undefined) {
      it.skip(`${kind}: ${example.label} (spec example invalid against the spec: ${reason})`, () => {})
    } else {
      it.effect(`${kind}: ${example.label}`, () => decodes(schema, prepare(example.value)))
    }
  }
}

describe("OpenAPI examples", () => {
  for (const route of routes) {
    describe(`${route.method.toUpperCase()} ${route.route}`, () => {
      if (route.request !== undefined) {
        const examples = requestExamples(route.route, route.method, route.requestContentType)
        it("has request examples", () => expect(examples.length).toBeGreaterThan(0))
        cases(route, "request", examples, route.request, route.prepareRequest)
      }
      if (route.response !== undefined) {
        const examples = responseExamples(route.route, route.method)
        it("has response examples", () => expect(examples.length).toBeGreaterThan(0))
        cases(route, "response", examples, route.response)
      }
      for (const parameter of route.parameters ?? []) {
        const examples = parameterExamples(route.route, route.method, parameter.name)
        cases(
          route,
          `parameter ${parameter.name}`,
          examples,
          parameter.schema,
          parameter.query === true ? (value) => ({ [parameter.name]: value }) : undefined
        )
      }
    })
  }

  it("every knownInvalid entry names an existing example", () => {
    expect(Object.keys(knownInvalid).filter((key) => !seenKeys.has(key))).toEqual([])
  })
})
