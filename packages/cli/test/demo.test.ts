/**
 * `venice demo` and the repository's `npm start` (`bin/start.js`): the demo plays every scenario through the real
 * client against the embedded emulator, finishes well within 30 s, prints clean text, and exits 0.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Demo from "../src/Demo.js"
import { CONTROL, run, start } from "./support.js"

describe("venice demo", () => {
  it("npm start without arguments runs the demo: every scenario as expected, exit 0, under 30 s", async () => {
    const r = await run([], { script: start, timeout: 60_000 })
    expect(r.code).toBe(0)
    expect(r.millis).toBeLessThan(30_000)
    expect(r.stdout).not.toMatch(CONTROL)
    expect(r.stderr).not.toMatch(CONTROL)
    expect(r.stderr).toMatch(/^venice: demo — using the embedded Venice emulator at http:\/\/127\.0\.0\.1:\d+\/api\/v1\n$/)

    const lines = r.stdout.split("\n")
    // a timeline per scenario, then the summary: one row per scenario, each ✓
    for (const [i, s] of Demo.scenarios.entries()) expect(lines).toContain(`${i + 1}. ${s.title}`)
    const header = lines.findIndex((l) => /^scenario\s+attempts\s+waited\s+outcome\s+code$/.test(l))
    expect(header).toBeGreaterThan(0)
    const rows = lines.slice(header + 2, header + 2 + Demo.scenarios.length)
    for (const [i, s] of Demo.scenarios.entries()) {
      expect(rows[i]).toMatch(new RegExp(`^${s.title.replace(/[+>.()]/g, "\\$&")}\\s+\\d+\\s+\\d+\\.\\d s  ✓ `))
    }
    expect(r.stdout).toMatch(new RegExp(`\n${Demo.scenarios.length}/${Demo.scenarios.length} scenarios behaved as expected, in \\d+\\.\\d s\\.\n$`))

    // the timeline shows both sides: the client's attempts and waits, the server's answers
    expect(r.stdout).toMatch(/client {2}… waiting 1\.\d s \(retry-after\) before attempt 2/)
    expect(r.stdout).toMatch(/server {2}429 POST \/chat\/completions venice-uncensored {2}\[scripted: Error:RATE_LIMIT_EXCEEDED\]/)
    expect(r.stdout).toMatch(/server {2}402 POST \/x402\/top-up/)
    expect(r.stdout).toMatch(/emulator ledger before: \$0\.00, no transactions/)
    expect(r.stdout).toMatch(/emulator ledger after: {2}\$9\.\d+ — TOP_UP \+\$10\.00, CHARGE -\$0\.\d+/)
    expect(r.stdout).toMatch(/throwaway wallet 0x[0-9a-fA-F]{40} \(key generated for this run, never printed\)/)
  }, 60_000)

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
    expect(lines[2]).toMatch(/^429 \+ Retry-After\s+2\s+1\.1 s {2}✓ 200 after the announced wait {2}RATE_LIMIT_EXCEEDED$/)
    expect(lines[3]).toMatch(/^broken\s+2\s+1\.1 s {2}✗ 200 at once/)
    expect(lines.at(-1)).toBe("1/2 scenarios behaved as expected, in 4.2 s.")
  })

  it("npm start -- <arguments> runs those arguments", async () => {
    const r = await run(["errors", "PAYMENT_REQUIRED"], { script: start })
    expect(r.code).toBe(0)
    expect(r.stdout).toMatch(/^PAYMENT_REQUIRED \(HTTP 402\)\n/)
  })
})
