/**
 * The Venice client (DESIGN "A call, end to end"): a service over `@effect/platform`'s `HttpClient` that sends every
 * call through one pipeline — base URL, credentials (a `Redacted` Bearer key, or a wallet that signs per attempt),
 * the error-budget guard, proactive pacing, a span, decoding into tagged errors, and the retry `Schedule`.
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
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as BaseUrl from "@venice-effect/core/BaseUrl"
import * as ClientError from "@venice-effect/core/ClientError"
import * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as RateLimit from "@venice-effect/core/RateLimit"
import * as Redaction from "@venice-effect/core/Redaction"
import * as RequestValidation from "@venice-effect/core/RequestValidation"
import * as Config from "effect/Config"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Wallet from "./internal/wallet.js"
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
 * How a client authenticates each attempt. A Bearer key is the same every time; a wallet signs a fresh
 * `SIGN-IN-WITH-X` header per attempt (R10).
 *
 * @since 0.1.0
 * @category models
 */
export interface Authenticator {
  /** A short, non-secret identity for limiter buckets and logs (e.g. `key:3fa9c1d2`, `wallet:0xabc…`). */
  readonly identity: string
  /** Adds the credentials to one attempt's request. */
  readonly authorize: (
    request: HttpClientRequest.HttpClientRequest,
    attempt: number
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest, RetryPolicy.VeniceClientError>
  /**
   * Requests these credentials may have in flight at once (a wallet: 5, X4). The client waits for a free slot
   * before each attempt, counted in the `LimiterStore` under the identity (shared by every client of the process, or
   * of the fleet with a shared store). Absent: no limit.
   */
  readonly maxInFlight?: number | undefined
}

/**
 * Client options. Only the credentials are required.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API key, as `Redacted` so it never prints. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** Or any authenticator (a wallet's, see `VeniceWallet`). Takes precedence over `apiKey`. */
  readonly authenticator?: Authenticator | undefined
  /**
   * Default `https://api.venice.ai/api/v1`. Checked when the client is built: anything but an absolute `http:` /
   * `https:` URL without query or fragment fails the layer with `InvalidBaseUrlError` (B4).
   */
  readonly baseUrl?: string | URL | undefined
  /** The client-wide retry policy (default {@link RetryPolicy.defaultPolicy}). */
  readonly retry?: Schedule.Schedule<unknown, RetryPolicy.VeniceClientError> | undefined
  /** Timeout of one attempt (default 180 s; non-streaming chat can be slow — prefer streams for long outputs). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Announced waits above this fail at once with `WaitTooLongError` instead of sleeping (default 60 s, R3). */
  readonly maxWait?: Duration.DurationInput | undefined
  /** Wait for the server's request window instead of collecting 429s (default true). */
  readonly pacing?: boolean | undefined
  /** Refuse to send before Venice's failed-request budget locks the key out (default true, R8). */
  readonly errorBudgetGuard?: boolean | undefined
  /** Failures kept in hand below Venice's budget of 50 (default 2). */
  readonly errorBudgetMargin?: number | undefined
  /** `User-Agent` header. */
  readonly userAgent?: string | undefined
  /**
   * Bounds of a 2xx body read whole, bytes, by route family (B1): `json` (default 64 MiB) and `binary` — audio,
   * video, images (default 256 MiB). A body above its bound fails with `ResponseTooLargeError`, never retried.
   * Streams are bounded per event instead (`maxEventBytes`).
   */
  readonly maxResponseBytes?: { readonly json?: number | undefined; readonly binary?: number | undefined } | undefined
}

/**
 * Per-call options, accepted by every endpoint function.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions<R = never> {
  /** Replaces the client's retry policy for this call. */
  readonly retry?: Schedule.Schedule<unknown, RetryPolicy.VeniceClientError, R> | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxWait?: Duration.DurationInput | undefined
  /** Extra request headers (never logged). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A correlation id of yours, kept on errors and spans (default: generated). */
  readonly correlationId?: string | undefined
  /** The bound of this call's 2xx body, bytes (replaces the client's `maxResponseBytes` for its route family). */
  readonly maxResponseBytes?: number | undefined
}

/**
 * One request, as endpoint modules describe it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestSpec {
  /** Operation name for spans and errors (`chat.completions`). */
  readonly operation: string
  readonly method: "GET" | "POST" | "DELETE" | "PUT" | "PATCH"
  /** Path under the base URL, without a leading slash (`chat/completions`). */
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  /** A JSON body (already validated and encoded), or form data. */
  readonly body?:
    | { readonly _tag: "json"; readonly value: unknown }
    | { readonly _tag: "form"; readonly value: FormData }
    | undefined
  /** The model, for pacing and error-budget buckets and span attributes. */
  readonly model?: string | undefined
  /** OpenAI `user` field: Venice buckets its error budget by it. */
  readonly user?: string | undefined
  /** `crypto-rpc` reads `X-RateLimit-*` as the RPC family. */
  readonly route?: "crypto-rpc" | undefined
  /** False for billed, non-idempotent calls (async queues, R9). */
  readonly resendable?: boolean | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * A successful response: the decoded value, the status and the response's header facts (decoded on first access).
 *
 * @since 0.1.0
 * @category models
 */
export interface Response<A> {
  readonly value: A
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** Correlation ids, rate limits, balances … of this response (H6, H9). */
  readonly meta: ResponseMeta.ResponseMeta
}

/**
 * The raw successful response, for bodies the caller consumes itself (bytes, streams).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawResponse {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly facts: ClientError.CallFacts
  readonly meta: ResponseMeta.ResponseMeta
  /** The bounds that apply to this body if read whole, bytes (the call's `maxResponseBytes`, else the client's). */
  readonly maxBytes: { readonly json: number; readonly binary: number }
}

/**
 * The service.
 *
 * @since 0.1.0
 * @category models
 */
export interface Service {
  /** The base URL calls go to. */
  readonly baseUrl: string
  /** The underlying `HttpClient`, without Venice's credentials or policy: for pre-signed media URLs. */
  readonly http: HttpClient.HttpClient
  /** The non-secret identity of the credentials (limiter buckets, logs). */
  readonly identity: string
  /** The client-wide retry policy (per-call `retry` options replace it). */
  readonly retryPolicy: Schedule.Schedule<unknown, RetryPolicy.VeniceClientError>
  /** Sends a request and decodes a JSON response with `schema`. */
  readonly json: <A, I, R = never>(
    spec: RequestSpec,
    schema: Schema.Schema<A, I>,
    options?: CallOptions<R>
  ) => Effect.Effect<Response<A>, RetryPolicy.VeniceClientError, R>
  /** Sends a request and hands the successful response to `onSuccess` (bytes, streams, JSON-or-bytes). */
  readonly execute: <A, R = never, R2 = never>(
    spec: RequestSpec,
    onSuccess: (raw: RawResponse) => Effect.Effect<A, RetryPolicy.VeniceClientError, R2>,
    options?: CallOptions<R> & ExecuteOptions
  ) => Effect.Effect<A, RetryPolicy.VeniceClientError, R | R2>
}

/**
 * Options of {@link Service.execute} beyond {@link CallOptions}.
 *
 * @since 0.1.0
 * @category models
 */
export interface ExecuteOptions {
  /**
   * `onSuccess` hands the body on unread (a stream the caller consumes after `execute` returns): the wallet's
   * in-flight slot (SPEC X4) is then held until the caller's scope closes instead of being released when `execute`
   * returns. Default false. The attempt timeout is unchanged: it runs until the headers, then for whatever
   * `onSuccess` does before it returns.
   */
  readonly bodyConsumedLater?: boolean | undefined
  /**
   * The former name of `bodyConsumedLater` (it never limited the timeout to the headers).
   *
   * @deprecated Use `bodyConsumedLater`.
   */
  readonly headersOnly?: boolean | undefined
}

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
 * Venice as a pipeline provider: its decoder, classifier, catalog log levels, limit headers and error budget
 * (50 failed requests per 30 s). Its calls may also fail with the client's own wallet errors (signing, payments).
 *
 * @since 0.1.0
 * @category provider
 */
export const provider: Pipeline.Provider<VeniceError.VeniceError | WalletError.WalletError> = {
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
  errorBudget: { limit: 50, window: Duration.seconds(30) }
}

// ─── Construction ────────────────────────────────────────────────────────────────────────────────

const keyIdentity = (key: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(async () => {
    const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(Redacted.value(key)))
    const hex = Array.from(new Uint8Array(digest).subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("")
    return `key:${hex}`
  })

/**
 * A Bearer-key authenticator.
 *
 * @since 0.1.0
 * @category constructors
 */
export const bearer = (apiKey: Redacted.Redacted<string>): Effect.Effect<Authenticator> =>
  Effect.map(keyIdentity(apiKey), (identity) => ({
    identity,
    authorize: (request) => Effect.succeed(HttpClientRequest.bearerToken(request, Redacted.value(apiKey)))
  }))

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
 * A request body once its size was checked: JSON as the text to send, or the encoded multipart bytes.
 *
 * @since 0.1.0
 * @category models
 */
export type CheckedBody =
  | { readonly _tag: "json"; readonly text: string }
  | { readonly _tag: "multipart"; readonly bytes: Uint8Array; readonly contentType: string }
  | undefined

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`

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
  Effect.suspend((): Effect.Effect<CheckedBody, ClientError.RequestValidationError> => {
    const tooLarge = (issue: string) =>
      Effect.fail(
        new ClientError.RequestValidationError({
          provider: "venice",
          operation,
          issues: [issue],
          message: `venice ${operation}: invalid request, not sent — ${issue}`
        })
      )
    if (body?._tag === "json") {
      // B3: a body JSON cannot carry (a cycle, a BigInt, absurd nesting) is refused, never a defect
      const encoded = RequestValidation.encodeJson("venice", operation, body.value)
      if (Either.isLeft(encoded)) return Effect.fail(encoded.left)
      const text = encoded.right
      // UTF-8 takes at most 3 bytes per UTF-16 unit: only long texts are measured exactly
      const size = text.length * 3 <= MAX_JSON_BODY_BYTES ? text.length : new TextEncoder().encode(text).length
      return size > MAX_JSON_BODY_BYTES
        ? tooLarge(`(body): ${megabytes(size)} of JSON is over Venice's ${megabytes(MAX_JSON_BODY_BYTES)} limit`)
        : Effect.succeed({ _tag: "json" as const, text })
    }
    if (body?._tag === "form") {
      const form = body.value
      for (const [field, value] of form.entries()) {
        if (typeof value !== "string" && value.size > MAX_FILE_BYTES) {
          const limit = megabytes(MAX_FILE_BYTES)
          return tooLarge(`${field}: a ${megabytes(value.size)} file is over Venice's ${limit} limit`)
        }
      }
      // Encoded once, by the platform's own multipart encoder: the bytes go through any HttpClient (undici's npm
      // package refuses Node's global FormData) and are the same on every retry.
      return Effect.promise(async (): Promise<CheckedBody> => {
        const encoded = new Response(form)
        return {
          _tag: "multipart",
          bytes: new Uint8Array(await encoded.arrayBuffer()),
          contentType: encoded.headers.get("content-type") ?? "multipart/form-data"
        }
      })
    }
    return Effect.succeed(undefined)
  })

/**
 * Credentials were missing from the options.
 *
 * @since 0.1.0
 * @category errors
 */
export class MissingCredentialsError extends Schema.TaggedError<MissingCredentialsError>()(
  "MissingCredentialsError",
  { message: Schema.String }
) {}

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
export const make = (
  options: Options
): Effect.Effect<Service, BuildError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const httpClient = yield* HttpClient.HttpClient
    const store = Option.getOrElse(yield* Effect.serviceOption(LimiterStore.LimiterStore), LimiterStore.makeMemory)
    const authenticator = options.authenticator ??
      (options.apiKey !== undefined ? yield* bearer(options.apiKey) : undefined)
    if (authenticator === undefined) {
      return yield* new MissingCredentialsError({
        message: "VeniceClient needs credentials: an apiKey (Redacted) or a wallet authenticator"
      })
    }
    const baseUrl = yield* BaseUrl.validate("venice", options.baseUrl ?? DEFAULT_BASE_URL)
    const clientRetry = options.retry ?? RetryPolicy.defaultPolicy
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(180))
    const maxWait = Duration.decode(options.maxWait ?? Duration.seconds(60))
    const pacing = options.pacing ?? true
    const guard = options.errorBudgetGuard ?? true
    const userAgent = options.userAgent ?? "venice-effect/0.1.0"
    const maxBytes = {
      json: options.maxResponseBytes?.json ?? Pipeline.defaultMaxResponseBytes.json,
      binary: options.maxResponseBytes?.binary ?? Pipeline.defaultMaxResponseBytes.binary
    }

    const buildRequest = (
      spec: RequestSpec,
      body: CheckedBody,
      callOptions: CallOptions<unknown> | undefined
    ) => {
      let request = HttpClientRequest.make(spec.method)(`${baseUrl}/${spec.path}`).pipe(
        HttpClientRequest.setHeader("user-agent", userAgent),
        HttpClientRequest.acceptJson
      )
      if (spec.query !== undefined) {
        for (const [k, v] of Object.entries(spec.query)) {
          if (v !== undefined) request = HttpClientRequest.setUrlParam(request, k, v)
        }
      }
      if (body?._tag === "json") request = HttpClientRequest.bodyText(request, body.text, "application/json")
      if (body?._tag === "multipart") request = HttpClientRequest.bodyUint8Array(request, body.bytes, body.contentType)
      for (const [k, v] of Object.entries({ ...spec.headers, ...callOptions?.headers })) {
        request = HttpClientRequest.setHeader(request, k, v)
      }
      return request
    }

    const execute = <A, R, R2>(
      spec: RequestSpec,
      onSuccess: (raw: RawResponse) => Effect.Effect<A, RetryPolicy.VeniceClientError, R2>,
      callOptions?: CallOptions<R> & ExecuteOptions
    ): Effect.Effect<A, RetryPolicy.VeniceClientError, R | R2> => {
      const model = spec.model
      const identity = authenticator.identity
      const maxInFlight = authenticator.maxInFlight
      const callMax = callOptions?.maxResponseBytes
      const bounds = callMax === undefined ? maxBytes : { json: callMax, binary: callMax }
      return Effect.flatMap(checkBodySize(spec.operation, spec.body), (body) =>
        Pipeline.runWith<A, VeniceError.VeniceError | WalletError.WalletError, R | R2>(httpClient, store, provider, {
          operation: spec.operation,
          request: buildRequest(spec, body, callOptions),
          route: spec.route,
          authorize: authenticator.authorize,
          onSuccess: (response, facts) =>
            Effect.flatMap(Clock_currentTimeMillis, (nowMillis) => {
              let meta: ResponseMeta.ResponseMeta | undefined
              return onSuccess({
                response,
                facts,
                maxBytes: bounds,
                get meta() {
                  return meta ??= ResponseMeta.decode(response.headers, { nowMillis, route: spec.route }).value
                }
              })
            }),
          retry: callOptions?.retry ?? clientRetry,
          timeout: callOptions?.timeout !== undefined ? Duration.decode(callOptions.timeout) : timeout,
          maxWait: callOptions?.maxWait !== undefined ? Duration.decode(callOptions.maxWait) : maxWait,
          pacingBucket: pacing && model !== undefined ? `${identity}:${model}` : undefined,
          budgetBucket: guard ? `${identity}:${model ?? "-"}:${spec.user ?? "-"}` : undefined,
          budgetMargin: options.errorBudgetMargin,
          // X4: a wallet's requests in flight; a streamed body keeps its request in flight until it is consumed
          inFlight: maxInFlight === undefined ? undefined : {
            bucket: `inflight:${identity}`,
            limit: maxInFlight,
            holdUntilScopeClose: (callOptions?.bodyConsumedLater ?? callOptions?.headersOnly) === true
          },
          resendable: spec.resendable,
          correlationId: callOptions?.correlationId,
          attributes: {
            "venice.identity": identity,
            ...(model !== undefined ? { "venice.model": model } : {})
          }
        }).pipe(
          // A retry Schedule cannot fail: when a payment policy decided not to pay a 402 (or its top-up failed), it
          // recorded the typed reason for that 402 (`PAYMENT_REQUIRED`, or the plain insufficient-balance one of a
          // wallet) and stopped; the call fails with the reason, which carries the 402.
          Effect.catchIf(
            (error): error is VeniceError.VeniceError =>
              VeniceError.isVeniceError(error) && error.status === 402 && Wallet.paymentFailureOf(error) !== undefined,
            (error) => Effect.fail(Wallet.paymentFailureOf(error)!)
          ),
          // which wallet signed which attempt is a fact of this call only
          Effect.locally(Wallet.currentAttempt, undefined),
          // the call's own headers are never logged: added to platform's redaction list (SPEC O3)
          Redaction.redacting(Object.keys(callOptions?.headers ?? {}))
        ))
    }

    const json = <A, I, R>(
      spec: RequestSpec,
      schema: Schema.Schema<A, I>,
      callOptions?: CallOptions<R>
    ): Effect.Effect<Response<A>, RetryPolicy.VeniceClientError, R> => {
      const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
      return execute(
        spec,
        (raw) =>
          Effect.map(
            Pipeline.decodeJsonBody(
              "venice",
              spec.operation,
              raw.response,
              raw.facts,
              (u) => Either.mapLeft(decode(u), (e) => RequestValidation.formatIssues(e).slice(0, 3).join("; ")),
              raw.response.headers["x-request-id"],
              { maxBytes: raw.maxBytes.json }
            ),
            (value): Response<A> => ({
              value,
              status: raw.response.status,
              headers: raw.response.headers,
              get meta() {
                return raw.meta
              }
            })
          ),
        callOptions
      )
    }

    return {
      baseUrl,
      http: httpClient,
      identity: authenticator.identity,
      retryPolicy: clientRetry,
      json,
      execute
    } satisfies Service
  })

const Clock_currentTimeMillis = Effect.clockWith((clock) => clock.currentTimeMillis)

/**
 * A layer from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<VeniceClient, BuildError, HttpClient.HttpClient> =>
  Layer.effect(VeniceClient, make(options))

/**
 * A layer from configuration: `VENICE_API_KEY` (redacted) and optionally `VENICE_BASE_URL` (checked as `baseUrl` is);
 * other options as given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<VeniceClient, BuildError | import("effect/ConfigError").ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    VeniceClient,
    Effect.gen(function*() {
      const apiKey = yield* Config.redacted("VENICE_API_KEY")
      const baseUrl = yield* Config.string("VENICE_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
      return yield* make({ ...options, apiKey, baseUrl })
    })
  )
