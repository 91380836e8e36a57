#!/usr/bin/env node
/**
 * The `venice` command. Exit codes: 0 ok, 1 an API error (or a demo scenario that misbehaved), 2 a usage error, 130
 * interrupted (Ctrl-C; 143 for SIGTERM), 70 an internal error.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as HelpDoc from "@effect/cli/HelpDoc"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Argv from "./Argv.js"
import * as ChatCommand from "./ChatCommand.js"
import * as DemoCommand from "./DemoCommand.js"
import * as ErrorsCommand from "./ErrorsCommand.js"
import * as ModelsCommand from "./ModelsCommand.js"
import * as WorkflowCommand from "./WorkflowCommand.js"

const subcommands = {
  chat: ChatCommand.command,
  models: ModelsCommand.command,
  errors: ErrorsCommand.command,
  demo: DemoCommand.command,
  workflow: WorkflowCommand.command
}

const description = HelpDoc.blocks([
  HelpDoc.p("venice-effect: Venice AI from the terminal, with every failure typed."),
  HelpDoc.h2("ENVIRONMENT"),
  HelpDoc.descriptionList([
    [
      HelpDoc.getSpan(HelpDoc.p("VENICE_API_KEY")),
      HelpDoc.p("Your Venice API key. Unset: every command runs against an embedded Venice emulator and says so.")
    ],
    [
      HelpDoc.getSpan(HelpDoc.p("VENICE_BASE_URL")),
      HelpDoc.p("Where calls go with a key (default https://api.venice.ai/api/v1), e.g. a `venice-emulator`.")
    ],
    [HelpDoc.getSpan(HelpDoc.p("NO_COLOR")), HelpDoc.p("Set: no colour codes, even on a terminal.")]
  ]),
  HelpDoc.h2("EXAMPLES"),
  HelpDoc.p(
    [
      "venice demo                                        a scripted storm of failures, ~5 s",
      "venice chat \"Why is the sky blue?\"                 streams the answer",
      "venice chat hi --no-stream --json --timeout 30s    the completion as JSON, within 30 s",
      "venice chat hi --fallback zai-org-glm-5-1          another model when this one is overloaded",
      "venice models --type all --json                    every model the target serves",
      "venice errors RATE_LIMIT_EXCEEDED                  one error code explained",
      "venice chat \"Weather in Oslo?\" --tools-demo        @effect/ai: a tool call, then JSON",
      "venice workflow                                    kills and resumes a durable run, ~30 s",
      "VENICE_API_KEY=… venice chat hi                    calls Venice"
    ].join("\n")
  ),
  HelpDoc.h2("EXIT CODES"),
  HelpDoc.p("0 ok · 1 an API error (rendered) · 2 a usage error · 130 interrupted (Ctrl-C)")
])

const venice = Command.make("venice").pipe(
  Command.withDescription(description),
  Command.withSubcommands([
    subcommands.chat,
    subcommands.models,
    subcommands.errors,
    subcommands.demo,
    subcommands.workflow
  ])
)

const cli = Command.run(venice, { name: "venice", version: "0.1.0" })

const exit = (code: number) => Effect.sync(() => void (process.exitCode = code))

// @effect/cli colours its help and usage errors with ANSI sequences; a stream that is not a terminal (a pipe, a file,
// a test) gets them stripped, and so does everyone with NO_COLOR set.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g
const plain = (stream: NodeJS.WriteStream) => stream.isTTY !== true || (process.env["NO_COLOR"] ?? "") !== ""
const strip = (args: ReadonlyArray<unknown>) => args.map((a) => (typeof a === "string" ? a.replace(ANSI, "") : a))
const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) =>
    Console.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...(plain(process.stdout) ? strip(args) : args)),
      info: (...args) => console.info(...(plain(process.stdout) ? strip(args) : args)),
      error: (...args) => console.error(...(plain(process.stderr) ? strip(args) : args)),
      warn: (...args) => console.warn(...(plain(process.stderr) ? strip(args) : args))
    })
  )

// The SDK logs every failed attempt at its catalog level. The command shows waits on its status line and renders the
// final failure itself, so those lines stay off unless asked for (`--log-level warning`, `--log-level debug` …), and
// then go to stderr: stdout carries the answer only.
const logger = Logger.replace(
  Logger.defaultLogger,
  Logger.prettyLogger({ stderr: true, colors: !plain(process.stderr) })
)

// @effect/cli reads an unknown `--bogus` as a value; name it instead (exit 2), before anything runs.
const unknown = Argv.findUnknownOption(process.argv.slice(2), {
  chat: Argv.commandOptions(subcommands.chat),
  models: Argv.commandOptions(subcommands.models),
  errors: Argv.commandOptions(subcommands.errors),
  demo: Argv.commandOptions(subcommands.demo),
  workflow: Argv.commandOptions(subcommands.workflow)
})

// Ctrl-C (SIGINT) interrupts the program: the request in flight, any wait, the embedded emulator are all stopped, and
// the process exits 130 as shells expect (143 for SIGTERM). Which signal it was is only known here.
let signal: "SIGINT" | "SIGTERM" | undefined
process.once("SIGINT", () => void (signal ??= "SIGINT"))
process.once("SIGTERM", () => void (signal ??= "SIGTERM"))
const teardown = (exit: Exit.Exit<unknown, unknown>, onExit: (code: number) => void) =>
  onExit(
    Exit.isFailure(exit) && Cause.isInterruptedOnly(exit.cause)
      ? signal === "SIGTERM" ? 143 : 130
      : Exit.isFailure(exit)
      ? 1
      : 0
  )

// `venice chat hi | head -1`: the reader left; stop quietly instead of crashing on EPIPE.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0)
  throw error
})

const program = unknown !== undefined
  ? Effect.zipRight(Console.error(Argv.describeUnknownOption("venice", unknown)), exit(2))
  : cli(process.argv).pipe(
    Logger.withMinimumLogLevel(LogLevel.None),
    Effect.catchAll((error) => {
      if (ValidationError.isValidationError(error)) return exit(2) // @effect/cli printed the usage error
      switch (error._tag) {
        case "UnknownCodeError":
          return Effect.zipRight(Console.error(`venice: ${error.message}`), exit(2))
        case "CommandFailed":
          return Effect.zipRight(
            error.rendered === true ? Effect.void : Console.error(`venice: ${error.message}`),
            exit(error.exitCode)
          )
      }
    }),
    Effect.catchAllDefect((defect) =>
      Effect.zipRight(Console.error(`venice: internal error: ${String(defect)}`), exit(70))
    )
  )

program.pipe(
  withPlainConsole,
  Effect.provide([NodeContext.layer, logger]),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true, teardown })
)
