/**
 * `POST /api/v1/augment/text-parser` (multipart document → text), `/augment/scrape` (URL → markdown) and
 * `/augment/search` (web search results): helpers for agent pipelines, with zero content retention.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * The request of `POST /augment/text-parser`: a PDF, DOCX, PPTX, XLSX or plain-text file (≤ 25 MB) and the answer's
 * format (`json`, default: `{ text, tokens }`; `text`: the text alone).
 *
 * @since 0.1.0
 * @category request
 */
export class TextParserRequest extends Schema.Class<TextParserRequest>("TextParserRequest")(
  {
    file: Schema.instanceOf(Blob),
    response_format: optional(Schema.Literal("json", "text"))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The JSON answer of `POST /augment/text-parser`: the extracted text and its token count (scanned PDFs are not OCR'd).
 *
 * @since 0.1.0
 * @category response
 */
export class TextParserResponse extends Schema.Class<TextParserResponse>("TextParserResponse")({
  text: Schema.String,
  tokens: Schema.Finite
}) {}

/**
 * The request of `POST /augment/scrape`. X/Twitter and Reddit are refused (`400`).
 *
 * @since 0.1.0
 * @category request
 */
export class ScrapeRequest extends Schema.Class<ScrapeRequest>("ScrapeRequest")(
  { url: Schema.String.pipe(Schema.pattern(/^https?:\/\/\S+$/i, { message: () => "an http(s) URL" })) },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * The answer of `POST /augment/scrape`: the page as markdown (possibly partial).
 *
 * @since 0.1.0
 * @category response
 */
export class ScrapeResponse extends Schema.Class<ScrapeResponse>("ScrapeResponse")({
  url: Schema.String,
  content: Schema.String,
  format: Common.OpenLiteral("markdown")
}) {}

/**
 * The request of `POST /augment/search`: a query of 1–400 characters (longer is refused, not truncated), up to
 * `limit` results (1–20, default 10), from `brave` (default, zero data retention) or `google` (anonymized).
 *
 * @since 0.1.0
 * @category request
 */
export class SearchRequest extends Schema.Class<SearchRequest>("SearchRequest")(
  {
    query: Schema.String.pipe(Schema.minLength(1), Schema.maxLength(400)),
    limit: optional(Schema.Int.pipe(Schema.between(1, 20))),
    search_provider: optional(Schema.Literal("brave", "google"))
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * One search result (`date` may be empty when unknown).
 *
 * @since 0.1.0
 * @category response
 */
export const SearchResult = Schema.Struct({
  title: Schema.String,
  url: Schema.String,
  content: Schema.String,
  date: Schema.String
}).annotations({ identifier: "SearchResult" })

/**
 * The answer of `POST /augment/search`.
 *
 * @since 0.1.0
 * @category response
 */
export class SearchResponse extends Schema.Class<SearchResponse>("SearchResponse")({
  query: Schema.String,
  results: Schema.Array(SearchResult)
}) {}
