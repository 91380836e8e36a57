import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { createSignableMessage, generateKeyPairSigner } from "@solana/kit"
import { wrapFetchWithSIWx } from "@x402/extensions/sign-in-with-x"
import * as Effect from "effect/Effect"
import { type ChildProcess, execFileSync, spawn } from "node:child_process"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts"

// The `venice-emulator` bin, built and run as a subprocess.

const pkg = fileURLToPath(new URL("..", import.meta.url))
const root = path.resolve(pkg, "../..")
const bin = path.join(pkg, "bin/venice-emulator.js")

const run = (args: ReadonlyArray<string>): string =>
  execFileSync(process.execPath, [bin, ...args], { encoding: "utf8" })

const children: Array<ChildProcess> = []

/** Starts the bin and resolves with the first line it prints (the base URL). */
const startBin = (args: ReadonlyArray<string>) =>
  Effect.async<{ readonly child: ChildProcess; readonly url: string }, Error>((resume) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] })
    children.push(child)
    let out = ""
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      out += chunk
      const line = out.split("\n")[0]
      if (out.includes("\n") && line !== undefined) resume(Effect.succeed({ child, url: line.trim() }))
    })
    child.once("exit", (code) => resume(Effect.fail(new Error(`venice-emulator exited early (${code})`))))
  })

const exited = (child: ChildProcess) =>
  Effect.async<number | null>((resume) => {
    if (child.exitCode !== null || child.signalCode !== null) return resume(Effect.succeed(child.exitCode))
    child.once("exit", (code) => resume(Effect.succeed(code)))
  })

describe("venice-emulator bin", () => {
  beforeAll(() => {
    execFileSync(process.execPath, [path.join(root, "node_modules/typescript/bin/tsc"), "-b", pkg], {
      cwd: root,
      stdio: "inherit"
    })
  }, 180_000)

  afterAll(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  })

  it("--help lists every option", () => {
    const help = run(["--help"])
    for (
      const option of [
        "--port",
        "--host",
        "--key",
        "--inference-key",
        "--admin",
        "--rpm",
        "--tpm",
        "--window-ms",
        "--error-budget",
        "--error-window-ms",
        "--rpc-rpm",
        "--tokens",
        "--pace-ms",
        "--job-ms",
        "--wallet",
        "--pay-to",
        "--origin",
        "--solana-first"
      ]
    ) expect(help).toContain(option)
  })

  it.live("starts, prints its base URL, serves, and stops on SIGINT", () =>
    Effect.gen(function*() {
      const { child, url } = yield* startBin(["--port", "0", "--key", "bin-test-key", "--rpm", "1000"])
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/)
      const models = yield* Effect.promise(() => fetch(`${url}/models`))
      expect(models.status).toBe(200)
      const chat = yield* Effect.promise(() =>
        fetch(`${url}/chat/completions`, {
          method: "POST",
          headers: { authorization: "Bearer bin-test-key", "content-type": "application/json" },
          body: JSON.stringify({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
        })
      )
      expect(chat.status).toBe(200)
      expect(chat.headers.get("x-ratelimit-limit-requests")).toBe("1000")
      child.kill("SIGINT")
      yield* exited(child)
      const after = yield* Effect.either(Effect.tryPromise(() => fetch(`${url}/models`)))
      expect(after._tag).toBe("Left")
    }))

  it.live("@x402/extensions' wrapFetchWithSIWx signs in to it, with an EVM and with a Solana wallet", () =>
    Effect.gen(function*() {
      const evm = privateKeyToAccount(generatePrivateKey())
      const kit = yield* Effect.promise(() => generateKeyPairSigner())
      // @x402/extensions' own Solana signer type does not take kit's branded signer: its wallet-adapter form does
      const solana = {
        publicKey: kit.address,
        signMessage: async (bytes: Uint8Array) =>
          (await kit.signMessages([createSignableMessage(bytes)]))[0]![kit.address]!
      }
      const chat = {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
      }
      // wrapFetchWithSIWx signs in on the chain of accepts[0]: Base as Venice lists it, Solana with --solana-first
      for (
        const [signer, address, args] of [[evm, evm.address, []], [solana, kit.address, ["--solana-first"]]] as const
      ) {
        const { child, url } = yield* startBin(["--port", "0", "--wallet", `${address}=5`, ...args])
        const unsigned = yield* Effect.promise(() => fetch(`${url}/chat/completions`, chat))
        expect(unsigned.status).toBe(402)
        const served = yield* Effect.promise(() => wrapFetchWithSIWx(fetch, signer)(`${url}/chat/completions`, chat))
        expect(served.status).toBe(200)
        child.kill("SIGINT")
        yield* exited(child)
      }
    }))
})
