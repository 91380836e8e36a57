/**
 * SchemaGuard: the compiled guard answers exactly as `Schema.is` on valid values, on values with one member changed,
 * and on arbitrary JSON, for schemas covering every compiled node kind and the delegated ones.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as FastCheck from "effect/FastCheck"
import * as Schema from "effect/Schema"
import * as SchemaGuard from "../src/SchemaGuard.js"

const optional = <S extends Schema.Schema.All>(s: S) => Schema.optionalWith(s, { exact: true })

class Point extends Schema.Class<Point>("Point")({ x: Schema.Finite, y: Schema.Finite }) {}

const Delta = Schema.Struct({
  role: optional(Schema.NullOr(Schema.String)),
  content: optional(Schema.NullOr(Schema.String)),
  tool_calls: optional(Schema.NullOr(Schema.Array(Schema.Struct({ index: Schema.Int, id: optional(Schema.String) }))))
})

const schemas = {
  chunk: Schema.Struct({
    id: Schema.String,
    object: Schema.Literal("chat.completion.chunk"),
    created: Schema.Finite,
    choices: Schema.Array(Schema.Struct({
      index: Schema.Int.pipe(Schema.nonNegative()),
      delta: Delta,
      finish_reason: optional(Schema.NullOr(Schema.Union(Schema.Literal("stop", "length"), Schema.String)))
    })),
    usage: optional(
      Schema.NullOr(
        Schema.Struct({ total: Schema.Number, detail: Schema.Record({ key: Schema.String, value: Schema.Number }) })
      )
    )
  }),
  withIndexSignature: Schema.Struct(
    { type: Schema.String },
    Schema.Record({ key: Schema.String, value: Schema.Unknown })
  ),
  typedIndexSignature: Schema.Record({ key: Schema.String, value: Schema.Boolean }),
  tuple: Schema.Tuple(Schema.String, Schema.Number),
  tupleWithRest: Schema.Tuple([Schema.String], Schema.Number),
  optionalTupleElement: Schema.Tuple(Schema.String, Schema.optionalElement(Schema.Number)),
  stringLengths: Schema.Struct({ name: Schema.String.pipe(Schema.minLength(2), Schema.maxLength(5)) }),
  nonExactOptional: Schema.Struct({ a: Schema.optional(Schema.Number) }),
  classMember: Schema.Struct({ at: Point }),
  transformed: Schema.Struct({ n: Schema.NumberFromString, d: Schema.DateFromString }),
  strict: Schema.Struct({ a: Schema.Number }).annotations({ parseOptions: { onExcessProperty: "error" } }),
  templateLiteral: Schema.TemplateLiteral("id-", Schema.Number),
  empty: Schema.Struct({}),
  object: Schema.Object,
  recursive: (() => {
    interface Tree {
      readonly value: number
      readonly children: ReadonlyArray<Tree>
    }
    const Tree: Schema.Schema<Tree> = Schema.Struct({
      value: Schema.Number,
      children: Schema.Array(Schema.suspend((): Schema.Schema<Tree> => Tree))
    })
    return Tree
  })()
} as const

/** Replaces one member somewhere in a value with `replacement` (or deletes it), following `path` choices. */
const mutate = (value: unknown, choices: ReadonlyArray<number>, replacement: unknown, remove: boolean): unknown => {
  if (typeof value !== "object" || value === null || choices.length === 0) return replacement
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value)
  if (keys.length === 0) return replacement
  const key = keys[choices[0]! % keys.length]!
  const copy: any = Array.isArray(value) ? [...value] : { ...value }
  if (choices.length === 1 && remove) {
    if (Array.isArray(copy)) copy.splice(key as number, 1)
    else delete copy[key]
    return copy
  }
  copy[key] = mutate((value as any)[key], choices.slice(1), replacement, remove)
  return copy
}

describe("SchemaGuard.compile", () => {
  for (const [name, schema] of Object.entries(schemas)) {
    const is = Schema.is(schema as Schema.Schema<unknown>)
    const guard = SchemaGuard.compile(schema as Schema.Schema<unknown>)
    const typeArbitrary = Arbitrary.make(Schema.typeSchema(schema as Schema.Schema<unknown, unknown>))

    it.prop(`${name}: valid values`, [typeArbitrary], ([value]) => {
      expect(guard(value)).toBe(is(value))
      expect(guard(value)).toBe(true)
    }, { fastCheck: { numRuns: 200 } })

    it.prop(
      `${name}: values with one member changed or removed`,
      [
        typeArbitrary,
        FastCheck.array(FastCheck.nat(), { minLength: 1, maxLength: 5 }),
        FastCheck.oneof(FastCheck.jsonValue(), FastCheck.constant(undefined), FastCheck.constant(Number.NaN)),
        FastCheck.boolean()
      ],
      ([value, choices, replacement, remove]) => {
        const mutated = mutate(value, choices, replacement, remove)
        expect(guard(mutated)).toBe(is(mutated))
      },
      { fastCheck: { numRuns: 300 } }
    )

    it.prop(`${name}: arbitrary JSON`, [FastCheck.jsonValue()], ([value]) => {
      expect(guard(value)).toBe(is(value))
    }, { fastCheck: { numRuns: 200 } })
  }

  it("excess properties are ignored, as by Schema.is; a parse-options annotation is honoured", () => {
    expect(
      SchemaGuard.compile(schemas.chunk)({
        id: "x",
        object: "chat.completion.chunk",
        created: 1,
        choices: [],
        extra: 1
      })
    ).toBe(true)
    expect(SchemaGuard.compile(schemas.strict)({ a: 1, b: 2 })).toBe(false)
    expect(SchemaGuard.compile(schemas.strict)({ a: 1 })).toBe(true)
  })

  it("exact optional members: present-but-undefined fails, absent passes", () => {
    const guard = SchemaGuard.compile(Delta)
    expect(guard({})).toBe(true)
    expect(guard({ content: undefined })).toBe(false)
    expect(guard({ content: null })).toBe(true)
  })
})
