/**
 * `venice chat "prompt" [--model M] [--no-stream] [--fallback M2,M3] [--max-retries N] [--timeout T] [--json]
 * [--emulator]`: streams the answer to stdout as it arrives; while the SDK waits, one live status line on stderr says
 * why and for how long; a failure is rendered for people (code, message, remedy, ids, field tree) and exits 1. With
 * `--json`: the completion (with `--no-stream`) or one JSON chunk per line, and failures as JSON, on stdout. With
 * `--tools-demo`, the question goes through `@effect/ai` on the embedded emulator instead: a tool call, then a
 * structured answer (`ToolsDemo`; with `--json`, its summary as JSON).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Chat from "@venice-effect/venice/Chat"
import * as ChatStream from "@venice-effect/venice/ChatStream"
import type * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Flags from "./Flags.js"
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

type ChatArgs = Target.CallArgs & {
  readonly prompt: string
  readonly model: string
  readonly noStream: boolean
  readonly fallback: Option.Option<string>
  readonly toolsDemo: boolean
}

const json = (value: unknown, indent?: number) => write(`${JSON.stringify(value, null, indent)}\n`)

// loaded only for the demo: plain chats do not pay for @effect/ai
const toolsDemoRun = (args: ChatArgs): Effect.Effect<void, unknown, VeniceClient.VeniceClient> =>
  Effect.flatMap(Effect.promise(() => import("./ToolsDemo.js")), (ToolsDemo) =>
    args.json
      ? Effect.flatMap(ToolsDemo.run(args.prompt, () => Effect.void), (summary) => json(summary, 2))
      : Effect.asVoid(ToolsDemo.run(args.prompt, (line) => write(`${line}\n`))))

const run = (args: ChatArgs) =>
  // the tools demo is always local: the emulator answers tools and json_schema deterministically
  Target.run({ ...args, emulator: args.emulator || args.toolsDemo }, ({ status }) => {
    if (args.toolsDemo) return toolsDemoRun(args)
    const fallbackModels = Option.match(args.fallback, {
      onNone: () => [],
      onSome: (list) => list.split(",").map((m) => m.trim()).filter((m) => m.length > 0)
    })
    const request = { model: args.model, messages: [{ role: "user" as const, content: args.prompt }] }
    if (args.noStream) {
      return Effect.flatMap(Chat.completions(request, { fallbackModels }), (completion) =>
        args.json ? json(completion, 2) : write(`${Chat.text(completion) ?? ""}\n`))
    }
    const stream = ChatStream.stream(request, { fallbackModels })
    return args.json
      // one chunk per line (JSON Lines), as Venice sent them
      ? stream.pipe(Stream.runForEach((chunk) =>
        Effect.zipRight(status.clear, json(chunk))
      ))
      : stream.pipe(
        ChatStream.textDeltas,
        Stream.runForEach((text) => Effect.zipRight(status.clear, write(text))),
        Effect.zipRight(write("\n"))
      )
  })

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "chat",
  {
    prompt,
    model,
    noStream,
    fallback,
    maxRetries: Flags.maxRetries,
    timeout: Flags.timeout,
    json: Flags.json,
    emulator: Flags.emulator,
    toolsDemo
  },
  run
).pipe(Command.withDescription(Flags.describeCalling(
  "Ask a model; the answer streams to stdout (--json: the completion with --no-stream, else one chunk per line)."
)))
