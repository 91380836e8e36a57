/**
 * The Novita emulator's HTTP app: the routes, the request pipeline (faults → key → window → balance → route), the
 * finishing (request id, post-response faults, the log), the admin routes and the plain-text 404. Replies, transport
 * actions and post-response faults are the Venice emulator's (`../reply.js`, `applyPostFault`); token counting is
 * shared too (`../content.js`).
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as ErrorCatalog from "@venice-effect/novita/ErrorCatalog"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import type * as Http from "node:http"
import type * as Faults from "../../Faults.js"
import { type Fault, Script, type TaskFailure } from "../../NovitaFaults.js"
import { countTokens, textOf } from "../content.js"
import * as Reply from "../reply.js"
import { applyPostFault, hex } from "../server.js"
import { hashKey, labelOfHash } from "../state.js"
import * as Tools from "../tools.js"
import { type KeyRecord, type LogEntry, type Settings, type State, type Task, taskResult } from "./state.js"
import { chatStream, type Completion, completionObject, tokens } from "./streams.js"

/** The emulator as the routes see it. */
export interface Env {
  readonly state: State
  readonly settings: Settings
  /** `http://host:port`. */
  readonly origin: string
}

type Group = ErrorCatalog.NovitaErrorGroup
type Code = ErrorCatalog.NovitaErrorCode

// ─── replies ─────────────────────────────────────────────────────────────────────────────────────

/** Options of {@link errorReply}. */
interface ErrorOptions {
  readonly group?: Group | undefined
  readonly status?: number | undefined
  readonly message?: string | undefined
  readonly metadata?: Readonly<Record<string, unknown>> | undefined
  readonly retryAfter?: number | string | undefined
  readonly headers?: Readonly<Record<string, string>> | undefined
}

/** A catalog row as Novita answers it: `{code: <status>, reason, message, metadata}`. */
export const errorReply = (code: Code, routeGroup: Group, options: ErrorOptions = {}): Reply.Reply => {
  const rows = ErrorCatalog.byCode(code)
  const wanted = options.group ?? routeGroup
  const row = rows.find((r) => r.group === wanted) ?? rows[0]! // every code of the catalog has a row
  const status = options.status ?? row.status
  return {
    status,
    headers: {
      ...(options.retryAfter !== undefined ? { "retry-after": String(options.retryAfter) } : {}),
      ...options.headers
    },
    body: {
      _tag: "json",
      value: {
        code: status,
        reason: code,
        message: options.message ?? row.descriptionEn,
        metadata: options.metadata ?? {}
      }
    }
  }
}

const invalidBody = (group: Group, message: string): Reply.Reply =>
  errorReply("INVALID_REQUEST_BODY", group, { message })

const gatewayPage = (status: number): Reply.Reply => ({
  status,
  headers: { server: "nginx" },
  body: {
    _tag: "text",
    contentType: "text/html; charset=utf-8",
    value:
      `<html>\r\n<head><title>${status} Bad Gateway</title></head>\r\n<body>\r\n<center><h1>${status} Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
  }
})

const rawReply = (run: (response: Http.ServerResponse) => Effect.Effect<never>, fault: string): Reply.Reply => ({
  status: 0,
  headers: {},
  body: { _tag: "raw", run },
  fault
})

// ─── routes ──────────────────────────────────────────────────────────────────────────────────────

/** What a route handler sees. */
interface Ctx {
  readonly env: Env
  readonly body: unknown
  readonly search: URLSearchParams
  readonly params: Readonly<Record<string, string | undefined>>
  readonly now: number
  readonly key: KeyRecord
  readonly streamFault: Faults.StreamFault | undefined
  readonly taskFault: TaskFailure | undefined
  readonly response: () => Http.ServerResponse
  /** Records the task the request created or read (for the log). */
  readonly noteTask: (id: string) => void
}

interface RouteSpec {
  /** The name in the log and in fault matches. */
  readonly name: string
  readonly method: "GET" | "POST"
  readonly path: `/${string}`
  /** The catalog table of the route's errors. */
  readonly group: Group
  readonly body: "json" | "none"
  readonly streaming?: ((body: unknown) => boolean) | undefined
  /** A billed task submission (`TaskFailure` faults match only these). */
  readonly submission?: boolean | undefined
  readonly modelOf?: ((body: unknown) => string | undefined) | undefined
  readonly handle: (ctx: Ctx) => Effect.Effect<Reply.Reply>
}

const str = (u: unknown): string | undefined => (typeof u === "string" && u.length > 0 ? u : undefined)

const charge = (key: KeyRecord, usd: number): void => {
  key.balanceUsd = Math.round((key.balanceUsd - usd) * 1e8) / 1e8
}

const chat: RouteSpec = {
  name: "chat/completions",
  method: "POST",
  path: "/openai/v1/chat/completions",
  group: "llm",
  body: "json",
  streaming: (body) => Predicate.isRecord(body) && body.stream === true,
  modelOf: (body) => (Predicate.isRecord(body) ? str(body.model) : undefined),
  handle: (ctx) =>
    Effect.gen(function*() {
      const body = ctx.body
      if (!Predicate.isRecord(body)) return invalidBody("llm", "request body must be a JSON object")
      const model = str(body.model)
      if (model === undefined) return invalidBody("llm", "model: field is required")
      if (!Array.isArray(body.messages) || body.messages.length === 0) {
        return invalidBody("llm", "messages: must be a non-empty array")
      }
      const badMessage = body.messages.findIndex((m) => !Predicate.isRecord(m) || typeof m.role !== "string")
      if (badMessage >= 0) return invalidBody("llm", `messages[${badMessage}].role: field is required`)
      if (!ctx.env.settings.models.includes(model)) {
        return errorReply("MODEL_NOT_FOUND", "llm", { message: `model not found: ${model}` })
      }
      const configured = ctx.env.settings.stream.tokens
      const max = typeof body.max_tokens === "number" && body.max_tokens > 0 ? Math.floor(body.max_tokens) : undefined
      const count = max === undefined ? configured : Math.min(max, configured)
      const promptTokens = countTokens(textOf(body.messages))
      // tools and structured output: the Venice emulator's deterministic answers (internal/tools.ts)
      const answer = Tools.answer(body, { violate: false })
      const toolCalls: Array<{ id: string; name: string; arguments: ReadonlyArray<string> }> = []
      if (answer._tag === "tool-calls") {
        for (const call of answer.calls) {
          toolCalls.push({ id: `call_${yield* hex(24)}`, name: call.name, arguments: Tools.pieces(call.arguments, 12) })
        }
      }
      const answered = answer._tag === "json" ?
        Tools.pieces(answer.text, 8)
        : answer._tag === "tool-answer" ?
        Tools.words(answer.text)
        : answer._tag === "tool-calls" ?
        []
        : tokens(count)
      const completionTokens = answered.length + toolCalls.reduce((n, c) => n + countTokens(c.arguments.join("")), 0)
      const completion: Completion = {
        id: `chatcmpl-${yield* hex(24)}`,
        model,
        created: Math.floor(ctx.now / 1000),
        tokens: answered,
        ...(answer._tag === "tool-calls" ? { toolCalls } : {}),
        finishReason: answer._tag === "tool-calls"
          ? "tool_calls"
          : answer._tag === "text" && max !== undefined && max <= configured
          ? "length"
          : "stop",
        usage: {
          prompt_tokens: promptTokens,
          completion_tokens: completionTokens,
          total_tokens: promptTokens + completionTokens
        }
      }
      charge(ctx.key, 0.000_01 * (promptTokens + completionTokens))
      if (body.stream !== true) return Reply.json(200, completionObject(completion))
      const options = Predicate.isRecord(body.stream_options) ? body.stream_options : {}
      return {
        status: 200,
        headers: { "cache-control": "no-cache" },
        body: {
          _tag: "stream",
          contentType: "text/event-stream; charset=utf-8",
          stream: chatStream(completion, {
            paceMillis: ctx.env.settings.stream.paceMillis,
            keepalive: ctx.env.settings.stream.keepalive,
            includeUsage: options.include_usage === true,
            fault: ctx.streamFault,
            response: ctx.response
          })
        }
      } satisfies Reply.Reply
    })
}

const models: RouteSpec = {
  name: "models",
  method: "GET",
  path: "/openai/v1/models",
  group: "llm",
  body: "none",
  handle: (ctx) =>
    Effect.succeed(Reply.json(200, {
      object: "list",
      data: ctx.env.settings.models.map((id) => ({ id, object: "model", created: 1_700_000_000, owned_by: "novita" }))
    }))
}

/** The async APIs the emulator runs: task type and output kind. */
const asyncApis: Readonly<Record<string, { readonly type: string; readonly output: Task["output"] }>> = {
  txt2img: { type: "TXT_TO_IMG", output: "images" },
  img2img: { type: "IMG_TO_IMG", output: "images" },
  txt2video: { type: "TXT_TO_VIDEO", output: "videos" },
  img2video: { type: "IMG_TO_VIDEO", output: "videos" },
  txt2speech: { type: "TXT_TO_SPEECH", output: "audios" }
}

const intIn = (value: unknown, min: number, max: number): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= min && value <= max

/** The checks Novita's txt2img documents (a subset): a message naming the first bad field, or undefined. */
const txt2imgIssue = (body: Record<string, unknown>): string | undefined => {
  const request = body.request
  if (!Predicate.isRecord(request)) return "request: field is required"
  if (str(request.model_name) === undefined) return "request.model_name: field is required"
  if (str(request.prompt) === undefined) return "request.prompt: field is required"
  if (request.prompt !== undefined && typeof request.prompt === "string" && request.prompt.length > 1024) {
    return "request.prompt: must be at most 1024 characters"
  }
  for (
    const [field, min, max] of [["width", 128, 2048], ["height", 128, 2048], ["image_num", 1, 8], [
      "steps",
      1,
      100
    ]] as const
  ) {
    if (request[field] !== undefined && !intIn(request[field], min, max)) {
      return `request.${field}: must be an integer in [${min}, ${max}]`
    }
  }
  return undefined
}

const modelOfSubmission = (body: unknown): string | undefined => {
  if (!Predicate.isRecord(body)) return undefined
  const request = Predicate.isRecord(body.request) ? body.request : body
  return str(request.model_name) ?? str(request.model)
}

const submitRoute = (api: string, spec: { readonly type: string; readonly output: Task["output"] }): RouteSpec => ({
  name: `async/${api}`,
  method: "POST",
  path: `/v3/async/${api}`,
  group: "media",
  body: "json",
  submission: true,
  modelOf: modelOfSubmission,
  handle: (ctx) =>
    Effect.gen(function*() {
      const body = ctx.body
      if (!Predicate.isRecord(body)) return invalidBody("media", "request body must be a JSON object")
      const issue = api === "txt2img" ? txt2imgIssue(body) : undefined
      if (issue !== undefined) return invalidBody("media", issue)
      const request = Predicate.isRecord(body.request) ? body.request : body
      const count = spec.output === "images" && intIn(request.image_num, 1, 8) ? request.image_num : 1
      const h = yield* hex(32)
      const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`
      const settings = ctx.env.settings.tasks
      ctx.env.state.tasks.set(id, {
        id,
        type: spec.type,
        output: spec.output,
        count,
        owner: ctx.key.hash,
        submittedAt: ctx.now,
        queuedMillis: Math.min(settings.queuedMillis, settings.durationMillis),
        durationMillis: settings.durationMillis,
        failure: ctx.taskFault === undefined
          ? undefined
          : { reason: ctx.taskFault.reason ?? "task execution failed: the model could not process the input" }
      })
      ctx.noteTask(id)
      charge(ctx.key, 0.0015 * count)
      return Reply.json(200, { task_id: id })
    })
})

const unknownAsync: RouteSpec = {
  name: "async/unknown",
  method: "POST",
  path: "/v3/async/:api",
  group: "media",
  body: "none",
  handle: (ctx) =>
    Effect.succeed(errorReply("API_NOT_FOUND", "media", { message: `api not found: ${ctx.params.api ?? ""}` }))
}

const taskResultRoute: RouteSpec = {
  name: "async/task-result",
  method: "GET",
  path: "/v3/async/task-result",
  group: "media",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const id = ctx.search.get("task_id")
      if (id === null || id.trim() === "") return invalidBody("media", "task_id: field is required")
      ctx.noteTask(id)
      const task = ctx.env.state.tasks.get(id)
      if (task === undefined || task.owner !== ctx.key.hash) {
        return errorReply("TASK_NOT_FOUND", "media", { message: `task not found: ${id}` })
      }
      return Reply.json(200, taskResult(task, ctx.now, ctx.env.origin))
    })
}

const PRODUCT_CATEGORIES = ["llm", "image", "video", "audio", "gpu", "storage"]
const BILL_CYCLES = ["day", "month"]

const billList: RouteSpec = {
  name: "billing/bill/list",
  method: "GET",
  path: "/openapi/v1/billing/bill/list",
  group: "billing",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const category = ctx.search.get("productCategory")
      if (category !== null && !PRODUCT_CATEGORIES.includes(category)) {
        return errorReply("INVALID_PRODUCT_CATEGORY", "billing", { message: `invalid productCategory: ${category}` })
      }
      const cycle = ctx.search.get("cycle")
      if (cycle !== null && !BILL_CYCLES.includes(cycle)) {
        return errorReply("INVALID_BILL_CYCLE", "billing", { message: `invalid cycle: ${cycle}` })
      }
      return Reply.json(200, { data: [], total: 0 })
    })
}

/** Every route, in registration order (static async routes before the catch-all `:api`). */
export const routes: ReadonlyArray<RouteSpec> = [
  chat,
  models,
  ...Object.entries(asyncApis).map(([api, spec]) => submitRoute(api, spec)),
  taskResultRoute,
  unknownAsync,
  billList
]

// ─── the pipeline ────────────────────────────────────────────────────────────────────────────────

const credentials = (state: State, headers: Readonly<Record<string, string | undefined>>) => {
  const authorization = headers["authorization"]
  const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization.trim())
  const bearer = match?.[1]?.trim()
  const keyHash = bearer === undefined ? undefined : hashKey(bearer)
  const key = keyHash === undefined ? undefined : state.keys.get(keyHash)
  return { bearer, keyHash, key, keyLabel: key?.label ?? (keyHash === undefined ? undefined : labelOfHash(keyHash)) }
}

const BODY_LIMIT = 35 * 1024 * 1024

type BodyRead = { readonly _tag: "ok"; readonly value: unknown } | { readonly _tag: "bad"; readonly message: string }

const readJson = (request: HttpServerRequest.HttpServerRequest): Effect.Effect<BodyRead> =>
  request.arrayBuffer.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(BODY_LIMIT)),
    Effect.map((buffer): BodyRead => {
      try {
        return { _tag: "ok", value: JSON.parse(new TextDecoder().decode(buffer)) }
      } catch {
        return { _tag: "bad", message: "request body is not valid JSON" }
      }
    }),
    Effect.orElseSucceed((): BodyRead => ({ _tag: "bad", message: "request body too large or unreadable" }))
  )

interface Outcome {
  readonly reply: Reply.Reply
  readonly model: string | undefined
  readonly streaming: boolean
  readonly postFault: Faults.Fault | undefined
}

const pipeline = (
  env: Env,
  spec: RouteSpec,
  input: {
    readonly request: HttpServerRequest.HttpServerRequest
    readonly params: Readonly<Record<string, string | undefined>>
    readonly url: URL
    readonly now: number
    readonly creds: ReturnType<typeof credentials>
    readonly response: () => Http.ServerResponse
    readonly noteTask: (id: string) => void
  }
): Effect.Effect<Outcome> =>
  Effect.gen(function*() {
    const { creds, now } = input
    const state = env.state
    const group = spec.group
    const outcome = (reply: Reply.Reply, rest: Partial<Omit<Outcome, "reply">> = {}): Outcome => ({
      reply,
      model: rest.model,
      streaming: rest.streaming ?? false,
      postFault: rest.postFault
    })

    // the body
    let body: unknown = undefined
    if (spec.body === "json") {
      const read = yield* readJson(input.request)
      if (read._tag === "bad") return outcome(invalidBody(group, read.message))
      body = read.value
    }
    const model = spec.modelOf?.(body)
    const streaming = spec.streaming?.(body) ?? false
    const base = { model, streaming }

    // scripted faults
    const fault: Fault | undefined = state.takeFault({
      keyHash: creds.keyHash,
      keyLabel: creds.keyLabel,
      route: spec.name,
      path: input.url.pathname,
      model,
      streaming,
      submission: spec.submission === true
    })
    let postFault: Faults.Fault | undefined
    let streamFault: Faults.StreamFault | undefined
    let taskFault: TaskFailure | undefined
    if (fault !== undefined) {
      switch (fault._tag) {
        case "Error":
          return outcome({ ...errorReply(fault.code, group, fault), fault: `Error:${fault.code}` }, base)
        case "ResetBeforeHeaders":
          return outcome(rawReply(Reply.resetConnection, fault._tag), base)
        case "Stall":
          return outcome(rawReply(Reply.stall, fault._tag), base)
        case "HtmlPage":
          return outcome({ ...gatewayPage(fault.status ?? 502), fault: fault._tag }, base)
        case "EmptyBody":
          return outcome({ status: fault.status, headers: {}, body: { _tag: "empty" }, fault: fault._tag }, base)
        case "Delay":
          yield* Effect.sleep(Duration.millis(fault.millis))
          break
        case "TaskFailure":
          taskFault = fault
          break
        case "Headers":
        case "TruncatedJson":
        case "ResetMidBody":
          postFault = fault
          break
        case "StreamError":
        case "StreamReset":
        case "StreamStall":
        case "StreamEnd":
          streamFault = fault
          postFault = fault
          break
      }
    }
    const withFault = { ...base, postFault }
    const faultName = taskFault !== undefined ? "TaskFailure" : undefined

    // the key
    if (creds.bearer === undefined) {
      return outcome(
        group === "llm" ? errorReply("INVALID_API_KEY", "llm") : errorReply("MISSING_API_KEY", "media"),
        withFault
      )
    }
    const key = creds.key
    if (key === undefined) {
      return outcome(
        group === "llm" ? errorReply("FAILED_TO_AUTH", "llm") : errorReply("INVALID_API_KEY", "media"),
        withFault
      )
    }

    // the optional request window
    const limit = env.settings.rateLimit.requestsPerWindow
    if (limit !== undefined) {
      const taken = state.windows.take(`${key.hash}|${group}`, now, limit, env.settings.rateLimit.windowMillis)
      if (!taken.allowed) {
        return outcome(
          group === "billing" ? errorReply("LIST_BILL_TOO_FAST", "billing") : errorReply("RATE_LIMIT_EXCEEDED", group),
          withFault
        )
      }
    }

    // the balance
    if (group !== "billing" && key.balanceUsd <= 0) {
      return outcome(
        group === "llm" ? errorReply("NOT_ENOUGH_BALANCE", "llm") : errorReply("BILLING_BALANCE_NOT_ENOUGH", "media"),
        withFault
      )
    }

    const reply = yield* spec.handle({
      env,
      body,
      search: input.url.searchParams,
      params: input.params,
      now,
      key,
      streamFault,
      taskFault,
      response: input.response,
      noteTask: input.noteTask
    })
    return outcome(
      faultName !== undefined && reply.fault === undefined ? { ...reply, fault: faultName } : reply,
      withFault
    )
  })

const handler = (env: Env, spec: RouteSpec) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* HttpRouter.params
    const now = yield* Clock.currentTimeMillis
    const url = new URL(request.url, "http://emulator")
    const creds = credentials(env.state, request.headers)
    const entry: LogEntry = env.state.arrive({
      at: now,
      method: request.method,
      path: url.pathname,
      route: spec.name,
      key: creds.keyLabel
    })
    const response = () => NodeHttpServerRequest.toServerResponse(request)
    let taskId: string | undefined
    const outcome = yield* pipeline(env, spec, {
      request,
      params,
      url,
      now,
      creds,
      response,
      noteTask: (id) => {
        taskId = id
      }
    })
    const reply = outcome.reply
    const headers: Record<string, string> = { "x-request-id": yield* hex(32), ...reply.headers }
    let final: Reply.Reply = { ...reply, headers }
    let faultName = reply.fault
    if (outcome.postFault !== undefined) {
      faultName = outcome.postFault._tag
      final = applyPostFault(final, outcome.postFault, response)
    }
    env.state.answer(entry, {
      model: outcome.model,
      stream: outcome.streaming,
      status: reply.body._tag === "raw" ? 0 : final.status,
      fault: faultName,
      taskId,
      answeredAt: yield* Clock.currentTimeMillis
    })
    return yield* Reply.render(final, response)
  })

// ─── admin, 404, the app ─────────────────────────────────────────────────────────────────────────

const decodeScripts = Schema.decodeUnknownEither(Schema.Union(Script, Schema.Array(Script)))

/** Stores a script (its key hashed). */
export const storeScript = (state: State, script: Script): void => {
  const { key, wallet: _wallet, ...match } = script.match
  state.addScript({
    match: { ...match, ...(key !== undefined ? { keyHash: hashKey(key) } : {}) },
    remaining: script.times,
    fault: script.fault
  })
}

const adminRouter = (env: Env) =>
  HttpRouter.empty.pipe(
    HttpRouter.post(
      "/__emulator/faults",
      Effect.gen(function*() {
        const request = yield* HttpServerRequest.HttpServerRequest
        const body = yield* Effect.orElseSucceed(request.json, () => undefined)
        const decoded = decodeScripts(body)
        if (decoded._tag === "Left") {
          return HttpServerResponse.unsafeJson({ error: "Invalid fault script", message: String(decoded.left) }, {
            status: 400
          })
        }
        const scripts: ReadonlyArray<Script> = "fault" in decoded.right ? [decoded.right] : decoded.right
        for (const script of scripts) storeScript(env.state, script)
        return HttpServerResponse.unsafeJson({
          scheduled: scripts.length,
          pendingFaults: env.state.scripts.reduce((n, s) => n + s.remaining, 0)
        })
      })
    ),
    HttpRouter.del(
      "/__emulator/faults",
      Effect.sync(() => {
        const cleared = env.state.scripts.length
        env.state.scripts = []
        return HttpServerResponse.unsafeJson({ cleared })
      })
    ),
    HttpRouter.get(
      "/__emulator/requests",
      Effect.sync(() => HttpServerResponse.unsafeJson({ requests: env.state.log }))
    ),
    HttpRouter.post(
      "/__emulator/reset",
      Effect.sync(() => {
        env.state.reset()
        return HttpServerResponse.unsafeJson({ reset: true })
      })
    )
  )

/** Novita's answer to an unknown route (Gin's default): plain text, no JSON. */
const notFound = (env: Env) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const now = yield* Clock.currentTimeMillis
    const url = new URL(request.url, "http://emulator")
    const entry = env.state.arrive({
      at: now,
      method: request.method,
      path: url.pathname,
      route: "unknown",
      key: undefined
    })
    env.state.answer(entry, {
      model: undefined,
      stream: false,
      status: 404,
      fault: undefined,
      taskId: undefined,
      answeredAt: now
    })
    return HttpServerResponse.text("404 page not found", { status: 404, contentType: "text/plain" })
  })

/** The emulator's HTTP app. */
export const makeApp = (env: Env) => {
  let router = env.settings.admin ? adminRouter(env) : HttpRouter.empty
  for (const spec of routes) router = HttpRouter.route(spec.method)(router, spec.path, handler(env, spec))
  return router.pipe(Effect.catchTag("RouteNotFound", () => notFound(env)))
}
