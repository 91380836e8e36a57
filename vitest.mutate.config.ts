import { defineConfig } from "vitest/config"

/**
 * The vitest configuration StrykerJS runs (`stryker.config.mjs`): only the core and venice projects, whose tests
 * exercise the mutated modules; the deep property runs stay at their `npm test` size.
 */
export default defineConfig({
  test: {
    projects: ["packages/core/vitest.config.ts", "packages/venice/vitest.config.ts"]
  }
})
