/**
 * The Venice emulator in a child process for the `fleet` suite, over IPC (one answer per request, in order):
 *
 * - `{ type: "start", config }` → `{ type: "listening", baseUrl, labels }` (`labels`: the request-log label of each key);
 * - `{ type: "reset" }` → `{ type: "ok" }`;
 * - `{ type: "log" }` → `{ type: "log", records }`: the chat completions of the request log, `[seq, at, status, key]`;
 * - `{ type: "wallet", address }` → `{ type: "wallet", payments, topUps }`;
 * - `{ type: "count", status, route }` → `{ type: "count", n }`;
 * - `{ type: "stop" }` exits.
 */
import * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Scope from "effect/Scope"

export type Request =
  | { readonly type: "start"; readonly config: VeniceEmulator.Config; readonly keys: ReadonlyArray<string> }
  | { readonly type: "reset" }
  | { readonly type: "log" }
  | { readonly type: "wallet"; readonly address: string }
  | { readonly type: "count"; readonly status?: number | undefined; readonly route?: string | undefined }
  | { readonly type: "stop" }

export type Answer =
  | { readonly type: "listening"; readonly baseUrl: string; readonly labels: ReadonlyArray<string> }
  | { readonly type: "ok" }
  | { readonly type: "log"; readonly records: ReadonlyArray<readonly [number, number, number, string]> }
  | { readonly type: "wallet"; readonly payments: number; readonly topUps: number }
  | { readonly type: "count"; readonly n: number }
  | { readonly type: "error"; readonly message: string }

const scope = Effect.runSync(Scope.make())
let emulator: VeniceEmulator.Service | undefined

const answer = (a: Answer) => process.send?.(a)

const handle = async (request: Request): Promise<Answer> => {
  switch (request.type) {
    case "start": {
      emulator = await Effect.runPromise(
        Scope.extend(VeniceEmulator.make({ ...request.config, keys: [...request.keys] }), scope)
      )
      const emu = emulator
      return { type: "listening", baseUrl: emu.baseUrl, labels: request.keys.map((k) => emu.labelOf(k)) }
    }
    case "reset":
      await Effect.runPromise(emulator!.reset)
      return { type: "ok" }
    case "log": {
      const log = await Effect.runPromise(emulator!.requests)
      return {
        type: "log",
        records: log.filter((r) => r.route === "chat/completions").map((r) =>
          [r.seq, r.at, r.status, r.key ?? ""] as const
        )
      }
    }
    case "wallet": {
      const view = await Effect.runPromise(emulator!.wallet(request.address))
      return {
        type: "wallet",
        payments: view.payments.length,
        topUps: view.transactions.filter((t) => t.type === "TOP_UP").length
      }
    }
    case "count":
      return {
        type: "count",
        n: await Effect.runPromise(emulator!.count({
          ...(request.status !== undefined ? { status: request.status } : {}),
          ...(request.route !== undefined ? { route: request.route } : {})
        }))
      }
    case "stop":
      await Effect.runPromise(Scope.close(scope, Exit.void))
      process.exit(0)
  }
}

let queue: Promise<unknown> = Promise.resolve()
process.on("message", (request: Request) => {
  queue = queue.then(() =>
    handle(request).then(answer, (error: unknown) => answer({ type: "error", message: String(error) }))
  )
})
