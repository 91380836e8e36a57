#!/usr/bin/env node
/**
 * The `venice` command.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as ErrorsCommand from "./ErrorsCommand.js"

const venice = Command.make("venice").pipe(
  Command.withDescription("venice-effect: Venice AI from the terminal, with every failure typed"),
  Command.withSubcommands([ErrorsCommand.command])
)

const cli = Command.run(venice, { name: "venice", version: "0.1.0" })

cli(process.argv).pipe(
  Effect.catchTag("UnknownCodeError", (e) =>
    Effect.zipRight(Console.error(e.message), Effect.sync(() => (process.exitCode = 2)))),
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
