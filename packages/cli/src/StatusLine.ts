/**
 * One live status line that says why the SDK is waiting and for how long
 * (`429 RATE_LIMIT_EXCEEDED · waiting 2.0 s (retry-after) · attempt 2/5`), cleared when output flows. On a terminal it
 * redraws itself on stderr, cut to the terminal width; when stderr is not a terminal it prints plain lines (no control
 * sequences), and nothing ever goes to stdout, so piped output stays clean.
 *
 * @since 0.1.0
 */
import type * as Pipeline from "@venice-effect/core/Pipeline"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"

/**
 * A writable terminal-ish stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface Sink {
  readonly isTTY?: boolean | undefined
  readonly columns?: number | undefined
  write(text: string): unknown
}

/**
 * The status line.
 *
 * @since 0.1.0
 * @category models
 */
export interface StatusLine {
  readonly show: (text: string) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
  /** A pipeline observer that shows waits and clears on success. */
  readonly observer: (event: Pipeline.Event) => Effect.Effect<void>
}

const describe = (error: unknown): string => {
  if (VeniceError.isVeniceError(error)) return `${error.status} ${error.code}`
  if (Predicate.hasProperty(error, "_tag")) {
    const reason = Predicate.hasProperty(error, "reason") ? ` ${String(error.reason)}` : ""
    return `${String(error._tag)}${reason}`
  }
  return "error"
}

const seconds = (d: Duration.Duration) => `${(Duration.toMillis(d) / 1000).toFixed(1)} s`

/**
 * A status line on `sink` (default `process.stderr`). `maxAttempts` is shown as "attempt n/N".
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: { readonly sink?: Sink; readonly maxAttempts: number }): StatusLine => {
  const sink: Sink = options.sink ?? process.stderr
  const tty = sink.isTTY === true
  let visible = false
  const show = (text: string) =>
    Effect.sync(() => {
      if (tty) {
        // a pseudo-terminal without a size (`script`, some CI runners) reports 0 columns: assume 80
        const columns = sink.columns !== undefined && sink.columns > 0 ? sink.columns : 80
        const width = Math.max(20, columns - 1)
        const line = text.length > width ? `${text.slice(0, width - 1)}…` : text
        sink.write(`\r\x1b[2K${line}`)
        visible = true
      } else {
        sink.write(`${text}\n`)
      }
    })
  const clear = Effect.sync(() => {
    if (tty && visible) {
      sink.write("\r\x1b[2K")
      visible = false
    }
  })
  const observer = (event: Pipeline.Event): Effect.Effect<void> => {
    switch (event._tag) {
      case "Waiting":
        return show(
          `${describe(event.error)} · waiting ${
            seconds(event.delay)
          } (${event.reason}) · attempt ${event.nextAttempt}/${options.maxAttempts}`
        )
      case "Pacing":
        return show(`pacing · waiting ${seconds(event.delay)} for Venice's rate-limit window`)
      case "AttemptSucceeded":
        return clear
      default:
        return Effect.void
    }
  }
  return { show, clear, observer }
}
