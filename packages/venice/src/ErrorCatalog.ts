/**
 * Venice's error codes as data (C1–C5): the 40 codes of Venice's error-code table, plus the codes the
 * official skills document beyond it (C3). One `const` table; the {@link VeniceErrorCode} type, the code
 * inference, the docs (`docs/errors.md`) and the emulator's responses are all derived from it.
 *
 * @since 0.1.0
 */
import type { CatalogLogLevel } from "@venice-effect/core/CatalogLogLevel"
import type { RetryClass } from "@venice-effect/core/RetryClass"
import * as Siwx from "@venice-effect/core/Siwx"
import * as Option from "effect/Option"

/**
 * Where a row comes from: `table` — Venice's error-code table (the seed); `skill` — the official Venice skills;
 * `sdk` — a condition Venice reports without a code, named by this SDK so it can be caught.
 *
 * @since 0.1.0
 * @category models
 */
export type Origin = "table" | "skill" | "sdk"

/**
 * One catalog row.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  /** The code as Venice names it (or as the SDK names a code-less condition, see `origin`). */
  readonly code: string
  /** The HTTP status Venice answers with. */
  readonly status: number
  /** Venice's canonical message (markdown links of the docs rendered as plain text). */
  readonly message: string
  /** The log level Venice's table assigns (`-` = debug). */
  readonly logLevel: CatalogLogLevel
  /** How the SDK retries it (design.md §4). */
  readonly retryClass: RetryClass
  /** One line for people: what to do. */
  readonly remedy: string
  /** Where the row comes from. */
  readonly origin: Origin
  /** Other messages Venice sends for the same code; a trailing `…` marks a prefix. */
  readonly altMessages?: ReadonlyArray<string>
  /** Other spellings of the code Venice sends in a `code` / `error` field. */
  readonly altCodes?: ReadonlyArray<string>
  /**
   * Messages at this status that name the condition in words Venice does not fix (a region, a credit cap): tried after
   * the exact messages and before the prefixes.
   */
  readonly patterns?: ReadonlyArray<RegExp>
}

const FAILED_ATTEMPTS_TAIL =
  "resulting in a non-success status code. Please wait 30 seconds and try again. See https://docs.venice.ai/api-reference/rate-limiting for more information."

/**
 * The catalog. Order: Venice's table first (its order), then the extra codes grouped by family.
 *
 * @since 0.1.0
 * @category catalog
 */
export const entries = [
  // ── Venice's error-code table (seed 000–002) ────────────────────────────────────────────────
  {
    code: "AUTHENTICATION_FAILED",
    status: 401,
    message: "Authentication failed",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the API key: it is unknown, expired or revoked. Retrying cannot help.",
    origin: "table"
  },
  {
    code: "AUTHENTICATION_FAILED_INACTIVE_KEY",
    status: 401,
    message:
      "Authentication failed - Pro subscription is inactive. Please upgrade your subscription to continue using the API",
    logLevel: "-",
    retryClass: "never",
    remedy: "Renew the Pro subscription of the account that owns this key.",
    origin: "table"
  },
  {
    code: "X402_INVALID_SIGN_IN",
    status: 401,
    message: "Invalid Sign-in-with-x signature",
    logLevel: "-",
    retryClass: "never",
    remedy: "Sign a fresh SIGN-IN-WITH-X header for this wallet; each header is good for one request.",
    origin: "table",
    altMessages: ["Sign-in-with-X authentication failed"]
  },
  {
    code: "PRO_ONLY_MODEL",
    status: 401,
    message: "This model is only available to Pro users",
    logLevel: "-",
    retryClass: "never",
    remedy: "Pick a model available on your plan, or upgrade to Pro.",
    origin: "table"
  },
  {
    code: "INSUFFICIENT_BALANCE",
    status: 402,
    message:
      "Insufficient USD or Diem balance to complete request. Visit https://venice.ai/settings/api to add credits.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Add credits at https://venice.ai/settings/api (API key), or top up the x402 wallet.",
    origin: "table",
    // the image routes' plain Bearer 402 (skills venice-image-generate, venice-image-edit §Errors)
    altMessages: ["Insufficient balance"]
  },
  {
    code: "API_KEY_DIEM_SPEND_LIMIT_EXCEEDED",
    status: 402,
    message:
      "API key DIEM spend limit exceeded. Your account may still have DIEM balance, but this API key has reached its configured DIEM spending limit.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Raise this key's DIEM consumption limit, or use another key.",
    origin: "table"
  },
  {
    code: "API_KEY_USD_SPEND_LIMIT_EXCEEDED",
    status: 402,
    message:
      "API key USD spend limit exceeded. Your account may still have USD balance, but this API key has reached its configured USD spending limit.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Raise this key's USD consumption limit, or use another key.",
    origin: "table"
  },
  {
    code: "UNAUTHORIZED",
    status: 403,
    message: "Unauthorized access",
    logLevel: "-",
    retryClass: "never",
    remedy: "The credentials are valid but not entitled to this resource; check the key's permissions.",
    origin: "table"
  },
  {
    code: "API_ACCESS_DISABLED",
    status: 403,
    message: "API access has been disabled for this account. Please contact support@venice.ai",
    logLevel: "-",
    retryClass: "never",
    remedy: "Contact support@venice.ai; the account's API access is disabled.",
    origin: "table"
  },
  {
    code: "X402_WALLET_MISMATCH",
    status: 403,
    message: "You can only access resources for your own wallet",
    logLevel: "-",
    retryClass: "never",
    remedy: "Sign in with the wallet named in the path (SIWX signer must equal the path wallet).",
    origin: "table",
    altMessages: ["You can only access …"]
  },
  {
    code: "INVALID_REQUEST",
    status: 400,
    message: "Invalid request parameters",
    logLevel: "-",
    retryClass: "never",
    remedy: "Fix the request (see the field errors); resending it unchanged only burns the error budget.",
    origin: "table",
    altMessages: [
      "Invalid request",
      "Invalid JSON request",
      "'Content-Type' must be 'application/json'",
      "model is required",
      "model must be a string"
    ]
  },
  {
    code: "INVALID_MODEL",
    status: 400,
    message: "Invalid model specified",
    logLevel: "-",
    retryClass: "never",
    remedy: "Use a model id from GET /models that supports this endpoint.",
    origin: "table"
  },
  {
    code: "REQUEST_ID_NOT_FOUND",
    status: 400,
    message: "Request ID is invalid.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the request / queue id; it is malformed or unknown.",
    origin: "table"
  },
  {
    code: "INVALID_AUDIO_FORMAT",
    status: 400,
    message: "Invalid audio format. Supported formats are WAV and MP3.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send WAV or MP3 audio.",
    origin: "table"
  },
  {
    code: "INVALID_VIDEO_FORMAT",
    status: 400,
    message: "Invalid video format. Supported formats include MP4, MOV, WebM, MKV, AVI, and others.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send a supported video container (MP4, MOV, WebM, MKV, AVI …).",
    origin: "table"
  },
  {
    code: "CORRUPTED_IMAGE",
    status: 400,
    message: "The image file is corrupted or unreadable",
    logLevel: "-",
    retryClass: "never",
    remedy: "Re-encode the image (PNG, JPEG or WebP) and send it again.",
    origin: "table"
  },
  {
    code: "IMAGE_TOO_SMALL",
    status: 400,
    message: "Image dimensions are too small",
    logLevel: "-",
    retryClass: "never",
    remedy: "Upscale the input image before sending it.",
    origin: "table"
  },
  {
    code: "TOO_MANY_TOKENS",
    status: 400,
    message: "Your request exceeds the model's maximum context. Please reduce your prompt or completion length.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Trim the prompt or lower max_completion_tokens, or pick a model with a larger context.",
    origin: "table"
  },
  {
    code: "CHARACTER_NOT_FOUND",
    status: 404,
    message: "No character could be found from the provided character_slug",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the character_slug (GET /characters lists them).",
    origin: "table"
  },
  {
    code: "MODEL_NOT_FOUND",
    status: 404,
    message: "Specified model not found",
    logLevel: "-",
    retryClass: "never",
    remedy: "Use a model id from GET /models; deprecated ids name their replacement in the message.",
    origin: "table"
  },
  {
    code: "MEDIA_NOT_FOUND",
    status: 404,
    message: "Media could not be found. Request may may be invalid, expired, or deleted.",
    logLevel: "-",
    retryClass: "never",
    remedy: "The media id is invalid, expired or deleted; generate it again.",
    origin: "table",
    // the docs page fixed the table's doubled word; Venice may send either
    altMessages: ["Media could not be found. Request may be invalid, expired, or deleted."]
  },
  {
    code: "PAYLOAD_TOO_LARGE",
    status: 413,
    message: "The request payload is too large. Please reduce the size of your request.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Shrink the upload: JSON bodies up to 35 MB, multipart files up to 25 MB.",
    origin: "table",
    altMessages: ["Request body exceeds the maximum allowed size.", "File exceeds the maximum allowed size…"]
  },
  {
    code: "INVALID_CONTENT_TYPE",
    status: 415,
    message: "Invalid request content-type",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send application/json (or multipart/form-data for uploads) without an unsupported encoding.",
    origin: "table",
    altMessages: ["Request encoding is not supported"]
  },
  {
    code: "VIDEO_DURATION_TOO_LONG",
    status: 422,
    message: "Video duration exceeds the maximum allowed.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Shorten the video or pick a shorter duration.",
    origin: "table"
  },
  {
    code: "VIDEO_DURATION_TOO_SHORT",
    status: 422,
    message: "Video duration is too short.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send a longer video or pick a longer duration.",
    origin: "table"
  },
  {
    code: "IMAGE_TOO_LARGE",
    status: 422,
    message: "Image dimensions exceed the maximum allowed.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Downscale the input image.",
    origin: "table"
  },
  {
    code: "CONTENT_POLICY_VIOLATION",
    status: 422,
    message: "Your prompt violates the content policy of Venice.ai or the model provider",
    logLevel: "-",
    retryClass: "modify-then-retry",
    remedy:
      "Change the prompt. When Venice offers a suggested_prompt, one retry with it is allowed if your consent policy says yes.",
    origin: "table",
    altMessages: ["Content policy violation", "Your input was blocked by content moderation."]
  },
  {
    code: "ASR_UPSTREAM_VALIDATION_FAILED",
    status: 422,
    message:
      "The audio could not be processed for transcription. Common causes: zero-length, silent, corrupt, or unsupported-language audio. Please verify the file and retry.",
    logLevel: "warn",
    retryClass: "never",
    remedy: "Check the audio file (length, silence, corruption, language) before sending it again.",
    origin: "table"
  },
  {
    code: "RATE_LIMIT_EXCEEDED",
    status: 429,
    message: "Rate limit exceeded",
    logLevel: "-",
    retryClass: "header-wait",
    remedy: "Wait for the reset the headers announce (x-ratelimit-reset-requests / Retry-After); pace requests.",
    origin: "table"
  },
  {
    code: "MODEL_OVERLOADED",
    status: 429,
    message: "The model is currently overloaded. Please try again later.",
    logLevel: "-",
    retryClass: "header-wait",
    remedy: "Wait Retry-After (default 30 s) or fall back to another model.",
    origin: "table",
    altCodes: ["model_overloaded"]
  },
  {
    code: "INFERENCE_FAILED",
    status: 500,
    message: "Inference processing failed",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; if it persists with large inputs, reduce max_tokens or the upload size.",
    origin: "table"
  },
  {
    code: "UPSCALE_FAILED",
    status: 500,
    message: "Image upscaling failed",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; if it persists, try another scale or image.",
    origin: "table"
  },
  {
    code: "IMAGE_EDIT_ERROR",
    status: 500,
    message: "Image edit failed",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; if it persists, simplify the edit or the image.",
    origin: "table"
  },
  {
    code: "UNKNOWN_ERROR",
    status: 500,
    message: "An unknown error occurred",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; quote the request id to Venice support if it persists.",
    origin: "table"
  },
  {
    code: "TEE_ATTESTATION_FAILED",
    status: 502,
    message:
      "TEE attestation request failed. The Trusted Execution Environment provider may be temporarily unavailable.",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; the TEE provider is temporarily unavailable.",
    origin: "table"
  },
  {
    code: "TEE_SIGNATURE_FAILED",
    status: 502,
    message: "TEE signature request failed. The Trusted Execution Environment provider may be temporarily unavailable.",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; the TEE provider is temporarily unavailable.",
    origin: "table"
  },
  {
    code: "ASR_UPSTREAM_FAILED",
    status: 502,
    message: "Audio transcription failed due to a temporary upstream error. Please retry.",
    logLevel: "warn",
    retryClass: "backoff",
    remedy: "Retried with backoff; the transcription upstream failed temporarily.",
    origin: "table"
  },
  {
    code: "MODEL_OFFLINE",
    status: 503,
    message: "The model is temporarily offline. Please try again later.",
    logLevel: "-",
    retryClass: "backoff",
    remedy: "Retried with backoff; give the call fallback models to keep going meanwhile.",
    origin: "table"
  },
  {
    code: "MODEL_AT_CAPACITY",
    status: 503,
    message: "The model is at capacity. Please try again later.",
    logLevel: "-",
    retryClass: "backoff",
    remedy: "Retried with backoff; give the call fallback models to keep going meanwhile.",
    origin: "table"
  },
  {
    code: "REQUEST_TIMEOUT",
    status: 504,
    message:
      "The request took too long to complete and was timed-out. For long-running inference requests, use the streaming API by setting `stream=true` in your request.",
    logLevel: "-",
    retryClass: "backoff",
    remedy: "Use stream: true for long generations (or a smaller request); non-streaming calls time out.",
    origin: "table"
  },

  // ── Error budget lockouts (skill: venice-errors §Error budget) ─────────────────────────────
  {
    code: "UNSUPPORTED_FEATURE_REQUESTS",
    status: 429,
    message: `Too many failed attempts (> 200) ${FAILED_ATTEMPTS_TAIL}`,
    logLevel: "warn",
    retryClass: "header-wait",
    remedy:
      "Locked out by the unsupported-feature budget (200 per 30 s): stop sending requests the model cannot serve.",
    origin: "skill",
    altMessages: ["Too many failed attempts (> 200)…"]
  },
  {
    code: "FAILED_REQUESTS",
    status: 429,
    message: `Too many failed attempts (> 50) ${FAILED_ATTEMPTS_TAIL}`,
    logLevel: "warn",
    retryClass: "header-wait",
    remedy: "Locked out by the failed-request budget (50 4xx per 30 s): wait for the reset and stop retrying 4xx.",
    origin: "skill",
    altMessages: ["Too many failed attempts…"]
  },

  // ── x402 wallets (skills: venice-auth, venice-x402) ─────────────────────────────────────────
  {
    code: "PAYMENT_REQUIRED",
    status: 402,
    message: "Payment required",
    logLevel: "-",
    retryClass: "pay-then-retry",
    remedy: "The wallet's credit is below $0.10: top up via /x402/top-up within your caps, then retry.",
    origin: "skill"
  },
  {
    code: "AUTHENTICATION_REQUIRED",
    status: 402,
    message: "Authentication required",
    logLevel: "-",
    retryClass: "never",
    remedy: "No credentials were sent: add Authorization: Bearer <key> or a SIGN-IN-WITH-X header.",
    origin: "sdk"
  },
  {
    code: "X402_CONCURRENCY_LIMIT",
    status: 429,
    message: "Too many concurrent requests",
    logLevel: "-",
    retryClass: "header-wait",
    remedy: "At most 5 requests in flight per wallet: limit concurrency (the client enforces it when configured).",
    origin: "skill"
  },
  {
    code: "PAYMENT_HEADER_NOT_ACCEPTED",
    status: 400,
    message: "Payment headers are only accepted on POST /api/v1/x402/top-up",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send payment headers only to /x402/top-up; authenticate inference with SIGN-IN-WITH-X.",
    origin: "skill"
  },
  // The sign-in failures a verifier can name come from core's SIWX module (one list, shared with the emulator);
  // nonce reuse is only knowable by the server.
  ...[...Siwx.signInFailureReasons, "NONCE_REUSED" as const].map((
    reason
  ) => ({
    code: `X402_SIGN_IN_${reason}` as const,
    status: 401,
    message: reason === "NONCE_REUSED" ? "Sign-in-with-X nonce has already been used" : Siwx.SignInFailure[reason],
    logLevel: "-" as const,
    retryClass: "never" as const,
    remedy: "Sign a new SIGN-IN-WITH-X header (fresh nonce and times) for every request; check clock and domain.",
    origin: "skill" as const
  })),
  ...([
    ["INVALID_PAYMENT_FORMAT", "The payment header is not a valid x402 payment payload"],
    ["INVALID_PAYMENT", "Invalid payment header"],
    ["UNSUPPORTED_NETWORK", "Payment network is not supported"],
    ["INVALID_PAYMENT_RECIPIENT", "Payment recipient does not match the requirements"],
    ["UNSUPPORTED_TOKEN", "Payment token is not supported"],
    ["UNSUPPORTED_SCHEME", "Payment scheme is not supported (only exact)"],
    ["INVALID_AMOUNT", "Payment amount is invalid"],
    ["INVALID_PAYMENT_PAYER", "Payment payer is invalid"],
    ["AMOUNT_TOO_LOW", "Top-up amount is below the $5 minimum"],
    ["AMOUNT_TOO_HIGH", "Top-up amount is above the $10,000 maximum"],
    ["PAYMENT_VERIFICATION_FAILED", "Payment verification failed"]
  ] as const).map(([code, message]) => ({
    code,
    status: 400,
    message,
    logLevel: "warn" as const,
    retryClass: "never" as const,
    remedy: "The signed payment was rejected: rebuild it from Venice's own 402 (payTo, asset, amount) and sign again.",
    origin: "skill" as const,
    ...(code === "INVALID_PAYMENT" ? { altCodes: ["X402_INVALID_PAYMENT"] } : {})
  })),
  {
    code: "SETTLEMENT_FAILED",
    status: 402,
    message: "Payment settlement failed",
    logLevel: "warn",
    retryClass: "backoff",
    remedy: "No funds moved; the top-up may be retried.",
    origin: "skill"
  },
  {
    code: "PAYMENT_IN_PROGRESS",
    status: 409,
    message: "Payment is already being processed",
    logLevel: "-",
    retryClass: "backoff",
    remedy: "The same payment is settling: wait briefly and check the balance; never sign a second payment for it.",
    origin: "skill"
  },
  {
    code: "SETTLEMENT_TIMEOUT",
    status: 504,
    message: "Payment settlement timed out",
    logLevel: "warn",
    retryClass: "never",
    remedy: "The transfer may still land: read /x402/balance before signing any new payment.",
    origin: "skill"
  },
  {
    code: "X402_NOT_CONFIGURED",
    status: 503,
    message: "x402 payments are temporarily unavailable",
    logLevel: "warn",
    retryClass: "backoff",
    remedy: "Payments are temporarily unavailable; retried with backoff.",
    origin: "skill"
  },

  // ── Other documented conditions ─────────────────────────────────────────────────────────────
  {
    code: "context_length_exceeded",
    status: 400,
    message: "Your request exceeds the model's maximum context. Please reduce your prompt or completion length.",
    logLevel: "-",
    retryClass: "never",
    remedy: "Trim the prompt or lower max_completion_tokens (OpenAI-style error; same condition as TOO_MANY_TOKENS).",
    origin: "skill"
  },
  {
    code: "PROVIDER_CONTENT_POLICY",
    status: 422,
    message:
      "The selected model provider rejected this request due to its content policies. Credits have been refunded.",
    logLevel: "-",
    retryClass: "never",
    remedy:
      "The provider refused the prompt; re-queue on the recommended model if one is named (credits are refunded).",
    origin: "sdk",
    altCodes: ["provider_content_policy"]
  },
  {
    code: "needs_consent",
    status: 409,
    message: "Additional consent is required before this request can be queued",
    logLevel: "-",
    retryClass: "never",
    remedy: "Read consent.policy_text and re-queue with the consents the response names.",
    origin: "skill"
  },
  {
    code: "ENDPOINT_RETIRED",
    status: 410,
    message: "This endpoint has been retired",
    logLevel: "warn",
    retryClass: "never",
    remedy: "Migrate to the replacement endpoint the message names (e.g. GET /billing/usage-history).",
    origin: "sdk"
  },
  {
    code: "MODEL_PRIVACY_RESTRICTED",
    status: 403,
    message:
      "This API key is set to 'PRIVATE_ONLY', but this model is an Anonymous model. Choose a Private, TEE, or E2EE model, or change the model privacy setting of this API key.",
    logLevel: "-",
    retryClass: "never",
    remedy:
      "The key's modelPrivacy forbids this model: pick a Private, TEE or E2EE model (GET /models with this key lists the allowed ones) or relax the key's modelPrivacy.",
    origin: "sdk",
    // skill venice-api-keys §modelPrivacy quotes the message with the key's setting and the model in it
    altMessages: ["This API key is set to …"]
  },
  {
    code: "MODEL_REGION_RESTRICTED",
    status: 403,
    message: "This model is not available in your region",
    logLevel: "-",
    retryClass: "never",
    remedy: "The model serves only the countries in its model_spec.regionRestrictions: pick another model.",
    origin: "sdk",
    // skills venice-errors §Status code map, venice-models: the 403 is documented, its wording is not
    patterns: [/\b(?:region|country|countries)\b/i]
  },
  {
    code: "FILE_TOO_LARGE",
    status: 400,
    message: "Maximum size is 25MB",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send a file of at most 25 MB (split or re-encode it); /audio/transcriptions answers 400 here, not 413.",
    origin: "sdk"
  },
  {
    code: "RPC_CREDIT_LIMIT_EXCEEDED",
    status: 429,
    message: "Rate limit exceeded: 10000000 credits per rolling 24 hours",
    logLevel: "warn",
    retryClass: "header-wait",
    remedy:
      "The crypto-RPC credit cap of the rolling 24 h window is spent: the call fails at once with the wait (WaitTooLongError) instead of sleeping; spread the calls or come back later.",
    origin: "sdk",
    // skill venice-crypto-rpc §Rate limits: the 429's customMessage names the cap that tripped
    patterns: [/^(?=[\s\S]*credit)(?=[\s\S]*(?:24|\bday|daily))/i]
  },
  {
    code: "ADMIN_API_KEY_REQUIRED",
    status: 401,
    message: "Admin API key required",
    logLevel: "-",
    retryClass: "never",
    remedy: "Use an ADMIN key for this route (an INFERENCE key cannot manage keys or read billing).",
    origin: "sdk"
  }
] as const satisfies ReadonlyArray<Entry>

/**
 * Every code the SDK knows, derived from {@link entries}.
 *
 * @since 0.1.0
 * @category models
 */
export type VeniceErrorCode = (typeof entries)[number]["code"]

/**
 * A code, or `"UNKNOWN"` when neither the body's `code` nor its message matched the catalog (C2).
 *
 * @since 0.1.0
 * @category models
 */
export type CodeOrUnknown = VeniceErrorCode | "UNKNOWN"

/**
 * Every code, in catalog order.
 *
 * @since 0.1.0
 * @category catalog
 */
export const codes: ReadonlyArray<VeniceErrorCode> = entries.map((e) => e.code)

/**
 * The 40 codes of Venice's error-code table.
 *
 * @since 0.1.0
 * @category catalog
 */
export const tableCodes: ReadonlyArray<VeniceErrorCode> = entries.filter((e) => e.origin === "table").map((e) => e.code)

/**
 * A catalog row with its code typed as a {@link VeniceErrorCode}.
 *
 * @since 0.2.0
 * @category models
 */
export interface Row extends Entry {
  readonly code: VeniceErrorCode
}

/** The rows, typed (a checked widening of the `const` table, no cast). */
const rows: ReadonlyArray<Row> = entries

const byCode: ReadonlyMap<string, Row> = new Map<string, Row>(
  rows.flatMap((e) => [[e.code, e] as const, ...(e.altCodes ?? []).map((alt) => [alt, e] as const)])
)

/**
 * Is this string a catalog code (or one of its alternative spellings)?
 *
 * @since 0.1.0
 * @category guards
 */
export const isCode = (code: string): boolean => byCode.has(code)

/**
 * The row of a code (or of an alternative spelling such as `X402_INVALID_PAYMENT`); `None` for an unknown code.
 *
 * @example
 * ```ts
 * import { ErrorCatalog } from "@venice-effect/venice"
 *
 * ErrorCatalog.find("MODEL_OVERLOADED") // Option.some({ status: 429, retryClass: "header-wait", … })
 * ```
 *
 * @since 0.2.0
 * @category lookups
 */
export const find = (code: string): Option.Option<Row> => Option.fromNullable(byCode.get(code))

/**
 * The row of a known code.
 *
 * @since 0.1.0
 * @category lookups
 */
export const entry = (code: VeniceErrorCode): Row =>
  // `!` holds: `byCode` is keyed by every row's code, and a `VeniceErrorCode` is one of them
  byCode.get(code)!

/** Message matchers at one status: exact messages, then prefixes (longest first). */
interface StatusIndex {
  readonly exact: ReadonlyMap<string, VeniceErrorCode>
  readonly patterns: ReadonlyArray<readonly [RegExp, VeniceErrorCode]>
  readonly prefixes: ReadonlyArray<readonly [string, VeniceErrorCode]>
}

const normalize = (message: string): string => message.replace(/\s+/g, " ").trim()

const indexes: ReadonlyMap<number, StatusIndex> = (() => {
  const out = new Map<
    number,
    {
      exact: Map<string, VeniceErrorCode>
      patterns: Array<[RegExp, VeniceErrorCode]>
      prefixes: Array<[string, VeniceErrorCode]>
    }
  >()
  for (const e of rows) {
    let index = out.get(e.status)
    if (index === undefined) {
      index = { exact: new Map(), patterns: [], prefixes: [] }
      out.set(e.status, index)
    }
    for (const pattern of e.patterns ?? []) index.patterns.push([pattern, e.code])
    for (const m of [e.message, ...(e.altMessages ?? [])]) {
      if (m.endsWith("…")) {
        index.prefixes.push([normalize(m.slice(0, -1)), e.code])
      } else {
        const n = normalize(m)
        // The first row wins an exact message (TOO_MANY_TOKENS before context_length_exceeded, whose message is the
        // same: that code is only ever inferred from an explicit `code` field).
        if (!index.exact.has(n)) index.exact.set(n, e.code)
        // Every message also matches as a prefix: Venice appends variable tails ("…: <model>", request ids).
        index.prefixes.push([n, e.code])
      }
    }
  }
  for (const index of out.values()) index.prefixes.sort((a, b) => b[0].length - a[0].length)
  return out
})()

/**
 * Codes whose status alone identifies them: every 410 is a retired endpoint.
 *
 * @since 0.1.0
 * @category catalog
 */
export const statusFallback: Readonly<Record<number, VeniceErrorCode>> = { 410: "ENDPOINT_RETIRED" }

/**
 * Infers the code of an error (C2): an explicit `code` first (with its alternative spellings); then the catalog
 * message at that status, exactly, then by a row's patterns, then as a prefix (for messages with a variable tail such
 * as "Specified model not found: foo"); then the status's own code where one status means one code (410); else
 * `"UNKNOWN"`.
 *
 * @since 0.1.0
 * @category inference
 */
export const infer = (
  status: number,
  evidence: { readonly code?: string | undefined; readonly message?: string | undefined }
): CodeOrUnknown => {
  if (evidence.code !== undefined) {
    const row = byCode.get(evidence.code)
    if (row !== undefined) return row.code
  }
  if (evidence.message !== undefined) {
    const index = indexes.get(status)
    if (index !== undefined) {
      const message = normalize(evidence.message)
      const exact = index.exact.get(message)
      if (exact !== undefined) return exact
      for (const [pattern, code] of index.patterns) {
        if (pattern.test(message)) return code
      }
      for (const [prefix, code] of index.prefixes) {
        if (message.startsWith(prefix)) return code
      }
    }
  }
  return statusFallback[status] ?? "UNKNOWN"
}
