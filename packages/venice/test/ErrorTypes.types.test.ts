/**
 * Issue 16: a call's error type names only what it can fail with. Each program below is type-checked on its own by
 * the TypeScript compiler (one program per compilation: a declaration in one must not leak into another), against the
 * built packages as a user installs them:
 *
 * - an API-key program's calls name no `WalletError` (a tag of one in the error type fails the check);
 * - a wallet program declares `WalletError` (`@venice-effect/venice/WalletErrors`) and sees the typed refusal;
 * - a wallet client layer provided without the declaration does not type-check (`Undeclared<WalletError>`);
 * - the payment step wired by hand (`PaymentPolicy.retry`) adds the refusal to the error type itself.
 */
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")

const header = `
import { NodeHttpClient } from "@effect/platform-node"
import { Chat, PaymentPolicy, VeniceClient, VeniceWallet } from "@venice-effect/venice"
import { Effect, Layer, Redacted } from "effect"

const call = Chat.completions({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] })
type Tags<E> = E extends { readonly _tag: infer T } ? T : never
type WalletTags = "WalletSignError" | "PaymentRefusedError" | "TopUpFailedError"
`

const walletClient = `
const Venice = PaymentPolicy.layerClient().pipe(
  Layer.provideMerge(PaymentPolicy.layer({ maxPerPaymentUsd: 10, budgetUsd: 50 })),
  Layer.provide(VeniceWallet.layer({ privateKey: Redacted.make("0x" + "11".repeat(32) as \`0x\${string}\`) })),
  Layer.provide(NodeHttpClient.layerUndici)
)
export const program = call.pipe(Effect.provide(Venice))
`

const programs = {
  key: `${header}
const Venice = VeniceClient.layer({ apiKey: Redacted.make("key") }).pipe(Layer.provide(NodeHttpClient.layerUndici))
export const program = call.pipe(Effect.provide(Venice))
// no tag of a wallet error in the call's error type
export const noWallet: [Extract<Tags<Effect.Effect.Error<typeof program>>, WalletTags>] extends [never] ? true : false =
  true
export const keyClientsOnly: VeniceClient.ProviderError extends { readonly status: number } ? true : false = true
void VeniceWallet
`,
  wallet: `${header}
import type {} from "@venice-effect/venice/WalletErrors"
${walletClient}
export const refusal: "PaymentRefusedError" extends Tags<Effect.Effect.Error<typeof program>> ? true : false = true
export const handled = program.pipe(Effect.catchTag("PaymentRefusedError", (e) => Effect.succeed(e.reason)))
`,
  undeclared: `${header}
${walletClient}
export const run: Effect.Effect<unknown, unknown, never> = program
`,
  byHand: `${header}
export const program = Effect.flatMap(PaymentPolicy.PaymentPolicy, (payments) => call.pipe(PaymentPolicy.retry(payments)))
export const refusal: "PaymentRefusedError" extends Tags<Effect.Effect.Error<typeof program>> ? true : false = true
void VeniceClient
void VeniceWallet
void Layer
void Redacted
void NodeHttpClient
`
}

/**
 * Type-checks each program in a compilation of its own, in a child process (the compiler is synchronous: the test
 * worker stays responsive); the diagnostics of each, as text.
 */
const checkAll = (sources: Record<string, string>): Promise<Record<string, ReadonlyArray<string>>> => {
  fs.mkdirSync(path.join(packageDir, ".tsbuild"), { recursive: true })
  const dir = fs.mkdtempSync(path.join(packageDir, ".tsbuild", "types-"))
  const files = Object.fromEntries(
    Object.entries(sources).map(([name, source]) => {
      const file = path.join(dir, `${name}.ts`)
      fs.writeFileSync(file, source)
      return [name, file]
    })
  )
  const script = `
    import ts from "typescript"
    const files = JSON.parse(process.argv[1])
    const options = {
      target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true, exactOptionalPropertyTypes: true, skipLibCheck: true, noEmit: true, types: ["node"]
    }
    let previous
    const out = {}
    for (const [name, file] of Object.entries(files)) {
      // one program per compilation (a declaration in one must not reach another); unchanged library files reused
      const program = ts.createProgram([file], options, undefined, previous)
      previous = program
      out[name] = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\\n"))
    }
    process.stdout.write(JSON.stringify(out))
  `
  return new Promise<Record<string, ReadonlyArray<string>>>((resolve, reject) =>
    execFile(
      process.execPath,
      ["--input-type=module", "-e", script, JSON.stringify(files)],
      { cwd: packageDir, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout) => (error === null ? resolve(JSON.parse(stdout)) : reject(error))
    )
  ).finally(() => fs.rmSync(dir, { recursive: true, force: true }))
}

describe("a call's error type names only what it can fail with (issue 16)", () => {
  let diagnostics: Record<string, ReadonlyArray<string>> = {}
  beforeAll(async () => {
    diagnostics = await checkAll(programs)
  }, 300_000)

  it("an API-key program: no WalletError in its calls' error type", () => {
    expect(diagnostics["key"]).toEqual([])
  })

  it("a wallet program that declares WalletError sees the typed refusal", () => {
    expect(diagnostics["wallet"]).toEqual([])
  })

  it("a wallet client without the declaration does not type-check", () => {
    expect(diagnostics["undeclared"]?.length).toBeGreaterThan(0)
    expect(diagnostics["undeclared"]?.join("\n")).toContain("Undeclared<")
  })

  it("the payment step wired by hand adds the typed refusal itself", () => {
    expect(diagnostics["byHand"]).toEqual([])
  })
})
