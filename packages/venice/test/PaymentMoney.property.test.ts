/**
 * The money property (issue 13): over random loss, delay and duplication of top-up requests and answers, random
 * settlement answers, broken ledger and balance reads, and concurrent 402s, the real client over loopback against the
 * emulator never pays more than its budget, never more than once per 402 episode, and its books match the wallet's
 * ledger: while anything is unsettled, `spentUsd − unconfirmedUsd ≤ ledger ≤ spentUsd`; once every transfer has
 * landed or expired and the policy has reconciled, `spentUsd` is what the ledger shows and nothing is unconfirmed.
 *
 * Each generated case runs in its own runtime (TestClock set to the real time, the x402 authorizations' time base):
 * a fresh emulator, throwaway wallet (Base or Solana: the property runs once per chain — a Solana payment expires by
 * block height, read from the emulator's chain) and payment policy, then 1–3 episodes (the wallet's credit is used up, then 1–4
 * calls at once get 402), with faults scripted on the paying `POST /x402/top-up` requests (in order) and on the ledger
 * and balance reads. `VENICE_MONEY_RUNS` sets the number of cases, split between the chains (default 40; `npm run
 * test:deep` sets more).
 */
import { describe, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as TestClock from "effect/TestClock"
import * as TestContext from "effect/TestContext"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import { drive as driveClock, realPause } from "./support.js"
import { type Chain, hello, walletLayer } from "./walletSupport.js"

const RUNS = Number(process.env["VENICE_MONEY_RUNS"] ?? 40)

/** Time jumps once an attempt has made no progress for 80 real ms: a slow answer then looks lost, which is fair game. */
const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 80, ...options })

// ─── the case ────────────────────────────────────────────────────────────────────────────────────

/** What happens to one paying top-up request (in the order they arrive). */
type PayFault =
  | { readonly _tag: "pass" }
  | { readonly _tag: "delay"; readonly millis: number }
  | { readonly _tag: "lost-request"; readonly how: "reset" | "stall" | "html-502" }
  | {
    readonly _tag: "lost-answer"
    readonly forwardAfter: number
    readonly answer: Faults.LostAnswerKind
    readonly immediate: boolean
  }
  | { readonly _tag: "cut-answer"; readonly how: "truncated" | "reset-mid-body" }
  | { readonly _tag: "duplicate"; readonly after: number; readonly first: "none" | "failed" | "in-progress" | "lost" }
  | {
    readonly _tag: "settlement"
    readonly outcome: "timeout" | "in-progress" | "failed"
    readonly landsAfter: number | null
  }

/** What happens to one ledger or balance read. */
type ReadFault = "pass" | "500" | "html-502" | "reset" | "truncated"

interface Case {
  readonly budgetUsd: number
  readonly maxPerPaymentUsd: number
  readonly retries: number
  readonly waitSeconds: number
  readonly timeoutSeconds: number
  readonly episodes: ReadonlyArray<number>
  readonly pay: ReadonlyArray<PayFault>
  readonly ledger: ReadonlyArray<ReadFault>
  readonly balance: ReadonlyArray<ReadFault>
}

const millis = FastCheck.oneof(
  FastCheck.constant(0),
  FastCheck.integer({ min: 1, max: 3_000 }),
  FastCheck.integer({ min: 3_000, max: 40_000 })
)

const payFault: FastCheck.Arbitrary<PayFault> = FastCheck.oneof(
  { weight: 3, arbitrary: FastCheck.constant({ _tag: "pass" } as const) },
  FastCheck.record({ _tag: FastCheck.constant("delay" as const), millis }),
  FastCheck.record({
    _tag: FastCheck.constant("lost-request" as const),
    how: FastCheck.constantFrom("reset" as const, "stall" as const, "html-502" as const)
  }),
  {
    weight: 3,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("lost-answer" as const),
      forwardAfter: millis,
      answer: FastCheck.constantFrom("silence" as const, "reset" as const, "html-502" as const),
      immediate: FastCheck.boolean()
    })
  },
  FastCheck.record({
    _tag: FastCheck.constant("cut-answer" as const),
    how: FastCheck.constantFrom("truncated" as const, "reset-mid-body" as const)
  }),
  {
    weight: 2,
    arbitrary: FastCheck.record({
      _tag: FastCheck.constant("duplicate" as const),
      after: millis,
      first: FastCheck.constantFrom("none" as const, "failed" as const, "in-progress" as const, "lost" as const)
    })
  },
  FastCheck.record({
    _tag: FastCheck.constant("settlement" as const),
    outcome: FastCheck.constantFrom("timeout" as const, "in-progress" as const, "failed" as const),
    landsAfter: FastCheck.option(millis, { nil: null })
  })
)

const readFault: FastCheck.Arbitrary<ReadFault> = FastCheck.oneof(
  { weight: 3, arbitrary: FastCheck.constant("pass" as const) },
  FastCheck.constantFrom("500" as const, "html-502" as const, "reset" as const, "truncated" as const)
)

const caseArbitrary: FastCheck.Arbitrary<Case> = FastCheck.record({
  budgetUsd: FastCheck.integer({ min: 5, max: 40 }),
  maxPerPaymentUsd: FastCheck.integer({ min: 5, max: 12 }),
  retries: FastCheck.integer({ min: 0, max: 3 }),
  waitSeconds: FastCheck.integer({ min: 1, max: 60 }),
  timeoutSeconds: FastCheck.integer({ min: 1, max: 10 }),
  episodes: FastCheck.array(FastCheck.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 3 }),
  pay: FastCheck.array(payFault, { maxLength: 10 }),
  ledger: FastCheck.array(readFault, { maxLength: 4 }),
  balance: FastCheck.array(readFault, { maxLength: 3 })
})

// ─── running one ─────────────────────────────────────────────────────────────────────────────────

const toFault = (fault: PayFault): Faults.Fault => {
  switch (fault._tag) {
    case "pass":
      return Faults.delay(0)
    case "delay":
      return Faults.delay(fault.millis)
    case "lost-request":
      return fault.how === "reset"
        ? Faults.resetBeforeHeaders
        : fault.how === "stall"
        ? Faults.stall
        : Faults.htmlPage(502)
    case "lost-answer":
      return Faults.lostAnswer(fault.forwardAfter, fault.answer, fault.immediate ? { answerAfter: 0 } : {})
    case "cut-answer":
      return fault.how === "truncated" ? Faults.truncatedJson() : Faults.resetMidBody()
    case "duplicate":
      return Faults.duplicate(
        fault.after,
        fault.first === "failed"
          ? Faults.settlementFailed
          : fault.first === "in-progress"
          ? Faults.paymentInProgress
          : fault.first === "lost"
          ? Faults.lostAnswer(0, "reset")
          : undefined
      )
    case "settlement":
      return fault.outcome === "timeout"
        ? Faults.settlementTimeout(fault.landsAfter === null ? { lands: false } : { landsAfter: fault.landsAfter })
        : fault.outcome === "in-progress"
        ? Faults.paymentInProgress
        : Faults.settlementFailed
  }
}

const toReadFault = (fault: ReadFault): Faults.Fault => {
  switch (fault) {
    case "pass":
      return Faults.delay(0)
    case "500":
      return Faults.error("INFERENCE_FAILED")
    case "html-502":
      return Faults.htmlPage(502)
    case "reset":
      return Faults.resetBeforeHeaders
    case "truncated":
      return Faults.truncatedJson()
  }
}

/** What a case saw, for the report of a counterexample. */
interface Books {
  readonly ledgerUsd: number
  readonly topUps: number
  readonly spentUsd: number
  readonly unconfirmedUsd: number
}

const EPSILON = 0.000_001

/** Runs one case; fails (with the books) when a money property does not hold. */
const runCase = (chain: Chain, c: Case): Effect.Effect<void, string> => {
  const t = walletLayer({
    chain,
    payments: {
      maxPerPaymentUsd: c.maxPerPaymentUsd,
      budgetUsd: c.budgetUsd,
      timeout: `${c.timeoutSeconds} seconds`,
      settlement: { wait: `${c.waitSeconds} seconds`, poll: "2 seconds", retries: c.retries }
    },
    wallet: { maxInFlight: false },
    client: { errorBudgetGuard: false },
    emulator: { x402: { concurrency: 100 }, errorBudget: { threshold: 10_000 } }
  })
  return Effect.gen(function*() {
    const emu = yield* VeniceEmulator
    const payments = yield* PaymentPolicy.PaymentPolicy
    for (const fault of c.pay) yield* emu.script({ route: "x402/top-up", paying: true }, 1, toFault(fault))
    for (const fault of c.ledger) yield* emu.script({ route: "x402/transactions" }, 1, toReadFault(fault))
    for (const fault of c.balance) yield* emu.script({ route: "x402/balance" }, 1, toReadFault(fault))

    const books: Effect.Effect<Books> = Effect.gen(function*() {
      const view = yield* emu.wallet(t.address)
      const topUps = view.transactions.filter((x) => x.type === "TOP_UP")
      return {
        ledgerUsd: topUps.reduce((sum, x) => sum + x.amount, 0),
        topUps: topUps.length,
        spentUsd: yield* payments.spentUsd,
        unconfirmedUsd: yield* payments.unconfirmedUsd
      }
    })
    const check = (ok: boolean, what: string, seen: Books) =>
      ok ? Effect.void : Effect.fail(`${what}: ${JSON.stringify(seen)}`)

    for (const [i, calls] of c.episodes.entries()) {
      yield* emu.setWalletBalance(t.address, 0) // the credit is used up: the next calls get 402 together
      const exit = yield* drive(
        Effect.all(Array.from({ length: calls }, () => Effect.either(Chat.completions(hello))), {
          concurrency: "unbounded"
        })
      )
      if (Exit.isFailure(exit)) return yield* Effect.fail(`episode ${i + 1} died: ${Cause.pretty(exit.cause)}`)
      const seen = yield* books
      yield* check(
        seen.ledgerUsd <= seen.spentUsd + EPSILON,
        `episode ${i + 1}: the ledger shows more than spentUsd`,
        seen
      )
      yield* check(
        seen.ledgerUsd >= seen.spentUsd - seen.unconfirmedUsd - EPSILON,
        `episode ${i + 1}: a confirmed payment is missing from the ledger`,
        seen
      )
      yield* check(seen.spentUsd <= c.budgetUsd + EPSILON, `episode ${i + 1}: spentUsd above the budget`, seen)
    }

    // every late forward, duplicate and landing has happened; every authorization (300 s; a Solana blockhash: 150
    // blocks) and the grace have expired
    yield* emu.clearFaults
    yield* TestClock.adjust("20 minutes")
    yield* realPause(30)
    let reconciled: PaymentPolicy.ReconcileResult = { _tag: "Nothing" }
    for (let i = 0; i < 3; i++) {
      const pass = yield* drive(payments.reconcile)
      if (Exit.isFailure(pass)) return yield* Effect.fail(`reconcile died: ${Cause.pretty(pass.cause)}`)
      reconciled = pass.value
      if (reconciled._tag !== "Unknown") break
      // a Solana payment's grace runs from when the chain was first seen past its block height: that look was this one
      yield* TestClock.adjust("3 minutes")
    }
    const end = yield* books
    yield* check(
      reconciled._tag !== "Unknown",
      `still unknown after every transfer landed or expired (${reconciled._tag})`,
      end
    )
    yield* check(end.ledgerUsd <= c.budgetUsd + EPSILON, "the ledger shows more than the budget", end)
    yield* check(end.topUps <= c.episodes.length, `${end.topUps} payments for ${c.episodes.length} 402 episode(s)`, end)
    yield* check(end.unconfirmedUsd === 0, "something is still unconfirmed once settled", end)
    yield* check(Math.abs(end.spentUsd - end.ledgerUsd) < EPSILON, "spentUsd differs from the ledger once settled", end)
  }).pipe(
    Effect.provide(t.layer),
    Effect.catchAllDefect((defect) => Effect.fail(`defect: ${String(defect)}`)),
    Effect.mapError((e) => (typeof e === "string" ? e : `layer failed: ${String(e)}`)),
    Effect.scoped
  )
}

const VERBOSE = process.env["VENICE_MONEY_VERBOSE"] !== undefined
let ran = 0

/** Runs a case in its own runtime (its own TestClock), silent; rejects with what did not hold. */
const runCasePromise = (chain: Chain) => (c: Case): Promise<void> => {
  const started = Date.now()
  const n = ++ran
  return Effect.runPromise(
    Effect.either(runCase(chain, c)).pipe(
      Effect.provide(Layer.merge(TestContext.TestContext, Logger.replace(Logger.defaultLogger, Logger.none)))
    )
  ).then((result) => {
    if (VERBOSE) console.error(`case ${n} (${chain}): ${Date.now() - started} ms ${JSON.stringify(c)}`)
    if (Either.isLeft(result)) throw new Error(result.left)
  })
}

describe("the money property", () => {
  for (const chain of ["base", "solana"] as const) {
    const runs = Math.max(1, Math.ceil(RUNS / 2))
    it.live(
      `${chain}: ${runs} random fault sequences: budget, one payment per 402 episode, books = ledger once settled`,
      () =>
        Effect.promise(() =>
          FastCheck.assert(FastCheck.asyncProperty(caseArbitrary, runCasePromise(chain)), {
            numRuns: runs,
            endOnFailure: true
          })
        ),
      60_000 + runs * 20_000
    )
  }
})
