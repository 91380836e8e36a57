/**
 * Request bodies of the routes that take JSON or multipart (image edits, uploads): the fields as one record, whatever
 * the encoding, so a route validates both with the same request schema.
 */
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import type { Ctx } from "../context.js"

/** How to read a text part: as text, a boolean (`"true"` / `"false"`) or a number. */
export type FieldKind = "text" | "boolean" | "number"

const coerce = (value: string, kind: FieldKind): unknown => {
  if (kind === "boolean") return value === "true" ? true : value === "false" ? false : value
  if (kind === "number") return value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value
  return value
}

/**
 * The fields of a request: the JSON object, or the multipart parts (files as `File`s, repeated fields — `repeated` —
 * as arrays, the others coerced per `kinds`). `undefined` when a multipart body cannot be parsed.
 */
export const fields = (
  ctx: Ctx,
  options: { readonly kinds?: Readonly<Record<string, FieldKind>>; readonly repeated?: ReadonlyArray<string> } = {}
): Effect.Effect<Readonly<Record<string, unknown>> | undefined> => {
  if (!ctx.contentType.includes("multipart/form-data")) {
    return Effect.succeed(Predicate.isRecord(ctx.body) ? ctx.body : undefined)
  }
  return Effect.tryPromise(() =>
    new Response(new Uint8Array(ctx.rawBody), { headers: { "content-type": ctx.contentType } }).formData()
  ).pipe(
    Effect.map((form) => {
      const out: Record<string, unknown> = {}
      for (const [name, value] of form.entries()) {
        const item = typeof value === "string" ? coerce(value, options.kinds?.[name] ?? "text") : value
        if (options.repeated?.includes(name)) {
          const list = out[name]
          out[name] = Array.isArray(list) ? [...list, item] : [item]
        } else {
          out[name] = item
        }
      }
      return out
    }),
    Effect.orElseSucceed(() => undefined)
  )
}

/** The files of a record (top-level values and array items). */
export const filesOf = (record: Readonly<Record<string, unknown>>): ReadonlyArray<Blob> =>
  Object.values(record).flatMap((value) => (Array.isArray(value) ? value : [value])).filter((v): v is Blob =>
    v instanceof Blob
  )
