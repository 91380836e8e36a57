/**
 * Transport failures: what a `@effect/platform` `RequestError` / `ResponseError` means (undici and fetch causes
 * alike), and how it reads in an error message.
 */
import * as Predicate from "effect/Predicate"
import type * as ClientError from "../../ClientError.js"

const REFUSED = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "UND_ERR_CONNECT_TIMEOUT",
  "ECONNABORTED"
])
const PROTOCOL = /^HPE_|^UND_ERR_(INVALID|RESPONSE|HEADERS_OVERFLOW|BODY_TIMEOUT_X)/

const errorCodes = (cause: unknown): ReadonlyArray<string> => {
  const codes: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 6 && Predicate.isObject(current); depth++) {
    if (Predicate.hasProperty(current, "code") && typeof current.code === "string") codes.push(current.code)
    current = Predicate.hasProperty(current, "cause") ? current.cause : undefined
  }
  return codes
}

/** See `Pipeline.transportReason`. */
export const transportReason = (
  cause: unknown
): { readonly reason: ClientError.TransportReason; readonly maybeDelivered: boolean } => {
  const codes = errorCodes(cause)
  if (codes.some((c) => REFUSED.has(c))) return { reason: "refused", maybeDelivered: false }
  if (codes.some((c) => PROTOCOL.test(c))) return { reason: "protocol", maybeDelivered: true }
  return { reason: "reset", maybeDelivered: true }
}

/** `<what happened> <when>`, e.g. `connection reset while reading the body`. */
export const describeTransport = (reason: ClientError.TransportReason, when: string): string => {
  switch (reason) {
    case "refused":
      return `connection refused or unreachable ${when}`
    case "reset":
      return `connection reset ${when}`
    case "timeout":
      return `no response ${when}`
    case "protocol":
      return `malformed HTTP response ${when}`
    case "body-too-large":
      return `response body too large ${when}`
  }
}
