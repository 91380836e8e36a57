// docs/streaming.md: the opt-in restart combinators.
import { ChatStream } from "@venice-effect/venice"
import { Schedule } from "effect"

const request = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "A haiku" }] }

// Safe: restart only while no output token has reached the consumer (chunks without output are held back).
export const beforeFirstToken = ChatStream.stream(request).pipe(ChatStream.retryBeforeFirstToken())

// The same with your schedule: at most one restart, waiting the event's retry_after (≤ 10 s) or 1 s.
export const once = ChatStream.stream(request).pipe(
  ChatStream.retryBeforeFirstToken({
    schedule: ChatStream.restartSchedule({ maxRestarts: 1, base: "1 second", maxWait: "10 seconds" })
  })
)

// Unsafe unless your model continues a trailing assistant message: re-send with the text so far as a prefix.
export const resumed = ChatStream.resume(request, {
  schedule: ChatStream.restartSchedule({ maxRestarts: 2 }).pipe(Schedule.upTo("30 seconds"))
})
