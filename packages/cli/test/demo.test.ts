/**
 * `venice demo` and the repository's `npm start` (`bin/start.js`): the demo plays every scenario through the real
 * client against the embedded emulator, prints clean text whose summary fits 80 columns (or the terminal), and exits 0.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Demo from "../src/Demo.js"
import { bin, CONTROL, hasPty, run, runInPty, start, widths } from "./support.js"

/** The summary table: from its header line to the count line. */
const summaryOf = (stdout: string): ReadonlyArray<string> => {
  const lines = stdout.split("\n")
  const header = lines.findIndex((l) => /^scenario\s+tries\s+waited\s+outcome \(code\)$/.test(l))
  expect(header).toBeGreaterThan(0)
  const end = lines.findIndex((l, i) => i > header && /^\d+\/\d+ scenarios behaved as expected/.test(l))
  return lines.slice(header, end + 1)
}

describe("venice demo", () => {
  it(
    "npm start without arguments runs the demo: every scenario as expected, exit 0; the summary fits 80 columns",
    async () => {
      const r = await run([], { script: start, timeout: 60_000 })
      expect(r.code).toBe(0)
      expect(r.stdout).not.toMatch(CONTROL)
      expect(r.stderr).not.toMatch(CONTROL)
      expect(r.stderr).toMatch(
        /^venice: demo — using the embedded Venice emulator at http:\/\/127\.0\.0\.1:\d+\/api\/v1\n$/
      )

      const lines = r.stdout.split("\n")
      // a timeline per scenario, then the summary: one row per scenario, each ✓, no line wider than 80
      for (const [i, s] of Demo.scenarios.entries()) expect(lines).toContain(`${i + 1}. ${s.title}`)
      const summary = summaryOf(r.stdout)
      expect(Math.max(...widths(summary.join("\n")))).toBeLessThanOrEqual(80)
      const rows = summary.filter((l) => /^\S/.test(l)).slice(2, 2 + Demo.scenarios.length)
      for (const [i, s] of Demo.scenarios.entries()) {
        expect(rows[i]).toMatch(new RegExp(`^${s.title.replace(/[+>.()]/g, "\\$&")}\\s+\\d+\\s+\\d+\\.\\d s  ✓ `))
      }
      expect(r.stdout).toMatch(
        new RegExp(
          `\n${Demo.scenarios.length}/${Demo.scenarios.length} scenarios behaved as expected, in \\d+\\.\\d s\\.\n$`
        )
      )

      // the timeline shows both sides: the client's attempts and waits, the server's answers
      expect(r.stdout).toMatch(/client {2}… waiting 1\.\d s \(retry-after\) before attempt 2/)
      expect(r.stdout).toMatch(
        /server {2}429 POST \/chat\/completions venice-uncensored {2}\[scripted: Error:RATE_LIMIT_EXCEEDED\]/
      )
      expect(r.stdout).toMatch(/server {2}402 POST \/x402\/top-up/)
      expect(r.stdout).toMatch(/emulator ledger before: \$0\.00, no transactions/)
      expect(r.stdout).toMatch(/emulator ledger after: {2}\$9\.\d+ — TOP_UP \+\$10\.00, CHARGE -\$0\.\d+/)
      expect(r.stdout).toMatch(/throwaway wallet 0x[0-9a-fA-F]{40} \(key generated for this run, never printed\)/)
    },
    60_000
  )

  it("the summary marks a scenario that misbehaved, and the count says so (the command then exits 1)", () => {
    const row = { attempts: 2, waitedMillis: 1_150, code: "RATE_LIMIT_EXCEEDED", problems: [] }
    const lines = Demo.renderSummary({
      baseUrl: "http://127.0.0.1:1/api/v1",
      elapsedMillis: 4_200,
      rows: [
        { ...row, scenario: "429 + Retry-After", outcome: "200 after the announced wait", ok: true },
        { ...row, scenario: "broken", outcome: "200 at once", ok: false, problems: ["expected a wait"] }
      ]
    })
    expect(lines.slice(0, 6)).toEqual([
      "scenario           tries  waited  outcome (code)",
      "─────────────────  ─────  ──────  ──────────────────────────────",
      "429 + Retry-After      2   1.1 s  ✓ 200 after the announced wait",
      "                                    RATE_LIMIT_EXCEEDED",
      "broken                 2   1.1 s  ✗ 200 at once",
      "                                    RATE_LIMIT_EXCEEDED"
    ])
    expect(lines.at(-1)).toBe("1/2 scenarios behaved as expected, in 4.2 s.")
  })

  it("the summary wraps its outcome column to the width it is given", () => {
    const row = { attempts: 1, waitedMillis: 0, code: "MODEL_NOT_FOUND", problems: [], ok: true }
    const report = {
      baseUrl: "http://127.0.0.1:1/api/v1",
      elapsedMillis: 1_000,
      rows: [{ ...row, scenario: "404, never retried", outcome: "failed at once, rendered with the remedy" }]
    }
    const narrow = Demo.renderSummary(report, 60)
    expect(Math.max(...widths(narrow.join("\n")))).toBeLessThanOrEqual(60)
    expect(narrow.slice(2, 6)).toEqual([
      "404, never retried      1   0.0 s  ✓ failed at once,",
      "                                     rendered with the",
      "                                     remedy",
      "                                     MODEL_NOT_FOUND"
    ])
    expect(Demo.renderSummary(report, 80)[2]).toBe(
      "404, never retried      1   0.0 s  ✓ failed at once, rendered with the remedy"
    )
  })

  it("--json prints the report as JSON on stdout, and only that", async () => {
    const r = await run(["demo", "--json"], { timeout: 60_000 })
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report.rows.map((row: { scenario: string }) => row.scenario)).toEqual(Demo.scenarios.map((s) => s.title))
    for (const row of report.rows) expect(row).toMatchObject({ ok: true, problems: [] })
  }, 60_000)

  it.runIf(hasPty)("on a 64-column terminal the summary fits 64 columns", async () => {
    const r = await runInPty(`stty cols 64; '${process.execPath}' '${bin}' demo`, {}, 60_000)
    expect(r.code).toBe(0)
    const summary = summaryOf(r.stdout.replace(/\r\n/g, "\n"))
    expect(Math.max(...widths(summary.join("\n")))).toBeLessThanOrEqual(64)
  }, 60_000)

  it("npm start -- <arguments> runs those arguments", async () => {
    const r = await run(["errors", "PAYMENT_REQUIRED"], { script: start })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^PAYMENT_REQUIRED \(HTTP 402\)\n/)
  })
})
