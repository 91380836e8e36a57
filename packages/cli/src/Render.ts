/**
 * Failures rendered for people: the code, Venice's message, the catalog's remedy, the correlation ids to quote to
 * support, and for validation errors the field tree. Never a secret: errors carry none.
 *
 * @since 0.1.0
 */
import * as ClientError from "@venice-effect/core/ClientError"
import * as VeniceError from "@venice-effect/venice/VeniceError"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"

/**
 * Lines describing one failure.
 *
 * @since 0.1.0
 * @category rendering
 */
export const errorLines = (error: unknown): ReadonlyArray<string> => {
  if (VeniceError.isVeniceError(error)) {
    const head = `✗ ${error.status} ${
      error.code === "UNKNOWN" ? error.reportedCode ?? "UNKNOWN" : error.code
    } — ${error.message}`
    const fields = VeniceError.renderFieldErrors(error).map((line) => `    ${line}`)
    const ids = [
      error.requestId !== undefined ? `request id ${error.requestId}` : undefined,
      error.cfRay !== undefined ? `CF-RAY ${error.cfRay}` : undefined,
      error.correlationId !== undefined ? `correlation ${error.correlationId}` : undefined,
      error.attempt !== undefined ? `attempt ${error.attempt}` : undefined
    ].filter(Predicate.isNotUndefined)
    return [
      head,
      ...fields,
      `  what to do: ${VeniceError.remedy(error)}`,
      ...(ids.length > 0 ? [`  ${ids.join(" · ")}`] : [])
    ]
  }
  if (ClientError.isClientError(error)) {
    switch (error._tag) {
      case "RequestValidationError":
        return [`✗ invalid request (not sent)`, ...error.issues.map((i) => `    ${i}`)]
      case "WaitTooLongError":
        return [
          `✗ ${error.message}`,
          `  what to do: try again in ${Duration.format(error.wait)}, or raise the maximum wait`
        ]
      case "ErrorBudgetExhaustedError":
        return [
          `✗ ${error.message}`,
          "  what to do: fix the failing requests; Venice locks the key out after 50 in 30 s"
        ]
      case "TransportError":
        return [
          `✗ ${error.message}`,
          `  what to do: check connectivity to ${error.url ?? "Venice"}; retried with backoff`
        ]
      case "ResponseDecodeError":
        return [`✗ ${error.message}`, `  what to do: Venice sent an unexpected body; quote the request id to support`]
    }
  }
  if (Predicate.isTagged(error, "DeadlineExceeded") && Predicate.hasProperty(error, "message")) {
    return [`✗ ${String(error.message)}`, "  what to do: raise --timeout, or try again later"]
  }
  if (Predicate.hasProperty(error, "message") && typeof error.message === "string") {
    const tag = Predicate.hasProperty(error, "_tag") ? `${String(error._tag)}: ` : ""
    return [`✗ ${tag}${error.message}`]
  }
  return [`✗ ${String(error)}`]
}

/**
 * A failure as JSON for scripts: tag, code, status, message, ids.
 *
 * @since 0.1.0
 * @category rendering
 */
export const errorJson = (error: unknown): Record<string, unknown> => {
  if (VeniceError.isVeniceError(error)) {
    return {
      error: error._tag,
      code: error.code,
      status: error.status,
      message: error.message,
      retryClass: VeniceError.retryClass(error),
      remedy: VeniceError.remedy(error),
      requestId: error.requestId,
      cfRay: error.cfRay,
      attempt: error.attempt,
      fields: VeniceError.renderFieldErrors(error)
    }
  }
  return {
    error: Predicate.hasProperty(error, "_tag") ? error._tag : "Error",
    message: Predicate.hasProperty(error, "message") ? error.message : String(error)
  }
}

const width = (s: string): number => [...s].length

/**
 * Wraps text at spaces to lines of at most `columns` characters (a longer word is cut); continuation lines start with
 * `indent`.
 *
 * @since 0.1.0
 * @category rendering
 */
export const wrap = (text: string, columns: number, indent = ""): ReadonlyArray<string> => {
  // leading spaces are the line's own indentation: kept on every line
  const lead = " ".repeat(text.length - text.replace(/^ +/, "").length)
  if (lead !== "") return wrap(text.slice(lead.length), columns - lead.length, indent).map((l) => lead + l)
  const lines: Array<string> = []
  let line = ""
  const room = () => columns - (lines.length === 0 ? 0 : width(indent))
  for (let word of text.split(/ +/)) {
    while (width(word) > room() && room() > 0) {
      if (line !== "") {
        lines.push(line)
        line = ""
      }
      const cut = [...word].slice(0, room()).join("")
      lines.push(cut)
      word = [...word].slice(width(cut)).join("")
    }
    if (line === "") line = word
    else if (width(line) + 1 + width(word) <= room()) line = `${line} ${word}`
    else {
      lines.push(line)
      line = word
    }
  }
  if (line !== "" || lines.length === 0) lines.push(line)
  return lines.map((l, i) => (i === 0 ? l : `${indent}${l}`))
}

/**
 * A plain-text table at most `width` columns wide: every column as wide as its widest line, except `flexible`, which
 * gets the room left and wraps its text (continuation lines indented by two). A cell is a line, or several.
 *
 * @since 0.1.0
 * @category rendering
 */
export const table = (options: {
  readonly header: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string | ReadonlyArray<string>>>
  /** Right-aligned columns (numbers). */
  readonly right?: ReadonlyArray<number> | undefined
  readonly flexible: number
  readonly width: number
}): ReadonlyArray<string> => {
  const gap = "  "
  const linesOf = (
    cell: string | ReadonlyArray<string>
  ): ReadonlyArray<string> => (typeof cell === "string" ? [cell] : cell)
  const natural = options.header.map((h, i) =>
    Math.max(width(h), ...options.rows.flatMap((row) => linesOf(row[i] ?? "").map(width)))
  )
  const fixed = natural.reduce((sum, w, i) => (i === options.flexible ? sum : sum + w), 0)
  const room = Math.max(12, options.width - fixed - gap.length * (natural.length - 1))
  const widths = natural.map((w, i) => (i === options.flexible ? Math.min(w, room) : w))
  const cellLines = (cell: string | ReadonlyArray<string>, i: number) =>
    i === options.flexible ? linesOf(cell).flatMap((line) => wrap(line, widths[i] ?? room, "  ")) : linesOf(cell)
  const fit = (text: string, i: number) => {
    const padding = " ".repeat(Math.max(0, (widths[i] ?? 0) - width(text)))
    return options.right?.includes(i) === true ? padding + text : text + padding
  }
  const render = (row: ReadonlyArray<string | ReadonlyArray<string>>) => {
    const cells = widths.map((_, i) => cellLines(row[i] ?? "", i))
    const height = Math.max(...cells.map((c) => c.length))
    return Array.from({ length: height }, (_, k) => cells.map((c, i) => fit(c[k] ?? "", i)).join(gap).trimEnd())
  }
  return [...render(options.header), widths.map((w) => "─".repeat(w)).join(gap), ...options.rows.flatMap(render)]
}
