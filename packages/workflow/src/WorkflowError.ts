/**
 * The failures of durable Venice steps. A step's outcome is recorded in the workflow's storage and read back on
 * replay, so each failure is a `Schema.TaggedError` made of plain, serializable fields: the SDK's error is kept as its
 * tag, catalog code, status, retry class and message (never its headers or raw body).
 *
 * @since 0.1.0
 */
import * as RetryPolicy from "@venice-effect/venice/RetryPolicy"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as WalletError from "@venice-effect/venice/WalletError"
import * as Schema from "effect/Schema"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * A Venice call of a step failed: any error of the SDK (a Venice error shape with its catalog `code`, a transport
 * failure, a validation error, a wallet error), as recorded.
 *
 * - `step` — the durable step (`queue`, `retrieve/3`, `chat`…); `operation` — the SDK operation (`video.queue`).
 * - `error` — the SDK error's tag (`VeniceStandardError`, `TransportError`, `TopUpFailedError`…).
 * - `code`, `status`, `retryClass` — the catalog's reading of it, when it is a Venice error.
 * - `queueId` — the job, when the step had one (resume it with `VeniceActivity.generateVideo`'s `queueId`).
 *
 * @since 0.1.0
 * @category errors
 */
export class VeniceCallError extends Schema.TaggedError<VeniceCallError>()("VeniceCallError", {
  step: Schema.String,
  operation: Schema.String,
  error: Schema.String,
  message: Schema.String,
  code: optional(Schema.String),
  status: optional(Schema.Int),
  retryClass: optional(Schema.String),
  requestId: optional(Schema.String),
  queueId: optional(Schema.String)
}) {}

/**
 * A queue request may have reached Venice (its answer was lost: the worker died, or the connection failed after the
 * request was sent) and its outcome could not be settled: there is no ledger to read (an API-key caller), or the ledger
 * shows more than one job that could be this one. The step is not sent again (a second video would be billed); the
 * workflow fails with this error so a person can decide. `sentAt` is when the request left (Unix ms).
 *
 * @since 0.1.0
 * @category errors
 */
export class QueueOutcomeUnknownError extends Schema.TaggedError<QueueOutcomeUnknownError>()(
  "QueueOutcomeUnknownError",
  {
    step: Schema.String,
    kind: Schema.Literal("video", "audio"),
    model: Schema.String,
    account: Schema.String,
    sentAt: Schema.Number,
    /** Job ids of the ledger that could be this one (none: no ledger, or none found). */
    candidates: Schema.Array(Schema.String),
    message: Schema.String
  }
) {}

/**
 * The job was still running when the step's polling bound (`maxDuration` since the job was queued) ran out. The job
 * may still finish: resume it with its `queueId`.
 *
 * @since 0.1.0
 * @category errors
 */
export class JobTimeoutError extends Schema.TaggedError<JobTimeoutError>()("JobTimeoutError", {
  step: Schema.String,
  queueId: Schema.String,
  model: Schema.String,
  message: Schema.String
}) {}

/**
 * The finished media is larger than the step's bound (`maxBytes`): nothing was kept. `receivedBytes` is how much was
 * read before it stopped (or the announced `Content-Length`).
 *
 * @since 0.1.0
 * @category errors
 */
export class MediaTooLargeError extends Schema.TaggedError<MediaTooLargeError>()("MediaTooLargeError", {
  step: Schema.String,
  queueId: Schema.String,
  maxBytes: Schema.Number,
  receivedBytes: Schema.Number,
  message: Schema.String
}) {}

/**
 * The finished media could not be written where the step was told to write it (a file-system error).
 *
 * @since 0.1.0
 * @category errors
 */
export class MediaWriteError extends Schema.TaggedError<MediaWriteError>()("MediaWriteError", {
  step: Schema.String,
  queueId: Schema.String,
  path: Schema.String,
  message: Schema.String
}) {}

/**
 * Why a durable top-up did not credit the wallet.
 *
 * - `per-payment-cap` / `budget-exhausted` — refused before anything was signed (the store's budget is shared by every
 *   process on the database).
 * - `no-usdc-on-base` / `discovery-failed` — Venice's requirements could not be used.
 * - `sign-failed` — the wallet could not sign.
 * - `rejected` — Venice refused the signed payment: no funds moved.
 * - `wallet-busy` — another payment of the wallet stayed unresolved for longer than the step waits.
 * - `attempts-exhausted` — every attempt of this need provably moved no funds, and the step stopped trying.
 *
 * @since 0.1.0
 * @category models
 */
export const PaymentFailure = Schema.Literal(
  "per-payment-cap",
  "budget-exhausted",
  "no-usdc-on-base",
  "discovery-failed",
  "sign-failed",
  "rejected",
  "wallet-busy",
  "attempts-exhausted"
)

/**
 * @since 0.1.0
 * @category models
 */
export type PaymentFailure = typeof PaymentFailure.Type

/**
 * A durable top-up failed. `fundsMayHaveMoved` is `false` for every reason: a payment whose outcome is unknown is
 * never reported as a failure, it is reconciled with the ledger until it is known.
 *
 * @since 0.1.0
 * @category errors
 */
export class PaymentError extends Schema.TaggedError<PaymentError>()("PaymentError", {
  step: Schema.String,
  wallet: Schema.String,
  reason: PaymentFailure,
  message: Schema.String,
  amountUsd: optional(Schema.Number),
  code: optional(Schema.String)
}) {}

/**
 * The workflow's storage failed: it could not be opened (the SQLite file is locked by another worker, the database
 * refused, creating the tables failed), or a step could not read or write its record. `code` is the database's own
 * (a PostgreSQL SQLSTATE such as `40001` or `42P07`, an SQLite code such as `SQLITE_BUSY`) when it gave one. A
 * transient failure (a lost connection, a serialization failure, a deadlock, a lock timeout, a canceled statement, a
 * busy SQLite file) is retried for up to 20 seconds before it is reported (D6).
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkflowStorageError extends Schema.TaggedError<WorkflowStorageError>()("WorkflowStorageError", {
  message: Schema.String,
  code: optional(Schema.String),
  cause: optional(Schema.Unknown)
}) {}

/**
 * Every failure of a durable Venice step.
 *
 * @since 0.1.0
 * @category models
 */
export type StepError =
  | VeniceCallError
  | QueueOutcomeUnknownError
  | JobTimeoutError
  | MediaTooLargeError
  | MediaWriteError
  | PaymentError
  | WorkflowStorageError

/**
 * The schema of {@link StepError} (what a step records).
 *
 * @since 0.1.0
 * @category schemas
 */
export const StepError: Schema.Union<[
  typeof VeniceCallError,
  typeof QueueOutcomeUnknownError,
  typeof JobTimeoutError,
  typeof MediaTooLargeError,
  typeof MediaWriteError,
  typeof PaymentError,
  typeof WorkflowStorageError
]> = Schema.Union(
  VeniceCallError,
  QueueOutcomeUnknownError,
  JobTimeoutError,
  MediaTooLargeError,
  MediaWriteError,
  PaymentError,
  WorkflowStorageError
)

/**
 * The record of an SDK error of a step.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromClientError = (
  step: string,
  operation: string,
  error: RetryPolicy.VeniceClientError | WalletError.WalletError,
  queueId?: string
): VeniceCallError => {
  const venice = VeniceError.isVeniceError(error) ? error : undefined
  const wallet = WalletError.isWalletError(error) ? error : undefined
  return new VeniceCallError({
    step,
    operation,
    error: error._tag,
    message: error.message,
    retryClass: RetryPolicy.classify(error).retryClass,
    ...(venice !== undefined
      ? {
        code: venice.code !== "UNKNOWN" ? venice.code : venice.reportedCode ?? "UNKNOWN",
        status: venice.status,
        ...(venice.requestId !== undefined ? { requestId: venice.requestId } : {})
      }
      : {}),
    ...(wallet !== undefined && wallet._tag === "TopUpFailedError" && wallet.code !== undefined
      ? { code: wallet.code }
      : {}),
    ...(queueId !== undefined ? { queueId } : {})
  })
}
