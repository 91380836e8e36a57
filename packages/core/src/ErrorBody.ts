/**
 * What an error response's body is, before any provider looks at its fields: JSON (parsed), empty, an HTML page
 * (a CDN or proxy answered), other text, or JSON that was cut off. Every provider's error decoder starts here, so
 * "never lose the raw body" (design.md §1, E10) is implemented once.
 *
 * @since 0.1.0
 */

/**
 * How much of a body is kept as raw text on an error: the first 64 KiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_RAW_LIMIT = 64 * 1024

/**
 * Bodies larger than this are not parsed as JSON at all (an error body that large is not a Venice error document).
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_PARSE_LIMIT = 4 * 1024 * 1024

/**
 * The classified body.
 *
 * - `json`: parsed; `value` is whatever JSON value it was (object, array, string, number …).
 * - `empty`: zero bytes, or only whitespace.
 * - `html`: looks like an HTML document (starts with `<` after whitespace / BOM, or the content type says so).
 * - `truncated-json`: starts like JSON (`{` or `[`) but does not parse.
 * - `text`: anything else (plain text such as `404 page not found`, binary garbage).
 * - `too-large`: over the parse limit; only `raw` is kept.
 *
 * @since 0.1.0
 * @category models
 */
export type ErrorBody =
  | { readonly _tag: "json"; readonly value: unknown; readonly raw: string; readonly size: number }
  | { readonly _tag: "empty"; readonly raw: string; readonly size: number }
  | { readonly _tag: "html"; readonly raw: string; readonly size: number; readonly title: string | undefined }
  | { readonly _tag: "truncated-json"; readonly raw: string; readonly size: number }
  | { readonly _tag: "text"; readonly raw: string; readonly size: number }
  | { readonly _tag: "too-large"; readonly raw: string; readonly size: number }

/**
 * @since 0.1.0
 * @category models
 */
export interface InspectOptions {
  /** Bytes of raw text kept (default {@link DEFAULT_RAW_LIMIT}). */
  readonly rawLimit?: number
  /** Bodies over this many bytes are not parsed (default {@link DEFAULT_PARSE_LIMIT}). */
  readonly parseLimit?: number
  /** The response's `content-type`, if known: `text/html` classifies a body as HTML. */
  readonly contentType?: string | undefined
}

const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: false })

/**
 * Truncates text to at most `limit` UTF-16 code units without splitting a surrogate pair, marking the cut.
 *
 * @since 0.1.0
 * @category utils
 */
export const bound = (text: string, limit: number = DEFAULT_RAW_LIMIT): string => {
  if (text.length <= limit) return text
  let end = limit
  const code = text.charCodeAt(end - 1)
  if (code >= 0xd800 && code <= 0xdbff) end -= 1
  return `${text.slice(0, end)}…[truncated ${text.length - end} chars]`
}

const titleOf = (html: string): string | undefined => {
  const match = /<title[^>]*>([^<]{0,200})<\/title>/i.exec(html)
  const title = match?.[1]?.replace(/\s+/g, " ").trim()
  return title === undefined || title.length === 0 ? undefined : title
}

/**
 * Classifies a body given as bytes or text. Total: never throws, whatever the input.
 *
 * @since 0.1.0
 * @category constructors
 */
export const inspect = (body: Uint8Array | string, options: InspectOptions = {}): ErrorBody => {
  const rawLimit = options.rawLimit ?? DEFAULT_RAW_LIMIT
  const parseLimit = options.parseLimit ?? DEFAULT_PARSE_LIMIT
  const size = typeof body === "string" ? body.length : body.byteLength
  if (size > parseLimit) {
    const head = typeof body === "string" ? body.slice(0, rawLimit + 1) : decoder.decode(body.subarray(0, rawLimit + 4))
    return { _tag: "too-large", raw: bound(head, rawLimit), size }
  }
  const text = typeof body === "string" ? body : decoder.decode(body)
  const raw = bound(text, rawLimit)
  const trimmed = text.replace(/^\uFEFF/, "").trim()
  if (trimmed.length === 0) return { _tag: "empty", raw, size }
  const first = trimmed.charCodeAt(0)
  const isHtmlType = options.contentType !== undefined && /\btext\/html\b/i.test(options.contentType)
  if (first === 0x3c /* < */ || isHtmlType) return { _tag: "html", raw, size, title: titleOf(trimmed) }
  try {
    return { _tag: "json", value: JSON.parse(trimmed), raw, size }
  } catch {
    return first === 0x7b /* { */ || first === 0x5b /* [ */
      ? { _tag: "truncated-json", raw, size }
      : { _tag: "text", raw, size }
  }
}

/**
 * A one-line description of a non-JSON body, for an error's `message`.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = (body: ErrorBody, status: number): string => {
  switch (body._tag) {
    case "json":
      return `HTTP ${status} with an unrecognised JSON body`
    case "empty":
      return `HTTP ${status} with an empty body`
    case "html":
      return `HTTP ${status}: an HTML page instead of a JSON error${body.title ? ` (${body.title})` : ""}`
    case "truncated-json":
      return `HTTP ${status} with truncated or malformed JSON (${body.size} bytes)`
    case "too-large":
      return `HTTP ${status} with an oversized error body (${body.size} bytes)`
    case "text": {
      // `split` with a limit of 1 returns exactly one element, even for an empty string
      const line = body.raw.split(/\r?\n/, 1)[0]!.trim().slice(0, 200)
      return line.length > 0 ? `HTTP ${status}: ${line}` : `HTTP ${status} with a non-JSON body`
    }
  }
}
