/**
 * What a failed SQL statement tells: the database's own error (PostgreSQL's SQLSTATE and message, SQLite's code) found
 * under the `SqlError` (or `@effect/cluster`'s `PersistenceError`) that wraps it, whether it is worth retrying, and the
 * `WorkflowStorageError` that reports it (D6).
 *
 * @internal
 */
import * as Schedule from "effect/Schedule"
import { WorkflowStorageError } from "../WorkflowError.js"

/** The database's error under the wrappers: its code (SQLSTATE, `SQLITE_BUSY`, `ECONNRESET`) and message. */
export interface DriverError {
  readonly code: string | undefined
  readonly message: string
}

const field = (value: object, key: string): unknown => (key in value ? Reflect.get(value, key) : undefined)

/** Walks `cause` links (at most 8) down to the error that carries a code, else the innermost message. */
export const driverError = (failure: unknown): DriverError => {
  let message = failure instanceof Error ? failure.message : String(failure)
  let current: unknown = failure
  for (let depth = 0; typeof current === "object" && current !== null && depth < 8; depth++) {
    const code = field(current, "code")
    const text = field(current, "message")
    if (typeof text === "string" && text.length > 0) message = text
    if (typeof code === "string" && code.length > 0) return { code, message }
    current = field(current, "cause")
  }
  return { code: undefined, message }
}

/**
 * PostgreSQL SQLSTATE classes (or codes) a retry can cure: 08 connection exception, 40 transaction rollback
 * (serialization failure, deadlock), 53 insufficient resources, 55P03 lock not available, 57 operator intervention
 * (a canceled statement, a server shutting down), 58 system error.
 */
const TRANSIENT_PG = /^(08|40|53|57|58)|^55P03$/

/**
 * Whether a failure may go away by itself: a transient PostgreSQL state, a busy or locked SQLite file, or a failure of
 * the connection rather than of the statement (no code, or a Node socket error such as `ECONNRESET`).
 */
export const isTransient = (failure: unknown): boolean => {
  const { code } = driverError(failure)
  if (code === undefined) return true
  if (code.startsWith("SQLITE_")) return code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")
  if (/^E[A-Z]+$/.test(code)) return true
  return TRANSIENT_PG.test(code)
}

/** How a transient failure is retried: 100 ms doubling, at most 2 s apart, for up to 20 s (D6). */
export const retrySchedule: Schedule.Schedule<unknown> = Schedule.exponential("100 millis").pipe(
  Schedule.union(Schedule.spaced("2 seconds")),
  Schedule.upTo("20 seconds")
)

const describe = ({ code, message }: DriverError): string =>
  code === undefined
    ? message
    : code.startsWith("SQLITE_") || /^E[A-Z]+$/.test(code)
    ? `${message} (${code})`
    : `${message} (PostgreSQL ${code})`

/**
 * The typed failure of `what` (e.g. "cannot record the queue id of step video/queue"). `keepCause` keeps the driver's
 * error on it (for failures that are not recorded with a step: a step's record holds only plain fields).
 */
export const storageError = (what: string, failure: unknown, keepCause = false): WorkflowStorageError => {
  const driver = driverError(failure)
  return new WorkflowStorageError({
    message: `${what}: ${describe(driver)}`,
    ...(driver.code !== undefined ? { code: driver.code } : {}),
    ...(keepCause ? { cause: failure } : {})
  })
}
