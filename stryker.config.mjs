// @ts-check
import { createHash } from "node:crypto"
/**
 * Mutation testing (`npm run mutate`, see docs/testing.md "Mutation testing"): StrykerJS 9.6 with its vitest runner,
 * from the repository root and in place (each package's vitest config imports `../../vitest.shared.js`, which a
 * sandbox copy would have to rewrite). Only the modules that decide retries, waits, limits and payments are mutated;
 * the tests that run against each mutant are the vitest tests related to the mutated file (core and venice projects)
 * that cover it. Under mutation the resource measurements (heap, RSS) are skipped and the decoder's 10,000-run property
 * runs 500 times (tests read `STRYKER_MUTATOR_WORKER`).
 *
 * Narrow a run with `MUTATE=packages/core/src/RetryAfter.ts npm run mutate` (comma-separated files or globs).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const modules = [
  "packages/core/src/Pipeline.ts",
  "packages/core/src/RetryPolicy.ts",
  "packages/core/src/RetryAfter.ts",
  "packages/core/src/RateLimit.ts",
  "packages/core/src/LimiterStore.ts",
  "packages/core/src/StreamStart.ts",
  "packages/core/src/Sse.ts",
  "packages/core/src/internal/sseParser.ts",
  "packages/venice/src/VeniceError.ts",
  "packages/venice/src/ErrorCatalog.ts",
  "packages/venice/src/PaymentPolicy.ts",
  "packages/venice/src/internal/topUp.ts",
  "packages/venice/src/VeniceClient.ts",
  "packages/venice/src/Jobs.ts",
  // beyond the list: where two of the named survivors live (the 30 s overload default, the RPC idempotency key)
  "packages/venice/src/RetryPolicy.ts",
  "packages/venice/src/CryptoRpc.ts"
]

const only = process.env["MUTATE"]
/**
 * Reports (and the incremental file) of a narrowed run are named after what it mutates; those of an older commit's
 * run (`MUTATE_AT`, see scripts/mutate.mjs) go under `at-<commit>/`.
 */
const at = process.env["MUTATE_AT"]
const narrowed = only !== undefined && only.length > 0
  ? only.replace(/^packages\//, "").replace(/[^A-Za-z0-9.]+/g, "_")
  : "all"
// a long selection (many line ranges) would exceed a file name's 255 bytes: its start and a hash of the whole
const short = narrowed.length <= 120
  ? narrowed
  : `${narrowed.slice(0, 80)}_${createHash("sha256").update(narrowed).digest("hex").slice(0, 12)}`
const name = (at !== undefined && at.length > 0 ? `at-${at}/` : "") + short

export default {
  packageManager: "npm",
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "vitest.mutate.config.ts", related: true },
  inPlace: true,
  mutate: only !== undefined && only.length > 0 ? only.split(",") : modules,
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants: the catalog table, regexes, schemas) rerun every related test each — about
  // four minutes apiece here, days for the whole set — so they are ignored (reported, not scored). The named
  // constants that matter are pinned by tests of their own (docs/testing.md).
  ignoreStatic: true,
  concurrency: Number(process.env["MUTATE_CONCURRENCY"] ?? 2),
  // the first run executes every related test with coverage: about ten minutes on two busy cores
  dryRunTimeoutMinutes: 90,
  // a mutant's run may take this long beyond `timeoutFactor` × the unmutated run before it counts as timed out
  timeoutMS: Number(process.env["MUTATE_TIMEOUT_MS"] ?? 10_000),
  timeoutFactor: 2,
  // the event recorder writes each mutant's result as it is tested: a run stopped before its reports still leaves a
  // figure for what it tested (`node scripts/mutate-events.mjs reports/mutation/events/<name> --survivors`)
  reporters: ["progress", "clear-text", "html", "json", "event-recorder"],
  eventReporter: { baseDir: `reports/mutation/events/${name}` },
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 80, low: 60, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  // reruns only retest the mutants whose code or covering tests changed (reports/mutation/incremental.json)
  incremental: process.env["MUTATE_INCREMENTAL"] !== "0",
  incrementalFile: `reports/mutation/incremental/${name}.json`
}
