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
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import type { SqlError } from "@effect/sql/SqlError"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import * as Arr from "effect/Array"
import * as Cause from "effect/Cause"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import type * as Redacted from "effect/Redacted"
import * as Schedule from "effect/Schedule"
import * as Os from "node:os"
import * as SqlFailure from "./internal/sqlFailure.js"
import * as Store from "./internal/store.js"
import * as WorkflowError from "./WorkflowError.js"

/**
 * The storage failed: it could not be opened or set up, or a step could not read or write its record (see
 * `WorkflowError.WorkflowStorageError`, the same class).
 *
 * @since 0.1.0
 * @category errors
 */
export const WorkflowStorageError: typeof WorkflowError.WorkflowStorageError = WorkflowError.WorkflowStorageError

/**
 * @since 0.1.0
 * @category errors
 */
export type WorkflowStorageError = WorkflowError.WorkflowStorageError

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
    ),
    // `@effect/cluster` dies when its tables cannot be created (its migrator runs under `Effect.orDie`): typed (D6)
    Layer.catchAllCause((cause) => {
      const sqlDefect = Arr.findFirst(Cause.defects(cause), isSqlFailure)
      return Option.isSome(sqlDefect) && Option.isNone(Cause.failureOption(cause))
        ? Layer.fail(storageError("cannot create @effect/cluster's tables")(sqlDefect.value))
        : Layer.failCause(cause)
    })
  )

/** A failure of `@effect/sql` (a statement's `SqlError`, the migrator's `MigrationError`), however it was raised. */
const isSqlFailure = (defect: unknown): boolean =>
  Predicate.isTagged(defect, "SqlError") || Predicate.isTagged(defect, "MigrationError")

const storageError = (message: string) => (cause: unknown): WorkflowStorageError =>
  SqlFailure.storageError(message, cause, true)

// the two-key form (int4, int4): a lock space apart from `@effect/cluster`'s shard locks (one bigint key)
const SETUP_LOCK = [0x76656e69, 0x63650001] as const

/**
 * PostgreSQL: builds `layer` (the engine, which creates the tables) holding a session advisory lock, so workers that
 * start together on a fresh database create the tables one at a time. Without it, both run `@effect/cluster`'s
 * migrator, whose unguarded `CREATE TABLE cluster_migrations` fails in one of them (`42P07`, or `23505` on
 * `pg_type`) and kills it. The lock is waited for with `pg_try_advisory_lock`, for at most 60 s (the time another
 * worker may take to set up), and released as soon as the layer is built, or by PostgreSQL if this process dies (D6).
 */
const oneSetupAtATime = <A, E>(
  layer: Layer.Layer<A, E, SqlClient.SqlClient>
): Layer.Layer<A, E | WorkflowStorageError, SqlClient.SqlClient> =>
  Layer.scopedContext(Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const scope = yield* Effect.scope
    const locked = Effect.scoped(Effect.gen(function*() {
      const conn = yield* sql.reserve
      const taken = conn.executeValues("SELECT pg_try_advisory_lock($1, $2)", SETUP_LOCK).pipe(
        Effect.map((rows) => rows[0]?.[0] === true)
      )
      yield* taken.pipe(
        Effect.filterOrFail((ok) => ok, () => new LockBusy()),
        Effect.retry({ schedule: Schedule.spaced("100 millis").pipe(Schedule.upTo("60 seconds")), while: isBusy })
      )
      const unlock = conn.executeValues("SELECT pg_advisory_unlock($1, $2)", SETUP_LOCK).pipe(Effect.ignore)
      return yield* Effect.ensuring(Layer.buildWithScope(layer, scope), unlock)
    }))
    return yield* Effect.catchIf(
      locked,
      (e): e is SqlError | LockBusy => isBusy(e) || isSqlFailure(e),
      (e) =>
        storageError(
          isBusy(e)
            ? "another worker has been setting up the workflow tables for 60 s"
            : "cannot lock the workflow tables while setting them up"
        )(e)
    )
  }))

class LockBusy extends Data.TaggedError("LockBusy") {}
const isBusy = (e: unknown): e is LockBusy => e instanceof LockBusy

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
  return oneSetupAtATime(engineOn({
    runnerAddress: Option.some(RunnerAddress.make(runner.host, runner.port)),
    ...options.shardingConfig
  })).pipe(Layer.provideMerge(client))
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
