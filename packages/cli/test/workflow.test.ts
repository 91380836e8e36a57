/**
 * `venice workflow`: a durable video run against the embedded emulator, its worker process SIGKILLed twice mid-run
 * (after its payment reached Venice, after its queue request did) and resumed; the emulator then counts one queue
 * request, one payment submitted once, and the command exits 0.
 */
import { describe, expect, it } from "@effect/vitest"
import { CONTROL, run } from "./support.js"

describe("venice workflow", () => {
  it("kills and resumes the worker twice; one queue, one payment, one result; exit 0", async () => {
    const r = await run(["workflow"], { timeout: 150_000 })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(CONTROL)
    expect(r.stdout).toMatch(/kill {6}worker 1 \(SIGKILL\) after its payment reached Venice, before the answer/)
    expect(r.stdout).toMatch(/kill {6}worker 2 \(SIGKILL\) after its queue request reached Venice, before the answer/)
    expect(r.stdout).toMatch(/top-up \$5\.00 \(attempt 1\) known from the ledger/)
    expect(r.stdout).toMatch(/found in the ledger after the lost answer/)
    expect(r.stdout).toMatch(/video\/queue requests {6}1 {2}✓/)
    expect(r.stdout).toMatch(/payments {18}1 {2}✓ \$5\.00 credited, submitted 1×/)
    expect(r.stdout).toMatch(/3 workers, 2 killed mid-run: one video billed, one payment, one result\.\n$/)
  }, 160_000)

  it("--json: only the report, as JSON on stdout; exit 0", async () => {
    const r = await run(["workflow", "--json"], { timeout: 150_000 })
    expect(r.stderr).toBe("")
    expect(r.code).toBe(0)
    const report = JSON.parse(r.stdout)
    expect(report).toMatchObject({
      ok: true,
      queues: 1,
      workers: 3,
      payments: [{ amountUsd: 5, status: "credited", submissions: 1 }],
      result: { job: { recovered: true } }
    })
  }, 160_000)
})
