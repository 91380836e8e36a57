/**
 * Runs one generated case against the emulator over loopback and checks the liveness properties (issue 13):
 *
 * - **termination within the policy's bound** ({@link Cases.callBound}), on the TestClock;
 * - **attempts**: the emulator sees at most `maxRetries + 1` requests, and none after an answer that must never be
 *   retried;
 * - **no defect, no interruption**: the call ends with a value or a typed error of the SDK;
 * - **no socket leak**: the emulator's open connections come back to the keep-alive baseline;
 * - **recovery**: once the faults are gone, the next call on the same client succeeds within one window (no sticky
 *   limiter or guard state).
 *
 * A failed property throws with the case, so fast-check reports (and shrinks) it.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as ClientError from "@venice-effect/core/ClientError"
import { realPause } from "@venice-effect/emulator/Testing"
import type { Service as Emulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Redacted from "effect/Redacted"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import * as Chat from "../../src/Chat.js"
import * as ChatStream from "../../src/ChatStream.js"
import * as RetryPolicy from "../../src/RetryPolicy.js"
import * as StreamError from "../../src/StreamError.js"
import * as VeniceClient from "../../src/VeniceClient.js"
import * as VeniceError from "../../src/VeniceError.js"
import * as VeniceWallet from "../../src/VeniceWallet.js"
import { KEY } from "../support.js"
import * as Cases from "./cases.js"
import * as Clock from "./clock.js"

const MODEL = "venice-uncensored"
const hello = { model: MODEL, messages: [{ role: "user" as const, content: "hello" }] }
const ROUTE = { route: "chat/completions" }

/** What one case observed, for the suite's summary. */
export interface Outcome {
  readonly elapsed: number
  readonly bound: number
  readonly requests: number
  readonly tag: string
  readonly forced: number
}

const fail = (c: Cases.Case, message: string): never => {
  throw new Error(`${message}\n  case: ${Cases.describeCase(c)}`)
}

const isSdkError = (error: unknown): error is { readonly _tag: string } =>
  ClientError.isClientError(error) || VeniceError.isVeniceError(error) || StreamError.isStreamError(error)

/** The emulator's open connections once the case has settled: at most the keep-alive pool's (a few). */
const MAX_IDLE_CONNECTIONS = 4

/** The suite's wallets, one per chain, credited on the emulator. */
export interface Wallets {
  readonly base: VeniceWallet.Service
  readonly solana: VeniceWallet.Service
}

export const runCase = (
  c: Cases.Case,
  env: { readonly emulator: Emulator; readonly http: HttpClient.HttpClient; readonly wallets: Wallets }
): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const { emulator } = env
    yield* emulator.reset
    const now = yield* TestClock.currentTimeMillis
    for (const spec of c.faults) yield* emulator.script(ROUTE, 1, Cases.toFault(spec, now))
    // a fresh client per case (its own limiter store): cases are independent, counterexamples replay. A wallet
    // signs in on every attempt (SIWX) and holds one of its in-flight slots (X4) while the attempt is unresolved.
    const auth = c.caller === "key"
      ? { apiKey: Redacted.make(KEY) }
      : { authenticator: VeniceWallet.authenticator(env.wallets[c.caller]) }
    const client = yield* VeniceClient.make({ ...auth, baseUrl: emulator.baseUrl }).pipe(
      Effect.provideService(HttpClient.HttpClient, env.http),
      Effect.orDie
    )
    const p = c.policy
    const options = {
      retry: RetryPolicy.make({ maxRetries: p.maxRetries, base: Duration.millis(p.base), cap: Duration.millis(p.cap) }),
      timeout: Duration.millis(p.timeout),
      maxWait: Duration.millis(p.maxWait)
    }
    const call: Effect.Effect<unknown, unknown, VeniceClient.VeniceClient> = c.streaming
      ? Effect.scoped(Stream.runDrain(ChatStream.stream(hello, {
        ...options,
        ...(c.idleTimeout !== undefined ? { idleTimeout: Duration.millis(c.idleTimeout) } : {}),
        ...(c.firstEventTimeout !== undefined ? { firstEventTimeout: Duration.millis(c.firstEventTimeout) } : {})
      })))
      : Chat.completions(hello, options)
    const bound = Cases.callBound(c)
    const t0 = Date.now()
    const run = yield* Clock.run(Effect.provideService(call, VeniceClient.VeniceClient, client), {
      deadline: bound + 60_000,
      expectStall: (attempt) => Cases.stalls(c.faults[attempt - 1])
    })

    // termination within the policy's bound
    if (run.exit === undefined) {
      fail(c, `no end after ${run.elapsed} ms of virtual time and ${run.pacing} pacing waits (bound ${bound} ms)`)
    }
    const exit = run.exit!
    if (run.elapsed > bound) fail(c, `ended after ${run.elapsed} ms, past the policy's bound of ${bound} ms`)
    // no defect, no interruption: a value or one of the SDK's typed errors
    let tag = "success"
    if (Exit.isFailure(exit)) {
      const failure = Cause.failureOption(exit.cause)
      if (failure._tag === "None" || Cause.isDie(exit.cause) || Cause.isInterrupted(exit.cause)) {
        fail(c, `ended with a defect or an interruption: ${Cause.pretty(exit.cause)}`)
      }
      const error = failure._tag === "Some" ? failure.value : undefined
      if (!isSdkError(error)) fail(c, `ended with an error that is not the SDK's: ${String(error)}`)
      tag = (error as { readonly _tag: string })._tag
    }
    // attempts, counted by the emulator
    const requests = yield* emulator.count(ROUTE)
    if (requests > p.maxRetries + 1) {
      fail(c, `${requests} requests reached the server, the policy allows ${p.maxRetries + 1}`)
    }
    const final = Cases.firstFinal(c)
    if (final !== undefined && requests > final + 1) {
      fail(c, `${requests} requests reached the server, past the never-retried answer of request ${final + 1}`)
    }
    const t1 = Date.now()
    // sockets back to the keep-alive baseline
    for (let i = 0; i < 200 && (yield* emulator.openConnections) > MAX_IDLE_CONNECTIONS; i++) {
      yield* realPause(2)
    }
    const open = yield* emulator.openConnections
    if (open > MAX_IDLE_CONNECTIONS) fail(c, `${open} connections still open after the call`)

    // recovery: the faults gone, the same client's calls succeed within one window. The error-budget guard may refuse
    // at once (R8: a typed refusal, not a wait) while the server's budget window lasts; then the call is made
    // again once `resetIn` has passed — all within the bound.
    yield* emulator.clearFaults
    const t2 = Date.now()
    const recoveryBound = Cases.recoveryBound(c)
    const recoveryStart = yield* TestClock.currentTimeMillis
    let recovered: Exit.Exit<unknown, unknown> | undefined
    for (let i = 0; i < 3 && recovered === undefined; i++) {
      const recovery = yield* Clock.run(
        Effect.provideService(
          Chat.completions(hello, { maxWait: Duration.hours(26), timeout: Duration.millis(p.timeout) }),
          VeniceClient.VeniceClient,
          client
        ),
        { deadline: recoveryBound + 60_000 }
      )
      if (recovery.exit === undefined) fail(c, `the call after the faults did not end within ${recovery.elapsed} ms`)
      const error = Exit.isFailure(recovery.exit!) ? Cause.failureOption(recovery.exit!.cause) : undefined
      if (
        error?._tag === "Some" && ClientError.isClientError(error.value) &&
        error.value._tag === "ErrorBudgetExhaustedError"
      ) {
        if (Duration.toMillis(error.value.resetIn) > 60_000) {
          fail(c, `the guard refuses for ${Duration.format(error.value.resetIn)}`)
        }
        yield* TestClock.adjust(Duration.sum(error.value.resetIn, Duration.millis(1)))
        continue
      }
      recovered = recovery.exit
    }
    const recoveryElapsed = (yield* TestClock.currentTimeMillis) - recoveryStart
    if (recovered === undefined || Exit.isFailure(recovered)) {
      fail(
        c,
        `the call after the faults did not succeed: ${
          recovered === undefined ? "refused 3 times" : Cause.pretty(recovered.cause)
        }`
      )
    }
    if (recoveryElapsed > recoveryBound) {
      fail(c, `the call after the faults took ${recoveryElapsed} ms, past one window (${recoveryBound} ms)`)
    }
    if (process.env["LIVENESS_PROFILE"] !== undefined) {
      console.log(`phases: call ${t1 - t0} ms, sockets ${t2 - t1} ms, recovery ${Date.now() - t2} ms`)
    }
    return { elapsed: run.elapsed, bound, requests, tag, forced: run.forced }
  })
