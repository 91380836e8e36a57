/**
 * The CLI tests run the built `venice` command as a subprocess. Build it once per test run, before any test file
 * starts (after `npm test`'s own `tsc -b` this is an up-to-date check that writes nothing; alone, after edits, it
 * builds what changed).
 */
import { execFileSync } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

export default function setup(): void {
  const pkg = fileURLToPath(new URL("..", import.meta.url))
  const root = path.resolve(pkg, "../..")
  execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-b", pkg], {
    cwd: root,
    stdio: "inherit"
  })
}
