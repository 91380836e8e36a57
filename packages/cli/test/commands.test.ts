/**
 * The command line as a whole, run as the built commands: `--help` (the environment, the examples; colour codes on a
 * terminal only, never piped or with NO_COLOR — `venice-emulator` too), `venice models`, a reader that leaves early
 * (EPIPE), and the unknown-option check that runs before @effect/cli.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Argv from "../src/Argv.js"
import * as ChatCommand from "../src/ChatCommand.js"
import * as ModelsCommand from "../src/ModelsCommand.js"
import { bin, CONTROL, emulatorBin, emulatorFixture, hasPty, run, runInPty, startPiped } from "./support.js"

const ESC = /\x1b\[/ // eslint-disable-line no-control-regex

describe("--help", () => {
  it("names VENICE_API_KEY and VENICE_BASE_URL, gives examples and exit codes; piped, it is plain text", async () => {
    const r = await run(["--help"])
    expect(r.code).toBe(0)
    expect(r.stdout).not.toMatch(CONTROL)
    for (
      const text of [
        "VENICE_API_KEY",
        "VENICE_BASE_URL",
        "NO_COLOR",
        "EXAMPLES",
        "venice chat \"Why is the sky blue?\"",
        "130 interrupted"
      ]
    ) {
      expect(r.stdout).toContain(text)
    }
    for (const command of ["chat", "models", "errors", "demo", "workflow"]) {
      expect(r.stdout).toMatch(new RegExp(`^ {2}- ${command} `, "m"))
    }
  })

  it("a subcommand's help says where its calls go", async () => {
    const r = await run(["chat", "--help"])
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("Calls Venice when VENICE_API_KEY is set (VENICE_BASE_URL overrides the URL)")
    expect(r.stdout).toContain("--timeout")
  })

  it.runIf(hasPty)("on a terminal it is coloured, unless NO_COLOR is set", async () => {
    const coloured = await runInPty(`'${process.execPath}' '${bin}' --help`)
    expect(coloured.code).toBe(0)
    expect(coloured.stdout).toMatch(ESC)
    const plain = await runInPty(`'${process.execPath}' '${bin}' --help`, { NO_COLOR: "1" })
    expect(plain.code).toBe(0)
    expect(plain.stdout).toContain("VENICE_API_KEY")
    expect(plain.stdout).not.toMatch(ESC)
  }, 60_000)

  it("venice-emulator --help, piped: no colour codes", async () => {
    const r = await run(["--help"], { script: emulatorBin })
    expect(r.code).toBe(0)
    expect(r.stdout).toContain("--novita-port")
    expect(r.stdout).not.toMatch(ESC)
  })

  it.runIf(hasPty)("venice-emulator --help on a terminal: coloured, unless NO_COLOR is set", async () => {
    const coloured = await runInPty(`'${process.execPath}' '${emulatorBin}' --help`)
    expect(coloured.stdout).toMatch(ESC)
    const plain = await runInPty(`'${process.execPath}' '${emulatorBin}' --help`, { NO_COLOR: "1" })
    expect(plain.stdout).toContain("--novita-port")
    expect(plain.stdout).not.toMatch(ESC)
  }, 60_000)
})

describe("venice models", () => {
  it("lists the target's text models as a table", async () => {
    const table = await run(["models"])
    expect(table.code).toBe(0)
    const lines = table.stdout.trimEnd().split("\n")
    expect(lines[0]).toMatch(/^MODEL\s+TYPE\s+CONTEXT\s+PRIVACY\s+NAME$/)
    expect(lines).toContainEqual(
      expect.stringMatching(/^venice-uncensored\s+text\s+\d+K\s+private\s+Venice Uncensored$/)
    )
    expect(table.stdout).not.toMatch(CONTROL)
  })

  it("--json prints the list as JSON; --type filters", async () => {
    const json = await run(["models", "--json", "--type", "video"])
    expect(json.code).toBe(0)
    const models: ReadonlyArray<{ readonly id: string; readonly type: string }> = JSON.parse(json.stdout)
    expect(models.length).toBeGreaterThan(0)
    for (const m of models) expect(m.type).toBe("video")
  })

  it("an unknown --type is a usage error (exit 2)", async () => {
    const r = await run(["models", "--type", "holograms"])
    expect(r.code).toBe(2)
    expect(r.stdout).toBe("")
  })
})

describe("output to a reader that leaves early", () => {
  // a slow stream (20 chunks, 50 ms apart): the command is still writing when the reader goes away
  const fixture = emulatorFixture({ keys: ["epipe-key"], stream: { tokens: 20, pace: "50 millis" } })
  beforeAll(fixture.start)
  afterAll(fixture.stop)

  it("venice chat --json | head -1: ends quietly (exit 0) when the pipe closes", async () => {
    const started = startPiped(["chat", "hi", "--json"], {
      env: { VENICE_API_KEY: "epipe-key", VENICE_BASE_URL: fixture.emulator.baseUrl }
    })
    started.child.stdout?.once("data", () => started.child.stdout?.destroy())
    const r = await started.done
    expect(r.code).toBe(0)
    expect(r.stderr).not.toMatch(/EPIPE|Error/)
  })
})

describe("unknown options (before @effect/cli, which reads them as values)", () => {
  const commands = {
    chat: Argv.commandOptions(ChatCommand.command),
    models: Argv.commandOptions(ModelsCommand.command)
  }

  it("reads each command's options and which take a value from its usage", () => {
    expect(commands.chat.options).toEqual(
      expect.arrayContaining(["-m", "--model", "--no-stream", "--timeout", "--json"])
    )
    expect(commands.chat.takesValue).toEqual(expect.arrayContaining(["-m", "--model", "--timeout", "--max-retries"]))
    expect(commands.chat.takesValue).not.toContain("--json")
    expect(commands.models.takesValue).toContain("--type")
  })

  it.each([
    [["--bogus", "hi"], "--bogus", undefined],
    [["chat", "--bogus", "hi"], "--bogus", "chat"],
    [["chat", "hi", "-x"], "-x", "chat"],
    [["models", "--model", "x"], "--model", "models"]
  ])("%j: %s is unknown", (args, option, command) => {
    expect(Argv.findUnknownOption(args, commands)).toMatchObject({ option, command })
  })

  it.each([
    [["chat", "hi", "--model", "-x"]], // a value, not an option
    [["chat", "-m", "venice-uncensored", "hi"]],
    [["chat", "--timeout=30s", "hi"]],
    [["chat", "--", "--not-an-option"]],
    [["chat", "-5 degrees?"]],
    [["--log-level", "debug", "chat", "hi", "--help"]]
  ])("%j: nothing unknown", (args) => {
    expect(Argv.findUnknownOption(args, commands)).toBeUndefined()
  })

  it("the message names the option, the command and what it takes", () => {
    const unknown = Argv.findUnknownOption(["models", "--bogus"], commands)
    expect(unknown && Argv.describeUnknownOption("venice", unknown)).toBe(
      "venice: unknown option --bogus for `venice models` (it takes --type, --json, --max-retries, --timeout, --emulator);" +
        " see `venice models --help`"
    )
  })
})
