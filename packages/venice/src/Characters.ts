/**
 * Characters (preview API): browse Venice's public personas (`GET /characters`), read one by slug
 * (`GET /characters/{slug}`, `404 CHARACTER_NOT_FOUND` when unknown), and page through its reviews. Apply one to a
 * chat with `venice_parameters: { character_slug }`. Every route needs credentials (a Bearer key or a wallet).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Characters, Chat } from "@venice-effect/venice"
 *
 * const program = Effect.gen(function*() {
 *   const { data } = yield* Characters.list({ search: "philosopher", sortBy: "highestRating", limit: 5 })
 *   const character = data[0]!
 *   return yield* Chat.completions({
 *     model: character.modelId,
 *     venice_parameters: { character_slug: character.slug },
 *     messages: [{ role: "user", content: "What is the nature of mind?" }]
 *   })
 * })
 * ```
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import { jsonEndpoint } from "./internal/endpoint.js"
import type * as RetryPolicy from "./RetryPolicy.js"
import * as Schemas from "./schema/Characters.js"
import type * as VeniceClient from "./VeniceClient.js"

type Call<A, R> = Effect.Effect<A, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R>

const text = (value: string | number | ReadonlyArray<string> | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === "object" ? value.join(",") : String(value)

const listEndpoint = jsonEndpoint({
  operation: "characters.list",
  method: "GET",
  path: "characters",
  request: Schemas.ListCharactersParams,
  response: Schemas.CharacterList,
  query: (params) => Object.fromEntries(Object.entries(params).map(([k, v]) => [k, text(v)]))
})

/**
 * Lists characters (search, categories, tags, backing models, flags, sort; `limit` 1–100, default 50). List filters
 * are sent comma-separated.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const list = <R = never>(
  params: Schemas.ListCharactersParams = {},
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.CharacterList, R> => Effect.map(listEndpoint(params, options), (response) => response.value)

const Slug = Schema.Struct({ slug: Schema.String.pipe(Schema.minLength(1)) })

const getEndpoint = jsonEndpoint({
  operation: "characters.get",
  method: "GET",
  path: (input: { readonly slug: string }) => `characters/${encodeURIComponent(input.slug)}`,
  request: Slug,
  response: Schemas.CharacterResponse
})

/**
 * Reads one character by its slug (the public id in `venice.ai/c/<slug>`, not the UUID).
 *
 * @since 0.1.0
 * @category endpoints
 */
export const get = <R = never>(
  slug: string,
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.CharacterResponse, R> => Effect.map(getEndpoint({ slug }, options), (response) => response.value)

const ReviewsInput = Schema.Struct({ ...Slug.fields, ...Schemas.ReviewsParams.fields })

const reviewsEndpoint = jsonEndpoint({
  operation: "characters.reviews",
  method: "GET",
  path: (input: typeof ReviewsInput.Encoded) => `characters/${encodeURIComponent(input.slug)}/reviews`,
  request: ReviewsInput,
  response: Schemas.CharacterReviews,
  query: (input) => ({ page: text(input.page), pageSize: text(input.pageSize) })
})

/**
 * Reads a page of a character's reviews (`page` from 1, `pageSize` 1–100, default 20), with the pagination and the
 * rating summary.
 *
 * @since 0.1.0
 * @category endpoints
 */
export const reviews = <R = never>(
  slug: string,
  params: Schemas.ReviewsParams = {},
  options?: VeniceClient.CallOptions<R>
): Call<Schemas.CharacterReviews, R> =>
  Effect.map(reviewsEndpoint({ slug, ...params }, options), (response) => response.value)
