/**
 * Streamed bodies as Venice sends them — chat `chat.completion.chunk` SSE, `/responses` typed SSE events, chunked
 * TTS audio — with the scripted stream faults (in-band error, reset, stall, early end) applied after K chunks.
 */
import * as Sse from "@venice-effect/core/Sse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import type * as Faults from "../Faults.js"
import * as Reply from "./reply.js"

const DONE = "data: [DONE]\n\n"
const KEEPALIVE = ": keepalive\n\n"

/** How a stream is paced and what may break it. */
export interface StreamEnv {
  readonly paceMillis: number
  /** Send `: keepalive` before the first event. */
  readonly keepalive: boolean
  /** Also send `: keepalive` after every N events (0: never). */
  readonly keepaliveEvery: number
  readonly fault: Faults.StreamFault | undefined
  readonly response: () => Http.ServerResponse
}

const paced = <A>(items: ReadonlyArray<A>, paceMillis: number): Stream.Stream<A> =>
  paceMillis <= 0
    ? Stream.fromIterable(items)
    : Stream.fromIterable(items).pipe(Stream.tap(() => Effect.sleep(Duration.millis(paceMillis))))

/**
 * Applies the stream fault to a list of chunks: `chunks` is the full stream, `terminal` what ends it normally (e.g.
 * `[DONE]`), `failure` what a {@link Faults.StreamError} sends instead (after K chunks).
 */
const withFault = (
  env: StreamEnv,
  chunks: ReadonlyArray<Uint8Array>,
  terminal: ReadonlyArray<Uint8Array>,
  failure: (fault: Faults.StreamError) => ReadonlyArray<Uint8Array>,
  sse = true
): Stream.Stream<Uint8Array> => {
  const fault = env.fault
  const lead = Stream.fromIterable(sse && env.keepalive ? [Reply.utf8(KEEPALIVE)] : [])
  // keepalive comments between events (they never count as chunks)
  const every = sse ? env.keepaliveEvery : 0
  const events = (list: ReadonlyArray<Uint8Array>) =>
    paced(
      every > 0 ? list.flatMap((chunk, i) => ((i + 1) % every === 0 ? [chunk, Reply.utf8(KEEPALIVE)] : [chunk])) : list,
      env.paceMillis
    )
  if (fault === undefined) return lead.pipe(Stream.concat(events(chunks)), Stream.concat(Stream.fromIterable(terminal)))
  const before = lead.pipe(Stream.concat(events(chunks.slice(0, fault.afterChunks))))
  switch (fault._tag) {
    case "StreamError":
      return before.pipe(Stream.concat(Stream.fromIterable(failure(fault))))
    case "StreamReset":
      return before.pipe(Stream.concat(Reply.resetStream(env.response)))
    case "StreamStall":
      return before.pipe(Stream.concat(sse ? keepAlives(fault.keepAliveEvery) : Stream.never))
    case "StreamEnd":
      return before
  }
}

/** Nothing, or a `: keepalive` comment every `every` ms on `Clock`, for ever. */
export const keepAlives = (every: number | undefined): Stream.Stream<Uint8Array> =>
  every === undefined
    ? Stream.never
    : Stream.repeatEffect(Effect.as(Effect.sleep(Duration.millis(every)), Reply.utf8(KEEPALIVE)))

const data = (value: unknown): Uint8Array => Reply.utf8(Sse.encodeEvent({ data: JSON.stringify(value) }))
const typed = (type: string, value: unknown): Uint8Array =>
  Reply.utf8(Sse.encodeEvent({ event: type, data: JSON.stringify(value) }))

// ─── chat ────────────────────────────────────────────────────────────────────────────────────────

/** A tool call of a completion: its id, function, and its JSON arguments in the pieces a stream sends them. */
export interface CompletionToolCall {
  readonly id: string
  readonly name: string
  readonly arguments: ReadonlyArray<string>
}

/** One choice of a completion: content tokens, optional reasoning tokens (sent first) and tool calls (sent last). */
export interface CompletionChoice {
  readonly tokens: ReadonlyArray<string>
  readonly finishReason: string
  readonly reasoning?: ReadonlyArray<string> | undefined
  readonly toolCalls?: ReadonlyArray<CompletionToolCall> | undefined
}

/** What a chat completion produced. */
export interface Completion {
  readonly id: string
  readonly model: string
  readonly created: number
  readonly choices: ReadonlyArray<CompletionChoice>
  readonly usage: {
    readonly prompt_tokens: number
    readonly completion_tokens: number
    readonly total_tokens: number
    readonly completion_tokens_details?: { readonly reasoning_tokens: number } | undefined
  }
  readonly cost: { readonly usd: number; readonly diem: number }
}

/** The in-band error event of a failed chat stream (skill venice-errors §Streaming errors). */
export const chatErrorEvent = (fault: Faults.StreamError) => ({
  error: {
    message: fault.message ?? "The model is currently overloaded. Please try again later.",
    type: fault.type ?? "server_error",
    code: fault.code ?? "model_overloaded",
    param: null,
    ...(fault.retryAfter === null ? {} : { retry_after: fault.retryAfter ?? 30 })
  }
})

/**
 * `data: {chat.completion.chunk}` per token (a role chunk first, a `finish_reason` chunk last), then the usage /
 * cost chunk with `choices: []` (Venice sends it whatever `stream_options.include_usage` says), then `data: [DONE]`.
 * Reasoning tokens come first as `delta.reasoning_content`; tool calls last as `delta.tool_calls` fragments (the
 * first with `id`, `type` and `function.name`, then the arguments piece by piece).
 */
export const chatStream = (completion: Completion, env: StreamEnv): Stream.Stream<Uint8Array> => {
  const base = {
    id: completion.id,
    object: "chat.completion.chunk",
    created: completion.created,
    model: completion.model
  }
  const chunks: Array<Uint8Array> = []
  completion.choices.forEach((choice, index) => {
    chunks.push(data({
      ...base,
      choices: [{ index, delta: { role: "assistant", content: "" }, finish_reason: null, logprobs: null }]
    }))
    const delta = (d: Record<string, unknown>) =>
      chunks.push(data({ ...base, choices: [{ index, delta: d, finish_reason: null, logprobs: null }] }))
    for (const token of choice.reasoning ?? []) delta({ reasoning_content: token })
    for (const token of choice.tokens) delta({ content: token })
    choice.toolCalls?.forEach((call, i) => {
      delta({ tool_calls: [{ index: i, id: call.id, type: "function", function: { name: call.name, arguments: "" } }] })
      for (const piece of call.arguments) delta({ tool_calls: [{ index: i, function: { arguments: piece } }] })
    })
    chunks.push(data({ ...base, choices: [{ index, delta: {}, finish_reason: choice.finishReason, logprobs: null }] }))
  })
  chunks.push(data({ ...base, choices: [], usage: completion.usage, cost: completion.cost }))
  return withFault(
    env,
    chunks,
    [Reply.utf8(DONE)],
    (fault) => [data(chatErrorEvent(fault)), Reply.utf8(DONE)]
  )
}

// ─── responses ───────────────────────────────────────────────────────────────────────────────────

/** What a `/responses` call produced. */
export interface ResponseResult {
  readonly id: string
  readonly messageId: string
  readonly model: string
  readonly createdAt: number
  readonly tokens: ReadonlyArray<string>
  readonly incomplete: boolean
  readonly usage: { readonly input_tokens: number; readonly output_tokens: number; readonly total_tokens: number }
}

/** The non-streamed response object. */
export const responseObject = (
  result: ResponseResult,
  status: "completed" | "incomplete" | "in_progress" | "failed"
) => {
  const text = result.tokens.join("")
  const itemStatus = status === "in_progress" ? "in_progress" : result.incomplete ? "incomplete" : "completed"
  return {
    id: result.id,
    object: "response",
    created_at: result.createdAt,
    model: result.model,
    status,
    output: status === "in_progress"
      ? []
      : [{
        type: "message",
        id: result.messageId,
        status: itemStatus,
        role: "assistant",
        content: [{ type: "output_text", text, annotations: [] }]
      }],
    ...(status === "in_progress" ? {} : { usage: result.usage }),
    ...(status === "incomplete" ? { incomplete_details: { reason: "max_output_tokens" } } : {})
  }
}

/** The typed event stream of `/responses` (skill venice-responses §Streaming), then `data: [DONE]`. */
export const responsesStream = (result: ResponseResult, env: StreamEnv): Stream.Stream<Uint8Array> => {
  let sequence = 0
  const event = (type: string, fields: Record<string, unknown>) =>
    typed(type, { type, sequence_number: sequence++, ...fields })
  const location = { item_id: result.messageId, output_index: 0, content_index: 0 }
  const text = result.tokens.join("")
  const itemStatus = result.incomplete ? "incomplete" : "completed"
  const message = (status: string, content: ReadonlyArray<unknown>) => ({
    type: "message",
    id: result.messageId,
    status,
    role: "assistant",
    content
  })
  const chunks: Array<Uint8Array> = [
    event("response.created", { response: responseObject(result, "in_progress") }),
    event("response.output_item.added", { output_index: 0, item: message("in_progress", []) }),
    event("response.content_part.added", { ...location, part: { type: "output_text", text: "", annotations: [] } })
  ]
  for (const token of result.tokens) chunks.push(event("response.output_text.delta", { ...location, delta: token }))
  chunks.push(
    event("response.output_text.done", { ...location, text }),
    event("response.content_part.done", { ...location, part: { type: "output_text", text, annotations: [] } }),
    event("response.output_item.done", {
      output_index: 0,
      item: message(itemStatus, [{ type: "output_text", text, annotations: [] }])
    })
  )
  const final = result.incomplete ? "response.incomplete" : "response.completed"
  chunks.push(event(final, { response: responseObject(result, result.incomplete ? "incomplete" : "completed") }))
  return withFault(
    env,
    chunks,
    [Reply.utf8(DONE)],
    (fault) => [
      typed("response.failed", {
        type: "response.failed",
        sequence_number: fault.afterChunks,
        response: {
          ...responseObject(result, "failed"),
          output: [],
          error: {
            code: fault.code ?? "upstream_error",
            message: fault.message ?? "The model is currently overloaded. Please try again later."
          }
        }
      }),
      Reply.utf8(DONE)
    ]
  )
}

// ─── audio ───────────────────────────────────────────────────────────────────────────────────────

/**
 * Audio bytes in `parts` chunks. A {@link Faults.StreamEnd} announces the full `Content-Length` and closes the
 * connection before it; an error event does not exist for audio (the connection just ends, skill
 * venice-audio-speech), so {@link Faults.StreamError} also closes it early.
 */
export const audioStream = (
  bytes: Uint8Array,
  parts: number,
  env: StreamEnv
): { readonly stream: Stream.Stream<Uint8Array>; readonly contentLength: number | undefined } => {
  const size = Math.max(1, Math.ceil(bytes.length / Math.max(1, parts)))
  const chunks: Array<Uint8Array> = []
  for (let offset = 0; offset < bytes.length; offset += size) chunks.push(bytes.subarray(offset, offset + size))
  const fault = env.fault
  if (fault !== undefined && (fault._tag === "StreamEnd" || fault._tag === "StreamError")) {
    const stream = paced(chunks.slice(0, fault.afterChunks), env.paceMillis).pipe(
      Stream.concat(Reply.closeStream(env.response))
    )
    return { stream, contentLength: bytes.length }
  }
  return { stream: withFault(env, chunks, [], () => [], false), contentLength: undefined }
}
