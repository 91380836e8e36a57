/**
 * The incremental event-stream parser behind `Sse` (WHATWG HTML §9.2.5–9.2.6). Pure, mutable, allocation-lean:
 * no Effect in here, it is the hot loop.
 *
 * Bytes → text: each chunk is decoded with a non-streaming `TextDecoder` (Node's fast path, several times faster on
 * ASCII), cutting the chunk before an incomplete trailing UTF-8 sequence and carrying those ≤ 3 bytes into the next
 * chunk. Cutting before any byte that is not a continuation byte never changes the decoder's output (an interrupted
 * sequence yields U+FFFD either way and the cut byte is decoded from the initial state), so the text equals a
 * one-shot `TextDecoder` over the whole stream, U+FFFD replacements included. On non-ASCII text a streaming
 * `TextDecoder` is faster (Node), so after a non-ASCII chunk one takes over, until a chunk is ASCII and ends on an
 * ASCII byte (then it holds nothing back). The BOM is stripped once, by hand, at stream start.
 *
 * Text → lines → events: every character is scanned once (`indexOf` for CR and LF, each re-run only when its last
 * hit has been consumed). A line cut by the end of a chunk is kept as fragments (joined once, when its end arrives)
 * if it can still be a `data`, `event`, `id` or `retry` line, and skipped without buffering otherwise (comments,
 * unknown fields). Linear time whatever the chunking.
 *
 * Size limit, in UTF-8 bytes: the current event's data buffer (values and their LFs), plus the line in progress —
 * a complete `event` / `id` / `retry` line as a whole, a partial line less 6 bytes (the longest field prefix,
 * `"data: "`), so that a partial line never weighs more than it will once complete: whether an event fails does not
 * depend on the chunking (only the `size` reported does: the first size seen past the limit). UTF-16 length is a
 * cheap bound (bytes ≤ 3 × code units), so exact byte counting only starts once an event passes a third of the
 * limit, and is then incremental.
 *
 * @internal
 */
import type { EndOfStream, Event } from "../Sse.js"

const LF = 10
const SPACE = 32
const COLON = 58

const NONE = 0
const BUFFER = 1
const SKIP = 2

const NON_ASCII = /[^\x00-\x7f]/

/** Node's native UTF-8 length (SIMD), when present; lone surrogates count 3 bytes there too. */
const nativeByteLength: ((s: string, encoding: "utf8") => number) | undefined =
  // the DOM/ES lib types declare no `Buffer`: read it as an optional global
  (globalThis as { readonly Buffer?: { readonly byteLength?: (s: string, encoding: "utf8") => number } }).Buffer
    ?.byteLength

/**
 * UTF-8 byte length of `s[from, to)` (a lone surrogate counts 3, as U+FFFD once encoded). Native where possible —
 * Node's `Buffer.byteLength`, else the regex engine to skip the ASCII prefix — about 20× faster than a `charCodeAt`
 * loop on multi-MiB events.
 */
const utf8Length = (s: string, from: number, to: number): number => {
  let bytes = to - from
  if (bytes === 0) return 0
  const sub = from === 0 && to === s.length ? s : s.slice(from, to)
  if (nativeByteLength !== undefined) return nativeByteLength(sub, "utf8")
  const first = sub.search(NON_ASCII)
  if (first === -1) return bytes
  for (let i = from + first; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c < 0x80) continue
    if (c < 0x800) bytes += 1
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < to) {
      const d = s.charCodeAt(i + 1)
      if (d >= 0xdc00 && d <= 0xdfff) {
        bytes += 2 // two code units, four bytes
        i++
      } else bytes += 2
    } else bytes += 2
  }
  return bytes
}

/** Whether `s[from, to)`, the start of a line, can still turn out to be a `name` field line. */
const couldBe = (s: string, from: number, to: number, name: string): boolean => {
  const n = name.length
  const m = to - from < n ? to - from : n
  for (let i = 1; i < m; i++) if (s.charCodeAt(from + i) !== name.charCodeAt(i)) return false
  return to - from <= n || s.charCodeAt(from + n) === COLON
}

/** Whether a partial line `s[from, to)` (non-empty) can still be a field the parser acts on. */
const couldBeField = (s: string, from: number, to: number): boolean => {
  switch (s.charCodeAt(from)) {
    case 100:
      return couldBe(s, from, to, "data")
    case 101:
      return couldBe(s, from, to, "event")
    case 105:
      return couldBe(s, from, to, "id")
    case 114:
      return couldBe(s, from, to, "retry")
    default:
      return false
  }
}

/**
 * If line `s[start, end)` is the field `name` (first character already matched), the index where its value starts
 * (one leading space after the colon skipped; `end` for a bare field name); otherwise -1.
 */
const valueStart = (s: string, start: number, end: number, name: string): number => {
  const n = name.length
  if (end - start < n) return -1
  for (let i = 1; i < n; i++) if (s.charCodeAt(start + i) !== name.charCodeAt(i)) return -1
  const p = start + n
  if (p === end) return end
  if (s.charCodeAt(p) !== COLON) return -1
  return p + 1 < end && s.charCodeAt(p + 1) === SPACE ? p + 2 : p + 1
}

const STREAM = { stream: true } as const

/** Length of the UTF-8 sequence a lead byte announces; 1 for bytes that cannot start a multi-byte sequence. */
const sequenceLength = (b: number): number => (b < 0xc2 ? 1 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 1)

/** @internal */
export class SseParser<E> {
  // bytes → text
  private readonly decoder = new TextDecoder("utf-8", { ignoreBOM: true }) // never in streaming mode
  private streamingDecoder: TextDecoder | undefined = undefined // always in streaming mode
  private streaming: TextDecoder | undefined = undefined // set while the streaming decoder is in use
  private readonly carry = new Uint8Array(4)
  private carryLength = 0
  private carryNeed = 0
  private bomChecked = false

  // text → lines
  private skipLF = false
  private partial = NONE
  private fragments: Array<string> = []
  private pendingUnits = 0

  // lines → events
  private data = "" // the first data line
  private moreData: Array<string> | undefined = undefined // all data lines, once there are several
  private hasData = false
  private dataUnits = 0
  private eventType = ""
  private idBuffer: string | undefined = undefined
  private midEvent = false

  // exact byte accounting, only for events past a third of the limit
  private readonly third: number
  private exact = false
  private dataBytes = 0
  private pendingBytes = 0

  private stopped = false
  private finished: EndOfStream | undefined = undefined

  /** The last event ID string (set from the ID buffer at each dispatch); `undefined` until an `id` field is seen. */
  lastEventId: string | undefined = undefined
  /** The reconnection time set by the last valid `retry` field, in milliseconds. */
  reconnectionTime: number | undefined = undefined
  /** Set when an event outgrew the limit; the parser is stopped from then on. */
  error: E | undefined = undefined

  constructor(
    private readonly onEvent: (event: Event) => boolean | void,
    readonly maxEventBytes: number,
    private readonly tooLarge: (limit: number, size: number) => E
  ) {
    this.third = maxEventBytes / 3
  }

  /** UTF-16 code units held for the current event: pending partial line plus data buffer. */
  get bufferedLength(): number {
    return this.pendingUnits + this.dataUnits
  }

  /** Feeds bytes; returns `false` once the parser has stopped (handler asked to, or an event was too large). */
  push(chunk: Uint8Array): boolean {
    if (this.stopped || this.finished !== undefined) return false
    const text = this.decode(chunk)
    if (text.length > 0) this.feed(text)
    return !this.stopped
  }

  /** End of input: flushes the decoder and drops the unterminated event, if any. Idempotent. */
  end(): EndOfStream {
    if (this.finished === undefined) {
      if (!this.stopped) {
        let text = ""
        if (this.streaming !== undefined) text = this.streaming.decode()
        else if (this.carryLength > 0) text = this.decoder.decode(this.carry.subarray(0, this.carryLength))
        this.carryLength = 0
        text = this.stripBom(text)
        if (text.length > 0) this.feed(text)
      }
      this.finished = {
        incomplete: this.midEvent || this.partial !== NONE,
        lastEventId: this.lastEventId,
        reconnectionTime: this.reconnectionTime
      }
      this.release()
    }
    return this.finished
  }

  private release(): void {
    this.fragments = []
    this.partial = NONE
    this.pendingUnits = 0
    this.data = ""
    this.moreData = undefined
    this.hasData = false
    this.dataUnits = 0
    this.eventType = ""
    this.exact = false
    this.dataBytes = 0
    this.pendingBytes = 0
  }

  // ---------------------------------------------------------------------------------------------------------------
  // bytes → text

  private decode(chunk: Uint8Array): string {
    const n = chunk.length
    if (this.streaming !== undefined) {
      const text = this.streaming.decode(chunk, STREAM)
      // back to the fast path after an ASCII-looking chunk that ends on an ASCII byte (nothing pending)
      if (text.length === n && n > 0 && chunk[n - 1]! < 0x80) this.streaming = undefined
      return this.stripBom(text)
    }
    let start = 0
    let head = ""
    let headBytes = 0
    if (this.carryLength > 0) {
      const carry = this.carry
      // start < n = chunk.length (loop condition)
      while (start < n && this.carryLength < this.carryNeed && (chunk[start]! & 0xc0) === 0x80) {
        carry[this.carryLength++] = chunk[start++]! // start < n (loop condition)
      }
      if (start === n && this.carryLength < this.carryNeed) return ""
      head = this.decoder.decode(carry.subarray(0, this.carryLength))
      headBytes = this.carryLength
      this.carryLength = 0
    }
    let end = n
    const stop = n - 3 > start ? n - 3 : start
    for (let i = n - 1; i >= stop; i--) {
      // start <= stop <= i < n = chunk.length
      const b = chunk[i]!
      if (b < 0x80) break
      if (b >= 0xc0) {
        const need = sequenceLength(b)
        if (n - i < need) {
          this.carry.set(chunk.subarray(i, n))
          this.carryLength = n - i
          this.carryNeed = need
          end = i
        }
        break
      }
    }
    let text = start === end ? "" : this.decoder.decode(start === 0 && end === n ? chunk : chunk.subarray(start, end))
    if (head.length > 0) text = head + text
    if (text.length < headBytes + end - start) {
      // non-ASCII text: a streaming decoder is faster on it (Node); it takes over, carry included
      const streaming = this.streamingDecoder ??= new TextDecoder("utf-8", { ignoreBOM: true })
      if (this.carryLength > 0) {
        // no output for an incomplete sequence, U+FFFDs for one already known invalid ("ED A0")
        text += streaming.decode(this.carry.subarray(0, this.carryLength), STREAM)
        this.carryLength = 0
      }
      this.streaming = streaming
    }
    return this.stripBom(text)
  }

  private stripBom(text: string): string {
    if (this.bomChecked || text.length === 0) return text
    this.bomChecked = true
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  }

  // ---------------------------------------------------------------------------------------------------------------
  // text → lines

  private feed(text: string): void {
    const len = text.length
    let pos = 0
    if (this.skipLF) {
      this.skipLF = false
      if (text.charCodeAt(0) === LF) pos = 1
    }
    if (this.partial !== NONE && pos < len) {
      const lf = text.indexOf("\n", pos)
      const cr = text.indexOf("\r", pos)
      const eol = lf === -1 ? cr : cr === -1 || lf < cr ? lf : cr
      if (eol === -1) {
        this.extendPartial(text, pos, len)
        return
      }
      if (this.partial === BUFFER) {
        const fragments = this.fragments
        fragments.push(text.slice(pos, eol))
        const line = fragments.join("")
        fragments.length = 0
        this.pendingUnits = 0
        this.pendingBytes = 0
        this.partial = NONE
        this.line(line, 0, line.length)
      } else {
        this.partial = NONE
        this.midEvent = true // a comment or an ignored field, as `line` would have seen it
      }
      if (this.stopped) return
      if (eol === cr) {
        if (eol + 1 === len) {
          this.skipLF = true
          return
        }
        pos = text.charCodeAt(eol + 1) === LF ? eol + 2 : eol + 1
      } else {
        pos = eol + 1
      }
    }
    let lf = text.indexOf("\n", pos)
    let cr = text.indexOf("\r", pos)
    while (pos < len) {
      if (lf !== -1 && lf < pos) lf = text.indexOf("\n", pos)
      if (cr !== -1 && cr < pos) cr = text.indexOf("\r", pos)
      let eol: number
      if (lf === -1) {
        if (cr === -1) break
        eol = cr
      } else {
        eol = cr === -1 || lf < cr ? lf : cr
      }
      if (pos === eol) this.dispatch()
      else this.line(text, pos, eol)
      if (this.stopped) return
      if (eol === lf) {
        pos = eol + 1
        // the common `data: …\n\n`: the blank line is dispatched without another search
        if (pos < len && text.charCodeAt(pos) === LF) {
          this.dispatch()
          if (this.stopped) return
          pos++
        }
      } else if (eol + 1 === len) {
        this.skipLF = true
        return
      } else {
        pos = text.charCodeAt(eol + 1) === LF ? eol + 2 : eol + 1
      }
    }
    if (pos < len) this.startPartial(text, pos, len)
  }

  private startPartial(text: string, pos: number, len: number): void {
    if (!couldBeField(text, pos, len)) {
      this.partial = SKIP
      return
    }
    this.partial = BUFFER
    this.fragments.push(text.slice(pos, len))
    this.pendingUnits = len - pos
    if (this.exact) this.pendingBytes = utf8Length(text, pos, len)
    if (this.pendingUnits + this.dataUnits > this.third) this.checkEvent()
  }

  private extendPartial(text: string, pos: number, len: number): void {
    if (this.partial === SKIP || pos === len) return
    const before = this.pendingUnits
    if (before < 6) {
      // the field name may only now be decided ("d" + "x…")
      const head = this.fragments.join("") + text.slice(pos, pos + 6 - before)
      if (!couldBeField(head, 0, head.length)) {
        this.fragments = []
        this.pendingUnits = 0
        this.pendingBytes = 0
        this.partial = SKIP
        return
      }
    }
    this.fragments.push(text.slice(pos, len))
    this.pendingUnits = before + len - pos
    if (this.exact) this.pendingBytes += utf8Length(text, pos, len)
    if (this.pendingUnits + this.dataUnits > this.third) this.checkEvent()
  }

  // ---------------------------------------------------------------------------------------------------------------
  // lines → events

  /** A non-empty line `s[start, end)`. */
  private line(s: string, start: number, end: number): void {
    if (start === end) return this.dispatch()
    this.midEvent = true
    let v: number
    switch (s.charCodeAt(start)) {
      case 100: {
        // "data:" inline, the hot path
        if (
          end - start > 4 &&
          s.charCodeAt(start + 4) === COLON &&
          s.charCodeAt(start + 1) === 97 &&
          s.charCodeAt(start + 2) === 116 &&
          s.charCodeAt(start + 3) === 97
        ) {
          v = start + 5
          if (v < end && s.charCodeAt(v) === SPACE) v++
        } else {
          v = valueStart(s, start, end, "data")
          if (v === -1) return
        }
        const value = s.slice(v, end)
        if (this.moreData !== undefined) this.moreData.push(value)
        else if (this.hasData) this.moreData = [this.data, value]
        else {
          this.data = value
          this.hasData = true
        }
        this.dataUnits += value.length + 1
        if (this.exact) this.dataBytes += utf8Length(value, 0, value.length) + 1
        if (this.dataUnits > this.third) this.checkEvent()
        return
      }
      case 101: {
        v = valueStart(s, start, end, "event")
        if (v === -1) return
        if (this.lineTooLarge(s, start, end)) return
        this.eventType = s.slice(v, end)
        return
      }
      case 105: {
        v = valueStart(s, start, end, "id")
        if (v === -1) return
        if (this.lineTooLarge(s, start, end)) return
        const value = s.slice(v, end)
        if (value.indexOf("\0") === -1) this.idBuffer = value
        return
      }
      case 114: {
        v = valueStart(s, start, end, "retry")
        if (v === -1 || this.lineTooLarge(s, start, end) || v === end) return
        for (let i = v; i < end; i++) {
          const c = s.charCodeAt(i)
          if (c < 48 || c > 57) return
        }
        this.reconnectionTime = Number(s.slice(v, end))
        return
      }
      default:
        return // comment (leading ':') or a field this parser ignores
    }
  }

  private dispatch(): void {
    this.midEvent = false
    this.lastEventId = this.idBuffer
    if (!this.hasData) {
      this.eventType = ""
      this.exact = false
      this.dataBytes = 0
      return
    }
    const event: Event = {
      event: this.eventType === "" ? "message" : this.eventType,
      data: this.moreData === undefined ? this.data : this.moreData.join("\n"),
      id: this.lastEventId,
      retry: this.reconnectionTime
    }
    this.data = ""
    this.moreData = undefined
    this.hasData = false
    this.dataUnits = 0
    this.eventType = ""
    this.exact = false
    this.dataBytes = 0
    if (this.onEvent(event) === true) this.stopped = true
  }

  // ---------------------------------------------------------------------------------------------------------------
  // size limit

  private ensureExact(): void {
    if (this.exact) return
    this.exact = true
    let data = 0
    if (this.moreData !== undefined) { for (const line of this.moreData) data += utf8Length(line, 0, line.length) + 1 }
    else if (this.hasData) data = utf8Length(this.data, 0, this.data.length) + 1
    this.dataBytes = data
    let pending = 0
    for (const fragment of this.fragments) pending += utf8Length(fragment, 0, fragment.length)
    this.pendingBytes = pending
  }

  /** Data buffer plus partial line; called once they hold more than a third of the limit in code units. */
  private checkEvent(): void {
    this.ensureExact()
    const size = this.dataBytes + (this.pendingBytes > 6 ? this.pendingBytes - 6 : 0)
    if (size > this.maxEventBytes) this.overflow(size)
  }

  /**
   * Data buffer plus a complete `event` / `id` / `retry` line, measured like a partial line (its bytes beyond a 6-byte
   * field allowance): a partial line then never measures more than it will once complete, so whether an event is too
   * large does not depend on where the chunks were cut.
   */
  private lineTooLarge(s: string, start: number, end: number): boolean {
    if (this.dataUnits + end - start <= this.third) return false
    this.ensureExact()
    const size = this.dataBytes + Math.max(0, utf8Length(s, start, end) - 6)
    if (size <= this.maxEventBytes) return false
    this.overflow(size)
    return true
  }

  private overflow(size: number): void {
    this.error = this.tooLarge(this.maxEventBytes, size)
    this.stopped = true
    this.release()
  }
}
