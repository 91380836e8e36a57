/**
 * Content policy (R5): a `422` content violation that comes with a `suggested_prompt` (E4,
 * `VeniceContentViolationError.suggestedPrompt`; `/audio/queue` sends one) may be retried once with
 * `prompt = suggested_prompt` — only when the caller's consent policy says yes. The default policy refuses: the
 * suggestion changes what the user asked for.
 *
 * {@link retryWithSuggestedPrompt} wraps any prompt-carrying call (audio queue, image generation, your own): it runs
 * the call; on such a 422 it asks the consent policy (the `consent` argument, else the {@link ContentPolicy} in
 * context); with consent it runs the call once more with the suggested prompt. The decision is visible in tracing: a
 * `venice.content_policy` span with a `content_policy.retry` (or `content_policy.declined`) event, and every span of
 * the retried call carries `venice.content_policy.retry: true`. Prompts themselves are not recorded (lengths only).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Audio, ContentPolicy } from "@venice-effect/venice"
 *
 * const request = { model: "elevenlabs-music", prompt: "…" }
 * // ask the user (here: accept suggestions that only shorten the prompt)
 * const consent: ContentPolicy.Consent = ({ prompt, suggestedPrompt }) =>
 *   Effect.succeed(suggestedPrompt.length <= prompt.length)
 * const queued = ContentPolicy.retryWithSuggestedPrompt(request, (req) => Audio.queue(req), consent)
 * ```
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as VeniceError from "./VeniceError.js"

/**
 * What the consent policy is asked.
 *
 * @since 0.1.0
 * @category models
 */
export interface ConsentRequest {
  /** The 422 Venice answered. */
  readonly error: VeniceError.VeniceContentViolationError
  /** The prompt that was refused (`undefined` when the request has none the lens can read). */
  readonly prompt: string | undefined
  /** What Venice suggests instead. */
  readonly suggestedPrompt: string
}

/**
 * Decides whether a refused request may be retried once with Venice's suggested prompt.
 *
 * @since 0.1.0
 * @category models
 */
export type Consent = (request: ConsentRequest) => Effect.Effect<boolean>

/**
 * Never retry with a suggested prompt (the default).
 *
 * @since 0.1.0
 * @category policies
 */
export const refuse: Consent = () => Effect.succeed(false)

/**
 * Always retry once with the suggested prompt.
 *
 * @since 0.1.0
 * @category policies
 */
export const accept: Consent = () => Effect.succeed(true)

/**
 * The consent policy used when {@link retryWithSuggestedPrompt} is given none. Default: {@link refuse}. Set it with
 * `Effect.provideService(ContentPolicy, consent)` or a layer.
 *
 * @since 0.1.0
 * @category services
 */
export class ContentPolicy extends Context.Reference<ContentPolicy>()("@venice-effect/venice/ContentPolicy", {
  defaultValue: (): Consent => refuse
}) {}

/**
 * How to read and replace the prompt of a request.
 *
 * @since 0.1.0
 * @category models
 */
export interface PromptLens<Req> {
  readonly get: (request: Req) => string | undefined
  readonly set: (request: Req, prompt: string) => Req
}

/**
 * The `prompt` field (audio queue, image generation, video queue …).
 *
 * @since 0.1.0
 * @category lenses
 */
export const promptField = <Req extends { readonly prompt: string }>(): PromptLens<Req> => ({
  get: (request) => request.prompt,
  set: (request, prompt) => ({ ...request, prompt })
})

/**
 * Is this a content violation with a suggested prompt (the only 422 that may be retried, R1/R5)?
 *
 * @since 0.1.0
 * @category guards
 */
export const hasSuggestedPrompt = (
  u: unknown
): u is VeniceError.VeniceContentViolationError & { readonly suggestedPrompt: string } =>
  Predicate.isTagged(u, "VeniceContentViolationError") && Predicate.hasProperty(u, "suggestedPrompt") &&
  typeof u.suggestedPrompt === "string" && u.suggestedPrompt.length > 0

const spanEvent = (name: string, attributes: Record<string, unknown>) =>
  Effect.flatMap(Effect.option(Effect.currentSpan), (span) =>
    Option.isNone(span)
      ? Effect.void
      : Effect.flatMap(Clock.currentTimeNanos, (now) => Effect.sync(() => span.value.event(name, now, attributes))))

/**
 * Runs `call(request)`; on a 422 content violation with a suggested prompt, asks `consent` (else the
 * {@link ContentPolicy} in context) and, if it agrees, runs `call` once more with the request's prompt replaced by
 * the suggestion (through `lens`, default the `prompt` field). Any failure of the retry is final; without consent the
 * original 422 is the failure.
 *
 * @since 0.1.0
 * @category combinators
 */
export const retryWithSuggestedPrompt: {
  <Req extends { readonly prompt: string }, A, E, R>(
    request: Req,
    call: (request: Req) => Effect.Effect<A, E, R>,
    consent?: Consent | undefined
  ): Effect.Effect<A, E, R>
  <Req, A, E, R>(
    request: Req,
    call: (request: Req) => Effect.Effect<A, E, R>,
    consent: Consent | undefined,
    lens: PromptLens<Req>
  ): Effect.Effect<A, E, R>
} = <Req, A, E, R>(
  request: Req,
  call: (request: Req) => Effect.Effect<A, E, R>,
  consent?: Consent | undefined,
  lens?: PromptLens<Req>
): Effect.Effect<A, E, R> => {
  // without a lens, the first overload applies: Req has a string `prompt`
  const prompts = lens ?? (promptField<{ readonly prompt: string }>() as unknown as PromptLens<Req>)
  return Effect.gen(function*() {
    const first = yield* Effect.either(call(request))
    if (Either.isRight(first)) return first.right
    const error = first.left
    if (!hasSuggestedPrompt(error)) return yield* Effect.fail(error)
    const prompt = prompts.get(request)
    const decide = consent ?? (yield* ContentPolicy)
    const allowed = yield* decide({ error, prompt, suggestedPrompt: error.suggestedPrompt })
    const facts = {
      "content_policy.status": error.status,
      "content_policy.code": error.code,
      ...(prompt !== undefined ? { "content_policy.prompt_length": prompt.length } : {}),
      "content_policy.suggested_prompt_length": error.suggestedPrompt.length
    }
    yield* Effect.annotateCurrentSpan({ "content_policy.consent": allowed })
    if (!allowed) {
      yield* spanEvent("content_policy.declined", facts)
      return yield* Effect.fail(error)
    }
    yield* spanEvent("content_policy.retry", facts)
    return yield* call(prompts.set(request, error.suggestedPrompt)).pipe(
      Effect.annotateSpans("venice.content_policy.retry", true)
    )
  }).pipe(Effect.withSpan("venice.content_policy"))
}
