import * as path from "node:path"
import { fileURLToPath } from "node:url"
import type { ViteUserConfig } from "vitest/config"

const root = path.dirname(fileURLToPath(import.meta.url))

/**
 * Settings every package's vitest project shares: workspace packages resolve to their TypeScript
 * sources (no build needed to run a test), and tests run in forked processes so a test that
 * opens sockets or servers cannot leak them into another file.
 */
const config: ViteUserConfig = {
  resolve: {
    alias: [
      { find: /^@venice-effect\/([a-z]+)$/, replacement: path.join(root, "packages/$1/src/index.ts") },
      { find: /^@venice-effect\/([a-z]+)\/(.+)$/, replacement: path.join(root, "packages/$1/src/$2.ts") }
    ]
  },
  test: {
    include: ["test/**/*.test.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 30_000,
    fakeTimers: { toFake: undefined }
  }
}

export default config
