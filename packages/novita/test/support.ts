/**
 * Test support: a Novita emulator on a random loopback port and a NovitaClient pointed at it, built inside the test's
 * own runtime (so both sides read the TestClock), and the TestClock driver copied from `packages/venice/test/support.ts`:
 * it advances the clock to each pending wake-up while real HTTP happens in between.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Emulator from "@venice-effect/emulator/NovitaEmulator"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as NovitaClient from "../src/NovitaClient.js"

export const KEY = "nk-test-0123456789abcdef-secret"

/** The emulator plus a client on it. */
export const layer = (
  config: Emulator.Config = {},
  client: Omit<NovitaClient.Options, "baseUrl" | "apiKey"> & { readonly apiKey?: Redacted.Redacted<string> } = {}
): Layer.Layer<Emulator.NovitaEmulator | NovitaClient.NovitaClient, unknown> => {
  const emulator = Emulator.layer({ keys: [KEY], ...config })
  const novita = Layer.unwrapEffect(
    Effect.map(Emulator.NovitaEmulator, (emu) =>
      NovitaClient.layer({ apiKey: Redacted.make(KEY), ...client, baseUrl: emu.baseUrl }))
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  return Layer.provideMerge(novita, emulator)
}

/** Waits a real moment (I/O happens outside the TestClock). */
export const realPause = (millis = 2) =>
  Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, millis)))

/**
 * Runs `effect` in a fiber and advances the TestClock to each pending wake-up until it completes, with real I/O in
 * between. Time only moves while no attempt is in flight (tracked through the pipeline's Observer), or after an
 * attempt made no progress for `stallAfter` real milliseconds. Unlike Venice's copy, time also waits `settle` real
 * milliseconds after the last pipeline event: Novita's client bounds the body read after the headers (and the wait
 * for a stream's first event) with the attempt timeout, a pending sleep the driver must not jump to while bytes are
 * still on their way.
 */
export const drive = <A, E, R>(
  effect: Effect.Effect<A, E, R>,
  options: {
    readonly observer?: (event: Pipeline.Event) => Effect.Effect<void>
    readonly stallAfter?: number
    readonly settle?: number
  } = {}
) =>
  Effect.gen(function*() {
    let inFlight = 0
    let lastProgress = Date.now()
    const observer = (event: Pipeline.Event) =>
      Effect.zipRight(
        Effect.sync(() => {
          lastProgress = Date.now()
          if (event._tag === "AttemptStarted") inFlight++
          else if (event._tag === "AttemptSucceeded" || event._tag === "AttemptFailed") inFlight = Math.max(0, inFlight - 1)
        }),
        options.observer?.(event) ?? Effect.void
      )
    const fiber = yield* Effect.fork(Effect.provideService(effect, Pipeline.Observer, observer))
    const stallAfter = options.stallAfter ?? 300
    const settle = options.settle ?? 25
    for (let i = 0; i < 100_000; i++) {
      const poll = yield* Fiber.poll(fiber)
      if (poll._tag === "Some") return poll.value
      yield* realPause(1)
      const quiet = Date.now() - lastProgress
      if (inFlight > 0 ? quiet < stallAfter : quiet < settle) continue
      const sleeps = yield* TestClock.sleeps()
      if (Chunk.isNonEmpty(sleeps)) {
        const now = yield* TestClock.currentTimeMillis
        const next = Chunk.reduce(sleeps, Infinity, (min, t) => Math.min(min, t))
        yield* TestClock.adjust(Duration.millis(Math.max(0, next - now)))
        lastProgress = Date.now()
      }
    }
    return yield* Fiber.await(fiber)
  })
