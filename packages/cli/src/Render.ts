/**
 * Failures rendered for people: the code, Venice's message, the catalog's remedy, the correlation ids to quote to
 * support, and for validation errors the field tree. Never a secret: errors carry none.
 *
 * @since 0.1.0
 */
import * as ClientError from "@venice-effect/core/ClientError"
import * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as VeniceError from "@venice-effect/venice/VeniceError"

/**
 * Lines describing one failure.
 *
 * @since 0.1.0
 * @category rendering
 */
export const errorLines = (error: unknown): ReadonlyArray<string> => {
  if (VeniceError.isVeniceError(error)) {
    const head = `✗ ${error.status} ${error.code === "UNKNOWN" ? error.reportedCode ?? "UNKNOWN" : error.code} — ${error.message}`
    const fields = VeniceError.renderFieldErrors(error).map((line) => `    ${line}`)
    const ids = [
      error.requestId !== undefined ? `request id ${error.requestId}` : undefined,
      error.cfRay !== undefined ? `CF-RAY ${error.cfRay}` : undefined,
      error.correlationId !== undefined ? `correlation ${error.correlationId}` : undefined,
      error.attempt !== undefined ? `attempt ${error.attempt}` : undefined
    ].filter(Predicate.isNotUndefined)
    return [
      head,
      ...fields,
      `  what to do: ${VeniceError.remedy(error)}`,
      ...(ids.length > 0 ? [`  ${ids.join(" · ")}`] : [])
    ]
  }
  if (ClientError.isClientError(error)) {
    switch (error._tag) {
      case "RequestValidationError":
        return [`✗ invalid request (not sent)`, ...error.issues.map((i) => `    ${i}`)]
      case "WaitTooLongError":
        return [
          `✗ ${error.message}`,
          `  what to do: try again in ${Duration.format(error.wait)}, or raise the maximum wait`
        ]
      case "ErrorBudgetExhaustedError":
        return [`✗ ${error.message}`, "  what to do: fix the failing requests; Venice locks the key out after 50 in 30 s"]
      case "TransportError":
        return [`✗ ${error.message}`, `  what to do: check connectivity to ${error.url ?? "Venice"}; retried with backoff`]
      case "ResponseDecodeError":
        return [`✗ ${error.message}`, `  what to do: Venice sent an unexpected body; quote the request id to support`]
    }
  }
  if (Predicate.hasProperty(error, "message") && typeof error.message === "string") {
    const tag = Predicate.hasProperty(error, "_tag") ? `${String(error._tag)}: ` : ""
    return [`✗ ${tag}${error.message}`]
  }
  return [`✗ ${String(error)}`]
}

/**
 * A failure as JSON for scripts: tag, code, status, message, ids.
 *
 * @since 0.1.0
 * @category rendering
 */
export const errorJson = (error: unknown): Record<string, unknown> => {
  if (VeniceError.isVeniceError(error)) {
    return {
      error: error._tag,
      code: error.code,
      status: error.status,
      message: error.message,
      retryClass: VeniceError.retryClass(error),
      remedy: VeniceError.remedy(error),
      requestId: error.requestId,
      cfRay: error.cfRay,
      attempt: error.attempt,
      fields: VeniceError.renderFieldErrors(error)
    }
  }
  return {
    error: Predicate.hasProperty(error, "_tag") ? error._tag : "Error",
    message: Predicate.hasProperty(error, "message") ? error.message : String(error)
  }
}
