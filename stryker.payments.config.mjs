// @ts-check
/**
 * Mutation testing of the payment and job modules (issue 13): `PaymentPolicy`, `internal/topUp`, `Jobs`, run against
 * the tests that exercise them over loopback (`packages/venice/vitest.mutation.config.ts`: the payment, wallet and job
 * integration tests; the property suites are left out — random cases cannot kill a mutant the same way every time).
 * Kept beside the root `stryker.config.mjs` (the core modules and the whole venice project) so that each can be run and
 * tuned on its own. Run it in a throwaway copy like the root one, one module per run:
 *
 *   MUTATE=packages/venice/src/internal/topUp.ts npm run mutate:payments
 *
 * `inPlace: true` because every package's vitest config imports `../../vitest.shared.js` (scripts/mutate.mjs makes the
 * copy, so the checkout is never mutated). Reports: `reports/mutation/payments-<module>.html|json`.
 *
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
const modules = [
  "packages/venice/src/PaymentPolicy.ts",
  "packages/venice/src/internal/topUp.ts",
  "packages/venice/src/Jobs.ts"
]
const only = process.env["MUTATE"]
const name = "payments-" +
  (only !== undefined && only.length > 0 ? only.replace(/^packages\//, "").replace(/[^A-Za-z0-9.]+/g, "_") : "all")

export default {
  packageManager: "npm",
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "packages/venice/vitest.mutation.config.ts", dir: "packages/venice", related: false },
  inPlace: true,
  mutate: only !== undefined && only.length > 0 ? only.split(",") : modules,
  coverageAnalysis: "perTest",
  // module-level constants (schemas, regexes) would rerun every test per mutant: reported, not scored
  ignoreStatic: true,
  concurrency: Number(process.env["MUTATE_CONCURRENCY"] ?? 2),
  dryRunTimeoutMinutes: 60,
  timeoutMS: 30_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  incremental: process.env["MUTATE_INCREMENTAL"] !== "0",
  incrementalFile: `reports/mutation/incremental/${name}.json`
}
