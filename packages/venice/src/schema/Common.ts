/**
 * Building blocks shared by the Venice route schemas: open string enums, excess-property policies, the
 * `{ usd, diem }` money pair, reasoning / verbosity enums, and the few field shapes that appear on several routes.
 *
 * Source of truth: `venice-openapi.yaml` (components and route bodies) plus the newer Venice skills; where the two
 * disagree, the schemas here accept both.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import type { ParseOptions } from "effect/SchemaAST"

/**
 * A string enum that stays open: the listed literals are what the spec documents today (and what editors
 * auto-complete), but any other string decodes too. Used for response fields Venice extends without notice
 * (`finish_reason`, model `type`, transaction `type` …) and for model ids, whose enums in the spec are snapshots of a
 * catalog that changes weekly.
 *
 * @example
 * ```ts
 * import * as Common from "@venice-effect/venice/schema/Common"
 * import * as Schema from "effect/Schema"
 *
 * const FinishReason = Common.OpenLiteral("stop", "length")
 * Schema.decodeUnknownSync(FinishReason)("content_filter") // "content_filter": unknown values pass
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const OpenLiteral = <const Literals extends ReadonlyArray<string>>(
  ...literals: Literals
): Schema.Schema<Literals[number] | (string & {})> => Schema.Union(Schema.Literal(...literals), Schema.String)

/**
 * Parse options that make an object schema (and, unless overridden below it, everything nested in it) reject keys it
 * does not declare. Applied to the request bodies Venice validates strictly (the spec marks most of them
 * `additionalProperties: false`; Venice answers `400` for an unknown top-level field), so a typo fails locally
 * instead of costing an error-budget slot.
 *
 * @since 0.1.0
 * @category annotations
 */
export const rejectExcess: { readonly parseOptions: ParseOptions } = {
  parseOptions: { onExcessProperty: "error" }
}

/**
 * Parse options that restore the default (unknown keys are dropped) below a {@link rejectExcess} object: used on the
 * nested objects of a strict body that Venice itself treats as open (`venice_parameters`, messages, tools …).
 *
 * @since 0.1.0
 * @category annotations
 */
export const ignoreExcess: { readonly parseOptions: ParseOptions } = {
  parseOptions: { onExcessProperty: "ignore" }
}

/**
 * A JSON object with arbitrary members (a JSON Schema, function-call parameters, opaque metadata).
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
  identifier: "JsonObject"
})

/**
 * The fallback member of an open tagged union: an object whose `type` is a string *not* among `known`, with all of
 * its other members kept as they came. Because the known tags are excluded, a malformed known variant still fails
 * instead of silently landing here.
 *
 * @since 0.1.0
 * @category constructors
 */
export const UnknownTyped = (known: ReadonlyArray<string>) => {
  const tags = new Set(known)
  return Schema.Struct(
    {
      type: Schema.String.pipe(
        Schema.filter((tag) => !tags.has(tag), {
          message: () => `a type other than ${known.map((tag) => JSON.stringify(tag)).join(" | ")}`
        })
      )
    },
    Schema.Record({ key: Schema.String, value: Schema.Unknown })
  )
}

/**
 * A model id, trait (`default`, `default_code` …) or compatibility mapping. Venice resolves it server side, so any
 * non-empty string is accepted; chat also accepts feature suffixes (`zai-org-glm-5-1:enable_web_search=on`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ModelId = Schema.String.pipe(
  Schema.minLength(1, { message: () => "model must be a non-empty model id" })
).annotations({ identifier: "ModelId" })

/**
 * A model id field whose spec lists known ids: the listed ids auto-complete, any other non-empty id is accepted too
 * (the spec enums are snapshots of a catalog that changes weekly). The literals are a matter of types only: at run time
 * this is {@link ModelId}, so a bad value gets one clear message instead of one per known id.
 *
 * @since 0.1.0
 * @category constructors
 */
export const KnownModelId = <const Ids extends ReadonlyArray<string>>(
  ..._ids: Ids
): Schema.Schema<Ids[number] | (string & {})> => ModelId

/**
 * An amount split by billing currency: `usd` (bundled credits count as USD-equivalent) and `diem`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Cost = Schema.Struct({
  /** The USD-denominated portion (bundled credits included as USD-equivalent). */
  usd: Schema.Finite,
  /** The DIEM-denominated portion. */
  diem: Schema.Finite
}).annotations({ identifier: "Cost" })

/**
 * @since 0.1.0
 * @category models
 */
export type Cost = typeof Cost.Type

/**
 * A price quoted in both currencies (`usd`, `diem`), as in `model_spec.pricing`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsdDiem = Schema.Struct({
  /** Price in USD. */
  usd: Schema.Finite,
  /** Price in DIEM. */
  diem: Schema.Finite
}).annotations({ identifier: "UsdDiem" })

/**
 * @since 0.1.0
 * @category models
 */
export type UsdDiem = typeof UsdDiem.Type

/**
 * Reasoning effort levels (`reasoning_effort`, `reasoning.effort`). Per-model support is listed in
 * `model_spec.capabilities.reasoningEffortOptions`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReasoningEffort = Schema.Literal("none", "minimal", "low", "medium", "high", "xhigh", "max")

/**
 * @since 0.1.0
 * @category models
 */
export type ReasoningEffort = typeof ReasoningEffort.Type

/**
 * Reasoning summary modes (`reasoning.summary`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReasoningSummary = Schema.Literal("auto", "concise", "detailed")

/**
 * @since 0.1.0
 * @category models
 */
export type ReasoningSummary = typeof ReasoningSummary.Type

/**
 * Text verbosity (`verbosity`, `text.verbosity`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Verbosity = Schema.Literal("low", "medium", "high", "auto")

/**
 * @since 0.1.0
 * @category models
 */
export type Verbosity = typeof Verbosity.Type

/**
 * Venice web search mode: `off` (default), `on` (always search), `auto` (a classifier decides).
 *
 * @since 0.1.0
 * @category schemas
 */
export const WebSearchMode = Schema.Literal("auto", "off", "on")

/**
 * @since 0.1.0
 * @category models
 */
export type WebSearchMode = typeof WebSearchMode.Type

/**
 * Reasoning configuration shared by chat and responses: `effort`, `summary`, and `enabled: false` to turn thinking
 * off (the last one is documented by the skills, not yet by the spec).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ReasoningConfig = Schema.Struct({
  /** Reasoning effort; defaults to the model configuration. */
  effort: Schema.optionalWith(ReasoningEffort, { exact: true }),
  /** Whether / how the model summarizes its reasoning. */
  summary: Schema.optionalWith(ReasoningSummary, { exact: true }),
  /** `false` disables reasoning on supported models; ignored when an effort is set. */
  enabled: Schema.optionalWith(Schema.Boolean, { exact: true })
}).annotations({ identifier: "ReasoningConfig" })

/**
 * @since 0.1.0
 * @category models
 */
export type ReasoningConfig = typeof ReasoningConfig.Type

const printableAscii = /^[\x20-\x7E]+$/

/**
 * An end-user identifier (`anon_user_id`, chat / responses / video queue): printable ASCII only, no `||`, at most 128
 * characters once trimmed (Venice trims it and treats a blank value as absent). Documented by the Venice skills (not
 * yet in the spec).
 *
 * @since 0.1.0
 * @category schemas
 */
export const AnonUserId = Schema.String.pipe(
  Schema.filter((s) => s.length === 0 || printableAscii.test(s) || "anon_user_id must be printable ASCII (0x20–0x7E)"),
  Schema.filter((s) => !s.includes("||") || "anon_user_id must not contain \"||\""),
  Schema.filter((s) => s.trim().length <= 128 || "anon_user_id must be at most 128 characters")
).annotations({ identifier: "AnonUserId" })

/**
 * One refusal-fallback model (Anthropic beta, forwarded only on direct Anthropic routes).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Fallback = Schema.Struct({
  /** The fallback model id. */
  model: Schema.String
}).annotations({ identifier: "Fallback" })

/**
 * Up to 10 refusal-fallback models.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Fallbacks = Schema.Array(Fallback).pipe(Schema.maxItems(10))

/**
 * The price quote returned by `POST /video/quote` and `POST /audio/quote`: the estimated price in USD.
 *
 * @since 0.1.0
 * @category schemas
 */
export class QuoteResponse extends Schema.Class<QuoteResponse>("QuoteResponse")({
  /** The estimated price in USD. */
  quote: Schema.Finite
}) {}

/**
 * The JSON status an async job (`/video/retrieve`, `/audio/retrieve`) answers while it is still running. Times are
 * milliseconds: `average_execution_time` is a P80 estimate, `execution_duration` the time since it was queued.
 *
 * @since 0.1.0
 * @category schemas
 */
export class JobProcessing extends Schema.Class<JobProcessing>("JobProcessing")({
  /** The job is still running. */
  status: Schema.Literal("PROCESSING"),
  /** Estimated execution time in milliseconds (P80). */
  average_execution_time: Schema.Finite,
  /** Time the job has been running, in milliseconds. */
  execution_duration: Schema.Finite
}) {}
