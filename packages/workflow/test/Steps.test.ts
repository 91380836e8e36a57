/**
 * The durable steps' typed failures and their records, in one process against the emulator over loopback (SQLite
 * storage in a temporary file): a lost queue answer of an API-key caller (at most once: never re-sent), Venice errors
 * on the way, the media bound, payment refusals and a rejected payment (budget given back), and the record of a step
 * read back instead of calling Venice again.
 */
import type * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Workflow from "@effect/workflow/Workflow"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Faults from "@venice-effect/emulator/Faults"
import * as Emulator from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"
import * as Fs from "node:fs"
import * as Path from "node:path"
import type * as DurablePayments from "../src/DurablePayments.js"
import * as VeniceActivity from "../src/VeniceActivity.js"
import * as VeniceWorkflows from "../src/VeniceWorkflows.js"
import { emulatorLayer, keyClient, sqliteWorker, tempDir, throwawayKey, videoRequest, walletClient } from "./support.js"

const failureOf = <A, E>(exit: Exit.Exit<A, E>): E => {
  if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${JSON.stringify(exit.value)}`)
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "None") throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
  return failure.value
}

/** Runs `body` with a worker on a fresh SQLite file (key or wallet client) against a fresh emulator. */
const withWorker = <A, E>(
  options: {
    readonly label: string
    readonly auth: "key" | "wallet"
    readonly balanceUsd?: number
    readonly payments?: DurablePayments.Options
    readonly extra?: Layer.Layer<never, never, VeniceActivity.Requirements | WorkflowEngine>
  },
  body: (
    context: { readonly address: string; readonly dir: string }
  ) => Effect.Effect<A, E, Emulator.VeniceEmulator | WorkflowEngine | SqlClient.SqlClient>
) => {
  const { address, key } = throwawayKey()
  const dir = tempDir(options.label)
  return body({ address, dir }).pipe(
    Effect.provide(Layer.unwrapEffect(Effect.map(Emulator.VeniceEmulator, (emu) => {
      const worker = sqliteWorker(
        Path.join(dir, "wf.sqlite"),
        options.auth === "key" ? keyClient(emu.baseUrl) : walletClient(key, emu.baseUrl),
        options.payments
      )
      return options.extra === undefined ? worker : Layer.provideMerge(options.extra, worker)
    }))),
    Effect.provide(emulatorLayer(address, options.balanceUsd ?? 10))
  )
}

describe("queue step", () => {
  it.live(
    "an API-key caller's queue answer is lost: QueueOutcomeUnknownError, recorded, never re-sent",
    () =>
      withWorker({ label: "unknown", auth: "key" }, () =>
        Effect.gen(function*() {
          const emu = yield* Emulator.VeniceEmulator
          // the connection is reset after the request was sent: it may have been delivered
          yield* emu.script({ route: "video/queue" }, 1, Faults.resetBeforeHeaders)
          const payload = { id: "lost-key", request: videoRequest(), output: { _tag: "Bytes" as const } }
          const error = failureOf(yield* Effect.exit(VeniceWorkflows.videoToFile(payload)))
          expect(error._tag).toBe("QueueOutcomeUnknownError")
          expect(yield* emu.count({ route: "video/queue" })).toBe(1)
          // the same run again: the recorded failure, nothing sent
          const again = failureOf(yield* Effect.exit(VeniceWorkflows.videoToFile(payload)))
          expect(again).toEqual(error)
          expect(yield* emu.count({ route: "video/queue" })).toBe(1)
        })),
    60_000
  )

  it.live(
    "Venice refuses the queue request: a VeniceCallError with the catalog code, nothing left pending",
    () =>
      withWorker({ label: "refused", auth: "key" }, () =>
        Effect.gen(function*() {
          const emu = yield* Emulator.VeniceEmulator
          yield* emu.script({ route: "video/queue" }, 1, Faults.error("CONTENT_POLICY_VIOLATION"))
          const error = failureOf(
            yield* Effect.exit(VeniceWorkflows.videoToFile({
              id: "refused",
              request: videoRequest(),
              output: { _tag: "Bytes" }
            }))
          )
          expect(error).toMatchObject({
            _tag: "VeniceCallError",
            step: "video/queue",
            code: "CONTENT_POLICY_VIOLATION"
          })
          expect(yield* emu.count({ route: "video/queue" })).toBe(1)
        })),
    60_000
  )

  it.live(
    "the media exceeds maxBytes: MediaTooLargeError, no file and no part file left",
    () =>
      withWorker({ label: "large", auth: "key" }, ({ dir }) =>
        Effect.gen(function*() {
          const path = Path.join(dir, "big.mp4")
          const error = failureOf(
            yield* Effect.exit(VeniceWorkflows.videoToFile({
              id: "large",
              request: videoRequest(),
              output: { _tag: "File", path },
              maxBytes: 100
            }))
          )
          expect(error).toMatchObject({ _tag: "MediaTooLargeError", maxBytes: 100 })
          expect(Fs.existsSync(path)).toBe(false)
          expect(Fs.existsSync(`${path}.part`)).toBe(false)
        })),
    60_000
  )

  it.live(
    "a transient retrieve failure is a recorded observation: polling goes on",
    () =>
      withWorker({ label: "transient", auth: "key" }, () =>
        Effect.gen(function*() {
          const emu = yield* Emulator.VeniceEmulator
          yield* emu.script({ route: "video/retrieve" }, 6, Faults.htmlPage(502))
          const result = yield* VeniceWorkflows.videoToFile({
            id: "transient",
            request: videoRequest(),
            output: { _tag: "Bytes" }
          })
          expect(result.job.media.size).toBeGreaterThan(0)
          expect(yield* emu.count({ route: "video/queue" })).toBe(1)
        })),
    60_000
  )
})

/** A worker on a wallet without credit. */
const wallet = (label: string) => ({ label, auth: "wallet" as const, balanceUsd: 0 })

describe("top-up step", () => {
  it.live(
    "over the budget: refused before anything is signed",
    () =>
      withWorker(
        { ...wallet("budget"), payments: { maxPerPaymentUsd: 10, budgetUsd: 4 } },
        ({ address }) =>
          Effect.gen(function*() {
            const emu = yield* Emulator.VeniceEmulator
            const error = failureOf(
              yield* Effect.exit(VeniceWorkflows.videoToFile({
                id: "budget",
                request: videoRequest(),
                output: { _tag: "Bytes" }
              }))
            )
            expect(error).toMatchObject({ _tag: "PaymentError", reason: "budget-exhausted" })
            expect((yield* emu.wallet(address)).payments).toHaveLength(0)
            expect(yield* emu.count({ route: "video/queue" })).toBe(0)
          })
      ),
    60_000
  )

  it.live(
    "above the per-payment cap: refused before anything is signed",
    () =>
      withWorker(
        { ...wallet("cap"), payments: { maxPerPaymentUsd: 4, budgetUsd: 50 } },
        ({ address }) =>
          Effect.gen(function*() {
            const emu = yield* Emulator.VeniceEmulator
            const error = failureOf(
              yield* Effect.exit(VeniceWorkflows.videoToFile({
                id: "cap",
                request: videoRequest(),
                output: { _tag: "Bytes" }
              }))
            )
            expect(error).toMatchObject({ _tag: "PaymentError", reason: "per-payment-cap" })
            expect((yield* emu.wallet(address)).payments).toHaveLength(0)
          })
      ),
    60_000
  )

  it.live(
    "Venice answers that the settlement failed: rejected once the authorization expired unseen in the ledger, the amount back in the budget",
    () =>
      withWorker({
        ...wallet("rejected"),
        // SETTLEMENT_FAILED moved nothing, but the signed authorization stays executable until it expires (X3): the
        // amount stays reserved and the ledger is read until then; a short authorization keeps the test short
        payments: {
          maxPerPaymentUsd: 10,
          budgetUsd: 50,
          authorizationWindow: "8 seconds",
          landingMargin: "1 second",
          reconcileInterval: "500 millis"
        }
      }, ({ address }) =>
        Effect.gen(function*() {
          const emu = yield* Emulator.VeniceEmulator
          // every submission (the SDK resubmits the same payment 3 times after SETTLEMENT_FAILED) fails
          yield* emu.script({ route: "x402/top-up" }, 10, Faults.settlementFailed)
          const error = failureOf(
            yield* Effect.exit(VeniceWorkflows.videoToFile({
              id: "rejected",
              request: videoRequest(),
              output: { _tag: "Bytes" }
            }))
          )
          expect(error).toMatchObject({ _tag: "PaymentError", reason: "rejected", code: "SETTLEMENT_FAILED" })
          expect((yield* emu.wallet(address)).balanceUsd).toBe(0)
          expect(yield* VeniceActivity.spentUsd(`wallet:${address.toLowerCase()}`)).toBe(0)
        })),
    60_000
  )
})

class Asked extends Schema.Class<Asked>("Asked")({ answer: Schema.String }) {}
const Ask = Workflow.make({
  name: "test/ask",
  payload: { id: Schema.String },
  success: Asked,
  idempotencyKey: (p) => p.id
})
const AskLive = Ask.toLayer(() =>
  Effect.map(
    VeniceActivity.chat("ask", { model: "venice-uncensored", messages: [{ role: "user", content: "hello" }] }),
    (completion) => new Asked({ answer: String(completion.choices[0]?.message.content ?? "") })
  ).pipe(Effect.orDie)
)

describe("call step", () => {
  it.live(
    "a chat completion is recorded: the same run again reads the record, Venice is called once",
    () =>
      withWorker({ label: "chat", auth: "key", extra: AskLive }, () =>
        Effect.gen(function*() {
          const emu = yield* Emulator.VeniceEmulator
          const first = yield* Ask.execute({ id: "one" })
          const second = yield* Ask.execute({ id: "one" })
          expect(second).toEqual(first)
          expect(first.answer.length).toBeGreaterThan(0)
          expect(yield* emu.count({ route: "chat/completions" })).toBe(1)
        })),
    60_000
  )
})
