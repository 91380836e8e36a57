/**
 * Options shared by the commands that call Venice (`chat`, `models`): `--json`, `--emulator`, `--max-retries`,
 * `--timeout`, and the deadline `--timeout` sets.
 *
 * @since 0.1.0
 */
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * `--json`: print JSON for scripts, on stdout (failures included).
 *
 * @since 0.1.0
 * @category options
 */
export const json = Options.boolean("json").pipe(Options.withDescription("Print JSON on stdout (failures too)"))

/**
 * `--emulator`: the embedded emulator even when `VENICE_API_KEY` is set.
 *
 * @since 0.1.0
 * @category options
 */
export const emulator = Options.boolean("emulator").pipe(
  Options.withDescription("Use the embedded Venice emulator even when VENICE_API_KEY is set")
)

/**
 * `--max-retries N` (0–20, default 4).
 *
 * @since 0.1.0
 * @category options
 */
export const maxRetries = Options.integer("max-retries").pipe(
  Options.withDefault(4),
  Options.withDescription("Retries per call, 0–20 (default 4)")
)

/**
 * Reads a `--timeout` value: seconds (`30`, `2.5`) or a number with a unit (`500ms`, `30s`, `2m`, `1h`).
 *
 * @since 0.1.0
 * @category parsing
 */
export const parseTimeout = (text: string): Option.Option<Duration.Duration> => {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text)
  if (m === null) return Option.none()
  const n = Number(m[1])
  const millis = m[2] === "ms" ? n : m[2] === "m" ? n * 60_000 : m[2] === "h" ? n * 3_600_000 : n * 1_000
  return millis > 0 && Number.isFinite(millis) ? Option.some(Duration.millis(millis)) : Option.none()
}

/**
 * `--timeout T`: the most the whole command may take, every attempt and wait included.
 *
 * @since 0.1.0
 * @category options
 */
export const timeout = Options.text("timeout").pipe(
  Options.withDescription("Give up after this long, retries and waits included: seconds, or 500ms, 30s, 2m"),
  Options.mapEffect((text) =>
    Option.match(parseTimeout(text), {
      onNone: () =>
        Effect.fail(
          ValidationError.invalidValue(HelpDoc.p(`--timeout: '${text}' is not a duration (e.g. 30, 500ms, 30s, 2m)`))
        ),
      onSome: Effect.succeed
    })
  ),
  Options.optional
)

/**
 * The command's deadline passed (`--timeout`): whatever was in flight was cancelled.
 *
 * @since 0.1.0
 * @category errors
 */
export class DeadlineExceeded extends Schema.TaggedError<DeadlineExceeded>()("DeadlineExceeded", {
  timeout: Schema.DurationFromSelf,
  message: Schema.String
}) {}

/**
 * Runs `effect` within the `--timeout` deadline, if one was given; past it, the effect is interrupted (the request in
 * flight and any wait are cancelled) and the command fails with {@link DeadlineExceeded}.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withDeadline =
  (deadline: Option.Option<Duration.Duration>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | DeadlineExceeded, R> =>
    Option.match(deadline, {
      onNone: () => effect,
      onSome: (duration) =>
        Effect.timeoutFail(effect, {
          duration,
          onTimeout: () =>
            new DeadlineExceeded({
              timeout: duration,
              message: `no answer within ${Duration.format(duration)} (--timeout); the call was cancelled`
            })
        })
    })

/**
 * The one-paragraph help text of a command that calls Venice: what it does and where calls go (`VENICE_API_KEY`,
 * `VENICE_BASE_URL`). One paragraph, because the root's command list shows it too; `venice --help` has the examples.
 *
 * @since 0.1.0
 * @category help
 */
export const describeCalling = (summary: string): string =>
  `${summary} Calls Venice when VENICE_API_KEY is set (VENICE_BASE_URL overrides the URL), else the embedded emulator.`
