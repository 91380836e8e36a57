import { defineConfig } from "vitest/config"

/**
 * The vitest configuration StrykerJS runs (`stryker.config.mjs`): the core and venice projects, whose tests exercise
 * the mutated modules, in worker threads without per-file isolation — each mutant reruns only the tests that cover it,
 * and re-importing Effect and the emulator for every test file of every run would cost more than the tests.
 */
export default defineConfig({
  test: {
    projects: ["core", "venice"].map((name) => ({
      extends: `./packages/${name}/vitest.config.ts`,
      root: `./packages/${name}`,
      test: { name, pool: "threads" as const, isolate: false }
    }))
  }
})
