import { defineConfig } from "vitest/config"

/**
 * The vitest configuration StrykerJS runs (`stryker.config.mjs`): the core and venice projects, whose tests exercise
 * the mutated modules, in worker threads without per-file isolation — each mutant reruns only the tests that cover it,
 * and re-importing Effect and the emulator for every test file of every run would cost more than the tests. A failed
 * test is run once more (`retry: 1`): a mutation run shares the machine with its own workers, and one load-sensitive
 * test failing in the initial run would stop the whole run; a mutant that breaks a test breaks it twice. The wallet,
 * payment and job suites are left out: they run on real time (x402 authorizations), fail under a mutation run's load
 * in the initial run, and cover modules mutated by their own configuration (`stryker.payments.config.mjs`).
 *
 * `MUTATE_PROJECTS=core` runs the core project's tests only: the unit tests of the core modules, minutes instead of
 * hours on a busy machine (the venice project's integration tests cover most of each core module too, and each takes
 * seconds per mutant).
 */
/** Suites on real time that cover the payment and job modules (mutated by `stryker.payments.config.mjs`). */
const walletSuites = [
  "test/SolanaWallet.integration.test.ts",
  "test/VeniceWallet.integration.test.ts",
  "test/WalletSecrets.integration.test.ts",
  "test/PaymentPolicy.integration.test.ts",
  "test/PaymentCoordination.integration.test.ts",
  "test/PaymentUnknownOutcome.integration.test.ts",
  "test/PaymentMoney.property.test.ts",
  "test/Jobs.integration.test.ts",
  "test/JobMedia.integration.test.ts"
]

export default defineConfig({
  test: {
    projects: (process.env["MUTATE_PROJECTS"] ?? "core,venice").split(",").map((name) => ({
      extends: `./packages/${name}/vitest.config.ts`,
      root: `./packages/${name}`,
      test: {
        name,
        pool: "threads" as const,
        isolate: false,
        retry: 1,
        exclude: ["node_modules/**", ...(name === "venice" ? walletSuites : [])]
      }
    }))
  }
})
