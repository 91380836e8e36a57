/**
 * The `venice-emulator` command: starts the Venice emulator and prints its base URL (and, with `--novita-port`, the
 * Novita emulator, whose base URL is the second line).
 *
 * ```
 * npx venice-emulator --port 8787 --key KEY [--key K2] [--admin] [--rpm N] [--novita-port 8788] …
 * ```
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as Console from "effect/Console"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as NovitaEmulatorModule from "./NovitaEmulator.js"
import type * as VeniceEmulatorModule from "./VeniceEmulator.js"

const optionalInteger = (name: string, description: string) =>
  Options.integer(name).pipe(Options.optional, Options.withDescription(description))

const options = {
  port: Options.integer("port").pipe(
    Options.withDefault(8787),
    Options.withDescription("Port to listen on (0 picks a free one).")
  ),
  host: Options.text("host").pipe(Options.withDefault("127.0.0.1"), Options.withDescription("Interface to listen on.")),
  // `Options.redacted` cannot be `repeated` in @effect/cli 0.77 (the parsed value is validated again); the keys are
  // wrapped in `Redacted` right after parsing instead.
  keys: Options.text("key").pipe(
    Options.repeated,
    Options.withDescription("An ADMIN API key to accept as `Authorization: Bearer <key>` (repeatable).")
  ),
  inferenceKeys: Options.text("inference-key").pipe(
    Options.repeated,
    Options.withDescription("An INFERENCE API key (no admin routes such as /billing/balance; repeatable).")
  ),
  admin: Options.boolean("admin").pipe(
    Options.withDescription(
      "Serve the admin routes: POST/GET/DELETE /__emulator/faults, GET /__emulator/stats, GET /__emulator/requests, POST /__emulator/reset."
    )
  ),
  rpm: optionalInteger("rpm", "Requests per window per key and model (default: each model's Venice limit)."),
  tpm: optionalInteger("tpm", "Tokens per window per key and model (default: each model's Venice limit)."),
  window: optionalInteger("window-ms", "Length of the request / token windows in milliseconds (default 60000)."),
  errorBudget: optionalInteger(
    "error-budget",
    "Failed (4xx, not 429) requests per bucket before the lockout (default 50)."
  ),
  errorWindow: optionalInteger("error-window-ms", "Length of the error-budget window in milliseconds (default 30000)."),
  rpcRpm: optionalInteger("rpc-rpm", "Crypto RPC requests per minute per caller (default 100)."),
  tokens: optionalInteger("tokens", "Tokens per generated completion (default 12)."),
  pace: optionalInteger("pace-ms", "Milliseconds between streamed chunks (default 0)."),
  jobMs: optionalInteger("job-ms", "Milliseconds until a queued video / audio job is done (default 3000)."),
  wallets: Options.keyValueMap("wallet").pipe(
    Options.optional,
    Options.withDescription("Initial x402 credit of a wallet, as ADDRESS=USD (repeatable).")
  ),
  payTo: Options.text("pay-to").pipe(
    Options.optional,
    Options.withDescription("The Base payTo address of x402 payment requirements.")
  ),
  solanaFirst: Options.boolean("solana-first").pipe(
    Options.withDescription("List the Solana rail before Base in accepts[] (for clients that sign in on accepts[0]).")
  ),
  origin: Options.text("origin").pipe(
    Options.optional,
    Options.withDescription(
      "The public origin SIWX challenges are bound to, for a proxy in front (default: http://host:port)."
    )
  ),
  novitaPort: optionalInteger(
    "novita-port",
    "Also start the Novita emulator on this port (0 picks a free one), with the same keys; its base URL is printed on the second line."
  )
}

const command = Command.make("venice-emulator", options, (o) =>
  Effect.gen(function*() {
    const some = <A>(option: Option.Option<A>) => Option.getOrUndefined(option)
    const wallets = Option.match(o.wallets, {
      onNone: () => undefined,
      onSome: (map) => Object.fromEntries([...map].map(([address, usd]) => [address, Number(usd)]))
    })
    // loaded only to serve: `--help` and usage errors do not pay for the servers, viem and the x402 libraries
    const VeniceEmulator: typeof VeniceEmulatorModule = yield* Effect.promise(() => import("./VeniceEmulator.js"))
    const emulator = yield* VeniceEmulator.make({
      port: o.port,
      host: o.host,
      admin: o.admin,
      keys: [
        ...o.keys.map((key) => ({ key: Redacted.make(key), type: "ADMIN" as const })),
        ...o.inferenceKeys.map((key) => ({ key: Redacted.make(key), type: "INFERENCE" as const }))
      ],
      rateLimit: {
        requestsPerWindow: some(o.rpm),
        tokensPerWindow: some(o.tpm),
        window: Option.map(o.window, Duration.millis).pipe(Option.getOrUndefined)
      },
      errorBudget: {
        threshold: some(o.errorBudget),
        window: Option.map(o.errorWindow, Duration.millis).pipe(Option.getOrUndefined)
      },
      cryptoRpc: { requestsPerMinute: some(o.rpcRpm) },
      stream: { tokens: some(o.tokens), pace: Option.map(o.pace, Duration.millis).pipe(Option.getOrUndefined) },
      jobs: { duration: Option.map(o.jobMs, Duration.millis).pipe(Option.getOrUndefined) },
      x402: { wallets, payTo: some(o.payTo), origin: some(o.origin), solanaFirst: o.solanaFirst }
    })
    yield* Console.log(emulator.baseUrl)
    if (Option.isSome(o.novitaPort)) {
      const NovitaEmulator: typeof NovitaEmulatorModule = yield* Effect.promise(() => import("./NovitaEmulator.js"))
      const novita = yield* NovitaEmulator.make({
        port: o.novitaPort.value,
        host: o.host,
        admin: o.admin,
        keys: [...o.keys, ...o.inferenceKeys].map((key) => Redacted.make(key))
      })
      yield* Console.log(novita.baseUrl)
    }
    const keys = o.keys.length + o.inferenceKeys.length
    yield* Console.error(
      `venice-emulator: ${keys} key(s)${
        keys > 0 ? ` (${[...o.keys, ...o.inferenceKeys].map((k) => emulator.labelOf(k)).join(", ")})` : ""
      }${o.admin ? `, admin routes on ${emulator.origin}/__emulator` : ""}; Ctrl-C stops`
    )
    return yield* Effect.never
  }).pipe(Effect.scoped)).pipe(
    Command.withDescription("A local HTTP server that behaves like the Venice API (limiters, x402, scripted faults).")
  )

const cli = Command.run(command, { name: "venice-emulator", version: "0.1.0" })

// @effect/cli colours its help and usage errors with ANSI sequences: kept on a terminal, stripped when the stream is
// not one (a pipe, a file) or NO_COLOR is set.
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]/g
const plain = (stream: NodeJS.WriteStream) => stream.isTTY !== true || (process.env["NO_COLOR"] ?? "") !== ""
const strip = (stream: NodeJS.WriteStream, args: ReadonlyArray<unknown>) =>
  plain(stream) ? args.map((a) => (typeof a === "string" ? a.replace(ANSI, "") : a)) : args
const withPlainConsole = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Console.consoleWith((console) =>
    Console.withConsole(effect, {
      ...console,
      log: (...args) => console.log(...strip(process.stdout, args)),
      info: (...args) => console.info(...strip(process.stdout, args)),
      error: (...args) => console.error(...strip(process.stderr, args)),
      warn: (...args) => console.warn(...strip(process.stderr, args))
    })
  )

cli(process.argv).pipe(
  withPlainConsole,
  Effect.provide(NodeContext.layer),
  NodeRuntime.runMain({ disableErrorReporting: false })
)
