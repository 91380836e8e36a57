/**
 * The chunk checks of `ChatStream` against the `ChatCompletionChunk` Schema: the compiled guard used by
 * `validate: true` answers as `Schema.is`, and every chunk the Schema accepts passes the structural check used when
 * validation is off.
 */
import { describe, expect, it } from "@effect/vitest"
import * as SchemaGuard from "@venice-effect/core/SchemaGuard"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as ChatStream from "../src/ChatStream.js"

const chunks = Arbitrary.make(ChatStream.ChatCompletionChunk)
const is = Schema.is(ChatStream.ChatCompletionChunk)
const guard = SchemaGuard.compile(ChatStream.ChatCompletionChunk)

const mutate = (value: unknown, choices: ReadonlyArray<number>, replacement: unknown): unknown => {
  if (typeof value !== "object" || value === null || choices.length === 0) return replacement
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  if (keys.length === 0) return replacement
  const key = keys[choices[0]! % keys.length]!
  const copy: any = Array.isArray(value) ? [...value] : { ...value }
  copy[key] = mutate((value as any)[key], choices.slice(1), replacement)
  return copy
}

describe("ChatStream chunk checks", () => {
  it.prop("every Schema-valid chunk passes the structural check and the compiled guard", [chunks], ([chunk]) => {
    expect(ChatStream.isChatCompletionChunk(chunk)).toBe(true)
    expect(guard(chunk)).toBe(true)
  }, { fastCheck: { numRuns: 300 } })

  it.prop(
    "the compiled guard answers as Schema.is on chunks with one member changed",
    [chunks, FastCheck.array(FastCheck.nat(), { minLength: 1, maxLength: 6 }), FastCheck.jsonValue()],
    ([chunk, path, replacement]) => {
      const mutated = mutate(chunk, path, replacement)
      expect(guard(mutated)).toBe(is(mutated))
    },
    { fastCheck: { numRuns: 500 } }
  )

  it("the structural check rejects what consumers would trip on", () => {
    const ok = {
      id: "x",
      object: "chat.completion.chunk",
      created: 1,
      model: "m",
      choices: [{ index: 0, delta: { content: "a" } }]
    }
    expect(ChatStream.isChatCompletionChunk(ok)).toBe(true)
    expect(ChatStream.isChatCompletionChunk({ ...ok, choices: [{ index: 0, delta: { content: 1 } }] })).toBe(false)
    expect(ChatStream.isChatCompletionChunk({ ...ok, choices: [{ index: 0 }] })).toBe(false)
    expect(ChatStream.isChatCompletionChunk({ ...ok, choices: [{ index: 0, delta: { tool_calls: {} } }] })).toBe(false)
    expect(ChatStream.isChatCompletionChunk({ ...ok, usage: 5 })).toBe(false)
    expect(ChatStream.isChatCompletionChunk({ ...ok, object: "chat.completion" })).toBe(false)
    expect(ChatStream.isChatCompletionChunk([ok])).toBe(false)
  })
})
