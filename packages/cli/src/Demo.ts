/**
 * `venice demo`: a scripted storm played through the real client against the embedded Venice emulator — a 429 with
 * `Retry-After`, 503s with backoff, an in-band error event mid-stream (and the opt-in restart before the first token), an x402 wallet top-up
 * with a throwaway wallet, a top-up whose answer is lost (settled by the ledger, never paid twice), a fallback model, a 404 that is never retried, a wait beyond the maximum. Each scenario
 * prints a timeline merged from the pipeline's `Observer` events (client) and the emulator's request log (server),
 * then a summary table; every scenario checks what it saw against what Venice's rules say should happen.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ServeError } from "@effect/platform/HttpServerError"
import * as ClientError from "@venice-effect/core/ClientError"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Faults from "@venice-effect/emulator/Faults"
import * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import * as Chat from "@venice-effect/venice/Chat"
import * as ChatStream from "@venice-effect/venice/ChatStream"
import * as PaymentPolicy from "@venice-effect/venice/PaymentPolicy"
import * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as StreamError from "@venice-effect/venice/StreamError"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
// this program signs with a wallet: its calls may fail with a WalletError
import type {} from "@venice-effect/venice/WalletErrors"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Render from "./Render.js"

// ─── models ──────────────────────────────────────────────────────────────────────────────────────

/**
 * One line of the summary: what a scenario did and whether that is what Venice's rules say should happen.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row {
  readonly scenario: string
  /** HTTP attempts of the scenario's chat call(s), as the pipeline counted them. */
  readonly attempts: number
  /** Time the client chose to wait (retry waits, pacing, stream restarts), in milliseconds. */
  readonly waitedMillis: number
  readonly outcome: string
  /** The code the scenario is about (a catalog code, an in-band code, or a client error tag). */
  readonly code: string
  /** Whether the scenario behaved as expected. */
  readonly ok: boolean
  /** What differed from the expectation (empty when `ok`). */
  readonly problems: ReadonlyArray<string>
}

/**
 * The result of a whole run.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly rows: ReadonlyArray<Row>
  readonly elapsedMillis: number
  readonly baseUrl: string
}

/**
 * Where the demo writes its lines (default: stdout).
 *
 * @since 0.1.0
 * @category models
 */
export type Print = (line: string) => Effect.Effect<void>

/** What a scenario's judge sees. */
interface Facts<A> {
  readonly exit: Exit.Exit<A, unknown>
  readonly events: ReadonlyArray<Pipeline.Event>
  /** Requests the emulator received during the scenario. */
  readonly requests: ReadonlyArray<VeniceEmulator.RequestRecord>
  readonly waits: ReadonlyArray<{ readonly millis: number; readonly reason: string }>
  /** Attempts of `chat.completions` (top-up and balance requests are not counted). */
  readonly attempts: number
}

interface Verdict {
  readonly outcome: string
  readonly code: string
  readonly problems: ReadonlyArray<string>
}

/** What a scenario may use. */
interface ScenarioContext {
  readonly emulator: VeniceEmulator.Service
  /** A fresh Bearer-key client on the emulator (its own limiter state: scenarios do not pace each other). */
  readonly client: Layer.Layer<VeniceClient.VeniceClient, never, HttpClient.HttpClient>
  /** A timeline note (client side, not a pipeline event). */
  readonly note: (text: string) => Effect.Effect<void>
  /** Records a wait the client chose outside the pipeline (a stream restart). */
  readonly waited: (delay: Duration.Duration, reason: string) => Effect.Effect<void>
}

/** A scenario with its result type hidden: it runs, then judges what it saw. */
interface Scenario {
  readonly title: string
  readonly why: string
  readonly play: (ctx: ScenarioContext) => Effect.Effect<
    {
      readonly judge: (facts: Omit<Facts<unknown>, "exit">) => Verdict
      /** The call's typed failure, if it failed. */
      readonly failure: Option.Option<unknown>
    },
    never,
    HttpClient.HttpClient
  >
}

/** `run` gets a fresh Bearer-key client on the emulator (a scenario may provide its own instead). */
const scenario = <A>(definition: {
  readonly title: string
  readonly why: string
  readonly run: (ctx: ScenarioContext) => Effect.Effect<A, unknown, HttpClient.HttpClient | VeniceClient.VeniceClient>
  readonly judge: (facts: Facts<A>) => Verdict
}): Scenario => ({
  title: definition.title,
  why: definition.why,
  play: (ctx) =>
    Effect.map(
      Effect.exit(Effect.provide(definition.run(ctx), ctx.client)),
      (exit) => ({ judge: (facts) => definition.judge({ ...facts, exit }), failure: failureOf(exit) })
    )
})

// ─── the scenarios ───────────────────────────────────────────────────────────────────────────────

const MODEL = "venice-uncensored"
const FALLBACK_MODEL = "zai-org-glm-5-1"
const hello = (content: string, model = MODEL) => ({ model, messages: [{ role: "user" as const, content }] })

const statuses = (requests: ReadonlyArray<VeniceEmulator.RequestRecord>, route = "chat/completions") =>
  requests.filter((r) => r.route === route).map((r) => r.status)

const sameList = (actual: ReadonlyArray<number>, expected: ReadonlyArray<number>) =>
  actual.length === expected.length && actual.every((s, i) => s === expected[i])

const expectStatuses = (
  problems: Array<string>,
  requests: ReadonlyArray<VeniceEmulator.RequestRecord>,
  expected: ReadonlyArray<number>,
  route = "chat/completions"
) => {
  const actual = statuses(requests, route)
  if (!sameList(actual, expected)) {
    problems.push(`${route}: expected ${expected.join(" → ")}, the emulator saw ${actual.join(" → ") || "nothing"}`)
  }
}

const expectAttempts = (problems: Array<string>, facts: Facts<unknown>, n: number) => {
  if (facts.attempts !== n) problems.push(`expected ${n} attempt(s), saw ${facts.attempts}`)
}

const expectWait = (
  problems: Array<string>,
  wait: { readonly millis: number; readonly reason: string } | undefined,
  range: readonly [number, number],
  reason: string
) => {
  if (wait === undefined) return problems.push(`expected a ${reason} wait, there was none`)
  if (wait.millis < range[0] || wait.millis > range[1]) {
    problems.push(`expected a ${reason} wait of ${range[0]}–${range[1]} ms, waited ${wait.millis} ms`)
  }
  if (!wait.reason.includes(reason)) {
    problems.push(`expected the wait to come from ${reason}, it came from ${wait.reason}`)
  }
}

const failureOf = <A>(exit: Exit.Exit<A, unknown>): Option.Option<unknown> =>
  Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()

const codeOf = (error: unknown): string => {
  if (VeniceError.isVeniceError(error)) return error.code === "UNKNOWN" ? error.reportedCode ?? "UNKNOWN" : error.code
  if (StreamError.isStreamError(error)) {
    return error._tag === "StreamEventError" ? error.code ?? error.type ?? error._tag : error._tag
  }
  if (Predicate.hasProperty(error, "_tag")) return String(error._tag)
  return "?"
}

const unexpected = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit)
    ? "succeeded, a failure was expected"
    : Option.match(failureOf(exit), {
      onNone: () => `died: ${Cause.pretty(exit.cause).split("\n")[0]}`,
      onSome: (error) =>
        `failed with ${codeOf(error)}: ${
          Predicate.hasProperty(error, "message") ? String(error.message) : String(error)
        }`
    })

const seconds = (millis: number) => `${(millis / 1000).toFixed(1)} s`

const rateLimited = scenario({
  title: "429 + Retry-After",
  why: "Venice refuses for rate and names the wait; the client sleeps exactly that (plus jitter), then retries",
  run: (ctx) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      yield* ctx.emulator.script(
        { route: "chat/completions", model: MODEL },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", {
          retryAfter: 1,
          rateLimit: { limit: 75, remaining: 0, reset: now + 1_000 }
        })
      )
      return yield* Chat.completions(hello("Say hi."))
    }),
  judge: (facts) => {
    const problems: Array<string> = []
    if (Exit.isFailure(facts.exit)) problems.push(unexpected(facts.exit))
    expectStatuses(problems, facts.requests, [429, 200])
    expectAttempts(problems, facts, 2)
    expectWait(problems, facts.waits[0], [1_000, 1_300], "retry-after")
    return { outcome: "200 after the announced wait", code: "RATE_LIMIT_EXCEEDED", problems }
  }
})

const backoff = scenario({
  title: "503 × 2, backoff",
  why: "a model at capacity: exponential backoff from 0.5 s (×2, ±20 % jitter), 4 retries at most",
  run: (ctx) =>
    Effect.zipRight(
      ctx.emulator.script({ route: "chat/completions", model: MODEL }, 2, Faults.error("MODEL_AT_CAPACITY")),
      Chat.completions(hello("Say hi."))
    ),
  judge: (facts) => {
    const problems: Array<string> = []
    if (Exit.isFailure(facts.exit)) problems.push(unexpected(facts.exit))
    expectStatuses(problems, facts.requests, [503, 503, 200])
    expectAttempts(problems, facts, 3)
    expectWait(problems, facts.waits[0], [400, 600], "backoff")
    expectWait(problems, facts.waits[1], [800, 1_200], "backoff")
    return { outcome: "200 after backing off twice", code: "MODEL_AT_CAPACITY", problems }
  }
})

const describeStreamError = (error: unknown): string =>
  error instanceof StreamError.StreamEventError
    ? `✗ in-band error event after ${error.received} event(s): ${error.type ?? "-"}/${error.code ?? "-"}${
      error.retryAfter !== undefined ? `, retry_after ${seconds(Duration.toMillis(error.retryAfter))}` : ""
    } → ${error._tag}`
    : `✗ ${codeOf(error)}`

/** Runs a chat stream, noting what it delivered and how it ended. */
const streamed = (
  ctx: ScenarioContext,
  stream: Stream.Stream<ChatStream.ChatCompletionChunk, unknown, VeniceClient.VeniceClient>
) =>
  Effect.gen(function*() {
    let text = ""
    let chunks = 0
    const exit = yield* stream.pipe(
      ChatStream.textDeltas,
      Stream.runForEach((delta) =>
        Effect.sync(() => {
          text += delta
          chunks++
        })
      ),
      Effect.exit
    )
    const shown = text.length > 48 ? `${text.slice(0, 47)}…` : text
    yield* ctx.note(`stream delivered ${chunks} text chunk(s): ${JSON.stringify(shown)}`)
    if (Exit.isFailure(exit)) {
      yield* ctx.note(describeStreamError(Option.getOrUndefined(failureOf(exit))))
      return yield* Effect.failCause(exit.cause)
    }
    yield* ctx.note("✓ data: [DONE]")
    return { text, chunks }
  })

const midStream = scenario({
  title: "error event mid-stream",
  why:
    "Venice sends 200, streams, then an in-band error: the Stream fails loudly; after the first event nothing is retried implicitly",
  run: (ctx) =>
    Effect.zipRight(
      ctx.emulator.script({ route: "chat/completions", model: MODEL }, 1, Faults.streamError(3)),
      streamed(ctx, ChatStream.stream(hello("Tell me a story.")))
    ),
  judge: (facts) => {
    const problems: Array<string> = []
    const error = Option.getOrUndefined(failureOf(facts.exit))
    if (!(error instanceof StreamError.StreamEventError)) problems.push(unexpected(facts.exit))
    else if (error.received === 0) problems.push("the error event came before any chunk")
    expectStatuses(problems, facts.requests, [200])
    expectAttempts(problems, facts, 1)
    if (facts.waits.length > 0) problems.push("the client waited: a started stream must not be retried implicitly")
    return { outcome: "stream failed, typed, not retried", code: codeOf(error), problems }
  }
})

const restarted = scenario({
  title: "error event → restart",
  why:
    "opt-in ChatStream.retryBeforeFirstToken: an error event before any output token is restarted after its retry_after, unseen by the consumer",
  run: (ctx) =>
    Effect.gen(function*() {
      yield* ctx.emulator.script(
        { route: "chat/completions", model: MODEL },
        1,
        Faults.streamError(0, { retryAfter: 1 })
      )
      const schedule = ChatStream.restartSchedule().pipe(
        Schedule.tapInput((error: unknown) => ctx.note(describeStreamError(error))),
        Schedule.modifyDelayEffect((_, delay) => Effect.as(ctx.waited(delay, "retry_after of the error event"), delay))
      )
      return yield* streamed(
        ctx,
        ChatStream.stream(hello("Tell me a story.")).pipe(ChatStream.retryBeforeFirstToken({ schedule }))
      )
    }),
  judge: (facts) => {
    const problems: Array<string> = []
    if (Exit.isFailure(facts.exit)) problems.push(unexpected(facts.exit))
    else if (
      facts.exit.value.text.startsWith("Hello from") === false || facts.exit.value.text.indexOf("Hello from", 1) !== -1
    ) {
      problems.push(`the consumer saw ${JSON.stringify(facts.exit.value.text)}`)
    }
    expectStatuses(problems, facts.requests, [200, 200])
    expectAttempts(problems, facts, 2)
    expectWait(problems, facts.waits[0], [1_000, 1_000], "retry_after")
    return { outcome: "restarted; one clean answer delivered", code: "model_overloaded", problems }
  }
})

/** A throwaway secp256k1 key: 32 random bytes (never funded, never printed, gone when the process exits). */
const throwawayKey = (): Redacted.Redacted<string> => {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(32))
  return Redacted.make(`0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`)
}

const throwawayWallet: Effect.Effect<VeniceWallet.Service> = Effect.suspend(() =>
  VeniceWallet.fromPrivateKey(throwawayKey())
).pipe(
  // a random 32-byte value is a valid key except with probability ~2⁻¹²⁸; draw again if not
  Effect.retry({ times: 3 }),
  Effect.orDie
)

/** Dollars: cents, or micro-dollars when cents would hide the amount (a chat costs ~$0.00001). */
const usd = (n: number) => {
  const digits = Number.isInteger(Math.round(n * 100 * 1e6) / 1e6) ? 2 : 6
  return `${n < 0 ? "-" : ""}$${Math.abs(n).toFixed(digits)}`
}

const ledgerLine = (view: VeniceEmulator.WalletView) =>
  `${usd(view.balanceUsd)}${
    view.transactions.length === 0
      ? ", no transactions"
      : ` — ${view.transactions.map((t) => `${t.type} ${t.amount >= 0 ? "+" : ""}${usd(t.amount)}`).join(", ")}`
  }`

const x402 = scenario({
  title: "x402 wallet top-up",
  why: "a wallet with no credit gets 402 PAYMENT_REQUIRED: top up within the caps (x402, USDC on Base), retry once",
  run: (ctx) =>
    Effect.gen(function*() {
      const wallet = yield* throwawayWallet
      yield* ctx.emulator.setWalletBalance(wallet.address, 0)
      yield* ctx.note(`throwaway wallet ${wallet.address} (key generated for this run, never printed)`)
      const before = yield* ctx.emulator.wallet(wallet.address)
      yield* ctx.note(`emulator ledger before: ${ledgerLine(before)}`)
      const client = PaymentPolicy.layerClient().pipe(
        Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 20, baseUrl: ctx.emulator.baseUrl })),
        Layer.provide(Layer.succeed(VeniceWallet.VeniceWallet, wallet))
      )
      const spent = yield* Effect.gen(function*() {
        yield* Chat.completions(hello("Say hi."))
        return yield* Effect.flatMap(PaymentPolicy.PaymentPolicy, (p) => p.spentUsd)
      }).pipe(Effect.provide(client))
      const after = yield* ctx.emulator.wallet(wallet.address)
      yield* ctx.note(`emulator ledger after:  ${ledgerLine(after)}`)
      return { spent, before, after }
    }),
  judge: (facts) => {
    const problems: Array<string> = []
    if (Exit.isFailure(facts.exit)) problems.push(unexpected(facts.exit))
    expectStatuses(problems, facts.requests, [402, 200])
    expectStatuses(problems, facts.requests, [402, 200], "x402/top-up")
    expectAttempts(problems, facts, 2)
    let outcome = "paid, then 200"
    if (Exit.isSuccess(facts.exit)) {
      const { after, before, spent } = facts.exit.value
      const topUps = after.transactions.filter((t) => t.type === "TOP_UP")
      if (before.balanceUsd !== 0) problems.push(`the wallet started with ${usd(before.balanceUsd)}, expected $0`)
      if (topUps.length !== 1 || topUps[0]?.amount !== 10) {
        problems.push(`expected one $10 top-up, the ledger has ${topUps.length}`)
      }
      if (spent !== 10) problems.push(`expected $10 spent of the $20 budget, spent ${usd(spent)}`)
      outcome = `paid ${usd(spent)}, then 200`
    }
    return { outcome, code: "PAYMENT_REQUIRED", problems }
  }
})

const lostAnswer = scenario({
  title: "x402 top-up whose answer is lost",
  why:
    "every answer to the signed payment is lost (a proxy resets, then forwards it late): the outcome is unknown — no second payment; the ledger settles it",
  run: (ctx) =>
    Effect.gen(function*() {
      const wallet = yield* throwawayWallet
      yield* ctx.emulator.setWalletBalance(wallet.address, 0)
      // every submission of the signed payment: the connection reset at once, the request forwarded 1 s later
      yield* ctx.emulator.script(
        { route: "x402/top-up", paying: true },
        10,
        Faults.lostAnswer(1_000, "reset", { answerAfter: 0 })
      )
      yield* ctx.note(`throwaway wallet ${wallet.address}; every answer to its payment will be lost`)
      const client = PaymentPolicy.layerClient().pipe(
        Layer.provideMerge(PaymentPolicy.layer({
          maxPerPaymentUsd: 10,
          budgetUsd: 20,
          baseUrl: ctx.emulator.baseUrl,
          timeout: "2 seconds",
          settlement: { retries: 1, poll: "400 millis", wait: "5 seconds" }
        })),
        Layer.provide(Layer.succeed(VeniceWallet.VeniceWallet, wallet))
      )
      const books = yield* Effect.gen(function*() {
        yield* Chat.completions(hello("Say hi."))
        const payments = yield* PaymentPolicy.PaymentPolicy
        return { spent: yield* payments.spentUsd, unconfirmed: yield* payments.unconfirmedUsd }
      }).pipe(Effect.provide(client))
      yield* ctx.emulator.clearFaults
      const after = yield* ctx.emulator.wallet(wallet.address)
      yield* ctx.note(
        `emulator ledger after: ${ledgerLine(after)}; spent ${usd(books.spent)}, unconfirmed ${usd(books.unconfirmed)}`
      )
      return { ...books, after }
    }),
  judge: (facts) => {
    const problems: Array<string> = []
    if (Exit.isFailure(facts.exit)) problems.push(unexpected(facts.exit))
    expectStatuses(problems, facts.requests, [402, 200])
    const topUps = facts.requests.filter((r) => r.route === "x402/top-up")
    const discoveries = topUps.filter((r) => r.status === 402).length
    if (discoveries !== 1) problems.push(`expected one discovery (one signed payment), saw ${discoveries}`)
    if (!topUps.some((r) => r.fault === "LostAnswer:reset")) {
      problems.push("no answer was lost: the scenario did not play")
    }
    const ledgerReads = facts.requests.filter((r) => r.route === "x402/transactions").length
    if (ledgerReads < 2) {
      problems.push(`expected the ledger to be read before paying and after the lost answers, read ${ledgerReads}×`)
    }
    let outcome = "one payment, settled by the ledger"
    if (Exit.isSuccess(facts.exit)) {
      const { after, spent, unconfirmed } = facts.exit.value
      const credited = after.transactions.filter((t) => t.type === "TOP_UP")
      if (credited.length !== 1) problems.push(`expected one TOP_UP in the ledger, found ${credited.length}`)
      if (spent !== 10 || unconfirmed !== 0) {
        problems.push(`expected $10 spent and nothing unconfirmed, got ${usd(spent)} / ${usd(unconfirmed)}`)
      }
      outcome = `paid ${usd(spent)} once, confirmed by the ledger`
    }
    return { outcome, code: "LostAnswer", problems }
  }
})

const fallback = scenario({
  title: "fallback model",
  why: `${MODEL} is overloaded (429, Retry-After 30): with fallbackModels the next model is tried at once instead`,
  run: (ctx) =>
    Effect.acquireUseRelease(
      ctx.emulator.setOverloaded(MODEL, 30),
      () => Chat.completions(hello("Say hi."), { fallbackModels: [FALLBACK_MODEL] }),
      () => ctx.emulator.setOverloaded(MODEL, false)
    ),
  judge: (facts) => {
    const problems: Array<string> = []
    if (Exit.isFailure(facts.exit)) problems.push(unexpected(facts.exit))
    else if (facts.exit.value.model !== FALLBACK_MODEL) {
      problems.push(`answered by ${facts.exit.value.model}, expected ${FALLBACK_MODEL}`)
    }
    expectStatuses(problems, facts.requests, [429, 200])
    const models = facts.requests.filter((r) => r.route === "chat/completions").map((r) => r.model)
    if (models[0] !== MODEL || models[1] !== FALLBACK_MODEL) problems.push(`models tried: ${models.join(", ")}`)
    expectAttempts(problems, facts, 2)
    if (facts.waits.length > 0) problems.push("the client waited for the overloaded model")
    return { outcome: `200 from ${FALLBACK_MODEL}, no wait`, code: "MODEL_OVERLOADED", problems }
  }
})

const notFound = scenario({
  title: "404, never retried",
  why: "an unknown model: retrying a 4xx only burns Venice's error budget (50 failures / 30 s locks the key out)",
  run: () => Chat.completions(hello("Say hi.", "venice-no-such-model")),
  judge: (facts) => {
    const problems: Array<string> = []
    const error = Option.getOrUndefined(failureOf(facts.exit))
    if (!VeniceError.hasCode(error, "MODEL_NOT_FOUND")) problems.push(unexpected(facts.exit))
    expectStatuses(problems, facts.requests, [404])
    expectAttempts(problems, facts, 1)
    if (facts.waits.length > 0) problems.push("the client waited before failing")
    return { outcome: "failed at once, rendered with the remedy", code: codeOf(error), problems }
  }
})

const tooLong = scenario({
  title: "Retry-After > max wait",
  why: "Venice asks for an hour; above maxWait (default 60 s) the call fails at once with the wait, the caller decides",
  run: (ctx) =>
    Effect.zipRight(
      ctx.emulator.script(
        { route: "chat/completions", model: MODEL },
        1,
        Faults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 3_600 })
      ),
      Chat.completions(hello("Say hi."))
    ),
  judge: (facts) => {
    const problems: Array<string> = []
    const error = Option.getOrUndefined(failureOf(facts.exit))
    if (!(ClientError.isClientError(error) && error._tag === "WaitTooLongError")) problems.push(unexpected(facts.exit))
    else if (Duration.toSeconds(error.wait) !== 3_600) {
      problems.push(`the error carries a wait of ${Duration.format(error.wait)}`)
    }
    expectStatuses(problems, facts.requests, [429])
    expectAttempts(problems, facts, 1)
    if (facts.waits.length > 0) problems.push("the client slept")
    return { outcome: "failed at once, carrying the 1 h wait", code: "WaitTooLongError", problems }
  }
})

const all: ReadonlyArray<Scenario> = [
  rateLimited,
  backoff,
  midStream,
  restarted,
  x402,
  lostAnswer,
  fallback,
  notFound,
  tooLong
]

/**
 * The scenarios, in the order they run: title and what each shows.
 *
 * @since 0.1.0
 * @category scenarios
 */
export const scenarios: ReadonlyArray<{ readonly title: string; readonly why: string }> = all.map(({ title, why }) => ({
  title,
  why
}))

// ─── running ─────────────────────────────────────────────────────────────────────────────────────

/** The key the demo's emulator accepts (a loopback server of this process only). */
const DEMO_KEY = "venice-effect-demo"

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))
const padStart = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s)
const stamp = (millis: number) => padStart(`+${(Math.max(0, millis) / 1000).toFixed(3)}s`, 9)

const describeError = (error: unknown): string =>
  VeniceError.isVeniceError(error)
    ? `${error.status} ${codeOf(error)}`
    : ClientError.isClientError(error) && error._tag === "WaitTooLongError"
    ? `WaitTooLongError (announced ${Duration.format(error.wait)} > max ${Duration.format(error.maxWait)})`
    : codeOf(error)

const describeEvent = (event: Pipeline.Event): string => {
  switch (event._tag) {
    case "AttemptStarted":
      return `→ ${event.operation} attempt ${event.attempt}`
    case "AttemptSucceeded":
      return `✓ ${event.status}`
    case "AttemptFailed":
      return `✗ ${describeError(event.error)}`
    case "Waiting": {
      const paid = VeniceError.hasCode(event.error, "PAYMENT_REQUIRED")
      return paid && Duration.toMillis(event.delay) === 0
        ? `topped up: retrying at once (attempt ${event.nextAttempt})`
        : `… waiting ${seconds(Duration.toMillis(event.delay))} (${event.reason}) before attempt ${event.nextAttempt}`
    }
    case "Pacing":
      return `… pacing ${seconds(Duration.toMillis(event.delay))} (${event.bucket})`
  }
}

const describeRequest = (r: VeniceEmulator.RequestRecord): string =>
  `${r.status === 0 ? "---" : r.status} ${r.method} /${r.route}${r.model !== undefined ? ` ${r.model}` : ""}${
    r.stream ? " (stream)" : ""
  }${r.fault !== undefined ? `  [scripted: ${r.fault}]` : ""}`

const runOne = (
  s: Scenario,
  index: number,
  emulator: VeniceEmulator.Service,
  print: Print
): Effect.Effect<Row, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    yield* print("")
    yield* print(`${index + 1}. ${s.title}`)
    for (const text of Render.wrap(s.why, 77)) yield* print(`   ${text}`)
    const start = yield* Clock.currentTimeMillis
    const firstSeq = ((yield* emulator.requests).at(-1)?.seq ?? 0) + 1
    let nextSeq = firstSeq
    const events: Array<Pipeline.Event> = []
    const waits: Array<{ millis: number; reason: string }> = []
    const line = (who: string, at: number, text: string) => print(`   ${stamp(at - start)}  ${pad(who, 6)}  ${text}`)
    // the server's log up to now, before the next client line: the two sides stay in order
    const flushServer = Effect.gen(function*() {
      const fresh = (yield* emulator.requests).filter((r) => r.seq >= nextSeq)
      for (const r of fresh) {
        nextSeq = r.seq + 1
        yield* line("server", r.answeredAt, describeRequest(r))
      }
    })
    const clientLine = (text: string) =>
      Effect.flatMap(Effect.zipRight(flushServer, Clock.currentTimeMillis), (now) => line("client", now, text))
    const observer = (event: Pipeline.Event) =>
      Effect.gen(function*() {
        events.push(event)
        if (event._tag === "Waiting") waits.push({ millis: Duration.toMillis(event.delay), reason: event.reason })
        if (event._tag === "Pacing") waits.push({ millis: Duration.toMillis(event.delay), reason: "pacing" })
        yield* clientLine(describeEvent(event))
      })
    const ctx: ScenarioContext = {
      emulator,
      client: VeniceClient.layer({
        apiKey: Redacted.make(DEMO_KEY),
        baseUrl: emulator.baseUrl,
        retry: RetryPolicy.defaultPolicy
      }).pipe(
        Layer.orDie
      ),
      note: clientLine,
      waited: (delay, reason) =>
        Effect.zipRight(
          Effect.sync(() => waits.push({ millis: Duration.toMillis(delay), reason })),
          clientLine(`… waiting ${seconds(Duration.toMillis(delay))} (${reason}) before re-sending`)
        )
    }
    const { failure, judge } = yield* Effect.provideService(s.play(ctx), Pipeline.Observer, observer)
    yield* flushServer
    // a failed call, as `venice chat` renders it for people
    if (Option.isSome(failure) && !StreamError.isStreamError(failure.value)) {
      for (const text of Render.errorLines(failure.value)) yield* print(`${" ".repeat(21)}${text}`)
    }
    const requests = (yield* emulator.requests).filter((r) => r.seq >= firstSeq)
    const attempts = events.filter((e) => e._tag === "AttemptStarted" && e.operation === "chat.completions").length
    let verdict: Verdict
    try {
      verdict = judge({ events, requests, waits, attempts })
    } catch (defect) {
      verdict = { outcome: "judge failed", code: "?", problems: [String(defect)] }
    }
    for (const problem of verdict.problems) yield* print(`   ✗ unexpected: ${problem}`)
    return {
      scenario: s.title,
      attempts,
      waitedMillis: waits.reduce((sum, w) => sum + w.millis, 0),
      outcome: verdict.outcome,
      code: verdict.code,
      ok: verdict.problems.length === 0,
      problems: verdict.problems
    } satisfies Row
  })

/**
 * The summary table, at most `width` columns wide (80 unless the terminal is wider): one row per scenario, its
 * outcome on the first line and the code it met on the next.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderSummary = (report: Report, width = 80): ReadonlyArray<string> => {
  const passed = report.rows.filter((r) => r.ok).length
  return [
    ...Render.table({
      header: ["scenario", "tries", "waited", "outcome (code)"],
      rows: report.rows.map((r) => [
        r.scenario,
        String(r.attempts),
        seconds(r.waitedMillis),
        [`${r.ok ? "✓" : "✗"} ${r.outcome}`, `  ${r.code}`]
      ]),
      right: [1, 2],
      flexible: 3,
      width
    }),
    "",
    `${passed}/${report.rows.length} scenarios behaved as expected, in ${seconds(report.elapsedMillis)}.`
  ]
}

/**
 * Plays every scenario against a fresh embedded emulator (small limits, short waits) and returns the rows. Prints
 * the timeline with `print` as it goes.
 *
 * @since 0.1.0
 * @category running
 */
export const run = (options: {
  readonly print: Print
  /** Called once the emulator is up (the command prints its one-line notice). */
  readonly onStart?: ((baseUrl: string) => Effect.Effect<void>) | undefined
}): Effect.Effect<Report, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const started = yield* Clock.currentTimeMillis
    const emulator = yield* VeniceEmulator.make({ keys: [DEMO_KEY] })
    if (options.onStart !== undefined) yield* options.onStart(emulator.baseUrl)
    const rows: Array<Row> = []
    for (const [i, s] of all.entries()) rows.push(yield* runOne(s, i, emulator, options.print))
    return { rows, elapsedMillis: (yield* Clock.currentTimeMillis) - started, baseUrl: emulator.baseUrl }
  }).pipe(Effect.provide(NodeHttpClient.layerUndici))
