// docs/retries.md: the default policy, its options, its building blocks, and composing your own.
import { RetryPolicy } from "@venice-effect/venice"
import { Duration, Schedule } from "effect"

// The default: `never` classes stop at once; 429s wait what Venice announced (+ up to 250 ms); 5xx and transport
// failures back off 0.5 s × 2ⁿ ≤ 30 s with ±20 % jitter; 4 retries.
export const defaults = RetryPolicy.defaultPolicy

// The same policy, tuned.
export const tuned = RetryPolicy.make({ maxRetries: 2, base: "250 millis", cap: "5 seconds", jitter: 0.1 })

// Bounded in total time: whatever happens, give up after 20 s of retrying.
export const bounded = RetryPolicy.make().pipe(Schedule.upTo("20 seconds"))

// Built from the parts: Venice's delays, only for 5xx/transport (no 429 waits), at most 3 times.
export const backoffOnly = RetryPolicy.delays().pipe(
  Schedule.zipLeft(RetryPolicy.whileClass(["backoff"])),
  Schedule.zipLeft(Schedule.recurs(3))
)

// Your own delays on Venice's classification: a fixed 2 s between retries of retryable errors.
export const fixed = Schedule.spaced("2 seconds").pipe(
  Schedule.zipLeft(RetryPolicy.whileClass()),
  Schedule.zipLeft(Schedule.recurs(4))
)

// Retry while both agree (intersect: the longer delay) or either agrees (union: the shorter delay).
export const strict = Schedule.intersect(RetryPolicy.make(), Schedule.spaced(Duration.seconds(1)))
export const never = RetryPolicy.none
