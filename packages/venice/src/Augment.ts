/**
 * Augmentation helpers for agent pipelines: text from a document (`POST /augment/text-parser`, multipart, ≤ 25 MB),
 * a web page as markdown (`POST /augment/scrape`; X and Reddit are refused), and web search results
 * (`POST /augment/search`, Brave or anonymized Google). Each call is billed; `400`s (blocked site, bad file, query
 * over 400 characters) are never retried, `429` waits, `500` backs off.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Augment } from "@venice-effect/venice"
 *
 * const research = Effect.gen(function*() {
 *   const { results } = yield* Augment.search({ query: "venice ai api pricing", limit: 3 })
 *   return yield* Effect.forEach(results, (result) => Augment.scrape({ url: result.url }), { concurrency: 3 })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import { jsonEndpoint } from "./internal/endpoint.js"
import * as Media from "./internal/media.js"
import * as Jobs from "./Jobs.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Augment.js"
import * as VeniceClient from "./VeniceClient.js"

type Call<A, R> = Effect.Effect<A, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>

/**
 * Extracts the text of a document (PDF, DOCX, PPTX, XLSX, plain text) with its token count.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const parseText = <R = never>(
  request: { readonly file: Blob },
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.TextParserResponse, R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const valid = yield* VeniceClient.validateRequest("augment.text_parser", Schemas.TextParserRequest, request)
    const response = yield* client.json(
      {
        operation: "augment.text_parser",
        method: "POST",
        path: "augment/text-parser",
        body: { _tag: "form", value: Media.toFormData({ file: valid.file, response_format: "json" }) }
      },
      Schemas.TextParserResponse,
      options
    )
    return response.value
  })

/**
 * Extracts the text of a document as plain text (`response_format: "text"`).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const parseTextPlain = <R = never>(
  request: { readonly file: Blob },
  options?: VeniceClient.CallOptions<R>
): Call<string, R> =>
  Effect.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    const valid = yield* VeniceClient.validateRequest("augment.text_parser", Schemas.TextParserRequest, request)
    return yield* client.execute(
      {
        operation: "augment.text_parser",
        method: "POST",
        path: "augment/text-parser",
        body: { _tag: "form", value: Media.toFormData({ file: valid.file, response_format: "text" }) }
      },
      (raw) =>
        Effect.map(
          Jobs.readBytes("augment.text_parser", raw.response, raw.facts),
          (bytes) => new TextDecoder().decode(bytes)
        ),
      options
    )
  })

const scrapeEndpoint = jsonEndpoint({
  operation: "augment.scrape",
  method: "POST",
  path: "augment/scrape",
  request: Schemas.ScrapeRequest,
  response: Schemas.ScrapeResponse
})

/**
 * Fetches a page and returns it as markdown.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const scrape = <R = never>(
  request: typeof Schemas.ScrapeRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.ScrapeResponse, R> => Effect.map(scrapeEndpoint(request, options), (response) => response.value)

const searchEndpoint = jsonEndpoint({
  operation: "augment.search",
  method: "POST",
  path: "augment/search",
  request: Schemas.SearchRequest,
  response: Schemas.SearchResponse
})

/**
 * Searches the web (1–20 results, default 10).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const search = <R = never>(
  request: typeof Schemas.SearchRequest.Encoded,
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.SearchResponse, R> => Effect.map(searchEndpoint(request, options), (response) => response.value)
