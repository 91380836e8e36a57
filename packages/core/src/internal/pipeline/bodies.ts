/**
 * Reading response bodies within bounds (B1): error bodies truncated, 2xx bodies refused above their limit, JSON
 * bodies parsed and decoded into typed failures. The public forms, with their documentation, are in `Pipeline`.
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as ClientError from "../../ClientError.js"
import * as ErrorBody from "../../ErrorBody.js"
import { describeTransport, transportReason } from "./transport.js"

/** See `Pipeline.readBounded`. */
export const readBounded = (
  response: HttpClientResponse.HttpClientResponse,
  limit: number,
  transport: (reason: ClientError.TransportReason, message: string) => ClientError.TransportError
): Effect.Effect<Uint8Array, ClientError.TransportError> =>
  response.stream.pipe(
    Stream.mapError((e) =>
      transport(transportReason(e.cause).reason, describeTransport("reset", "while reading the body"))
    ),
    Stream.runFoldWhile(
      { size: 0, chunks: Chunk.empty<Uint8Array>() },
      (acc) => acc.size < limit,
      (acc, chunk) => ({ size: acc.size + chunk.byteLength, chunks: Chunk.append(acc.chunks, chunk) })
    ),
    Effect.map(({ chunks, size }) => {
      const out = new Uint8Array(Math.min(size, limit))
      let offset = 0
      for (const chunk of chunks) {
        const take = Math.min(chunk.byteLength, out.byteLength - offset)
        out.set(take === chunk.byteLength ? chunk : chunk.subarray(0, take), offset)
        offset += take
        if (offset >= out.byteLength) break
      }
      return out
    })
  )

/** See `Pipeline.defaultMaxResponseBytes`. */
export const defaultMaxResponseBytes: { readonly json: number; readonly binary: number } = {
  json: 64 * 1024 * 1024,
  binary: 256 * 1024 * 1024
}

/** See `Pipeline.LimitedRead`. */
export interface LimitedRead {
  readonly provider: string
  readonly operation: string
  readonly facts: ClientError.CallFacts
  /** The bound, bytes. */
  readonly limit: number
  readonly requestId?: string | undefined
}

/** See `Pipeline.readLimited`. */
export const readLimited = (
  response: HttpClientResponse.HttpClientResponse,
  options: LimitedRead
): Effect.Effect<Uint8Array, ClientError.ResponseTooLargeError | ClientError.TransportError> => {
  const declared = Number(response.headers["content-length"])
  const tooLarge = (received: number | undefined) =>
    new ClientError.ResponseTooLargeError({
      provider: options.provider,
      ...options.facts,
      status: response.status,
      operation: options.operation,
      limit: options.limit,
      ...(received !== undefined ? { received } : {}),
      ...(Number.isFinite(declared) ? { declared } : {}),
      ...(options.requestId !== undefined ? { requestId: options.requestId } : {}),
      message: `${options.provider} ${options.operation}: the response body is larger than ${options.limit} bytes (${
        received === undefined ? `Content-Length ${declared}` : `${received} bytes read, then stopped`
      }); not read further, not retried`
    })
  const transport = (cause: unknown) =>
    new ClientError.TransportError({
      provider: options.provider,
      ...options.facts,
      reason: transportReason(cause).reason === "protocol" ? "protocol" : "reset",
      message: `${options.provider} ${options.operation}: ${
        describeTransport("reset", "while reading the response body")
      }`,
      maybeDelivered: true
    })
  if (Number.isFinite(declared) && declared > options.limit) {
    // announced too large: take one chunk at most, so the body is released rather than left on the socket
    return Effect.zipRight(Effect.ignore(Stream.runHead(response.stream)), Effect.fail(tooLarge(undefined)))
  }
  if (Number.isFinite(declared) && isIdentity(response.headers["content-encoding"])) {
    // announced within the bound and not encoded: the transport reads exactly `declared` bytes (a longer body is a
    // protocol error, a shorter one a reset), so the body is read in one step instead of folded chunk by chunk
    return Effect.mapError(
      Effect.map(response.arrayBuffer, (buffer) => new Uint8Array(buffer)),
      (e) => transport(e.cause)
    )
  }
  return response.stream.pipe(
    Stream.mapError((e) => transport(e.cause)),
    Stream.runFoldWhile(
      // types the empty array (`[]` alone would infer never[])
      { size: 0, chunks: [] as Array<Uint8Array> },
      (acc) => acc.size <= options.limit,
      (acc, chunk) => {
        acc.size += chunk.byteLength
        acc.chunks.push(chunk)
        return acc
      }
    ),
    Effect.flatMap(({ chunks, size }) => {
      if (size > options.limit) return Effect.fail(tooLarge(size))
      // a plain Uint8Array view (not the transport's Buffer subclass) of the one chunk
      // one chunk: `chunks[0]` exists
      if (chunks.length === 1) return Effect.succeed(new Uint8Array(chunks[0]!.buffer, chunks[0]!.byteOffset, size))
      const out = new Uint8Array(size)
      let offset = 0
      for (const chunk of chunks) {
        out.set(chunk, offset)
        offset += chunk.byteLength
      }
      return Effect.succeed(out)
    })
  )
}

/** No `Content-Encoding`, or `identity`: the bytes read are the bytes announced. */
const isIdentity = (encoding: string | undefined): boolean =>
  encoding === undefined || encoding === "" || encoding.trim().toLowerCase() === "identity"

const utf8 = new TextDecoder("utf-8")

/** See `Pipeline.decodeJsonBody`. */
export const decodeJsonBody = <A>(
  providerName: string,
  operation: string,
  response: HttpClientResponse.HttpClientResponse,
  facts: ClientError.CallFacts,
  decode: (
    u: unknown
  ) => Option.Option<A> | { readonly _tag: "Left"; readonly left: string } | {
    readonly _tag: "Right"
    readonly right: A
  },
  requestId?: string | undefined,
  options?: { readonly maxBytes?: number | undefined }
): Effect.Effect<A, ClientError.ResponseDecodeError | ClientError.ResponseTooLargeError | ClientError.TransportError> =>
  Effect.gen(function*() {
    const bytes = yield* readLimited(response, {
      provider: providerName,
      operation,
      facts,
      limit: options?.maxBytes ?? defaultMaxResponseBytes.json,
      requestId
    })
    const text = utf8.decode(bytes)
    const fail = (message: string) =>
      new ClientError.ResponseDecodeError({
        provider: providerName,
        ...facts,
        status: response.status,
        operation,
        message: `${providerName} ${operation}: ${message}`,
        raw: ErrorBody.bound(text),
        ...(requestId !== undefined ? { requestId } : {})
      })
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch {
      return yield* fail(text.length === 0 ? "empty response body" : "response body is not valid JSON (truncated?)")
    }
    const result = decode(json)
    if (Option.isOption(result)) {
      if (Option.isSome(result)) return result.value
      return yield* fail("response body does not match the expected schema")
    }
    if (result._tag === "Right") return result.right
    return yield* fail(`response body does not match the expected schema: ${result.left}`)
  })
