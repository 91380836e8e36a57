/**
 * The liveness properties of issue 13 over random fault sequences (see `liveness/harness.ts` for the properties and
 * `liveness/cases.ts` for what is generated): the real client over loopback HTTP against the emulator, on the
 * TestClock. `npm test` runs 2,000 cases (this file's two properties together); `npm run test:deep` 20,000
 * (`VENICE_LIVENESS_RUNS`). A counterexample is printed with its seed: replay it with `VENICE_LIVENESS_SEED`, then
 * add it to `Liveness.regressions.test.ts` by name.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Cases from "./liveness/cases.js"
import * as Suite from "./liveness/suite.js"

/** Generous: the deep run is 10× the cases, and a loaded CI machine is slow. */
const TIMEOUT = 60 * 60_000

describe("liveness over random fault sequences (issue 13)", () => {
  it.scoped(
    "plain calls: termination within the policy's bound, attempts, no defect, no leak, recovery",
    () =>
      Effect.gen(function*() {
        const summary = yield* Suite.check(Cases.cases({ streaming: false }), Suite.runsFor(0.6))
        console.log(Suite.report("plain", summary))
        expect(summary.runs).toBeGreaterThan(0)
      }),
    TIMEOUT
  )

  it.scoped(
    "streamed calls: the same properties, with in-band errors, resets, early ends and stalls",
    () =>
      Effect.gen(function*() {
        const summary = yield* Suite.check(Cases.cases({ streaming: true }), Suite.runsFor(0.4))
        console.log(Suite.report("streamed", summary))
        expect(summary.runs).toBeGreaterThan(0)
      }),
    TIMEOUT
  )
})
