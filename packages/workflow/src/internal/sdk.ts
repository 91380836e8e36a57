/**
 * Every call this package makes into `@venice-effect/venice`, in one place. The activities speak only to this module,
 * so a change of the SDK's public API (job polling policies, `resume(queueId)`, the unknown-outcome top-up) is one
 * edit here.
 *
 * @internal
 */
import type * as FileSystem from "@effect/platform/FileSystem"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as ClientError from "@venice-effect/core/ClientError"
import * as X402 from "@venice-effect/core/X402"
import * as Audio from "@venice-effect/venice/Audio"
import * as Chat from "@venice-effect/venice/Chat"
import * as JobMedia from "@venice-effect/venice/JobMedia"
import * as Jobs from "@venice-effect/venice/Jobs"
import type * as PaymentPolicy from "@venice-effect/venice/PaymentPolicy"
import type * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import type * as AudioSchemas from "@venice-effect/venice/schema/Audio"
import type * as VideoSchemas from "@venice-effect/venice/schema/Video"
import type * as X402Api from "@venice-effect/venice/schema/X402Api"
import * as SignedTopUp from "@venice-effect/venice/SignedTopUp"
import * as TopUp from "@venice-effect/venice/TopUp"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as VeniceWallet from "@venice-effect/venice/VeniceWallet"
import * as Video from "@venice-effect/venice/Video"
import type * as WalletError from "@venice-effect/venice/WalletError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Media from "./media.js"

/** The two kinds of asynchronous job. */
export type Kind = "video" | "audio"

/** A video queue request (the SDK validates it). */
export type VideoRequest = typeof VideoSchemas.QueueVideoRequest.Encoded

/** An audio queue request (the SDK validates it). */
export type AudioRequest = typeof AudioSchemas.QueueAudioRequest.Encoded

/** A queue request of either kind. */
export type QueueRequest = VideoRequest | AudioRequest

/** The client in context: where it calls and whose credentials (its non-secret identity). */
export const client: Effect.Effect<
  { readonly baseUrl: string; readonly identity: string },
  never,
  VeniceClient.VeniceClient
> = Effect.map(VeniceClient.VeniceClient, (c) => ({ baseUrl: c.baseUrl, identity: c.identity }))

/** The wallet in context, if any. */
export const wallet: Effect.Effect<Option.Option<VeniceWallet.Service>> = Effect.serviceOption(
  VeniceWallet.VeniceWallet
)

/** `POST /chat/completions` (not streamed). */
export const chat = (
  request: Chat.ChatCompletionRequest,
  options?: Chat.ChatOptions
): Effect.Effect<Chat.ChatCompletion, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient> =>
  Chat.completions(request, options)

const pick = (request: object, names: ReadonlyArray<string>): Record<string, unknown> => {
  const fields: Readonly<Record<string, unknown>> = { ...request }
  return Object.fromEntries(names.filter((n) => fields[n] !== undefined).map((n) => [n, fields[n]]))
}

/** `POST /{kind}/quote`: the price in USD. */
export const quote = (
  kind: Kind,
  request: QueueRequest
): Effect.Effect<number, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient> =>
  kind === "video"
    ? Effect.map(
      Video.quote({
        model: request.model,
        ...pick(request, ["duration", "aspect_ratio", "resolution", "upscale_factor", "audio", "video_url"])
      }),
      (q) => q.quote
    )
    : Effect.map(Audio.quote({ model: request.model, ...pick(request, ["duration_seconds"]) }), (q) => q.quote)

/** What a queue request answered. */
export interface Queued {
  readonly queueId: string
  readonly model: string
  readonly downloadUrl: string | undefined
}

/** `POST /{kind}/queue` (sent at most once by the SDK: a queue request is never re-sent once it may have arrived). */
export const queue = (
  kind: Kind,
  request: QueueRequest
): Effect.Effect<Queued, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient> =>
  kind === "video"
    // `kind` says which of the two request types the caller passed
    ? Effect.map(Video.queue(request as typeof VideoSchemas.QueueVideoRequest.Encoded), (r) => ({
      queueId: r.queue_id,
      model: r.model,
      downloadUrl: r.download_url
    }))
    // `kind` says which of the two request types the caller passed
    : Effect.map(Audio.queue(request as typeof AudioSchemas.QueueAudioRequest.Encoded), (r) => ({
      queueId: r.queue_id,
      model: r.model,
      downloadUrl: undefined
    }))

/** One observation of a job by {@link retrieve}. */
export type Retrieved =
  | { readonly _tag: "Processing"; readonly averageExecutionTime: number; readonly executionDuration: number }
  | { readonly _tag: "Written"; readonly written: Media.Written }

/**
 * `POST /{kind}/retrieve` once: the job's status, or — when it is done — its media written to `sink`. The media comes
 * through the SDK's one media reader (`JobMedia.retrieve`: the retrieve's body, or the `download_url` of VPS-backed
 * models; at most `maxBytes`, an idle bound between chunks); a body that breaks or stalls is a transport failure (the
 * step polls again), one over the bound is `TooLarge`.
 */
export const retrieve = (
  kind: Kind,
  job: Queued,
  options: { readonly sink: Media.Sink; readonly maxBytes: number }
): Effect.Effect<Retrieved, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | FileSystem.FileSystem> =>
  Effect.scoped(Effect.gen(function*() {
    // each retrieve is one recorded step: within it, the client's own retry policy (the step's polling is the rest)
    const venice = yield* VeniceClient.VeniceClient
    const seen = yield* JobMedia.retrieve(kind, job, { maxBytes: options.maxBytes, retry: venice.retryPolicy })
    if (seen._tag === "Processing") return seen
    const written = yield* Media.write(seen.bytes, { sink: options.sink, contentType: seen.contentType }).pipe(
      Effect.catchAll((error): Effect.Effect<Media.Written, ClientError.TransportError> => {
        switch (error._tag) {
          case "ResponseTooLargeError":
            return Effect.succeed({
              _tag: "TooLarge",
              receivedBytes: error.received ?? error.declared ?? options.maxBytes
            })
          case "TransportError":
            return Effect.fail(error)
          case "MediaDownloadError":
          case "StreamTransportError":
            return Effect.fail(
              new ClientError.TransportError({
                provider: "venice",
                method: "POST",
                reason: "reset",
                message: `venice ${kind}.retrieve: the media did not arrive whole (${error.message})`,
                maybeDelivered: true
              })
            )
        }
      })
    )
    return { _tag: "Written", written } as const
  }))

/** The SDK's polling cadence after a state of the job (`Jobs.cadence`), between `min` and `max` ms. */
export const cadence = (
  state: { readonly averageExecutionTime: number; readonly executionDuration: number },
  bounds: { readonly min: number; readonly max: number }
): Duration.Duration =>
  Jobs.cadence({ _tag: "Processing", ...state }, { min: Duration.millis(bounds.min), max: Duration.millis(bounds.max) })

/**
 * What a failed `retrieve` means for the job, as the SDK's polling policy decides it (`Jobs.classifyRetrieveFailure`):
 * poll again later (a transport failure, a `502`–`504`, a `429`, the client's own "not now"), or the job failed or
 * cannot be retrieved (a `500` replayed by Venice, a content-policy `422`, a not-found `404` …).
 */
export const retrieveIsTransient = (error: RetryPolicy.VeniceClientError): boolean =>
  Jobs.classifyRetrieveFailure(error)._tag === "Again"

// ─── x402 (the wallet in context) ────────────────────────────────────────────────────────────────

/** `GET /x402/balance/{wallet}`. */
export const balance = (
  baseUrl: string
): Effect.Effect<
  X402Api.X402Balance,
  RetryPolicy.VeniceClientError | WalletError.WalletError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> => TopUp.balance({ baseUrl })

/** The newest `limit` entries of `GET /x402/transactions/{wallet}` (newest first). */
export const ledger = (
  baseUrl: string,
  limit = 100
): Effect.Effect<
  X402Api.X402Transactions,
  RetryPolicy.VeniceClientError | WalletError.WalletError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> => TopUp.transactions({ limit }, { baseUrl })

/** Venice's top-up requirements and their USDC-on-Base option. */
export const discover = (
  baseUrl: string
): Effect.Effect<
  { readonly paymentRequired: X402.PaymentRequired; readonly rail: Option.Option<X402.PaymentRequirements> },
  WalletError.PaymentRefusedError | WalletError.TopUpFailedError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> =>
  Effect.map(TopUp.discover({ baseUrl }), (paymentRequired) => ({
    paymentRequired,
    rail: TopUp.selectBaseUsdc(paymentRequired)
  }))

/** USD → the asset's base units (USDC: 6 decimals), as a string. */
export const atomic = (usd: number): string => BigInt(Math.round(usd * 1_000_000)).toString()

/** A signed payment and the identity to record before it is sent. */
export interface Signed {
  readonly payment: VeniceWallet.SignedPayment
  /** The EIP-3009 authorization nonce (0x + 64 hex): what makes this payment this one. */
  readonly nonce: string
  /** Unix seconds after which the authorization can no longer move funds. */
  readonly validBefore: number
}

const decodePayload = Schema.decodeUnknownEither(X402.PaymentSignatureHeader)
const decodeEip3009 = Schema.decodeUnknownEither(X402.ExactEip3009Payload)

/**
 * Signs a payment for `requirements` with the wallet (never sent here), with `maxTimeoutSeconds` as the
 * authorization's lifetime, and reads its nonce and `validBefore` back from the signed payload.
 */
export const sign = (
  wallet: VeniceWallet.Service,
  paymentRequired: X402.PaymentRequired,
  requirements: X402.PaymentRequirements,
  maxAmountPerPaymentUsd: number
): Effect.Effect<Signed, WalletError.WalletSignError> =>
  Effect.flatMap(wallet.signPayment(paymentRequired, requirements, { maxAmountPerPaymentUsd }), (payment) => {
    const payload = decodePayload(Redacted.value(payment.header))
    const eip3009 = Either.flatMap(payload, (p) => decodeEip3009(p.payload))
    if (Either.isLeft(eip3009)) {
      return Effect.dieMessage(
        "the signed x402 payment carries no EIP-3009 authorization (exact scheme on Base expected)"
      )
    }
    const authorization = eip3009.right.authorization
    return Effect.succeed({ payment, nonce: authorization.nonce, validBefore: Number(authorization.validBefore) })
  })

/** Submits a signed payment and sees it settled (the same payment on every resubmission). */
export const settle = (
  baseUrl: string,
  payment: VeniceWallet.SignedPayment
): Effect.Effect<
  PaymentPolicy.TopUpResult,
  WalletError.TopUpFailedError,
  VeniceWallet.VeniceWallet | HttpClient.HttpClient
> => SignedTopUp.settle(payment, { baseUrl })
