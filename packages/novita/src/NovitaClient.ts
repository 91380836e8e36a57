/**
 * The Novita AI client: a service over `@effect/platform`'s `HttpClient` that sends every call through core's request
 * pipeline (`Pipeline.runWith`) with Novita as the provider — a `Redacted` Bearer key added per attempt, a span per
 * call with retries as events, attempts/retries/waits metrics, decoding of failures into Novita's tagged errors
 * (`NovitaError`), catalog log levels, and the retry `Schedule` (`NovitaRetryPolicy`). Novita has no failed-request
 * budget and sends no rate-limit headers, so the pipeline's guard and pacing stay off.
 *
 * The `HttpClient` stays a requirement: provide `NodeHttpClient.layerUndici` or `FetchHttpClient.layer`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { NovitaChat, NovitaClient } from "@venice-effect/novita"
 *
 * // NOVITA_API_KEY (redacted) and optionally NOVITA_BASE_URL
 * const Novita = NovitaClient.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
 *
 * const program = NovitaChat.completions({
 *   model: "meta-llama/llama-3.1-8b-instruct",
 *   messages: [{ role: "user", content: "hi" }]
 * })
 * Effect.runPromise(program.pipe(Effect.provide(Novita)))
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
import * as Redaction from "@venice-effect/core/Redaction"
import * as RequestValidation from "@venice-effect/core/RequestValidation"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as NovitaError from "./NovitaError.js"
import * as NovitaRetryPolicy from "./NovitaRetryPolicy.js"

/**
 * Novita's production origin (LLM routes live under `/openai/v1`, async tasks under `/v3/async`).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_BASE_URL = "https://api.novita.ai"

/**
 * Client options. Only the key is required.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** The API key, as `Redacted` so it never prints. Sent as `Authorization: Bearer <key>`. */
  readonly apiKey: Redacted.Redacted<string>
  /**
   * Default `https://api.novita.ai`. Paths are appended to it (`/openai/v1/chat/completions`). Checked when the client
   * is built: anything but an absolute `http:` / `https:` URL fails the layer with `InvalidBaseUrlError` (B4).
   */
  readonly baseUrl?: string | URL | undefined
  /** The client-wide retry policy (default {@link NovitaRetryPolicy.defaultPolicy}). */
  readonly retry?: Schedule.Schedule<unknown, NovitaRetryPolicy.NovitaClientError> | undefined
  /**
   * Timeout of one attempt (default 180 s): until the whole body of JSON calls, until the response headers (and the
   * first event) of streams.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** Announced waits (a proxy's `Retry-After`) above this fail at once with `WaitTooLongError` (default 60 s). */
  readonly maxWait?: Duration.DurationInput | undefined
  /** `User-Agent` header. */
  readonly userAgent?: string | undefined
}

/**
 * Per-call options, accepted by every endpoint function.
 *
 * @since 0.1.0
 * @category models
 */
export interface CallOptions<R = never> {
  /** Replaces the client's retry policy for this call. */
  readonly retry?: Schedule.Schedule<unknown, NovitaRetryPolicy.NovitaClientError, R> | undefined
  readonly timeout?: Duration.DurationInput | undefined
  readonly maxWait?: Duration.DurationInput | undefined
  /** Extra request headers (never logged). */
  readonly headers?: Readonly<Record<string, string>> | undefined
  /** A correlation id of yours, kept on errors and spans (default: generated). */
  readonly correlationId?: string | undefined
}

/**
 * One request, as endpoint modules describe it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RequestSpec {
  /** Operation name for spans and errors (`chat.completions`, `async.txt2img`). */
  readonly operation: string
  readonly method: "GET" | "POST" | "DELETE" | "PUT" | "PATCH"
  /** Path under the base URL, with a leading slash (`/openai/v1/chat/completions`). */
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  /** A JSON body (already validated). */
  readonly body?: unknown
  /** The model, for span attributes. */
  readonly model?: string | undefined
  /** `false` for billed, non-idempotent calls (task submissions): never re-sent once they may have reached Novita. */
  readonly resendable?: boolean | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * A successful response: the decoded value, the status, the headers and the `X-Request-ID`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Response<A> {
  readonly value: A
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly requestId: string | undefined
}

/**
 * The raw successful response, for bodies the caller consumes itself (streams).
 *
 * @since 0.1.0
 * @category models
 */
export interface RawResponse {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly facts: ClientError.CallFacts
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
  /** The client-wide retry policy (per-call `retry` options replace it). */
  readonly retryPolicy: Schedule.Schedule<unknown, NovitaRetryPolicy.NovitaClientError>
  /** The client-wide timeout of one attempt (per-call `timeout` options replace it). */
  readonly timeout: Duration.Duration
  /** Sends a request and decodes a JSON response with `schema`. */
  readonly json: <A, I, R = never>(
    spec: RequestSpec,
    schema: Schema.Schema<A, I>,
    options?: CallOptions<R>
  ) => Effect.Effect<Response<A>, NovitaRetryPolicy.NovitaClientError, R>
  /**
   * Sends a request and hands the successful response to `onSuccess` (streams). The attempt's timeout covers the
   * response headers only: `onSuccess` bounds its own reads.
   */
  readonly execute: <A, R = never, R2 = never>(
    spec: RequestSpec,
    onSuccess: (raw: RawResponse) => Effect.Effect<A, NovitaRetryPolicy.NovitaClientError, R2>,
    options?: CallOptions<R>
  ) => Effect.Effect<A, NovitaRetryPolicy.NovitaClientError, R | R2>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class NovitaClient extends Context.Tag("@venice-effect/novita/NovitaClient")<NovitaClient, Service>() {}

// ─── Provider spec ───────────────────────────────────────────────────────────────────────────────

/**
 * Novita as a pipeline provider: its total error decoder, its classifier, its catalog log levels and error
 * attributes for spans. No limit headers, no error budget.
 *
 * @since 0.1.0
 * @category provider
 */
export const provider: Pipeline.Provider<NovitaError.NovitaError> = {
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
  classify: NovitaRetryPolicy.classify,
  logLevel: NovitaError.catalogLogLevel,
  errorAttributes: (error) => ({
    "http.response.status_code": error.status,
    ...(error._tag === "NovitaApiError"
      ? { "novita.code": error.code, "novita.reason": error.reason, ...(error.group !== undefined ? { "novita.group": error.group } : {}) }
      : {}),
    ...(error.requestId !== undefined ? { "novita.request_id": error.requestId } : {})
  })
}

// ─── Construction ────────────────────────────────────────────────────────────────────────────────

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
 * Builds the service. Requires an `HttpClient`; uses the `LimiterStore` in context, else an in-memory one (Novita
 * needs none: no pacing, no error budget — the pipeline only asks for it).
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Effect.Effect<Service, BaseUrl.InvalidBaseUrlError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const httpClient = yield* HttpClient.HttpClient
    const store = Option.getOrElse(yield* Effect.serviceOption(LimiterStore.LimiterStore), LimiterStore.makeMemory)
    const apiKey = options.apiKey
    const baseUrl = yield* BaseUrl.validate(provider.name, options.baseUrl ?? DEFAULT_BASE_URL)
    const clientRetry = options.retry ?? NovitaRetryPolicy.defaultPolicy
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(180))
    const maxWait = Duration.decode(options.maxWait ?? Duration.seconds(60))
    const userAgent = options.userAgent ?? "venice-effect-novita/0.1.0"

    const buildRequest = (spec: RequestSpec, callOptions: CallOptions<unknown> | undefined, json: string | undefined) => {
      const path = spec.path.startsWith("/") ? spec.path : `/${spec.path}`
      let request = HttpClientRequest.make(spec.method)(`${baseUrl}${path}`).pipe(
        HttpClientRequest.setHeader("user-agent", userAgent),
        HttpClientRequest.acceptJson
      )
      if (spec.query !== undefined) {
        for (const [k, v] of Object.entries(spec.query)) {
          if (v !== undefined) request = HttpClientRequest.setUrlParam(request, k, v)
        }
      }
      if (json !== undefined) request = HttpClientRequest.bodyText(request, json, "application/json")
      for (const [k, v] of Object.entries({ ...spec.headers, ...callOptions?.headers })) {
        request = HttpClientRequest.setHeader(request, k, v)
      }
      return request
    }

    const authorize = (request: HttpClientRequest.HttpClientRequest) =>
      Effect.succeed(HttpClientRequest.bearerToken(request, apiKey))

    const execute = <A, R, R2>(
      spec: RequestSpec,
      onSuccess: (raw: RawResponse) => Effect.Effect<A, NovitaRetryPolicy.NovitaClientError, R2>,
      callOptions?: CallOptions<R>
    ): Effect.Effect<A, NovitaRetryPolicy.NovitaClientError, R | R2> => {
      // B3: a body JSON cannot carry (a cycle, a BigInt, absurd nesting) is refused, never a defect
      const json = spec.body !== undefined
        ? RequestValidation.encodeJson(provider.name, spec.operation, spec.body)
        : Either.right(undefined)
      if (Either.isLeft(json)) return Effect.fail(json.left)
      return Pipeline.runWith<A, NovitaError.NovitaError, R | R2>(httpClient, store, provider, {
        operation: spec.operation,
        request: buildRequest(spec, callOptions, json.right),
        authorize,
        onSuccess: (response, facts) => onSuccess({ response, facts }),
        retry: callOptions?.retry ?? clientRetry,
        timeout: callOptions?.timeout !== undefined ? Duration.decode(callOptions.timeout) : timeout,
        maxWait: callOptions?.maxWait !== undefined ? Duration.decode(callOptions.maxWait) : maxWait,
        resendable: spec.resendable,
        correlationId: callOptions?.correlationId,
        attributes: spec.model !== undefined ? { "novita.model": spec.model } : undefined
      }).pipe(
        // the call's own headers are never logged: added to platform's redaction list (SPEC O3)
        Redaction.redacting(Object.keys(callOptions?.headers ?? {}))
      )
    }

    const json = <A, I, R>(
      spec: RequestSpec,
      schema: Schema.Schema<A, I>,
      callOptions?: CallOptions<R>
    ): Effect.Effect<Response<A>, NovitaRetryPolicy.NovitaClientError, R> => {
      const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
      const attemptTimeout = callOptions?.timeout !== undefined ? Duration.decode(callOptions.timeout) : timeout
      return execute(
        spec,
        (raw) => {
          const requestId = raw.response.headers["x-request-id"]
          return Pipeline.decodeJsonBody(
            provider.name,
            spec.operation,
            raw.response,
            raw.facts,
            (u) => Either.mapLeft(decode(u), (e) => RequestValidation.formatIssues(e).slice(0, 3).join("; ")),
            requestId
          ).pipe(
            // the pipeline's timeout ends at the response headers: a body that stalls must not hang the call (B1)
            Effect.timeoutFail({
              duration: attemptTimeout,
              onTimeout: () =>
                new ClientError.TransportError({
                  provider: provider.name,
                  ...raw.facts,
                  reason: "timeout",
                  message: `novita ${spec.operation}: the response body did not complete within ${
                    Duration.format(attemptTimeout)
                  }`,
                  maybeDelivered: true
                })
            }),
            Effect.map((value): Response<A> => ({
              value,
              status: raw.response.status,
              headers: raw.response.headers,
              requestId
            }))
          )
        },
        callOptions
      )
    }

    return { baseUrl, retryPolicy: clientRetry, timeout, json, execute } satisfies Service
  })

/**
 * A layer from options.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<NovitaClient, BaseUrl.InvalidBaseUrlError, HttpClient.HttpClient> =>
  Layer.effect(NovitaClient, make(options))

/**
 * A layer from configuration: `NOVITA_API_KEY` (read with `Config.redacted`) and `NOVITA_BASE_URL` (default
 * `https://api.novita.ai`); other options as given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "baseUrl"> = {}
): Layer.Layer<NovitaClient, BaseUrl.InvalidBaseUrlError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    NovitaClient,
    Effect.gen(function*() {
      const apiKey = yield* Config.redacted("NOVITA_API_KEY")
      const baseUrl = yield* Config.string("NOVITA_BASE_URL").pipe(Config.withDefault(DEFAULT_BASE_URL))
      return yield* make({ ...options, apiKey, baseUrl })
    })
  )
