/**
 * Where the `venice` command sends its calls: Venice itself when `VENICE_API_KEY` is set, else (or with
 * `--emulator`) the embedded Venice emulator on a random loopback port. Either way it says so in one line.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Pipeline from "@venice-effect/core/Pipeline"
import type * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import { CommandFailed } from "./CommandFailed.js"
import * as Flags from "./Flags.js"
import * as Render from "./Render.js"
import * as StatusLine from "./StatusLine.js"

/**
 * The chosen target.
 *
 * @since 0.1.0
 * @category models
 */
export interface Info {
  readonly kind: "emulator" | "venice"
  readonly baseUrl: string
  /** The embedded emulator's controls (scripting faults for the demo), when it is the target. */
  readonly emulator: Option.Option<VeniceEmulator.Service>
  /** Retries per call the client makes (for "attempt n/N" in status lines). */
  readonly maxRetries: number
}

/**
 * @since 0.1.0
 * @category tags
 */
export class Target extends Context.Tag("@venice-effect/cli/Target")<Target, Info>() {}

/** The key the embedded emulator accepts (not a secret: it only opens a loopback server of this process). */
const EMULATOR_KEY = "venice-effect-embedded-emulator"

/**
 * Options of the target layer.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** Use the embedded emulator even when `VENICE_API_KEY` is set. */
  readonly forceEmulator: boolean
  /** Retries per call (default 4). */
  readonly maxRetries?: number | undefined
  /** Emulator settings (the demo makes limits small). */
  readonly emulator?: VeniceEmulator.Config | undefined
  /** Where the one-line notice goes (default stderr). */
  readonly quiet?: boolean | undefined
}

/**
 * The client and the target, as a scoped layer: the emulator (if used) lives as long as the command.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Options
): Layer.Layer<
  Target | VeniceClient.VeniceClient,
  ServeError | ConfigError.ConfigError | VeniceClient.BuildError
> =>
  Layer.unwrapScoped(
    Effect.gen(function*() {
      const apiKey = yield* Config.option(Config.redacted("VENICE_API_KEY"))
      const baseUrl = yield* Config.string("VENICE_BASE_URL").pipe(Config.withDefault(VeniceClient.DEFAULT_BASE_URL))
      const maxRetries = options.maxRetries ?? 4
      const retry = RetryPolicy.make({ maxRetries })
      const useEmulator = options.forceEmulator || Option.isNone(apiKey)
      if (!useEmulator && Option.isSome(apiKey)) {
        if (options.quiet !== true) yield* Console.error(`venice: calling ${baseUrl}`)
        const info: Info = { kind: "venice", baseUrl, emulator: Option.none(), maxRetries }
        return Layer.merge(
          Layer.succeed(Target, info),
          VeniceClient.layer({ apiKey: apiKey.value, baseUrl, retry }).pipe(Layer.provide(NodeHttpClient.layerUndici))
        )
      }
      // loaded only when used: calls to Venice do not pay for the emulator's start-up
      const Emulator = yield* Effect.promise(() => import("@venice-effect/emulator/VeniceEmulator"))
      const emulator = yield* Emulator.make({ keys: [EMULATOR_KEY], ...options.emulator })
      if (options.quiet !== true) {
        yield* Console.error(
          `venice: ${
            Option.isNone(apiKey) ? "no VENICE_API_KEY set" : "--emulator"
          } — using the embedded Venice emulator at ${emulator.baseUrl}`
        )
      }
      const info: Info = { kind: "emulator", baseUrl: emulator.baseUrl, emulator: Option.some(emulator), maxRetries }
      return Layer.merge(
        Layer.succeed(Target, info),
        VeniceClient.layer({ apiKey: Redacted.make(EMULATOR_KEY), baseUrl: emulator.baseUrl, retry }).pipe(
          Layer.provide(NodeHttpClient.layerUndici)
        )
      )
    })
  )

/**
 * What every calling command takes (`--json`, `--emulator`, `--max-retries`, `--timeout`).
 *
 * @since 0.1.0
 * @category models
 */
export interface CallArgs {
  readonly json: boolean
  readonly emulator: boolean
  readonly maxRetries: number
  readonly timeout: Option.Option<Duration.Duration>
}

/**
 * Runs a command's calls against the target: usage checked first (nothing starts for a command that cannot run),
 * the status line on stderr while the SDK waits, the `--timeout` deadline around everything, and a failure rendered
 * for people on stderr (or as JSON on stdout with `--json`), exit 1; the target's own failures (a key missing, the
 * emulator not starting) exit 2 and 1.
 *
 * @since 0.1.0
 * @category running
 */
export const run = <E, R>(
  args: CallArgs,
  body: (context: { readonly target: Info; readonly status: StatusLine.StatusLine }) => Effect.Effect<void, E, R>
): Effect.Effect<void, CommandFailed, Exclude<R, Target | VeniceClient.VeniceClient>> => {
  if (args.maxRetries < 0 || args.maxRetries > 20) {
    return new CommandFailed({ exitCode: 2, message: "--max-retries must be between 0 and 20" })
  }
  return Effect.gen(function*() {
    const target = yield* Target
    const status = StatusLine.make({ maxAttempts: target.maxRetries + 1 })
    return yield* body({ target, status }).pipe(
      Flags.withDeadline(args.timeout),
      Effect.provideService(Pipeline.Observer, status.observer),
      Effect.ensuring(status.clear),
      Effect.catchAll((error) =>
        Effect.gen(function*() {
          const lines = Render.errorLines(error)
          if (args.json) {
            yield* Effect.sync(() => process.stdout.write(`${JSON.stringify(Render.errorJson(error), null, 2)}\n`))
          } else yield* Effect.sync(() => process.stderr.write(`${lines.join("\n")}\n`))
          return yield* new CommandFailed({ exitCode: 1, message: lines[0] ?? "failed", rendered: true })
        })
      )
    )
  }).pipe(
    Effect.provide(layer({ forceEmulator: args.emulator, maxRetries: args.maxRetries })),
    Effect.catchTags({
      ServeError: (e) =>
        new CommandFailed({ exitCode: 1, message: `could not start the embedded emulator: ${e.message}` }),
      ConfigError: (e) => new CommandFailed({ exitCode: 2, message: `configuration: ${String(e)}` }),
      MissingCredentialsError: (e) => new CommandFailed({ exitCode: 2, message: e.message }),
      InvalidBaseUrlError: (e) => new CommandFailed({ exitCode: 2, message: e.message })
    })
  )
}
