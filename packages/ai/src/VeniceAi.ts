/**
 * Typed errors one layer up: every `AiError` the providers of this package fail with carries the SDK error that
 * caused it — a `VeniceError` with its catalog code, request id and retry class, a stream error, a client decision,
 * a payment refusal, or this package's own {@link StructuredOutputError}. {@link failure} and {@link veniceError} get
 * it back; {@link unwrap} puts it back in the error channel, so `Effect.catchTag` and `VeniceError.catchCode` work on
 * an `@effect/ai` program as they do on a plain SDK call.
 *
 * | SDK failure | `AiError` |
 * | --- | --- |
 * | `VeniceError` (the 11 shapes), `NovitaError` | `HttpResponseError` (`StatusCode`: status, body, `CODE: message`) |
 * | `TransportError`, stream transport errors | `HttpRequestError` (`Transport`) |
 * | `RequestValidationError` | `MalformedInput` |
 * | `ResponseDecodeError`, stream decode / size errors, `StructuredOutputError`, `ToolCallArgumentsError` | `MalformedOutput` |
 * | `WaitTooLongError`, `ErrorBudgetExhaustedError`, wallet errors, in-band and truncated streams | `UnknownError` |
 *
 * @example
 * ```ts
 * import { LanguageModel } from "@effect/ai"
 * import { VeniceAi } from "@venice-effect/ai"
 * import { VeniceError } from "@venice-effect/venice"
 * import { Effect } from "effect"
 *
 * const answer = LanguageModel.generateText({ prompt: "hi" }).pipe(
 *   Effect.map((response) => response.text),
 *   VeniceAi.unwrap,
 *   VeniceError.catchCode("MODEL_OVERLOADED", () => Effect.succeed("busy, later")),
 *   Effect.catchTag("StreamEventError", (e) => Effect.succeed(`stream failed: ${e.code}`))
 * )
 * ```
 *
 * @since 0.1.0
 */
import type * as AiError from "@effect/ai/AiError"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Errors from "./internal/errors.js"

/**
 * A structured output (`LanguageModel.generateObject`) whose text does not validate against the requested Schema:
 * `raw` is the text as the model sent it, `issues` the Schema's `path: message` lines. Carried by a `MalformedOutput`.
 *
 * @since 0.1.0
 * @category errors
 */
export const StructuredOutputError = Errors.StructuredOutputError

/**
 * @since 0.1.0
 * @category errors
 */
export type StructuredOutputError = Errors.StructuredOutputError

/**
 * A tool call whose arguments are not a JSON object (`raw` as received). Carried by a `MalformedOutput`.
 *
 * @since 0.1.0
 * @category errors
 */
export const ToolCallArgumentsError = Errors.ToolCallArgumentsError

/**
 * @since 0.1.0
 * @category errors
 */
export type ToolCallArgumentsError = Errors.ToolCallArgumentsError

/**
 * Every failure of a Venice call: the client's errors (`VeniceError`, `ClientError`, `WalletError`) and the stream
 * errors.
 *
 * @since 0.1.0
 * @category models
 */
export type VeniceFailure = Errors.VeniceFailure

/**
 * Every failure of a Novita call.
 *
 * @since 0.1.0
 * @category models
 */
export type NovitaFailure = Errors.NovitaFailure

/**
 * Everything an `AiError` of this package may carry.
 *
 * @since 0.1.0
 * @category models
 */
export type Failure = Errors.Failure

/**
 * The SDK failure an `AiError` carries (`None` for an `AiError` raised elsewhere, e.g. by `@effect/ai` itself).
 *
 * @since 0.1.0
 * @category getters
 */
export const failure = (error: AiError.AiError): Option.Option<Failure> => Option.fromNullable(Errors.failureOf(error))

/**
 * The Venice failure an `AiError` carries: the tagged error with its catalog code, request id and retry class.
 *
 * @since 0.1.0
 * @category getters
 */
export const veniceError = (error: AiError.AiError): Option.Option<VeniceFailure> =>
  Option.filter(failure(error), Errors.isVeniceFailure)

/**
 * The Novita failure an `AiError` carries.
 *
 * @since 0.1.0
 * @category getters
 */
export const novitaError = (error: AiError.AiError): Option.Option<NovitaFailure> =>
  Option.filter(failure(error), Errors.isNovitaFailure)

/**
 * The structured-output failure an `AiError` carries (with the raw text the model sent).
 *
 * @since 0.1.0
 * @category getters
 */
export const structuredOutputError = (error: AiError.AiError): Option.Option<StructuredOutputError> =>
  Option.filter(failure(error), (f): f is StructuredOutputError => f._tag === "StructuredOutputError")

/**
 * Whether a value is an `AiError` that carries an SDK failure.
 *
 * @since 0.1.0
 * @category guards
 */
export const hasFailure = (u: unknown): boolean => Errors.failureOf(u) !== undefined

/**
 * Replaces every `AiError` that carries an SDK failure by that failure, so the program can `catchTag` the SDK's
 * errors (`VeniceStandardError`, `StreamEventError`, `StructuredOutputError` …) or use `VeniceError.catchCode`.
 * `AiError`s raised elsewhere (and tool handler errors) pass through unchanged.
 *
 * @since 0.1.0
 * @category combinators
 */
export const unwrap = <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | Failure, R> =>
  Effect.mapError(self, (error): E | Failure => Errors.failureOf(error) ?? error)
