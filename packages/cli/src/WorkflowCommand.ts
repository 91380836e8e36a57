/**
 * `venice workflow [--json]`: a durable `videoToFile` run (`@venice-effect/workflow`) against the embedded emulator,
 * its worker process killed twice mid-run and resumed by a fresh one, then the emulator's counts (see
 * `WorkflowDemo`). Always local. Exits 0 when one queue request, one payment and one result were counted, 1
 * otherwise. With `--json`: only the report (counts, payments, the result, `ok`), as JSON on stdout.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import { CommandFailed } from "./CommandFailed.js"
import * as Flags from "./Flags.js"
import type * as WorkflowDemo from "./WorkflowDemo.js"

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("workflow", { json: Flags.json }, ({ json }) =>
  Effect.gen(function*() {
    // loaded only for this command: the other commands do not pay for the workflow engine
    const Demo: typeof WorkflowDemo = yield* Effect.promise(() => import("./WorkflowDemo.js"))
    const print = json ? () => Effect.void : (line: string) => Console.log(line)
    yield* print("venice workflow: a durable video run against the embedded emulator, its worker killed twice mid-run")
    const report = yield* Demo.run(print).pipe(
      Effect.scoped,
      Effect.catchAll((e) => {
        const message = `the workflow demo could not run: ${e.message}`
        return json
          ? Effect.zipRight(
            Console.log(JSON.stringify({ ok: false, error: message }, null, 2)),
            new CommandFailed({ exitCode: 1, message, rendered: true })
          )
          : new CommandFailed({ exitCode: 1, message })
      })
    )
    if (json) yield* Console.log(JSON.stringify(report, null, 2))
    else {
      yield* Console.log("")
      for (const line of Demo.renderCounts(report)) yield* Console.log(line)
    }
    if (!report.ok) {
      return yield* new CommandFailed({ exitCode: 1, message: "the counts are not as expected", rendered: true })
    }
  })).pipe(
    Command.withDescription(
      "Kill and resume a durable video workflow's worker; show what the emulator billed (--json: the report). Local."
    )
  )
