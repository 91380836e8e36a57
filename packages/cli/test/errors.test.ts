/**
 * `venice errors [CODE] [--json]`, run as the built command: the table, one code, an unknown code (exit 2), and the
 * JSON for scripts, checked against the catalog itself.
 */
import { describe, expect, it } from "@effect/vitest"
import * as ErrorCatalog from "@venice-effect/venice/ErrorCatalog"
import { CONTROL, run } from "./support.js"

const entries = ErrorCatalog.entries as ReadonlyArray<ErrorCatalog.Entry>

describe("venice errors", () => {
  it("prints the catalog as a table: a header, then one line per code", async () => {
    const r = await run(["errors"])
    expect(r.code).toBe(0)
    expect(r.stderr).toBe("")
    const lines = r.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^CODE\s+HTTP\s+LOG\s+RETRY\s+WHAT TO DO$/)
    expect(lines).toHaveLength(entries.length + 1)
    for (const [i, entry] of entries.entries()) {
      expect(lines[i + 1]).toMatch(new RegExp(`^${entry.code}\\s+${entry.status}\\s+\\S+\\s+${entry.retryClass}\\s+`))
    }
    expect(r.stdout).not.toMatch(CONTROL)
  })

  it("explains one code, case-insensitively", async () => {
    const r = await run(["errors", "rate_limit_exceeded"])
    expect(r.code).toBe(0)
    expect(r.stdout).toBe(
      [
        "RATE_LIMIT_EXCEEDED (HTTP 429)",
        "  message:     Rate limit exceeded",
        "  retry class: header-wait",
        "  log level:   - (debug)",
        `  what to do:  ${ErrorCatalog.entry("RATE_LIMIT_EXCEEDED").remedy}`,
        "  source:      Venice's error-code table",
        ""
      ].join("\n")
    )
  })

  it("an unknown code is a usage error (exit 2) with suggestions, on stderr", async () => {
    const r = await run(["errors", "OVERLOAD"])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
    expect(r.stderr).toBe("venice: unknown error code OVERLOAD — did you mean MODEL_OVERLOADED?\n")
    const none = await run(["errors", "NO_SUCH_THING"])
    expect(none.code).toBe(2)
    expect(none.stderr).toBe("venice: unknown error code NO_SUCH_THING\n")
  })

  it("--json: code, status, message, logLevel, retryClass (and remedy) for every Venice code", async () => {
    const r = await run(["errors", "--json"])
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as ReadonlyArray<Record<string, unknown>>
    expect(rows.map((row) => row["code"])).toEqual(entries.map((e) => e.code))
    for (const [i, entry] of entries.entries()) {
      expect(rows[i]).toEqual({
        code: entry.code,
        status: entry.status,
        message: entry.message,
        logLevel: entry.logLevel,
        retryClass: entry.retryClass,
        remedy: entry.remedy
      })
    }
  })

  it("--json with a code prints that code's object", async () => {
    const r = await run(["errors", "MODEL_NOT_FOUND", "--json"])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      code: "MODEL_NOT_FOUND",
      status: 404,
      logLevel: "-",
      retryClass: "never"
    })
  })
})

describe("venice", () => {
  it("--help lists the three commands, without control sequences when piped", async () => {
    const r = await run(["--help"])
    expect(r.code).toBe(0)
    for (const command of ["chat", "errors", "demo"]) expect(r.stdout).toContain(`- ${command}`)
    expect(r.stdout).not.toMatch(CONTROL)
  })

  it("an unknown subcommand is a usage error (exit 2)", async () => {
    const r = await run(["bogus"])
    expect(r.code).toBe(2)
    expect(r.stderr).toContain("Invalid subcommand")
    expect(r.stderr).not.toMatch(CONTROL)
  })
})
