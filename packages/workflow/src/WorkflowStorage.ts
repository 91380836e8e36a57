/**
 * Where workflows keep their progress: `@effect/cluster`'s SQL message and runner storage (the engine is
 * `ClusterWorkflowEngine`, not one of ours), plus this package's three tables (queue steps, payments, budgets) in the
 * same database. Each layer provides the `WorkflowEngine` and the `SqlClient` the steps use.
 *
 * - {@link layerSqlite} — embedded, no server: a file (or `":memory:"`, which lasts as long as the process). One worker
 *   process per file: the layer takes SQLite's exclusive lock, so a second process on the same file fails to start
 *   (`WorkflowStorageError`) instead of running the same workflows twice; the lock dies with its process, so a fresh
 *   worker takes over at once after a crash.
 * - {@link layerPg} — PostgreSQL, for several workers on several machines. Each worker is a runner with its own
 *   address; workers share the work through the database alone (no port is opened between them): shards are locked
 *   with PostgreSQL advisory locks, which a dead worker's connection releases, and its shards move to the survivors
 *   once its heartbeat is older than `shardLockExpiration`.
 *
 * @example
 * ```ts
 * import { Layer, Redacted } from "effect"
 * import { WorkflowStorage } from "@venice-effect/workflow"
 *
 * const Embedded = WorkflowStorage.layerSqlite({ filename: "./workflows.sqlite" })
 * const Fleet = WorkflowStorage.layerPg({ url: Redacted.make("postgres://venice@db.internal:5432/venice") })
 * ```
 *
 * @since 0.1.0
 */
import * as ClusterWorkflowEngine from "@effect/cluster/ClusterWorkflowEngine"
import * as RunnerAddress from "@effect/cluster/RunnerAddress"
import type * as ShardingConfig from "@effect/cluster/ShardingConfig"
import * as SingleRunner from "@effect/cluster/SingleRunner"
import * as SqlClient from "@effect/sql/SqlClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import * as Os from "node:os"
import * as Store from "./internal/store.js"

/**
 * The storage could not be opened: the SQLite file is locked by another worker, or the database refused.
 *
 * @since 0.1.0
 * @category errors
 */
export class WorkflowStorageError extends Schema.TaggedError<WorkflowStorageError>()("WorkflowStorageError", {
  message: Schema.String,
  cause: Schema.optionalWith(Schema.Unknown, { exact: true })
}) {}

/**
 * Options shared by the layers: `@effect/cluster`'s sharding settings, over this package's defaults (storage polled
 * every second, so a durable sleep or a message for another worker is picked up within about a second).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClusterOptions {
  readonly shardingConfig?: Partial<ShardingConfig.ShardingConfig["Type"]> | undefined
}

/**
 * What every storage layer provides.
 *
 * @since 0.1.0
 * @category models
 */
export type Provided = WorkflowEngine | SqlClient.SqlClient

const engineOn = (
  sharding: Partial<ShardingConfig.ShardingConfig["Type"]>
): Layer.Layer<WorkflowEngine, ConfigError.ConfigError | WorkflowStorageError, SqlClient.SqlClient> =>
  ClusterWorkflowEngine.layer.pipe(
    Layer.provide(SingleRunner.layer({
      runnerStorage: "sql",
      shardingConfig: { entityMessagePollInterval: "1 second", ...sharding }
    })),
    // this package's tables first, so no step runs before they exist
    Layer.provide(
      Layer.effectDiscard(Effect.mapError(Store.migrate, storageError("cannot create the workflow tables")))
    )
  )

const storageError = (message: string) => (cause: unknown) =>
  new WorkflowStorageError({ message: `${message}: ${describe(cause)}`, cause })

const describe = (cause: unknown): string => {
  if (typeof cause === "object" && cause !== null && "cause" in cause) {
    const inner = (cause as { readonly cause: unknown }).cause
    if (inner instanceof Error) return inner.message
  }
  return cause instanceof Error ? cause.message : String(cause)
}

/**
 * Embedded storage in a SQLite file (`":memory:"` for one process's lifetime), one worker process per file (see the
 * module docs). Provides the `WorkflowEngine` and the `SqlClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerSqlite = (
  options: ClusterOptions & { readonly filename: string }
): Layer.Layer<Provided, ConfigError.ConfigError | WorkflowStorageError> => {
  // a file another worker holds fails while the connection is made (`SQLITE_BUSY`, after SQLite's 5 s busy timeout)
  const client = SqliteClient.layer({ filename: options.filename }).pipe(
    Layer.catchAllCause((cause) => {
      const error = Cause.squash(cause)
      const busy = typeof error === "object" && error !== null && "code" in error && error.code === "SQLITE_BUSY"
      return Layer.fail(
        storageError(
          busy
            ? `the SQLite file ${options.filename} is locked by another worker (one worker per file)`
            : `cannot open the SQLite file ${options.filename}`
        )(error)
      )
    })
  )
  // SQLite's exclusive lock, held from the first write until the process ends (the OS releases it on a crash)
  const exclusive = Layer.effectDiscard(
    Effect.flatMap(SqlClient.SqlClient, (sql) =>
      Effect.zipRight(
        sql.unsafe("PRAGMA locking_mode = EXCLUSIVE"),
        sql.unsafe("BEGIN EXCLUSIVE").pipe(Effect.zipRight(sql.unsafe("COMMIT")))
      )).pipe(
        Effect.mapError(
          storageError(`the SQLite file ${options.filename} is locked by another worker (one worker per file)`)
        )
      )
  )
  return engineOn({
    // one runner per file: a fresh process takes the shards of a crashed one at once
    runnerAddress: Option.some(RunnerAddress.make("venice-workflow-sqlite", 0)),
    ...options.shardingConfig
  }).pipe(
    Layer.provideMerge(exclusive.pipe(Layer.provideMerge(client)))
  )
}

/**
 * PostgreSQL storage for a fleet of workers (see the module docs). `runner` names this worker among the others
 * (default: this host and process id); no port is opened. Provides the `WorkflowEngine` and the `SqlClient`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPg = (
  options: ClusterOptions & {
    readonly url: Redacted.Redacted
    readonly runner?: { readonly host: string; readonly port: number } | undefined
    readonly maxConnections?: number | undefined
  }
): Layer.Layer<Provided, ConfigError.ConfigError | WorkflowStorageError> => {
  const client = Layer.unwrapEffect(
    Effect.tryPromise({
      try: () => import("@effect/sql-pg/PgClient"),
      catch: storageError("@effect/sql-pg is not installed (npm install @effect/sql-pg)")
    }).pipe(
      Effect.map((Pg) =>
        Pg.layer({
          url: options.url,
          applicationName: "venice-workflow",
          ...(options.maxConnections !== undefined ? { maxConnections: options.maxConnections } : {})
        }).pipe(Layer.mapError(storageError("cannot connect to PostgreSQL")))
      )
    )
  )
  const runner = options.runner ?? { host: Os.hostname(), port: process.pid }
  return engineOn({
    runnerAddress: Option.some(RunnerAddress.make(runner.host, runner.port)),
    ...options.shardingConfig
  }).pipe(Layer.provideMerge(client))
}

/**
 * {@link layerPg} from configuration: `VENICE_WORKFLOW_PG_URL` (read with `Config.redacted`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerPgConfig = (
  options: Omit<Parameters<typeof layerPg>[0], "url"> = {}
): Layer.Layer<Provided, ConfigError.ConfigError | WorkflowStorageError> =>
  Layer.unwrapEffect(Effect.map(Config.redacted("VENICE_WORKFLOW_PG_URL"), (url) => layerPg({ ...options, url })))
