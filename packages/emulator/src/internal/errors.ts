/**
 * Error responses for catalog codes, in the shape and with the headers Venice sends (E1–E9, H1–H4, H7). The
 * code, status and message come from `ErrorCatalog.entries`; the shape of a code is derived from the catalog row
 * (see {@link shapeOf}); a scripted {@link Faults.ErrorFault} may override any part of it.
 */
import * as ErrorCatalog from "@venice-effect/venice/ErrorCatalog"
import * as Faults from "../Faults.js"
import type { WindowState } from "./limiters.js"
import * as Reply from "./reply.js"
import type { Settings } from "./state.js"
import * as X402 from "./x402.js"

/** What an error reply may depend on besides the fault. */
export interface ErrorEnv {
  readonly settings: Settings
  /** The public URL of the requested resource (x402 `resource.url`, SIWX `uri`). */
  readonly resourceUrl: string
  readonly nowMillis: number
  /** A fresh nonce for a SIWX challenge. */
  readonly nonce: string
  /** Route name: `crypto/rpc` uses the `X-RateLimit-*` family for `RATE_LIMIT_EXCEEDED`. */
  readonly route: string
  /** The error-budget window of the request's bucket. */
  readonly budget: WindowState
  /** The request window of the request's key and model (inference routes). */
  readonly requests: WindowState | undefined
  /** A signed-in wallet's balance (E7b). */
  readonly walletBalanceUsd: number | undefined
  /** How the Solana rail's network is spelled in x402 documents (default its CAIP-2 id). */
  readonly solanaNetwork?: X402.SolanaNetwork | undefined
}

const LOCKOUT_PREFIX = /^Too many failed attempts \(> \d+\) /

/** The lockout message for a threshold, with the catalog's wording after the number. */
export const lockoutMessage = (threshold: number): string =>
  `Too many failed attempts (> ${threshold}) ${
    ErrorCatalog.entry("FAILED_REQUESTS").message.replace(LOCKOUT_PREFIX, "")
  }`

/**
 * The body shape Venice uses for a code: the x402 402s (E7a/E7b), the validation failure (E2), the OpenAI-style
 * context overflow (E3), the content-policy 422 (E4), the 413 (E6), the video consent 409 (E9), the coded errors of
 * inference routes (`{ error, code }`: `X402_SIGN_IN_*`, `X402_CONCURRENCY_LIMIT`, `PAYMENT_HEADER_NOT_ACCEPTED`), and
 * the top-up errors (`{ error: CODE, message }`: every other upper-case code the skills add, except the error-budget
 * lockouts, which are plain messages). Everything else is the plain `{ error }` (E1).
 */
export const shapeOf = (code: ErrorCatalog.VeniceErrorCode): Faults.Shape => Faults.defaultShape(code)

/** H2 headers (`x-ratelimit-*-requests`, reset in Unix ms). */
export const requestHeaders = (state: WindowState): Record<string, string> => ({
  "x-ratelimit-limit-requests": String(state.limit),
  "x-ratelimit-remaining-requests": String(state.remaining),
  "x-ratelimit-reset-requests": String(state.reset)
})

/** H2 token headers. */
export const tokenHeaders = (state: WindowState): Record<string, string> => ({
  "x-ratelimit-limit-tokens": String(state.limit),
  "x-ratelimit-remaining-tokens": String(state.remaining),
  "x-ratelimit-reset-tokens": String(state.reset)
})

/** H3 headers (error budget, reset in Unix ms). */
export const budgetHeaders = (state: WindowState): Record<string, string> => ({
  "x-ratelimit-remaining": String(state.remaining),
  "x-ratelimit-resets": String(state.reset)
})

/** H4 headers (crypto RPC 429 only, reset in Unix seconds). */
export const rpcHeaders = (state: WindowState): Record<string, string> => ({
  "X-RateLimit-Limit": String(state.limit),
  "X-RateLimit-Remaining": String(state.remaining),
  "X-RateLimit-Reset": String(Math.ceil(state.reset / 1000))
})

const override = (state: WindowState, o: Faults.ErrorFault["rateLimit"]): WindowState => ({
  limit: o?.limit ?? state.limit,
  remaining: o?.remaining ?? state.remaining,
  reset: o?.reset ?? state.reset
})

const validationSample = {
  details: { _errors: [], messages: { _errors: ["Required"] } },
  issues: [{ code: "invalid_type", expected: "array", received: "undefined", path: ["messages"], message: "Required" }]
}

const defaultProviderMessage = (model: string | undefined) =>
  `The selected model provider rejected this request due to its content policies. Credits have been refunded.${
    model !== undefined ? ` Try using ${model} instead.` : ""
  }`

/** The reply for a catalog code (a scripted {@link Faults.ErrorFault}, or the emulator's own error). */
export const errorReply = (fault: Faults.ErrorFault, env: ErrorEnv): Reply.Reply => {
  const code = fault.code
  const row = ErrorCatalog.entry(code)
  const status = fault.status ?? row.status
  const shape = fault.shape ?? shapeOf(code)
  const isLockout = code === "FAILED_REQUESTS"
  const message = fault.message ??
    (isLockout ? lockoutMessage(env.settings.errorBudget.threshold) : row.message)
  const headers: Record<string, string> = {}
  let body: unknown

  switch (shape) {
    case "standard":
      body = {
        error: message,
        ...(fault.requestId !== undefined ? { request_id: fault.requestId } : {}),
        ...(fault.creditsRefunded !== undefined ? { credits_refunded: fault.creditsRefunded } : {}),
        ...(fault.details !== undefined ? { details: fault.details } : {})
      }
      break
    case "detailed":
      body = {
        error: message,
        details: fault.details ?? validationSample.details,
        issues: validationSample.issues
      }
      break
    case "openai":
      body = {
        error: {
          message,
          type: "invalid_request_error",
          param: code === "context_length_exceeded" ? "messages" : null,
          code
        },
        ...(fault.requestId !== undefined ? { request_id: fault.requestId } : {})
      }
      break
    case "content-violation":
      body = {
        error: message,
        ...(fault.suggestedPrompt !== undefined ? { suggested_prompt: fault.suggestedPrompt } : {})
      }
      break
    case "provider-content-policy":
      body = {
        error: {
          message: fault.message ?? defaultProviderMessage(fault.recommendedModel),
          type: "provider_content_policy",
          credits_refunded: fault.creditsRefunded ?? true,
          ...(fault.recommendedModel !== undefined ? { recommended_model: fault.recommendedModel } : {})
        }
      }
      break
    case "payload-too-large":
      body = { code: "PAYLOAD_TOO_LARGE", error: message }
      break
    case "x402-discovery": {
      const document = X402.discovery(env.settings.x402, {
        resourceUrl: env.resourceUrl,
        nowMillis: env.nowMillis,
        nonce: env.nonce,
        priced: !env.route.startsWith("x402/"),
        solanaNetwork: env.solanaNetwork
      })
      body = fault.message !== undefined ? { ...document.body, error: fault.message } : document.body
      headers["PAYMENT-REQUIRED"] = document.header
      break
    }
    case "x402-payment-required": {
      const document = X402.paymentRequired(env.settings.x402, {
        resourceUrl: env.resourceUrl,
        nowMillis: env.nowMillis,
        nonce: env.nonce,
        currentBalanceUsd: env.walletBalanceUsd ?? 0,
        message: fault.message,
        solanaNetwork: env.solanaNetwork
      })
      body = document.body
      headers["PAYMENT-REQUIRED"] = document.header
      break
    }
    case "coded":
      body = { error: message, code }
      break
    case "top-up":
      body = { error: code, message, ...(fault.details !== undefined ? { details: fault.details } : {}) }
      break
    case "consent":
      body = {
        error: { code: "needs_consent", message },
        consent_flow: "seedance",
        face_media_roles: ["image", "reference_image"],
        consent: {
          consent_version: "2025-09-01",
          policy_text:
            "By continuing you confirm you accept the provider's terms and privacy policy, have the legal right to use the submitted media, and acknowledge it may be screened."
        },
        docs_url: "https://docs.venice.ai/api-reference/endpoint/video/queue"
      }
      break
  }

  // family headers
  if (code === "MODEL_OVERLOADED") headers["Retry-After"] = String(fault.retryAfter ?? 30)
  if (code === "RATE_LIMIT_EXCEEDED") {
    if (env.route === "crypto/rpc") {
      // crypto RPC's family counts in Unix seconds, and so does its override
      const o = fault.rateLimit
      const reset = o?.reset !== undefined ? o.reset * 1000 : env.nowMillis + 60_000
      Object.assign(
        headers,
        rpcHeaders({ limit: o?.limit ?? env.settings.cryptoRpc.requestsPerMinute, remaining: o?.remaining ?? 0, reset })
      )
    } else {
      const base = env.requests ??
        { limit: 0, remaining: 0, reset: env.nowMillis + env.settings.rateLimit.windowMillis }
      Object.assign(headers, requestHeaders(override({ ...base, remaining: 0 }, fault.rateLimit)))
    }
  }
  if (code === "FAILED_REQUESTS" || code === "UNSUPPORTED_FEATURE_REQUESTS") {
    Object.assign(headers, budgetHeaders(override({ ...env.budget, remaining: 0 }, fault.rateLimit)))
  }
  if (code === "ENDPOINT_RETIRED") {
    headers["Deprecation"] = "true"
    headers["Link"] = "</api/v1/chat/completions>; rel=\"successor-version\""
  }
  if (fault.retryAfter !== undefined) headers["Retry-After"] = String(fault.retryAfter)
  if (fault.headers !== undefined) Object.assign(headers, fault.headers)

  // the no-credentials 402 is answered before the error budget is consulted: never counted
  return {
    status,
    headers,
    body: { _tag: "json", value: body },
    fault: `Error:${code}`,
    exempt: shape === "x402-discovery"
  }
}

/** The emulator's own error for a code (not scripted). */
export const codeReply = (
  code: ErrorCatalog.VeniceErrorCode,
  env: ErrorEnv,
  options: Omit<ConstructorParameters<typeof Faults.ErrorFault>[0], "code"> = {}
): Reply.Reply => {
  const { fault: _ignored, ...reply } = errorReply(new Faults.ErrorFault({ ...options, code }), env)
  return reply
}
