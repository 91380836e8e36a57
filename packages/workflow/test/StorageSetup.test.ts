/**
 * Storage failures are typed, never defects (D6). Workers that start together on a fresh PostgreSQL database all
 * start: they set the tables up one at a time (two `@effect/cluster` migrators racing to `CREATE TABLE
 * cluster_migrations` kill the loser with `42P07`). A database `@effect/cluster` cannot migrate fails the layer with a
 * `WorkflowStorageError`, and so does a step's store operation that the database refuses.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Store from "../src/internal/store.js"
import * as VeniceWorkflows from "../src/VeniceWorkflows.js"
import * as WorkflowStorage from "../src/WorkflowStorage.js"
import { freshDatabase, missingPostgres } from "./postgres.js"
import { keyClient, sqliteWorker, videoRequest } from "./support.js"

/** Builds a worker's storage on `url` (runner `i`) and closes it again: how that went. */
const start = (url: string, i: number) =>
  Layer.build(
    WorkflowStorage.layerPg({ url: Redacted.make(url), runner: { host: `setup-${i}`, port: 3000 + i } })
  ).pipe(Effect.scoped, Effect.exit)

const describeExit = (exit: Exit.Exit<unknown, unknown>): string =>
  Exit.isSuccess(exit) ? "started" : Cause.pretty(exit.cause)

describe.skipIf(missingPostgres !== undefined)("PostgreSQL storage set up by several workers", () => {
  it.live(
    "four workers starting together on a fresh database, three times: every one starts",
    () =>
      Effect.gen(function*() {
        for (let round = 0; round < 3; round++) {
          const url = yield* Effect.promise(() => freshDatabase("setup"))
          const exits = yield* Effect.all([0, 1, 2, 3].map((i) => start(url, i)), { concurrency: "unbounded" })
          expect(exits.map(describeExit)).toEqual(["started", "started", "started", "started"])
        }
      }),
    120_000
  )

  it.live(
    "a database @effect/cluster cannot migrate: a WorkflowStorageError naming it, not a defect",
    () =>
      Effect.gen(function*() {
        const url = yield* Effect.promise(() => freshDatabase("badmigration"))
        // a `cluster_migrations` table of another shape: the cluster's migrator fails on it (42703)
        yield* Effect.flatMap(SqlClient.SqlClient, (sql) => sql`CREATE TABLE cluster_migrations (x INTEGER)`).pipe(
          Effect.provide(PgClient.layer({ url: Redacted.make(url) })),
          Effect.orDie
        )
        const exit = yield* start(url, 0)
        expect(Exit.isFailure(exit) && Cause.isDie(exit.cause)).toBe(false)
        const error = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined
        expect(error?._tag === "Some" && error.value._tag).toBe("WorkflowStorageError")
        expect(error?._tag === "Some" && error.value.message).toContain("cannot create @effect/cluster's tables")
        expect(error?._tag === "Some" && "code" in error.value && error.value.code).toBe("42703")
      }),
    60_000
  )
})

describe("a store operation the database refuses", () => {
  it.live("a WorkflowStorageError naming the operation and the database's code, at once (not retried)", () =>
    Effect.gen(function*() {
      // no tables: the statement fails (SQLITE_ERROR), which no retry can cure
      const error = yield* Effect.flip(Store.job("need-1"))
      expect(error._tag).toBe("WorkflowStorageError")
      expect(error.code).toBe("SQLITE_ERROR")
      expect(error.message).toContain("the workflow store could not read a queue step")
    }).pipe(Effect.provide(SqliteClient.layer({ filename: ":memory:" }))))
})

describe("the engine's own storage failing under a run", () => {
  it.live("videoToFile fails with a WorkflowStorageError, not a defect", () =>
    Effect.gen(function*() {
      const sql = yield* SqlClient.SqlClient
      yield* Effect.orDie(sql`DROP TABLE cluster_messages`)
      const error = yield* Effect.flip(VeniceWorkflows.videoToFile({
        id: "no-storage",
        request: videoRequest(),
        output: { _tag: "Bytes" }
      }))
      expect(error._tag).toBe("WorkflowStorageError")
      expect(error.message).toContain("the workflow engine's storage failed")
    }).pipe(Effect.provide(sqliteWorker(":memory:", keyClient("http://127.0.0.1:9")))), 30_000)
})
