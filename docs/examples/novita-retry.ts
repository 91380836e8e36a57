// docs/novita.md: Novita's default retry policy, tuned and composed as Schedules.
import { NovitaRetryPolicy } from "@venice-effect/novita"
import { Schedule } from "effect"

const patient = NovitaRetryPolicy.make({ maxRetries: 6, cap: "10 seconds" })
const bounded = NovitaRetryPolicy.defaultPolicy.pipe(Schedule.upTo("20 seconds"))
const onlyRateLimits = NovitaRetryPolicy.delays().pipe(
  Schedule.zipLeft(
    Schedule.recurWhile((e: NovitaRetryPolicy.NovitaClientError) => e._tag === "NovitaApiError" && e.status === 429)
  ),
  Schedule.zipLeft(Schedule.recurs(3))
)
