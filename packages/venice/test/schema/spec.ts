/**
 * Test helpers: the Venice OpenAPI document, the examples it gives for a route, and field-level decode errors.
 *
 * Examples come in two kinds:
 *
 * - documented: the media type's `example` / `examples[*].value` and the body schema's own `example`;
 * - synthesized: documents assembled from the spec's property-level `example`s (what Swagger UI shows), one per
 *   alternative of every `anyOf` / `oneOf` and per "object example vs. its properties' examples" choice, so every
 *   property example the spec gives is decoded at least once. Required members without an example get a default,
 *   the first enum value, or a type placeholder that satisfies the spec's own bounds. Optional objects, unions and
 *   arrays of them are built too (arrays with one element), so every variant of every union is decoded.
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as fs from "node:fs"
import * as path from "node:path"
import { fileURLToPath } from "node:url"
import * as YAML from "yaml"

const here = path.dirname(fileURLToPath(import.meta.url))

/** Venice's OpenAPI spec, vendored in `fixtures/shared/reference/` (or `VENICE_OPENAPI`). */
const specPath = (): string => {
  const fromEnv = process.env["VENICE_OPENAPI"]
  if (fromEnv !== undefined && fromEnv.length > 0) return fromEnv
  const candidates = [path.resolve(here, "../../../../fixtures/shared/reference/venice-openapi.yaml")]
  const found = candidates.find((candidate) => fs.existsSync(candidate))
  if (found === undefined) throw new Error(`venice-openapi.yaml not found (tried ${candidates.join(", ")})`)
  return found
}

type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }
type Node = { readonly [key: string]: Json }

const isNode = (value: Json | undefined): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** The parsed OpenAPI document. */
export const document: Node = YAML.parse(fs.readFileSync(specPath(), "utf8")) as Node

const get = (node: Json | undefined, key: string): Json | undefined => (isNode(node) ? node[key] : undefined)

/** Follows `$ref`s to the schema they point to. */
export const resolve = (node: Json | undefined): Node => {
  let current = node
  for (let hops = 0; hops < 32; hops++) {
    const ref = get(current, "$ref")
    if (typeof ref !== "string") break
    current = ref
      .replace(/^#\//, "")
      .split("/")
      .reduce<Json | undefined>((parent, key) => get(parent, key), document)
  }
  if (!isNode(current)) throw new Error("unresolvable schema")
  return current
}

/** The operation object of `method path`. */
export const operation = (route: string, method: string): Node => {
  const op = get(get(get(document, "paths"), route), method)
  if (!isNode(op)) throw new Error(`no operation ${method.toUpperCase()} ${route}`)
  return op
}

const array = (value: Json | undefined): ReadonlyArray<Json> => (Array.isArray(value) ? value : [])
const entries = (value: Json | undefined): ReadonlyArray<readonly [string, Json]> =>
  isNode(value) ? Object.entries(value) : []

/** Whether a schema (or anything below it) carries an `example` or a `default`. */
const hasExample = (node: Json | undefined, seen: Set<Node> = new Set()): boolean => {
  const schema = resolve(node)
  if (seen.has(schema)) return false
  seen.add(schema)
  if (schema["example"] !== undefined || schema["default"] !== undefined) return true
  const children = [
    ...array(schema["anyOf"]),
    ...array(schema["oneOf"]),
    ...array(schema["allOf"]),
    ...entries(schema["properties"]).map(([, child]) => child),
    ...(schema["items"] !== undefined ? [schema["items"]] : []),
    ...(isNode(schema["additionalProperties"]) ? [schema["additionalProperties"]] : [])
  ]
  return children.some((child) => hasExample(child, seen))
}

type Alternative = "example" | "structure" | number

/** Objects with properties, unions, and arrays of those: optional members of this kind are built too. */
const isStructural = (node: Json | undefined): boolean => {
  const schema = resolve(node)
  if (schema["properties"] !== undefined || schema["anyOf"] !== undefined || schema["oneOf"] !== undefined) return true
  return schema["items"] !== undefined && isStructural(schema["items"])
}

const clone = (value: Json): Json => JSON.parse(JSON.stringify(value)) as Json

const placeholder = (schema: Node): Json => {
  if (schema["default"] !== undefined) return clone(schema["default"])
  const options = array(schema["enum"])
  if (options.length > 0) return options[0] ?? null
  switch (schema["type"]) {
    case "string": {
      if (schema["pattern"] === "^\\d+$") return "1"
      const min = typeof schema["minLength"] === "number" ? schema["minLength"] : 1
      return "x".repeat(Math.max(1, min))
    }
    case "number":
    case "integer": {
      const min = schema["minimum"]
      if (typeof min === "number") return schema["exclusiveMinimum"] === true ? min + 1 : min
      const max = schema["maximum"]
      return typeof max === "number" ? max : 1
    }
    case "boolean":
      return false
    default:
      return null
  }
}

const generate = (
  node: Json | undefined,
  at: string,
  overrides: ReadonlyMap<string, number>,
  visited: Map<string, ReadonlyArray<Alternative>>
): Json => {
  const schema = resolve(node)
  const branches = array(schema["anyOf"]).length > 0 ? array(schema["anyOf"]) : array(schema["oneOf"])
  const structural = schema["properties"] !== undefined || schema["items"] !== undefined ||
    schema["type"] === "object" || branches.length > 0
  const alternatives: Array<Alternative> = []
  if (schema["example"] !== undefined) alternatives.push("example")
  if (branches.length > 0) branches.forEach((_, index) => alternatives.push(index))
  else if (structural || schema["example"] === undefined) alternatives.push("structure")
  if (alternatives.length > 1) visited.set(at, alternatives)
  const chosen = alternatives[overrides.get(at) ?? 0] ?? "structure"
  if (chosen === "example") return clone(schema["example"] ?? null)
  if (typeof chosen === "number") return generate(branches[chosen], `${at}|${chosen}`, overrides, visited)
  if (schema["properties"] !== undefined || schema["type"] === "object") {
    const required = new Set(array(schema["required"]).filter((key): key is string => typeof key === "string"))
    const out: Record<string, Json> = {}
    for (const [key, child] of entries(schema["properties"])) {
      if (required.has(key) || hasExample(child) || isStructural(child)) {
        out[key] = generate(child, `${at}.${key}`, overrides, visited)
      }
    }
    const additional = schema["additionalProperties"]
    if (isNode(additional) && hasExample(additional)) out["key"] = generate(additional, `${at}{}`, overrides, visited)
    return out
  }
  if (schema["type"] === "array" || schema["items"] !== undefined) {
    const minItems = typeof schema["minItems"] === "number" ? schema["minItems"] : 0
    return hasExample(schema["items"]) || minItems > 0 || isStructural(schema["items"])
      ? [generate(schema["items"], `${at}[]`, overrides, visited)]
      : []
  }
  return placeholder(schema)
}

/** One example document. */
export interface Example {
  readonly label: string
  readonly value: unknown
}

/**
 * Documents synthesized from the property-level examples below `schema`: a base document, then one per alternative
 * of each choice point (exploring choice points revealed by an alternative, not every combination).
 */
export const synthesize = (schema: Json | undefined): ReadonlyArray<Example> => {
  const out: Array<Example> = []
  const seen = new Set<string>()
  const queue: Array<{ overrides: ReadonlyMap<string, number>; parent: ReadonlySet<string> | undefined }> = [
    { overrides: new Map(), parent: undefined }
  ]
  while (queue.length > 0) {
    const { overrides, parent } = queue.shift()!
    const visited = new Map<string, ReadonlyArray<Alternative>>()
    const value = generate(schema, "", overrides, visited)
    const label = [...overrides]
      .map(([at, index]) => `${at === "" ? "<root>" : at}=${String(visited.get(at)?.[index] ?? index)}`)
      .join(" ; ")
    out.push({ label: `synthesized ${label.length === 0 ? "base" : label}`, value })
    for (const [at, alternatives] of visited) {
      if (overrides.has(at) || parent?.has(at) === true) continue
      for (let index = 1; index < alternatives.length; index++) {
        const next = new Map(overrides).set(at, index)
        const key = JSON.stringify([...next].sort())
        if (seen.has(key)) continue
        seen.add(key)
        queue.push({ overrides: next, parent: new Set(visited.keys()) })
      }
    }
  }
  return out
}

/** The documented examples of a media type object: `example`, `examples[*].value`, the schema's own `example`. */
const documented = (media: Json | undefined): ReadonlyArray<Example> => {
  const out: Array<Example> = []
  const example = get(media, "example")
  if (example !== undefined) out.push({ label: "documented example", value: example })
  for (const [name, entry] of entries(get(media, "examples"))) {
    out.push({ label: `documented examples.${name}`, value: get(resolve(entry), "value") ?? null })
  }
  const schemaExample = resolve(get(media, "schema"))["example"]
  if (schemaExample !== undefined) out.push({ label: "documented schema example", value: schemaExample })
  return out
}

/** Drops examples whose document equals an earlier one (the synthesized base is often the documented example). */
const withoutDuplicates = (examples: ReadonlyArray<Example>): ReadonlyArray<Example> => {
  const seen = new Set<string>()
  return examples.filter((example) => {
    const key = JSON.stringify(example.value)
    if (seen.has(key)) return false
    seen.add(key)
    return true
  })
}

const media = (content: Json | undefined, contentType: string): Json | undefined => get(content, contentType)

/** Every example of a route's request body (`contentType` defaults to JSON). */
export const requestExamples = (
  route: string,
  method: string,
  contentType = "application/json"
): ReadonlyArray<Example> => {
  const body = operation(route, method)["requestBody"]
  if (body === undefined) return []
  const mediaType = media(resolve(body)["content"], contentType)
  if (mediaType === undefined) throw new Error(`${route}: no ${contentType} request body`)
  return withoutDuplicates([...documented(mediaType), ...synthesize(get(mediaType, "schema"))])
}

/** Every example of a route's `status` JSON response. */
export const responseExamples = (route: string, method: string, status = "200"): ReadonlyArray<Example> => {
  const response = get(operation(route, method)["responses"], status)
  const mediaType = media(resolve(response)["content"], "application/json")
  if (mediaType === undefined) throw new Error(`${route}: no application/json ${status} response`)
  return withoutDuplicates([...documented(mediaType), ...synthesize(get(mediaType, "schema"))])
}

/** The `example`s of a route's parameter `name` (on the parameter and on its schema). */
export const parameterExamples = (route: string, method: string, name: string): ReadonlyArray<Example> => {
  const parameter = array(operation(route, method)["parameters"])
    .map((entry) => resolve(entry))
    .find((entry) => entry["name"] === name)
  if (parameter === undefined) throw new Error(`${route}: no parameter ${name}`)
  const out: Array<Example> = []
  if (parameter["example"] !== undefined) out.push({ label: `parameter ${name} example`, value: parameter["example"] })
  const schemaExample = resolve(parameter["schema"])["example"]
  if (schemaExample !== undefined) out.push({ label: `parameter ${name} schema example`, value: schemaExample })
  return out
}

/** One formatted issue of a failed decode: the `ParseResult.ArrayFormatter` path joined with `.`, and its message. */
export interface Issue {
  readonly path: string
  readonly message: string
}

/**
 * Decodes `input` expecting a `ParseError` (the effect fails with the decoded value if it succeeds), and returns
 * its `ParseResult.ArrayFormatter` issues.
 */
export const decodeIssues = <A, I>(
  schema: Schema.Schema<A, I>,
  input: unknown
): Effect.Effect<ReadonlyArray<Issue>, A> =>
  Schema.decodeUnknown(schema)(input, { errors: "all" }).pipe(
    Effect.flip,
    Effect.flatMap(ParseResult.ArrayFormatter.formatError),
    Effect.map((issues) => issues.map((issue) => ({ path: issue.path.map(String).join("."), message: issue.message })))
  )

/** The paths of the issues. */
export const paths = (issues: ReadonlyArray<Issue>): ReadonlyArray<string> => issues.map((issue) => issue.path)
