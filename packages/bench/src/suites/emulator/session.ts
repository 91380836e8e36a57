/**
 * The parent's side of the emulator suites: the emulator child and one client worker per peer, over IPC.
 */
import type * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import { fileURLToPath } from "node:url"
import { fork } from "../../harness/child.js"
import type { PeerName } from "../../peers/peers.js"
import type { Answer, Request, StormPhase } from "./child.js"
import type { Job, Result } from "./worker.js"

const childPath = fileURLToPath(new URL("./child.js", import.meta.url))
const workerPath = fileURLToPath(new URL("./worker.js", import.meta.url))

export const API_KEY = "bench-key-0123456789"
export const MODEL = "venice-uncensored"

export interface Emulator {
  readonly baseUrl: string
  readonly reset: () => Promise<void>
  readonly script: (request: Omit<Extract<Request, { type: "script" }>, "type">) => Promise<void>
  readonly storm: (route: string, phases: ReadonlyArray<StormPhase>) => Promise<number>
  readonly stats: () => Promise<Extract<Answer, { type: "stats" }>>
  readonly stop: () => Promise<void>
}

export const startEmulator = async (config: VeniceEmulator.Config): Promise<Emulator> => {
  const child = fork<Answer>(childPath)
  const ask = async <T extends Answer["type"]>(request: Request, type: T): Promise<Extract<Answer, { type: T }>> => {
    child.send(request)
    const a = await child.next()
    if (a.type !== type) throw new Error(`emulator child: expected ${type}, got ${JSON.stringify(a)}`)
    return a as Extract<Answer, { type: T }>
  }
  const started = await ask({ type: "start", config: { ...config, keys: [API_KEY] } }, "listening")
  return {
    baseUrl: started.baseUrl,
    reset: async () => {
      await ask({ type: "reset" }, "ok")
    },
    script: async (request) => {
      await ask({ type: "script", ...request }, "ok")
    },
    storm: async (route, phases) => (await ask({ type: "storm", route, phases }, "storm-started")).at,
    stats: () => ask({ type: "stats" }, "stats"),
    stop: async () => {
      child.send({ type: "stop" })
      await Promise.race([child.exited, new Promise((r) => setTimeout(r, 2000))])
      child.kill()
    }
  }
}

type Work = Exclude<Job, { type: "go" }>

export interface Worker {
  readonly run: <J extends Work>(job: J) => Promise<Extract<Result, { type: J["type"] }>>
  /** A `single` job whose call starts after `before` (once the peer is built). */
  readonly single: (
    job: Extract<Job, { type: "single" }>,
    before: () => Promise<void>
  ) => Promise<Extract<Result, { type: "single" }>>
  readonly stop: () => Promise<void>
}

export const startWorker = (): Worker => {
  const child = fork<Result>(workerPath)
  return {
    run: async <J extends Work>(job: J) => {
      child.send(job)
      const r = await child.next()
      if (r.type === "error") throw new Error(`worker: ${r.message}`)
      return r as Extract<Result, { type: J["type"] }>
    },
    single: async (job, before) => {
      child.send(job)
      const ready = await child.next()
      if (ready.type !== "ready") throw new Error(`worker: ${JSON.stringify(ready).slice(0, 500)}`)
      await before()
      child.send({ type: "go" } satisfies Job)
      const r = await child.next()
      if (r.type !== "single") throw new Error(`worker: ${JSON.stringify(r).slice(0, 500)}`)
      return r
    },
    stop: async () => {
      child.kill()
      await child.exited
    }
  }
}

export const peerConfig = (baseUrl: string) => ({ baseUrl, apiKey: API_KEY, model: MODEL })

/**
 * Workers for the peers, started together and stopped together. Each is warmed up first (a short unmeasured burst of
 * valid requests against the emulator, then an emulator reset), so no peer's first measured run pays for its JIT.
 */
export const withWorkers = async <A>(
  peers: ReadonlyArray<PeerName>,
  emulator: Emulator,
  f: (workers: ReadonlyMap<PeerName, Worker>) => Promise<A>
): Promise<A> => {
  const workers = new Map(peers.map((p) => [p, startWorker()] as const))
  try {
    for (const [peer, worker] of workers) {
      await emulator.reset()
      await worker.run({
        type: "burst",
        peer,
        config: peerConfig(emulator.baseUrl),
        n: 40,
        concurrency: 4,
        deadlineMs: 10_000
      })
    }
    await emulator.reset()
    return await f(workers)
  } finally {
    await Promise.all([...workers.values()].map((w) => w.stop()))
  }
}
