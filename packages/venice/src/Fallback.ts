/**
 * Fallback models (R6): when a model is overloaded, offline or at capacity, try the caller's next model instead
 * of waiting. Built on Effect's `ExecutionPlan`: each step provides the model to use; a step after the first only runs
 * when the previous one failed with a fallback code.
 *
 * @example
 * ```ts
 * import { Chat } from "@venice-effect/venice"
 *
 * // tries venice-uncensored, then on MODEL_OVERLOADED / MODEL_OFFLINE / MODEL_AT_CAPACITY the two others
 * Chat.completions(
 *   { model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] },
 *   { fallbackModels: ["zai-org-glm-5-1", "qwen3-235b"] }
 * )
 * ```
 *
 * @since 0.1.0
 */
import * as Array from "effect/Array"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as ExecutionPlan from "effect/ExecutionPlan"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as VeniceError from "./VeniceError.js"

/**
 * The codes that move a call to the next model.
 *
 * @since 0.1.0
 * @category constants
 */
export const fallbackCodes = ["MODEL_OVERLOADED", "MODEL_OFFLINE", "MODEL_AT_CAPACITY"] as const

/**
 * Whether an error moves the call to the next model.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFallbackError = (error: unknown): boolean => VeniceError.hasCode(error, ...fallbackCodes)

/**
 * The model the current step of a plan asks for, and whether more models follow (then fallback errors are not
 * retried on this one: the next model is tried at once).
 *
 * @since 0.1.0
 * @category models
 */
export interface Step {
  readonly model: string
  readonly hasNext: boolean
}

/**
 * The current fallback step; `None` outside a plan.
 *
 * @since 0.1.0
 * @category context
 */
export class CurrentStep extends Context.Reference<CurrentStep>()("@venice-effect/venice/Fallback/CurrentStep", {
  defaultValue: (): Option.Option<Step> => Option.none()
}) {}

/**
 * The plan over `[primary, ...fallbacks]`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const plan = (models: Array.NonEmptyReadonlyArray<string>): Plan => {
  const steps = Array.map(models, (model, i) => ({
    provide: Context.make(CurrentStep, Option.some({ model, hasNext: i < models.length - 1 })),
    ...(i === 0 ? {} : { while: (error: RetryPolicy.VeniceClientError) => Effect.succeed(isFallbackError(error)) })
  }))
  // make infers the steps' tuple type; Plan is that plan typed by what it provides (CurrentStep) and reads (the error)
  return ExecutionPlan.make(...steps) as unknown as Plan
}

/**
 * A fallback plan: provides {@link CurrentStep}, reads the previous step's error.
 *
 * @since 0.1.0
 * @category models
 */
export type Plan = ExecutionPlan.ExecutionPlan<{
  provides: CurrentStep
  input: RetryPolicy.VeniceClientError
  error: never
  requirements: never
}>

/**
 * Runs `effect` under a fallback plan over `models` (the effect reads the model from {@link CurrentStep}).
 *
 * @since 0.1.0
 * @category combinators
 */
export const withModels = <A, R>(
  effect: Effect.Effect<A, RetryPolicy.VeniceClientError, R>,
  models: Array.NonEmptyReadonlyArray<string>
): Effect.Effect<A, RetryPolicy.VeniceClientError, R> =>
  models.length === 1 ? effect : Effect.withExecutionPlan(effect, plan(models))

/**
 * Wraps a retry policy so that, while more models follow, fallback errors end the retries on this model at once.
 *
 * @since 0.1.0
 * @category combinators
 */
export const stopOnFallback = <Out, R>(
  policy: Schedule.Schedule<Out, RetryPolicy.VeniceClientError, R>,
  step: Option.Option<Step>
): Schedule.Schedule<Out, RetryPolicy.VeniceClientError, R> =>
  Option.isSome(step) && step.value.hasNext
    ? Schedule.zipLeft(policy, Schedule.recurWhile((e: RetryPolicy.VeniceClientError) => !isFallbackError(e)))
    : policy
