import { defineProject, mergeConfig } from "vitest/config"
import shared from "../../vitest.shared.js"

/**
 * The venice tests mutation testing of the payment and job modules runs (`stryker.payments.config.mjs`): the
 * integration tests of payments, wallets and jobs over loopback. The property suites are left out — their cases are
 * random (a mutant must be killed or survive the same way every time) and each covers every line of the payment code,
 * so they would run for every mutant.
 */
export default mergeConfig(
  shared,
  defineProject({
    test: {
      name: "venice",
      include: [
        "test/Payment*.integration.test.ts",
        "test/SignedTopUp.integration.test.ts",
        "test/VeniceWallet.integration.test.ts",
        "test/Jobs.integration.test.ts",
        "test/JobMedia.integration.test.ts"
      ],
      exclude: ["test/**/*.property.test.ts", "node_modules/**"]
    }
  })
)
