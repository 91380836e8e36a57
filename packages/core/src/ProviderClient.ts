/**
 * The client service every provider shares (DESIGN "A provider kit in core"): the options, the request and response
 * shapes, and `make` / `layer` / `layerConfig` over `@effect/platform`'s `HttpClient`. Every call goes through one
 * pipeline (`Pipeline.runWith`): base URL, credentials added per attempt (a `Redacted` Bearer key, or an
 * authenticator that signs per attempt), the error-budget guard and pacing where the provider has limits, a span,
 * decoding into the provider's tagged errors, and the retry `Schedule`.
 *
 * A provider is a {@link Provider}: its pipeline spec (error decoder, classifier, catalog log levels, limit headers,
 * budget), its defaults (base URL, configuration keys, user agent), what it reads off a successful response, and its
 * body limits. `VeniceClient` and `NovitaClient` are such configurations plus a `Context.Tag`.
 *
 * The `HttpClient` stays a requirement: provide `NodeHttpClient.layerUndici` or `FetchHttpClient.layer`.
 *
 * @example
 * ```ts
 * import { Config } from "effect"
 * import { VeniceClient } from "@venice-effect/venice"
 *
 * // the keys are yours to choose (default VENICE_API_KEY, VENICE_BASE_URL)
 * const Venice = VeniceClient.layerConfig({ apiKey: Config.redacted("STAGING_VENICE_KEY") })
 * ```
 *
 * @since 0.2.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as BaseUrl from "./BaseUrl.js"
import * as ClientError from "./ClientError.js"
import * as LimiterStore from "./LimiterStore.js"
import * as Pipeline from "./Pipeline.js"
import * as Redaction from "./Redaction.js"
import * as RequestValidation from "./RequestValidation.js"

// ─── models ──────────────────────────────────────────────────────────────────────────────────────

/**
 * How a client authenticates each attempt. A Bearer key is the same every time; a wallet signs a fresh header per
 * attempt (R10).
 *
 * @since 0.2.0
 * @category models
 */
export interface Authenticator<E> {
  /** A short, non-secret identity for limiter buckets and logs (e.g. `key:3fa9c1d2`, `wallet:0xabc…`). */
  readonly identity: string
  /** Adds the credentials to one attempt's request. */
  readonly authorize: (
    request: HttpClientRequest.HttpClientRequest,
    attempt: number
  ) => Effect.Effect<HttpClientRequest.HttpClientRequest, E | ClientError.ClientError>
  /**
   * Requests these credentials may have in flight at once (a wallet: 5, X4). The client waits for a free slot
   * before each attempt, counted in the `LimiterStore` under the identity. Absent: no limit.
   */
  readonly maxInFlight?: number | undefined
  /**
   * A typed recovery step around every call made with these credentials, for failures the credentials themselves can
   * fix (a wallet with a payment policy: a `402` → a top-up → the call again; a refusal fails the call with the
   * policy's own typed error instead of the `402`). It may run `call` again: the rerun keeps the call's correlation id
   * and numbers its attempts on from the last one. Absent: none.
   */
  readonly recover?: Recover<E> | undefined
}

/**
 * A typed recovery step around a call (see {@link Authenticator.recover}): it may fail the call with its own errors
 * `E` in place of the call's.
 *
 * @since 0.2.0
 * @category models
 */
export type Recover<E> = <A, E2, R>(call: Effect.Effect<A, E2, R>) => Effect.Effect<A, E2 | E, R>

/**
 * Client options. Only the credentials are required.
 *
 * @since 0.2.0
 * @category models
 */
export interface Options<E> {
  /** The API key, as `Redacted` so it never prints. Sent as `Authorization: Bearer <key>`. */
  readonly apiKey?: Redacted.Redacted<string> | undefined
  /** Or any authenticator (a wallet's). Takes precedence over `apiKey`. */
  readonly authenticator?: Authenticator<E> | undefined
  /**
   * Default: the provider's. Checked when the client is built: anything but an absolute `http:` / `https:` URL
   * without query or fragment fails the layer with `InvalidBaseUrlError` (B4).
   */
  readonly baseUrl?: string | URL | undefined
  /** The client-wide retry policy (default: the provider's). */
  readonly retry?: Schedule.Schedule<unknown, E | ClientError.ClientError> | undefined
  /**
   * Timeout of one attempt (default 180 s): until the response headers, then what is left of it for the whole body
   * of a JSON call, or for a stream's first event.
   */
  readonly timeout?: Duration.DurationInput | undefined
  /** Announced waits above this fail at once with `WaitTooLongError` instead of sleeping (default 60 s, R3). */
  readonly maxWait?: Duration.DurationInput | undefined
  /** Wait for the server's request window instead of collecting 429s (default: on when the provider has limits). */
  readonly pacing?: boolean | undefined
  /** Refuse to send before the provider's failed-request budget locks the key out (default: on when it has one). */
  readonly errorBudgetGuard?: boolean | undefined
  /** Failures kept in hand below the provider's budget (default 2). */
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
 * @since 0.2.0
 * @category models
 */
export interface CallOptions<E, R = never> {
  /** Replaces the client's retry policy for this call. */
  readonly retry?: Schedule.Schedule<unknown, E | ClientError.ClientError, R> | undefined
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
 * @since 0.2.0
 * @category models
 */
export interface RequestSpec {
  /** Operation name for spans and errors (`chat.completions`). */
  readonly operation: string
  readonly method: "GET" | "POST" | "DELETE" | "PUT" | "PATCH"
  /** Path under the base URL (`chat/completions`; a leading slash is allowed). */
  readonly path: string
  readonly query?: Readonly<Record<string, string | undefined>> | undefined
  /** A JSON body (already validated), or form data. */
  readonly body?:
    | { readonly _tag: "json"; readonly value: unknown }
    | { readonly _tag: "form"; readonly value: FormData }
    | undefined
  /** The model, for pacing and error-budget buckets and span attributes. */
  readonly model?: string | undefined
  /** OpenAI `user` field: Venice buckets its error budget by it. */
  readonly user?: string | undefined
  /** A route hint for header decoding (Venice's `crypto-rpc` reads `X-RateLimit-*` as the RPC family). */
  readonly route?: "crypto-rpc" | undefined
  /** False for billed, non-idempotent calls (async queues, R9): never re-sent once they may have arrived. */
  readonly resendable?: boolean | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/**
 * A successful response: the decoded value, the status, the headers, the `X-Request-ID` and the provider's facts
 * of the response (decoded on first access).
 *
 * @since 0.2.0
 * @category models
 */
export interface Response<A, Meta> {
  readonly value: A
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** `X-Request-ID` of the response. */
  readonly requestId: string | undefined
  /** Correlation ids, rate limits, balances … of this response, as the provider reads them (H6, H9). */
  readonly meta: Meta
}

/**
 * The raw successful response, for bodies the caller consumes itself (bytes, streams).
 *
 * @since 0.2.0
 * @category models
 */
export interface RawResponse<Meta> {
  readonly response: HttpClientResponse.HttpClientResponse
  readonly facts: ClientError.CallFacts
  readonly meta: Meta
  /** The bounds that apply to this body if read whole, bytes (the call's `maxResponseBytes`, else the client's). */
  readonly maxBytes: { readonly json: number; readonly binary: number }
}

/**
 * Options of {@link Service.execute}.
 *
 * @since 0.2.0
 * @category models
 */
export interface ExecuteOptions<E, R = never> extends CallOptions<E, R> {
  /**
   * `onSuccess` hands the body on unread (a stream the caller consumes after `execute` returns): the wallet's
   * in-flight slot (X4) is then held until the caller's scope closes instead of being released when `execute`
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
 * The service.
 *
 * @since 0.2.0
 * @category models
 */
export interface Service<E, Meta> {
  /** The provider's name (`venice`, `novita`): error `provider` fields, span prefix. */
  readonly provider: string
  /** The base URL calls go to. */
  readonly baseUrl: string
  /** The underlying `HttpClient`, without the provider's credentials or policy: for pre-signed media URLs. */
  readonly http: HttpClient.HttpClient
  /** The non-secret identity of the credentials (limiter buckets, logs). */
  readonly identity: string
  /** The client-wide retry policy (per-call `retry` options replace it). */
  readonly retryPolicy: Schedule.Schedule<unknown, E | ClientError.ClientError>
  /** The client-wide timeout of one attempt (per-call `timeout` options replace it). */
  readonly timeout: Duration.Duration
  /** Sends a request and decodes a JSON response with `schema`. */
  readonly json: <A, I, R = never>(
    spec: RequestSpec,
    schema: Schema.Schema<A, I>,
    options?: CallOptions<E, R>
  ) => Effect.Effect<Response<A, Meta>, E | ClientError.ClientError, R>
  /** Sends a request and hands the successful response to `onSuccess` (bytes, streams, JSON-or-bytes). */
  readonly execute: <A, R = never, R2 = never>(
    spec: RequestSpec,
    onSuccess: (raw: RawResponse<Meta>) => Effect.Effect<A, E | ClientError.ClientError, R2>,
    options?: ExecuteOptions<E, R>
  ) => Effect.Effect<A, E | ClientError.ClientError, R | R2>
}

/**
 * A provider, as the client kit needs it: its pipeline spec, its defaults, and what it reads off a response.
 *
 * @since 0.2.0
 * @category models
 */
export interface Provider<E, Meta> extends Pipeline.Provider<E> {
  /** The production base URL. */
  readonly defaultBaseUrl: string
  /** The configuration keys {@link layerConfig} reads by default. */
  readonly config: { readonly apiKey: string; readonly baseUrl: string }
  /** The default `User-Agent`. */
  readonly userAgent: string
  /** The default retry policy. */
  readonly retry: Schedule.Schedule<unknown, E | ClientError.ClientError>
  /** The facts of a successful response (decoded on first access of `meta`). */
  readonly meta: (
    headers: Readonly<Record<string, string>>,
    context: { readonly nowMillis: number; readonly route: RequestSpec["route"] }
  ) => Meta
  /** Largest request bodies the provider takes, checked locally before sending (B2). Absent: not checked. */
  readonly bodyLimits?: { readonly json: number; readonly file: number } | undefined
  /**
   * A step around every call, after the pipeline (Venice: a payment policy's typed refusal replaces the 402 it
   * refused). Absent: none.
   */
  readonly recover?: <A, R>(
    call: Effect.Effect<A, E | ClientError.ClientError, R>
  ) => Effect.Effect<A, E | ClientError.ClientError, R>
}

// ─── credentials ─────────────────────────────────────────────────────────────────────────────────

const keyIdentity = (key: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.promise(async () => {
    const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(Redacted.value(key)))
    const hex = Array.from(new Uint8Array(digest).subarray(0, 4), (b) => b.toString(16).padStart(2, "0")).join("")
    return `key:${hex}`
  })

/**
 * A Bearer-key authenticator; its identity is `key:` and 8 hex digits of the key's SHA-256.
 *
 * @since 0.2.0
 * @category constructors
 */
export const bearer = (apiKey: Redacted.Redacted<string>): Effect.Effect<Authenticator<never>> =>
  Effect.map(keyIdentity(apiKey), (identity) => ({
    identity,
    authorize: (request) => Effect.succeed(HttpClientRequest.bearerToken(request, Redacted.value(apiKey)))
  }))

/**
 * Credentials were missing from the options.
 *
 * @since 0.2.0
 * @category errors
 */
export class MissingCredentialsError extends Schema.TaggedError<MissingCredentialsError>()(
  "MissingCredentialsError",
  { message: Schema.String }
) {}

/**
 * Why a client could not be built: no credentials, or a base URL that cannot be used (B4). Nothing was sent.
 *
 * @since 0.2.0
 * @category errors
 */
export type BuildError = MissingCredentialsError | BaseUrl.InvalidBaseUrlError

// ─── bodies ──────────────────────────────────────────────────────────────────────────────────────

/**
 * A request body once its size was checked: JSON as the text to send, or the encoded multipart bytes.
 *
 * @since 0.2.0
 * @category models
 */
export type CheckedBody =
  | { readonly _tag: "json"; readonly text: string }
  | { readonly _tag: "multipart"; readonly bytes: Uint8Array; readonly contentType: string }
  | undefined

const megabytes = (bytes: number): string => `${(bytes / (1024 * 1024)).toFixed(1)} MB`

/**
 * The body of a request as it will be sent (B2, B3): JSON serialized once (a value JSON cannot carry — a cycle,
 * a BigInt, absurd nesting — is a `RequestValidationError`, never a defect), form data encoded once as
 * `multipart/form-data` bytes. With `limits`, a JSON body over `limits.json` bytes or a file over `limits.file` is a
 * `RequestValidationError` and nothing is sent.
 *
 * @since 0.2.0
 * @category validation
 */
export const checkBody = (
  provider: string,
  operation: string,
  body: RequestSpec["body"],
  limits?: { readonly json: number; readonly file: number } | undefined
): Effect.Effect<CheckedBody, ClientError.RequestValidationError> =>
  Effect.suspend((): Effect.Effect<CheckedBody, ClientError.RequestValidationError> => {
    const tooLarge = (issue: string) =>
      Effect.fail(
        new ClientError.RequestValidationError({
          provider,
          operation,
          issues: [issue],
          message: `${provider} ${operation}: invalid request, not sent — ${issue}`
        })
      )
    const title = provider.charAt(0).toUpperCase() + provider.slice(1)
    if (body?._tag === "json") {
      const encoded = RequestValidation.encodeJson(provider, operation, body.value)
      if (Either.isLeft(encoded)) return Effect.fail(encoded.left)
      const text = encoded.right
      if (limits === undefined) return Effect.succeed({ _tag: "json" as const, text })
      // UTF-8 takes at most 3 bytes per UTF-16 unit: only long texts are measured exactly
      const size = text.length * 3 <= limits.json ? text.length : new TextEncoder().encode(text).length
      return size > limits.json
        ? tooLarge(`(body): ${megabytes(size)} of JSON is over ${title}'s ${megabytes(limits.json)} limit`)
        : Effect.succeed({ _tag: "json" as const, text })
    }
    if (body?._tag === "form") {
      const form = body.value
      if (limits !== undefined) {
        for (const [field, value] of form.entries()) {
          if (typeof value !== "string" && value.size > limits.file) {
            return tooLarge(
              `${field}: a ${megabytes(value.size)} file is over ${title}'s ${megabytes(limits.file)} limit`
            )
          }
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

// ─── construction ────────────────────────────────────────────────────────────────────────────────

const currentTimeMillis = Effect.clockWith((clock) => clock.currentTimeMillis)

/**
 * Builds the service for `provider`. Requires an `HttpClient`; uses the `LimiterStore` in context, else an in-memory
 * one.
 *
 * @since 0.2.0
 * @category constructors
 */
export const make = <E, Meta>(
  provider: Provider<E, Meta>,
  options: Options<E>
): Effect.Effect<Service<E, Meta>, BuildError, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const httpClient = yield* HttpClient.HttpClient
    const store = Option.getOrElse(yield* Effect.serviceOption(LimiterStore.LimiterStore), LimiterStore.makeMemory)
    const authenticator: Authenticator<E> | undefined = options.authenticator ??
      (options.apiKey !== undefined ? yield* bearer(options.apiKey) : undefined)
    if (authenticator === undefined) {
      return yield* new MissingCredentialsError({
        message: `the ${provider.name} client needs credentials: an apiKey (Redacted) or an authenticator`
      })
    }
    const name = provider.name
    const baseUrl = yield* BaseUrl.validate(name, options.baseUrl ?? provider.defaultBaseUrl)
    const clientRetry = options.retry ?? provider.retry
    const timeout = Duration.decode(options.timeout ?? Duration.seconds(180))
    const maxWait = Duration.decode(options.maxWait ?? Duration.seconds(60))
    const pacing = options.pacing ?? provider.limits !== undefined
    const guard = options.errorBudgetGuard ?? provider.errorBudget !== undefined
    const userAgent = options.userAgent ?? provider.userAgent
    const maxBytes = {
      json: options.maxResponseBytes?.json ?? Pipeline.defaultMaxResponseBytes.json,
      binary: options.maxResponseBytes?.binary ?? Pipeline.defaultMaxResponseBytes.binary
    }
    const recover = provider.recover ?? ((call) => call)
    const authenticatorRecover: Recover<E> = authenticator.recover ?? ((call) => call)

    const buildRequest = (spec: RequestSpec, body: CheckedBody, callOptions: CallOptions<E, unknown> | undefined) => {
      const path = spec.path.startsWith("/") ? spec.path.slice(1) : spec.path
      let request = HttpClientRequest.make(spec.method)(`${baseUrl}/${path}`).pipe(
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
      onSuccess: (raw: RawResponse<Meta>) => Effect.Effect<A, E | ClientError.ClientError, R2>,
      callOptions?: ExecuteOptions<E, R>
    ): Effect.Effect<A, E | ClientError.ClientError, R | R2> => {
      const model = spec.model
      const identity = authenticator.identity
      const maxInFlight = authenticator.maxInFlight
      const callMax = callOptions?.maxResponseBytes
      const bounds = callMax === undefined ? maxBytes : { json: callMax, binary: callMax }
      return Effect.flatMap(checkBody(name, spec.operation, spec.body, provider.bodyLimits), (body) => {
        // one logical call, however many times the credentials' recovery step runs it: one correlation id, and
        // attempt numbers that go on from the last attempt authorized
        const run = { attempts: 0 }
        const correlationId = callOptions?.correlationId ?? `ve-${globalThis.crypto.randomUUID()}`
        const authorize: Authenticator<E>["authorize"] = (request, attempt) => {
          run.attempts = attempt
          return authenticator.authorize(request, attempt)
        }
        const pipeline = Effect.suspend(() =>
          Pipeline.runWith<A, E, R | R2>(httpClient, store, provider, {
            operation: spec.operation,
            request: buildRequest(spec, body, callOptions),
            route: spec.route,
            authorize,
            onSuccess: (response, facts) =>
              Effect.flatMap(currentTimeMillis, (nowMillis) => {
                let memo: { readonly meta: Meta } | undefined
                return onSuccess({
                  response,
                  facts,
                  maxBytes: bounds,
                  get meta(): Meta {
                    return (memo ??= { meta: provider.meta(response.headers, { nowMillis, route: spec.route }) }).meta
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
            correlationId,
            attemptsBefore: run.attempts,
            attributes: {
              [`${name}.identity`]: identity,
              ...(model !== undefined ? { [`${name}.model`]: model } : {})
            }
          })
        )
        return recover(authenticatorRecover(pipeline)).pipe(
          // the call's own headers are never logged: added to platform's redaction list (O3)
          Redaction.redacting(Object.keys(callOptions?.headers ?? {}))
        )
      })
    }

    const json = <A, I, R>(
      spec: RequestSpec,
      schema: Schema.Schema<A, I>,
      callOptions?: CallOptions<E, R>
    ): Effect.Effect<Response<A, Meta>, E | ClientError.ClientError, R> => {
      const decode = Schema.decodeUnknownEither(schema, { errors: "first" })
      return execute(
        spec,
        (raw) => {
          const requestId = raw.response.headers["x-request-id"]
          return Effect.map(
            Pipeline.decodeJsonBody(
              name,
              spec.operation,
              raw.response,
              raw.facts,
              (u) => Either.mapLeft(decode(u), (e) => RequestValidation.formatIssues(e).slice(0, 3).join("; ")),
              requestId,
              { maxBytes: raw.maxBytes.json }
            ),
            (value): Response<A, Meta> => ({
              value,
              status: raw.response.status,
              headers: raw.response.headers,
              requestId,
              get meta() {
                return raw.meta
              }
            })
          )
        },
        callOptions
      )
    }

    return {
      provider: name,
      baseUrl,
      http: httpClient,
      identity: authenticator.identity,
      retryPolicy: clientRetry,
      timeout,
      json,
      execute
    } satisfies Service<E, Meta>
  })

/**
 * A layer of `tag` from options.
 *
 * @since 0.2.0
 * @category layers
 */
export const layer = <I, E, Meta>(
  tag: Context.Tag<I, Service<E, Meta>>,
  provider: Provider<E, Meta>,
  options: Options<E>
): Layer.Layer<I, BuildError, HttpClient.HttpClient> =>
  // the secret headers join the redaction list once, for the runtime, rather than once per call
  Layer.merge(Layer.effect(tag, make(provider, options)), Redaction.layerSecrets)

/**
 * Options of {@link layerConfig}: the client options, with the key and the base URL as `Config` values so callers
 * choose where they come from.
 *
 * @since 0.2.0
 * @category models
 */
export interface ConfigOptions<E> extends Omit<Options<E>, "apiKey" | "baseUrl"> {
  /** Default: `Config.redacted(<the provider's key name>)` (`VENICE_API_KEY`, `NOVITA_API_KEY`). */
  readonly apiKey?: Config.Config<Redacted.Redacted<string>> | undefined
  /** Default: `Config.string(<the provider's base URL name>)` with the provider's base URL as its default. */
  readonly baseUrl?: Config.Config<string> | undefined
}

/**
 * A layer of `tag` from configuration: the key (read redacted) and the base URL (checked as `baseUrl` is), from the
 * `Config` values given, else from the provider's default names; other options as given.
 *
 * @since 0.2.0
 * @category layers
 */
export const layerConfig = <I, E, Meta>(
  tag: Context.Tag<I, Service<E, Meta>>,
  provider: Provider<E, Meta>,
  options: ConfigOptions<E> = {}
): Layer.Layer<I, BuildError | ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.merge(
    Layer.effect(
      tag,
      Effect.gen(function*() {
        const { apiKey: apiKeyConfig, baseUrl: baseUrlConfig, ...rest } = options
        const apiKey = yield* (apiKeyConfig ?? Config.redacted(provider.config.apiKey))
        const baseUrl = yield* (baseUrlConfig ??
          Config.string(provider.config.baseUrl).pipe(Config.withDefault(provider.defaultBaseUrl)))
        return yield* make(provider, { ...rest, apiKey, baseUrl })
      })
    ),
    Redaction.layerSecrets
  )
