/**
 * The x402 top-up routes as the client speaks them (`internal/topUp`, through the public `TopUp` and `SignedTopUp`),
 * over loopback against the emulator, on the TestClock: discovery's failures, the ledger's paging parameters, and
 * what each answer to a signed payment makes of it — credited, resubmitted (the same payment, after 0.5 s, 1 s, 2 s),
 * rejected, `settlement-failed` (kept reserved unless it never left), or `settlement-unconfirmed` (funds may have
 * moved). Written from the surviving mutants of `internal/topUp.ts` (docs/testing.md "Mutation testing"): each test
 * says what it pins.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as X402 from "@venice-effect/core/X402"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as TestClock from "effect/TestClock"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Chat from "../src/Chat.js"
import * as SignedTopUp from "../src/SignedTopUp.js"
import * as TopUp from "../src/TopUp.js"
import * as VeniceWallet from "../src/VeniceWallet.js"
import { drive as driveClock, failureOf, recordingTracer } from "./support.js"
import { controlledChain, hello, walletLayer } from "./walletSupport.js"

/**
 * `drive` with a long stall threshold: under load (these tests run for every mutant) the emulator's EIP-712 check can
 * take seconds of real time, which must not be taken for a stalled request (time would jump to its timeout).
 */
const drive: typeof driveClock = (effect, options = {}) => driveClock(effect, { stallAfter: 5_000, ...options })

/** Signs a payment of `usd` for the emulator's own requirements (one discovery). */
const sign = (usd: number) =>
  Effect.gen(function*() {
    const emu = yield* VeniceEmulator
    const wallet = yield* VeniceWallet.VeniceWallet
    const paymentRequired = yield* TopUp.discover({ baseUrl: emu.baseUrl })
    const rail = wallet.selectRequirements(paymentRequired)
    if (Either.isLeft(rail)) return yield* Effect.dieMessage(rail.left.message)
    return yield* wallet.signPayment(paymentRequired, { ...rail.right, amount: String(usd * 1_000_000) }, {
      maxAmountPerPaymentUsd: usd
    })
  })

type SettleOptions = NonNullable<SignedTopUp.Options["settlement"]>

/** Settles `payment` against the emulator (or `baseUrl`), x402 requests timing out after 1 s, the clock driven. */
const settle = (payment: VeniceWallet.SignedPayment, settlement: SettleOptions, baseUrl?: string) =>
  Effect.flatMap(VeniceEmulator, (emu) =>
    drive(
      SignedTopUp.settle(payment, { baseUrl: baseUrl ?? emu.baseUrl, timeout: "1 second", settlement }),
      {}
    ))

/** The submissions of signed payments the emulator saw (every `x402/top-up` request after the discovery): status, at. */
const submissions = Effect.map(
  Effect.flatMap(VeniceEmulator, (emu) => emu.requests),
  (requests) => requests.filter((r) => r.route === "x402/top-up").slice(1).map((r) => ({ status: r.status, at: r.at }))
)

const gaps = (times: ReadonlyArray<{ readonly at: number }>) => times.slice(1).map((t, i) => t.at - times[i]!.at)

/** A loopback URL nothing listens on: a connection to it is refused (the request never leaves the process). */
const refusedBaseUrl = Effect.promise(() =>
  new Promise<string>((resolve) => {
    const server = http.createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo
      server.close(() => resolve(`http://127.0.0.1:${port}/api/v1`))
    })
  })
)

describe("TopUp.discover: only a decodable 402 of Venice's own route is a discovery", () => {
  {
    const t = walletLayer({ payments: false })
    it.scoped("a Venice error instead of the 402 (503 X402_NOT_CONFIGURED): discovery-failed with its code and cause", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.error("X402_NOT_CONFIGURED"))
        // the attempt is announced to the pipeline's observer (what drives the TestClock and any metrics)
        const events: Array<Pipeline.Event> = []
        const observed = Effect.provideService(
          TopUp.discover({ baseUrl: emu.baseUrl }),
          Pipeline.Observer,
          (event) => Effect.sync(() => void events.push(event))
        )
        const error = failureOf(yield* Effect.exit(observed))
        expect(events.map((e) => [e._tag, e.operation, "attempt" in e ? e.attempt : undefined])).toEqual([
          ["AttemptStarted", "x402.top-up.discover", 1],
          ["AttemptFailed", "x402.top-up.discover", 1]
        ])
        const succeeded: Array<Pipeline.Event> = []
        yield* Effect.provideService(
          TopUp.discover({ baseUrl: emu.baseUrl }),
          Pipeline.Observer,
          (event) => Effect.sync(() => void succeeded.push(event))
        )
        expect(succeeded.map((e) => e._tag)).toEqual(["AttemptStarted", "AttemptSucceeded"])
        expect(succeeded[1]).toMatchObject({ operation: "x402.top-up.discover", attempt: 1, status: 402 })
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "discovery-failed",
          code: "X402_NOT_CONFIGURED",
          fundsMayHaveMoved: false
        })
        expect(error.message).toContain("answered 503, not the 402 with payment requirements")
        expect(error._tag === "TopUpFailedError" && error.cause).toMatchObject({ status: 503 })
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("a proxy's HTML 502 has no Venice code: discovery-failed without `code`", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.htmlPage(502))
        const error = failureOf(yield* Effect.exit(TopUp.discover({ baseUrl: emu.baseUrl })))
        expect(error).toMatchObject({ _tag: "TopUpFailedError", reason: "discovery-failed" })
        expect(error).not.toHaveProperty("code")
        expect(error.message).toContain("answered 502")
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("a reset, then silence past the timeout: discovery-failed saying which (transport, no answer within 1s)", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.resetBeforeHeaders)
        const reset = failureOf(yield* drive(TopUp.discover({ baseUrl: emu.baseUrl, timeout: "1 second" })))
        expect(reset).toMatchObject({ _tag: "TopUpFailedError", reason: "discovery-failed" })
        expect(reset.message).toBe(`POST ${emu.baseUrl}/x402/top-up failed in transport`)
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.stall)
        const silent = failureOf(
          yield* drive(TopUp.discover({ baseUrl: emu.baseUrl, timeout: "1 second" }), { stallAfter: 300 })
        )
        expect(silent).toMatchObject({ _tag: "TopUpFailedError", reason: "discovery-failed" })
        expect(silent.message).toBe(`no answer from POST ${emu.baseUrl}/x402/top-up within 1s`)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("a 402 whose PAYMENT-REQUIRED header is not base64 JSON: discovery-failed, nothing to pay", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        yield* emu.script({ route: "x402/top-up" }, 1, Faults.garbageHeaders("payment-required-invalid"))
        const error = failureOf(yield* Effect.exit(TopUp.discover({ baseUrl: emu.baseUrl })))
        expect(error).toMatchObject({ _tag: "TopUpFailedError", reason: "discovery-failed", fundsMayHaveMoved: false })
        expect(error.message).toContain("has no decodable PAYMENT-REQUIRED header")
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("requirements naming another origin, or a resource URL that is no URL: foreign-requirements, named", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const wallet = yield* VeniceWallet.VeniceWallet
        const genuine = yield* TopUp.discover({ baseUrl: emu.baseUrl })
        const naming = (url: string) =>
          Faults.headers({
            "PAYMENT-REQUIRED": Schema.encodeSync(X402.PaymentRequiredHeader)({ ...genuine, resource: { url } })
          })
        yield* emu.script({ route: "x402/top-up" }, 1, naming("https://evil.example/api/v1/x402/top-up"))
        const foreign = failureOf(yield* Effect.exit(TopUp.discover({ baseUrl: emu.baseUrl })))
        expect(foreign).toMatchObject({ _tag: "PaymentRefusedError", reason: "foreign-requirements" })
        expect(foreign.message).toBe(
          `the payment requirements name https://evil.example, not the configured ${emu.origin}: not paid`
        )
        yield* emu.script({ route: "x402/top-up" }, 1, naming("not a url"))
        const invalid = failureOf(yield* Effect.exit(TopUp.discover({ baseUrl: emu.baseUrl })))
        expect(invalid.message).toBe(
          `the payment requirements name an invalid URL, not the configured ${emu.origin}: not paid`
        )
        // the same origin is Venice's own
        yield* emu.script({ route: "x402/top-up" }, 1, naming(emu.url("/x402/top-up")))
        const own = yield* TopUp.discover({ baseUrl: emu.baseUrl })
        expect(Either.isRight(wallet.selectRequirements(own))).toBe(true)
      }).pipe(Effect.provide(t.layer)))
  }
})

describe("TopUp.transactions: the ledger's limit and offset reach Venice", () => {
  const t = walletLayer({ balanceUsd: 5, payments: false })
  it.scoped("two charges: limit 1 is the newest (more follow), offset 1 the older; no parameters is Venice's 50", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* Chat.completions(hello)
      yield* Chat.completions(hello)
      const all = (yield* emu.wallet(t.address)).transactions.map((x) => x.id).reverse()
      expect(all).toHaveLength(2)
      const newest = yield* TopUp.transactions({ limit: 1 }, { baseUrl: emu.baseUrl })
      expect(newest.data.transactions.map((x) => x.id)).toEqual([all[0]])
      expect(newest.data.pagination).toMatchObject({ limit: 1, offset: 0, hasMore: true })
      const older = yield* TopUp.transactions({ limit: 1, offset: 1 }, { baseUrl: emu.baseUrl })
      expect(older.data.transactions.map((x) => x.id)).toEqual([all[1]])
      expect(older.data.pagination).toMatchObject({ offset: 1, hasMore: false })
      const page = yield* TopUp.transactions({}, { baseUrl: emu.baseUrl })
      expect(page.data.pagination).toMatchObject({ limit: 50, offset: 0 })
      expect(page.data.transactions).toHaveLength(2)
      const balance = yield* TopUp.balance({ baseUrl: emu.baseUrl })
      expect(balance.data.walletAddress.toLowerCase()).toBe(t.address.toLowerCase())
    }).pipe(Effect.provide(t.layer)))
})

describe("SignedTopUp.settle: what each answer makes of a signed payment", () => {
  {
    const t = walletLayer({ payments: false })
    it.scoped("credited: the receipt and its decoded PAYMENT-RESPONSE; a garbled PAYMENT-RESPONSE is dropped, not fatal", () =>
      Effect.gen(function*() {
        const payment = yield* sign(5)
        const credited = yield* settle(payment, {})
        expect(Exit.isSuccess(credited)).toBe(true)
        if (Exit.isFailure(credited) || credited.value._tag !== "Credited") throw new Error("expected a receipt")
        expect(credited.value.receipt).toMatchObject({ amountCredited: 5, newBalance: 5 })
        expect(credited.value.receipt.walletAddress.toLowerCase()).toBe(t.address.toLowerCase())
        expect(credited.value.receipt.paymentId).toMatch(/^x402-/)
        expect(credited.value.receipt.settlement).toMatchObject({ success: true, network: "eip155:8453" })

        const emu = yield* VeniceEmulator
        const second = yield* sign(6)
        yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.headers({ "PAYMENT-RESPONSE": "%%" }))
        const garbled = yield* settle(second, {})
        if (Exit.isFailure(garbled) || garbled.value._tag !== "Credited") throw new Error("expected a receipt")
        expect(garbled.value.receipt).toMatchObject({ amountCredited: 6, newBalance: 11 })
        expect(garbled.value.receipt.settlement).toBeUndefined()
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("INVALID_PAYMENT: rejected at once, one submission, nothing moved, not kept", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 5, Faults.error("INVALID_PAYMENT"))
        const error = failureOf(yield* settle(payment, { retries: 3 }))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "rejected",
          code: "INVALID_PAYMENT",
          fundsMayHaveMoved: false,
          amountUsd: 10
        })
        expect(error).not.toHaveProperty("mayStillLand")
        expect(error.message).toMatch(/^Venice rejected the payment of \$10 \(INVALID_PAYMENT\): /)
        expect((yield* submissions).map((s) => s.status)).toEqual([400])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("503 X402_NOT_CONFIGURED says nothing moved: resubmitted after 0.5 s, then settlement-failed, kept reserved", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 5, Faults.error("X402_NOT_CONFIGURED"))
        const error = failureOf(yield* settle(payment, { retries: 1 }))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-failed",
          code: "X402_NOT_CONFIGURED",
          fundsMayHaveMoved: false,
          mayStillLand: true, // it reached Venice: its authorization stays executable until validBefore
          amountUsd: 10
        })
        expect(error.message).toContain("stays reserved until it is credited or expires")
        const sent = yield* submissions
        expect(sent.map((s) => s.status)).toEqual([503, 503])
        expect(gaps(sent)).toEqual([500])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("a refused connection never sent the payment: settlement-failed, not kept, after retries+1 attempts", () =>
      Effect.gen(function*() {
        const payment = yield* sign(10)
        const nowhere = yield* refusedBaseUrl
        const start = yield* Clock.currentTimeMillis
        const error = failureOf(yield* settle(payment, { retries: 2 }, nowhere))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-failed",
          fundsMayHaveMoved: false,
          amountUsd: 10
        })
        expect(error).not.toHaveProperty("mayStillLand")
        expect(error.message).not.toContain("stays reserved")
        // two backoffs (0.5 s, 1 s) before giving up
        expect((yield* Clock.currentTimeMillis) - start).toBe(1_500)
        expect(yield* submissions).toEqual([])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("a bare HTML 500 loses the answer: resubmitted, then settlement-unconfirmed (funds may have moved)", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 5, Faults.htmlPage(500))
        const error = failureOf(yield* settle(payment, { retries: 1 }))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          fundsMayHaveMoved: true,
          mayStillLand: true,
          amountUsd: 10
        })
        expect(error).not.toHaveProperty("code")
        expect(error.message).toContain("the payment of $10 got no answer that settles it")
        expect((yield* submissions).map((s) => s.status)).toEqual([500, 500])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("a 200 that cannot be read is a lost answer: the same payment resubmitted 0.5 s later is credited once", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.truncatedJson(10))
        const exit = yield* settle(payment, { retries: 1 })
        expect(Exit.isSuccess(exit) && exit.value._tag).toBe("Credited")
        const sent = yield* submissions
        expect(sent.map((s) => s.status)).toEqual([200, 200])
        expect(gaps(sent)).toEqual([500])
        expect((yield* emu.wallet(t.address)).payments).toMatchObject([{ amountUsd: 10, submissions: 2 }])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("SETTLEMENT_FAILED ×3 with 3 retries: backoff doubles (0.5 s, 1 s, 2 s), the 4th submission is credited", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 3, Faults.settlementFailed)
        const exit = yield* settle(payment, { retries: 3 })
        expect(Exit.isSuccess(exit)).toBe(true)
        const sent = yield* submissions
        expect(sent.map((s) => s.status)).toEqual([402, 402, 402, 200])
        expect(gaps(sent)).toEqual([500, 1_000, 2_000])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("SETTLEMENT_FAILED with 2 retries fails after the 3rd; with a 1.5 s wait after the 2nd (no backoff to it)", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 3, Faults.settlementFailed)
        const byRetries = failureOf(yield* settle(payment, { retries: 2 }))
        expect(byRetries).toMatchObject({ reason: "settlement-failed", code: "SETTLEMENT_FAILED", mayStillLand: true })
        expect((yield* submissions).map((s) => s.status)).toEqual([402, 402, 402])

        const other = yield* sign(5)
        yield* emu.script({ route: "x402/top-up", paying: true }, 5, Faults.settlementFailed)
        const start = yield* Clock.currentTimeMillis
        const byWait = failureOf(yield* settle(other, { retries: 3, wait: "1500 millis" }))
        expect(byWait).toMatchObject({ reason: "settlement-failed", code: "SETTLEMENT_FAILED" })
        // 0 s, then 0.5 s; a 1 s backoff would end at the 1.5 s deadline itself
        expect((yield* Clock.currentTimeMillis) - start).toBe(500)
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("PAYMENT_IN_PROGRESS until the deadline: resubmitted every poll, the last pause cut to the deadline", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 8, Faults.paymentInProgress)
        const error = failureOf(yield* settle(payment, { wait: "5 seconds", poll: "2 seconds", retries: 0 }))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          code: "PAYMENT_IN_PROGRESS",
          fundsMayHaveMoved: true,
          mayStillLand: true
        })
        expect(error.message).toContain("did not settle by the deadline (PAYMENT_IN_PROGRESS)")
        const sent = yield* submissions
        expect(sent.map((s) => s.status)).toEqual([409, 409, 409, 409])
        expect(gaps(sent)).toEqual([2_000, 2_000, 1_000])
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ payments: false })
    it.scoped("PAYMENT_IN_PROGRESS, then INVALID_PAYMENT: unconfirmed (it was settling), never rejected", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.paymentInProgress)
        yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.error("INVALID_PAYMENT"))
        const error = failureOf(yield* settle(payment, { poll: "1 second" }))
        expect(error).toMatchObject({
          _tag: "TopUpFailedError",
          reason: "settlement-unconfirmed",
          code: "INVALID_PAYMENT",
          fundsMayHaveMoved: true
        })
        expect(error.message).toContain("was refused after an earlier answer was lost")
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const t = walletLayer({ balanceUsd: 1, payments: false })
    it.scoped("SETTLEMENT_TIMEOUT with a balance that can serve the wallet: Admitted at once; the settle span says timeout", () =>
      Effect.gen(function*() {
        const emu = yield* VeniceEmulator
        const payment = yield* sign(10)
        yield* emu.script({ route: "x402/top-up", paying: true }, 1, Faults.settlementTimeout({ lands: false }))
        const tracing = recordingTracer()
        const exit = yield* Effect.flatMap(VeniceEmulator, (emu) =>
          drive(
            SignedTopUp.settle(payment, { baseUrl: emu.baseUrl, timeout: "1 second" }).pipe(
              Effect.withTracer(tracing.tracer)
            ),
            {}
          ))
        if (Exit.isFailure(exit)) throw new Error("expected the balance to admit the wallet")
        expect(exit.value).toMatchObject({ _tag: "Admitted", balance: { data: { canConsume: true, balanceUsd: 1 } } })
        expect((yield* submissions).map((s) => s.status)).toEqual([504])
        const wallet = yield* VeniceWallet.VeniceWallet
        expect(tracing.records.find((r) => r.name === "venice.x402.settle")?.attributes).toMatchObject({
          "venice.identity": wallet.identity,
          "x402.settlement": "timeout"
        })
        expect(tracing.records.find((r) => r.name === "venice.x402.top-up")?.attributes).toMatchObject({
          "venice.identity": wallet.identity,
          "x402.amount": "10000000"
        })
        expect(tracing.records.find((r) => r.name === "venice.x402.balance")?.attributes).toMatchObject({
          "venice.identity": wallet.identity
        })
      }).pipe(Effect.provide(t.layer)))
  }

  {
    const chain = controlledChain()
    const t = walletLayer({ chain: "solana", solanaRpc: chain.rpc, payments: false })
    it.scoped("Solana (no validBefore): expiry is never before maxTimeoutSeconds after the first submission", () =>
      Effect.gen(function*() {
        const payment = yield* sign(10)
        const submittedAt = yield* Clock.currentTimeMillis
        chain.control.blockHeight = "forward" // the chain is past the blockhash's height at once
        const maxTimeout = payment.accepted.maxTimeoutSeconds * 1000
        yield* TestClock.setTime(submittedAt + maxTimeout - 1)
        expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(false)
        yield* TestClock.setTime(submittedAt + maxTimeout)
        expect(yield* SignedTopUp.expired(payment, submittedAt)).toBe(true)
      }).pipe(Effect.provide(t.layer)))
  }
})

describe("TopUp.selectBaseUsdc: only USDC on Base, scheme exact, to an EVM address", () => {
  it("picks the one option that is all of it (the asset in any case), and nothing when none is", () => {
    const usdc = {
      scheme: "exact",
      network: "eip155:8453",
      amount: "5000000",
      asset: TopUp.BASE_USDC.toUpperCase().replace("0X", "0x"),
      payTo: "0x2670B922ef37C7Df47158725C0CC407b5382293F",
      maxTimeoutSeconds: 300,
      extra: { name: "USD Coin", version: "2" }
    }
    const decoys = [
      { ...usdc, scheme: "upto" },
      { ...usdc, network: "eip155:84532" },
      { ...usdc, asset: "0xd9aAEc86B65D86f6A7B5B1b0c42FFA531710b6CA" },
      { ...usdc, payTo: "0x2670B922ef37C7Df47158725C0CC407b5382293" }, // 39 hex digits
      { ...usdc, payTo: "0x2670B922ef37C7Df47158725C0CC407b5382293FF" }, // 41
      { ...usdc, payTo: "x0x2670B922ef37C7Df47158725C0CC407b5382293F" }
    ]
    expect(TopUp.selectBaseUsdc({ x402Version: 2, accepts: decoys })).toEqual(Option.none())
    for (const decoy of decoys) {
      expect(TopUp.selectBaseUsdc({ x402Version: 2, accepts: [decoy] })).toEqual(Option.none())
    }
    expect(TopUp.selectBaseUsdc({ x402Version: 2, accepts: [...decoys, usdc] })).toEqual(Option.some(usdc))
    expect(TopUp.BASE_NETWORK).toBe("eip155:8453")
  })
})
