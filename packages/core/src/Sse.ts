/**
 * Server-sent events (S1, S6): a byte `Stream` decoded into events exactly as the WHATWG HTML "event stream"
 * interpretation rules say — LF, CR and CRLF line ends (also split across chunks), one leading BOM, comments, `data`
 * lines joined with LF, dispatch on a blank line only, `id` and `retry` rules, and an unterminated last event
 * dropped — with the memory held for one event bounded by `maxEventBytes`.
 *
 * {@link decode} runs a caller's per-event {@link Step} handler inside the same loop that parses the bytes, so a
 * provider can JSON-parse, stop on `[DONE]` and fail on an error event without one Effect per event.
 *
 * @since 0.1.0
 */
import * as Channel from "effect/Channel"
import * as Chunk from "effect/Chunk"
import { dual } from "effect/Function"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import { SseParser } from "./internal/sseParser.js"

// ---------------------------------------------------------------------------------------------------------------------
// models

/**
 * One dispatched event.
 *
 * - `event`: the event type, `"message"` unless an `event` field set another.
 * - `data`: the `data` lines joined with LF.
 * - `id`: the last event ID at dispatch — it persists across events until an `id` field changes it (`id` with an
 *   empty value resets it to `""`); `undefined` while the stream has not set any.
 * - `retry`: the reconnection time in milliseconds set by the last valid `retry` field seen so far (it persists too);
 *   `undefined` while the stream has not set any.
 *
 * @since 0.1.0
 * @category models
 */
export interface Event {
  readonly event: string
  readonly data: string
  readonly id: string | undefined
  readonly retry: number | undefined
}

/**
 * What the input looked like when it ended.
 *
 * - `incomplete`: `true` when the input did not end on an event boundary — a partial line, or lines after the last
 *   blank line, were dropped (an unterminated last event is never dispatched).
 * - `lastEventId`, `reconnectionTime`: the stream's state at the end, for a caller that reconnects.
 *
 * @since 0.1.0
 * @category models
 */
export interface EndOfStream {
  readonly incomplete: boolean
  readonly lastEventId: string | undefined
  readonly reconnectionTime: number | undefined
}

/**
 * Default for `maxEventBytes`: 1 MiB.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultMaxEventBytes: number = 1_048_576

// ---------------------------------------------------------------------------------------------------------------------
// errors

/**
 * The current event outgrew `maxEventBytes` (S6). The stream fails instead of buffering without end. What is
 * measured, in UTF-8 bytes: the event's data buffer (values and their line feeds) plus the line in progress — a
 * complete `event` / `id` / `retry` line, or a partial line less 6 bytes (the `"data: "` prefix it will lose), so
 * that whether an event fails never depends on how the input is chunked.
 *
 * @since 0.1.0
 * @category errors
 */
export class SseEventTooLargeError extends Schema.TaggedError<SseEventTooLargeError>()("SseEventTooLargeError", {
  /** The configured `maxEventBytes`. */
  limit: Schema.Number,
  /** The bytes measured when the limit was crossed: more than `limit`, at most the event's size; it depends on the
   * chunking. */
  size: Schema.Number
}) {
  /**
   * @since 0.1.0
   */
  override get message(): string {
    return `server-sent event larger than ${this.limit} bytes (${this.size} bytes buffered)`
  }
}

const isStream = (args: IArguments): boolean => Predicate.hasProperty(args[0], Stream.StreamTypeId)

const tooLarge = (limit: number, size: number): SseEventTooLargeError => new SseEventTooLargeError({ limit, size })

// ---------------------------------------------------------------------------------------------------------------------
// steps

/**
 * What a {@link decode} handler does with one event: emit a value, skip the event, end the stream cleanly (nothing
 * after it is read), or fail the stream with `E`.
 *
 * @since 0.1.0
 * @category steps
 */
export type Step<A, E> = Emit<A> | Skip | End | Fail<E>

/**
 * A step that emits `value` downstream.
 *
 * @since 0.1.0
 * @category steps
 */
export interface Emit<A> {
  readonly _tag: "Emit"
  readonly value: A
}

/**
 * A step that drops the event.
 *
 * @since 0.1.0
 * @category steps
 */
export interface Skip {
  readonly _tag: "Skip"
}

/**
 * A step that ends the stream cleanly.
 *
 * @since 0.1.0
 * @category steps
 */
export interface End {
  readonly _tag: "End"
}

/**
 * A step that fails the stream with `error`.
 *
 * @since 0.1.0
 * @category steps
 */
export interface Fail<E> {
  readonly _tag: "Fail"
  readonly error: E
}

/**
 * Emit `value` downstream.
 *
 * @since 0.1.0
 * @category steps
 */
export const emit = <A>(value: A): Step<A, never> => ({ _tag: "Emit", value })

/**
 * Drop the event (keep-alives, events of no interest).
 *
 * @since 0.1.0
 * @category steps
 */
export const skip: Step<never, never> = { _tag: "Skip" }

/**
 * End the stream cleanly here (e.g. on `data: [DONE]`); the rest of the input is not read.
 *
 * @since 0.1.0
 * @category steps
 */
export const end: Step<never, never> = { _tag: "End" }

/**
 * Fail the stream with `error` (e.g. an in-band error event); values emitted before it are delivered first.
 *
 * @since 0.1.0
 * @category steps
 */
export const fail = <E>(error: E): Step<never, E> => ({ _tag: "Fail", error })

// ---------------------------------------------------------------------------------------------------------------------
// decoding

/**
 * Options of {@link events}.
 *
 * `maxEventBytes` (default {@link defaultMaxEventBytes}): the most UTF-8 bytes one event may hold — its data buffer
 * plus the line being received, see {@link SseEventTooLargeError} — before the stream fails. Comment and unknown
 * lines are skipped without being buffered and never count. `Infinity` disables the limit.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly maxEventBytes?: number | undefined
}

/**
 * Options of {@link decode}: {@link Options}, plus `onEnd`, called once when the input ends without the handler having
 * ended or failed the stream. It receives the {@link EndOfStream} and returns the last {@link Step}: `fail` to turn an
 * early end into an error (a chat stream without `[DONE]` is truncated), `emit` for a final value, `end` or `skip` to
 * just finish. Without `onEnd` the stream simply ends.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecodeOptions<A, E> extends Options {
  readonly onEnd?: ((end: EndOfStream) => Step<A, E>) | undefined
}

const resolveLimit = (maxEventBytes: number | undefined): number =>
  maxEventBytes === undefined || Number.isNaN(maxEventBytes) ? defaultMaxEventBytes : Math.max(0, maxEventBytes)

const decodeStream = <A, E, R, E2, A3, E3>(
  self: Stream.Stream<Uint8Array, E, R>,
  handler: (event: Event) => Step<A, E2>,
  options: DecodeOptions<A3, E3> | undefined
): Stream.Stream<A | A3, E | E2 | E3 | SseEventTooLargeError, R> => {
  const limit = resolveLimit(options?.maxEventBytes)
  const onEnd = options?.onEnd
  type Out = Chunk.Chunk<A | A3>
  type Err = E | E2 | E3 | SseEventTooLargeError
  const channel = Channel.suspend(() => {
    let out: Array<A | A3> = []
    let failed: Fail<E2> | undefined
    const parser = new SseParser<SseEventTooLargeError>(
      (event) => {
        const step = handler(event)
        switch (step._tag) {
          case "Emit":
            out.push(step.value)
            return false
          case "Skip":
            return false
          case "End":
            return true
          case "Fail":
            failed = step
            return true
        }
      },
      limit,
      tooLarge
    )
    // Hands the values decoded from one input chunk downstream, leaving none of them reachable from a pretenured
    // object. `Chunk.unsafeFromArray` allocates the chunk's backing with an object literal, one V8 allocation site for
    // every caller, which V8 may pretenure (the decision sticks for the process): every later backing is then
    // allocated in old space, and a dead old-space backing keeps its array and each value in it alive through every
    // scavenge until the next full GC — on a fast stream every decoded value gets promoted (measured on 50 MiB of chat
    // SSE: ~7.5 MB promoted per MiB streamed, twice the minor-GC time, ~25% more CPU per MiB). `Chunk.reverse` copies
    // the values into a backing of another allocation site, and the array the first backing points to is emptied.
    // Kept inline: moved into a helper function, the same code promoted as much as `unsafeFromArray` alone (V8 11).
    const flush = (): Out => {
      let chunk: Out
      if (out.length < 2) chunk = Chunk.unsafeFromArray(out)
      else {
        out.reverse()
        chunk = Chunk.reverse(Chunk.unsafeFromArray(out))
        out.length = 0
      }
      out = []
      return chunk
    }
    // the parser stopped: the handler ended or failed the stream, or an event was too large
    const stop = (): Channel.Channel<Out, unknown, Err, unknown, void, unknown> => {
      const last: Channel.Channel<never, unknown, Err, unknown, void, unknown> = failed !== undefined
        ? Channel.fail(failed.error)
        : parser.error !== undefined
        ? Channel.fail(parser.error)
        : Channel.void
      return out.length > 0 ? Channel.zipRight(Channel.write(flush()), last) : last
    }
    const loop: Channel.Channel<Out, Chunk.Chunk<Uint8Array>, Err, E, unknown, unknown> = Channel.readWithCause({
      onInput: (input: Chunk.Chunk<Uint8Array>) => {
        const chunks = Chunk.toReadonlyArray(input)
        for (let i = 0; i < chunks.length; i++) {
          // i < chunks.length
          if (!parser.push(chunks[i]!)) return stop()
        }
        return out.length === 0 ? loop : Channel.flatMap(Channel.write(flush()), () => loop)
      },
      onFailure: (cause) => Channel.failCause(cause),
      onDone: () => {
        const info = parser.end() // completes no event: what it flushes is a partial line at most
        if (onEnd === undefined) return Channel.void
        const step = onEnd(info)
        switch (step._tag) {
          case "Emit":
            return Channel.write(Chunk.of<A | A3>(step.value))
          case "Fail":
            return Channel.fail(step.error)
          default:
            return Channel.void
        }
      }
    })
    return loop
  })
  return Stream.pipeThroughChannel(self, channel)
}

/**
 * Decodes a byte stream of `text/event-stream` and runs `handler` on each event, in the parsing loop itself: one
 * output chunk per input chunk (none when it yields no values), no Effect per event. The handler's {@link Step}
 * emits a value, skips, ends the stream (without reading further) or fails it. The output does not depend on how
 * the input is chunked.
 *
 * The handler must be total (a throw is a defect). Keep per-run state out of it, or build the stream inside
 * `Stream.suspend`. See {@link DecodeOptions} for `maxEventBytes` and `onEnd`.
 *
 * @example
 * ```ts
 * import * as Sse from "@venice-effect/core/Sse"
 * import * as Data from "effect/Data"
 * import * as Either from "effect/Either"
 * import type * as ParseResult from "effect/ParseResult"
 * import * as Schema from "effect/Schema"
 * import type * as Stream from "effect/Stream"
 *
 * const ChatChunk = Schema.Struct({ id: Schema.String, choices: Schema.Array(Schema.Unknown) })
 * const decodeChunk = Schema.decodeUnknownEither(Schema.parseJson(ChatChunk))
 *
 * class StreamError extends Data.TaggedError("StreamError")<{ readonly data: string }> {}
 * class TruncatedError extends Data.TaggedError("TruncatedError")<{ readonly incomplete: boolean }> {}
 *
 * declare const body: Stream.Stream<Uint8Array, Error>
 *
 * // Stream<typeof ChatChunk.Type, Error | ParseError | StreamError | TruncatedError | SseEventTooLargeError>
 * const chunks = body.pipe(
 *   Sse.decode(
 *     (event): Sse.Step<typeof ChatChunk.Type, ParseResult.ParseError | StreamError> => {
 *       if (event.data === "[DONE]") return Sse.end // stop reading
 *       if (event.event === "error") return Sse.fail(new StreamError({ data: event.data }))
 *       const chunk = decodeChunk(event.data)
 *       return Either.isRight(chunk) ? Sse.emit(chunk.right) : Sse.fail(chunk.left)
 *     },
 *     // the body ended without [DONE]: truncated
 *     { onEnd: ({ incomplete }) => Sse.fail(new TruncatedError({ incomplete })) }
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode: {
  <A, E2, A3 = never, E3 = never>(
    handler: (event: Event) => Step<A, E2>,
    options?: DecodeOptions<A3, E3>
  ): <E, R>(self: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<A | A3, E | E2 | E3 | SseEventTooLargeError, R>
  <E, R, A, E2, A3 = never, E3 = never>(
    self: Stream.Stream<Uint8Array, E, R>,
    handler: (event: Event) => Step<A, E2>,
    options?: DecodeOptions<A3, E3>
  ): Stream.Stream<A | A3, E | E2 | E3 | SseEventTooLargeError, R>
} = dual(
  isStream,
  <E, R, A, E2, A3, E3>(
    self: Stream.Stream<Uint8Array, E, R>,
    handler: (event: Event) => Step<A, E2>,
    options?: DecodeOptions<A3, E3>
  ): Stream.Stream<A | A3, E | E2 | E3 | SseEventTooLargeError, R> => decodeStream(self, handler, options)
)

/**
 * Decodes a byte stream of `text/event-stream` into its {@link Event}s ({@link decode} with `emit` for every event).
 *
 * @since 0.1.0
 * @category decoding
 */
export const events: {
  (
    options?: Options
  ): <E, R>(self: Stream.Stream<Uint8Array, E, R>) => Stream.Stream<Event, E | SseEventTooLargeError, R>
  <E, R>(self: Stream.Stream<Uint8Array, E, R>, options?: Options): Stream.Stream<Event, E | SseEventTooLargeError, R>
} = dual(
  isStream,
  <E, R>(
    self: Stream.Stream<Uint8Array, E, R>,
    options?: Options
  ): Stream.Stream<Event, E | SseEventTooLargeError, R> => decodeStream(self, emit, options)
)

// ---------------------------------------------------------------------------------------------------------------------
// parser

/**
 * The incremental parser under {@link decode}, for use outside a `Stream`. Synchronous and mutable.
 *
 * - `push(bytes)` parses a chunk, calling `onEvent` for each event it completes; it returns `false` once the
 *   parser has stopped — `onEvent` returned `true`, or an event outgrew the limit (then `error` is set) — and
 *   ignores input from then on.
 * - `end()` ends the input: the unterminated event, if any, is dropped. Idempotent.
 * - `bufferedLength`: UTF-16 code units held for the current event (partial line and data buffer); it stays small
 *   on a long stream of small events.
 *
 * @since 0.1.0
 * @category parser
 */
export interface Parser {
  push(bytes: Uint8Array): boolean
  end(): EndOfStream
  readonly error: SseEventTooLargeError | undefined
  readonly lastEventId: string | undefined
  readonly reconnectionTime: number | undefined
  readonly maxEventBytes: number
  readonly bufferedLength: number
}

/**
 * Creates a {@link Parser}. `onEvent` returns `true` to stop parsing.
 *
 * @since 0.1.0
 * @category parser
 */
export const makeParser = (onEvent: (event: Event) => boolean | void, options?: Options): Parser =>
  new SseParser(onEvent, resolveLimit(options?.maxEventBytes), tooLarge)

// ---------------------------------------------------------------------------------------------------------------------
// encoding

/**
 * An event to encode: `data` is required (it may hold line breaks); an absent or empty `event` means `"message"`.
 *
 * @since 0.1.0
 * @category encoding
 */
export interface EventInit {
  readonly event?: string | undefined
  readonly data: string
  readonly id?: string | undefined
  readonly retry?: number | undefined
}

/**
 * Encodes one event as `text/event-stream` text, blank line included: `event`, `id`, `retry`, then one `data` line
 * per line of `data` (split on LF, CR and CRLF, so the decoder gives the data back with LF line breaks). Each value
 * is written after `": "`, so a leading space survives. Line breaks cannot be represented in `event` and `id` and are
 * removed; a `retry` that is not a non-negative integer is omitted. `lineEnding` (default LF) is used for every line.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeEvent = (event: EventInit, options?: { readonly lineEnding?: "\n" | "\r" | "\r\n" }): string => {
  const nl = options?.lineEnding ?? "\n"
  let out = ""
  if (event.event !== undefined && event.event !== "") out += "event: " + event.event.replace(/[\r\n]/g, "") + nl
  if (event.id !== undefined) out += "id: " + event.id.replace(/[\r\n]/g, "") + nl
  if (event.retry !== undefined && Number.isSafeInteger(event.retry) && event.retry >= 0) {
    out += "retry: " + event.retry + nl
  }
  for (const line of event.data.split(/\r\n|\r|\n/)) out += "data: " + line + nl
  return out + nl
}
