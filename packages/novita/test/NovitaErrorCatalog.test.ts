import { describe, expect, it } from "@effect/vitest"
import * as ErrorCatalog from "@venice-effect/novita/ErrorCatalog"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

// the seed, vendored in fixtures/shared (a byte-identical copy of ../shared, checked by core Fixtures.test.ts)
const SEED = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../../fixtures/shared/seeds/004_e9f3468768fee00e.txt"
)

interface SeedRow {
  readonly code: string
  readonly group: string
  readonly status: number
  readonly description: string
}

/** Parses the seed's markdown: `## <heading>` starts a table; `| NAME | STATUS | TEXT |` rows follow. */
const parseSeed = (text: string): ReadonlyArray<SeedRow> => {
  const groupOfHeading = new Map<string, string>(
    Object.entries(ErrorCatalog.groupTitles).map(([group, { title }]) => [title, group])
  )
  const rows: Array<SeedRow> = []
  let group: string | undefined
  for (const line of text.split(/\r?\n/)) {
    const heading = /^##\s+(.+?)\s*$/.exec(line)
    if (heading !== null) {
      group = groupOfHeading.get(heading[1]!)
      if (group === undefined) throw new Error(`unknown seed heading: ${heading[1]}`)
      continue
    }
    if (!line.trim().startsWith("|")) continue
    const cells = line.trim().replace(/^\|/, "").replace(/\|$/, "").split("|").map((cell) => cell.trim())
    if (cells.length !== 3) throw new Error(`unexpected table line: ${line}`)
    const [code, status, description] = cells as [string, string, string]
    if (/^-+$/.test(code) || code === "错误名称") continue
    if (group === undefined) throw new Error(`table row before any heading: ${line}`)
    rows.push({ code, group, status: Number(status), description })
  }
  return rows
}

const key = (row: SeedRow): string => `${row.group}/${row.code}/${row.status}/${row.description}`

describe("NovitaErrorCatalog", () => {
  const seedRows = parseSeed(fs.readFileSync(SEED, "utf8"))

  it("the seed parses into its three tables (24 + 9 + 5 rows)", () => {
    expect(seedRows.filter((row) => row.group === "media")).toHaveLength(24)
    expect(seedRows.filter((row) => row.group === "llm")).toHaveLength(9)
    expect(seedRows.filter((row) => row.group === "billing")).toHaveLength(5)
  })

  it("has exactly the seed's rows: code, group, status and Chinese description (nothing missing, nothing extra)", () => {
    const catalog = ErrorCatalog.entries.map((entry) =>
      key({ code: entry.code, group: entry.group, status: entry.status, description: entry.description })
    )
    const seed = seedRows.map(key)
    expect(catalog.filter((k) => !seed.includes(k))).toEqual([])
    expect(seed.filter((k) => !catalog.includes(k))).toEqual([])
    expect(catalog).toEqual(seed) // same order too
  })

  it("identifies a row by (code, group): no duplicates", () => {
    const ids = ErrorCatalog.entries.map((entry) => `${entry.group}/${entry.code}`)
    expect(new Set(ids).size).toBe(ids.length)
  })

  it("derives the groups and the distinct codes from the table", () => {
    expect(ErrorCatalog.groups).toEqual(["media", "llm", "billing"])
    expect(ErrorCatalog.codes).toEqual([...new Set(seedRows.map((row) => row.code))])
    expect(ErrorCatalog.codes).toHaveLength(35)
  })

  it("every row has an English description and a remedy", () => {
    for (const entry of ErrorCatalog.entries) {
      expect(entry.descriptionEn.trim().length, entry.code).toBeGreaterThan(0)
      expect(entry.remedy.trim().length, entry.code).toBeGreaterThan(0)
      expect(entry.remedy, entry.code).not.toContain("\n")
    }
  })

  describe("retry classes (N3)", () => {
    it("429s back off (Novita sends no rate-limit headers): never header-wait", () => {
      const limited = ErrorCatalog.entries.filter((entry) => entry.status === 429)
      expect(limited.map((entry) => entry.code).sort()).toEqual(
        ["LIST_BILL_TOO_FAST", "RATE_LIMIT_EXCEEDED", "RATE_LIMIT_EXCEEDED", "TOKEN_LIMIT_EXCEEDED"]
      )
      for (const entry of limited) expect(entry.retryClass, entry.code).toBe("backoff")
      for (const entry of ErrorCatalog.entries) expect(entry.retryClass, entry.code).not.toBe("header-wait")
    })

    it("auth, balance, permission, validation, content and not-found (every other 4xx) never retry", () => {
      for (const entry of ErrorCatalog.entries) {
        if (entry.status >= 400 && entry.status < 500 && entry.status !== 429) {
          expect(entry.retryClass, entry.code).toBe("never")
        }
      }
    })

    it("5xx: transient service failures back off, a failed task does not", () => {
      const serverRows = ErrorCatalog.entries.filter((entry) => entry.status >= 500)
      expect(Object.fromEntries(serverRows.map((entry) => [entry.code, entry.retryClass]))).toEqual({
        BILLING_FAILED: "backoff",
        CREATE_TASK_FAILED: "backoff",
        GET_RESULT_FAILED: "backoff",
        TASK_FAILED: "never",
        SERVICE_NOT_AVAILABLE: "backoff",
        UNKNOWN: "backoff",
        LIST_BILL_ERROR: "backoff"
      })
    })
  })

  describe("lookups", () => {
    it("byCode returns one row per group the code appears in", () => {
      expect(ErrorCatalog.byCode("INVALID_API_KEY").map((row) => [row.group, row.description])).toEqual([
        ["media", "API Key 校验失败"],
        ["llm", "未提供 API Key"]
      ])
      expect(ErrorCatalog.byCode("INVALID_REQUEST_BODY").map((row) => row.group)).toEqual(["media", "llm"])
      expect(ErrorCatalog.byCode("RATE_LIMIT_EXCEEDED").map((row) => row.group)).toEqual(["media", "llm"])
      expect(ErrorCatalog.byCode("TASK_FAILED")).toHaveLength(1)
      expect(ErrorCatalog.byCode("NOPE")).toEqual([])
      expect(ErrorCatalog.byCode("toString")).toEqual([])
    })

    it("find by code and group", () => {
      const row = ErrorCatalog.find("INVALID_REQUEST_BODY", "llm")
      expect(Option.map(row, (r) => r.description)).toEqual(Option.some("请求体格式错误，详见 message"))
      expect(ErrorCatalog.find("TOKEN_LIMIT_EXCEEDED", "media")).toEqual(Option.none())
      expect(ErrorCatalog.find("NOPE", "billing")).toEqual(Option.none())
      for (const entry of ErrorCatalog.entries) {
        expect(ErrorCatalog.find(entry.code, entry.group)).toEqual(Option.some(entry))
      }
    })

    it("groupOfRoute recognises LLM, media and billing paths and URLs", () => {
      expect(ErrorCatalog.groupOfRoute("/openai/v1/chat/completions")).toEqual(Option.some("llm"))
      expect(ErrorCatalog.groupOfRoute("https://api.novita.ai/v3/openai/chat/completions")).toEqual(
        Option.some("llm")
      )
      expect(ErrorCatalog.groupOfRoute("https://api.novita.ai/v3/async/txt2img")).toEqual(Option.some("media"))
      expect(ErrorCatalog.groupOfRoute("/v3/async/task-result?task_id=abc")).toEqual(Option.some("media"))
      expect(ErrorCatalog.groupOfRoute("/openapi/v1/billing/bill/list?cycle=x")).toEqual(Option.some("billing"))
      expect(ErrorCatalog.groupOfRoute("/v3/user/info")).toEqual(Option.none())
      expect(ErrorCatalog.groupOfRoute("/v3/models?q=openai/x")).toEqual(Option.none())
      expect(ErrorCatalog.groupOfRoute("")).toEqual(Option.none())
    })

    it("resolve: the route's group, else the status match, else the first row", () => {
      const group = (code: string, hints: Parameters<typeof ErrorCatalog.resolve>[1]) =>
        Option.map(ErrorCatalog.resolve(code, hints), (row) => row.group)
      expect(group("INVALID_API_KEY", { route: "/openai/v1/completions" })).toEqual(Option.some("llm"))
      expect(group("INVALID_API_KEY", { route: "/v3/async/img2img" })).toEqual(Option.some("media"))
      expect(group("INVALID_API_KEY", { status: 403 })).toEqual(Option.some("media"))
      expect(group("INVALID_API_KEY", {})).toEqual(Option.some("media"))
      // a route of a group the code is not in: fall back to status, then first
      expect(group("RATE_LIMIT_EXCEEDED", { route: "/openapi/v1/billing/bill/list" })).toEqual(Option.some("media"))
      // single-group codes resolve to their only row whatever the hints
      expect(group("NOT_ENOUGH_BALANCE", { route: "/v3/async/txt2img", status: 400 })).toEqual(Option.some("llm"))
      expect(group("NOPE", { status: 400 })).toEqual(Option.none())
    })

    it("the code and group schemas accept exactly the catalogued values", () => {
      for (const code of ErrorCatalog.codes) {
        expect(Schema.is(ErrorCatalog.NovitaErrorCode)(code)).toBe(true)
        expect(ErrorCatalog.isCode(code)).toBe(true)
      }
      expect(Schema.is(ErrorCatalog.NovitaErrorCode)("NOPE")).toBe(false)
      expect(ErrorCatalog.isCode("invalid_api_key")).toBe(false)
      expect(ErrorCatalog.isCode(403)).toBe(false)
      expect(Schema.is(ErrorCatalog.NovitaErrorGroup)("llm")).toBe(true)
      expect(Schema.is(ErrorCatalog.NovitaErrorGroup)("image")).toBe(false)
    })
  })
})
