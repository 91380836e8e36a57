/**
 * What the activities record in the workflow's own SQL database (next to `@effect/cluster`'s tables, same client), so
 * that a replay after a crash knows what may already have happened:
 *
 * - `venice_workflow_jobs` — one row per queue step: `sending` is committed *before* the queue request leaves, the
 *   `queue_id` is written as soon as the answer is read. A partial unique index allows one `sending` row per account
 *   and model, so a lost answer can be matched to exactly one ledger entry.
 * - `venice_workflow_payments` — one row per payment attempt of a need: `reserved` (budget taken, nothing sent),
 *   `submitted` (the EIP-3009 nonce and `validBefore` recorded, then the payment sent), `credited`, or `void` (it
 *   provably moved no funds). A partial unique index allows one open payment per wallet.
 * - `venice_workflow_budgets` — the cumulative spend per budget key (default: the wallet), reserved in the same
 *   transaction as the payment row: the cap holds across every process that shares the database.
 *
 * Requirement ids: D2 (queue identity first), D3 (payment identity first), D4 (one open payment per wallet, the budget
 * across processes).
 *
 * Every statement is portable between SQLite and PostgreSQL (`ON CONFLICT DO NOTHING`, `RETURNING`, partial indexes).
 *
 * @internal
 */
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import * as Effect from "effect/Effect"
import type { WorkflowStorageError } from "../WorkflowError.js"
import * as SqlFailure from "./sqlFailure.js"

const MICROS = 1_000_000

/** USD → integer micro-dollars (the store's unit). */
export const toMicros = (usd: number): number => Math.round(usd * MICROS)
/** Integer micro-dollars → USD. */
export const fromMicros = (micros: number): number => micros / MICROS

/** PostgreSQL returns `BIGINT` as a string; SQLite as a number. */
const num = (value: unknown): number => (typeof value === "number" ? value : Number(value))
const str = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value))

/**
 * A store operation (`what` it does, for the message): a transient SQL failure (see `SqlFailure.isTransient`) is
 * retried for up to 20 s, then it — or any other SQL failure at once — is a typed `WorkflowStorageError` naming the
 * operation and the database's code (D6). Every statement retried here is idempotent: an answer lost after the
 * database committed leaves nothing a retry would repeat.
 */
const durable = (what: string) => <A, R>(effect: Effect.Effect<A, SqlError, R>): Effect.Effect<A, Failure, R> =>
  effect.pipe(
    Effect.retry({ schedule: SqlFailure.retrySchedule, while: SqlFailure.isTransient }),
    Effect.mapError((error) => SqlFailure.storageError(`the workflow store could not ${what}`, error))
  )

/** How every store operation fails. */
export type Failure = WorkflowStorageError

const migrations: ReadonlyArray<string> = [
  `CREATE TABLE IF NOT EXISTS venice_workflow_jobs (
    need_id VARCHAR(512) PRIMARY KEY,
    account VARCHAR(255) NOT NULL,
    kind VARCHAR(16) NOT NULL,
    model VARCHAR(255) NOT NULL,
    state VARCHAR(16) NOT NULL,
    sent_at BIGINT NOT NULL,
    queue_id VARCHAR(255),
    download_url TEXT
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS venice_workflow_jobs_sending ON venice_workflow_jobs (account, model)
    WHERE state = 'sending'`,
  `CREATE UNIQUE INDEX IF NOT EXISTS venice_workflow_jobs_queue_id ON venice_workflow_jobs (queue_id)`,
  `CREATE TABLE IF NOT EXISTS venice_workflow_payments (
    need_id VARCHAR(512) NOT NULL,
    attempt INTEGER NOT NULL,
    wallet VARCHAR(255) NOT NULL,
    budget_key VARCHAR(255) NOT NULL,
    amount_micros BIGINT NOT NULL,
    state VARCHAR(16) NOT NULL,
    created_at BIGINT NOT NULL,
    signed_at BIGINT,
    nonce VARCHAR(80),
    valid_before BIGINT,
    payment_id VARCHAR(255),
    ledger_tx VARCHAR(255),
    PRIMARY KEY (need_id, attempt)
  )`,
  `CREATE UNIQUE INDEX IF NOT EXISTS venice_workflow_payments_open ON venice_workflow_payments (wallet)
    WHERE state IN ('reserved', 'submitted')`,
  `CREATE UNIQUE INDEX IF NOT EXISTS venice_workflow_payments_ledger_tx ON venice_workflow_payments (ledger_tx)`,
  `CREATE TABLE IF NOT EXISTS venice_workflow_budgets (
    budget_key VARCHAR(255) PRIMARY KEY,
    spent_micros BIGINT NOT NULL
  )`
]

/** Creates the tables and indexes if they do not exist (idempotent; run by the storage layers). */
export const migrate: Effect.Effect<void, SqlError, SqlClient.SqlClient> = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  for (const statement of migrations) yield* sql.unsafe(statement)
})

// ─── jobs ────────────────────────────────────────────────────────────────────────────────────────

/** A queue step's record. */
export interface JobRow {
  readonly needId: string
  readonly account: string
  readonly kind: "video" | "audio"
  readonly model: string
  /** `sending`: the request may have left; `queued`: `queueId` known; `stale`: taken over after `staleAfter`. */
  readonly state: "sending" | "queued" | "stale"
  readonly sentAt: number
  readonly queueId: string | undefined
  readonly downloadUrl: string | undefined
}

const jobOf = (row: Readonly<Record<string, unknown>>): JobRow => ({
  needId: String(row.need_id),
  account: String(row.account),
  kind: row.kind === "audio" ? "audio" : "video",
  model: String(row.model),
  state: row.state === "queued" ? "queued" : row.state === "stale" ? "stale" : "sending",
  sentAt: num(row.sent_at),
  queueId: str(row.queue_id),
  downloadUrl: str(row.download_url)
})

/** The record of a queue step, if any. */
export const job = (needId: string): Effect.Effect<JobRow | undefined, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) =>
      durable("read a queue step")(sql`SELECT * FROM venice_workflow_jobs WHERE need_id = ${needId}`).pipe(
        Effect.map((rows) => (rows[0] === undefined ? undefined : jobOf(rows[0])))
      )
  )

/**
 * Records that a queue request is about to leave (`sending`). `false` when another step of the same account and model
 * is `sending` right now (the caller waits: one unresolved queue request per account and model). The caller has
 * cleared its own row first, so a row of this need with this claim's `sentAt` found here is this claim's, committed
 * by an attempt whose answer was lost: claimed (a retry after a lost answer then neither spins nor sends twice).
 */
export const claimSending = (
  row: Pick<JobRow, "needId" | "account" | "kind" | "model" | "sentAt">
): Effect.Effect<boolean, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("record a queue request about to leave")(Effect.gen(function*() {
      const inserted = yield* sql`
        INSERT INTO venice_workflow_jobs (need_id, account, kind, model, state, sent_at)
        VALUES (${row.needId}, ${row.account}, ${row.kind}, ${row.model}, 'sending', ${row.sentAt})
        ON CONFLICT DO NOTHING RETURNING need_id`
      if (inserted.length > 0) return true
      // this claim's own row (same need, same `sent_at`), committed by an attempt whose answer was lost
      const own = yield* sql`
        SELECT need_id FROM venice_workflow_jobs WHERE need_id = ${row.needId} AND sent_at = ${row.sentAt}`
      return own.length > 0
    })))

/** Writes the `queue_id` of a step (the first thing done with Venice's answer). */
export const recordQueued = (
  needId: string,
  queueId: string,
  downloadUrl: string | undefined
): Effect.Effect<void, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("record a queue id")(sql`
      UPDATE venice_workflow_jobs SET state = 'queued', queue_id = ${queueId}, download_url = ${downloadUrl ?? null}
      WHERE need_id = ${needId}`).pipe(Effect.asVoid))

/** Forgets a step whose request provably created no job (the ledger shows none): it may be sent again. */
export const forgetJob = (needId: string): Effect.Effect<void, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("forget a queue request that created no job")(
      sql`DELETE FROM venice_workflow_jobs WHERE need_id = ${needId} AND state <> 'queued'`
    ).pipe(Effect.asVoid))

/** Marks `sending` rows of an account and model older than `before` as `stale` (their owners reconcile them alone). */
export const staleSending = (
  account: string,
  model: string,
  before: number
): Effect.Effect<void, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("mark stale queue requests")(sql`
      UPDATE venice_workflow_jobs SET state = 'stale'
      WHERE account = ${account} AND model = ${model} AND state = 'sending' AND sent_at < ${before}`).pipe(
      Effect.asVoid
    ))

/** Which of these queue ids are already some step's. */
export const claimedQueueIds = (
  queueIds: ReadonlyArray<string>
): Effect.Effect<ReadonlySet<string>, Failure, SqlClient.SqlClient> =>
  queueIds.length === 0 ?
    Effect.succeed(new Set()) :
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      durable("read the queue ids already owned")(
        sql`SELECT queue_id FROM venice_workflow_jobs WHERE ${sql.in("queue_id", queueIds)}`
      ).pipe(
        Effect.map((rows) => new Set(rows.map((r) => String(r.queue_id))))
      ))

// ─── payments ────────────────────────────────────────────────────────────────────────────────────

/** One payment attempt of a need. */
export interface PaymentRow {
  readonly needId: string
  readonly attempt: number
  readonly wallet: string
  readonly budgetKey: string
  readonly amountMicros: number
  readonly state: "reserved" | "submitted" | "credited" | "void"
  readonly createdAt: number
  readonly signedAt: number | undefined
  readonly nonce: string | undefined
  /** Unix seconds (EIP-3009 `validBefore`). */
  readonly validBefore: number | undefined
  readonly paymentId: string | undefined
  readonly ledgerTx: string | undefined
}

const paymentOf = (row: Readonly<Record<string, unknown>>): PaymentRow => ({
  needId: String(row.need_id),
  attempt: num(row.attempt),
  wallet: String(row.wallet),
  budgetKey: String(row.budget_key),
  amountMicros: num(row.amount_micros),
  state: row.state === "submitted" || row.state === "credited" || row.state === "void" ? row.state : "reserved",
  createdAt: num(row.created_at),
  signedAt: row.signed_at === null || row.signed_at === undefined ? undefined : num(row.signed_at),
  nonce: str(row.nonce),
  validBefore: row.valid_before === null || row.valid_before === undefined ? undefined : num(row.valid_before),
  paymentId: str(row.payment_id),
  ledgerTx: str(row.ledger_tx)
})

/** Every attempt of a need, oldest first. */
export const payments = (needId: string): Effect.Effect<ReadonlyArray<PaymentRow>, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("read the payments of a need")(
      sql`SELECT * FROM venice_workflow_payments WHERE need_id = ${needId} ORDER BY attempt`
    ).pipe(
      Effect.map((rows) => rows.map(paymentOf))
    ))

/** Every payment of a wallet, for tests and reports. */
export const walletPayments = (
  wallet: string
): Effect.Effect<ReadonlyArray<PaymentRow>, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("read the payments of a wallet")(
      sql`SELECT * FROM venice_workflow_payments WHERE wallet = ${wallet} ORDER BY created_at`
    ).pipe(
      Effect.map((rows) => rows.map(paymentOf))
    ))

/** What {@link reserve} came to. */
export type Reservation =
  | { readonly _tag: "Reserved"; readonly spentMicros: number }
  | { readonly _tag: "OverBudget"; readonly spentMicros: number }
  | { readonly _tag: "WalletBusy" }

/** A refusal inside {@link reserve}'s transaction: failing with it rolls the transaction back. */
class Abort {
  constructor(readonly reservation: Reservation) {}
}

/**
 * In one transaction: adds the amount to the budget key's spend if the total stays within the cap, and inserts the
 * payment row (`reserved`) unless the wallet already has an open payment. Neither happens unless both can. A row of
 * this need, attempt and `createdAt` already there is this reservation, committed by an attempt whose answer was
 * lost: reserved (not `WalletBusy` on its own row, and the amount is not counted twice).
 */
export const reserve = (
  row: Pick<PaymentRow, "needId" | "attempt" | "wallet" | "budgetKey" | "amountMicros" | "createdAt">,
  budgetMicros: number
): Effect.Effect<Reservation, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) => {
    const spentNow = Effect.map(
      sql`SELECT spent_micros FROM venice_workflow_budgets WHERE budget_key = ${row.budgetKey}`,
      (rows) => num(rows[0]?.spent_micros ?? 0)
    )
    return durable("reserve a payment")(
      sql.withTransaction(Effect.gen(function*() {
        const own = yield* sql`
          SELECT need_id FROM venice_workflow_payments
          WHERE need_id = ${row.needId} AND attempt = ${row.attempt} AND created_at = ${row.createdAt}`
        if (own.length > 0) return { _tag: "Reserved", spentMicros: yield* spentNow } as const
        yield* sql`INSERT INTO venice_workflow_budgets (budget_key, spent_micros) VALUES (${row.budgetKey}, 0)
          ON CONFLICT DO NOTHING`
        const updated = yield* sql`
          UPDATE venice_workflow_budgets SET spent_micros = spent_micros + ${row.amountMicros}
          WHERE budget_key = ${row.budgetKey} AND spent_micros + ${row.amountMicros} <= ${budgetMicros}
          RETURNING spent_micros`
        if (updated[0] === undefined) {
          return yield* Effect.fail(new Abort({ _tag: "OverBudget", spentMicros: yield* spentNow }))
        }
        const inserted = yield* sql`
          INSERT INTO venice_workflow_payments (need_id, attempt, wallet, budget_key, amount_micros, state, created_at)
          VALUES (${row.needId}, ${row.attempt}, ${row.wallet}, ${row.budgetKey}, ${row.amountMicros}, 'reserved',
            ${row.createdAt})
          ON CONFLICT DO NOTHING RETURNING need_id`
        if (inserted.length === 0) return yield* Effect.fail(new Abort({ _tag: "WalletBusy" }))
        return { _tag: "Reserved", spentMicros: num(updated[0].spent_micros) } as const
      })).pipe(
        Effect.catchIf((e): e is Abort => e instanceof Abort, (abort) => Effect.succeed(abort.reservation))
      )
    )
  })

/** Records the payment's identity before it is sent: `submitted`, with its nonce and `validBefore`. */
export const recordSigned = (
  needId: string,
  attempt: number,
  identity: { readonly nonce: string; readonly validBefore: number; readonly signedAt: number }
): Effect.Effect<void, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("record a payment's identity")(sql`
      UPDATE venice_workflow_payments
      SET state = 'submitted', nonce = ${identity.nonce}, valid_before = ${identity.validBefore},
        signed_at = ${identity.signedAt}
      WHERE need_id = ${needId} AND attempt = ${attempt} AND state = 'reserved'`).pipe(Effect.asVoid))

/** The payment was credited (by Venice's receipt, or found in the ledger). */
export const recordCredited = (
  needId: string,
  attempt: number,
  proof: { readonly paymentId?: string | undefined; readonly ledgerTx?: string | undefined }
): Effect.Effect<void, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("record a credited payment")(sql`
      UPDATE venice_workflow_payments
      SET state = 'credited', payment_id = ${proof.paymentId ?? null}, ledger_tx = ${proof.ledgerTx ?? null}
      WHERE need_id = ${needId} AND attempt = ${attempt}`).pipe(Effect.asVoid))

/** The payment provably moved no funds: `void`, and its amount goes back to the budget (once). */
export const recordVoid = (row: PaymentRow): Effect.Effect<void, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("void a payment")(sql.withTransaction(Effect.gen(function*() {
      const changed = yield* sql`
        UPDATE venice_workflow_payments SET state = 'void'
        WHERE need_id = ${row.needId} AND attempt = ${row.attempt} AND state IN ('reserved', 'submitted')
        RETURNING need_id`
      if (changed.length > 0) {
        yield* sql`UPDATE venice_workflow_budgets SET spent_micros = spent_micros - ${row.amountMicros}
          WHERE budget_key = ${row.budgetKey}`
      }
    }))))

/** Ledger entries already matched to a payment. */
export const claimedLedgerTxs = (
  ids: ReadonlyArray<string>
): Effect.Effect<ReadonlySet<string>, Failure, SqlClient.SqlClient> =>
  ids.length === 0 ?
    Effect.succeed(new Set()) :
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      durable("read the ledger entries already matched")(
        sql`SELECT ledger_tx FROM venice_workflow_payments WHERE ${sql.in("ledger_tx", ids)}`
      ).pipe(
        Effect.map((rows) => new Set(rows.map((r) => String(r.ledger_tx))))
      ))

/** The spend of a budget key, USD. */
export const spent = (budgetKey: string): Effect.Effect<number, Failure, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    durable("read a budget's spend")(
      sql`SELECT spent_micros FROM venice_workflow_budgets WHERE budget_key = ${budgetKey}`
    ).pipe(
      Effect.map((rows) => fromMicros(num(rows[0]?.spent_micros ?? 0)))
    ))
