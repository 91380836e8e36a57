/**
 * A client process of the emulator suites: runs one peer's jobs against the emulator child (each job with a fresh
 * peer: fresh client, fresh limiter state) and reports what happened, over IPC. One job message, one result, in order.
 *
 * - `burst`: `n` requests by `concurrency` callers (request `i` is `invalid` when `invalid(i)`), stopped at
 *   `deadlineMs` (unfinished requests are aborted and counted);
 * - `single`: one chat completion, timed.
 */
import { setMaxListeners } from "node:events"
import { makePeer, type PeerConfig, type PeerName, type RequestKind } from "../../peers/peers.js"

export type Job =
  | {
    readonly type: "burst"
    readonly peer: PeerName
    readonly config: PeerConfig
    readonly n: number
    readonly concurrency: number
    readonly deadlineMs: number
    /** Request `i` is invalid when `i % invalidEvery.of` is below `invalidEvery.first` (e.g. 3 of every 10). */
    readonly invalid?: { readonly first: number; readonly of: number } | undefined
  }
  | { readonly type: "single"; readonly peer: PeerName; readonly config: PeerConfig; readonly deadlineMs: number }
  /** Starts the call of a `single` job once its peer is ready (the worker answered `ready`). */
  | { readonly type: "go" }

export interface BurstResult {
  readonly type: "burst"
  readonly elapsedMs: number
  /** Successful requests, by kind. */
  readonly ok: number
  readonly okInvalid: number
  /** Failed requests by how they failed (`429`, `400`, `ErrorBudgetExhaustedError` …), by kind. */
  readonly failures: Readonly<Record<string, number>>
  readonly failuresInvalid: Readonly<Record<string, number>>
  /** Not settled at the deadline. */
  readonly unfinished: number
  /** Latency of each successful valid request (ms), request start to its result. */
  readonly latencies: ReadonlyArray<number>
}

export interface SingleResult {
  readonly type: "single"
  readonly ok: boolean
  readonly ms: number
  readonly failure?: string | undefined
}

export type Result =
  | BurstResult
  | SingleResult
  | { readonly type: "ready" }
  | { readonly type: "error"; readonly message: string }

const bump = (counts: Record<string, number>, key: string) => {
  counts[key] = (counts[key] ?? 0) + 1
}

const burst = async (job: Extract<Job, { type: "burst" }>): Promise<BurstResult> => {
  const peer = await makePeer(job.peer, job.config)
  const controller = new AbortController()
  const signal = controller.signal
  // every caller's request listens to the one signal
  setMaxListeners(0, signal)
  const failures: Record<string, number> = {}
  const failuresInvalid: Record<string, number> = {}
  const latencies: Array<number> = []
  let ok = 0
  let okInvalid = 0
  let settled = 0
  let next = 0
  const kindOf = (i: number): RequestKind =>
    job.invalid !== undefined && i % job.invalid.of < job.invalid.first ? "invalid" : "chat"
  const t0 = performance.now()
  const caller = async () => {
    while (next < job.n && !signal.aborted) {
      const kind = kindOf(next++)
      const start = performance.now()
      const result = await peer.send(kind, signal)
      if (signal.aborted && !result.ok) return
      settled++
      if (result.ok) {
        if (kind === "chat") {
          ok++
          latencies.push(performance.now() - start)
        } else okInvalid++
      } else bump(kind === "chat" ? failures : failuresInvalid, result.failure ?? "unknown")
    }
  }
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      controller.abort()
      resolve()
    }, job.deadlineMs)
  })
  const all = Promise.all(Array.from({ length: job.concurrency }, caller))
  await Promise.race([all, deadline])
  const elapsedMs = performance.now() - t0
  clearTimeout(timer)
  controller.abort()
  await Promise.race([all, new Promise((r) => setTimeout(r, 100))])
  await peer.close()
  return { type: "burst", elapsedMs, ok, okInvalid, failures, failuresInvalid, unfinished: job.n - settled, latencies }
}

let go: (() => void) | undefined

const single = async (job: Extract<Job, { type: "single" }>): Promise<SingleResult> => {
  const peer = await makePeer(job.peer, job.config)
  await new Promise<void>((resolve) => {
    go = resolve
    process.send?.({ type: "ready" })
  })
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), job.deadlineMs)
  const t0 = performance.now()
  const result = await peer.send("chat", controller.signal)
  const ms = performance.now() - t0
  clearTimeout(timer)
  controller.abort()
  await peer.close()
  return { type: "single", ok: result.ok, ms, failure: result.failure }
}

let queue: Promise<void> = Promise.resolve()
process.on("message", (m: unknown) => {
  const job = m as Job
  if (job.type === "go") {
    go?.()
    go = undefined
    return
  }
  queue = queue.then(async () => {
    try {
      if (job.type === "burst") process.send?.(await burst(job))
      else if (job.type === "single") process.send?.(await single(job))
    } catch (error) {
      process.send?.({ type: "error", message: String(error instanceof Error ? error.stack : error) })
    }
  })
})
process.on("disconnect", () => process.exit(0))
