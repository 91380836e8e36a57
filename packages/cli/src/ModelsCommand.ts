/**
 * `venice models [--type T] [--json] [--timeout T] [--max-retries N] [--emulator]`: the models the target serves
 * (Venice's `GET /models`; text models unless `--type` says otherwise), one line each, or the list as JSON.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Models from "@venice-effect/venice/Models"
import type * as ModelSchemas from "@venice-effect/venice/schema/Models"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Flags from "./Flags.js"
import * as Target from "./Target.js"

const type = Options.choice("type", [
  "text",
  "image",
  "video",
  "tts",
  "asr",
  "embedding",
  "music",
  "upscale",
  "inpaint",
  "code",
  "all"
]).pipe(
  Options.optional,
  Options.withDescription("Which models: a type, `code` (text models for code) or `all` (default: text)")
)

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

const tokens = (n: number | undefined): string =>
  n === undefined
    ? ""
    : n >= 1_000_000
    ? `${Math.round(n / 100_000) / 10}M`
    : n >= 1_000
    ? `${Math.round(n / 1_000)}K`
    : String(n)

/**
 * The models as a plain-text table: id, type, context window, privacy, name.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderTable = (models: ReadonlyArray<ModelSchemas.Model>): ReadonlyArray<string> => {
  const rows = models.map((m) => [
    m.id,
    m.type,
    tokens(m.context_length ?? m.model_spec.availableContextTokens),
    m.model_spec.privacy ?? "",
    m.model_spec.name ?? ""
  ])
  const header = ["MODEL", "TYPE", "CONTEXT", "PRIVACY", "NAME"]
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]?.length ?? 0)))
  return [header, ...rows].map((row) => row.map((cell, i) => pad(cell, widths[i] ?? 0)).join("  ").trimEnd())
}

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "models",
  { type, json: Flags.json, maxRetries: Flags.maxRetries, timeout: Flags.timeout, emulator: Flags.emulator },
  (args) =>
    Target.run(args, () =>
      Effect.flatMap(
        Models.list(Option.match(args.type, { onNone: () => ({}), onSome: (type) => ({ type }) })),
        (list) =>
          Effect.sync(() =>
            void process.stdout.write(
              args.json ? `${JSON.stringify(list.data, null, 2)}\n` : `${renderTable(list.data).join("\n")}\n`
            )
          )
      ))
).pipe(Command.withDescription(Flags.describeCalling(
  "List the models the target serves (text models unless --type says otherwise)."
)))
