/**
 * The reference material the tests compare against is vendored in `fixtures/shared/` (a clean clone has no
 * `../shared/`). When the originals are beside the repository, the copies must be byte-identical.
 */
import { describe, expect, it } from "@effect/vitest"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..")
const vendored = path.join(root, "fixtures/shared")
const original = path.resolve(root, "../shared")

const files = (dir: string, base = ""): ReadonlyArray<string> =>
  fs.readdirSync(path.join(dir, base), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(dir, path.join(base, e.name)) : e.name === "README.md" ? [] : [path.join(base, e.name)]
  )

describe("vendored reference material", () => {
  const list = files(vendored)

  it("is present", () => {
    expect(list).toEqual(expect.arrayContaining([
      "seeds/002_2bb12865c0453446.txt",
      "seeds/004_e9f3468768fee00e.txt",
      "reference/venice-openapi.yaml",
      "reference/x402-vectors.json"
    ]))
  })

  it.runIf(fs.existsSync(original))("matches ../shared byte for byte", () => {
    for (const file of list) {
      expect(fs.readFileSync(path.join(vendored, file)).equals(fs.readFileSync(path.join(original, file))), file).toBe(
        true
      )
    }
  })
})
