/**
 * Novita's OpenAI-compatible chat completions, plain and as SSE, with the scripted stream faults (in-band error,
 * reset, stall, early end) applied after K chunks. Transport actions come from the shared `reply` module.
 */
import * as Sse from "@venice-effect/core/Sse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import type * as Faults from "../../Faults.js"
import * as Reply from "../reply.js"

const DONE = "data: [DONE]\n\n"
const KEEPALIVE = ": keepalive\n\n"

/** What a completion produced (tool calls: id, function, JSON arguments in the pieces a stream sends). */
export interface Completion {
  readonly id: string
  readonly model: string
  readonly created: number
  readonly tokens: ReadonlyArray<string>
  readonly toolCalls?: ReadonlyArray<
    { readonly id: string; readonly name: string; readonly arguments: ReadonlyArray<string> }
  >
  readonly finishReason: string
  readonly usage: { readonly prompt_tokens: number; readonly completion_tokens: number; readonly total_tokens: number }
}

const WORDS = "Hello from the Novita emulator. This answer is generated locally, token by token, for tests."
  .split(" ")
  .map((word, i) => (i === 0 ? word : ` ${word}`))

/** `count` tokens of the emulator's reply (the sentence, repeated). */
export const tokens = (count: number): ReadonlyArray<string> =>
  Array.from({ length: count }, (_, i) => {
    const word = WORDS[i % WORDS.length]! // an index below WORDS.length
    return i > 0 && i % WORDS.length === 0 ? ` ${word}` : word
  })

/** The non-streamed `chat.completion`. */
export const completionObject = (c: Completion) => ({
  id: c.id,
  object: "chat.completion",
  created: c.created,
  model: c.model,
  choices: [{
    index: 0,
    message: {
      role: "assistant",
      content: c.toolCalls !== undefined ? null : c.tokens.join(""),
      ...(c.toolCalls !== undefined
        ? {
          tool_calls: c.toolCalls.map((call) => ({
            id: call.id,
            type: "function",
            function: { name: call.name, arguments: call.arguments.join("") }
          }))
        }
        : {})
    },
    finish_reason: c.finishReason,
    logprobs: null
  }],
  usage: c.usage
})

/** The in-band error event of a failed stream (OpenAI-compatible shape; `code` a Novita reason by default). */
export const errorEvent = (fault: Faults.StreamError) => ({
  error: {
    message: fault.message ?? "Service unavailable, please retry later",
    type: fault.type ?? "server_error",
    code: fault.code ?? "SERVICE_NOT_AVAILABLE",
    ...(typeof fault.retryAfter === "number" ? { retry_after: fault.retryAfter } : {})
  }
})

const data = (value: unknown): Uint8Array => Reply.utf8(Sse.encodeEvent({ data: JSON.stringify(value) }))

/** How a stream is paced and what may break it. */
export interface StreamEnv {
  readonly paceMillis: number
  readonly keepalive: boolean
  readonly includeUsage: boolean
  readonly fault: Faults.StreamFault | undefined
  readonly response: () => Http.ServerResponse
}

/**
 * `data: {chat.completion.chunk}` per token (a role chunk first, a `finish_reason` chunk last), a usage chunk with
 * `choices: []` when `stream_options.include_usage`, then `data: [DONE]`. A stream fault acts after `afterChunks`
 * data chunks.
 */
export const chatStream = (c: Completion, env: StreamEnv): Stream.Stream<Uint8Array> => {
  const base = { id: c.id, object: "chat.completion.chunk", created: c.created, model: c.model }
  const chunks: Array<Uint8Array> = [
    data({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] }),
    ...c.tokens.map((token) =>
      data({ ...base, choices: [{ index: 0, delta: { content: token }, finish_reason: null }] })
    ),
    ...(c.toolCalls ?? []).flatMap((call, index) => [
      { index, id: call.id, type: "function", function: { name: call.name, arguments: "" } },
      ...call.arguments.map((piece) => ({ index, function: { arguments: piece } }))
    ]).map((fragment) =>
      data({ ...base, choices: [{ index: 0, delta: { tool_calls: [fragment] }, finish_reason: null }] })
    ),
    data({ ...base, choices: [{ index: 0, delta: {}, finish_reason: c.finishReason }] })
  ]
  if (env.includeUsage) chunks.push(data({ ...base, choices: [], usage: c.usage }))
  const lead = Stream.fromIterable(env.keepalive ? [Reply.utf8(KEEPALIVE)] : [])
  const paced = (list: ReadonlyArray<Uint8Array>) =>
    env.paceMillis <= 0
      ? Stream.fromIterable(list)
      : Stream.fromIterable(list).pipe(Stream.tap(() => Effect.sleep(Duration.millis(env.paceMillis))))
  const fault = env.fault
  if (fault === undefined) return lead.pipe(Stream.concat(paced(chunks)), Stream.concat(Stream.make(Reply.utf8(DONE))))
  const before = lead.pipe(Stream.concat(paced(chunks.slice(0, fault.afterChunks))))
  switch (fault._tag) {
    case "StreamError":
      return before.pipe(Stream.concat(Stream.make(data(errorEvent(fault)))))
    case "StreamReset":
      return before.pipe(Stream.concat(Reply.resetStream(env.response)))
    case "StreamStall":
      return before.pipe(Stream.concat(
        fault.keepAliveEvery === undefined
          ? Stream.never
          : Stream.repeatEffect(Effect.as(Effect.sleep(Duration.millis(fault.keepAliveEvery)), Reply.utf8(KEEPALIVE)))
      ))
    case "StreamEnd":
      return before
  }
}
