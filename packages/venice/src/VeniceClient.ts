/**
 * The Venice client (DESIGN "A call, end to end"): core's provider client (`ProviderClient`) configured for Venice —
 * its error decoder and catalog, its limit headers and error budget, its body limits, its response facts
 * (`ResponseMeta`); a wallet's payment step comes with its authenticator. Every call goes through one pipeline: base URL, credentials (a
 * `Redacted` Bearer key, or a wallet that signs per attempt), the error-budget guard, proactive pacing, a span,
 * decoding into tagged errors, and the retry `Schedule`.
 *
 * The `HttpClient` stays a requirement: provide `NodeHttpClient.layerUndici` or `FetchHttpClient.layer`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Redacted, Schedule } from "effect"
 * import { Chat, RetryPolicy, VeniceClient } from "@venice-effect/venice"
 *
 * const Venice = VeniceClient.layer({
 *   apiKey: Redacted.make(process.env.VENICE_API_KEY!),
 *   retry: RetryPolicy.make({ maxRetries: 2 }).pipe(Schedule.upTo("20 seconds"))
 * }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 *
 * const program = Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
 * Effect.runPromise(program.pipe(Effect.provide(Venice)))
 * ```
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as BaseUrl from "@venice-effect/core/BaseUrl"
import type * as ClientError from "@venice-effect/core/ClientError"
import type * as Pipeline from "@venice-effect/core/Pipeline"
import * as ProviderClient from "@venice-effect/core/ProviderClient"
import * as RateLimit from "@venice-effect/core/RateLimit"
import * as RequestValidation from "@venice-effect/core/RequestValidation"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import type * as Effect from "effect/Effect"
import type * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as ResponseMeta from "./ResponseMeta.js"
import * as RetryPolicy from "./RetryPolicy.js"
import * as VeniceError from "./VeniceError.js"
import * as WalletError from "./WalletError.js"

/**
 * Venice's production base URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://api.venice.ai/api/v1"

/**
 * The errors of Venice's provider spec: a decoded response error, or the client's own wallet errors (signing,
 * payments).
 *
 * @since 0.2.0
 * @category models
 */
export type ProviderError = VeniceError.VeniceError | WalletError.WalletError

/**
 * How a client authenticates each attempt. A Bearer key is the same every time; a wallet signs a fresh
 * `SIGN-IN-WITH-X` header per attempt (R10).
 *
 * @since 0.1.0
 * @category models
 */
export interface Authenticator extends ProviderClient.Authenticator<ProviderError> {}

/**
 * Client options. Only the credentials are required (an `apiKey`, or a wallet's `authenticator`). Defaults: base URL
 * `https://api.venice.ai/api/v1`, {@link RetryPolicy.defaultPolicy}, pacing and the error-budget guard on (R8,
 * 2 failures kept in hand), 180 s per attempt, 60 s longest announced wait.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends ProviderClient.Options<ProviderError> {}

/**
 * Per-call options, accepted by every endpoint function.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions<R = never> extends ProviderClient.CallOptions<ProviderError, R> {}

/**
 * One request, as endpoint modules describe it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestSpec extends ProviderClient.RequestSpec {}

/**
 * A successful response: the decoded value, the status, the `X-Request-ID` and the response's header facts (decoded
 * on first access).
 *
 * @since 0.1.0
 * @category models
 */
export interface Response<A> extends ProviderClient.Response<A, ResponseMeta.ResponseMeta> {}

/**
 * The raw successful response, for bodies the caller consumes itself (bytes, streams).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawResponse extends ProviderClient.RawResponse<ResponseMeta.ResponseMeta> {}

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service extends ProviderClient.Service<ProviderError, ResponseMeta.ResponseMeta> {}

/**
 * @since 0.1.0
 * @category tags
 */
export class VeniceClient extends Context.Tag("@venice-effect/venice/VeniceClient")<VeniceClient, Service>() {}

// ─── Provider spec ───────────────────────────────────────────────────────────────────────────────

const fastLimits = (
  headers: Readonly<Record<string, string>>,
  nowMillis: number
): Pipeline.LimitFacts => {
  const count = (name: string) => {
    const v = headers[name]
    return v === undefined ? undefined : Option.getOrUndefined(RateLimit.parseCount(v))
  }
  const reset = (name: string) => {
    const v = headers[name]
    return v === undefined
      ? undefined
      : Option.getOrUndefined(Option.map(RateLimit.parseReset(v, nowMillis), (r) => DateTime.toEpochMillis(r.resetAt)))
  }
  const limit = count("x-ratelimit-limit-requests")
  const remaining = count("x-ratelimit-remaining-requests")
  const resetAt = reset("x-ratelimit-reset-requests")
  const budgetRemaining = headers["x-ratelimit-resets"] !== undefined ? count("x-ratelimit-remaining") : undefined
  const budgetReset = reset("x-ratelimit-resets")
  return {
    ...(limit !== undefined && remaining !== undefined && resetAt !== undefined
      ? { window: { limit, remaining, resetAt } }
      : {}),
    ...(budgetRemaining !== undefined && budgetReset !== undefined
      ? { budget: { remaining: budgetRemaining, resetAt: budgetReset } }
      : {})
  }
}

/**
 * Venice's largest JSON request body: 35 MB (skill venice-errors: a bigger one is a `413`).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_JSON_BODY_BYTES = 35 * 1024 * 1024

/**
 * Venice's largest uploaded file (multipart part): 25 MB (`/audio/transcriptions` answers `400 Maximum size is 25MB`,
 * the other upload routes `413`).
 *
 * @since 0.1.0
 * @category constants
 */
export const MAX_FILE_BYTES = 25 * 1024 * 1024

/**
 * Venice as a provider: its decoder, classifier, catalog log levels, limit headers and error budget (50 failed
 * requests per 30 s), its defaults (`VENICE_API_KEY`, `VENICE_BASE_URL`), its body limits, its response facts
 * (`ResponseMeta`). Its calls may also fail with the client's own wallet errors (signing, payments): a wallet's
 * payment step is its authenticator's (`PaymentPolicy.Service.authenticator`), not the provider's.
 *
 * @since 0.1.0
 * @category provider
 */
export const provider: ProviderClient.Provider<ProviderError, ResponseMeta.ResponseMeta> = {
  name: "venice",
  decodeError: (response) => {
    const decoded = VeniceError.decodeResponse({
      status: response.status,
      headers: response.headers,
      body: response.body,
      nowMillis: response.nowMillis,
      request: {
        method: response.request.method,
        url: response.request.url,
        attempt: response.request.attempt,
        correlationId: response.request.correlationId,
        route: response.request.route === "crypto-rpc" ? "crypto-rpc" : "other"
      }
    })
    return { error: decoded.error, ignoredHeaders: decoded.ignoredHeaders }
  },
  classify: RetryPolicy.classify,
  // a wallet error (the client's own decision about a payment, or a failed signer) is worth a warning
  logLevel: (error) => (WalletError.isWalletError(error) ? "warn" : VeniceError.logLevel(error)),
  limits: (headers, nowMillis) => fastLimits(headers, nowMillis),
  errorAttributes: (error) =>
    WalletError.isWalletError(error)
      ? { "venice.wallet_error": error._tag }
      : {
        "venice.code": error.code,
        "http.response.status_code": error.status,
        ...(error.requestId !== undefined ? { "venice.request_id": error.requestId } : {}),
        ...(error.cfRay !== undefined ? { "venice.cf_ray": error.cfRay } : {}),
        ...(error.veniceVersion !== undefined ? { "venice.version": error.veniceVersion } : {})
      },
  errorBudget: { limit: 50, window: Duration.seconds(30) },
  defaultBaseUrl: DEFAULT_BASE_URL,
  config: { apiKey: "VENICE_API_KEY", baseUrl: "VENICE_BASE_URL" },
  userAgent: "venice-effect/0.1.0",
  retry: RetryPolicy.defaultPolicy,
  meta: (headers, context) => ResponseMeta.decode(headers, context).value,
  bodyLimits: { json: MAX_JSON_BODY_BYTES, file: MAX_FILE_BYTES }
}

// ─── Construction ────────────────────────────────────────────────────────────────────────────────

/**
 * A Bearer-key authenticator.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearer: (apiKey: Redacted.Redacted<string>) => Effect.Effect<Authenticator> = ProviderClient.bearer

/**
 * A request body once its size was checked: JSON as the text to send, or the encoded multipart bytes.
 *
 * @since 0.1.0
 * @category models
 */
export type CheckedBody = ProviderClient.CheckedBody

/**
 * The body of a request as it will be sent, after Venice's size limits were checked locally (B2): a JSON body
 * over {@link MAX_JSON_BODY_BYTES} or a file over {@link MAX_FILE_BYTES} is a `RequestValidationError`, and nothing is
 * sent (neither the upload nor an error-budget slot is spent). JSON is serialized once; form data is encoded once as
 * `multipart/form-data` bytes.
 *
 * @since 0.1.0
 * @category validation
 */
export const checkBodySize = (
  operation: string,
  body: RequestSpec["body"]
): Effect.Effect<CheckedBody, ClientError.RequestValidationError> =>
  ProviderClient.checkBody("venice", operation, body, provider.bodyLimits)

/**
 * Credentials were missing from the options.
 *
 * @since 0.1.0
 * @category errors
 */
export const MissingCredentialsError = ProviderClient.MissingCredentialsError

/**
 * @since 0.1.0
 * @category errors
 */
export type MissingCredentialsError = ProviderClient.MissingCredentialsError

/**
 * Why a client could not be built: no credentials, or a base URL that cannot be used (B4). Nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export type BuildError = MissingCredentialsError | BaseUrl.InvalidBaseUrlError

/**
 * Validates a request (its JSON form, as users write it) against its schema before anything is sent (B2). The
 * field-level messages become a `RequestValidationError`: nothing is spent, neither money nor error budget.
 *
 * @since 0.1.0
 * @category validation
 */
export const validateRequest = <A, I>(
  operation: string,
  schema: Schema.Schema<A, I>,
  request: unknown
): Effect.Effect<A, ClientError.RequestValidationError> =>
  RequestValidation.validate("venice", operation, schema, request)

/**
 * Builds the service. Requires an `HttpClient`; uses the `LimiterStore` in context, else an in-memory one.
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
export const layer = (options: Options): Layer.Layer<VeniceClient, BuildError, HttpClient.HttpClient> =>
  ProviderClient.layer(VeniceClient, provider, options)

/**
 * A layer from configuration: the key (redacted) and the base URL (checked as `baseUrl` is) from the `Config`
 * values given, by default `VENICE_API_KEY` and `VENICE_BASE_URL` (default `https://api.venice.ai/api/v1`); other
 * options as given.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { VeniceClient } from "@venice-effect/venice"
 *
 * const Staging = VeniceClient.layerConfig({
 *   apiKey: Config.redacted("STAGING_VENICE_KEY"),
 *   baseUrl: Config.string("STAGING_VENICE_URL")
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: ProviderClient.ConfigOptions<ProviderError> = {}
): Layer.Layer<VeniceClient, BuildError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  ProviderClient.layerConfig(VeniceClient, provider, options)
