/**
 * Runs a fleet of worker processes (`@venice-effect/testkit/FleetWorker`) and reads the emulator's request log: how
 * full the server's windows were, the goodput of a paced run measured over whole server windows, and the 429s.
 */
import type * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import type { FromWorker, ToWorker, WorkerConfig } from "@venice-effect/testkit/FleetWorker"
import * as Effect from "effect/Effect"
import * as Child from "node:child_process"
import { compiledWorker } from "../support.js"

export type Done = Extract<FromWorker, { _tag: "done" }>

export interface Fleet {
  readonly pids: ReadonlyArray<number>
  /** Each worker's report (`undefined`: it exited without one, e.g. killed). */
  readonly done: Effect.Effect<ReadonlyArray<Done | undefined>>
  /** SIGKILL one worker. */
  readonly kill: (pid: number) => void
}

/**
 * Forks one worker per config, waits until all are built, starts them together (`go` at one time), and returns their
 * reports when all have ended. Workers still running when the scope closes are killed.
 */
export const startFleet = (configs: ReadonlyArray<WorkerConfig>) =>
  Effect.gen(function*() {
    const path = compiledWorker()
    const procs = yield* Effect.acquireRelease(
      Effect.sync(() => configs.map(() => Child.fork(path, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] }))),
      (ps) => Effect.sync(() => ps.forEach((p) => p.exitCode === null && p.signalCode === null && p.kill("SIGKILL")))
    )
    const reports = procs.map((proc) =>
      new Promise<{ ready: Promise<number>; done: Promise<Done | undefined> }>((resolve) => {
        let onReady: (pid: number) => void = () => {}
        let onDone: (d: Done | undefined) => void = () => {}
        const ready = new Promise<number>((r, reject) => {
          onReady = r
          proc.once("exit", (code) => reject(new Error(`fleet worker exited (${code}) before it was ready`)))
        })
        const done = new Promise<Done | undefined>((r) => {
          onDone = r
          proc.once("exit", () => r(undefined))
        })
        proc.on("message", (m: FromWorker) => {
          if (m._tag === "ready") onReady(m.pid)
          else onDone(m)
        })
        resolve({ ready, done })
      })
    )
    const handles = yield* Effect.promise(() => Promise.all(reports))
    procs.forEach((proc, i) => proc.send({ _tag: "start", config: configs[i]! } satisfies ToWorker))
    const pids = yield* Effect.promise(() => Promise.all(handles.map((h) => h.ready)))
    const at = Date.now() + 200
    procs.forEach((proc) => proc.send({ _tag: "go", at } satisfies ToWorker))
    const fleet: Fleet = {
      pids,
      done: Effect.promise(() => Promise.all(handles.map((h) => h.done))),
      kill: (pid) => {
        const proc = procs.find((p) => p.pid === pid)
        proc?.kill("SIGKILL")
      }
    }
    return fleet
  })

/**
 * The goodput of one key+model bucket over whole server windows. The emulator's windows are fixed and open at the
 * first request after the previous one ended, so they are replayed from the log; the last (possibly cut) window is
 * left out: goodput = successes in windows 1‥n−1 ÷ (R × the time from window 1's start to window n's), R = limit /
 * window.
 */
export const goodput = (
  records: ReadonlyArray<Emulator.RequestRecord>,
  keyLabel: string,
  limit: number,
  windowMillis: number
) => {
  const rs = records.filter((r) => r.key === keyLabel && r.route === "chat/completions").sort((a, b) => a.seq - b.seq)
  const starts: Array<number> = []
  const successes: Array<number> = []
  for (const r of rs) {
    if (starts.length === 0 || r.at >= starts[starts.length - 1]! + windowMillis) {
      starts.push(r.at)
      successes.push(0)
    }
    if (r.status === 200) successes[successes.length - 1]!++
  }
  const wholeSuccesses = successes.slice(0, -1).reduce((a, b) => a + b, 0)
  const span = starts.length > 1 ? starts[starts.length - 1]! - starts[0]! : 0
  const perSecond = span > 0 ? (wholeSuccesses * 1000) / span : 0
  // successes per whole window, against the limit: how full the key's windows were while it was in use (the time
  // between windows, when the fleet waits for the next one to open, does not count: it grows with CPU load)
  const whole = successes.slice(0, -1)
  const fill = whole.length > 0 ? whole.reduce((a, b) => a + b, 0) / (whole.length * limit) : 0
  const requests = rs.length
  const tooMany = rs.filter((r) => r.status === 429).length
  return {
    requests,
    successes: rs.filter((r) => r.status === 200).length,
    tooMany,
    tooManyPerRequest: requests > 0 ? tooMany / requests : 0,
    windows: starts.length,
    perSecond,
    /** Of R (depends on how fast the processes get the CPU back when a window opens: reported, not asserted). */
    ratio: perSecond / ((limit * 1000) / windowMillis),
    /** Successes per whole window ÷ the limit: 1 when every window the fleet used was used in full. */
    fill
  }
}
