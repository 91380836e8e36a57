/**
 * `venice errors [CODE] [--json]`: Venice's error catalog for people (a table, or one code explained) and for
 * scripts (`--json`: `code`, `status`, `message`, `logLevel`, `retryClass` for every code).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ErrorCatalog from "@venice-effect/venice/ErrorCatalog"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The code asked for is not in the catalog (exit code 2: a usage error).
 *
 * @since 0.1.0
 * @category errors
 */
export class UnknownCodeError extends Schema.TaggedError<UnknownCodeError>()("UnknownCodeError", {
  code: Schema.String,
  suggestions: Schema.Array(Schema.String),
  message: Schema.String
}) {}

const json = Options.boolean("json").pipe(Options.withDescription("Print JSON for scripts"))
const code = Args.text({ name: "CODE" }).pipe(
  Args.withDescription("A Venice error code, e.g. RATE_LIMIT_EXCEEDED (case-insensitive)"),
  Args.optional
)

const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))

/**
 * The catalog as a plain-text table (one line per code).
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderTable = (entries: ReadonlyArray<ErrorCatalog.Entry>): string => {
  const width = Math.max(...entries.map((e) => e.code.length))
  const lines = entries.map((e) =>
    `${pad(e.code, width)}  ${e.status}  ${pad(e.logLevel, 5)}  ${pad(e.retryClass, 17)}  ${e.remedy}`
  )
  return [`${pad("CODE", width)}  HTTP  LOG    RETRY              WHAT TO DO`, ...lines].join("\n")
}

/**
 * One code explained for people.
 *
 * @since 0.1.0
 * @category rendering
 */
export const renderEntry = (e: ErrorCatalog.Entry): string =>
  [
    `${e.code} (HTTP ${e.status})`,
    `  message:     ${e.message}`,
    `  retry class: ${e.retryClass}`,
    `  log level:   ${e.logLevel === "-" ? "- (debug)" : e.logLevel}`,
    `  what to do:  ${e.remedy}`,
    `  source:      ${
      e.origin === "table"
        ? "Venice's error-code table"
        : e.origin === "skill"
        ? "official Venice skills"
        : "named by venice-effect (Venice sends no code)"
    }`
  ].join("\n")

const toJson = (e: ErrorCatalog.Entry) => ({
  code: e.code,
  status: e.status,
  message: e.message,
  logLevel: e.logLevel,
  retryClass: e.retryClass,
  remedy: e.remedy
})

/**
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("errors", { json, code }, ({ code, json }) =>
  Effect.gen(function*() {
    const entries: ReadonlyArray<ErrorCatalog.Entry> = ErrorCatalog.entries
    if (Option.isNone(code)) {
      return yield* Console.log(json ? JSON.stringify(entries.map(toJson), null, 2) : renderTable(entries))
    }
    const wanted = code.value.trim()
    const entry = Option.getOrUndefined(ErrorCatalog.find(wanted)) ??
      entries.find((e) => e.code.toLowerCase() === wanted.toLowerCase())
    if (entry === undefined) {
      const suggestions = entries.map((e) => e.code).filter((c) => c.toLowerCase().includes(wanted.toLowerCase()))
        .slice(0, 5)
      return yield* new UnknownCodeError({
        code: wanted,
        suggestions,
        message: `unknown error code ${wanted}${
          suggestions.length > 0 ? ` — did you mean ${suggestions.join(", ")}?` : ""
        }`
      })
    }
    return yield* Console.log(json ? JSON.stringify(toJson(entry), null, 2) : renderEntry(entry))
  })).pipe(Command.withDescription("Print Venice's error catalog, or explain one code"))
