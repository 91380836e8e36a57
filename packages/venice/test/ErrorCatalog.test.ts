import { describe, expect, it } from "@effect/vitest"
import * as Option from "effect/Option"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as ErrorCatalog from "../src/ErrorCatalog.js"

const seeds = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../fixtures/shared/seeds")

interface SeedRow {
  readonly code: string
  readonly status: number
  readonly message: string
  readonly logLevel: string
}

/** Parses the error-code table of one edition of Venice's error-code page (markdown). */
const parseSeedTable = (file: string): ReadonlyArray<SeedRow> =>
  fs.readFileSync(path.join(seeds, file), "utf8")
    .split("\n")
    .filter((line) => line.startsWith("| `"))
    .map((line) => {
      const cells = line.split("|").slice(1, -1).map((c) => c.trim())
      expect(cells).toHaveLength(4)
      return {
        code: cells[0]!.replace(/`/g, ""),
        status: Number(cells[1]),
        // the docs render links as markdown and escape underscores; Venice sends plain text
        message: cells[2]!.replace(/\[([^\]]+)\]\(([^)]+)\)/g, "$1").replace(/\\_/g, "_"),
        logLevel: cells[3]!
      }
    })

const editions = ["000_90c47fc3137b97ba.txt", "001_fd3777876e7248cb.txt", "002_2bb12865c0453446.txt"]

describe("ErrorCatalog (C1)", () => {
  const table = parseSeedTable("002_2bb12865c0453446.txt")

  it("the seed table has 40 rows", () => {
    expect(table).toHaveLength(40)
  })

  it("every edition of the seed page carries the same table", () => {
    for (const edition of editions) expect(parseSeedTable(edition)).toEqual(table)
  })

  it.each(table)("$code: status, message and log level match the seed", (row) => {
    const entry = Option.getOrUndefined(ErrorCatalog.find(row.code))
    expect(entry, `catalog lacks ${row.code}`).toMatchObject({
      status: row.status,
      message: row.message,
      logLevel: row.logLevel,
      origin: "table"
    })
  })

  it("catalogs exactly the seed's 40 codes as table rows, in the seed's order", () => {
    expect(ErrorCatalog.tableCodes).toEqual(table.map((r) => r.code))
  })

  it("codes are unique, including alternative spellings", () => {
    const all = ErrorCatalog.entries.flatMap((e: ErrorCatalog.Entry) => [e.code, ...(e.altCodes ?? [])])
    expect(new Set(all).size).toBe(all.length)
  })

  it("every row has a remedy and a retry class consistent with its status (R1–R5, C5)", () => {
    for (const e of ErrorCatalog.entries as ReadonlyArray<ErrorCatalog.Entry>) {
      expect(e.remedy.length, e.code).toBeGreaterThan(10)
      if ([400, 401, 403, 404, 410, 413, 415].includes(e.status)) expect(e.retryClass, e.code).toBe("never")
      if (e.status === 429) expect(e.retryClass, e.code).toBe("header-wait")
      if (e.status === 402) expect(["never", "pay-then-retry", "backoff"], e.code).toContain(e.retryClass)
    }
  })

  it("catalogs the extra codes of C3", () => {
    const signIn = [
      "INVALID_PAYLOAD",
      "PARSE_ERROR",
      "INVALID_MESSAGE",
      "ADDRESS_MISMATCH",
      "INVALID_CHAIN_ID",
      "CHAIN_MISMATCH",
      "UNSUPPORTED_CHAIN",
      "MISSING_NONCE",
      "DOMAIN_MISMATCH",
      "TIMESTAMP_MISMATCH",
      "EXPIRED",
      "FUTURE_TIMESTAMP",
      "NOT_BEFORE",
      "INVALID_SIGNATURE",
      "INVALID_WALLET",
      "NONCE_REUSED"
    ].map((s) => `X402_SIGN_IN_${s}`)
    const extras = [
      ...signIn,
      "PAYMENT_HEADER_NOT_ACCEPTED",
      "X402_CONCURRENCY_LIMIT",
      "PAYMENT_IN_PROGRESS",
      "PAYMENT_REQUIRED",
      "INVALID_PAYMENT_FORMAT",
      "INVALID_PAYMENT",
      "UNSUPPORTED_NETWORK",
      "INVALID_PAYMENT_RECIPIENT",
      "UNSUPPORTED_TOKEN",
      "UNSUPPORTED_SCHEME",
      "INVALID_AMOUNT",
      "INVALID_PAYMENT_PAYER",
      "AMOUNT_TOO_LOW",
      "AMOUNT_TOO_HIGH",
      "PAYMENT_VERIFICATION_FAILED",
      "SETTLEMENT_FAILED",
      "SETTLEMENT_TIMEOUT",
      "X402_NOT_CONFIGURED",
      "FAILED_REQUESTS",
      "UNSUPPORTED_FEATURE_REQUESTS",
      "ENDPOINT_RETIRED",
      "context_length_exceeded",
      "needs_consent"
    ]
    for (const code of extras) expect(ErrorCatalog.isCode(code), code).toBe(true)
    expect(ErrorCatalog.entry("SETTLEMENT_TIMEOUT").status).toBe(504)
    expect(ErrorCatalog.entry("PAYMENT_IN_PROGRESS").status).toBe(409)
    expect(ErrorCatalog.entry("X402_CONCURRENCY_LIMIT").status).toBe(429)
  })
})

describe("ErrorCatalog.infer (C2)", () => {
  const rows = ErrorCatalog.entries as ReadonlyArray<
    ErrorCatalog.Entry & { readonly code: ErrorCatalog.VeniceErrorCode }
  >

  it.each(rows.filter((r) => r.origin === "table"))("$code: the canonical message at $status infers it", (row) => {
    expect(ErrorCatalog.infer(row.status, { message: row.message })).toBe(row.code)
  })

  it.each(rows)("$code: an explicit code field infers it", (row) => {
    expect(ErrorCatalog.infer(row.status, { code: row.code, message: "whatever" })).toBe(row.code)
  })

  it("messages with a variable tail match by prefix", () => {
    expect(ErrorCatalog.infer(404, { message: "Specified model not found: venice-uncensored-2" })).toBe(
      "MODEL_NOT_FOUND"
    )
    expect(ErrorCatalog.infer(400, {
      message:
        "Invalid request parameters. For assistance, please reach out to support@venice.ai and reference request ID: abc"
    })).toBe("INVALID_REQUEST")
    expect(ErrorCatalog.infer(429, { message: "Rate limit exceeded. Please try again later." })).toBe(
      "RATE_LIMIT_EXCEEDED"
    )
    expect(ErrorCatalog.infer(413, { message: "File exceeds the maximum allowed size of 25 MB." })).toBe(
      "PAYLOAD_TOO_LARGE"
    )
  })

  it("the error-budget lockout names its bucket by threshold", () => {
    const tail = "resulting in a non-success status code. Please wait 30 seconds and try again."
    expect(ErrorCatalog.infer(429, { message: `Too many failed attempts (> 50) ${tail}` })).toBe("FAILED_REQUESTS")
    expect(ErrorCatalog.infer(429, { message: `Too many failed attempts (> 200) ${tail}` }))
      .toBe("UNSUPPORTED_FEATURE_REQUESTS")
    expect(ErrorCatalog.infer(429, { message: `Too many failed attempts (> 5) ${tail}` })).toBe("FAILED_REQUESTS")
  })

  it("a message only infers at its own status", () => {
    expect(ErrorCatalog.infer(500, { message: "Rate limit exceeded" })).toBe("UNKNOWN")
  })

  it("alternative code spellings map to the catalog code", () => {
    expect(ErrorCatalog.infer(400, { code: "X402_INVALID_PAYMENT" })).toBe("INVALID_PAYMENT")
    expect(ErrorCatalog.infer(429, { code: "model_overloaded" })).toBe("MODEL_OVERLOADED")
  })

  it("the conditions Venice documents without a code are named (issue 17): key privacy, region, 25 MB, credit cap", () => {
    expect(ErrorCatalog.infer(403, {
      message:
        "This API key is set to 'PRIVATE_ONLY', but `kimi-k2-6` is an Anonymous model. Choose a Private, TEE, or E2EE model, or change the model privacy setting of this API key."
    })).toBe("MODEL_PRIVACY_RESTRICTED")
    expect(ErrorCatalog.infer(403, { message: "This model is not available in your country" })).toBe(
      "MODEL_REGION_RESTRICTED"
    )
    expect(ErrorCatalog.infer(403, { message: "Model unavailable in your region (regionRestrictions: US)" }))
      .toBe("MODEL_REGION_RESTRICTED")
    expect(ErrorCatalog.infer(403, { message: "Unauthorized access" })).toBe("UNAUTHORIZED")
    expect(ErrorCatalog.infer(402, { message: "Insufficient balance" })).toBe("INSUFFICIENT_BALANCE")
    expect(ErrorCatalog.infer(400, { message: "Maximum size is 25MB" })).toBe("FILE_TOO_LARGE")
    expect(ErrorCatalog.infer(429, { message: "Rate limit exceeded: 10000000 credits per rolling 24 hours" }))
      .toBe("RPC_CREDIT_LIMIT_EXCEEDED")
    expect(ErrorCatalog.infer(429, { message: "Daily credit limit reached" })).toBe("RPC_CREDIT_LIMIT_EXCEEDED")
    // the per-minute cap stays a rate limit
    expect(ErrorCatalog.infer(429, { message: "Rate limit exceeded: 100 requests per minute" })).toBe(
      "RATE_LIMIT_EXCEEDED"
    )
    for (const code of ["MODEL_PRIVACY_RESTRICTED", "MODEL_REGION_RESTRICTED", "FILE_TOO_LARGE"] as const) {
      expect(ErrorCatalog.entry(code).retryClass).toBe("never")
    }
    expect(ErrorCatalog.entry("RPC_CREDIT_LIMIT_EXCEEDED").retryClass).toBe("header-wait")
  })

  it("a pattern costs one pass over a long message (no backtracking blow-up)", () => {
    const message = "24 ".repeat(20_000)
    expect(ErrorCatalog.infer(429, { message })).toBe("UNKNOWN")
    expect(ErrorCatalog.infer(429, { message: `${message}credit` })).toBe("RPC_CREDIT_LIMIT_EXCEEDED")
  })

  it("falls back to the status: 410 is a retired endpoint, anything else unknown", () => {
    expect(ErrorCatalog.infer(410, { message: "GET /billing/usage was sunset; use GET /api/v1/billing/usage-history" }))
      .toBe("ENDPOINT_RETIRED")
    expect(ErrorCatalog.infer(418, { message: "I'm a teapot" })).toBe("UNKNOWN")
    expect(ErrorCatalog.infer(400, { code: "SOMETHING_NEW", message: "??" })).toBe("UNKNOWN")
  })
})
