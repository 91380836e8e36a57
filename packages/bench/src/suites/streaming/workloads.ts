/**
 * The streaming suite's workloads: chat SSE bodies, generated deterministically from a key (the request's `model`),
 * so the server (which writes them) and the worker (which checks what it read) agree without sharing memory.
 *
 * - `small:<bytes>` — OpenAI-style `chat.completion.chunk` deltas (~120 B per event), LF line ends, a usage chunk,
 *   then `data: [DONE]`.
 * - `crlf:<bytes>` — the same with CRLF line ends.
 * - `big:<count>:<eventBytes>` — `count` events each carrying one `content` string of `eventBytes`.
 * - `error:<k>` — `k` small events, then an in-band `{"error": …}` event (then `[DONE]`, which must not be reached).
 * - `long:<bytes>` — `small` generated on the fly (never held in memory), for the flat-RSS figure.
 */

export type Kind = "small" | "crlf" | "big" | "error" | "long"

export interface Workload {
  readonly key: string
  readonly kind: Kind
  /** small / crlf / long: target body bytes. */
  readonly bytes: number
  /** big: events; error: events before the error. */
  readonly count: number
  /** big: bytes of each event's content. */
  readonly eventBytes: number
}

export const parse = (key: string): Workload => {
  const [kind, a = "0", b = "0"] = key.split(":")
  switch (kind) {
    case "small":
    case "crlf":
    case "long":
      return { key, kind, bytes: Number(a), count: 0, eventBytes: 0 }
    case "big":
      return { key, kind, bytes: 0, count: Number(a), eventBytes: Number(b) }
    case "error":
      return { key, kind, bytes: 0, count: Number(a), eventBytes: 0 }
    default:
      throw new Error(`unknown workload ${key}`)
  }
}

const TOKENS = ["Hello", " world", ",", " this", " is", " a", " stream", " of", " small", " deltas", ".", "\\n"]

/** The JSON of the i-th small chunk. */
export const smallChunk = (i: number): string =>
  `{"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{"content":"${
    TOKENS[i % TOKENS.length]
  }"},"finish_reason":null}]}`

const USAGE =
  `{"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6},"cost":{"usd":0,"diem":0}}`

export const ERROR_EVENT =
  `{"error":{"message":"The model is currently overloaded. Please try again later.","type":"server_error","code":"model_overloaded","param":null,"retry_after":5}}`

const event = (data: string, nl: string): string => `data: ${data}${nl}${nl}`

/** What a worker should see. */
export interface Expectation {
  /** Body bytes the server sends. */
  readonly bytes: number
  /** Chat chunks a complete consumer delivers (usage chunk included). */
  readonly events: number
  /** `done`: ends at `[DONE]`; `error`: fails on the in-band error after `events` chunks. */
  readonly outcome: "done" | "error"
}

/**
 * The body as a sequence of string pieces (each about 64 KiB for small events; one per event for big ones), and
 * the expectation. `long` is produced lazily.
 */
export function* pieces(w: Workload): Generator<string, Expectation> {
  const nl = w.kind === "crlf" ? "\r\n" : "\n"
  let bytes = 0
  let events = 0
  switch (w.kind) {
    case "small":
    case "crlf":
    case "long": {
      let buffer = ""
      for (let i = 0; bytes + buffer.length < w.bytes; i++) {
        buffer += event(smallChunk(i), nl)
        events++
        if (buffer.length >= 65_536) {
          bytes += buffer.length
          yield buffer
          buffer = ""
        }
      }
      buffer += event(USAGE, nl) + event("[DONE]", nl)
      events++
      bytes += buffer.length
      yield buffer
      return { bytes, events, outcome: "done" }
    }
    case "big": {
      const content = "lorem ipsum dolor sit amet ".repeat(Math.ceil(w.eventBytes / 27)).slice(0, w.eventBytes)
      for (let i = 0; i < w.count; i++) {
        const piece = event(
          `{"id":"chatcmpl-b","object":"chat.completion.chunk","created":1700000000,"model":"bench","choices":[{"index":0,"delta":{"content":"${content}"},"finish_reason":null}]}`,
          nl
        )
        bytes += piece.length
        events++
        yield piece
      }
      const tail = event("[DONE]", nl)
      bytes += tail.length
      yield tail
      return { bytes, events, outcome: "done" }
    }
    case "error": {
      let buffer = ""
      for (let i = 0; i < w.count; i++) {
        buffer += event(smallChunk(i), nl)
        events++
        if (buffer.length >= 65_536) {
          bytes += buffer.length
          yield buffer
          buffer = ""
        }
      }
      buffer += event(ERROR_EVENT, nl) + event("[DONE]", nl)
      bytes += buffer.length
      yield buffer
      return { bytes, events, outcome: "error" }
    }
  }
}

/** Runs the generator for its expectation only (cheap enough for the server's `/meta`). */
export const expectation = (w: Workload): Expectation => {
  const it = pieces(w)
  for (;;) {
    const r = it.next()
    if (r.done === true) return r.value
  }
}

/** How the server slices a body into writes: small events in 16 KiB writes, big events in 4 KiB slices. */
export const sliceBytes = (w: Workload): number => (w.kind === "big" ? 4096 : 16_384)
