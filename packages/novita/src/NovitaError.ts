/**
 * Novita AI's failures as tagged errors (N2, N3) and the one total decoder that turns any non-2xx response
 * (status, headers, body) into exactly one of them.
 *
 * Novita answers errors as `{ code: <status>, reason: "<CODE>", message, metadata }`; the `reason` names the
 * catalog code ({@link ErrorCatalog}). Unknown routes answer the plain text `404 page not found`, and a proxy
 * in front may answer anything (HTML, empty, truncated JSON): each shape has its own class, with tags distinct from
 * Venice's so one program can `catchTags` both providers.
 *
 * @since 0.1.0
 */
import * as CatalogLogLevel from "@venice-effect/core/CatalogLogLevel"
import * as ErrorBody from "@venice-effect/core/ErrorBody"
import type * as HeaderDiagnostics from "@venice-effect/core/HeaderDiagnostics"
import * as ResponseHeaders from "@venice-effect/core/ResponseHeaders"
import * as RetryAfter from "@venice-effect/core/RetryAfter"
import * as RetryClass from "@venice-effect/core/RetryClass"
import type * as Duration from "effect/Duration"
import type * as LogLevel from "effect/LogLevel"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as ErrorCatalog from "./ErrorCatalog.js"

const common = {
  /** The HTTP status. */
  status: Schema.Number,
  /** A human-readable message: Novita's own when it sent one. */
  message: Schema.String,
  /** The body as text, bounded (first 64 KiB, see `ErrorBody.DEFAULT_RAW_LIMIT`). */
  raw: Schema.String,
  /** A server-announced wait (`Retry-After`). Novita sends none; a proxy in front might. */
  retryAfter: Schema.optional(Schema.DurationFromSelf),
  /** `X-Request-ID` (or a `request_id` in the body), for support tickets and log correlation. */
  requestId: Schema.optional(Schema.String),
  /** The request's method, when the caller passed it. */
  method: Schema.optional(Schema.String),
  /** The request's URL (never carries the API key: Novita takes it in a header), when the caller passed it. */
  url: Schema.optional(Schema.String),
  /** The attempt number (1 = first), when the caller passed it. */
  attempt: Schema.optional(Schema.Number),
  /** The client's correlation id of the logical call (O1), when the caller passed it. */
  correlationId: Schema.optional(Schema.String)
}

/**
 * A Novita error document `{ code, reason, message, metadata }`.
 *
 * `code` is the catalog code the `reason` names, or `"UNKNOWN"` when the reason is not catalogued (the raw reason is
 * kept in `reason`). `group` is set exactly when the reason is catalogued: the table it was resolved in. Note that
 * the billing table has a real code `UNKNOWN` too: it is the one with `group: "billing"`.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaApiError extends Schema.TaggedError<NovitaApiError>()("NovitaApiError", {
  ...common,
  /** The catalog code, or `"UNKNOWN"` for an uncatalogued reason. */
  code: Schema.Union(ErrorCatalog.NovitaErrorCode, Schema.Literal("UNKNOWN")),
  /** The `reason` exactly as sent. */
  reason: Schema.String,
  /** The catalog group of the resolved row, when the reason is catalogued. */
  group: Schema.optional(ErrorCatalog.NovitaErrorGroup),
  /** The body's numeric `code` (usually the HTTP status), when it sent a number. */
  bodyCode: Schema.optional(Schema.Number),
  /** The body's `metadata` object (empty when absent or not an object). */
  metadata: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}) {}

/**
 * The plain-text `404 page not found` Novita answers for a route that does not exist: a wrong base URL or path.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaNotFoundRouteError extends Schema.TaggedError<NovitaNotFoundRouteError>()(
  "NovitaNotFoundRouteError",
  common
) {}

/**
 * The kinds of body a {@link NovitaUnrecognizedError} can carry (the `ErrorBody` classification).
 *
 * @since 0.1.0
 * @category models
 */
export const BodyKind = Schema.Literal("json", "empty", "html", "text", "truncated-json", "too-large")

/**
 * @since 0.1.0
 * @category models
 */
export type BodyKind = typeof BodyKind.Type

/**
 * Any other failure body: HTML from a proxy or CDN, empty, plain text, truncated JSON, oversized, or JSON that is
 * not a Novita error document. The status and the bounded raw text are always kept.
 *
 * @since 0.1.0
 * @category errors
 */
export class NovitaUnrecognizedError extends Schema.TaggedError<NovitaUnrecognizedError>()(
  "NovitaUnrecognizedError",
  {
    ...common,
    /** What the body was. */
    bodyKind: BodyKind,
    /** The response's `Content-Type`, when present. */
    contentType: Schema.optional(Schema.String)
  }
) {}

/**
 * Every failure a Novita response decodes to.
 *
 * @since 0.1.0
 * @category errors
 */
export type NovitaError = NovitaApiError | NovitaNotFoundRouteError | NovitaUnrecognizedError

/**
 * Schema of the union (the classes are their own schemas).
 *
 * @since 0.1.0
 * @category schemas
 */
export const NovitaError: Schema.Union<
  [typeof NovitaApiError, typeof NovitaNotFoundRouteError, typeof NovitaUnrecognizedError]
> = Schema.Union(NovitaApiError, NovitaNotFoundRouteError, NovitaUnrecognizedError)

/**
 * Whether a value is one of the Novita errors.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isNovitaError = (u: unknown): u is NovitaError =>
  u instanceof NovitaApiError || u instanceof NovitaNotFoundRouteError || u instanceof NovitaUnrecognizedError

// ---------------------------------------------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------------------------------------------

/**
 * Response headers as any HTTP layer gives them: `@effect/platform`'s `Headers`, a plain record, Node's
 * `IncomingHttpHeaders` (multi-valued entries are arrays). Names are matched case-insensitively.
 *
 * @since 0.1.0
 * @category models
 */
export type HeadersInput = ResponseHeaders.Input

/**
 * What {@link decode} needs.
 *
 * - `route` — the request's path (or URL) when `request` is not given; decides the group of a reason that exists in
 *   several tables (`/openai/…` → `llm`, `/v3/async/…` → `media`, billing paths → `billing`). Defaults to
 *   `request.url`.
 * - `nowMillis` — "now" for an HTTP-date `Retry-After` (default `Date.now()`).
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeInput {
  readonly status: number
  readonly headers: HeadersInput
  readonly body: Uint8Array | string
  readonly request?:
    | {
      readonly method?: string | undefined
      readonly url?: string | undefined
      readonly attempt?: number | undefined
      readonly correlationId?: string | undefined
    }
    | undefined
  readonly route?: string | undefined
  readonly nowMillis?: number | undefined
}

/** Novita's error document: `reason` is the discriminator; the other fields are read leniently, one by one. */
const ErrorDocument = Schema.Struct({
  reason: Schema.String,
  code: Schema.optional(Schema.Unknown),
  message: Schema.optional(Schema.Unknown),
  metadata: Schema.optional(Schema.Unknown),
  request_id: Schema.optional(Schema.Unknown)
})

const decodeDocument = Schema.decodeUnknownOption(ErrorDocument)
const decodeNumber = Schema.decodeUnknownOption(Schema.Number)
const decodeNonEmptyString = Schema.decodeUnknownOption(Schema.String.pipe(Schema.filter((s) => s.trim().length > 0)))
/**
 * A JSON object (not an array), kept as parsed rather than copied: `JSON.parse` makes a `"__proto__"` key an own
 * data property, which a copy by assignment would turn into the object's prototype.
 */
const decodeMetadata = Schema.decodeUnknownOption(
  Schema.declare((u): u is { readonly [key: string]: unknown } => Predicate.isRecord(u), {
    identifier: "Metadata"
  })
)

/** What other JSON error shapes (OpenAI-style, a gateway's own) use for their message. */
const decodeForeignMessage = Schema.decodeUnknownOption(
  Schema.Union(
    Schema.Struct({ message: Schema.String }),
    Schema.Struct({ error: Schema.String }),
    Schema.Struct({ error: Schema.Struct({ message: Schema.String }) })
  )
)

const MESSAGE_LIMIT = 4096

const nonEmpty = (s: string | undefined): string | undefined => (s === undefined || s.trim() === "" ? undefined : s)

const NOT_FOUND_ROUTE = /^404 page not found$/i

const foreignMessage = (value: unknown): string | undefined =>
  Option.getOrUndefined(
    Option.map(decodeForeignMessage(value), (doc) =>
      "message" in doc ? doc.message : typeof doc.error === "string" ? doc.error : doc.error.message)
  )

/**
 * Turns a failed response into exactly one {@link NovitaError}. Total: never throws, whatever the status, headers or
 * body; the status is always preserved and the raw body kept (bounded).
 *
 * Classification (N2): a JSON object with a string `reason` is a {@link NovitaApiError}; its code is the
 * catalog row the reason names — reason first, then (for a reason in several tables) the route's group, then the
 * row whose status matches, then the first. The plain text `404 page not found` on a 404 is a
 * {@link NovitaNotFoundRouteError}. Anything else is a {@link NovitaUnrecognizedError}.
 *
 * @example
 * ```ts
 * import * as NovitaError from "@venice-effect/novita/NovitaError"
 *
 * const error = NovitaError.decode({
 *   status: 403,
 *   headers: { "content-type": "application/json" },
 *   body: `{"code":403,"reason":"NOT_ENOUGH_BALANCE","message":"not enough balance","metadata":{}}`,
 *   route: "/openai/v1/chat/completions"
 * })
 * // error._tag === "NovitaApiError", error.code === "NOT_ENOUGH_BALANCE", error.group === "llm"
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (input: DecodeInput): NovitaError => decodeResponse(input).error

/**
 * {@link decode}, also reporting the response headers that were present but unusable (a garbage `Retry-After`), for a
 * debug log (design.md §3: ignored, never a failure).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeResponse = (
  input: DecodeInput
): { readonly error: NovitaError; readonly ignoredHeaders: ReadonlyArray<HeaderDiagnostics.IgnoredHeader> } => {
  const headers = ResponseHeaders.normalize(input.headers)
  const retryAfter = RetryAfter.fromHeaders(headers, input.nowMillis ?? Date.now())
  return {
    error: decodeWith(input, headers, Option.getOrUndefined(retryAfter.value)),
    ignoredHeaders: retryAfter.ignored
  }
}

const decodeWith = (
  input: DecodeInput,
  headers: Readonly<Record<string, string>>,
  retryAfter: Duration.Duration | undefined
): NovitaError => {
  const { status } = input
  const contentType = headers["content-type"]
  const body = ErrorBody.inspect(input.body, { contentType })
  const facts = {
    status,
    raw: body.raw,
    retryAfter,
    // a repeated header is folded into `a, b`: the first value is the id
    requestId: nonEmpty(headers["x-request-id"]?.split(",")[0]?.trim()),
    method: input.request?.method,
    url: input.request?.url,
    attempt: input.request?.attempt,
    correlationId: input.request?.correlationId
  }

  if (body._tag === "json") {
    const document = Option.getOrUndefined(decodeDocument(body.value))
    if (document !== undefined) {
      const row = Option.getOrUndefined(
        ErrorCatalog.resolve(document.reason, { status, route: input.route ?? input.request?.url })
      )
      const message = Option.getOrUndefined(decodeNonEmptyString(document.message))
      return new NovitaApiError(
        {
          ...facts,
          requestId: facts.requestId ?? Option.getOrUndefined(decodeNonEmptyString(document.request_id)),
          code: row?.code ?? "UNKNOWN",
          reason: document.reason,
          group: row?.group,
          bodyCode: Option.getOrUndefined(decodeNumber(document.code)),
          metadata: Option.getOrElse(decodeMetadata(document.metadata), () => ({})),
          message: ErrorBody.bound(
            message ?? row?.descriptionEn ?? `HTTP ${status}: ${document.reason || "error without a reason"}`,
            MESSAGE_LIMIT
          )
        },
        true
      )
    }
  }

  if (body._tag === "text" && status === 404 && NOT_FOUND_ROUTE.test(body.raw.trim())) {
    return new NovitaNotFoundRouteError(
      { ...facts, message: `HTTP 404: no such route${facts.url === undefined ? "" : ` (${facts.url})`}` },
      true
    )
  }

  const foreign = body._tag === "json" ? foreignMessage(body.value) : undefined
  return new NovitaUnrecognizedError(
    {
      ...facts,
      bodyKind: body._tag,
      contentType,
      message: ErrorBody.bound(
        foreign === undefined ? ErrorBody.describe(body, status) : `HTTP ${status}: ${foreign}`,
        MESSAGE_LIMIT
      )
    },
    true
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------------------------

/**
 * The catalog row of an error, when its reason is catalogued.
 *
 * @since 0.1.0
 * @category getters
 */
export const entry = (error: NovitaError): Option.Option<ErrorCatalog.Row> =>
  error._tag === "NovitaApiError" && error.group !== undefined
    ? ErrorCatalog.find(error.code, error.group)
    : Option.none()

/** Novita sends no rate-limit headers: a 429 backs off unless something in front announced a wait. */
const fromStatus = (status: number, retryAfter: unknown): RetryClass.RetryClass =>
  status === 429 ? (retryAfter === undefined ? "backoff" : "header-wait") : RetryClass.fromStatus(status)

/**
 * How an error may be retried (N3): a catalogued code's class; otherwise by status — 5xx and 408 back off, a
 * 429 backs off (or waits on a `Retry-After` a proxy sent), every other 4xx never retries. A missing route never
 * retries.
 *
 * @since 0.1.0
 * @category getters
 */
export const retryClass = (error: NovitaError): RetryClass.RetryClass => {
  switch (error._tag) {
    case "NovitaApiError":
      return Option.match(entry(error), {
        onNone: () => fromStatus(error.status, error.retryAfter),
        onSome: (row) => row.retryClass
      })
    case "NovitaNotFoundRouteError":
      return "never"
    case "NovitaUnrecognizedError":
      return fromStatus(error.status, error.retryAfter)
  }
}

/**
 * Whether any automatic retry is allowed.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isRetryable = (error: NovitaError): boolean => RetryClass.isRetryable(retryClass(error))

/**
 * The catalog log level of an error (C4): a catalogued code's level; `error` for a missing route (a
 * misconfigured base URL or path) and for uncatalogued 5xx; `warn` for anything else uncatalogued.
 *
 * @since 0.1.0
 * @category getters
 */
export const catalogLogLevel = (error: NovitaError): CatalogLogLevel.CatalogLogLevel =>
  Option.match(entry(error), {
    onNone: () => (error._tag === "NovitaNotFoundRouteError" || error.status >= 500 ? "error" : "warn"),
    onSome: (row) => row.logLevel
  })

/**
 * The Effect `LogLevel` to log an error at (`-` → Debug, `warn` → Warning, `error` → Error).
 *
 * @example
 * ```ts
 * import * as Effect from "effect/Effect"
 * import * as NovitaError from "@venice-effect/novita/NovitaError"
 *
 * const logFailure = (error: NovitaError.NovitaError) =>
 *   Effect.logWithLevel(NovitaError.logLevel(error), error.message)
 * ```
 *
 * @since 0.1.0
 * @category getters
 */
export const logLevel = (error: NovitaError): LogLevel.LogLevel => CatalogLogLevel.toLogLevel(catalogLogLevel(error))

/**
 * Whether an error is a {@link NovitaApiError} with the given catalog code.
 *
 * @since 0.1.0
 * @category predicates
 */
export const hasCode = (error: NovitaError, code: ErrorCatalog.NovitaErrorCode | "UNKNOWN"): boolean =>
  error._tag === "NovitaApiError" && error.code === code
