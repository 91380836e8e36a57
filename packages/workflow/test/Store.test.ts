/**
 * The steps' SQL records under concurrency, on SQLite and on a real PostgreSQL (see `postgres.ts`): budget
 * reservations from several connection pools at once (as several worker processes would make them) never add up past
 * the cap; a wallet has at most one open payment; a void payment gives its amount back once; one `sending` queue
 * record per account and model.
 */
import * as PgClient from "@effect/sql-pg/PgClient"
import * as SqliteClient from "@effect/sql-sqlite-node/SqliteClient"
import * as SqlClient from "@effect/sql/SqlClient"
import { describe, expect, it } from "@effect/vitest"
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Path from "node:path"
import * as Store from "../src/internal/store.js"
import { freshDatabase, missingPostgres } from "./postgres.js"
import { tempDir } from "./support.js"

const BUDGET = Store.toMicros(50)
const AMOUNT = Store.toMicros(10)

/** `n` reservations, each for its own need on its own wallet, through `clients` pools in turn, all at once. */
type Pool = Context.Context<SqlClient.SqlClient>

const race = (clients: ReadonlyArray<Pool>, n: number) =>
  Effect.all(
    Array.from({ length: n }, (_, i) =>
      Store.reserve({
        needId: `need-${i}`,
        attempt: 1,
        wallet: `wallet:${i}`,
        budgetKey: "shared",
        amountMicros: AMOUNT,
        createdAt: i
      }, BUDGET).pipe(Effect.provide(clients[i % clients.length]!))),
    { concurrency: "unbounded" }
  )

const checks = (layers: ReadonlyArray<Layer.Layer<SqlClient.SqlClient>>) =>
  Effect.gen(function*() {
    // each layer built once: separate pools, as separate worker processes would have
    const clients: ReadonlyArray<Pool> = yield* Effect.all(layers.map(Layer.build))
    const first = clients[0]!
    yield* Effect.provide(Store.migrate, first)
    // 1. the cap holds across pools: 20 reservations of $10 against $50 → exactly 5 reserved
    const answers = yield* race(clients, 20)
    expect(answers.filter((a) => a._tag === "Reserved")).toHaveLength(5)
    expect(answers.filter((a) => a._tag === "OverBudget")).toHaveLength(15)
    expect(yield* Effect.provide(Store.spent("shared"), first)).toBe(50)

    // 2. one open payment per wallet: a second need of wallet:0 is refused while need-0 is open
    const busy = yield* Effect.provide(
      Store.reserve(
        { needId: "other", attempt: 1, wallet: "wallet:0", budgetKey: "other", amountMicros: 1, createdAt: 0 },
        BUDGET
      ),
      first
    )
    expect(busy._tag).toBe("WalletBusy")
    // …and nothing of it was kept (the transaction rolled back)
    expect(yield* Effect.provide(Store.spent("other"), first)).toBe(0)

    // 3. void gives the amount back once, however often it is recorded
    const rows = yield* Effect.provide(Store.payments("need-0"), first)
    const open = rows[0]!
    yield* Effect.provide(Effect.all([Store.recordVoid(open), Store.recordVoid(open), Store.recordVoid(open)]), first)
    expect(yield* Effect.provide(Store.spent("shared"), first)).toBe(40)

    // 4. one `sending` queue record per account and model, across pools
    const claims = yield* Effect.all(
      Array.from({ length: 6 }, (_, i) =>
        Store.claimSending({ needId: `job-${i}`, account: "wallet:0", kind: "video", model: "m", sentAt: i }).pipe(
          Effect.provide(clients[i % clients.length]!)
        )),
      { concurrency: "unbounded" }
    )
    expect(claims.filter(Boolean)).toHaveLength(1)
  }).pipe(Effect.scoped)

describe("the steps' store", () => {
  it.live("SQLite: cap, one open payment per wallet, void once, one sending job", () =>
    checks([SqliteClient.layer({ filename: Path.join(tempDir("store"), "store.sqlite") }).pipe(Layer.orDie)]))

  it.live.skipIf(missingPostgres !== undefined)(
    "PostgreSQL, three pools racing: the same",
    () =>
      Effect.gen(function*() {
        const url = yield* Effect.promise(() => freshDatabase("store"))
        const pool = () => PgClient.layer({ url: Redacted.make(url), maxConnections: 5 }).pipe(Layer.orDie)
        yield* checks([pool(), pool(), pool()])
      }),
    60_000
  )
})
