#!/usr/bin/env node
/**
 * The `venice` command. Exit codes: 0 ok, 1 an API error, 2 a usage error.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as ChatCommand from "./ChatCommand.js"
import * as ErrorsCommand from "./ErrorsCommand.js"

const venice = Command.make("venice").pipe(
  Command.withDescription("venice-effect: Venice AI from the terminal, with every failure typed"),
  Command.withSubcommands([ChatCommand.command, ErrorsCommand.command])
)

const cli = Command.run(venice, { name: "venice", version: "0.1.0" })

const exit = (code: number) => Effect.sync(() => void (process.exitCode = code))

cli(process.argv).pipe(
  Effect.catchAll((error) => {
    if (ValidationError.isValidationError(error)) return exit(2) // @effect/cli printed the usage error
    switch (error._tag) {
      case "UnknownCodeError":
        return Effect.zipRight(Console.error(error.message), exit(2))
      case "CommandFailed":
        // rendered already when it is an API error; usage messages are printed here
        return Effect.zipRight(error.exitCode === 2 ? Console.error(`venice: ${error.message}`) : Effect.void, exit(error.exitCode))
    }
  }),
  Effect.catchAllDefect((defect) => Effect.zipRight(Console.error(`venice: internal error: ${String(defect)}`), exit(70))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: true })
)
