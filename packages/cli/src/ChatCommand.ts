/**
 * `venice chat "prompt" [--model M] [--no-stream] [--fallback M2,M3] [--max-retries N] [--json] [--emulator]`:
 * streams the answer to stdout as it arrives; while the SDK waits, one live status line on stderr says why and for how
 * long; a failure is rendered for people (code, message, remedy, ids, field tree) and exits 1. With `--tools-demo`,
 * the question goes through `@effect/ai` on the embedded emulator instead: a tool call, then a structured answer
 * (`ToolsDemo`).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Chat from "@venice-effect/venice/Chat"
import * as ChatStream from "@venice-effect/venice/ChatStream"
import type * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import { CommandFailed } from "./CommandFailed.js"
import * as Render from "./Render.js"
import * as StatusLine from "./StatusLine.js"
import * as Target from "./Target.js"

/**
 * The default model (Venice's uncensored flagship; the emulator serves it too).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_MODEL = "venice-uncensored"

const prompt = Args.text({ name: "prompt" }).pipe(Args.withDescription("What to ask"))
const model = Options.text("model").pipe(
  Options.withAlias("m"),
  Options.withDefault(DEFAULT_MODEL),
  Options.withDescription("The model id")
)
const noStream = Options.boolean("no-stream").pipe(Options.withDescription("Wait for the whole answer"))
const fallback = Options.text("fallback").pipe(
  Options.optional,
  Options.withDescription("Comma-separated models to fall back to when the model is overloaded or offline")
)
const maxRetries = Options.integer("max-retries").pipe(
  Options.withDefault(4),
  Options.withDescription("Retries per call (default 4)")
)
const json = Options.boolean("json").pipe(Options.withDescription("Print JSON (with --no-stream)"))
const emulator = Options.boolean("emulator").pipe(
  Options.withDescription("Use the embedded Venice emulator even when VENICE_API_KEY is set")
)
const toolsDemo = Options.boolean("tools-demo").pipe(
  Options.withDescription("Ask through @effect/ai on the embedded emulator: a tool call, then a structured answer")
)

/**
 * Writes to stdout (tokens, answers).
 *
 * @since 0.1.0
 * @category output
 */
export const write = (text: string): Effect.Effect<void> => Effect.sync(() => void process.stdout.write(text))

type ChatArgs = {
  readonly prompt: string
  readonly model: string
  readonly noStream: boolean
  readonly fallback: Option.Option<string>
  readonly maxRetries: number
  readonly json: boolean
  readonly emulator: boolean
  readonly toolsDemo: boolean
}

const usageError = (args: ChatArgs): string | undefined =>
  args.json && !args.noStream
    ? "--json needs --no-stream"
    : args.maxRetries < 0 || args.maxRetries > 20
    ? "--max-retries must be between 0 and 20"
    : undefined

const run = (args: ChatArgs) =>
  Effect.gen(function*() {
    const target = yield* Target.Target
    const status = StatusLine.make({ maxAttempts: target.maxRetries + 1 })
    const fallbackModels = Option.match(args.fallback, {
      onNone: () => [],
      onSome: (list) => list.split(",").map((m) => m.trim()).filter((m) => m.length > 0)
    })
    const request = { model: args.model, messages: [{ role: "user" as const, content: args.prompt }] }
    // loaded only for the demo: plain chats do not pay for @effect/ai
    const call: Effect.Effect<void, unknown, VeniceClient.VeniceClient> = args.toolsDemo
      ? Effect.flatMap(Effect.promise(() => import("./ToolsDemo.js")), (ToolsDemo) =>
        Effect.asVoid(ToolsDemo.run(args.prompt, (line) => write(`${line}\n`))))
      : args.noStream
      ? Effect.flatMap(Chat.completions(request, { fallbackModels }), (completion) =>
        write(args.json ? `${JSON.stringify(completion, null, 2)}\n` : `${Chat.text(completion) ?? ""}\n`))
      : ChatStream.stream(request, { fallbackModels }).pipe(
        ChatStream.textDeltas,
        Stream.runForEach((text) => Effect.zipRight(status.clear, write(text))),
        Effect.zipRight(write("\n"))
      )
    return yield* call.pipe(
      Effect.provideService(Pipeline.Observer, status.observer),
      Effect.ensuring(status.clear),
      Effect.catchAll((error) =>
        Effect.gen(function*() {
          if (args.json) yield* write(`${JSON.stringify(Render.errorJson(error), null, 2)}\n`)
          else yield* Effect.sync(() => process.stderr.write(`${Render.errorLines(error).join("\n")}\n`))
          return yield* new CommandFailed({
            exitCode: 1,
            message: Render.errorLines(error)[0] ?? "failed",
            rendered: true
          })
        })
      )
    )
  }).pipe(
    Effect.provide(Target.layer({ forceEmulator: args.emulator || args.toolsDemo, maxRetries: args.maxRetries })),
    Effect.catchTags({
      ServeError: (e) => new CommandFailed({ exitCode: 1, message: `could not start the embedded emulator: ${e.message}` }),
      ConfigError: (e) => new CommandFailed({ exitCode: 2, message: `configuration: ${String(e)}` }),
      MissingCredentialsError: (e) => new CommandFailed({ exitCode: 2, message: e.message }),
      InvalidBaseUrlError: (e) => new CommandFailed({ exitCode: 2, message: e.message })
    })
  )

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "chat",
  { prompt, model, noStream, fallback, maxRetries, json, emulator, toolsDemo },
  (args) => {
    // usage errors first: nothing starts for a command that cannot run
    const usage = usageError(args)
    return usage !== undefined ? new CommandFailed({ exitCode: 2, message: usage }) : run(args)
  }
).pipe(Command.withDescription("Ask a model; the answer streams to stdout"))
