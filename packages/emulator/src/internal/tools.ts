/**
 * Deterministic answers for what a chat request asks beyond text: function tools (a call whose arguments validate
 * against the declared JSON Schema, then a final answer once the tool results are in), `response_format`
 * (`json_schema`: an object that validates against the schema — or, under the `StructuredOutputViolation` fault, one
 * that does not; `json_object`: a small object), and reasoning text for reasoning models. Shared by the Venice and
 * Novita emulators; both speak the OpenAI chat shape (A4).
 */
import * as Predicate from "effect/Predicate"

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }
type Node = { readonly [key: string]: unknown }

const isNode = (u: unknown): u is Node => Predicate.isRecord(u)

// ─── JSON Schema examples ────────────────────────────────────────────────────────────────────────

const MAX_DEPTH = 8

/**
 * Follows a local `$ref` (`#/$defs/X`, `#/definitions/X`) from the schema's root; keywords beside the `$ref` (a
 * refinement's bounds, as Effect's `JSONSchema` writes them) apply on top of the target.
 */
const deref = (schema: Node, root: Node): Node => {
  let current: Node = schema
  for (let hops = 0; hops < 16; hops++) {
    const { $ref: ref, ...siblings } = current
    if (typeof ref !== "string" || !ref.startsWith("#")) return current
    const target = ref.slice(1).split("/").filter((s) => s.length > 0).reduce<unknown>(
      (node, key) => (isNode(node) ? node[key.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined),
      root
    )
    if (!isNode(target)) return siblings
    current = { ...target, ...siblings }
  }
  return current
}

const typeOf = (schema: Node): string | undefined => {
  const type = schema["type"]
  if (typeof type === "string") return type
  if (Array.isArray(type)) return type.find((t): t is string => typeof t === "string" && t !== "null")
  if (isNode(schema["properties"])) return "object"
  if (schema["items"] !== undefined || schema["prefixItems"] !== undefined) return "array"
  return undefined
}

const stringExample = (schema: Node, hint: string): string => {
  switch (schema["format"]) {
    case "date-time":
      return "2026-01-01T00:00:00.000Z"
    case "date":
      return "2026-01-01"
    case "time":
      return "12:00:00"
    case "email":
      return "emulator@example.com"
    case "uri":
    case "url":
      return "https://example.com/emulator"
    case "uuid":
      return "00000000-0000-4000-8000-000000000000"
  }
  const min = typeof schema["minLength"] === "number" ? schema["minLength"] : 0
  const max = typeof schema["maxLength"] === "number" ? schema["maxLength"] : Infinity
  let text = hint.length > 0 ? hint : "value"
  if (text.length < min) text = text + "x".repeat(min - text.length)
  return text.length > max ? text.slice(0, max) : text
}

const numberExample = (schema: Node, integer: boolean): number => {
  const num = (u: unknown): number | undefined => (typeof u === "number" && Number.isFinite(u) ? u : undefined)
  // draft 4 uses boolean `exclusiveMinimum`; later drafts a number
  const exclusiveMin = num(schema["exclusiveMinimum"])
  const exclusiveMax = num(schema["exclusiveMaximum"])
  let low = num(schema["minimum"]) ?? exclusiveMin ?? -Infinity
  let high = num(schema["maximum"]) ?? exclusiveMax ?? Infinity
  if (schema["exclusiveMinimum"] === true || exclusiveMin !== undefined) low = low + (integer ? 1 : 0.5)
  if (schema["exclusiveMaximum"] === true || exclusiveMax !== undefined) high = high - (integer ? 1 : 0.5)
  let value = 1 >= low && 1 <= high ? 1 : Number.isFinite(low) ? low : high
  if (integer) value = Number.isFinite(low) && value === low ? Math.ceil(value) : Math.floor(value)
  const multiple = num(schema["multipleOf"])
  if (multiple !== undefined && multiple > 0) value = Math.ceil(value / multiple) * multiple
  return value
}

/** A schema with its `allOf` parts folded in: properties and `required` combined, other keywords added. */
const mergeAllOf = (schema: Node, parts: ReadonlyArray<unknown>, root: Node): Node => {
  const { allOf: _, ...base } = schema
  const merged: Record<string, unknown> = { ...base }
  for (const raw of parts) {
    if (!isNode(raw)) continue
    const part = deref(raw, root)
    for (const [key, value] of Object.entries(part)) {
      if (key === "properties" && isNode(value)) {
        merged["properties"] = { ...(isNode(merged["properties"]) ? merged["properties"] : {}), ...value }
      } else if (key === "required" && Array.isArray(value)) {
        merged["required"] = [...(Array.isArray(merged["required"]) ? merged["required"] : []), ...value]
      } else {
        merged[key] = value
      }
    }
  }
  return merged
}

/**
 * A value that validates against a JSON Schema (the subset tools and structured outputs use: `type`, `properties`,
 * `required`, `items`, `prefixItems`, `enum`, `const`, `anyOf` / `oneOf` (the first branch), `allOf` (objects
 * merged), local `$ref`s, string formats and lengths, numeric bounds, item counts). Strings are derived from the
 * property name, so the same schema always gets the same value.
 */
export const example = (schema: unknown, root: unknown = schema, hint = "", depth = 0): Json => {
  if (!isNode(schema) || !isNode(root) || depth > MAX_DEPTH) return null
  const s = deref(schema, root)
  // a JSON Schema is parsed JSON: its `const` and `enum` values are JSON values
  if (s["const"] !== undefined) return s["const"] as Json
  // likewise for `enum`, non-empty (checked on this line)
  if (Array.isArray(s["enum"]) && s["enum"].length > 0) return s["enum"][0] as Json
  for (const key of ["anyOf", "oneOf"] as const) {
    const branches = s[key]
    if (Array.isArray(branches) && branches.length > 0) {
      const branch = branches.find((b) => !(isNode(b) && b["type"] === "null")) ?? branches[0]
      return example(branch, root, hint, depth + 1)
    }
  }
  const allOf = s["allOf"]
  if (Array.isArray(allOf) && allOf.length > 0) return example(mergeAllOf(s, allOf, root), root, hint, depth + 1)
  switch (typeOf(s)) {
    case "object": {
      const properties = isNode(s["properties"]) ? s["properties"] : {}
      const out: Record<string, Json> = {}
      for (const [name, child] of Object.entries(properties)) out[name] = example(child, root, name, depth + 1)
      return out
    }
    case "array": {
      const prefix = Array.isArray(s["prefixItems"]) ? s["prefixItems"] : []
      const min = typeof s["minItems"] === "number" ? s["minItems"] : 1
      const max = typeof s["maxItems"] === "number" ? s["maxItems"] : Infinity
      const count = Math.min(Math.max(min, prefix.length, 1), max)
      return Array.from(
        { length: count },
        (_, i) =>
          example(prefix[i] ?? s["items"] ?? {}, root, count > 1 ? `${hint || "item"}-${i + 1}` : hint, depth + 1)
      )
    }
    case "string":
      return stringExample(s, hint)
    case "integer":
      return numberExample(s, true)
    case "number":
      return numberExample(s, false)
    case "boolean":
      return true
    case "null":
      return null
    default:
      return hint.length > 0 ? hint : "value"
  }
}

/** A value of another JSON type than the schema's (what a model that ignored the schema might send). */
const wrongType = (schema: Node): Json => {
  switch (typeOf(schema)) {
    case "string":
      return 42
    case "integer":
    case "number":
      return "not a number"
    case "boolean":
      return "yes"
    case "array":
      return { not: "an array" }
    case "object":
      return "not an object"
    case "null":
      return "not null"
    default:
      return null
  }
}

/**
 * A JSON value that does **not** validate against the schema: the valid example with its first property given a
 * value of the wrong type, or a value of the wrong type altogether.
 */
export const violation = (schema: unknown): Json => {
  if (!isNode(schema)) return null
  const s = deref(schema, schema)
  const valid = example(s, schema)
  const properties = isNode(s["properties"]) ? Object.entries(s["properties"]) : []
  const first = properties[0]
  if (isNode(valid) && !Array.isArray(valid) && first !== undefined) {
    return { ...valid, [first[0]]: wrongType(isNode(first[1]) ? deref(first[1], schema) : {}) }
  }
  return wrongType(s)
}

// ─── what a request asks ─────────────────────────────────────────────────────────────────────────

/** One function tool of a request. */
export interface FunctionTool {
  readonly name: string
  readonly parameters: unknown
}

/** A tool call the emulator makes: the call id, the function and its JSON-encoded arguments. */
export interface ToolCall {
  readonly id: string
  readonly name: string
  readonly arguments: string
}

/**
 * What the emulator answers a chat request with:
 *
 * - `tool-calls` — the request declares function tools, `tool_choice` is not `none`, and the conversation does not
 *   end with tool results: one call per declared function (all of them when `parallel_tool_calls` is not `false`,
 *   only the first otherwise; only the named one for a named `tool_choice`), `finish_reason: "tool_calls"`;
 * - `json` — `response_format` asks for JSON: the text is an example of the schema (or a violation of it);
 * - `tool-answer` — the conversation ends with tool results: a text that quotes them;
 * - `text` — anything else: the emulator's sentence.
 */
export type Answer =
  | { readonly _tag: "tool-calls"; readonly calls: ReadonlyArray<Omit<ToolCall, "id">> }
  | { readonly _tag: "json"; readonly text: string }
  | { readonly _tag: "tool-answer"; readonly text: string }
  | { readonly _tag: "text" }

const functionTools = (tools: unknown): ReadonlyArray<FunctionTool> => {
  if (!Array.isArray(tools)) return []
  const out: Array<FunctionTool> = []
  for (const tool of tools) {
    if (!isNode(tool) || (tool["type"] !== undefined && tool["type"] !== "function")) continue
    const fn = tool["function"]
    if (!isNode(fn) || typeof fn["name"] !== "string") continue
    out.push({ name: fn["name"], parameters: fn["parameters"] ?? { type: "object", properties: {} } })
  }
  return out
}

/** The JSON Schema of a `json_schema` response format: `json_schema.schema`, or the older bare form. */
export const responseSchema = (format: unknown): unknown => {
  if (!isNode(format) || format["type"] !== "json_schema") return undefined
  const js = format["json_schema"]
  if (!isNode(js)) return undefined
  return isNode(js["schema"]) ? js["schema"] : js
}

/** Whether the request asks for a `json_schema` structured output (the violation fault matches only those). */
export const wantsSchema = (body: unknown): boolean =>
  isNode(body) && responseSchema(body["response_format"]) !== undefined

/** The tool results at the end of the conversation (after the last assistant turn), with the functions' names. */
const trailingToolResults = (messages: ReadonlyArray<unknown>): ReadonlyArray<{ name: string; content: string }> => {
  const results: Array<{ id: string; content: string }> = []
  let i = messages.length - 1
  for (; i >= 0; i--) {
    const m = messages[i]
    if (!isNode(m) || m["role"] !== "tool") break
    results.unshift({
      id: typeof m["tool_call_id"] === "string" ? m["tool_call_id"] : "",
      content: typeof m["content"] === "string" ? m["content"] : JSON.stringify(m["content"] ?? null)
    })
  }
  const assistant = messages[i]
  const calls = isNode(assistant) && Array.isArray(assistant["tool_calls"]) ? assistant["tool_calls"] : []
  const nameOf = (id: string): string => {
    const call = calls.find((c) => isNode(c) && c["id"] === id)
    const fn = isNode(call) ? call["function"] : undefined
    return isNode(fn) && typeof fn["name"] === "string" ? fn["name"] : "tool"
  }
  return results.map((r) => ({ name: nameOf(r.id), content: r.content }))
}

/** Decides what to answer (see {@link Answer}). `violate`: a `json_schema` answer breaks its schema. */
export const answer = (body: unknown, options: { readonly violate: boolean }): Answer => {
  if (!isNode(body)) return { _tag: "text" }
  const messages = Array.isArray(body["messages"]) ? body["messages"] : []
  const results = trailingToolResults(messages)
  const choice = body["tool_choice"]
  const tools = functionTools(body["tools"])
  const choiceType = isNode(choice) ? choice["type"] : choice
  if (results.length === 0 && tools.length > 0 && choiceType !== "none") {
    const named = isNode(choice) && isNode(choice["function"]) ? choice["function"]["name"] : undefined
    const selected = typeof named === "string"
      ? tools.filter((t) => t.name === named)
      : body["parallel_tool_calls"] === false
      ? tools.slice(0, 1)
      : tools
    if (selected.length > 0) {
      return {
        _tag: "tool-calls",
        calls: selected.map((t) => ({ name: t.name, arguments: JSON.stringify(example(t.parameters)) }))
      }
    }
  }
  const schema = responseSchema(body["response_format"])
  if (schema !== undefined) {
    return { _tag: "json", text: JSON.stringify(options.violate ? violation(schema) : example(schema)) }
  }
  if (isNode(body["response_format"]) && body["response_format"]["type"] === "json_object") {
    return { _tag: "json", text: JSON.stringify({ answer: "Hello from the Venice emulator." }) }
  }
  if (results.length > 0) {
    return { _tag: "tool-answer", text: results.map((r) => `${r.name} returned ${r.content}.`).join(" ") }
  }
  return { _tag: "text" }
}

/** Splits a text into pieces of about `size` characters (streamed deltas). */
export const pieces = (text: string, size: number): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

/** Splits a text into word tokens (each but the first with its leading space). */
export const words = (text: string): ReadonlyArray<string> =>
  text.split(" ").filter((w) => w.length > 0).map((w, i) => (i === 0 ? w : ` ${w}`))

/** The reasoning a reasoning model shows before its answer (`reasoning_content`). */
export const REASONING = "The user wrote to the emulator; a short, friendly answer will do."
