// docs/handling-errors.md: the facts every Venice error carries, and the field tree of a validation error.
import { VeniceError } from "@venice-effect/venice"
import { Effect } from "effect"

export const report = (e: VeniceError.VeniceError) =>
  Effect.logWarning(e.message).pipe(
    Effect.annotateLogs({
      status: e.status, // HTTP status
      code: e.code, // catalog code, or "UNKNOWN" (then e.reportedCode holds what Venice sent, if anything)
      requestId: e.requestId, // X-Request-ID or body request_id: quote it to Venice support
      cfRay: e.cfRay,
      correlationId: e.correlationId, // the client's own id, sent as x-client-correlation-id
      attempt: e.attempt,
      url: e.url, // no secrets: keys and signatures never reach an error
      retryAfter: e.retryAfter // what Venice announced (Retry-After, body retry_after, or a reset header)
    })
  )

// A 400 from a schema check: `details` is Zod's format() tree, normalised to { errors, fields }.
export const fieldLines = (e: VeniceError.VeniceValidationError): ReadonlyArray<string> => {
  const out: Array<string> = []
  const walk = (node: VeniceError.FieldErrors, path: ReadonlyArray<string>) => {
    for (const message of node.errors) out.push(`${path.join(".") || "(root)"}: ${message}`)
    for (const [field, child] of Object.entries(node.fields)) walk(child, [...path, field])
  }
  if (typeof e.details === "object") walk(e.details, [])
  return out // VeniceError.renderFieldErrors(e) does this, plus a plain-string `details` and the flat `issues`
}
