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
import * as ClientError from "@venice-effect/core/ClientError"
import type * as Pipeline from "@venice-effect/core/Pipeline"
import * as ProviderClient from "@venice-effect/core/ProviderClient"
import * as RateLimit from "@venice-effect/core/RateLimit"
import * as RequestValidation from "@venice-effect/core/RequestValidation"
import * as CoreRetryPolicy from "@venice-effect/core/RetryPolicy"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import * as ResponseMeta from "./ResponseMeta.js"
import * as RetryPolicy from "./RetryPolicy.js"
import * as VeniceError from "./VeniceError.js"

/**
 * Venice's production base URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://api.venice.ai/api/v1"

/**
 * What the credentials of a program's clients may add to a call's errors, by name — a registry the program extends
 * by declaration merging. Empty by default: an API key adds nothing, so a program that uses no wallet has calls that
 * fail with {@link VeniceError.VeniceError} and core's `ClientError` only. A program that authenticates with a wallet
 * declares the wallet's errors once, anywhere in its sources:
 *
 * ```ts
 * import type {} from "@venice-effect/venice/WalletErrors"
 * ```
 *
 * after which every call's error type names `WalletError` too. The wallet's client layers
 * (`VeniceWallet.layerClient`, `PaymentPolicy.layerClient`) require {@link Declared}`<WalletError>`: without the
 * declaration they do not type-check, so no program can fail with an error its types do not name.
 *
 * @since 0.2.0
 * @category models
 */
export interface AuthenticatorErrors {}

/**
 * The errors the program declared in {@link AuthenticatorErrors} (`never` until it declares some).
 *
 * @since 0.2.0
 * @category models
 */
export type AuthenticatorError = AuthenticatorErrors[keyof AuthenticatorErrors]

/**
 * The errors of a Venice call's provider spec: a decoded response error, or what the program's credentials declared
 * ({@link AuthenticatorErrors}: a wallet's signing and payment errors).
 *
 * @since 0.2.0
 * @category models
 */
export type ProviderError = VeniceError.VeniceError | AuthenticatorError

/**
 * A requirement no context provides: a client layer whose credentials fail with `E` needs it while the program has
 * not declared `E` in {@link AuthenticatorErrors}.
 *
 * @since 0.2.0
 * @category models
 */
export interface Undeclared<E> {
  readonly "~undeclared": (_: never) => E
}

/**
 * `never` once `E` is declared in {@link AuthenticatorErrors}, else {@link Undeclared}`<E>`: the requirement of a
 * client layer whose credentials fail with `E`.
 *
 * @since 0.2.0
 * @category models
 */
export type Declared<E> = [E] extends [AuthenticatorError] ? never : Undeclared<E>

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

const spec = {
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
  limits: (headers, nowMillis) => fastLimits(headers, nowMillis),
  errorBudget: { limit: 50, window: Duration.seconds(30) },
  defaultBaseUrl: DEFAULT_BASE_URL,
  config: { apiKey: "VENICE_API_KEY", baseUrl: "VENICE_BASE_URL" },
  userAgent: "venice-effect/0.1.0",
  meta: (headers, context) => ResponseMeta.decode(headers, context).value,
  bodyLimits: { json: MAX_JSON_BODY_BYTES, file: MAX_FILE_BYTES }
} satisfies Omit<
  ProviderClient.Provider<VeniceError.VeniceError, ResponseMeta.ResponseMeta>,
  "classify" | "logLevel" | "errorAttributes" | "retry"
>

/**
 * Venice as a provider: its decoder, classifier, catalog log levels, limit headers and error budget (50 failed
 * requests per 30 s), its defaults (`VENICE_API_KEY`, `VENICE_BASE_URL`), its body limits, its response facts
 * (`ResponseMeta`). Its calls may also fail with the client's own wallet errors (signing, payments): a wallet's
 * payment step is its authenticator's (`PaymentPolicy.Service.authenticator`), not the provider's.
 *
 * @since 0.1.0
 * @category provider
 */
export const provider: ProviderClient.Provider<ProviderError, ResponseMeta.ResponseMeta> = providerWith<
  AuthenticatorError
>()

/**
 * Venice as a provider for clients whose credentials may fail with `E` (a wallet's `WalletError`): {@link provider}
 * with `E` in place of the declared {@link AuthenticatorError}. Errors that are neither Venice's nor the client's are
 * never retried and are logged as warnings.
 *
 * @since 0.2.0
 * @category provider
 */
export function providerWith<E>(): ProviderClient.Provider<VeniceError.VeniceError | E, ResponseMeta.ResponseMeta> {
  const classify: CoreRetryPolicy.Classifier<VeniceError.VeniceError | E | ClientError.ClientError> = (error) =>
    VeniceError.isVeniceError(error) || ClientError.isClientError(error)
      ? RetryPolicy.classify(error)
      : { retryClass: "never" }
  return {
    ...spec,
    classify,
    retry: CoreRetryPolicy.forProvider(classify).defaultPolicy,
    // a credentials error (the client's own decision about a payment, or a failed signer) is worth a warning
    logLevel: (error) => (VeniceError.isVeniceError(error) ? VeniceError.logLevel(error) : "warn"),
    errorAttributes: (error) =>
      VeniceError.isVeniceError(error)
        ? {
          "venice.code": error.code,
          "http.response.status_code": error.status,
          ...(error.requestId !== undefined ? { "venice.request_id": error.requestId } : {}),
          ...(error.cfRay !== undefined ? { "venice.cf_ray": error.cfRay } : {}),
          ...(error.veniceVersion !== undefined ? { "venice.version": error.veniceVersion } : {})
        }
        : { "venice.wallet_error": Predicate.hasProperty(error, "_tag") ? String(error._tag) : "unknown" }
  }
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
 * The client options of credentials that fail with `EA` (a wallet's `WalletError`): their retry policy sees those
 * errors too.
 *
 * @since 0.2.0
 * @category models
 */
export interface OptionsWith<EA> extends Omit<ProviderClient.Options<VeniceError.VeniceError | EA>, "apiKey"> {}

/**
 * A layer of the client from credentials that fail with `EA` (a wallet's `WalletError`): the layer requires
 * {@link Declared}`<EA>`, so it is provided only to programs that declared `EA` in {@link AuthenticatorErrors} —
 * whose calls' error types then name it.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerWith = <EA, R = never>(
  build: Effect.Effect<ProviderClient.Service<VeniceError.VeniceError | EA, ResponseMeta.ResponseMeta>, BuildError, R>
): Layer.Layer<VeniceClient, BuildError, R | Declared<EA>> =>
  Layer.effect(
    VeniceClient,
    // The one place a client's error type meets the program's declaration: the layer requires `Declared<EA>`, which
    // no context provides unless the program declared `EA` in `AuthenticatorErrors`; then `Service` names `EA`.
    Effect.map(build, (service) => service as unknown as Service)
  )

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
