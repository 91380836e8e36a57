/**
 * Novita AI's error codes (N1, N3; seed 004) as one plain `const` table. The code and group types, the
 * lookups, the error decoder, the docs and the emulator's responses all derive from {@link entries}: never retype
 * a code list.
 *
 * Novita publishes three tables — image / video / audio (`media`), LLM (`llm`) and billing (`billing`) — and some
 * codes appear in more than one of them (`INVALID_API_KEY`, `INVALID_REQUEST_BODY`, `RATE_LIMIT_EXCEEDED`). Those
 * are kept once per group, with that group's description and status: a row is identified by (code, group).
 *
 * @since 0.1.0
 */
import type * as CatalogLogLevel from "@venice-effect/core/CatalogLogLevel"
import type * as RetryClass from "@venice-effect/core/RetryClass"
import * as Arr from "effect/Array"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"

/**
 * The shape every catalog row satisfies.
 *
 * - `description` — the seed's Chinese text, verbatim (a test compares it to the seed file).
 * - `descriptionEn` — an English translation.
 * - `logLevel` — `-` for the caller's own 4xx and for rate limits (retried), `error` for server failures,
 *   `warn` for a temporarily unavailable service.
 * - `retryClass` — N3: rate limits and transient 5xx `backoff` (Novita sends no rate-limit headers, so never
 *   `header-wait`); auth, balance, permission, validation, content and not-found codes `never`.
 * - `remedy` — one line for people.
 *
 * @since 0.1.0
 * @category models
 */
export interface Entry {
  readonly code: string
  readonly group: string
  readonly status: number
  readonly description: string
  readonly descriptionEn: string
  readonly logLevel: CatalogLogLevel.CatalogLogLevel
  readonly retryClass: RetryClass.RetryClass
  readonly remedy: string
}

/**
 * Every row of the seed's three tables, in the seed's order.
 *
 * Retry classes of the 5xx rows:
 * - `BILLING_FAILED` (500, billing service error) — `backoff`: the billing service failed before the request was
 *   served, nothing was charged or produced; a later attempt may succeed.
 * - `CREATE_TASK_FAILED` (500) — `backoff`: the server says no task was created, so re-submitting cannot
 *   duplicate (or double-bill) a task.
 * - `GET_RESULT_FAILED` (500) — `backoff`: reading a task's result is idempotent; poll again.
 * - `TASK_FAILED` (500) — `never`: the outcome of a task that ran, not a transient fault of the request.
 *   Re-polling answers the same; re-submitting is a new (billed) task, which is the caller's decision.
 * - `SERVICE_NOT_AVAILABLE` (503) — `backoff`: the textbook transient failure.
 * - `UNKNOWN` (500, billing) — `backoff`: an unclassified server failure on a read-only billing query; a bounded
 *   number of retries is harmless (the same as any uncatalogued 5xx).
 * - `LIST_BILL_ERROR` (500, billing) — `backoff`: a failed read-only bill query; retrying a read is harmless and
 *   the retry budget is bounded ("contact us" applies once retries are exhausted).
 *
 * @since 0.1.0
 * @category catalog
 */
export const entries = [
  // 图片 / 视频 / 音频
  {
    code: "INVALID_REQUEST_BODY",
    group: "media",
    status: 400,
    description: "请求参数校验失败",
    descriptionEn: "Request parameter validation failed",
    logLevel: "-",
    retryClass: "never",
    remedy: "Fix the request parameters named in the message; resending the same request fails again."
  },
  {
    code: "IMAGE_FILE_EXCEEDS_MAX_SIZE",
    group: "media",
    status: 400,
    description: "图片大小超出限制",
    descriptionEn: "Image file size exceeds the limit",
    logLevel: "-",
    retryClass: "never",
    remedy: "Compress or downscale the image below the endpoint's file-size limit."
  },
  {
    code: "INVALID_IMAGE_FORMAT",
    group: "media",
    status: 400,
    description: "图片格式与要求不符",
    descriptionEn: "Image format does not match the requirements",
    logLevel: "-",
    retryClass: "never",
    remedy: "Convert the image to a format the endpoint accepts (see its docs, typically PNG, JPEG or WebP)."
  },
  {
    code: "IMAGE_EXCEEDS_MAX_RESOLUTION",
    group: "media",
    status: 400,
    description: "图片分辨率超出限制",
    descriptionEn: "Image resolution exceeds the limit",
    logLevel: "-",
    retryClass: "never",
    remedy: "Downscale the image to within the endpoint's maximum resolution."
  },
  {
    code: "INVALID_IMAGE_SIZE",
    group: "media",
    status: 400,
    description: "图片长或宽超出限制",
    descriptionEn: "Image width or height is out of the allowed range",
    logLevel: "-",
    retryClass: "never",
    remedy: "Resize the image so that both width and height are within the endpoint's limits."
  },
  {
    code: "API_NOT_FOUND",
    group: "media",
    status: 404,
    description: "API 不存在",
    descriptionEn: "The API does not exist",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the endpoint path and version against Novita's API reference."
  },
  {
    code: "IMAGE_NO_FACE_DETECTED",
    group: "media",
    status: 400,
    description: "未检测到人脸",
    descriptionEn: "No face detected",
    logLevel: "-",
    retryClass: "never",
    remedy: "Use an input image with a clearly visible face."
  },
  {
    code: "INVALID_CUSTOM_OUTPUT_PATH",
    group: "media",
    status: 400,
    description: "OSS 路径不合法",
    descriptionEn: "Invalid OSS (custom output) path",
    logLevel: "-",
    retryClass: "never",
    remedy: "Fix the custom output (OSS) path and bucket settings in the request."
  },
  {
    code: "ILLEGAL_PROMPT",
    group: "media",
    status: 400,
    description: "Prompt 含不适宜内容",
    descriptionEn: "The prompt contains inappropriate content",
    logLevel: "-",
    retryClass: "never",
    remedy: "Rewrite the prompt so that it complies with Novita's content policy."
  },
  {
    code: "ILLEGAL_IMAGE_CONTENT",
    group: "media",
    status: 400,
    description: "图片含不适宜内容",
    descriptionEn: "The image contains inappropriate content",
    logLevel: "-",
    retryClass: "never",
    remedy: "Use an input image that complies with Novita's content policy."
  },
  {
    code: "INVALID_AUDIO_FILE",
    group: "media",
    status: 400,
    description: "输入音频不合法",
    descriptionEn: "Invalid input audio",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the input audio's format, encoding and length."
  },
  {
    code: "BILLING_FAILED",
    group: "media",
    status: 500,
    description: "计费服务异常",
    descriptionEn: "Billing service error",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "A transient billing-service failure: retried with backoff; contact Novita support if it persists."
  },
  {
    code: "BILLING_AUTH_FAILED",
    group: "media",
    status: 403,
    description: "计费服务鉴权失败",
    descriptionEn: "Billing service authorization failed",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check that the API key's account may be billed for this API (valid key, account in good standing)."
  },
  {
    code: "BILLING_BALANCE_NOT_ENOUGH",
    group: "media",
    status: 400,
    description: "余额不足",
    descriptionEn: "Insufficient balance",
    logLevel: "-",
    retryClass: "never",
    remedy: "Top up the Novita account balance, then send the request again."
  },
  {
    code: "MISSING_API_KEY",
    group: "media",
    status: 400,
    description: "未提供 API Key",
    descriptionEn: "No API key provided",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send the API key as `Authorization: Bearer <key>`."
  },
  {
    code: "INVALID_API_KEY",
    group: "media",
    status: 403,
    description: "API Key 校验失败",
    descriptionEn: "API key validation failed",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the API key: mistyped, revoked, or from another account."
  },
  {
    code: "FEATURE_NOT_ALLOWED",
    group: "media",
    status: 403,
    description: "没有模型上传权限",
    descriptionEn: "No permission to upload models",
    logLevel: "-",
    retryClass: "never",
    remedy: "Ask Novita to enable model uploads for the account."
  },
  {
    code: "API_NOT_ALLOWED",
    group: "media",
    status: 403,
    description: "无权限使用该 API",
    descriptionEn: "No permission to use this API",
    logLevel: "-",
    retryClass: "never",
    remedy: "Request access to this API for the account in the Novita console or from support."
  },
  {
    code: "RATE_LIMIT_EXCEEDED",
    group: "media",
    status: 429,
    description: "触发频率控制限制",
    descriptionEn: "Rate limit triggered",
    logLevel: "-",
    retryClass: "backoff",
    remedy: "Retried with exponential backoff; lower the request rate or concurrency if it recurs."
  },
  {
    code: "NEED_REAL_NAME_VERIFY",
    group: "media",
    status: 403,
    description: "未完成企业认证",
    descriptionEn: "Enterprise verification not completed",
    logLevel: "-",
    retryClass: "never",
    remedy: "Complete the enterprise (real-name) verification in the Novita console."
  },
  {
    code: "CREATE_TASK_FAILED",
    group: "media",
    status: 500,
    description: "创建任务失败",
    descriptionEn: "Failed to create the task",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "No task was created: retried with backoff; contact Novita support if it persists."
  },
  {
    code: "TASK_NOT_FOUND",
    group: "media",
    status: 404,
    description: "任务不存在",
    descriptionEn: "The task does not exist",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the task_id (from the submit response, same account); old results may have expired."
  },
  {
    code: "GET_RESULT_FAILED",
    group: "media",
    status: 500,
    description: "获取任务结果失败",
    descriptionEn: "Failed to get the task result",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Fetching the result is idempotent: poll again after a backoff."
  },
  {
    code: "TASK_FAILED",
    group: "media",
    status: 500,
    description: "任务执行失败",
    descriptionEn: "Task execution failed",
    logLevel: "error",
    retryClass: "never",
    remedy: "The task itself failed: read the message, adjust the inputs and submit a new task if you want to."
  },
  // 大语言
  {
    code: "INVALID_API_KEY",
    group: "llm",
    status: 403,
    description: "未提供 API Key",
    descriptionEn: "No API key provided",
    logLevel: "-",
    retryClass: "never",
    remedy: "Send a valid API key as `Authorization: Bearer <key>`."
  },
  {
    code: "MODEL_NOT_FOUND",
    group: "llm",
    status: 404,
    description: "模型不存在",
    descriptionEn: "The model does not exist",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the model id against Novita's model list (GET /openai/v1/models)."
  },
  {
    code: "FAILED_TO_AUTH",
    group: "llm",
    status: 401,
    description: "认证失败",
    descriptionEn: "Authentication failed",
    logLevel: "-",
    retryClass: "never",
    remedy: "Check the API key and the `Authorization: Bearer <key>` header."
  },
  {
    code: "NOT_ENOUGH_BALANCE",
    group: "llm",
    status: 403,
    description: "余额不足",
    descriptionEn: "Insufficient balance",
    logLevel: "-",
    retryClass: "never",
    remedy: "Top up the Novita account balance, then send the request again."
  },
  {
    code: "INVALID_REQUEST_BODY",
    group: "llm",
    status: 400,
    description: "请求体格式错误，详见 message",
    descriptionEn: "Malformed request body; see the message for details",
    logLevel: "-",
    retryClass: "never",
    remedy: "Fix the request body as the error message describes."
  },
  {
    code: "RATE_LIMIT_EXCEEDED",
    group: "llm",
    status: 429,
    description: "请求过快，请稍后重试",
    descriptionEn: "Too many requests, please retry later",
    logLevel: "-",
    retryClass: "backoff",
    remedy: "Retried with exponential backoff; lower the request rate or concurrency if it recurs."
  },
  {
    code: "TOKEN_LIMIT_EXCEEDED",
    group: "llm",
    status: 429,
    description: "Token 数超限，请稍后重试",
    descriptionEn: "Token limit exceeded, please retry later",
    logLevel: "-",
    retryClass: "backoff",
    remedy:
      "Token-rate quota reached: retried with backoff; send fewer tokens per minute (smaller prompts, max_tokens)."
  },
  {
    code: "SERVICE_NOT_AVAILABLE",
    group: "llm",
    status: 503,
    description: "服务不可用",
    descriptionEn: "Service unavailable",
    logLevel: "warn",
    retryClass: "backoff",
    remedy: "Temporarily unavailable: retried with backoff; try another model if it persists."
  },
  {
    code: "ACCESS_DENY",
    group: "llm",
    status: 403,
    description: "无权限访问",
    descriptionEn: "Access denied",
    logLevel: "-",
    retryClass: "never",
    remedy: "The account or key may not use this model or route; check its permissions."
  },
  // 账单
  {
    code: "UNKNOWN",
    group: "billing",
    status: 500,
    description: "未知错误，请联系我们",
    descriptionEn: "Unknown error, please contact us",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; if it persists, contact Novita support with the request details."
  },
  {
    code: "LIST_BILL_TOO_FAST",
    group: "billing",
    status: 429,
    description: "请求过于频繁，请稍后重试",
    descriptionEn: "Requests too frequent, please retry later",
    logLevel: "-",
    retryClass: "backoff",
    remedy: "Retried with exponential backoff; query bills less often."
  },
  {
    code: "INVALID_PRODUCT_CATEGORY",
    group: "billing",
    status: 400,
    description: "productCategory 参数错误",
    descriptionEn: "Invalid productCategory parameter",
    logLevel: "-",
    retryClass: "never",
    remedy: "Pass a productCategory value that the billing API accepts."
  },
  {
    code: "INVALID_BILL_CYCLE",
    group: "billing",
    status: 400,
    description: "cycle 参数错误",
    descriptionEn: "Invalid cycle parameter",
    logLevel: "-",
    retryClass: "never",
    remedy: "Pass a cycle value that the billing API accepts."
  },
  {
    code: "LIST_BILL_ERROR",
    group: "billing",
    status: 500,
    description: "查询错误，请联系我们",
    descriptionEn: "Query error, please contact us",
    logLevel: "error",
    retryClass: "backoff",
    remedy: "Retried with backoff; if it persists, contact Novita support with the request details."
  }
] as const satisfies ReadonlyArray<Entry>

/**
 * One catalog row, precisely typed (its `code`, `group` and `status` are literals).
 *
 * @since 0.1.0
 * @category models
 */
export type Row = (typeof entries)[number]

/**
 * Every Novita error code of the catalog (`reason` in Novita's error body).
 *
 * @since 0.1.0
 * @category models
 */
export type NovitaErrorCode = Row["code"]

/**
 * The seed's three tables: `media` (图片 / 视频 / 音频), `llm` (大语言), `billing` (账单).
 *
 * @since 0.1.0
 * @category models
 */
export type NovitaErrorGroup = Row["group"]

/**
 * Every distinct code, in catalog order.
 *
 * @since 0.1.0
 * @category catalog
 */
export const codes: ReadonlyArray<NovitaErrorCode> = Arr.dedupe(entries.map((entry): NovitaErrorCode => entry.code))

/**
 * Every group, in catalog order.
 *
 * @since 0.1.0
 * @category catalog
 */
export const groups: ReadonlyArray<NovitaErrorGroup> = Arr.dedupe(
  entries.map((entry): NovitaErrorGroup => entry.group)
)

/**
 * The heading of each group's table in the seed, and an English title.
 *
 * @since 0.1.0
 * @category catalog
 */
export const groupTitles = {
  media: { title: "图片 / 视频 / 音频", titleEn: "Image / video / audio" },
  llm: { title: "大语言", titleEn: "Large language models" },
  billing: { title: "账单", titleEn: "Billing" }
} as const satisfies Record<NovitaErrorGroup, { readonly title: string; readonly titleEn: string }>

/**
 * Schema of a catalogued code.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NovitaErrorCode: Schema.Schema<NovitaErrorCode> = Schema.Literal(...codes)

/**
 * Schema of a group.
 *
 * @since 0.1.0
 * @category schemas
 */
export const NovitaErrorGroup: Schema.Schema<NovitaErrorGroup> = Schema.Literal(...groups)

const codeSet: ReadonlySet<string> = new Set(codes)

/**
 * Whether a value is a catalogued code.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isCode = (u: unknown): u is NovitaErrorCode => typeof u === "string" && codeSet.has(u)

const byCodeIndex: ReadonlyMap<string, ReadonlyArray<Row>> = new Map(
  codes.map((code) => [code, entries.filter((entry) => entry.code === code)])
)

/**
 * Every row with this code, in catalog order: one per group the code appears in; empty for an unknown code.
 *
 * @since 0.1.0
 * @category lookups
 */
export const byCode = (code: string): ReadonlyArray<Row> => byCodeIndex.get(code) ?? []

/**
 * The row of a code in a group.
 *
 * @example
 * ```ts
 * import { ErrorCatalog } from "@venice-effect/novita"
 *
 * ErrorCatalog.find("INVALID_API_KEY", "llm") // Option.some({ status: 403, description: "未提供 API Key", … })
 * ```
 *
 * @since 0.1.0
 * @category lookups
 */
export const find = (code: string, group: NovitaErrorGroup): Option.Option<Row> =>
  Arr.findFirst(byCode(code), (entry) => entry.group === group)

/**
 * The group a request path or URL belongs to, when it is recognisable: `/openai/…` → `llm`, a path segment
 * starting with `bill` (`/billing/…`, `/bill/list`) → `billing`, `/v3/async/…` → `media`.
 *
 * @since 0.1.0
 * @category lookups
 */
export const groupOfRoute = (route: string): Option.Option<NovitaErrorGroup> => {
  const path = pathOf(route)
  if (/(?:^|\/)openai(?:\/|$)/i.test(path)) return Option.some("llm")
  if (/(?:^|\/)bill/i.test(path)) return Option.some("billing")
  if (/(?:^|\/)v3\/async(?:\/|$)/i.test(path)) return Option.some("media")
  return Option.none()
}

const pathOf = (route: string): string => {
  const withoutOrigin = route.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, "")
  const end = withoutOrigin.search(/[?#]/)
  return end === -1 ? withoutOrigin : withoutOrigin.slice(0, end)
}

/**
 * The row a `reason` denotes (N2: reason first, status second). When the code exists in several groups, the
 * route's group wins, else the row whose status matches, else the first row. `None` for an unknown code.
 *
 * @since 0.1.0
 * @category lookups
 */
export const resolve = (
  code: string,
  hints: { readonly status?: number | undefined; readonly route?: string | undefined } = {}
): Option.Option<Row> => {
  const rows = byCode(code)
  if (rows.length <= 1) return Arr.head(rows)
  const routeGroup = hints.route === undefined ? Option.none() : groupOfRoute(hints.route)
  return Option.orElse(
    Option.flatMap(routeGroup, (group) => Arr.findFirst(rows, (row) => row.group === group)),
    () => Option.orElse(Arr.findFirst(rows, (row) => row.status === hints.status), () => Arr.head(rows))
  )
}
