/**
 * The streaming suite's loopback server, run in a child process (so it does not share the measured process's event
 * loop or CPU): `POST …/chat/completions` answers `text/event-stream` with the workload named by the request's
 * `model` (chunked, written in slices with backpressure); `GET /meta?w=<key>` returns the workload's expectation.
 * Prepared bodies are cached; `long:` bodies are produced on the fly.
 */
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import * as Workloads from "./workloads.js"

const cache = new Map<string, { readonly body: Buffer; readonly expectation: Workloads.Expectation }>()

const prepare = (key: string) => {
  let entry = cache.get(key)
  if (entry === undefined) {
    const w = Workloads.parse(key)
    const parts: Array<Buffer> = []
    const it = Workloads.pieces(w)
    let r = it.next()
    while (r.done !== true) {
      parts.push(Buffer.from(r.value, "utf8"))
      r = it.next()
    }
    entry = { body: Buffer.concat(parts), expectation: r.value }
    cache.set(key, entry)
  }
  return entry
}

const write = (res: http.ServerResponse, chunk: Buffer | string): Promise<boolean> =>
  new Promise((resolve) => {
    if (res.destroyed) return resolve(false)
    if (res.write(chunk)) return resolve(true)
    const onDrain = () => {
      res.off("close", onClose)
      resolve(true)
    }
    const onClose = () => {
      res.off("drain", onDrain)
      resolve(false)
    }
    res.once("drain", onDrain)
    res.once("close", onClose)
  })

const serveStream = async (res: http.ServerResponse, key: string) => {
  const w = Workloads.parse(key)
  res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", "x-request-id": "bench" })
  if (w.kind === "long") {
    // repeat one prepared ~1 MiB block of small events, then the tail
    const block = prepare("small:1048576").body
    const body = block.subarray(
      0,
      block.lastIndexOf(
        "data: {\"id\":\"chatcmpl-b\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"bench\",\"choices\":[]"
      )
    )
    let sent = 0
    while (sent < w.bytes) {
      for (let off = 0; off < body.length; off += 16_384) {
        if (!(await write(res, body.subarray(off, off + 16_384)))) return
      }
      sent += body.length
    }
    if (!(await write(res, "data: [DONE]\n\n"))) return
    res.end()
    return
  }
  const { body } = prepare(key)
  const slice = Workloads.sliceBytes(w)
  for (let off = 0; off < body.length; off += slice) {
    if (!(await write(res, body.subarray(off, off + slice)))) return
  }
  res.end()
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://localhost")
  if (req.method === "GET" && url.pathname === "/meta") {
    const key = url.searchParams.get("w") ?? ""
    const w = Workloads.parse(key)
    const expectation = w.kind === "long" ? { bytes: w.bytes, events: 0, outcome: "done" } : prepare(key).expectation
    res.writeHead(200, { "content-type": "application/json" })
    res.end(JSON.stringify(expectation))
    return
  }
  if (req.method === "POST" && url.pathname.endsWith("/chat/completions")) {
    const parts: Array<Buffer> = []
    req.on("data", (c: Buffer) => parts.push(c))
    req.on("end", () => {
      let model = ""
      try {
        model = String((JSON.parse(Buffer.concat(parts).toString("utf8")) as { model?: unknown }).model ?? "")
        Workloads.parse(model)
      } catch {
        res.writeHead(400, { "content-type": "application/json" })
        res.end(JSON.stringify({ error: `unknown workload ${model}` }))
        return
      }
      serveStream(res, model).catch(() => res.destroy())
    })
    return
  }
  res.writeHead(404)
  res.end()
})
server.keepAliveTimeout = 60_000

process.on("message", (m: unknown) => {
  const message = m as { readonly type: string; readonly keys?: ReadonlyArray<string> }
  if (message.type === "prepare") {
    for (const key of message.keys ?? []) if (!key.startsWith("long:")) prepare(key)
    process.send?.({ type: "prepared" })
  } else if (message.type === "stop") {
    server.close()
    server.closeAllConnections()
    process.exit(0)
  }
})

server.listen(0, "127.0.0.1", () => {
  process.send?.({ type: "listening", port: (server.address() as AddressInfo).port })
})
