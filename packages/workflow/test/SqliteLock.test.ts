/**
 * One worker process per SQLite file: while a process holds the file, another fails to open it with a typed
 * `WorkflowStorageError` (instead of running the same workflows twice); once the holder is SIGKILLed, the operating
 * system has dropped its lock and the file opens at once.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Child from "node:child_process"
import * as Path from "node:path"
import { fileURLToPath } from "node:url"
import * as WorkflowStorage from "../src/WorkflowStorage.js"
import { compiledWorker } from "./crash/harness.js"
import { tempDir } from "./support.js"

const packageRoot = Path.resolve(Path.dirname(fileURLToPath(import.meta.url)), "..")

/** A process that opens the storage and holds it; resolves once it has. */
const holder = (filename: string) => {
  compiledWorker() // the packages' dist is up to date
  const proc = Child.spawn(process.execPath, [
    "--input-type=module",
    "-e",
    `import * as S from "./dist/WorkflowStorage.js"
     import * as Effect from "effect/Effect"
     Effect.runPromise(Effect.provide(Effect.zipRight(Effect.sync(() => console.log("open")), Effect.never),
       S.layerSqlite({ filename: ${JSON.stringify(filename)} })))`
  ], { cwd: packageRoot, stdio: ["ignore", "pipe", "inherit"] })
  const open = new Promise<void>((resolve, reject) => {
    proc.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("open") && resolve())
    proc.once("exit", (code) => reject(new Error(`the holder exited (${code}) before it opened the file`)))
  })
  open.catch(() => {})
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()))
  return { open, kill: () => (proc.kill("SIGKILL"), exited) }
}

const openOnce = (filename: string) =>
  Effect.exit(Effect.scoped(Layer.build(WorkflowStorage.layerSqlite({ filename }))))

describe("SQLite storage: one worker process per file", () => {
  it.live(
    "a second process is refused while the first holds the file, and opens it at once after a SIGKILL",
    () =>
      Effect.gen(function*() {
        const filename = Path.join(tempDir("lock"), "wf.sqlite")
        const first = holder(filename)
        yield* Effect.promise(() => first.open)
        const refused = yield* openOnce(filename)
        expect(Exit.isFailure(refused)).toBe(true)
        if (Exit.isFailure(refused)) {
          const error = refused.cause._tag === "Fail" ? refused.cause.error : undefined
          expect(error?._tag).toBe("WorkflowStorageError")
          expect(error?.message).toMatch(/locked by another worker \(one worker per file\)/)
        }
        yield* Effect.promise(first.kill)
        const opened = yield* openOnce(filename)
        expect(Exit.isSuccess(opened)).toBe(true)
      }),
    60_000
  )
})
