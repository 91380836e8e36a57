/**
 * The faults of the Novita emulator: its own (a catalog row as an error, a task that fails) and the Venice
 * emulator's transport and stream faults, reused as they are; and the script that applies one to the next matching
 * requests (the body of `POST /__emulator/faults`). `NovitaEmulator` re-exports every name of this module.
 *
 * @example
 * ```ts
 * import { NovitaFaults } from "@venice-effect/emulator"
 *
 * NovitaFaults.error("RATE_LIMIT_EXCEEDED", { retryAfter: 2 })
 * NovitaFaults.taskFailure("out of GPU memory")
 * ```
 *
 * @since 0.1.0
 */
import * as ErrorCatalog from "@venice-effect/novita/ErrorCatalog"
import * as Schema from "effect/Schema"
import * as Faults from "./Faults.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Answer with a row of Novita's catalog: `{code: <status>, reason: <code>, message, metadata}` with the row's status.
 *
 * - `group`: the table the row is taken from, for codes in several (`INVALID_API_KEY`, `INVALID_REQUEST_BODY`,
 *   `RATE_LIMIT_EXCEEDED`); default the route's group when the code is in it, else the code's first row.
 * - `status`, `message`, `metadata`: override the row's (the message defaults to the English description).
 * - `retryAfter`: a `Retry-After` header, as a proxy in front might send (Novita itself sends none).
 * - `headers`: extra headers, set last.
 *
 * @since 0.1.0
 * @category faults
 */
export class ErrorFault extends Schema.TaggedClass<ErrorFault>()("Error", {
  code: Schema.Literal(...ErrorCatalog.codes),
  group: optional(ErrorCatalog.NovitaErrorGroup),
  status: optional(Schema.Int.pipe(Schema.between(100, 599))),
  message: optional(Schema.String),
  metadata: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  retryAfter: optional(Schema.Union(Schema.Number, Schema.String)),
  headers: optional(Schema.Record({ key: Schema.String, value: Schema.String }))
}) {}

/**
 * Accept the submission normally, but the task it creates ends `TASK_STATUS_FAILED` with `reason` (HTTP 200 from
 * `task-result`). Only matches submissions (`POST /v3/async/<api>`).
 *
 * @since 0.1.0
 * @category faults
 */
export class TaskFailure extends Schema.TaggedClass<TaskFailure>()("TaskFailure", {
  reason: optional(Schema.String)
}) {}

/**
 * Any fault of the Novita emulator: its own ({@link ErrorFault}, {@link TaskFailure}) and the Venice emulator's
 * transport and stream faults, reused as they are (`Faults.ResetBeforeHeaders`, `ResetMidBody`, `TruncatedJson`,
 * `HtmlPage`, `EmptyBody`, `Stall`, `Delay`, `Headers`, `StreamError`, `StreamReset`, `StreamStall`, `StreamEnd`).
 *
 * @since 0.1.0
 * @category models
 */
export const Fault = Schema.Union(
  ErrorFault,
  TaskFailure,
  Faults.ResetBeforeHeaders,
  Faults.ResetMidBody,
  Faults.TruncatedJson,
  Faults.HtmlPage,
  Faults.EmptyBody,
  Faults.Stall,
  Faults.Delay,
  Faults.Headers,
  Faults.StreamError,
  Faults.StreamReset,
  Faults.StreamStall,
  Faults.StreamEnd
)

/**
 * @since 0.1.0
 * @category models
 */
export type Fault = typeof Fault.Type

/**
 * Whether a fault acts on a streamed response (it then only matches chat requests with `stream: true`).
 *
 * @since 0.1.0
 * @category guards
 */
export const isStreamFault = (fault: Fault): fault is Faults.StreamFault =>
  fault._tag === "StreamError" || fault._tag === "StreamReset" || fault._tag === "StreamStall" ||
  fault._tag === "StreamEnd"

/**
 * A script: the next `times` responses matching `match` get `fault` (the body of `POST /__emulator/faults`). The
 * match is the Venice emulator's (`key`, `keyLabel`, `route`, `model`; `wallet` never matches here). Routes are named
 * `chat/completions`, `models`, `async/<api>` (e.g. `async/txt2img`), `async/task-result`, `billing/bill/list`, or
 * given as a path.
 *
 * @since 0.1.0
 * @category models
 */
export const Script = Schema.Struct({
  match: Schema.optionalWith(Faults.Match, { default: () => ({}) }),
  times: Schema.optionalWith(Schema.Int.pipe(Schema.positive()), { default: () => 1 }),
  fault: Fault
}).annotations({ identifier: "NovitaScript" })

/**
 * @since 0.1.0
 * @category models
 */
export interface Script extends Schema.Schema.Type<typeof Script> {}

/**
 * A catalog row as a fault.
 *
 * @example
 * ```ts
 * import { NovitaEmulator } from "@venice-effect/emulator"
 *
 * NovitaEmulator.error("NOT_ENOUGH_BALANCE")
 * NovitaEmulator.error("INVALID_API_KEY", { group: "llm" })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const error = (
  code: ErrorCatalog.NovitaErrorCode,
  options: Omit<ConstructorParameters<typeof ErrorFault>[0], "code"> = {}
): ErrorFault => new ErrorFault({ ...options, code })

/**
 * The next matching submission creates a task that fails with `reason`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const taskFailure = (reason?: string): TaskFailure => new TaskFailure(reason === undefined ? {} : { reason })
