/**
 * A forwarding HTTP proxy between one worker and the emulator (real sockets on loopback), which can lose answers: a
 * request matching a `hold` rule is forwarded to the emulator — its effect happens there (a job is queued, a payment
 * credited) — and its answer is read but never passed back. The test then kills the worker: the worker died after the
 * request was sent and before it learned the answer. Every request that passes is logged (method, path, status).
 */
import * as Http from "node:http"
import type * as Net from "node:net"

export interface Seen {
  readonly method: string
  readonly path: string
  /** The emulator's status; 0 while the answer is pending. */
  status: number
  /** Whether the answer was held back (never passed to the worker). */
  held: boolean
  readonly paying: boolean
}

export interface HoldRule {
  readonly method: string
  /** Path suffix, e.g. `/video/queue`. */
  readonly path: string
  /** Only requests that carry a payment (`PAYMENT-SIGNATURE`). */
  readonly paying?: boolean
  /** Hold the `nth` matching request (1-based, default 1); earlier ones pass. */
  readonly nth?: number
  /** `false`: the request is not forwarded either (it is lost on its way). Default `true`. */
  readonly forward?: boolean
}

export interface Proxy {
  readonly url: string
  readonly seen: ReadonlyArray<Seen>
  /** Holds the answer of the next request matching `rule`; resolves once that answer was held (the effect happened). */
  readonly hold: (rule: HoldRule) => Promise<Seen>
  /** Drops the hold rule, if it has not matched. */
  readonly clear: () => void
  /** Destroys the sockets whose answers are held (the worker is dead by then). */
  readonly release: () => void
  readonly close: () => Promise<void>
}

export const startProxy = async (upstream: string): Promise<Proxy> => {
  const target = new URL(upstream)
  const seen: Array<Seen> = []
  const heldSockets = new Set<Net.Socket>()
  const sockets = new Set<Net.Socket>()
  let rule: { readonly rule: HoldRule; matched: number; readonly done: (seen: Seen) => void } | undefined

  const server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const path = req.url ?? "/"
      const paying = req.headers["payment-signature"] !== undefined
      const entry: Seen = { method: req.method ?? "GET", path, status: 0, held: false, paying }
      seen.push(entry)
      let holding: ((seen: Seen) => void) | undefined
      let forward = true
      if (
        rule !== undefined && rule.rule.method === entry.method && path.endsWith(rule.rule.path) &&
        (rule.rule.paying === undefined || rule.rule.paying === paying)
      ) {
        rule.matched++
        if (rule.matched >= (rule.rule.nth ?? 1)) {
          holding = rule.done
          forward = rule.rule.forward ?? true
          rule = undefined
        }
      }
      if (holding !== undefined && !forward) {
        // lost on its way: Venice never sees it
        entry.held = true
        heldSockets.add(req.socket)
        holding(entry)
        return
      }
      const headers = { ...req.headers, host: target.host }
      const upstreamReq = Http.request({
        host: target.hostname,
        port: target.port,
        method: req.method,
        path,
        headers
      }, (upstreamRes) => {
        const body: Array<Buffer> = []
        upstreamRes.on("data", (chunk: Buffer) => body.push(chunk))
        upstreamRes.on("end", () => {
          entry.status = upstreamRes.statusCode ?? 0
          if (holding !== undefined) {
            // the effect happened upstream; the worker never hears of it
            entry.held = true
            heldSockets.add(req.socket)
            holding(entry)
            return
          }
          res.writeHead(upstreamRes.statusCode ?? 502, asOwn(upstreamRes.headers))
          res.end(Buffer.concat(body))
        })
        upstreamRes.on("error", () => res.destroy())
      })
      upstreamReq.on("error", () => res.destroy())
      upstreamReq.end(Buffer.concat(chunks))
    })
  })
  server.on("connection", (socket: Net.Socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  const address = server.address()
  const port = typeof address === "object" && address !== null ? address.port : 0
  // a transparent proxy: the top-up requirements name the proxy's origin (the one the worker was configured with)
  const asOwn = (headers: Http.IncomingHttpHeaders): Http.IncomingHttpHeaders => {
    const required = headers["payment-required"]
    if (typeof required !== "string") return headers
    const document = Buffer.from(required, "base64").toString("utf8").split(target.origin).join(`http://127.0.0.1:${port}`)
    return { ...headers, "payment-required": Buffer.from(document, "utf8").toString("base64") }
  }
  return {
    url: `http://127.0.0.1:${port}${target.pathname.replace(/\/+$/, "")}`,
    seen,
    hold: (holdRule) => new Promise<Seen>((resolve) => void (rule = { rule: holdRule, matched: 0, done: resolve })),
    clear: () => void (rule = undefined),
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
