/**
 * The request pipeline every Venice route goes through, in Venice's order (skills venice-errors, venice-auth):
 *
 * 1. a payment header on any route but `/x402/top-up` → `400 PAYMENT_HEADER_NOT_ACCEPTED`;
 * 2. no credentials on a route that needs them → the x402 discovery `402` (not counted);
 * 3. body: wrong `Content-Type` → `400` (not counted), over 35 MB → `413` (not counted), bad JSON → `400`
 *    (not counted);
 * 4. the error-budget lockout of the bucket (key or IP, model, `user`) → `429`;
 * 5. a scripted fault matching the request;
 * 6. credentials: unknown key `401`, bad SIWX `401 X402_SIGN_IN_*`, INFERENCE key on an admin route `401`, wallet
 *    concurrency `429`, wallet below $0.10 (or DIEM-linked) `402` (E7b), key without balance `402`; then the x402
 *    routes' own per-minute limits (`429` without headers);
 * 7. the per-key per-model request / token windows (inference routes) → `429 Rate limit exceeded`;
 * 8. an overloaded model → `429` with `Retry-After`;
 * 9. the route.
 *
 * Then Venice's headers (`x-venice-version`, `CF-RAY`, balances, the error budget as the request was admitted, the
 * request windows) are added, the response is counted against the error budget and logged (the log entry is written
 * when the request arrives, so interrupted requests are counted too), and post-response faults (truncation, a reset
 * in the body, extra headers) are applied.
 */
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as HttpIncomingMessage from "@effect/platform/HttpIncomingMessage"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Siwx from "@venice-effect/core/Siwx"
import * as ErrorCatalog from "@venice-effect/venice/ErrorCatalog"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Random from "effect/Random"
import * as Schema from "effect/Schema"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import type * as Http from "node:http"
import * as Faults from "../Faults.js"
import * as Content from "./content.js"
import type { Ctx, Env, Identity, RouteSpec } from "./context.js"
import * as Errors from "./errors.js"
import type { WindowState } from "./limiters.js"
import * as Catalog from "./models.js"
import * as Reply from "./reply.js"
import { paymentHeader, routes } from "./routes/index.js"
import { hashKey, type KeyRecord, labelOfHash, type LogEntry, type State, type Wallet, walletKey } from "./state.js"
import * as X402Svm from "./x402Svm.js"

/** Random lowercase hex (from the `Random` service). */
export const hex = (length: number): Effect.Effect<string> =>
  Effect.map(
    Effect.all(Array.from({ length: Math.ceil(length / 8) }, () => Random.nextIntBetween(0, 0x1_0000_0000))),
    (parts) => parts.map((p) => p.toString(16).padStart(8, "0")).join("").slice(0, length)
  )

const cfRay = Effect.map(hex(16), (h) => `${h}-AMS`)

/** Request headers of interest. */
interface Credentials {
  readonly bearer: string | undefined
  readonly siwx: string | undefined
  readonly keyHash: string | undefined
  readonly key: KeyRecord | undefined
  readonly keyLabel: string | undefined
}

const credentials = (state: State, headers: Readonly<Record<string, string | undefined>>): Credentials => {
  const authorization = headers["authorization"]
  const match = authorization === undefined ? null : /^Bearer\s+(.+)$/i.exec(authorization.trim())
  const bearer = match?.[1]?.trim()
  const siwx = headers["sign-in-with-x"] ?? headers["x-sign-in-with-x"]
  const keyHash = bearer === undefined ? undefined : hashKey(bearer)
  const key = keyHash === undefined ? undefined : state.keys.get(keyHash)
  return {
    bearer,
    siwx,
    keyHash,
    key,
    keyLabel: key?.label ?? (keyHash === undefined ? undefined : labelOfHash(keyHash))
  }
}

/** The address a SIWX header claims (unverified; for fault matching and logs). */
const claimedWallet = (header: string | undefined): Effect.Effect<string | undefined> =>
  header === undefined
    ? Effect.succeed(undefined)
    : Siwx.decodeHeader(header).pipe(Effect.map((p) => p.address), Effect.orElseSucceed(() => undefined))

const JSON_LIMIT_MESSAGE = "Request body exceeds the maximum allowed size."

type BodyRead =
  | { readonly _tag: "ok"; readonly bytes: Uint8Array }
  | { readonly _tag: "too-large" }

const readBody = (request: HttpServerRequest.HttpServerRequest, limit: number): Effect.Effect<BodyRead> => {
  const declared = Number(request.headers["content-length"])
  if (Number.isFinite(declared) && declared > limit) return Effect.succeed({ _tag: "too-large" })
  return request.arrayBuffer.pipe(
    HttpIncomingMessage.withMaxBodySize(Option.some(limit)),
    Effect.map((buffer): BodyRead => ({ _tag: "ok", bytes: new Uint8Array(buffer) })),
    Effect.orElseSucceed((): BodyRead => ({ _tag: "too-large" }))
  )
}

const decoder = new TextDecoder("utf-8", { fatal: false })

const parseJson = (bytes: Uint8Array): { readonly ok: true; readonly value: unknown } | { readonly ok: false } => {
  try {
    return { ok: true, value: JSON.parse(decoder.decode(bytes)) }
  } catch {
    return { ok: false }
  }
}

const exempt = (reply: Reply.Reply): Reply.Reply => ({ ...reply, exempt: true })

/** Everything known about a request once its body is read. */
interface Prepared {
  readonly spec: RouteSpec
  readonly request: HttpServerRequest.HttpServerRequest
  readonly params: Readonly<Record<string, string | undefined>>
  readonly search: URLSearchParams
  readonly path: string
  readonly now: number
  readonly ip: string
  readonly credentials: Credentials
  readonly credentialed: boolean
  readonly claimedWallet: string | undefined
  readonly response: () => Http.ServerResponse
  /** The request's log entry (written at arrival, completed when answered). */
  readonly entry: LogEntry
}

const budgetBucket = (identityKey: string, model: string | undefined, user: string | undefined) =>
  `${identityKey}|${model ?? ""}|${user ?? ""}`

/** The handler of one route: the whole pipeline. */
const handler = (env: Env, spec: RouteSpec) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const params = yield* HttpRouter.params
    const now = yield* Clock.currentTimeMillis
    const state = env.state
    const incoming = NodeHttpServerRequest.toIncomingMessage(request)
    const url = new URL(request.url, "http://emulator")
    // transfers whose settlement timed out land on Clock, before anything reads a balance
    state.settleDue(now)
    const creds = credentials(state, request.headers)
    const wallet = yield* claimedWallet(creds.siwx)
    const prepared: Prepared = {
      spec,
      request,
      params,
      search: url.searchParams,
      path: url.pathname,
      now,
      ip: incoming.socket.remoteAddress ?? "unknown",
      credentials: creds,
      credentialed: spec.auth !== "none" && (creds.bearer !== undefined || creds.siwx !== undefined),
      claimedWallet: wallet,
      response: () => NodeHttpServerRequest.toServerResponse(request),
      entry: state.arrive({
        at: now,
        method: request.method,
        path: url.pathname,
        route: spec.name,
        key: creds.keyLabel,
        wallet
      })
    }
    const outcome = yield* pipeline(env, prepared)
    return yield* finish(env, prepared, outcome)
  })

/** The pipeline's result, with what `finish` needs to count and decorate it. */
interface Outcome {
  readonly reply: Reply.Reply
  readonly model: string | undefined
  readonly streaming: boolean
  readonly budgetBucket: string | undefined
  /** The bucket's error budget when the request was admitted (what `x-ratelimit-remaining` reports). */
  readonly budget: WindowState | undefined
  readonly identity: Identity
  readonly requests: WindowState | undefined
  readonly tokens: WindowState | undefined
  readonly balance: { readonly usd: number; readonly diem: number } | undefined
  readonly postFault: Faults.Fault | undefined
}

const outcomeOf = (reply: Reply.Reply, rest: Partial<Omit<Outcome, "reply">> = {}): Outcome => ({
  reply,
  model: rest.model,
  streaming: rest.streaming ?? false,
  budgetBucket: rest.budgetBucket,
  budget: rest.budget,
  identity: rest.identity ?? { _tag: "none" },
  requests: rest.requests,
  tokens: rest.tokens,
  balance: rest.balance,
  postFault: rest.postFault
})

const pipeline = (env: Env, p: Prepared): Effect.Effect<Outcome, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { spec, request, now } = p
    const state = env.state
    const settings = env.settings
    const creds = p.credentials
    const resourceUrl = `${env.origin()}${p.path}`
    const nonce = yield* hex(16)
    // a document fault (the Solana rail's spelling in x402 documents) is taken first: it combines with the others
    const documentFault = state.takeFault({
      keyHash: creds.keyHash,
      keyLabel: creds.keyLabel,
      wallet: p.claimedWallet,
      route: spec.name,
      path: p.path,
      model: undefined,
      streaming: false,
      paying: false,
      documents: true
    })
    const solanaNetwork = documentFault === undefined ? undefined : "solana"
    const errorEnv = (extra: Partial<Errors.ErrorEnv> = {}): Errors.ErrorEnv => ({
      settings,
      resourceUrl,
      nowMillis: now,
      nonce,
      route: spec.name,
      budget: {
        limit: settings.errorBudget.threshold,
        remaining: settings.errorBudget.threshold,
        reset: now + settings.errorBudget.windowMillis
      },
      requests: undefined,
      walletBalanceUsd: undefined,
      solanaNetwork,
      ...extra
    })

    // 1. payment headers belong to /x402/top-up only
    if (spec.name !== "x402/top-up" && paymentHeader(request.headers) !== undefined) {
      return outcomeOf(Errors.codeReply("PAYMENT_HEADER_NOT_ACCEPTED", errorEnv()))
    }

    // 2. no credentials at all → the x402 discovery 402
    const needsSiwx = spec.auth === "siwx"
    const missing = spec.auth !== "none" &&
      (needsSiwx ? creds.siwx === undefined : creds.bearer === undefined && creds.siwx === undefined)
    if (missing) return outcomeOf(exempt(Errors.codeReply("AUTHENTICATION_REQUIRED", errorEnv())))

    // 3. the body
    const contentType = (request.headers["content-type"] ?? "").toLowerCase()
    let rawBody: Uint8Array = new Uint8Array(0)
    let body: unknown = undefined
    if (spec.body !== "none") {
      const encoding = request.headers["content-encoding"]
      if (encoding !== undefined && encoding.toLowerCase() !== "identity") {
        return outcomeOf(
          Errors.codeReply("INVALID_CONTENT_TYPE", errorEnv(), { message: "Request encoding is not supported" })
        )
      }
      const isJson = contentType.includes("application/json")
      const isMultipart = contentType.includes("multipart/form-data")
      if (!isJson && !isMultipart) {
        return outcomeOf(exempt(Reply.standard(400, "'Content-Type' must be 'application/json'")))
      }
      if ((spec.body === "json" && !isJson) || (spec.body === "multipart" && !isMultipart)) {
        return outcomeOf(Errors.codeReply("INVALID_CONTENT_TYPE", errorEnv()))
      }
      // a multipart upload may exceed the file limit a little: the route answers an oversized file itself
      // `either` routes (the image routes) take JSON or multipart: JSON is then held to the JSON limit
      const asJson = spec.body === "json" || (spec.body === "either" && isJson)
      const limit = asJson ? settings.maxJsonBytes : 2 * settings.maxFileBytes
      const read = yield* readBody(request, limit)
      if (read._tag === "too-large") {
        return outcomeOf(exempt(Errors.codeReply("PAYLOAD_TOO_LARGE", errorEnv(), {
          message: asJson ? JSON_LIMIT_MESSAGE : "File exceeds the maximum allowed size of 25 MB."
        })))
      }
      rawBody = read.bytes
      if (asJson) {
        const parsed = parseJson(rawBody)
        if (!parsed.ok) return outcomeOf(exempt(Reply.standard(400, "Invalid JSON request")))
        body = parsed.value
      }
    }
    const record = Predicate.isRecord(body) ? body : undefined
    const model = record !== undefined && typeof record.model === "string" ? record.model : undefined
    const user = record !== undefined && typeof record.user === "string" ? record.user : undefined
    const streaming = spec.streaming?.(body) ?? false
    const base = { model, streaming }

    // 4. the error budget lockout (per key, or per IP for wallets and unknown keys; per model; per `user`)
    const identityKey = creds.key !== undefined ? `key:${creds.key.hash}` : `ip:${p.ip}`
    // multipart uploads expose no model or user in time: they share the key's (or IP's) bucket
    const multipart = spec.body !== "none" && contentType.includes("multipart/form-data")
    const bucket = p.credentialed ? budgetBucket(identityKey, multipart ? undefined : model, user) : undefined
    const budget = bucket === undefined ? undefined : state.errorBudget.state(bucket, now)
    if (budget !== undefined && budget.remaining === 0) {
      if (creds.key !== undefined) state.breach(creds.key.hash, model, "FAILED_REQUESTS", now)
      return outcomeOf(Errors.codeReply("FAILED_REQUESTS", errorEnv({ budget })), {
        ...base,
        budgetBucket: bucket,
        budget
      })
    }
    const withBudget = { ...base, budgetBucket: bucket, budget }

    // 5. scripted faults
    const fault = state.takeFault({
      keyHash: creds.keyHash,
      keyLabel: creds.keyLabel,
      wallet: p.claimedWallet,
      route: spec.name,
      path: p.path,
      model,
      streaming,
      paying: spec.name === "x402/top-up" && paymentHeader(request.headers) !== undefined,
      structured: spec.structured?.(body) ?? false
    })
    let postFault: Faults.Fault | undefined
    let streamFault: Faults.StreamFault | undefined
    let settlementFault: Faults.Settlement | undefined
    let lostAnswer: Faults.LostAnswer | undefined
    let duplicate: Faults.Duplicate | undefined
    let contentFault: Faults.StructuredOutputViolation | undefined
    if (fault !== undefined) {
      const faultEnv = errorEnv(budget !== undefined ? { budget } : {})
      switch (fault._tag) {
        case "Error":
          return outcomeOf(Errors.errorReply(fault, faultEnv), withBudget)
        case "GarbageHeaders":
          return outcomeOf({ ...garbage(fault.kind, faultEnv), fault: `GarbageHeaders:${fault.kind}` }, withBudget)
        case "ResetBeforeHeaders":
          return outcomeOf(rawReply(Reply.resetConnection, fault._tag), withBudget)
        case "Stall":
          return outcomeOf(rawReply(Reply.stall, fault._tag), withBudget)
        case "HtmlPage":
          return outcomeOf({ ...htmlPage(fault.status ?? 502), fault: fault._tag }, withBudget)
        case "EmptyBody":
          return outcomeOf(
            { status: fault.status, headers: {}, body: { _tag: "empty" }, fault: fault._tag },
            withBudget
          )
        case "Delay":
          yield* Effect.sleep(Duration.millis(fault.millis))
          break
        case "Headers":
        case "TruncatedJson":
        case "ResetMidBody":
        case "StallMidBody":
        case "HugeBody":
          postFault = fault
          break
        case "StreamError":
        case "StreamReset":
        case "StreamStall":
        case "StreamEnd":
          streamFault = fault
          postFault = fault
          break
        case "Settlement":
          settlementFault = fault
          break
        case "LostAnswer":
          lostAnswer = fault
          break
        case "Duplicate":
          duplicate = fault
          if (fault.first?._tag === "Settlement") settlementFault = fault.first
          if (fault.first?._tag === "LostAnswer") lostAnswer = fault.first
          break
        case "StructuredOutputViolation":
          contentFault = fault
          break
      }
    }

    // 6. credentials
    const authenticated = yield* authenticate(env, p, errorEnv)
    if (authenticated._tag === "reply") return outcomeOf(authenticated.reply, { ...withBudget, postFault })
    const identity = authenticated.identity
    const withIdentity = { ...withBudget, identity, postFault }
    const balance = identity._tag === "key"
      ? { usd: identity.key.balanceUsd, diem: identity.key.balanceDiem }
      : undefined

    // per-route limiters without headers (x402 routes)
    if (spec.perMinute !== undefined) {
      const who = spec.perMinute.by === "wallet" && identity._tag === "wallet"
        ? identity.wallet.address.toLowerCase()
        : p.ip
      const window = state.routeWindows.take(`${spec.name}|${who}`, now, spec.perMinute.limit, 60_000)
      if (!window.allowed) {
        return outcomeOf(Reply.standard(429, "Rate limit exceeded. Please try again later."), withIdentity)
      }
    }

    // 7. per-key per-model windows (inference routes)
    let requests: WindowState | undefined
    let tokens: WindowState | undefined
    let windowKey: string | undefined
    if (spec.modelType !== undefined && model !== undefined && identity._tag !== "none") {
      const resolved = Catalog.resolve(model, spec.modelType)
      if (typeof resolved !== "string") {
        const who = identity._tag === "key"
          ? `key:${identity.key.hash}`
          : `wallet:${identity.wallet.address.toLowerCase()}`
        windowKey = `${who}|${resolved.model.id}`
        const windowMillis = settings.rateLimit.windowMillis
        const tokenLimit = settings.rateLimit.tokensPerWindow ?? resolved.tpm
        tokens = state.tokenWindows.peek(windowKey, now, tokenLimit, windowMillis)
        const taken = state.requestWindows.take(
          windowKey,
          now,
          settings.rateLimit.requestsPerWindow ?? resolved.rpm,
          windowMillis
        )
        requests = { limit: taken.limit, remaining: taken.remaining, reset: taken.reset }
        const windows = { ...withIdentity, balance, requests, tokens }
        if (!taken.allowed || tokens.remaining <= 0) {
          // out of requests, or out of tokens (then the request headers keep their count)
          const options = taken.allowed ? { rateLimit: { remaining: taken.remaining } } : {}
          if (identity._tag === "key") {
            state.breach(identity.key.hash, resolved.model.id, taken.allowed ? "TPM" : "RPM", now)
          }
          return outcomeOf(Errors.codeReply("RATE_LIMIT_EXCEEDED", errorEnv({ requests }), options), windows)
        }
        // 8. overload
        const retryAfter = state.overloaded.get(resolved.model.id)
        if (retryAfter !== undefined) {
          return outcomeOf(Errors.codeReply("MODEL_OVERLOADED", errorEnv(), { retryAfter }), windows)
        }
      }
    }

    // 9. the route
    const walletIdentity = identity._tag === "wallet" ? identity.wallet : undefined
    const ctx: Ctx = {
      env,
      spec,
      request,
      params: p.params,
      search: p.search,
      body,
      rawBody,
      contentType,
      model,
      now,
      identity,
      ip: p.ip,
      streamFault,
      settlementFault,
      contentFault,
      response: p.response,
      requests,
      errorEnv: errorEnv({
        ...(budget !== undefined ? { budget } : {}),
        requests,
        walletBalanceUsd: walletIdentity?.balanceUsd
      }),
      hex,
      charge: (charge) => {
        if (charge.tokens !== undefined && windowKey !== undefined) {
          state.tokenWindows.add(windowKey, now, settings.rateLimit.windowMillis, charge.tokens)
        }
        chargeIdentity(identity, charge, now)
        // the key's ledger (GET /billing/usage-history)
        if (identity._tag === "key" && charge.usd > 0) {
          state.usage.push({
            at: now,
            keyHash: identity.key.hash,
            sku: `${charge.model ?? "api"}-usage`,
            units: charge.tokens !== undefined ? charge.tokens / 1_000_000 : 1,
            amount: -charge.usd,
            currency: identity.key.balanceDiem > 0 ? "DIEM" : "USD",
            requestId: charge.requestId,
            tokens: charge.tokens ?? null
          })
        }
      }
    }
    if (duplicate !== undefined) {
      yield* handleLater(env, { ...ctx, settlementFault: undefined }, duplicate.after)
    }
    if (lostAnswer !== undefined) {
      return outcomeOf(yield* forwardLate(env, ctx, lostAnswer), withIdentity)
    }
    const reply = yield* spec.handle(ctx)
    return outcomeOf(reply, { ...withIdentity, balance, requests, tokens })
  })

/** The route handles the request `after` ms from now, at that time on `Clock`, in the emulator's scope; the answer is dropped. */
const handleLater = (env: Env, ctx: Ctx, after: number) =>
  Effect.sleep(Duration.millis(after)).pipe(
    Effect.zipRight(Clock.currentTimeMillis),
    Effect.flatMap((now) => {
      env.state.settleDue(now)
      return ctx.spec.handle({ ...ctx, now, errorEnv: { ...ctx.errorEnv, nowMillis: now } })
    }),
    Effect.asVoid,
    Effect.forkIn(env.scope)
  )

/**
 * A {@link Faults.LostAnswer}: the route handles the request `forwardAfter` ms late, in the emulator's scope (it takes
 * effect even when the client has gone), at that time on `Clock`; its answer is dropped and the client gets silence, a
 * reset or an HTML 502 instead.
 */
const forwardLate = (env: Env, ctx: Ctx, fault: Faults.LostAnswer): Effect.Effect<Reply.Reply> =>
  Effect.gen(function*() {
    const forwarded = yield* handleLater(env, ctx, fault.forwardAfter)
    if (fault.answer === "silence") return rawReply(Reply.stall, `LostAnswer:${fault.answer}`)
    yield* fault.answerAfter === undefined ? Fiber.await(forwarded) : Effect.sleep(Duration.millis(fault.answerAfter))
    return fault.answer === "reset"
      ? rawReply(Reply.resetConnection, `LostAnswer:${fault.answer}`)
      : { ...htmlPage(502), fault: `LostAnswer:${fault.answer}` }
  })

const rawReply = (run: (response: Http.ServerResponse) => Effect.Effect<never>, fault: string): Reply.Reply => ({
  status: 0,
  headers: {},
  body: { _tag: "raw", run },
  fault
})

const chargeIdentity = (
  identity: Identity,
  charge: { readonly usd: number; readonly model: string | null; readonly requestId: string | null },
  now: number
): void => {
  if (charge.usd <= 0) return
  if (identity._tag === "key") {
    const key = identity.key
    if (key.balanceDiem >= charge.usd) key.balanceDiem -= charge.usd
    else key.balanceUsd -= charge.usd
  } else if (identity._tag === "wallet") {
    // charges never take a wallet negative: the charge collects what remains (skill venice-x402)
    const wallet = identity.wallet
    const collected = Math.min(wallet.balanceUsd, charge.usd)
    wallet.balanceUsd = Math.round((wallet.balanceUsd - collected) * 1e8) / 1e8
    wallet.transactions.push({
      id: `${now.toString(16)}-${wallet.transactions.length}`,
      amount: -collected,
      balanceAfter: wallet.balanceUsd,
      type: "CHARGE",
      createdAt: new Date(now).toISOString(),
      requestId: charge.requestId,
      modelId: charge.model
    })
  }
}

type Authenticated =
  | { readonly _tag: "identity"; readonly identity: Identity }
  | { readonly _tag: "reply"; readonly reply: Reply.Reply }

const authenticate = (
  env: Env,
  p: Prepared,
  errorEnv: (extra?: Partial<Errors.ErrorEnv>) => Errors.ErrorEnv
): Effect.Effect<Authenticated, never, Scope.Scope> =>
  Effect.gen(function*() {
    const { spec, credentials: creds, now } = p
    const state = env.state
    const settings = env.settings
    const fail = (reply: Reply.Reply): Authenticated => ({ _tag: "reply", reply })
    const bearerIdentity = (): Authenticated => {
      if (creds.key === undefined) return fail(Errors.codeReply("AUTHENTICATION_FAILED", errorEnv()))
      if (spec.auth === "admin" && creds.key.type !== "ADMIN") {
        return fail(Errors.codeReply("ADMIN_API_KEY_REQUIRED", errorEnv()))
      }
      if (spec.auth === "any" && creds.key.balanceUsd + creds.key.balanceDiem <= 0) {
        return fail(Errors.codeReply("INSUFFICIENT_BALANCE", errorEnv()))
      }
      return { _tag: "identity", identity: { _tag: "key", key: creds.key } }
    }
    switch (spec.auth) {
      case "none":
        return {
          _tag: "identity",
          identity: creds.key !== undefined ? { _tag: "key", key: creds.key } : { _tag: "none" }
        }
      case "bearer":
      case "admin":
        // SIWX is ignored on Bearer-only routes: a SIWX header alone is "Authentication failed"
        return bearerIdentity()
      case "any":
      case "siwx": {
        if (creds.siwx === undefined) return bearerIdentity()
        const generic = spec.auth === "siwx"
        const verified = yield* Effect.either(env.verifySiwx(creds.siwx))
        const signInFailure = (code: ErrorCatalog.VeniceErrorCode) =>
          fail(generic ? Errors.codeReply("X402_INVALID_SIGN_IN", errorEnv()) : Errors.codeReply(code, errorEnv()))
        if (verified._tag === "Left") return signInFailure(verified.left.code)
        const signedIn = verified.right
        // each nonce is accepted once per wallet (remembered 5.5 minutes)
        if (signedIn.nonce !== undefined) {
          const nonceKey = `${walletKey(signedIn.address)}|${signedIn.nonce}`
          if (state.nonces.get(nonceKey, now) !== undefined) return signInFailure("X402_SIGN_IN_NONCE_REUSED")
          state.nonces.set(nonceKey, true, now, settings.x402.nonceTtlMillis)
        }
        const wallet = state.wallet(signedIn.address)
        if (spec.auth === "any") {
          const refused = admitWallet(wallet, settings, errorEnv)
          if (refused !== undefined) return fail(refused)
          wallet.inFlight++
          yield* Effect.addFinalizer(() => Effect.sync(() => wallet.inFlight--))
        }
        return { _tag: "identity", identity: { _tag: "wallet", wallet } }
      }
    }
  })

const admitWallet = (
  wallet: Wallet,
  settings: Env["settings"],
  errorEnv: (extra?: Partial<Errors.ErrorEnv>) => Errors.ErrorEnv
): Reply.Reply | undefined => {
  if (wallet.inFlight >= settings.x402.concurrency) return Errors.codeReply("X402_CONCURRENCY_LIMIT", errorEnv())
  // billed to the linked account's (exhausted) DIEM first: the wallet's credit does not help (skill venice-x402)
  if (wallet.diemLinked || wallet.balanceUsd < settings.x402.minimumBalanceUsd) {
    return Errors.codeReply("PAYMENT_REQUIRED", errorEnv({ walletBalanceUsd: wallet.balanceUsd }))
  }
  return undefined
}

// ─── transport-ish replies ───────────────────────────────────────────────────────────────────────

const htmlPage = (status: number): Reply.Reply => ({
  status,
  headers: { server: "cloudflare" },
  body: {
    _tag: "text",
    contentType: "text/html; charset=UTF-8",
    value: `<!DOCTYPE html>
<html lang="en-US">
<head><title>api.venice.ai | ${status}: Bad gateway</title></head>
<body>
<div id="cf-error-details">
  <h1>Bad gateway <span>Error code ${status}</span></h1>
  <p>The web server reported a bad gateway error.</p>
  <p>Cloudflare Ray ID: <strong>emulated</strong> &bull; Performance &amp; security by Cloudflare</p>
</div>
</body>
</html>
`
  }
})

const garbage = (kind: Faults.GarbageKind, env: Errors.ErrorEnv): Reply.Reply => {
  const overloaded = (retryAfter: string) =>
    Errors.codeReply("MODEL_OVERLOADED", env, { headers: { "Retry-After": retryAfter } })
  switch (kind) {
    case "retry-after-text":
      return overloaded("soon")
    case "retry-after-duplicate":
      return overloaded("1, 2")
    case "retry-after-absurd":
      return overloaded("99999999999")
    case "retry-after-negative":
      return overloaded("-5")
    case "rate-limit-garbage":
      return Errors.codeReply("RATE_LIMIT_EXCEEDED", env, {
        headers: {
          "x-ratelimit-limit-requests": "lots",
          "x-ratelimit-remaining-requests": "NaN",
          "x-ratelimit-reset-requests": "tomorrow",
          "x-ratelimit-remaining": "-",
          "x-ratelimit-resets": "1e999"
        }
      })
    case "payment-required-invalid":
      return Errors.codeReply("AUTHENTICATION_REQUIRED", env, {
        headers: { "PAYMENT-REQUIRED": "%%% not base64 {json} %%%" }
      })
  }
}

// ─── finishing ───────────────────────────────────────────────────────────────────────────────────

const finish = (env: Env, p: Prepared, outcome: Outcome): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function*() {
    const state = env.state
    const settings = env.settings
    const reply = outcome.reply
    const answeredAt = yield* Clock.currentTimeMillis
    const isRaw = reply.body._tag === "raw"

    // the error budget: 4xx except 429, unless exempt
    if (
      outcome.budgetBucket !== undefined && !isRaw && !reply.exempt && reply.status >= 400 && reply.status < 500 &&
      reply.status !== 429
    ) {
      state.errorBudget.recordFailure(outcome.budgetBucket, p.now)
    }

    const headers: Record<string, string> = {}
    const proxyPage = reply.fault === "HtmlPage" || reply.fault === "LostAnswer:html-502"
    if (!proxyPage) headers["x-venice-version"] = settings.version
    headers["CF-RAY"] = yield* cfRay
    if (outcome.balance !== undefined) {
      headers["x-venice-balance-usd"] = outcome.balance.usd.toFixed(4)
      headers["x-venice-balance-diem"] = outcome.balance.diem.toFixed(4)
    }
    // the budget as the request was admitted (Venice's budget middleware sets them before the route answers)
    if (outcome.budget !== undefined && !proxyPage) Object.assign(headers, Errors.budgetHeaders(outcome.budget))
    if (outcome.requests !== undefined) Object.assign(headers, Errors.requestHeaders(outcome.requests))
    if (outcome.tokens !== undefined) Object.assign(headers, Errors.tokenHeaders(outcome.tokens))
    Object.assign(headers, reply.headers)

    let final: Reply.Reply = { ...reply, headers }
    const post = outcome.postFault
    let faultName = reply.fault
    if (post !== undefined) {
      faultName = post._tag
      final = applyPostFault(final, post, p.response)
    }

    const identity = outcome.identity
    state.answer(p.entry, {
      wallet: identity._tag === "wallet" ? identity.wallet.address : p.claimedWallet,
      model: outcome.model,
      stream: outcome.streaming,
      status: isRaw ? 0 : final.status,
      fault: faultName,
      answeredAt
    })
    return yield* Reply.render(final, p.response)
  })

/** The first `limit` bytes of a stream. */
const firstBytes = (stream: Stream.Stream<Uint8Array>, limit: number): Stream.Stream<Uint8Array> =>
  Stream.suspend(() => {
    let sent = 0
    return stream.pipe(
      Stream.map((chunk) => {
        const part = chunk.subarray(0, Math.max(0, limit - sent))
        sent += part.length
        return part
      }),
      Stream.takeUntil(() => sent >= limit)
    )
  })

/** Applies a post-response fault (extra headers, truncated JSON, a reset mid-body) to a reply. Shared with the Novita emulator. */
export const applyPostFault = (
  reply: Reply.Reply,
  fault: Faults.Fault,
  response: () => Http.ServerResponse
): Reply.Reply => {
  switch (fault._tag) {
    case "Headers":
      return { ...reply, headers: { ...reply.headers, ...fault.headers } }
    case "TruncatedJson": {
      const whole = Reply.bodyBytes(reply.body)
      if (whole === undefined) return reply
      const keep = Math.min(whole.bytes.length, fault.keepBytes ?? Math.floor(whole.bytes.length / 2))
      return {
        ...reply,
        body: {
          _tag: "bytes",
          value: whole.bytes.subarray(0, keep),
          contentType: whole.contentType ?? "application/json"
        }
      }
    }
    case "HugeBody": {
      const contentType = Reply.bodyBytes(reply.body)?.contentType ??
        (reply.body._tag === "stream" ? reply.body.contentType : "application/json")
      if (fault.gzip === true) {
        const gzipped = Content.gzippedPadding(fault.bytes)
        return {
          ...reply,
          headers: { ...reply.headers, "content-encoding": "gzip" },
          // chunked: the compressed size is only known once built
          body: { _tag: "stream", contentType, stream: Stream.fromEffect(gzipped) }
        }
      }
      return {
        ...reply,
        body: {
          _tag: "stream",
          contentType,
          stream: Content.padding(fault.bytes),
          ...(fault.announce === false ? {} : { contentLength: fault.bytes })
        }
      }
    }
    case "ResetMidBody": {
      const whole = Reply.bodyBytes(reply.body)
      if (whole !== undefined) {
        const keep = Math.min(whole.bytes.length, fault.afterBytes ?? Math.floor(whole.bytes.length / 2))
        const headers = {
          ...reply.headers,
          "content-length": String(whole.bytes.length),
          ...(whole.contentType !== undefined ? { "content-type": whole.contentType } : {})
        }
        return {
          ...reply,
          body: { _tag: "raw", run: Reply.writeThenReset(reply.status, headers, whole.bytes.subarray(0, keep)) }
        }
      }
      if (reply.body._tag === "stream") {
        const limit = fault.afterBytes ?? 1
        const source = reply.body
        return {
          ...reply,
          body: {
            ...source,
            stream: firstBytes(source.stream, limit).pipe(Stream.concat(Reply.resetStream(response)))
          }
        }
      }
      return reply
    }
    case "StallMidBody": {
      const whole = Reply.bodyBytes(reply.body)
      if (whole !== undefined) {
        const keep = Math.min(whole.bytes.length, fault.afterBytes ?? Math.floor(whole.bytes.length / 2))
        return {
          ...reply,
          body: {
            _tag: "stream",
            contentType: whole.contentType ?? "application/octet-stream",
            stream: Stream.make(whole.bytes.subarray(0, keep)).pipe(Stream.concat(Stream.never)),
            contentLength: whole.bytes.length
          }
        }
      }
      if (reply.body._tag === "stream") {
        const limit = fault.afterBytes ?? 1
        const source = reply.body
        return {
          ...reply,
          body: {
            ...source,
            stream: firstBytes(source.stream, limit).pipe(Stream.concat(Stream.never))
          }
        }
      }
      return reply
    }
    default:
      return reply
  }
}

// ─── admin ───────────────────────────────────────────────────────────────────────────────────────

const decodeScripts = Schema.decodeUnknownEither(Schema.Union(Faults.Script, Schema.Array(Faults.Script)))
const isScriptList = (u: Faults.Script | ReadonlyArray<Faults.Script>): u is ReadonlyArray<Faults.Script> =>
  Array.isArray(u)

/** Stores a script (its key hashed). */
export const storeScript = (state: State, script: Faults.Script): void => {
  const { key, ...match } = script.match
  state.addScript({
    match: { ...match, ...(key !== undefined ? { keyHash: hashKey(key) } : {}) },
    remaining: script.times,
    fault: script.fault
  })
}

/** The stats document. */
export const statsOf = (state: State) => ({
  total: state.seq,
  openConnections: state.openConnections,
  pendingFaults: state.scripts.reduce((n, s) => n + s.remaining, 0),
  byRoute: Object.fromEntries(state.counters.byRoute),
  byStatus: Object.fromEntries(state.counters.byStatus),
  byKey: Object.fromEntries(state.counters.byKey),
  byWallet: Object.fromEntries(state.counters.byWallet),
  byModel: Object.fromEntries(state.counters.byModel),
  byFault: Object.fromEntries(state.counters.byFault)
})

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
        const scripts: ReadonlyArray<Faults.Script> = isScriptList(decoded.right) ? decoded.right : [decoded.right]
        for (const script of scripts) storeScript(env.state, script)
        return HttpServerResponse.unsafeJson({
          scheduled: scripts.length,
          pendingFaults: statsOf(env.state).pendingFaults
        })
      })
    ),
    HttpRouter.get(
      "/__emulator/faults",
      Effect.sync(() =>
        HttpServerResponse.unsafeJson({
          faults: env.state.scripts.map((s) => ({
            match: {
              ...(s.match.keyHash !== undefined ? { keyLabel: labelOfHash(s.match.keyHash) } : {}),
              ...(s.match.keyLabel !== undefined ? { keyLabel: s.match.keyLabel } : {}),
              ...(s.match.wallet !== undefined ? { wallet: s.match.wallet } : {}),
              ...(s.match.route !== undefined ? { route: s.match.route } : {}),
              ...(s.match.model !== undefined ? { model: s.match.model } : {}),
              ...(s.match.paying !== undefined ? { paying: s.match.paying } : {})
            },
            remaining: s.remaining,
            fault: s.fault
          }))
        })
      )
    ),
    HttpRouter.del(
      "/__emulator/faults",
      Effect.sync(() => {
        const cleared = env.state.scripts.length
        env.state.scripts = []
        return HttpServerResponse.unsafeJson({ cleared })
      })
    ),
    HttpRouter.get("/__emulator/stats", Effect.sync(() => HttpServerResponse.unsafeJson(statsOf(env.state)))),
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

/** Venice's answer to an unknown route (the reference does not document the body; a plain StandardError). */
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
      key: undefined,
      wallet: undefined
    })
    env.state.answer(entry, {
      wallet: undefined,
      model: undefined,
      stream: false,
      status: 404,
      fault: undefined,
      answeredAt: now
    })
    return HttpServerResponse.unsafeJson({ error: "Not found" }, {
      status: 404,
      headers: { "x-venice-version": env.settings.version, "CF-RAY": yield* cfRay }
    })
  })

/** Every Venice route of the emulator. */
export const allRoutes: ReadonlyArray<RouteSpec> = routes

/** The emulator's HTTP app. */
export const makeApp = (env: Env) => {
  let router = HttpRouter.empty.pipe(
    HttpRouter.concat(env.settings.admin ? adminRouter(env) : HttpRouter.empty),
    HttpRouter.concat(X402Svm.rpcRouter(env))
  )
  for (const spec of allRoutes) router = HttpRouter.route(spec.method)(router, spec.path, handler(env, spec))
  return router.pipe(Effect.catchTag("RouteNotFound", () => notFound(env)))
}
