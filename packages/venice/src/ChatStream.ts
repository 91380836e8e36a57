/**
 * Streamed chat completions (`POST /chat/completions` with `stream: true`, S1–S3, S6, R11): a `Stream` of
 * `chat.completion.chunk` objects that ends at `data: [DONE]`, fails with a tagged {@link StreamError} on an in-band
 * error event, on an end without `[DONE]`, on a connection broken mid-stream, or on an event above `maxEventBytes`.
 *
 * Everything per event — SSE decoding, `JSON.parse`, the shape check (or Schema validation), `[DONE]`, the in-band
 * error — runs in one Channel loop, with no Effect per event.
 *
 * Retries (S3): everything up to the first SSE event goes through the client's retry policy (HTTP errors, a
 * transport failure before or after the headers, a body that ends before any event). The first event commits the
 * attempt: after it nothing is retried implicitly. Two opt-in combinators re-issue a stream when you say it is safe:
 * {@link retryBeforeFirstToken} (invisible to the consumer) and {@link resume} (continues after the received text).
 *
 * @example
 * ```ts
 * import { Effect, Stream } from "effect"
 * import { ChatStream } from "@venice-effect/venice"
 *
 * const request = { model: "venice-uncensored", messages: [{ role: "user" as const, content: "Tell me a story" }] }
 *
 * // print the text as it arrives
 * const print = ChatStream.stream(request).pipe(
 *   ChatStream.textDeltas,
 *   Stream.runForEach((text) => Effect.sync(() => process.stdout.write(text)))
 * )
 *
 * // or collect the whole completion (usage and cost included)
 * const completion = ChatStream.collect(ChatStream.stream(request))
 * ```
 *
 * @since 0.1.0
 */
import * as ProviderStream from "@venice-effect/core/ProviderStream"
import * as SchemaGuard from "@venice-effect/core/SchemaGuard"
import * as Chunk from "effect/Chunk"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { dual } from "effect/Function"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Predicate from "effect/Predicate"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Fallback from "./Fallback.js"
import * as Streaming from "./internal/streaming.js"
import type * as ResponseMeta from "./ResponseMeta.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Chat.js"
import type * as TextModels from "./schema/TextModels.js"
import * as StreamError from "./StreamError.js"
import * as VeniceClient from "./VeniceClient.js"

// ─── models ──────────────────────────────────────────────────────────────────────────────────────

/**
 * A chat request as JSON (what you would send with `fetch`); `stream` is set for you.
 *
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionRequest = typeof Schemas.ChatCompletionRequest.Encoded

/**
 * The Schema of one streamed chunk, as a plain struct over the fields of `Schemas.ChatCompletionChunk`: the values
 * a stream emits are the JSON objects as received (unknown members kept), checked against this schema or by the
 * structural check, never class instances.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ChatCompletionChunk = Schema.Struct(Schemas.ChatCompletionChunk.fields).annotations({
  identifier: "ChatCompletionChunk"
})

/**
 * One `chat.completion.chunk`: `choices[i].delta` carries the increments; the last chunk before `[DONE]` has
 * `choices: []` with `usage` and `cost`.
 *
 * @since 0.1.0
 * @category models
 */
export type ChatCompletionChunk = typeof ChatCompletionChunk.Type

/**
 * Options of a chat stream: the per-call options, fallback models (tried before the stream starts, R6), and:
 *
 * - `validate` (default `false`): validate every chunk with the {@link ChatCompletionChunk} Schema (compiled once with
 *   `SchemaGuard`: it answers as `Schema.is`, ~7× faster; ~15% of the stream's throughput on the benchmark). Off, each
 *   chunk gets the structural check {@link isChatCompletionChunk}: the members a consumer reads are what their types
 *   say, deeper optional members are not checked. Off by default because a chunk that fails validation fails the
 *   whole stream — already generated and billed — and a change in a deep member nobody reads (a citation's date, a
 *   logprob) should not cost the answer; turn it on when every member must hold.
 * - `maxEventBytes` (default 1 MiB): one event above this fails the stream ({@link StreamError.StreamTooLargeError},
 *   S6); `Infinity` disables the bound.
 * - `firstEventTimeout` (default 2 minutes, W6): no data event this long after the response headers fails the attempt
 *   — a `TransportError` (`timeout`) whose message names the bound, retried by the call's policy like any failure
 *   before the first event (S3). Keep-alive comments do not count. The call's `timeout` bounds the attempt as a
 *   whole (headers and first event).
 * - `idleTimeout` (default 60 s, W7): no data event for this long once the stream has started fails it with
 *   `StreamTransportError` (`idle-timeout`). Keep-alive comments do not reset it: a stream that sends only
 *   comments ends. `Duration.infinity` turns a bound off.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamOptions<R = never> extends VeniceClient.CallOptions<R> {
  readonly fallbackModels?: ReadonlyArray<TextModels.TextModelId> | undefined
  readonly validate?: boolean | undefined
  readonly maxEventBytes?: number | undefined
  readonly idleTimeout?: Duration.DurationInput | undefined
  readonly firstEventTimeout?: Duration.DurationInput | undefined
}

/**
 * An opened stream with the facts of the response that carries it.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** Correlation ids, rate limits, balances … of the response (H6, H9). */
  readonly meta: ResponseMeta.ResponseMeta
  /** The chunks. Run it once; the connection is released when it ends, fails or is interrupted. */
  readonly chunks: Stream.Stream<ChatCompletionChunk, StreamError.StreamError>
}

// ─── decoding ────────────────────────────────────────────────────────────────────────────────────

// equal to Schema.is(ChatCompletionChunk), compiled once: ~15× faster per chunk (see SchemaGuard)
const isChunkSchema = SchemaGuard.compile(ChatCompletionChunk)
const decodeChunkEither = Schema.decodeUnknownEither(ChatCompletionChunk, { errors: "first" })

const isOptionalString = (u: unknown): boolean => u === undefined || u === null || typeof u === "string"

/** A value whose members can be read: what `typeof u === "object"` and not `null` mean. */
const isObject = (u: unknown): u is { readonly [k: string]: unknown } => typeof u === "object" && u !== null

/**
 * The structural check applied to every chunk when `validate` is off: a JSON object with string `id` and `model`, a
 * numeric `created`, `object: "chat.completion.chunk"`, `usage` an object or null when present, and `choices` an
 * array of objects each with a numeric `index`, an optional string-or-null `finish_reason`, and an object `delta`
 * whose `role`, `content`, `reasoning_content` and `refusal` are strings or null when present and whose `tool_calls`
 * is an array or null when present. Deeper members (tool-call fragments, logprobs, citations) are not checked: use
 * `validate: true` for the whole Schema. Every chunk the Schema accepts passes this check (property-tested).
 *
 * @since 0.1.0
 * @category guards
 */
export const isChatCompletionChunk = (u: unknown): u is ChatCompletionChunk => {
  if (!isObject(u)) return false
  const c = u
  const choices = c.choices
  if (
    !Array.isArray(choices) || typeof c.id !== "string" || typeof c.model !== "string" ||
    typeof c.created !== "number" || c.object !== "chat.completion.chunk"
  ) return false
  const usage = c.usage
  if (usage !== undefined && usage !== null && typeof usage !== "object") return false
  for (let i = 0; i < choices.length; i++) {
    const ch: unknown = choices[i]
    if (!isObject(ch)) return false
    const d = ch.delta
    if (typeof ch.index !== "number" || !isObject(d)) return false
    if (!isOptionalString(ch.finish_reason)) return false
    if (
      !isOptionalString(d.content) || !isOptionalString(d.role) || !isOptionalString(d.reasoning_content) ||
      !isOptionalString(d.refusal)
    ) return false
    const tools = d.tool_calls
    if (tools !== undefined && tools !== null && !Array.isArray(tools)) return false
  }
  return true
}

const shapeDetail = (json: unknown): string =>
  Either.match(decodeChunkEither(json), {
    onLeft: (e) => ParseResult.TreeFormatter.formatErrorSync(e).split("\n").slice(0, 6).join(" "),
    onRight: () => "unexpected member types"
  })

/** The per-event step of a chat stream: `[DONE]` ends, an error payload fails, anything else is parsed and checked. */
const chatEvents = (validate: boolean): Streaming.JsonEvents<ChatCompletionChunk> => ({
  terminator: "[DONE]",
  isValue: validate ? isChunkSchema : isChatCompletionChunk,
  shapeDetail
})

// ─── streaming ───────────────────────────────────────────────────────────────────────────────────

const OPERATION = "chat.completions"

/**
 * Opens a chat stream: validates the request locally (B2), sends it with `stream: true` through the client's
 * pipeline, and returns once the first event has arrived (everything before it is retried by the client's policy,
 * S3), with the response's facts. The connection is released when `chunks` ends, fails or is interrupted, or
 * when the scope closes.
 *
 * @since 0.1.0
 * @category streaming
 */
export const streamWithMeta = <R = never>(
  request: ChatCompletionRequest,
  options: StreamOptions<R> = {}
): Effect.Effect<StreamResponse, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R | Scope.Scope> => {
  const { fallbackModels, firstEventTimeout, idleTimeout, maxEventBytes, validate, ...callOptions } = options
  const decode = ProviderStream.jsonSse(chatEvents(validate === true), {
    maxEventBytes,
    idleTimeout,
    firstEventTimeout
  })
  const attempt = Effect.gen(function*() {
    const step = yield* Fallback.CurrentStep
    const client = yield* VeniceClient.VeniceClient
    const model = Option.match(step, { onNone: () => request.model, onSome: (s) => s.model })
    const retry = Fallback.stopOnFallback<unknown, R>(callOptions.retry ?? client.retryPolicy, step)
    const body = { ...request, model, stream: true }
    return yield* Streaming.open(
      {
        operation: OPERATION,
        method: "POST",
        path: "chat/completions",
        body: { _tag: "json", value: body },
        model,
        user: request.user
      },
      "sse",
      decode,
      { ...callOptions, retry }
    )
  })
  return Effect.gen(function*() {
    yield* VeniceClient.validateRequest(OPERATION, Schemas.ChatCompletionRequest, { ...request, stream: true })
    const opened = yield* Fallback.withModels(attempt, [request.model, ...(fallbackModels ?? [])])
    return { status: opened.status, headers: opened.headers, meta: opened.meta, chunks: opened.values }
  })
}

/**
 * Streams a chat completion: `Stream<ChatCompletionChunk, StreamError | VeniceClientError>`. The request is
 * sent when the stream runs (each run sends it again).
 *
 * @since 0.1.0
 * @category streaming
 */
export const stream = <R = never>(
  request: ChatCompletionRequest,
  options?: StreamOptions<R>
): Stream.Stream<
  ChatCompletionChunk,
  StreamError.StreamError | RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R
> => Stream.unwrapScoped(Effect.map(streamWithMeta(request, options), (response) => response.chunks))

// ─── reading chunks ──────────────────────────────────────────────────────────────────────────────

/**
 * The `content` text of a chunk's first choice (`""` when none).
 *
 * @since 0.1.0
 * @category getters
 */
export const contentOf = (chunk: ChatCompletionChunk): string => {
  const content = chunk.choices[0]?.delta.content
  return typeof content === "string" ? content : ""
}

/**
 * Whether a chunk carries output: `content`, `reasoning_content`, `refusal` text or tool-call fragments (the role
 * chunk, the finish chunk and the usage chunk do not).
 *
 * @since 0.1.0
 * @category guards
 */
export const hasOutput = (chunk: ChatCompletionChunk): boolean => {
  for (const choice of chunk.choices) {
    const d = choice.delta
    if (typeof d.content === "string" && d.content.length > 0) return true
    if (typeof d.reasoning_content === "string" && d.reasoning_content.length > 0) return true
    if (typeof d.refusal === "string" && d.refusal.length > 0) return true
    if (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) return true
  }
  return false
}

/**
 * The first choice's `content` increments, empty ones dropped.
 *
 * @since 0.1.0
 * @category combinators
 */
export const textDeltas = <E, R>(self: Stream.Stream<ChatCompletionChunk, E, R>): Stream.Stream<string, E, R> =>
  Stream.filterMap(self, (chunk) => {
    const text = contentOf(chunk)
    return text.length > 0 ? Option.some(text) : Option.none()
  })

interface ChoiceAcc {
  role: string
  content: string
  hasContent: boolean
  reasoning: string
  hasReasoning: boolean
  refusal: string | undefined
  finish: string | null
  tools: Map<number, { id: string; type: "function"; name: string; arguments: string }>
}

/**
 * Collects a chat stream into a `ChatCompletion`: per choice, `content`, `reasoning_content` and `refusal` are
 * concatenated, tool-call fragments are assembled by `index`, the last `finish_reason` is kept; `usage` and `cost`
 * come from the usage chunk (`usage` is all zeros when the stream had none); `id`, `model`, `created` from the first
 * chunk. Fails with the stream's error, or with a `StreamDecodeError` when the assembled completion does not
 * decode.
 *
 * @since 0.1.0
 * @category combinators
 */
export const collect = <E, R>(
  self: Stream.Stream<ChatCompletionChunk, E, R>
): Effect.Effect<Schemas.ChatCompletion, E | StreamError.StreamDecodeError, R> =>
  Effect.suspend(() => {
    const choices = new Map<number, ChoiceAcc>()
    let first: ChatCompletionChunk | undefined
    let usage: unknown
    let cost: unknown
    let veniceParameters: unknown
    let count = 0
    const str = (u: unknown): string | undefined => (typeof u === "string" ? u : undefined)
    const add = (chunk: ChatCompletionChunk) => {
      count++
      first ??= chunk
      if (chunk.usage != null) usage = chunk.usage
      if (chunk.cost !== undefined) cost = chunk.cost
      if (chunk.venice_parameters !== undefined) veniceParameters = chunk.venice_parameters
      for (const choice of chunk.choices) {
        let acc = choices.get(choice.index)
        if (acc === undefined) {
          acc = {
            role: "assistant",
            content: "",
            hasContent: false,
            reasoning: "",
            hasReasoning: false,
            refusal: undefined,
            finish: null,
            tools: new Map()
          }
          choices.set(choice.index, acc)
        }
        const d = choice.delta
        const role = str(d.role)
        if (role !== undefined) acc.role = role
        const content = str(d.content)
        if (content !== undefined) {
          acc.content += content
          acc.hasContent = true
        }
        const reasoning = str(d.reasoning_content)
        if (reasoning !== undefined) {
          acc.reasoning += reasoning
          acc.hasReasoning = true
        }
        const refusal = str(d.refusal)
        if (refusal !== undefined) acc.refusal = (acc.refusal ?? "") + refusal
        if (Array.isArray(d.tool_calls)) {
          for (const fragment of d.tool_calls) {
            if (!Predicate.isRecord(fragment) || typeof fragment.index !== "number") continue
            let tool = acc.tools.get(fragment.index)
            if (tool === undefined) {
              tool = { id: "", type: "function", name: "", arguments: "" }
              acc.tools.set(fragment.index, tool)
            }
            const id = str(fragment.id)
            if (id !== undefined) tool.id = id
            const fn = Predicate.isRecord(fragment.function) ? fragment.function : undefined
            const name = str(fn?.name)
            if (name !== undefined) tool.name += name
            const args = str(fn?.arguments)
            if (args !== undefined) tool.arguments += args
          }
        }
        const finish = str(choice.finish_reason)
        if (finish !== undefined) acc.finish = finish
      }
    }
    return Stream.runForEachChunk(self, (chunk) =>
      Effect.sync(() => {
        for (const c of chunk) add(c)
      })).pipe(
        Effect.flatMap(() => {
          const encoded = {
            id: first?.id ?? "",
            object: "chat.completion",
            created: first?.created ?? 0,
            model: first?.model ?? "",
            choices: [...choices.entries()].sort(([a], [b]) => a - b).map(([index, acc]) => ({
              index,
              message: {
                role: acc.role,
                content: acc.hasContent || acc.tools.size === 0 ? acc.content : null,
                ...(acc.hasReasoning ? { reasoning_content: acc.reasoning } : {}),
                ...(acc.refusal !== undefined ? { refusal: acc.refusal } : {}),
                ...(acc.tools.size > 0
                  ? {
                    tool_calls: [...acc.tools.entries()].sort(([a], [b]) => a - b).map(([, t]) => ({
                      id: t.id,
                      type: t.type,
                      function: { name: t.name, arguments: t.arguments }
                    }))
                  }
                  : {})
              },
              finish_reason: acc.finish
            })),
            usage: usage ?? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 },
            ...(cost !== undefined ? { cost } : {}),
            ...(veniceParameters !== undefined ? { venice_parameters: veniceParameters } : {})
          }
          return Either.match(Schema.decodeUnknownEither(Schemas.ChatCompletion)(encoded), {
            onRight: Effect.succeed,
            onLeft: (e) =>
              Effect.fail(
                Streaming.decodeError(
                  Streaming.detached(OPERATION),
                  count,
                  "shape",
                  JSON.stringify(encoded).slice(0, 4096),
                  ParseResult.TreeFormatter.formatErrorSync(e).split("\n").slice(0, 6).join(" ")
                )
              )
          })
        })
      )
  })

// ─── opt-in restarts (S3) ───────────────────────────────────────────────────────────────────

/**
 * Options of the opt-in restart combinators.
 *
 * - `while`: which failures to act on. Default {@link isRestartable}: stream errors whose retry class is not
 *   `never` (in-band overloads and server errors, resets, truncation). Client errors (before the first event) are
 *   not restarted by default: the client's policy has already retried them.
 * - `schedule`: the waits and the number of restarts. Default {@link restartSchedule}`()`.
 *
 * @since 0.1.0
 * @category restarts
 */
export interface RestartOptions<E, R = never> {
  readonly while?: ((error: E) => boolean) | undefined
  readonly schedule?: Schedule.Schedule<unknown, E, R> | undefined
}

/**
 * The default restart predicate: a {@link StreamError.StreamError} that a new attempt may fix.
 *
 * @since 0.1.0
 * @category restarts
 */
export const isRestartable = (error: unknown): boolean =>
  StreamError.isStreamError(error) && StreamError.isRetryable(error)

/**
 * The default restart schedule: at most `maxRestarts` (default 2) restarts; each waits the in-band `retry_after` when
 * the error names one (above `maxWait`, default 60 s, it stops instead), else an exponential backoff from `base`
 * (default 500 ms, ×2, jittered).
 *
 * @since 0.1.0
 * @category restarts
 */
export const restartSchedule = (
  options: {
    readonly maxRestarts?: number | undefined
    readonly base?: Duration.DurationInput | undefined
    readonly maxWait?: Duration.DurationInput | undefined
  } = {}
): Schedule.Schedule<unknown, unknown> => {
  const maxWait = Duration.decode(options.maxWait ?? Duration.seconds(60))
  return Schedule.identity<unknown>().pipe(
    Schedule.intersect(Schedule.jittered(Schedule.exponential(options.base ?? Duration.millis(500), 2))),
    Schedule.intersect(Schedule.recurs(options.maxRestarts ?? 2)),
    Schedule.whileInput((error: unknown) =>
      Option.match(StreamError.retryAfter(error), {
        onNone: () => true,
        onSome: (wait) => Duration.lessThanOrEqualTo(wait, maxWait)
      })
    ),
    Schedule.modifyDelay(([[error]], delay) => Option.getOrElse(StreamError.retryAfter(error), () => delay)),
    Schedule.map(() => undefined)
  )
}

/** Re-runs `attempt(n)` after a failure `shouldRestart` accepts, waiting what `schedule` says. */
const withRestarts = <A, E, R, R2>(
  attempt: (n: number) => Stream.Stream<A, E, R>,
  shouldRestart: (error: E) => boolean,
  schedule: Schedule.Schedule<unknown, E, R2>
): Stream.Stream<A, E, R | R2> =>
  Stream.unwrap(Effect.map(Schedule.driver(schedule), (driver) => {
    const loop = (n: number): Stream.Stream<A, E, R | R2> =>
      Stream.catchAll(attempt(n), (error) =>
        shouldRestart(error)
          ? Stream.unwrap(Effect.match(driver.next(error), {
            onFailure: () => Stream.fail(error),
            onSuccess: () => loop(n + 1)
          }))
          : Stream.fail(error))
    return loop(1)
  }))

/**
 * Restarts a chat stream from scratch when it fails **before its first output token** — safe, and invisible to the
 * consumer: chunks without output (the role chunk) are held back until the first chunk with output arrives, so a
 * restart never shows the consumer anything twice. Once output has been delivered, failures pass through untouched.
 *
 * `self` must re-send its request when run again (every stream of this module does). What a restart costs: the
 * prompt is sent, and may be billed, again. Failures that reach this combinator already passed the client's retry
 * policy (before the first event) or happened after the first event (an in-band overload as the first event, a reset
 * after the role chunk …).
 *
 * @example
 * ```ts
 * import { ChatStream } from "@venice-effect/venice"
 *
 * const chunks = ChatStream.stream({ model: "venice-uncensored", messages: [{ role: "user", content: "hi" }] }).pipe(
 *   ChatStream.retryBeforeFirstToken()
 * )
 * ```
 *
 * @since 0.1.0
 * @category restarts
 */
export const retryBeforeFirstToken: {
  <E, R2 = never>(
    options?: RestartOptions<E, R2>
  ): <R>(self: Stream.Stream<ChatCompletionChunk, E, R>) => Stream.Stream<ChatCompletionChunk, E, R | R2>
  <E, R, R2 = never>(
    self: Stream.Stream<ChatCompletionChunk, E, R>,
    options?: RestartOptions<E, R2>
  ): Stream.Stream<ChatCompletionChunk, E, R | R2>
} = dual(
  (args) => Predicate.hasProperty(args[0], Stream.StreamTypeId),
  <E, R, R2>(
    self: Stream.Stream<ChatCompletionChunk, E, R>,
    options: RestartOptions<E, R2> = {}
  ): Stream.Stream<ChatCompletionChunk, E, R | R2> => {
    const accept = options.while ?? isRestartable
    // state per run of the returned stream
    return Stream.suspend(() => {
      let committed = false
      const attempt = () =>
        Stream.suspend(() => {
          committed = false
          let held: Array<ChatCompletionChunk> = []
          const gated = Stream.mapChunks(self, (chunk) => {
            if (committed) return chunk
            for (let i = 0; i < chunk.length; i++) {
              const c = Chunk.unsafeGet(chunk, i)
              if (hasOutput(c)) {
                committed = true
                const out = held
                held = []
                for (let j = i; j < chunk.length; j++) out.push(Chunk.unsafeGet(chunk, j))
                return Chunk.unsafeFromArray(out)
              }
              held.push(c)
            }
            return Chunk.empty<ChatCompletionChunk>()
          })
          // a stream that ends without any output still delivers what it held
          return Stream.concat(gated, Stream.suspend(() => Stream.fromIterable(held)))
        })
      return withRestarts(
        attempt,
        (error) => !committed && accept(error),
        options.schedule ?? restartSchedule()
      )
    })
  }
)

/**
 * Streams a chat completion that **resumes** after a failure: the request is re-sent with the text received so far
 * appended as a final `assistant` message (a prefix the model continues), and the new stream's chunks continue the
 * same `Stream` (its leading role-only chunk dropped). Before any output it simply restarts (like
 * {@link retryBeforeFirstToken}).
 *
 * What it does exactly: the first choice's `content` deltas are concatenated as they are delivered; on a failure
 * accepted by `while` (default {@link isRestartable}) and allowed by `schedule` (default {@link restartSchedule}),
 * the request is re-sent, its `messages` becoming `[...messages, { role: "assistant", content: receivedText }]`
 * once some text was received (before that, the same request). A re-sent attempt's leading role chunk is dropped
 * when the consumer already has one. Client errors before the first event are the client policy's, not restarted.
 *
 * When it is unsafe — read before opting in:
 * - the model must treat a trailing assistant message as a prefix to continue. Many OpenAI-compatible back ends do;
 *   others answer it as a new turn, and the consumer then sees a second, overlapping answer;
 * - the continuation is a new sample: it may not be what the first attempt would have said, may repeat the end of the
 *   prefix, and does not know where the failure cut a word;
 * - only `content` is carried over: reasoning already delivered is not sent back, and a new attempt may reason again;
 *   a stream that delivered output but no `content` yet (reasoning only), tool-call fragments, or several choices
 *   (`n > 1`) is never resumed (the failure passes through);
 * - billing and limits: the prompt and the prefix are billed again as input; `max_completion_tokens` applies to each
 *   attempt separately; `usage` and `cost` in the final chunk are the last attempt's only; chunk `id`s change.
 *
 * @since 0.1.0
 * @category restarts
 */
export const resume = <R = never, R2 = never>(
  request: ChatCompletionRequest,
  options: StreamOptions<R> & RestartOptions<StreamError.StreamError | RetryPolicy.VeniceClientError, R2> = {}
): Stream.Stream<
  ChatCompletionChunk,
  StreamError.StreamError | RetryPolicy.VeniceClientError,
  VeniceClient.VeniceClient | R | R2
> => {
  const { schedule, while: accept, ...streamOptions } = options
  const resumable = request.n === undefined || request.n === 1
  // state per run of the returned stream
  return Stream.suspend(() => {
    let text = ""
    let committed = false
    let unsafe = !resumable
    let roleDelivered = false
    const isLead = (c: ChatCompletionChunk) =>
      !hasOutput(c) && c.choices.length > 0 && c.choices.every((ch) => ch.finish_reason == null)
    const attempt = (n: number) =>
      Stream.suspend(() => {
        const continuing = n > 1 && text.length > 0
        const req: ChatCompletionRequest = continuing
          ? { ...request, messages: [...request.messages, { role: "assistant", content: text }] }
          : request
        let leading = true
        return Stream.mapChunks(stream(req, streamOptions), (chunk) => {
          const out: Array<ChatCompletionChunk> = []
          for (const c of chunk) {
            if (leading && isLead(c)) {
              if (roleDelivered) continue // a re-issued attempt's role chunk: the consumer has one
              roleDelivered = true
            } else leading = false
            if (hasOutput(c)) committed = true
            for (const choice of c.choices) {
              const d = choice.delta
              if (Array.isArray(d.tool_calls) && d.tool_calls.length > 0) unsafe = true
              if (choice.index !== 0) unsafe = true
              else if (typeof d.content === "string") text += d.content
            }
            out.push(c)
          }
          return Chunk.unsafeFromArray(out)
        })
      })
    return withRestarts(
      attempt,
      (error) => !unsafe && (accept ?? isRestartable)(error) && (committed ? text.length > 0 : true),
      schedule ??
        restartSchedule()
    )
  })
}

// ─── R11: non-streaming chat that times out ──────────────────────────────────────────────────────

/**
 * Whether an error is Venice's 504 `REQUEST_TIMEOUT` (the message says to use `stream: true`, R11).
 *
 * @since 0.1.0
 * @category guards
 */
export const isRequestTimeout = (error: unknown): boolean =>
  Predicate.hasProperty(error, "code") && error.code === "REQUEST_TIMEOUT" &&
  Predicate.hasProperty(error, "status") && error.status === 504

/**
 * Wraps a retry policy so that a 504 `REQUEST_TIMEOUT` ends the retries at once (the caller re-issues the call as a
 * stream instead of waiting for more timeouts).
 *
 * @since 0.1.0
 * @category restarts
 */
export const stopOnRequestTimeout = <Out, R>(
  policy: Schedule.Schedule<Out, RetryPolicy.VeniceClientError, R>
): Schedule.Schedule<Out, RetryPolicy.VeniceClientError, R> =>
  Schedule.zipLeft(policy, Schedule.recurWhile((e: RetryPolicy.VeniceClientError) => !isRequestTimeout(e)))
