import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/**
 * The venice project as mutation testing runs it (`stryker.payments.config.mjs`): the property suites are left out —
 * their cases are random (a mutant must be killed or survive the same way every time) and each covers every line of
 * the payment code, so they would run for every mutant.
 */
export default mergeConfig(
  shared,
  defineProject({ test: { name: "venice", exclude: ["test/**/*.property.test.ts", "node_modules/**"] } })
)
