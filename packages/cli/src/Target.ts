/**
 * Where the `venice` command sends its calls: Venice itself when `VENICE_API_KEY` is set, else (or with
 * `--emulator`) the embedded Venice emulator on a random loopback port. Either way it says so in one line.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as Console from "effect/Console"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

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
