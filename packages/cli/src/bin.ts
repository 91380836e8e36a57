#!/usr/bin/env node
/**
 * The `venice` command. Exit codes: 0 ok, 1 an API error (or a demo scenario that misbehaved), 2 a usage error.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as ChatCommand from "./ChatCommand.js"
import * as DemoCommand from "./DemoCommand.js"
import * as ErrorsCommand from "./ErrorsCommand.js"
import * as WorkflowCommand from "./WorkflowCommand.js"

const venice = Command.make("venice").pipe(
  Command.withDescription("venice-effect: Venice AI from the terminal, with every failure typed"),
  Command.withSubcommands([ChatCommand.command, ErrorsCommand.command, DemoCommand.command, WorkflowCommand.command])
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

cli(process.argv).pipe(
  Logger.withMinimumLogLevel(LogLevel.None),
  Effect.catchAll((error) => {
    if (ValidationError.isValidationError(error)) return exit(2) // @effect/cli printed the usage error
    switch (error._tag) {
      case "UnknownCodeError":
        return Effect.zipRight(Console.error(`venice: ${error.message}`), exit(2))
      case "CommandFailed":
        return Effect.zipRight(error.rendered === true ? Effect.void : Console.error(`venice: ${error.message}`), exit(error.exitCode))
    }
  }),
  Effect.catchAllDefect((defect) => Effect.zipRight(Console.error(`venice: internal error: ${String(defect)}`), exit(70))),
  withPlainConsole,
  Effect.provide([NodeContext.layer, logger]),
  NodeRuntime.runMain({ disableErrorReporting: true, disablePrettyLogger: true })
)
