import type * as ClientError from "@venice-effect/core/ClientError"
import * as Pipeline from "@venice-effect/core/Pipeline"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Jobs from "../Jobs.js"
import type * as ResponseMeta from "../ResponseMeta.js"
import type * as VeniceClient from "../VeniceClient.js"

/** A binary answer: the bytes, their content type and the response's header facts. */
export interface Binary {
  readonly bytes: Uint8Array
  readonly contentType: string
  readonly meta: ResponseMeta.ResponseMeta
}

const isBlob = (u: unknown): u is Blob => typeof Blob !== "undefined" && u instanceof Blob

/** Whether a request carries a file (a `Blob`, alone or in an array): then it goes as `multipart/form-data`. */
export const hasFile = (request: Readonly<Record<string, unknown>>): boolean =>
  Object.values(request).some((value) => isBlob(value) || (Array.isArray(value) && value.some(isBlob)))

const fileName = (blob: Blob, fallback: string): string =>
  typeof File !== "undefined" && blob instanceof File && blob.name.length > 0 ? blob.name : fallback

/**
 * A request as multipart form data: files as file parts (their name, else the field's), arrays as repeated fields in
 * order, `null` / `undefined` left out, everything else as text.
 */
export const toFormData = (request: Readonly<Record<string, unknown>>): FormData => {
  const form = new FormData()
  const append = (field: string, value: unknown) => {
    if (value === undefined || value === null) return
    if (isBlob(value)) form.append(field, value, fileName(value, field))
    else form.append(field, typeof value === "string" ? value : JSON.stringify(value))
  }
  for (const [field, value] of Object.entries(request)) {
    if (Array.isArray(value)) { for (const item of value) append(field, item) }
    else append(field, value)
  }
  return form
}

/** The request body: multipart when it carries a file, JSON otherwise. */
export const bodyOf = (request: Readonly<Record<string, unknown>>): VeniceClient.RequestSpec["body"] =>
  hasFile(request) ? { _tag: "form", value: toFormData(request) } : { _tag: "json", value: request }

/**
 * Reads a binary success body within the call's binary bound (`ResponseTooLargeError` above it). A JSON body where
 * bytes were promised is a decode error (the call was answered, not retried); a body cut short is a transport error.
 */
export const readBinary = (
  operation: string,
  raw: VeniceClient.RawResponse
): Effect.Effect<
  Binary,
  ClientError.ResponseDecodeError | ClientError.ResponseTooLargeError | ClientError.TransportError
> => {
  const contentType = raw.response.headers["content-type"] ?? "application/octet-stream"
  if (/\bjson\b/i.test(contentType)) {
    return Pipeline.decodeJsonBody<never>(
      "venice",
      operation,
      raw.response,
      raw.facts,
      (u) => ({
        _tag: "Left",
        left: `a JSON body where binary media was expected (${describe(u)})`
      }),
      raw.response.headers["x-request-id"],
      { maxBytes: raw.maxBytes.json }
    )
  }
  return Effect.map(Jobs.readBytes(operation, raw.response, raw.facts, raw.maxBytes.binary), (bytes): Binary => ({
    bytes,
    contentType,
    meta: raw.meta
  }))
}

const describe = (u: unknown): string =>
  Predicate.isRecord(u) ? `keys ${Object.keys(u).slice(0, 5).join(", ")}` : typeof u
