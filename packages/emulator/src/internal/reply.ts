/**
 * What a route answers, before it becomes an `HttpServerResponse`: a status, headers and a body, or a raw transport
 * action on the Node response (a reset, a stall, a cut body). Keeping the answer as data lets the server add
 * Venice's common headers, count it against the limiters and apply scripted faults to it in one place.
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"

/** A response body. */
export type Body =
  | { readonly _tag: "json"; readonly value: unknown }
  | { readonly _tag: "bytes"; readonly value: Uint8Array; readonly contentType: string }
  | { readonly _tag: "text"; readonly value: string; readonly contentType: string }
  | { readonly _tag: "empty" }
  | {
    readonly _tag: "stream"
    readonly contentType: string
    readonly stream: Stream.Stream<Uint8Array>
    readonly contentLength?: number | undefined
  }
  /** A transport action on the raw Node response; it never returns (the socket's close interrupts it). */
  | { readonly _tag: "raw"; readonly run: (response: Http.ServerResponse) => Effect.Effect<never> }

/** A route's answer. */
export interface Reply {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Body
  /** Not counted against the error budget (no-credentials 402, content-type / invalid JSON 400, 413). */
  readonly exempt?: boolean | undefined
  /** The scripted fault that produced or changed it (for the stats). */
  readonly fault?: string | undefined
}

/** A JSON reply. */
export const json = (status: number, value: unknown, headers: Readonly<Record<string, string>> = {}): Reply => ({
  status,
  headers,
  body: { _tag: "json", value }
})

/** `{ error: message }` (E1). */
export const standard = (status: number, message: string, headers: Readonly<Record<string, string>> = {}): Reply =>
  json(status, { error: message }, headers)

const encoder = new TextEncoder()

/** UTF-8 bytes of a string. */
export const utf8 = (text: string): Uint8Array => encoder.encode(text)

const JSON_TYPE = "application/json; charset=utf-8"

/** The body as bytes with its content type, when it has a fixed size. */
export const bodyBytes = (
  body: Body
): { readonly bytes: Uint8Array; readonly contentType: string | undefined } | undefined => {
  switch (body._tag) {
    case "json":
      return { bytes: utf8(JSON.stringify(body.value)), contentType: JSON_TYPE }
    case "bytes":
      return { bytes: body.value, contentType: body.contentType }
    case "text":
      return { bytes: utf8(body.value), contentType: body.contentType }
    case "empty":
      return { bytes: new Uint8Array(0), contentType: undefined }
    default:
      return undefined
  }
}

/** Renders a reply (raw replies run against the Node response and never return). */
export const render = (
  reply: Reply,
  response: () => Http.ServerResponse
): Effect.Effect<HttpServerResponse.HttpServerResponse> => {
  const options = { status: reply.status, headers: reply.headers }
  const body = reply.body
  switch (body._tag) {
    case "json":
      return Effect.succeed(HttpServerResponse.text(JSON.stringify(body.value), { ...options, contentType: JSON_TYPE }))
    case "text":
      return Effect.succeed(HttpServerResponse.text(body.value, { ...options, contentType: body.contentType }))
    case "bytes":
      return Effect.succeed(HttpServerResponse.uint8Array(body.value, { ...options, contentType: body.contentType }))
    case "empty":
      return Effect.succeed(HttpServerResponse.empty(options))
    case "stream":
      return Effect.succeed(
        HttpServerResponse.stream(body.stream, {
          ...options,
          contentType: body.contentType,
          ...(body.contentLength !== undefined ? { contentLength: body.contentLength } : {})
        })
      )
    case "raw":
      return Effect.suspend(() => body.run(response()))
  }
}

// ─── transport actions ───────────────────────────────────────────────────────────────────────────

/**
 * Resets the connection (TCP RST) once the bytes already written have left the process, after a short real-time
 * pause so the peer can read them (a RST may otherwise discard unread data). Never returns: closing the socket
 * interrupts the request fiber.
 */
export const resetConnection = (response: Http.ServerResponse): Effect.Effect<never> =>
  Effect.async<never>(() => {
    const socket = response.socket
    if (socket === null || socket.destroyed) return
    socket.write(new Uint8Array(0), () => {
      setTimeout(() => {
        if (!socket.destroyed) socket.resetAndDestroy()
      }, 15)
    })
  })

/** Closes the connection gracefully (FIN) once the bytes written have left. Never returns. */
export const closeConnection = (response: Http.ServerResponse): Effect.Effect<never> =>
  Effect.async<never>(() => {
    const socket = response.socket
    if (socket === null || socket.destroyed) return
    socket.end()
  })

/**
 * Writes the status, the headers (with `content-length` of the full body when known) and the first bytes of a
 * body, then resets the connection.
 */
export const writeThenReset = (
  status: number,
  headers: Readonly<Record<string, string>>,
  bytes: Uint8Array
): (response: Http.ServerResponse) => Effect.Effect<never> =>
(response) =>
  Effect.suspend(() => {
    response.writeHead(status, headers)
    response.write(bytes)
    return resetConnection(response)
  })

/** Never answers (the client's abort or the emulator's shutdown closes the socket and interrupts). */
export const stall: (response: Http.ServerResponse) => Effect.Effect<never> = () => Effect.never

/** A stream that resets the connection when reached. */
export const resetStream = (response: () => Http.ServerResponse): Stream.Stream<never> =>
  Stream.fromEffect(Effect.suspend(() => resetConnection(response())))

/** A stream that closes the connection (FIN) when reached. */
export const closeStream = (response: () => Http.ServerResponse): Stream.Stream<never> =>
  Stream.fromEffect(Effect.suspend(() => closeConnection(response())))
