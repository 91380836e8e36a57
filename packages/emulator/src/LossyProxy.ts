/**
 * A forwarding HTTP proxy in front of an emulator (real sockets on loopback) that can lose answers, for crash tests
 * of durable work: a request matching the armed rule is forwarded — its effect happens upstream (a job is queued, a
 * payment credited) — and its answer is read but never passed back; or, with `forward: false`, the request itself is
 * lost on its way. The test then kills the client process: it died after its request was sent and before it learned
 * the outcome. Top-up requirements are rewritten to name the proxy's origin, as a transparent proxy would.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { LossyProxy, VeniceEmulator } from "@venice-effect/emulator"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* VeniceEmulator.VeniceEmulator
 *   const proxy = yield* LossyProxy.make(emulator.baseUrl)
 *   const held = proxy.hold({ method: "POST", path: "/video/queue" })
 *   // … point a worker at proxy.url; `held` resolves once the queue request reached the emulator
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as Http from "node:http"
import type * as Net from "node:net"

/**
 * One request that went through: method, path, the upstream status (0 while pending, or when it never went up),
 * whether its answer (or the request itself) was held back, and whether it carried a payment.
 *
 * @since 0.1.0
 * @category models
 */
export interface Seen {
  readonly method: string
  readonly path: string
  status: number
  held: boolean
  readonly paying: boolean
}

/**
 * Which request to lose: `method` and a path suffix (`/video/queue`); only paying ones (`PAYMENT-SIGNATURE`) if
 * `paying`; the `nth` match (default 1st); `forward: false` loses the request itself instead of its answer.
 *
 * @since 0.1.0
 * @category models
 */
export interface HoldRule {
  readonly method: string
  readonly path: string
  readonly paying?: boolean | undefined
  readonly nth?: number | undefined
  readonly forward?: boolean | undefined
}

/**
 * The running proxy.
 *
 * @since 0.1.0
 * @category models
 */
export interface LossyProxy {
  /** The base URL to give a client (the upstream's path on the proxy's origin). */
  readonly url: string
  /** Every request so far, in order. */
  readonly seen: ReadonlyArray<Seen>
  /** Arms a rule (replacing any armed one); resolves with the request once it was held. */
  readonly hold: (rule: HoldRule) => Promise<Seen>
  /** Disarms the rule, if it has not matched. */
  readonly clear: () => void
  /** Destroys the connections whose answers are held (their client is gone by then). */
  readonly release: () => void
}

/**
 * Starts a proxy in front of `upstream` (a base URL such as `http://127.0.0.1:8787/api/v1`) on a free loopback port;
 * it stops, every socket closed, with the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (upstream: string): Effect.Effect<LossyProxy, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(upstream)),
    (proxy) => Effect.promise(proxy.close)
  ).pipe(Effect.map(({ close: _close, ...proxy }) => proxy))

const start = async (upstream: string): Promise<LossyProxy & { readonly close: () => Promise<void> }> => {
  const target = new URL(upstream)
  const seen: Array<Seen> = []
  const heldSockets = new Set<Net.Socket>()
  const sockets = new Set<Net.Socket>()
  let armed: { readonly rule: HoldRule; matched: number; readonly done: (seen: Seen) => void } | undefined
  let port = 0

  // a transparent proxy: the top-up requirements name the proxy's origin (the one the client was configured with)
  const asOwn = (headers: Http.IncomingHttpHeaders): Http.IncomingHttpHeaders => {
    const required = headers["payment-required"]
    if (typeof required !== "string") return headers
    const document = Buffer.from(required, "base64").toString("utf8")
      .split(target.origin)
      .join(`http://127.0.0.1:${port}`)
    return { ...headers, "payment-required": Buffer.from(document, "utf8").toString("base64") }
  }

  const hold = (req: Http.IncomingMessage, entry: Seen, done: (seen: Seen) => void) => {
    entry.held = true
    heldSockets.add(req.socket)
    done(entry)
  }

  const server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const path = req.url ?? "/"
      const entry: Seen = {
        method: req.method ?? "GET",
        path,
        status: 0,
        held: false,
        paying: req.headers["payment-signature"] !== undefined
      }
      seen.push(entry)
      let holding: { readonly done: (seen: Seen) => void; readonly forward: boolean } | undefined
      if (
        armed !== undefined && armed.rule.method === entry.method && path.endsWith(armed.rule.path) &&
        (armed.rule.paying === undefined || armed.rule.paying === entry.paying) &&
        ++armed.matched >= (armed.rule.nth ?? 1)
      ) {
        holding = { done: armed.done, forward: armed.rule.forward ?? true }
        armed = undefined
      }
      // lost on its way: upstream never sees it
      if (holding !== undefined && !holding.forward) return hold(req, entry, holding.done)
      const upstreamRequest = Http.request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers: { ...req.headers, host: target.host }
      }, (upstreamResponse) => {
        const body: Array<Buffer> = []
        upstreamResponse.on("data", (chunk: Buffer) => body.push(chunk))
        upstreamResponse.on("end", () => {
          entry.status = upstreamResponse.statusCode ?? 0
          // the effect happened upstream; the client never hears of it
          if (holding !== undefined) return hold(req, entry, holding.done)
          res.writeHead(upstreamResponse.statusCode ?? 502, asOwn(upstreamResponse.headers))
          res.end(Buffer.concat(body))
        })
        upstreamResponse.on("error", () => res.destroy())
      })
      upstreamRequest.on("error", () => res.destroy())
      upstreamRequest.end(Buffer.concat(chunks))
    })
  })
  server.on("connection", (socket: Net.Socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const address = server.address()
  port = typeof address === "object" && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}${target.pathname.replace(/\/+$/, "")}`,
    seen,
    hold: (rule) => new Promise<Seen>((resolve) => void (armed = { rule, matched: 0, done: resolve })),
    clear: () => void (armed = undefined),
    release: () => {
      for (const socket of heldSockets) socket.destroy()
      heldSockets.clear()
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy()
        server.close(() => resolve())
      })
  }
}
