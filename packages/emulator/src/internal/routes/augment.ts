/**
 * The augment routes (skill venice-augment): `/augment/text-parser` (multipart document → text, JSON or plain),
 * `/augment/scrape` (URL → markdown; X/Twitter and Reddit are refused with `400`) and `/augment/search` (up to `limit`
 * synthetic results). No page is fetched: the emulator answers deterministic content derived from the request.
 */
import * as Augment from "@venice-effect/venice/schema/Augment"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Content from "../content.js"
import type { RouteSpec } from "../context.js"
import * as Reply from "../reply.js"
import { validate } from "../validation.js"
import { V1 } from "./common.js"
import * as Forms from "./forms.js"

const BLOCKED = /^(?:www\.)?(?:x\.com|twitter\.com|reddit\.com|old\.reddit\.com)$/i

const textParser: RouteSpec = {
  name: "augment/text-parser",
  method: "POST",
  path: `${V1}/augment/text-parser`,
  auth: "any",
  body: "multipart",
  handle: (ctx) =>
    Effect.gen(function*() {
      const record = yield* Forms.fields(ctx)
      if (record === undefined) return Reply.standard(400, "Invalid multipart/form-data request")
      const decoded = validate(Augment.TextParserRequest, record)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const file = decoded.right.file
      if (file.size > ctx.env.settings.maxFileBytes) return Reply.standard(400, "File too large. Maximum size is 25MB")
      if (file.size === 0) return Reply.standard(400, "The document is empty")
      const text = new TextDecoder("utf-8", { fatal: false }).decode(yield* Effect.promise(() => file.arrayBuffer()))
        .replace(/[^\t\n\r\x20-\x7e\u00a0-\uffff]/g, "")
      ctx.charge({ usd: 0.001, model: "augment-text-parser", requestId: null })
      if (decoded.right.response_format === "text") {
        return {
          status: 200,
          headers: {},
          body: { _tag: "text", value: text, contentType: "text/plain; charset=utf-8" }
        }
      }
      return Reply.json(200, { text, tokens: Content.countTokens(text) })
    })
}

const scrape: RouteSpec = {
  name: "augment/scrape",
  method: "POST",
  path: `${V1}/augment/scrape`,
  auth: "any",
  body: "json",
  handle: (ctx) =>
    Effect.sync(() => {
      const decoded = validate(Augment.ScrapeRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const url = decoded.right.url
      const host = (() => {
        try {
          return new URL(url).hostname
        } catch {
          return ""
        }
      })()
      if (host === "") return Reply.standard(400, "Invalid URL")
      if (BLOCKED.test(host)) {
        return Reply.standard(400, `Scraping ${host} is not supported: the site blocks automated access`)
      }
      ctx.charge({ usd: 0.002, model: "augment-scrape", requestId: null })
      return Reply.json(200, { url, content: `# ${host}\n\n${Content.tokens(24).join("")}\n`, format: "markdown" })
    })
}

const search: RouteSpec = {
  name: "augment/search",
  method: "POST",
  path: `${V1}/augment/search`,
  auth: "any",
  body: "json",
  handle: (ctx) =>
    Effect.sync(() => {
      const decoded = validate(Augment.SearchRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const { query, limit } = decoded.right
      const slug = query.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-|-$/g, "") || "result"
      ctx.charge({ usd: 0.005, model: "augment-search", requestId: null })
      return Reply.json(200, {
        query,
        results: Array.from({ length: limit ?? 10 }, (_, i) => ({
          title: `${query} — result ${i + 1}`,
          url: `https://example.com/${slug}/${i + 1}`,
          content: Content.tokens(12).join(""),
          date: i % 3 === 2 ? "" : new Date(Date.UTC(2026, 3, 10 - i)).toISOString().slice(0, 10)
        }))
      })
    })
}

/** The augment routes of this file. */
export const augmentRoutes: ReadonlyArray<RouteSpec> = [textParser, scrape, search]
