// docs/novita.md: Novita's default retry policy, tuned and composed as Schedules.
import { RetryPolicy } from "@venice-effect/novita"
import { Schedule } from "effect"

const patient = RetryPolicy.make({ maxRetries: 6, cap: "10 seconds" })
const bounded = RetryPolicy.defaultPolicy.pipe(Schedule.upTo("20 seconds"))
const onlyRateLimits = RetryPolicy.delays().pipe(
  Schedule.zipLeft(
    Schedule.recurWhile((e: RetryPolicy.NovitaClientError) => e._tag === "NovitaApiError" && e.status === 429)
  ),
  Schedule.zipLeft(Schedule.recurs(3))
)
