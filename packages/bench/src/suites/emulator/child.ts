/**
 * The Venice emulator in a child process (so its server does not share the measured clients' event loop or CPU), run
 * over IPC by the emulator suites (goodput, error budget, storm). One request message, one answer, in order:
 *
 * - `{ type: "start", config }` → `{ type: "listening", baseUrl }`: starts `VeniceEmulator.make(config)` with the
 *   benchmark keys;
 * - `{ type: "reset" }` → `{ type: "ok" }`: limiters, faults, log back to the start;
 * - `{ type: "script", route, code, times, retryAfter?, status?, message? }` → `{ type: "ok" }`: scripts an error;
 * - `{ type: "storm", route, phases }` → `{ type: "storm-started", at }`: each phase answers every request of `route`
 *   with its error (and `Retry-After`) for `millis`, then the next phase; after the last one the route answers normally;
 * - `{ type: "stats" }` → `{ type: "stats", byStatus, total }`;
 * - `{ type: "stop" }` exits.
 */
import * as Faults from "@venice-effect/emulator/Faults"
import * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import type * as ErrorCatalog from "@venice-effect/venice/ErrorCatalog"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

export interface StormPhase {
  readonly code: ErrorCatalog.VeniceErrorCode
  /** The `Retry-After` every response of the phase announces (seconds). */
  readonly retryAfter: number
  /** How long the phase lasts (ms): the announced wait, so a client that waits exactly that lands in the next phase. */
  readonly millis: number
}

export type Request =
  | { readonly type: "start"; readonly config: VeniceEmulator.Config }
  | { readonly type: "reset" }
  | {
    readonly type: "script"
    readonly route: string
    readonly code: ErrorCatalog.VeniceErrorCode
    readonly times: number
    readonly status?: number | undefined
    readonly message?: string | undefined
  }
  | { readonly type: "storm"; readonly route: string; readonly phases: ReadonlyArray<StormPhase> }
  | { readonly type: "stats" }
  | { readonly type: "stop" }

export type Answer =
  | { readonly type: "listening"; readonly baseUrl: string }
  | { readonly type: "ok" }
  | { readonly type: "storm-started"; readonly at: number }
  | { readonly type: "stats"; readonly total: number; readonly byStatus: Readonly<Record<string, number>> }
  | { readonly type: "error"; readonly message: string }

let emulator: VeniceEmulator.Service | undefined
const scope = Effect.runSync(Scope.make())
let stormTimer: NodeJS.Timeout | undefined

const answer = (a: Answer) => process.send?.(a)

const handle = async (m: Request): Promise<Answer | undefined> => {
  if (m.type === "start") {
    emulator = await Effect.runPromise(Scope.extend(VeniceEmulator.make(m.config), scope))
    return { type: "listening", baseUrl: emulator.baseUrl }
  }
  if (m.type === "stop") {
    if (stormTimer !== undefined) clearTimeout(stormTimer)
    await Effect.runPromise(Scope.close(scope, Exit.void))
    process.exit(0)
  }
  const e = emulator
  if (e === undefined) return { type: "error", message: "not started" }
  switch (m.type) {
    case "reset":
      if (stormTimer !== undefined) clearTimeout(stormTimer)
      Effect.runSync(e.reset)
      return { type: "ok" }
    case "script":
      Effect.runSync(e.script(
        { route: m.route },
        m.times,
        Faults.error(m.code, {
          ...(m.status !== undefined ? { status: m.status } : {}),
          ...(m.message !== undefined ? { message: m.message } : {})
        })
      ))
      return { type: "ok" }
    case "storm": {
      if (stormTimer !== undefined) clearTimeout(stormTimer)
      const phases = m.phases
      const at = Date.now()
      const enter = (i: number, due: number) => {
        Effect.runSync(e.clearFaults)
        const phase = phases[i]
        if (phase === undefined) return
        Effect.runSync(
          e.script({ route: m.route }, 1_000_000_000, Faults.error(phase.code, { retryAfter: phase.retryAfter }))
        )
        // phases are timed from the storm's start (no drift): the next one begins exactly `millis` after this one
        const next = due + phase.millis
        stormTimer = setTimeout(() => enter(i + 1, next), Math.max(0, next - Date.now()))
      }
      enter(0, at)
      return { type: "storm-started", at }
    }
    case "stats": {
      const stats = Effect.runSync(e.stats)
      return { type: "stats", total: stats.total, byStatus: stats.byStatus }
    }
  }
}

let queue: Promise<void> = Promise.resolve()
process.on("message", (m: unknown) => {
  queue = queue.then(() =>
    handle(m as Request).then(
      (a) => {
        if (a !== undefined) answer(a)
      },
      (error: unknown) => {
        answer({ type: "error", message: String(error) })
      }
    )
  )
})
process.on("disconnect", () => process.exit(0))
