import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

// `venice-emulator --novita-port`: the Novita emulator beside the Venice one, its base URL on the second line.

const pkg = fileURLToPath(new URL("..", import.meta.url))
const root = path.resolve(pkg, "../..")
const bin = path.join(pkg, "bin/venice-emulator.js")

const children: Array<ChildProcess> = []

/** Starts the bin and resolves with the first two lines it prints. */
const startBin = (args: ReadonlyArray<string>) =>
  Effect.async<{ readonly child: ChildProcess; readonly lines: ReadonlyArray<string> }, Error>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    children.push(child)
    let out = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const lines = out.split("\n")
      if (lines.length >= 3) resume(Effect.succeed({ child, lines: lines.slice(0, 2).map((l) => l.trim()) }))
    })
    child.once("exit", (code) => resume(Effect.fail(new Error(`venice-emulator exited early (${code})`))))
  })

describe("venice-emulator --novita-port", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-b", pkg], {
      cwd: root,
      stdio: "inherit"
    })
  }, 180_000)

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  })

  it("--help lists it", () => {
    expect(execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" })).toContain("--novita-port")
  })

  it.live("starts both emulators with the same keys", () =>
    Effect.gen(function*() {
      const { child, lines } = yield* startBin(["--port", "0", "--novita-port", "0", "--key", "bin-novita-key"])
      expect(lines[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/)
      expect(lines[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      const novita = lines[1]!
      const chat = yield* Effect.promise(() =>
        fetch(`${novita}/openai/v1/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer bin-novita-key", "content-type": "application/json" },
          body: JSON.stringify({
            model: "meta-llama/llama-3.1-8b-instruct",
            messages: [{ role: "user", content: "hi" }]
          })
        })
      )
      expect(chat.status).toBe(200)
      const missing = yield* Effect.promise(() => fetch(`${novita}/nope`).then((r) => r.text()))
      expect(missing).toBe("404 page not found")
      child.kill("SIGINT")
    }))
})
