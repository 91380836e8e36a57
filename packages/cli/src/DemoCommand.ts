/**
 * `venice demo [--json]`: starts the embedded Venice emulator and plays a scripted storm through the real client (see
 * `Demo`): a timeline of attempts, waits and outcomes, then a summary table no wider than the terminal (80 columns
 * when it is not one). Always local, whatever `VENICE_API_KEY` says. `--json` prints the summary as JSON on stdout
 * instead. Exits 0 when every scenario behaved as expected, 1 otherwise.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Config from "effect/Config"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { CommandFailed } from "./CommandFailed.js"
import type * as DemoModule from "./Demo.js"
import * as Flags from "./Flags.js"
import * as Render from "./Render.js"

const INTRO =
  "venice demo: a scripted storm against the embedded Venice emulator, through the real client. Times are " +
  "since each scenario's start; client lines are the pipeline's Observer events, server lines the emulator's log."

/** The terminal's width when stdout is one (at least 60), else 80. */
const columns = (): number => {
  const c = process.stdout.isTTY === true ? process.stdout.columns : undefined
  return c !== undefined && c >= 60 ? c : 80
}

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("demo", { json: Flags.json }, ({ json }) =>
  Effect.gen(function*() {
    const key = yield* Config.option(Config.redacted("VENICE_API_KEY")).pipe(Effect.orElseSucceed(() => Option.none()))
    // loaded only for this command: the other commands do not pay for the wallet and x402 libraries
    const Demo: typeof DemoModule = yield* Effect.promise(() => import("./Demo.js"))
    const report = yield* Demo.run({
      // with --json, stdout carries the JSON only
      print: (line) => (json ? Effect.void : Console.log(line)),
      onStart: (baseUrl) =>
        Console.error(
          `venice: demo — using the embedded Venice emulator at ${baseUrl}${
            Option.isSome(key) ? " (VENICE_API_KEY is ignored: the demo never calls Venice)" : ""
          }`
        ).pipe(Effect.zipRight(json ? Effect.void : Console.log(Render.wrap(INTRO, columns()).join("\n"))))
    }).pipe(
      Effect.scoped,
      Effect.catchTag("ServeError", (e) =>
        new CommandFailed({ exitCode: 1, message: `could not start the embedded emulator: ${e.message}` }))
    )
    if (json) {
      yield* Console.log(JSON.stringify(report, null, 2))
    } else {
      yield* Console.log("")
      for (const line of Demo.renderSummary(report, columns())) {
        yield* Console.log(line)
      }
    }
    if (
      report.rows.some((row) =>
        !row.ok
      )
    ) {
      return yield* new CommandFailed({ exitCode: 1, message: "a scenario did not behave as expected", rendered: true })
    }
  })).pipe(
    Command.withDescription(
      "Play a scripted storm against the embedded emulator: 429, 503, stream errors, x402, fallback"
    )
  )
