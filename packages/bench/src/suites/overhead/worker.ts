/**
 * One contender of the overhead suite in a fresh process: set it up and warm it up (one unmeasured run), then one
 * measured run per `run` message, each `n` chat completions by `concurrency` callers against the loopback server;
 * wall time and this process's CPU time.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chat from "@venice-effect/venice/Chat"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import OpenAI from "openai"
import * as undici from "undici"

export interface Job {
  readonly contender: string
  readonly port: number
  readonly n: number
  readonly concurrency: number
}

export interface Run {
  readonly wallMs: number
  /** User + system CPU time of this process during the run. */
  readonly cpuMs: number
  readonly failed: number
}

const MODEL = "venice-uncensored"
const request = { model: MODEL, messages: [{ role: "user" as const, content: "hi" }] }

/** Sends one request; resolves to whether it succeeded (and read the answer's text). */
type Send = () => Promise<boolean>

let sink = 0
const consume = (text: unknown) => {
  sink = (sink + (typeof text === "string" ? text.length : 1)) | 0
}

const ours = async (port: number, transport: "undici" | "fetch"): Promise<Send> => {
  const runtime = ManagedRuntime.make(
    VeniceClient.layer({ apiKey: Redacted.make("bench-key"), baseUrl: `http://127.0.0.1:${port}/api/v1` }).pipe(
      Layer.provide(transport === "undici" ? NodeHttpClient.layerUndici : FetchHttpClient.layer)
    )
  )
  await runtime.runPromise(Effect.void)
  const call = Effect.map(Chat.completions(request), (c) => consume(Chat.text(c)))
  return async () => Exit.isSuccess(await runtime.runPromiseExit(call))
}

/** The plain `@effect/platform` HttpClient on undici: what the pipeline runs on, without the pipeline. */
const effectHttp = async (port: number): Promise<Send> => {
  const runtime = ManagedRuntime.make(NodeHttpClient.layerUndici)
  await runtime.runPromise(Effect.void)
  const post = HttpClientRequest.post(`http://127.0.0.1:${port}/api/v1/chat/completions`).pipe(
    HttpClientRequest.setHeader("authorization", "Bearer bench-key"),
    HttpClientRequest.bodyText(JSON.stringify(request), "application/json")
  )
  const call = Effect.flatMap(HttpClient.HttpClient, (client) => client.execute(post)).pipe(
    Effect.flatMap((response) => response.json),
    Effect.map((json) =>
      consume((json as { choices?: ReadonlyArray<{ message?: { content?: unknown } }> }).choices?.[0]?.message?.content)
    )
  )
  return async () => Exit.isSuccess(await runtime.runPromiseExit(call))
}

const contenders: Record<string, (port: number) => Promise<Send>> = {
  ours: (port) => ours(port, "undici"),
  "ours-fetch": (port) => ours(port, "fetch"),
  "effect-http": effectHttp,
  openai: async (port) => {
    const client = new OpenAI({ apiKey: "bench-key", baseURL: `http://127.0.0.1:${port}/api/v1` })
    return async () => {
      try {
        const c = await client.chat.completions.create(request)
        consume(c.choices[0]?.message.content)
        return true
      } catch {
        return false
      }
    }
  },
  fetch: async (port) => {
    const url = `http://127.0.0.1:${port}/api/v1/chat/completions`
    const headers = { "content-type": "application/json", authorization: "Bearer bench-key" }
    return async () => {
      try {
        const res = await fetch(url, { method: "POST", headers, body: JSON.stringify(request) })
        const json = (await res.json()) as { choices?: ReadonlyArray<{ message?: { content?: unknown } }> }
        consume(json.choices?.[0]?.message?.content)
        return res.ok
      } catch {
        return false
      }
    }
  },
  "undici-request": async (port) => {
    const agent = new undici.Agent()
    const origin = `http://127.0.0.1:${port}`
    const headers = { "content-type": "application/json", authorization: "Bearer bench-key" }
    return async () => {
      try {
        const res = await agent.request({
          origin,
          path: "/api/v1/chat/completions",
          method: "POST",
          headers,
          body: JSON.stringify(request)
        })
        const json = (await res.body.json()) as { choices?: ReadonlyArray<{ message?: { content?: unknown } }> }
        consume(json.choices?.[0]?.message?.content)
        return res.statusCode === 200
      } catch {
        return false
      }
    }
  }
}

const runOnce = async (send: Send, n: number, concurrency: number): Promise<Run> => {
  let next = 0
  let failed = 0
  const cpu0 = process.cpuUsage()
  const t0 = performance.now()
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) {
      next++
      if (!(await send())) failed++
    }
  }))
  const wallMs = performance.now() - t0
  const cpu = process.cpuUsage(cpu0)
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1000, failed }
}

const gc = (): void => (globalThis as { gc?: () => void }).gc?.()

let send: Send | undefined
let job: Job | undefined

/** `setup` (the contender, one warm-up run) → `{ ready: true }`; then each `run` → one measured {@link Run}. */
process.on("message", (m: unknown) => {
  const message = m as { readonly type: "setup"; readonly job: Job } | { readonly type: "run" }
  const reply = (f: () => Promise<unknown>) =>
    f().then(
      (r) => process.send?.(r),
      (error: unknown) => process.send?.({ error: String(error instanceof Error ? error.stack : error) })
    )
  if (message.type === "setup") {
    reply(async () => {
      job = message.job
      const make = contenders[job.contender]
      if (make === undefined) throw new Error(`unknown contender ${job.contender}`)
      send = await make(job.port)
      await runOnce(send, job.n, job.concurrency) // warm-up
      return { ready: true }
    })
  } else {
    reply(async () => {
      if (send === undefined || job === undefined) throw new Error("not set up")
      gc()
      return await runOnce(send, job.n, job.concurrency)
    })
  }
})
process.on("disconnect", () => process.exit(0))
