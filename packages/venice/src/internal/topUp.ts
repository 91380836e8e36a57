/**
 * The x402 wallet routes, spoken by the client itself (not through `VeniceClient`, whose retry policy may be the very
 * payment schedule that needs them): top-up discovery, settlement of one signed payment (resubmitting the same
 * payment, never a new one, while Venice settles it), the balance and the ledger.
 *
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as ClientError from "@venice-effect/core/ClientError"
import type * as LimiterStore from "@venice-effect/core/LimiterStore"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Redaction from "@venice-effect/core/Redaction"
import * as CoreRetryPolicy from "@venice-effect/core/RetryPolicy"
import * as X402 from "@venice-effect/core/X402"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as RetryPolicy from "../RetryPolicy.js"
import * as X402Api from "../schema/X402Api.js"
import * as VeniceClient from "../VeniceClient.js"
import * as VeniceError from "../VeniceError.js"
import type * as VeniceWallet from "../VeniceWallet.js"
import type * as WalletError from "../WalletError.js"
import * as X402Body from "../X402Body.js"

/** What a call signed by a wallet can fail with: a Venice call's errors and the wallet's own. */
export type WalletCallError = RetryPolicy.VeniceClientError | WalletError.WalletError

/** Venice as the provider of the wallet's own calls (top-ups, ledger reads): they may fail with a `WalletError`. */
const walletProvider = VeniceClient.providerWith<WalletError.WalletError>()

/** CAIP-2 id of Base mainnet. */
export const BASE_NETWORK = "eip155:8453"
/** Native USDC on Base, lower case (compare case-insensitively). */
export const BASE_USDC = "0x833589fcd6edb6e08f4c7c32d4f71b54bda02913"

/** Where and how the client talks to the x402 routes. */
export interface Env {
  /** The configured base URL (`https://api.venice.ai/api/v1`): the only source of payment requirements. */
  readonly baseUrl: string
  readonly httpClient: HttpClient.HttpClient
  readonly store: LimiterStore.Service
  readonly wallet: VeniceWallet.Service
  /** Timeout of one request. */
  readonly timeout: Duration.Duration
}

/** How long and how often to wait for a settlement. */
export interface Settlement {
  /** How long to wait for a payment Venice is settling (`SETTLEMENT_TIMEOUT`, `PAYMENT_IN_PROGRESS`). */
  readonly wait: Duration.Duration
  /** The pause between resubmissions while it settles. */
  readonly poll: Duration.Duration
  /**
   * Resubmissions of the same payment after a failure: one that moved no funds (`SETTLEMENT_FAILED`, `429`), or a
   * lost answer (a transport failure, a timeout, a `5xx` without a top-up code) — the same payment is credited at most
   * once, so resubmitting it is how a lost answer is asked again.
   */
  readonly retries: number
  /**
   * How long after its authorization's `validBefore` a transfer may still show up in the ledger (Venice credits a
   * settled transfer right after it lands): from then on, a payment the ledger does not show never will.
   */
  readonly landingGrace: Duration.Duration
}

/** A credited top-up. */
export interface Receipt {
  readonly walletAddress: string
  /** What Venice credited, USD. */
  readonly amountCredited: number
  /** The balance after the credit, USD. */
  readonly newBalance: number
  /** Venice's id of the payment (the same for every resubmission of one signed payment). */
  readonly paymentId: string
  /** The decoded `PAYMENT-RESPONSE` header, when Venice sent a well-formed one. */
  readonly settlement: X402.SettleResponse | undefined
}

/** What a settlement came to. */
export type Settled =
  | { readonly _tag: "Credited"; readonly receipt: Receipt }
  /**
   * Settlement timed out, but the balance read right after says the wallet can be served: the call may go on. The
   * payment may still land (or has, without a receipt yet).
   */
  | { readonly _tag: "Admitted"; readonly balance: X402Api.X402Balance }
  /** Its answer was lost; the ledger shows its `TOP_UP` (no receipt). */
  | { readonly _tag: "InLedger"; readonly amountUsd: number; readonly entry: typeof X402Api.X402Transaction.Type }

/** A top-up failure before it is tied to a call (the same failure may answer several calls' 402s). */
export type Failure =
  | {
    readonly _tag: "Refused"
    readonly reason: WalletError.RefusalReason
    readonly message: string
    readonly amountUsd?: number | undefined
  }
  | {
    readonly _tag: "Failed"
    readonly reason: WalletError.TopUpFailure
    readonly message: string
    readonly code?: string | undefined
    readonly amountUsd?: number | undefined
    readonly fundsMayHaveMoved: boolean
    /**
     * The signed payment may still be executed (its authorization is valid until `validBefore`, and it may have reached
     * Venice): it must stay reserved and recorded as unconfirmed until a resubmission or the ledger settles it.
     */
    readonly mayStillLand?: boolean | undefined
    readonly cause?: unknown
  }

/** The newest entry of a wallet's ledger at some moment (`id: null`: the ledger was empty). */
export interface LedgerMark {
  readonly id: string | null
  readonly createdAt: string | null
}

const refused = (reason: WalletError.RefusalReason, message: string, amountUsd?: number): Failure => ({
  _tag: "Refused",
  reason,
  message,
  ...(amountUsd !== undefined ? { amountUsd } : {})
})

/** USD → base units of USDC (6 decimals). */
export const toAtomic = (usd: number): bigint => BigInt(Math.round(usd * 1_000_000))

/** Base units of USDC → USD. */
export const fromAtomic = (atomic: bigint | string): number => Number(BigInt(atomic)) / 1_000_000

/** The USDC-on-Base `exact` option of a `PaymentRequired`, if any (asset compared case-insensitively). */
export const selectBaseUsdc = (paymentRequired: X402.PaymentRequired): Option.Option<X402.PaymentRequirements> =>
  Option.fromNullable(
    paymentRequired.accepts.find((option) =>
      option.scheme === "exact" && option.network === BASE_NETWORK && option.asset.toLowerCase() === BASE_USDC &&
      /^0x[0-9a-fA-F]{40}$/.test(option.payTo)
    )
  )

const originOf = (url: string): string | undefined => {
  try {
    return new URL(url).origin
  } catch {
    return undefined
  }
}

const topUpUrl = (env: Env) => `${env.baseUrl}/x402/top-up`

/** The redaction list of the pipeline, for the requests made outside it. */
const redacting = Redaction.redactingSecrets

/** Nothing was signed: a read the payment needs first failed. */
export const failedBeforePaying = (message: string, cause: unknown): Failure => ({
  _tag: "Failed",
  reason: "discovery-failed",
  message,
  fundsMayHaveMoved: false,
  cause
})

/** An unconfirmed payment that the ledger proved never landed (its authorization expired) while the call waited. */
export const expired = (amountUsd: number, cause: Failure): Failure => ({
  _tag: "Failed",
  reason: "settlement-failed",
  message: `the payment of $${amountUsd} expired without being credited (the ledger does not show it): no funds moved`,
  amountUsd,
  fundsMayHaveMoved: false,
  cause
})

const failed = (
  reason: WalletError.TopUpFailure,
  message: string,
  extra: Omit<Extract<Failure, { _tag: "Failed" }>, "_tag" | "reason" | "message" | "fundsMayHaveMoved"> & {
    readonly fundsMayHaveMoved?: boolean
  } = {}
): Failure => ({ _tag: "Failed", reason, message, fundsMayHaveMoved: false, ...extra })

/**
 * `POST /x402/top-up` without a payment: Venice answers `402` with the requirements in the `PAYMENT-REQUIRED`
 * header (discovery, not an error). Only that header of that answer is trusted: never the body, never a document
 * whose `resource.url` names another origin than the configured base URL.
 */
export const discover = (env: Env): Effect.Effect<X402.PaymentRequired, Failure> =>
  Effect.gen(function*() {
    const url = topUpUrl(env)
    const observe = yield* Pipeline.Observer
    yield* observe({ _tag: "AttemptStarted", operation: DISCOVER, attempt: 1 })
    const document = yield* requirementsOf(env, url).pipe(
      Effect.tapError((error) => observe({ _tag: "AttemptFailed", operation: DISCOVER, attempt: 1, error }))
    )
    yield* observe({ _tag: "AttemptSucceeded", operation: DISCOVER, attempt: 1, status: 402 })
    return document
  }).pipe(
    Effect.withSpan("venice.x402.top-up.discover", {
      kind: "client",
      attributes: { "http.request.method": "POST", "url.full": topUpUrl(env), "venice.identity": env.wallet.identity }
    }),
    redacting
  )

const DISCOVER = "x402.top-up.discover"

const requirementsOf = (env: Env, url: string): Effect.Effect<X402.PaymentRequired, Failure> =>
  Effect.gen(function*() {
    const now = yield* Clock.currentTimeMillis
    const response = yield* env.httpClient.execute(HttpClientRequest.post(url).pipe(HttpClientRequest.acceptJson)).pipe(
      Effect.mapError(() => failed("discovery-failed", `POST ${url} failed in transport`)),
      Effect.timeoutFail({
        duration: env.timeout,
        onTimeout: () => failed("discovery-failed", `no answer from POST ${url} within ${Duration.format(env.timeout)}`)
      })
    )
    if (response.status !== 402) {
      const error = yield* decodeErrorResponse(response, now, url)
      return yield* Effect.fail(failed(
        "discovery-failed",
        `POST ${url} answered ${response.status}, not the 402 with payment requirements`,
        { cause: error, ...(error.code !== "UNKNOWN" ? { code: error.code } : {}) }
      ))
    }
    const header = X402Body.decodePaymentRequiredHeader(response.headers[X402.HeaderNames.paymentRequired])
    // drain the body: the requirements come from the header only
    yield* Effect.ignore(Pipeline.readBounded(response, 64 * 1024, () => transportError(url)))
    if (Either.isLeft(header) || header.right === undefined) {
      return yield* Effect.fail(
        failed("discovery-failed", `the 402 of POST ${url} has no decodable PAYMENT-REQUIRED header`)
      )
    }
    const paymentRequired = header.right
    const resourceUrl = paymentRequired.resource?.url
    if (resourceUrl !== undefined && originOf(resourceUrl) !== originOf(url)) {
      return yield* Effect.fail(refused(
        "foreign-requirements",
        `the payment requirements name ${originOf(resourceUrl) ?? "an invalid URL"}, not the configured ${
          originOf(url)
        }: not paid`
      ))
    }
    return paymentRequired
  })

const transportError = (url: string) =>
  new ClientError.TransportError({
    provider: "venice",
    method: "POST",
    url,
    reason: "reset",
    message: `venice x402.top-up: connection reset while reading the body`,
    maybeDelivered: true
  })

const decodeErrorResponse = (response: HttpClientResponse.HttpClientResponse, now: number, url: string) =>
  Effect.map(
    Effect.orElseSucceed(Pipeline.readBounded(response, 64 * 1024, () => transportError(url)), () => new Uint8Array(0)),
    (body) =>
      VeniceError.decode({
        status: response.status,
        headers: response.headers,
        body,
        nowMillis: now,
        request: { method: "POST", url }
      })
  )

const TopUpResponseJson = Schema.decodeUnknownEither(X402Api.TopUpResponse)
const decodeSettlement = Schema.decodeUnknownOption(X402.PaymentResponseHeader)

/** One submission of a signed payment (`POST /x402/top-up` with `PAYMENT-SIGNATURE`), through the pipeline. */
export const submit = (
  env: Env,
  payment: VeniceWallet.SignedPayment
): Effect.Effect<Receipt, WalletCallError> =>
  Pipeline.runWith(env.httpClient, env.store, walletProvider, {
    operation: "x402.top-up",
    // the header is a bearer payment authorisation: it lives on this request only (redacted in spans)
    request: HttpClientRequest.post(topUpUrl(env)).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setHeader(X402.HeaderNames.paymentSignature, Redacted.value(payment.header))
    ),
    authorize: (request) => Effect.succeed(request),
    onSuccess: (response, facts) =>
      Effect.map(
        Pipeline.decodeJsonBody("venice", "x402.top-up", response, facts, (u) => {
          const decoded = TopUpResponseJson(u)
          return Either.isRight(decoded) ? Either.right(decoded.right) : Either.left("not a top-up receipt")
        }),
        (body): Receipt => ({
          ...body.data,
          settlement: Option.getOrUndefined(
            Option.flatMap(Option.fromNullable(response.headers[X402.HeaderNames.paymentResponse]), decodeSettlement)
          )
        })
      ),
    retry: CoreRetryPolicy.none,
    timeout: env.timeout,
    maxWait: Duration.minutes(1),
    resendable: true,
    attributes: { "venice.identity": env.wallet.identity, "x402.amount": payment.amount.toString() }
  })

/** `GET /x402/balance/{wallet}`, signed in with the wallet. */
export const balance = (env: Env): Effect.Effect<X402Api.X402Balance, WalletCallError> =>
  walletGet(env, "x402.balance", `x402/balance/${env.wallet.address}`, {}, X402Api.X402Balance)

/** `GET /x402/transactions/{wallet}`, signed in with the wallet. */
export const transactions = (
  env: Env,
  params: { readonly limit?: number | undefined; readonly offset?: number | undefined } = {}
): Effect.Effect<X402Api.X402Transactions, WalletCallError> =>
  walletGet(env, "x402.transactions", `x402/transactions/${env.wallet.address}`, {
    ...(params.limit !== undefined ? { limit: String(params.limit) } : {}),
    ...(params.offset !== undefined ? { offset: String(params.offset) } : {})
  }, X402Api.X402Transactions)

const walletGet = <A, I>(
  env: Env,
  operation: string,
  path: string,
  query: Readonly<Record<string, string>>,
  schema: Schema.Schema<A, I>
): Effect.Effect<A, WalletCallError> => {
  const decode = Schema.decodeUnknownEither(schema)
  return Pipeline.runWith(env.httpClient, env.store, walletProvider, {
    operation,
    request: HttpClientRequest.get(`${env.baseUrl}/${path}`).pipe(
      HttpClientRequest.acceptJson,
      HttpClientRequest.setUrlParams(query)
    ),
    // a fresh SIGN-IN-WITH-X per attempt (R10)
    authorize: (request) =>
      Effect.map(
        env.wallet.signIn(),
        (header) => HttpClientRequest.setHeader(request, X402.HeaderNames.signInWithX, Redacted.value(header))
      ),
    onSuccess: (response, facts) =>
      Pipeline.decodeJsonBody("venice", operation, response, facts, (u) => {
        const decoded = decode(u)
        return Either.isRight(decoded) ? Either.right(decoded.right) : Either.left(`not a ${operation} body`)
      }),
    retry: CoreRetryPolicy.forProvider(walletProvider.classify).make({ maxRetries: 2 }),
    timeout: env.timeout,
    maxWait: Duration.minutes(1),
    attributes: { "venice.identity": env.wallet.identity }
  })
}

const codeOf = (error: WalletCallError): string | undefined =>
  !VeniceError.isVeniceError(error) ? undefined : error.code !== "UNKNOWN" ? error.code : error.reportedCode

/** Top-up codes whose answer says what became of the payment (nothing moved, or Venice has it). */
const DEFINITE_CODES: ReadonlySet<string> = new Set(["SETTLEMENT_FAILED", "X402_NOT_CONFIGURED"])

/**
 * Whether the answer to a submitted payment was lost, so the payment may have been credited: the connection broke
 * or timed out after the request may have reached Venice, a `2xx` could not be read, or a `5xx` that is not one of
 * Venice's top-up answers (a proxy's HTML 502, a bare 500) came back. An outcome that is not known is never taken for
 * "nothing moved" (issue 13, X3).
 */
export const answerLost = (error: WalletCallError): boolean => {
  if (error._tag === "TransportError") return error.maybeDelivered
  if (error._tag === "ResponseDecodeError") return true
  if (!VeniceError.isVeniceError(error)) return false
  const code = codeOf(error)
  return error.status >= 500 && (code === undefined || !DEFINITE_CODES.has(code))
}

/**
 * Settles one signed payment. Venice credits a signed payment at most once however often it is submitted, so every
 * resubmission sends the *same* payment — never a new signature:
 *
 * - `200` → credited (the receipt, `PAYMENT-RESPONSE` decoded);
 * - `409 PAYMENT_IN_PROGRESS` → Venice is settling it: wait `poll`, resubmit (until `deadline`);
 * - `504 SETTLEMENT_TIMEOUT` → the transfer may still land: read the balance first; if the wallet can be served the
 *   call goes on (`Admitted`), else wait and resubmit as above;
 * - a lost answer ({@link answerLost}: transport, timeout, a 5xx without a top-up code, an unreadable 2xx) → the
 *   outcome is unknown: resubmit the same payment after a backoff (its answer settles the question), up to `retries`
 *   times and until `deadline`;
 * - a failure that moved no funds (`SETTLEMENT_FAILED`, `X402_NOT_CONFIGURED`, 429, a refused connection) → resubmit
 *   after a backoff, up to `retries` times;
 * - anything else (`INVALID_PAYMENT`, `AMOUNT_TOO_LOW` … — the catalog's `never` class) → rejected.
 *
 * Once an answer was lost or Venice said it was settling, every failure that follows is `settlement-unconfirmed`
 * with `fundsMayHaveMoved: true`: the payment may land whatever a later submission is told.
 */
export const settle = (
  env: Env,
  payment: VeniceWallet.SignedPayment,
  settlement: Settlement,
  deadline: number
): Effect.Effect<Settled, Failure> =>
  Effect.gen(function*() {
    const amountUsd = fromAtomic(payment.amount)
    let pending = false
    let failures = 0
    // whether a submission may have reached Venice (every one refused before connecting: it never left)
    let delivered = false
    for (;;) {
      const outcome = yield* Effect.either(submit(env, payment))
      if (Either.isRight(outcome)) return { _tag: "Credited", receipt: outcome.right } as const
      const error = outcome.left
      const code = codeOf(error)
      const now = yield* Clock.currentTimeMillis
      delivered = delivered || !(error._tag === "TransportError" && !error.maybeDelivered)
      const unconfirmed = (why: string) =>
        failed(
          "settlement-unconfirmed",
          `the payment of $${amountUsd} ${why}: it may have been credited or may still land`,
          {
            ...(code !== undefined ? { code } : {}),
            amountUsd,
            fundsMayHaveMoved: true,
            mayStillLand: true,
            cause: error
          }
        )
      if (code === "PAYMENT_IN_PROGRESS" || code === "SETTLEMENT_TIMEOUT") {
        pending = true
        if (code === "SETTLEMENT_TIMEOUT") {
          // before anything else (and before any new payment): has the money arrived, or is there enough anyway?
          const read = yield* Effect.either(balance(env))
          yield* Effect.annotateCurrentSpan("x402.settlement", "timeout")
          if (Either.isRight(read) && read.right.data.canConsume) {
            return { _tag: "Admitted", balance: read.right } as const
          }
        }
        if (now >= deadline) {
          return yield* Effect.fail(unconfirmed(`did not settle by the deadline (${code})`))
        }
        yield* Effect.sleep(Duration.min(settlement.poll, Duration.millis(Math.max(1, deadline - now))))
        continue
      }
      const lost = answerLost(error)
      if (lost) {
        pending = true
        yield* Effect.annotateCurrentSpan("x402.settlement", "answer-lost")
      }
      const retryClass = RetryPolicy.classify(error).retryClass
      if (lost || retryClass === "backoff" || retryClass === "header-wait") {
        failures++
        const backoff = 500 * 2 ** (failures - 1)
        if (failures <= settlement.retries && now + backoff < deadline) {
          yield* Effect.sleep(Duration.millis(backoff))
          continue
        }
        if (pending) return yield* Effect.fail(unconfirmed(`got no answer that settles it (${error.message})`))
        // Venice said nothing moved — yet the signed authorization stays executable until validBefore (a resubmission,
        // a proxy's duplicate): unless it never left this process, it stays reserved and is resubmitted, never re-signed
        return yield* Effect.fail(failed(
          "settlement-failed",
          `the payment of $${amountUsd} could not be settled: ${error.message}${
            delivered
              ? " (the signed payment stays reserved until it is credited or expires: it is resubmitted, never re-signed)"
              : ""
          }`,
          {
            ...(code !== undefined ? { code } : {}),
            amountUsd,
            fundsMayHaveMoved: false,
            mayStillLand: delivered,
            cause: error
          }
        ))
      }
      if (pending) {
        return yield* Effect.fail(unconfirmed(`was refused after an earlier answer was lost (${error.message})`))
      }
      return yield* Effect.fail(failed(
        "rejected",
        `Venice rejected the payment of $${amountUsd}${code !== undefined ? ` (${code})` : ""}: ${error.message}`,
        { ...(code !== undefined ? { code } : {}), amountUsd, fundsMayHaveMoved: false, cause: error }
      ))
    }
  }).pipe(Effect.withSpan("venice.x402.settle", { attributes: { "venice.identity": env.wallet.identity } }))

// ─── the ledger: settling an unknown outcome ───────────────────────────────────────────────────────

const decodePaymentHeader = Schema.decodeUnknownOption(X402.PaymentSignatureHeader)
const decodeEip3009 = Schema.decodeUnknownOption(X402.ExactEip3009Payload)

/**
 * Epoch ms from which a signed payment can no longer be executed: its EIP-3009 authorization's `validBefore`, else
 * `submittedAt` plus the requirement's `maxTimeoutSeconds` (how `@x402/evm` sets it).
 */
export const validBeforeOf = (payment: VeniceWallet.SignedPayment, submittedAt: number): number => {
  const seconds = Option.flatMap(
    decodePaymentHeader(Redacted.value(payment.header)),
    (p) => Option.map(decodeEip3009(p.payload), (exact) => Number(exact.authorization.validBefore))
  )
  return Option.isSome(seconds) && Number.isFinite(seconds.value)
    ? seconds.value * 1000
    : submittedAt + payment.accepted.maxTimeoutSeconds * 1000
}

/** The newest ledger entry now: where a payment signed next would appear after. */
export const ledgerMark = (env: Env): Effect.Effect<LedgerMark, WalletCallError> =>
  Effect.map(transactions(env, { limit: 1 }), (page): LedgerMark => {
    const newest = page.data.transactions[0]
    return newest === undefined ? { id: null, createdAt: null } : { id: newest.id, createdAt: newest.createdAt }
  })

/** What the ledger says about an unconfirmed payment. */
export type LedgerAnswer =
  /** A `TOP_UP` of the payment's amount appeared after the mark: the payment was credited. */
  | { readonly _tag: "Landed"; readonly entry: typeof X402Api.X402Transaction.Type }
  /** Every entry since the mark was read and none is the payment (it may still land before `validBefore`). */
  | { readonly _tag: "NotThere" }
  /** The entries since the mark could not all be read (too many pages): the ledger does not say. */
  | { readonly _tag: "Incomplete" }

const PAGE = 100
const MAX_PAGES = 10

/**
 * Reads the wallet's ledger back to `mark` (newest first, pages of 100, at most 10) looking for a `TOP_UP` of
 * `amountUsd`. While a payment is unconfirmed no other payment of the policy's fleet is signed, so a new `TOP_UP` of
 * that amount is that payment (a top-up made outside the SDK for exactly that amount at that moment would be taken
 * for it).
 */
export const findInLedger = (
  env: Env,
  mark: LedgerMark,
  amountUsd: number
): Effect.Effect<LedgerAnswer, WalletCallError> =>
  Effect.gen(function*() {
    const before = (entry: typeof X402Api.X402Transaction.Type) =>
      mark.createdAt !== null && Date.parse(entry.createdAt) < Date.parse(mark.createdAt)
    for (let page = 0; page < MAX_PAGES; page++) {
      const read = yield* transactions(env, { limit: PAGE, offset: page * PAGE })
      for (const entry of read.data.transactions) {
        if (mark.id !== null && (entry.id === mark.id || before(entry))) return { _tag: "NotThere" } as const
        if (entry.type === "TOP_UP" && Math.abs(entry.amount - amountUsd) < 0.000_001) {
          return { _tag: "Landed", entry } as const
        }
      }
      if (!read.data.pagination.hasMore) return { _tag: "NotThere" } as const
    }
    return { _tag: "Incomplete" } as const
  }).pipe(Effect.withSpan("venice.x402.ledger", { attributes: { "venice.identity": env.wallet.identity } }))
