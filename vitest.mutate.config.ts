import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { defineConfig } from "vitest/config"
import shared from "./vitest.shared.js"

/**
 * The vitest configuration StrykerJS runs (`stryker.config.mjs`), in worker threads without per-file isolation — each
 * mutant reruns only the tests that cover it, and re-importing Effect and the emulator for every test file of every
 * run would cost more than the tests.
 *
 * Which tests a mutant meets is chosen per mutated module ({@link selections}): the module's unit tests and the
 * focused integration files that exercise it over loopback, never the property suites (`Liveness.property`,
 * `PaymentMoney.property`: random cases each covering most lines, so they ran for every mutant and one module took
 * hours), the fault matrix (heap and RSS measurements) or anything that takes more than a few seconds. `MUTATE`
 * (the module, as for stryker.config.mjs) picks the selection; `MUTATE_TESTS` (comma-separated test files relative to
 * the repository root) overrides it. Files missing from the tree are dropped, so a selection also runs at an older
 * commit (`MUTATE_AT`, scripts/mutate.mjs) with the tests that existed then.
 *
 * Without a selection (several modules, or one not listed) it runs the core and venice projects (`MUTATE_PROJECTS`,
 * default `core,venice`) without the property, wallet, payment and job suites, as the first runs did.
 *
 * A failed test is run once more when `MUTATE_RETRY=1` (a load-sensitive test failing in the initial run stops the
 * whole run); the focused selections are deterministic (TestClock, loopback), so the default is no retry — a retry
 * doubles the cost of every killed mutant.
 */
const root = path.dirname(fileURLToPath(import.meta.url))

const pipelineTests = [
  "packages/core/test/Pipeline.test.ts",
  "packages/core/test/PipelineBudget.test.ts",
  "packages/core/test/PipelineSlots.test.ts",
  "packages/core/test/Pipeline.mutation.test.ts",
  "packages/venice/test/VeniceClient.integration.test.ts",
  "packages/venice/test/MutationPins.test.ts",
  "packages/venice/test/Liveness.regressions.test.ts",
  "packages/venice/test/Pipeline.mutation.test.ts"
]

/**
 * The payment policy and its top-up: the payment integration tests that run on the TestClock over loopback (no
 * property suite; not `PaymentUnknownOutcome.integration`, whose late forwards take 22 s of real time per run — its
 * paths are pinned by the `*.mutation.test.ts` files on the TestClock) and the mutation tests. `internal/topUp` is
 * covered without the coordination file (its lock and lease paths are the policy's).
 */
const paymentTests = [
  "packages/venice/test/PaymentPolicy.integration.test.ts",
  "packages/venice/test/SignedTopUp.integration.test.ts",
  "packages/venice/test/TopUp.mutation.test.ts",
  "packages/venice/test/PaymentPolicy.mutation.test.ts"
]

const sseTests = [
  "packages/core/test/Sse.test.ts",
  "packages/venice/test/ChatStream.wire.test.ts",
  "packages/core/test/Sse.mutation.test.ts"
]

/** Test files per mutated module, relative to the repository root (several modules: the union of theirs). */
export const selections: Record<string, ReadonlyArray<string>> = {
  "packages/core/src/RetryPolicy.ts": [
    "packages/core/test/RetryPolicy.test.ts",
    "packages/core/test/RetryPolicy.mutation.test.ts"
  ],
  "packages/venice/src/RetryPolicy.ts": [
    "packages/venice/test/MutationPins.test.ts",
    "packages/venice/test/RetryPolicy.mutation.test.ts"
  ],
  "packages/core/src/LimiterStore.ts": [
    "packages/core/test/LimiterStore.test.ts",
    "packages/core/test/LimiterStore.mutation.test.ts",
    "packages/core/test/PipelineSlots.test.ts",
    "packages/core/test/PipelineBudget.test.ts"
  ],
  // `Headers.test.ts` holds the parser's unit tests; venice `ResponseMeta` reads the header through `fromHeaders`
  "packages/core/src/RetryAfter.ts": [
    "packages/core/test/RetryAfter.test.ts",
    "packages/core/test/Headers.test.ts",
    "packages/venice/test/ResponseMeta.test.ts",
    "packages/core/test/RetryAfter.mutation.test.ts"
  ],
  "packages/core/src/RateLimit.ts": [
    "packages/core/test/RateLimit.test.ts"
  ],
  // the policy's own files only (not the top-up's `SignedTopUp.integration` / `TopUp.mutation`, which exercise
  // `internal/topUp` through it): with all six files a mutant cost ~40 s on the shared machine, 715 mutants ~2.5 h
  "packages/venice/src/PaymentPolicy.ts": [
    "packages/venice/test/PaymentPolicy.integration.test.ts",
    "packages/venice/test/PaymentCoordination.integration.test.ts",
    "packages/venice/test/PaymentPolicy.mutation.test.ts"
  ],
  "packages/venice/src/internal/topUp.ts": paymentTests,
  // not JobMedia.integration: its download tests exercise JobMedia, not the polling (one of them failed under load
  // and stopped the initial run: the download's request was invisible to the TestClock driver — an attempt for the
  // pipeline's observers since); the job states it reads (audio media with its header facts) are pinned in Jobs.mutation
  "packages/venice/src/Jobs.ts": [
    "packages/venice/test/Jobs.integration.test.ts",
    "packages/venice/test/Jobs.mutation.test.ts"
  ],
  "packages/core/src/StreamStart.ts": [
    "packages/core/test/StreamStart.test.ts",
    "packages/venice/test/ChatStream.integration.test.ts",
    "packages/core/test/StreamStart.mutation.test.ts"
  ],
  "packages/core/src/Sse.ts": sseTests,
  "packages/core/src/internal/sseParser.ts": sseTests,
  // the decoder's unit tests, and the client's error paths over loopback (the fault matrix's 113 cases would cost
  // about 10 s per surviving mutant)
  "packages/venice/src/VeniceError.ts": [
    "packages/venice/test/VeniceError.test.ts",
    "packages/venice/test/ResponseMeta.test.ts",
    "packages/venice/test/VeniceError.mutation.test.ts",
    "packages/venice/test/VeniceClient.integration.test.ts",
    "packages/venice/test/ContentPolicy.integration.test.ts"
  ],
  "packages/venice/src/ErrorCatalog.ts": [
    "packages/venice/test/ErrorCatalog.test.ts",
    "packages/venice/test/MutationPins.test.ts",
    "packages/venice/test/ErrorCatalog.mutation.test.ts"
  ],
  "packages/venice/src/VeniceClient.ts": [
    "packages/venice/test/VeniceClient.integration.test.ts",
    "packages/venice/test/ProviderClient.config.test.ts",
    "packages/venice/test/Redaction.integration.test.ts",
    "packages/venice/test/MutationPins.test.ts",
    "packages/venice/test/VeniceClient.mutation.test.ts"
  ],
  // the pipeline's retry, guard, pacing and timeout steps: the core pipeline tests and the venice client's focused
  // integration tests (each a few hundred ms over loopback under TestClock)
  ...Object.fromEntries(
    ["Pipeline.ts", "internal/pipeline/retry.ts", "internal/pipeline/guard.ts", "internal/pipeline/pacing.ts"]
      .concat(["internal/pipeline/timeout.ts", "internal/pipeline/slots.ts", "internal/pipeline/exchange.ts"])
      .map((file) => [`packages/core/src/${file}`, pipelineTests])
  )
}

const only = process.env["MUTATE"]
const explicit = process.env["MUTATE_TESTS"]
const chosen = explicit !== undefined && explicit.length > 0
  ? explicit.split(",")
  : only !== undefined && only.split(",").every((file) => selections[file] !== undefined)
  ? [...new Set(only.split(",").flatMap((file) => selections[file] ?? []))]
  : undefined
const retry = process.env["MUTATE_RETRY"] === "1" ? 1 : 0

/** Suites on real time (wallets, payments, jobs) left out of the fallback run: their modules have focused selections. */
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

// Built from the shared settings rather than `extends` of the package's config: `extends` concatenates `include`
// lists, and a selection must replace the package's `test/**/*.test.ts`.
const project = (name: string, include?: ReadonlyArray<string>) => ({
  root: `./packages/${name}`,
  resolve: shared.resolve,
  test: {
    ...shared.test,
    name,
    pool: "threads" as const,
    isolate: false,
    retry,
    ...(include !== undefined ? { include: [...include] } : {}),
    exclude: ["node_modules/**", ...(name === "venice" && include === undefined ? walletSuites : [])]
  }
})

const focused = (files: ReadonlyArray<string>) => {
  const present = files.filter((file) => fs.existsSync(path.join(root, file)))
  const byPackage = new Map<string, Array<string>>()
  for (const file of present) {
    const [, name, ...rest] = file.split("/")
    if (name === undefined) continue
    byPackage.set(name, [...(byPackage.get(name) ?? []), rest.join("/")])
  }
  return [...byPackage].map(([name, include]) => project(name, include))
}

export default defineConfig({
  test: {
    projects: chosen !== undefined
      ? focused(chosen)
      : (process.env["MUTATE_PROJECTS"] ?? "core,venice").split(",").map((name) => project(name))
  }
})
