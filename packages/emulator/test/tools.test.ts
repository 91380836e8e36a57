/**
 * The emulator's deterministic answers to tools, `response_format: json_schema` and reasoning models: generated
 * values validate against the JSON Schema they were generated for (property-tested over random Effect Schemas, and
 * checked with ajv), violations do not, and what the chat route sends — plain, and streamed — validates against
 * Venice's OpenAPI document (`fixtures/shared/reference/venice-openapi.yaml`).
 */
import { describe, expect, it } from "@effect/vitest"
import * as ChatStream from "@venice-effect/venice/ChatStream"
import { Ajv } from "ajv"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as FastCheck from "effect/FastCheck"
import * as JSONSchema from "effect/JSONSchema"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as YAML from "yaml"
import * as Faults from "../src/Faults.js"
import * as Tools from "../src/internal/tools.js"
import { chatBody, Client, post, sseData, start } from "./helpers.js"

// ─── the OpenAPI document, as ajv reads it ───────────────────────────────────────────────────────

const here = path.dirname(fileURLToPath(import.meta.url))
const spec: unknown = YAML.parse(
  fs.readFileSync(path.resolve(here, "../../../fixtures/shared/reference/venice-openapi.yaml"), "utf8")
)

type Json = null | boolean | number | string | Array<Json> | { [key: string]: Json }

/** OpenAPI 3.0 → JSON Schema: `nullable: true` becomes a `null` alternative; `example`s go. */
const toJsonSchema = (node: Json): Json => {
  if (Array.isArray(node)) return node.map(toJsonSchema)
  if (node === null || typeof node !== "object") return node
  const out: { [key: string]: Json } = {}
  for (const [key, value] of Object.entries(node)) {
    if (key === "example" || key === "nullable") continue
    out[key] = key === "properties" && value !== null && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]))
      : toJsonSchema(value)
  }
  return node["nullable"] === true ? { anyOf: [out, { type: "null" }] } : out
}

const member = (u: unknown, ...keys: ReadonlyArray<string>): unknown =>
  keys.reduce<unknown>(
    (node, key) => (typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined),
    u
  )

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false })
ajv.addSchema({ components: toJsonSchema(member(spec, "components") as Json) }, "venice")

/** The spec's schema of the `200` of `POST /chat/completions`, with its `$ref`s resolved against the document. */
const chatResponse = ajv.compile({
  $ref: "venice#",
  ...(toJsonSchema(
    member(
      spec,
      "paths",
      "/chat/completions",
      "post",
      "responses",
      "200",
      "content",
      "application/json",
      "schema"
    ) as Json
  ) as object)
})

const validateResponse = (body: unknown): ReadonlyArray<string> =>
  chatResponse(body)
    ? []
    : (chatResponse.errors ?? []).map((e: { instancePath: string; message?: string }) =>
      `${e.instancePath} ${e.message}`
    )

// ─── generated values ────────────────────────────────────────────────────────────────────────────

/** Random Effect Schemas of the kinds tools and structured outputs use. */
const leaf: FastCheck.Arbitrary<Schema.Schema.Any> = FastCheck.constantFrom<Schema.Schema.Any>(
  Schema.String,
  Schema.String.pipe(Schema.minLength(12)),
  Schema.String.pipe(Schema.maxLength(3)),
  Schema.Number,
  Schema.Int,
  Schema.Int.pipe(Schema.between(5, 9)),
  Schema.Number.pipe(Schema.greaterThan(100)),
  Schema.Boolean,
  Schema.Literal("a", "b"),
  Schema.Null,
  Schema.Union(Schema.Number, Schema.String)
)
const schemaArb: FastCheck.Arbitrary<Schema.Schema.Any> = FastCheck.letrec<{ node: Schema.Schema.Any }>((tie) => ({
  node: FastCheck.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    tie("node").map((item) => Schema.Array(item)),
    tie("node").map((item) => Schema.Array(item).pipe(Schema.minItems(3))),
    FastCheck.dictionary(FastCheck.constantFrom("city", "days", "unit", "tags", "zone", "when"), tie("node"), {
      minKeys: 1,
      maxKeys: 4
    }).map((fields) => Schema.Struct(fields)),
    FastCheck.tuple(tie("node"), tie("node")).map(([a, b]) =>
      Schema.Struct({ required: a, optional: Schema.optional(b) })
    )
  )
})).node

const jsonSchemaOf = (schema: Schema.Schema.Any) => JSONSchema.make(schema)

describe("Tools.example / Tools.violation", () => {
  it("an example validates against its schema (Effect Schema decode and ajv); a violation does not", () =>
    FastCheck.assert(
      FastCheck.property(schemaArb, (schema) => {
        const json = jsonSchemaOf(schema)
        const value = Tools.example(json)
        const decode = Schema.decodeUnknownEither(Schema.encodedSchema(schema))
        expect(Either.isRight(decode(value))).toBe(true)
        expect(ajv.validate(json, value)).toBe(true)
        const broken = Tools.violation(json)
        expect(Either.isLeft(decode(broken))).toBe(true)
        expect(ajv.validate(json, broken)).toBe(false)
      }),
      { numRuns: 300 }
    ))

  it("follows $refs, picks the first non-null branch, honours formats and bounds", () => {
    class Inner extends Schema.Class<Inner>("Inner")({ name: Schema.String }) {}
    const schema = Schema.Struct({
      inner: Inner,
      again: Inner,
      maybe: Schema.NullOr(Schema.Int.pipe(Schema.between(3, 4))),
      when: Schema.String.annotations({ jsonSchema: { type: "string", format: "date-time" } })
    })
    const json = JSONSchema.make(schema)
    expect(JSON.stringify(json)).toContain("$ref")
    expect(Tools.example(json)).toEqual({
      inner: { name: "name" },
      again: { name: "name" },
      maybe: 3,
      when: "2026-01-01T00:00:00.000Z"
    })
  })

  it("answer: tool calls while no result is in, then text quoting the results; json_schema; plain", () => {
    const tools = [{ type: "function", function: { name: "f", parameters: { type: "object", properties: {} } } }]
    expect(Tools.answer({ messages: [{ role: "user", content: "x" }], tools }, { violate: false })).toEqual({
      _tag: "tool-calls",
      calls: [{ name: "f", arguments: "{}" }]
    })
    const after = {
      messages: [
        { role: "user", content: "x" },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: "{}" } }]
        },
        { role: "tool", tool_call_id: "c1", content: "\"ok\"" }
      ],
      tools
    }
    expect(Tools.answer(after, { violate: false })).toEqual({ _tag: "tool-answer", text: "f returned \"ok\"." })
    expect(Tools.answer({ messages: [], tool_choice: "none", tools }, { violate: false })).toEqual({ _tag: "text" })
    const format = {
      type: "json_schema",
      json_schema: { name: "x", schema: { type: "object", properties: { a: { type: "integer" } } } }
    }
    expect(Tools.answer({ messages: [], response_format: format }, { violate: false })).toEqual({
      _tag: "json",
      text: "{\"a\":1}"
    })
    expect(Tools.answer({ messages: [], response_format: format }, { violate: true })).toEqual({
      _tag: "json",
      text: "{\"a\":\"not a number\"}"
    })
  })
})

// ─── over HTTP, against the spec ─────────────────────────────────────────────────────────────────

const WEATHER = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather",
    parameters: {
      type: "object",
      required: ["city", "days"],
      properties: { city: { type: "string", minLength: 2 }, days: { type: "integer", minimum: 1, maximum: 7 } },
      additionalProperties: false
    }
  }
}
const TIME = { type: "function", function: { name: "get_time", parameters: { type: "object", properties: {} } } }
const PERSON = {
  type: "json_schema",
  json_schema: {
    name: "person",
    strict: true,
    schema: {
      type: "object",
      required: ["name", "age"],
      properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } },
      additionalProperties: false
    }
  }
}

const decodeChunk = Schema.decodeUnknownEither(ChatStream.ChatCompletionChunk)

/** The streamed chunks of an SSE body, each checked with the SDK's chunk Schema; `[DONE]` last. */
const chunksOf = (text: string) => {
  const data = sseData(text)
  expect(data.at(-1)).toBe("[DONE]")
  return data.slice(0, -1).map((d) => {
    const decoded = decodeChunk(JSON.parse(d))
    if (Either.isLeft(decoded)) throw new Error(`chunk does not decode: ${d}`)
    return decoded.right
  })
}

describe("the chat route: tools, structured output, reasoning — validated against the OpenAPI document", () => {
  it.scoped("tools: parallel calls whose arguments validate against the declared parameters; finish tool_calls", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const res = yield* post(emulator, "/chat/completions", chatBody({ tools: [WEATHER, TIME] }))
      expect(res.status).toBe(200)
      expect(validateResponse(res.json)).toEqual([])
      const choice = member(res.json, "choices", "0") as {
        finish_reason: string
        message: { content: unknown; tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> }
      }
      expect(choice.finish_reason).toBe("tool_calls")
      expect(choice.message.content).toBeNull()
      expect(choice.message.tool_calls.map((c) => c.function.name)).toEqual(["get_weather", "get_time"])
      const args = JSON.parse(choice.message.tool_calls[0]!.function.arguments)
      expect(ajv.validate(WEATHER.function.parameters, args)).toBe(true)
      expect(choice.message.tool_calls[0]!.id).toMatch(/^call_[0-9a-f]{24}$/)

      // parallel_tool_calls: false → one call
      const single = yield* post(
        emulator,
        "/chat/completions",
        chatBody({ tools: [WEATHER, TIME], parallel_tool_calls: false })
      )
      expect((member(single.json, "choices", "0", "message", "tool_calls") as Array<unknown>).length).toBe(1)

      // the tool result is in: a final text answer
      const call = choice.message.tool_calls[0]!
      const final = yield* post(
        emulator,
        "/chat/completions",
        chatBody({
          tools: [WEATHER],
          messages: [
            { role: "user", content: "weather?" },
            { role: "assistant", content: null, tool_calls: [{ ...call, type: "function" }] },
            { role: "tool", tool_call_id: call.id, content: "{\"temperature\":21}" }
          ]
        })
      )
      expect(validateResponse(final.json)).toEqual([])
      expect(member(final.json, "choices", "0", "message", "content")).toBe(
        "get_weather returned {\"temperature\":21}."
      )
      expect(member(final.json, "choices", "0", "finish_reason")).toBe("stop")
    }).pipe(Effect.provide(Client)))

  it.scoped("tools, streamed: fragments (id, type and name first, then the arguments in pieces) assemble to the plain answer", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const res = yield* post(emulator, "/chat/completions", chatBody({ tools: [WEATHER, TIME], stream: true }))
      const chunks = chunksOf(res.text)
      const calls = new Map<number, { id: string; name: string; args: string; pieces: number }>()
      for (const chunk of chunks) {
        for (const fragment of chunk.choices[0]?.delta.tool_calls ?? []) {
          const current = calls.get(fragment.index)
          if (current === undefined) {
            expect(fragment.id).toMatch(/^call_/)
            expect(fragment.type).toBe("function")
            calls.set(fragment.index, {
              id: fragment.id!,
              name: fragment.function!.name!,
              args: fragment.function?.arguments ?? "",
              pieces: 0
            })
          } else {
            expect(fragment.id).toBeUndefined()
            current.args += fragment.function?.arguments ?? ""
            current.pieces++
          }
        }
      }
      expect([...calls.values()].map((c) => c.name)).toEqual(["get_weather", "get_time"])
      const weather = calls.get(0)!
      expect(weather.pieces).toBeGreaterThan(1)
      expect(ajv.validate(WEATHER.function.parameters, JSON.parse(weather.args))).toBe(true)
      const finish = chunks.flatMap((c) => c.choices.map((choice) => choice.finish_reason)).filter((r) => r != null)
      expect(finish).toEqual(["tool_calls"])
      expect(chunks.at(-1)?.usage?.completion_tokens).toBeGreaterThan(0)
    }).pipe(Effect.provide(Client)))

  it.scoped("json_schema: an object that validates, plain and streamed; the fault makes one that does not", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const res = yield* post(emulator, "/chat/completions", chatBody({ response_format: PERSON }))
      expect(validateResponse(res.json)).toEqual([])
      const content = member(res.json, "choices", "0", "message", "content") as string
      expect(JSON.parse(content)).toEqual({ name: "name", age: 1 })
      expect(ajv.validate(PERSON.json_schema.schema, JSON.parse(content))).toBe(true)

      const streamed = yield* post(emulator, "/chat/completions", chatBody({ response_format: PERSON, stream: true }))
      const text = chunksOf(streamed.text).map((c) => c.choices[0]?.delta.content ?? "").join("")
      expect(text).toBe(content)

      // the bare (older Venice) form of json_schema is answered too
      const bare = yield* post(
        emulator,
        "/chat/completions",
        chatBody({
          response_format: { type: "json_schema", json_schema: PERSON.json_schema.schema }
        })
      )
      expect(JSON.parse(member(bare.json, "choices", "0", "message", "content") as string)).toEqual({
        name: "name",
        age: 1
      })

      yield* emulator.script({ route: "chat/completions" }, 2, Faults.structuredOutputViolation)
      const bad = yield* post(emulator, "/chat/completions", chatBody({ response_format: PERSON }))
      expect(validateResponse(bad.json)).toEqual([])
      const badContent = JSON.parse(member(bad.json, "choices", "0", "message", "content") as string)
      expect(ajv.validate(PERSON.json_schema.schema, badContent)).toBe(false)
      const badStream = yield* post(emulator, "/chat/completions", chatBody({ response_format: PERSON, stream: true }))
      const badText = chunksOf(badStream.text).map((c) => c.choices[0]?.delta.content ?? "").join("")
      expect(ajv.validate(PERSON.json_schema.schema, JSON.parse(badText))).toBe(false)
      expect((yield* emulator.stats).byFault["StructuredOutputViolation"]).toBe(2)
    }).pipe(Effect.provide(Client)))

  it.scoped("reasoning models: reasoning_content (plain) and its deltas before the content (streamed); off with disable_thinking", () =>
    Effect.gen(function*() {
      const emulator = yield* start()
      const body = chatBody({ model: "zai-org-glm-5-1" })
      const res = yield* post(emulator, "/chat/completions", body)
      expect(validateResponse(res.json)).toEqual([])
      expect(member(res.json, "choices", "0", "message", "reasoning_content")).toBe(Tools.REASONING)
      expect(member(res.json, "usage", "completion_tokens_details", "reasoning_tokens")).toBe(12)

      const streamed = yield* post(emulator, "/chat/completions", { ...body, stream: true })
      const deltas = chunksOf(streamed.text).flatMap((c) => c.choices.map((choice) => choice.delta))
      const firstContent = deltas.findIndex((d) => (d.content ?? "").length > 0)
      const lastReasoning = deltas.reduce((last, d, i) => ((d.reasoning_content ?? "").length > 0 ? i : last), -1)
      expect(lastReasoning).toBeGreaterThan(0)
      expect(lastReasoning).toBeLessThan(firstContent)
      expect(deltas.map((d) => d.reasoning_content ?? "").join("")).toBe(Tools.REASONING)

      const off = yield* post(emulator, "/chat/completions", { ...body, venice_parameters: { disable_thinking: true } })
      expect(member(off.json, "choices", "0", "message", "reasoning_content")).toBeNull()
      // a model without reasoning never shows any
      const plain = yield* post(emulator, "/chat/completions", chatBody())
      expect(validateResponse(plain.json)).toEqual([])
      expect(member(plain.json, "choices", "0", "message", "reasoning_content")).toBeNull()
    }).pipe(Effect.provide(Client)))
})
