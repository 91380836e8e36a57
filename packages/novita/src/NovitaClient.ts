/**
 * The Novita AI client: core's provider client (`ProviderClient`) configured for Novita — its total error decoder
 * (`NovitaError`), its classifier and retry `Schedule` (`RetryPolicy`), its catalog log levels. Every call goes
 * through core's request pipeline: a `Redacted` Bearer key added per attempt, a span per call with retries as
 * events, attempts/retries/waits metrics. Novita has no failed-request budget and sends no rate-limit headers, so the
 * pipeline's guard and pacing stay off.
 *
 * The `HttpClient` stays a requirement: provide `NodeHttpClient.layerUndici` or `FetchHttpClient.layer`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { Chat, NovitaClient } from "@venice-effect/novita"
 *
 * // NOVITA_API_KEY (redacted) and optionally NOVITA_BASE_URL
 * const Novita = NovitaClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
 *
 * const program = Chat.completions({
 *   model: "meta-llama/llama-3.1-8b-instruct",
 *   messages: [{ role: "user", content: "hi" }]
 * })
 * Effect.runPromise(program.pipe(Effect.provide(Novita)))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ClientError from "@venice-effect/core/ClientError"
import * as ProviderClient from "@venice-effect/core/ProviderClient"
import * as RequestValidation from "@venice-effect/core/RequestValidation"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as NovitaError from "./NovitaError.js"
import * as RetryPolicy from "./RetryPolicy.js"

/**
 * Novita's production origin (LLM routes live under `/openai/v1`, async tasks under `/v3/async`).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://api.novita.ai"

/**
 * What Novita's responses say about themselves: the `X-Request-ID`.
 *
 * @since 0.2.0
 * @category models
 */
export interface ResponseMeta {
  readonly requestId: string | undefined
}

/**
 * Client options. Only the key is required. Defaults: base URL `https://api.novita.ai` (paths are appended:
 * `/openai/v1/chat/completions`), {@link RetryPolicy.defaultPolicy}, 180 s per attempt, 60 s longest announced wait
 * (a proxy's `Retry-After`).
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ProviderClient.Options<NovitaError.NovitaError> {
  /** The API key, as `Redacted` so it never prints. Sent as `Authorization: Bearer <key>`. */
  readonly apiKey: Redacted.Redacted<string>
}

/**
 * Per-call options, accepted by every endpoint function.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions<R = never> extends ProviderClient.CallOptions<NovitaError.NovitaError, R> {}

/**
 * One request, as endpoint modules describe it (`path` under the base URL: `/openai/v1/chat/completions`).
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestSpec extends ProviderClient.RequestSpec {}

/**
 * A successful response: the decoded value, the status, the headers and the `X-Request-ID`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Response<A> extends ProviderClient.Response<A, ResponseMeta> {}

/**
 * The raw successful response, for bodies the caller consumes itself (streams).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawResponse extends ProviderClient.RawResponse<ResponseMeta> {}

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service extends ProviderClient.Service<NovitaError.NovitaError, ResponseMeta> {}

/**
 * @since 0.1.0
 * @category tags
 */
export class NovitaClient extends Context.Tag("@venice-effect/novita/NovitaClient")<NovitaClient, Service>() {}

/**
 * Novita as a provider: its total error decoder, its classifier, its catalog log levels and error attributes for
 * spans, its defaults (`NOVITA_API_KEY`, `NOVITA_BASE_URL`). No limit headers, no error budget.
 *
 * @since 0.1.0
 * @category provider
 */
export const provider: ProviderClient.Provider<NovitaError.NovitaError, ResponseMeta> = {
  name: "novita",
  decodeError: (response) =>
    NovitaError.decodeResponse({
      status: response.status,
      headers: response.headers,
      body: response.body,
      nowMillis: response.nowMillis,
      request: response.request,
      route: response.request.url
    }),
  classify: RetryPolicy.classify,
  logLevel: NovitaError.catalogLogLevel,
  errorAttributes: (error) => ({
    "http.response.status_code": error.status,
    ...(error._tag === "NovitaApiError"
      ? {
        "novita.code": error.code,
        "novita.reason": error.reason,
        ...(error.group !== undefined ? { "novita.group": error.group } : {})
      }
      : {}),
    ...(error.requestId !== undefined ? { "novita.request_id": error.requestId } : {})
  }),
  defaultBaseUrl: DEFAULT_BASE_URL,
  config: { apiKey: "NOVITA_API_KEY", baseUrl: "NOVITA_BASE_URL" },
  userAgent: "venice-effect-novita/0.1.0",
  retry: RetryPolicy.defaultPolicy,
  meta: (headers) => ({ requestId: headers["x-request-id"] })
}

/**
 * Validates a request (its JSON form) against its schema before anything is sent (B2): core's
 * `RequestValidation.validate` with the provider set to `novita`.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateRequest = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  request: unknown
): Effect.Effect<A, ClientError.RequestValidationError> =>
  RequestValidation.validate(provider.name, operation, schema, request)

/**
 * Why a client could not be built: a base URL that cannot be used (B4). Nothing was sent.
 *
 * @since 0.2.0
 * @category errors
 */
export type BuildError = ProviderClient.BuildError

/**
 * Builds the service. Requires an `HttpClient`; uses the `LimiterStore` in context, else an in-memory one (Novita
 * needs none: no pacing, no error budget).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, BuildError, HttpClient.HttpClient> =>
  ProviderClient.make(provider, options)

/**
 * A layer from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<NovitaClient, BuildError, HttpClient.HttpClient> =>
  ProviderClient.layer(NovitaClient, provider, options)

/**
 * A layer from configuration: the key (read with `Config.redacted`) and the base URL from the `Config` values given,
 * by default `NOVITA_API_KEY` and `NOVITA_BASE_URL` (default `https://api.novita.ai`); other options as given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ProviderClient.ConfigOptions<NovitaError.NovitaError> = {}
): Layer.Layer<NovitaClient, BuildError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  ProviderClient.layerConfig(NovitaClient, provider, options)
