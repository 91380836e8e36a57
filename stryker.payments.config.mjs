// @ts-check
/**
 * Mutation testing of the payment and job modules (issue 13, i13b's share): `PaymentPolicy`, `internal/topUp`,
 * `Jobs`. Run from the repository root: `npx stryker run stryker.payments.config.mjs` (the venice tests without the
 * property suites: `packages/venice/vitest.mutation.config.ts`). `inPlace: true` because every
 * package's vitest config imports `../../vitest.shared.js` (a sandbox copy would break the relative import).
 * The report per file is printed (`clear-text`) and written to `reports/mutation/payments.html`.
 *
 * @type {import("@stryker-mutator/api/core").PartialStrykerOptions}
 */
export default {
  packageManager: "npm",
  testRunner: "vitest",
  plugins: ["@stryker-mutator/vitest-runner"],
  vitest: { configFile: "packages/venice/vitest.mutation.config.ts", dir: "packages/venice" },
  inPlace: true,
  mutate: [
    "packages/venice/src/PaymentPolicy.ts",
    "packages/venice/src/internal/topUp.ts",
    "packages/venice/src/Jobs.ts"
  ],
  coverageAnalysis: "perTest",
  concurrency: 2,
  timeoutMS: 60_000,
  timeoutFactor: 2,
  reporters: ["clear-text", "progress", "html"],
  htmlReporter: { fileName: "reports/mutation/payments.html" },
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
  incremental: true,
  incrementalFile: "reports/mutation/payments.incremental.json"
}
