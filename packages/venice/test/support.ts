/**
 * Test support: a Venice emulator on a random loopback port and a VeniceClient pointed at it, built inside the test's
 * own runtime (so both sides read the TestClock), and a driver that advances the TestClock to each pending wake-up
 * while real HTTP happens in between.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import * as Tracer from "effect/Tracer"
import * as VeniceClient from "../src/VeniceClient.js"

export const KEY = "test-key-0123456789abcdef"

/**
 * The TestClock starts at the Unix epoch; Venice's reset headers are read by magnitude (Unix ms vs seconds vs a
 * delta), which needs a realistic "now". Every emulator test starts here.
 */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0)

/** The emulator plus a client on it. */
export const layer = (
  config: Emulator.Config = {},
  client: Omit<VeniceClient.Options, "baseUrl"> = {},
  options: { readonly live?: boolean } = {}
): Layer.Layer<Emulator.VeniceEmulator | VeniceClient.VeniceClient, unknown> => {
  const emulator = Emulator.layer({ keys: [KEY], ...config })
  const venice = Layer.unwrapEffect(
    Effect.map(
      Emulator.VeniceEmulator,
      (emu) => VeniceClient.layer({ apiKey: Redacted.make(KEY), ...client, baseUrl: emu.baseUrl })
    )
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))
  // only under a TestClock; live tests (it.live / it.scopedLive) run on the real clock
  const realisticTime = Layer.effectDiscard(
    Effect.clockWith((clock) =>
      options.live !== true && "setTime" in clock ? (clock as TestClock.TestClock).setTime(NOW) : Effect.void
    )
  )
  return Layer.provideMerge(venice, Layer.provideMerge(emulator, realisticTime))
}

/** The shared TestClock driver (see `@venice-effect/emulator/Testing`). */
import { drive, realPause } from "@venice-effect/emulator/Testing"

export { drive, realPause }

/** Advances the TestClock until `condition` holds (real I/O in between). */
export const waitUntil = <R>(condition: Effect.Effect<boolean, never, R>) =>
  Effect.gen(function*() {
    for (let i = 0; i < 5000; i++) {
      if (yield* condition) return
      yield* realPause(1)
    }
    return yield* Effect.dieMessage("condition never held")
  })

/**
 * A tracer that records every span's name, attributes and events, so tests can check what reached them (O2,
 * O3). `dump()` is everything recorded, as one string to search for secrets.
 */
export const recordingTracer = () => {
  const records: Array<{ name: string; attributes: Record<string, unknown>; events: Array<unknown> }> = []
  let ids = 0
  const tracer = Tracer.make({
    span(name, parent, context, links, startTime, kind) {
      const record = { name, attributes: {} as Record<string, unknown>, events: [] as Array<unknown> }
      records.push(record)
      const attributes = new Map<string, unknown>()
      const id = String(++ids)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId: id,
        traceId: "trace",
        parent,
        context,
        status: { _tag: "Started", startTime },
        attributes,
        links,
        sampled: true,
        kind,
        end() {},
        attribute(key, value) {
          attributes.set(key, value)
          record.attributes[key] = value
        },
        event(eventName, _time, eventAttributes) {
          record.events.push({ name: eventName, attributes: eventAttributes })
        },
        addLinks() {}
      }
      return span
    },
    context: (f) => f()
  })
  const stringify = (u: unknown) =>
    JSON.stringify(u, (_, v) => (typeof v === "bigint" ? v.toString() : v instanceof Map ? Object.fromEntries(v) : v))
  return { tracer, records, dump: () => stringify(records) }
}

/** A logger that keeps every line (message and annotations) as text. */
export const recordingLogger = () => {
  const lines: Array<string> = []
  const logger = Logger.make(({ annotations, logLevel, message }) => {
    lines.push(JSON.stringify({ level: logLevel.label, message, annotations: Object.fromEntries(annotations) }))
  })
  return { layer: Logger.replace(Logger.defaultLogger, logger), dump: () => lines.join("\n"), lines }
}

/** The typed failure of an exit (throws when it succeeded or died). */
export const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  const failure = exit.cause._tag === "Fail" ? exit.cause.error : undefined
  if (failure === undefined) throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure
}
