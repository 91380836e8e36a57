/**
 * O3 for wallets: the private key, SIGN-IN-WITH-X headers, payment signatures and PAYMENT-SIGNATURE headers
 * never reach an error, a log line (any level) or a span (attributes and events). Every secret the client actually
 * sent is collected from its own outgoing requests, then searched for in everything recorded.
 */
import { expect, it } from "@effect/vitest"
import * as Siwx from "@venice-effect/core/Siwx"
import * as X402 from "@venice-effect/core/X402"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Chat from "../src/Chat.js"
import * as PaymentPolicy from "../src/PaymentPolicy.js"
import { drive, recordingLogger, recordingTracer } from "./support.js"
import { hello, walletLayer } from "./walletSupport.js"

const t = walletLayer({
  balanceUsd: 0,
  payments: { maxPerPaymentUsd: 10, budgetUsd: 15, settlement: { poll: "2 seconds" } }
})

it.scoped("no key, SIWX header, signature or payment header in any error, log line or span", () =>
  Effect.gen(function*() {
    const emu = yield* VeniceEmulator
    const payments = yield* PaymentPolicy.PaymentPolicy
    const tracing = recordingTracer()
    const logging = recordingLogger()
    const exits: Array<Exit.Exit<unknown, unknown>> = []
    const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      drive(effect, { stallAfter: 5_000 }).pipe(
        Effect.tap((exit) => Effect.sync(() => exits.push(exit))),
        Effect.withTracer(tracing.tracer),
        Effect.provide(logging.layer),
        Logger.withMinimumLogLevel(LogLevel.All)
      )

    // 402 → top-up (settlement fails once, then succeeds) → retry → 200
    yield* emu.script({ route: "x402/top-up" }, 1, Faults.settlementFailed)
    yield* run(Chat.completions(hello))
    // the ledger, signed in
    yield* run(payments.balance)
    yield* run(payments.transactions())
    // a rejected payment (below Venice's minimum) and a refused one (over the budget)
    yield* run(payments.topUp(1))
    yield* run(payments.topUp(9))
    // a failed sign-in (replayed header) and a concurrency refusal, as plain errors
    yield* emu.script({ route: "chat/completions" }, 1, Faults.error("X402_SIGN_IN_NONCE_REUSED"))
    yield* run(Chat.completions(hello, { retry: undefined }))

    // what the client really sent
    const secrets: Array<string> = [t.key, t.key.slice(2)]
    for (const request of t.recorder.requests) {
      const siwx = request.headers["sign-in-with-x"]
      if (siwx !== undefined) {
        secrets.push(siwx)
        const payload = yield* Siwx.decodeHeader(siwx)
        secrets.push(Redacted.value(payload.signature))
      }
      const payment = request.headers["payment-signature"]
      if (payment !== undefined) {
        secrets.push(payment)
        const decoded = Schema.decodeUnknownSync(X402.PaymentSignatureHeader)(payment)
        const signature = (decoded.payload as { signature?: string }).signature
        if (signature !== undefined) secrets.push(signature)
      }
    }
    expect(secrets.filter((s) => s.startsWith("0x") && s.length === 132).length).toBeGreaterThan(3) // signatures found
    expect(t.recorder.requests.some((r) => r.headers["payment-signature"] !== undefined)).toBe(true)

    const errors = exits.flatMap((exit) =>
      Exit.isFailure(exit)
        ? [Cause.pretty(exit.cause), JSON.stringify(Cause.squash(exit.cause)), String(Cause.squash(exit.cause))]
        : []
    )
    expect(exits.filter(Exit.isFailure).length).toBeGreaterThanOrEqual(3)
    const spans = tracing.dump()
    const logs = logging.dump()
    expect(spans).toContain("venice.x402.top-up")
    expect(spans).toContain("payment.retry")
    expect(logs.length).toBeGreaterThan(0)
    for (const secret of secrets) {
      expect(spans.includes(secret)).toBe(false)
      expect(logs.includes(secret)).toBe(false)
      for (const text of errors) expect(text.includes(secret)).toBe(false)
    }
    // the header names are recorded, their values redacted
    expect(spans).toContain("http.request.header.sign-in-with-x")
    expect(spans).toContain("http.request.header.payment-signature")
  }).pipe(Effect.provide(t.layer)))
