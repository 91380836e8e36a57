/**
 * Checks a command line for options no command declares, before `@effect/cli` parses it: `@effect/cli` reads an
 * unknown `--bogus` as a positional value (`venice chat --bogus hi` would ask the model "--bogus" and then complain
 * about `hi`), so the option is named here instead. The known names come from the commands' own usage, never from a
 * list kept by hand.
 *
 * @since 0.1.0
 */
import * as CliConfig from "@effect/cli/CliConfig"
import type * as Command from "@effect/cli/Command"
import * as CommandM from "@effect/cli/Command"
import type * as Span from "@effect/cli/HelpDoc/Span"
import * as Usage from "@effect/cli/Usage"

/**
 * The options `@effect/cli` adds to every command.
 *
 * @since 0.1.0
 * @category constants
 */
export const builtInOptions: ReadonlyArray<string> = [
  "--help",
  "-h",
  "--version",
  "--wizard",
  "--completions",
  "--log-level"
]

const spanText = (span: Span.Span): string => {
  switch (span._tag) {
    case "Sequence":
      return spanText(span.left) + spanText(span.right)
    case "Text":
    case "URI":
      return span.value
    case "Highlight":
    case "Weak":
    case "Strong":
      return spanText(span.value)
  }
}

/**
 * What a command's usage shows about its options: every name (`--model`, `-m` …), and which of them take a value.
 *
 * @since 0.1.0
 * @category models
 */
export interface CommandOptions {
  readonly options: ReadonlyArray<string>
  readonly takesValue: ReadonlyArray<string>
}

/**
 * The options of a command, read from its usage (`[(-m, --model text)] [--no-stream]`).
 *
 * @since 0.1.0
 * @category accessors
 */
export const commandOptions = <Name extends string, R, E, A>(
  command: Command.Command<Name, R, E, A>
): CommandOptions => {
  const text = Usage.enumerate(CommandM.getUsage(command), CliConfig.defaultConfig).map(spanText).join(" ")
  const options = new Set<string>()
  const takesValue = new Set<string>()
  // a group of names (`-m, --model`), then a value placeholder unless the group closes (`]`, `)`)
  for (const m of text.matchAll(/(?<![\w-])((?:--?[a-zA-Z][\w-]*)(?:,\s*--?[a-zA-Z][\w-]*)*)(\s+[^\s[\]()<-])?/g)) {
    // group 1 is not optional: it takes part in every match
    const names = m[1]!.split(/,\s*/)
    for (const name of names) {
      options.add(name)
      if (m[2] !== undefined) takesValue.add(name)
    }
  }
  return { options: [...options], takesValue: [...takesValue] }
}

/**
 * An option nobody declares.
 *
 * @since 0.1.0
 * @category models
 */
export interface UnknownOption {
  readonly option: string
  /** The subcommand it was given to, if any (`chat`). */
  readonly command: string | undefined
  /** The options that command does take. */
  readonly known: ReadonlyArray<string>
}

/**
 * The first unknown option of `args` (the arguments after the program name), given the options of each subcommand.
 * A value after an option that takes one is not an option (`--model -x` is the model `-x`); `--` ends the options;
 * negative numbers are values.
 *
 * @since 0.1.0
 * @category checks
 */
export const findUnknownOption = (
  args: ReadonlyArray<string>,
  commands: Readonly<Record<string, CommandOptions>>
): UnknownOption | undefined => {
  let command: string | undefined
  const valued = new Set(["--completions", "--log-level"])
  let options: CommandOptions | undefined
  let skipValue = false
  for (const arg of args) {
    if (skipValue) {
      skipValue = false
      continue
    }
    if (arg === "--") return undefined
    if (!arg.startsWith("-") || arg === "-" || /^-\d/.test(arg)) {
      if (command === undefined && Object.hasOwn(commands, arg)) {
        command = arg
        options = commands[arg]
        for (const name of options?.takesValue ?? []) valued.add(name)
      }
      continue
    }
    const name = arg.includes("=") ? arg.slice(0, arg.indexOf("=")) : arg
    const known = [...builtInOptions, ...(options?.options ?? [])]
    if (!known.includes(name)) return { option: name, command, known }
    skipValue = valued.has(name) && !arg.includes("=")
  }
  return undefined
}

/**
 * The usage error for an unknown option, for people.
 *
 * @since 0.1.0
 * @category rendering
 */
export const describeUnknownOption = (program: string, unknown: UnknownOption): string => {
  const own = unknown.known.filter((name) => name.startsWith("--") && !builtInOptions.includes(name))
  const where = unknown.command === undefined ? program : `${program} ${unknown.command}`
  return `${program}: unknown option ${unknown.option} for \`${where}\`` +
    (own.length > 0 ? ` (it takes ${own.join(", ")})` : "") +
    `; see \`${where} --help\``
}
