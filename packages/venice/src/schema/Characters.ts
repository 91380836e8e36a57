/**
 * `GET /api/v1/characters`, `/characters/{slug}`, `/characters/{slug}/reviews` (preview API): Venice's public
 * personas. Apply one to a chat with `venice_parameters.character_slug`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

const flag = Schema.Literal("true", "false")
const list = (maxLength: number) =>
  Schema.Array(Schema.String.pipe(Schema.maxLength(maxLength))).pipe(Schema.maxItems(20))

/**
 * The query of `GET /characters`.
 *
 * @since 0.1.0
 * @category request
 */
export const ListCharactersParams = Schema.Struct({
  /** Name, description or tag (`#Philosophy`), ≤ 200 characters. */
  search: optional(Schema.String.pipe(Schema.maxLength(200))),
  categories: optional(list(100)),
  tags: optional(list(100)),
  /** Backing models. */
  modelId: optional(list(200)),
  /** Adult characters are left out unless `"true"`. */
  isAdult: optional(flag),
  isPro: optional(flag),
  isWebEnabled: optional(flag),
  sortBy: optional(
    Schema.Literal(
      "featured",
      "highestRating",
      "highlyRated",
      "highlyRatedAndRecent",
      "imports",
      "mostRecent",
      "ratingCount"
    )
  ),
  sortOrder: optional(Schema.Literal("asc", "desc")),
  /** 1–100 (default 50). */
  limit: optional(Schema.Int.pipe(Schema.between(1, 100))),
  offset: optional(Schema.Int.pipe(Schema.nonNegative()))
}).annotations({ identifier: "ListCharactersParams", parseOptions: { onExcessProperty: "error" } })

/**
 * @since 0.1.0
 * @category request
 */
export type ListCharactersParams = typeof ListCharactersParams.Encoded

/**
 * A character. Pass `slug` (not `id`) as `character_slug`; `photoUrl`, `shareUrl` and `description` may be `null`.
 *
 * @since 0.1.0
 * @category response
 */
export const Character = Schema.Struct({
  id: Schema.String,
  slug: Schema.String,
  name: Schema.String,
  description: Schema.NullOr(Schema.String),
  author: Schema.String,
  adult: Schema.Boolean,
  featured: Schema.Boolean,
  webEnabled: Schema.Boolean,
  modelId: Schema.String,
  tags: Schema.Array(Schema.String),
  photoUrl: Schema.NullOr(Schema.String),
  shareUrl: Schema.NullOr(Schema.String),
  stats: Schema.Struct({
    averageRating: Schema.Finite,
    imports: Schema.Finite,
    ratingCount: Schema.Finite,
    ratingSum: Schema.Finite,
    userRating: optional(Schema.NullOr(Schema.Finite))
  }),
  createdAt: Schema.String,
  updatedAt: Schema.String
}).annotations({ identifier: "Character" })

/**
 * @since 0.1.0
 * @category response
 */
export type Character = typeof Character.Type

/**
 * `GET /characters`.
 *
 * @since 0.1.0
 * @category response
 */
export class CharacterList extends Schema.Class<CharacterList>("CharacterList")({
  object: Common.OpenLiteral("list"),
  data: Schema.Array(Character)
}) {}

/**
 * `GET /characters/{slug}` (`404` for an unknown or unpublished slug: `CHARACTER_NOT_FOUND`).
 *
 * @since 0.1.0
 * @category response
 */
export class CharacterResponse extends Schema.Class<CharacterResponse>("CharacterResponse")({
  object: Common.OpenLiteral("character"),
  data: Character
}) {}

/**
 * The query of `GET /characters/{slug}/reviews`.
 *
 * @since 0.1.0
 * @category request
 */
export const ReviewsParams = Schema.Struct({
  /** 1-based page (default 1). */
  page: optional(Schema.Int.pipe(Schema.positive())),
  /** 1–100 (default 20). */
  pageSize: optional(Schema.Int.pipe(Schema.between(1, 100)))
}).annotations({ identifier: "ReviewsParams", parseOptions: { onExcessProperty: "error" } })

/**
 * @since 0.1.0
 * @category request
 */
export type ReviewsParams = typeof ReviewsParams.Encoded

/**
 * One public review.
 *
 * @since 0.1.0
 * @category response
 */
export const CharacterReview = Schema.Struct({
  id: Schema.String,
  characterId: Schema.String,
  createdAt: Schema.String,
  rating: Schema.Int.pipe(Schema.between(1, 5)),
  message: Schema.NullOr(Schema.String),
  locale: Schema.NullOr(Schema.String),
  username: Schema.String,
  isOwner: Schema.Boolean,
  userAvatarUrl: Schema.NullOr(Schema.String)
}).annotations({ identifier: "CharacterReview" })

/**
 * `GET /characters/{slug}/reviews`: a page of reviews, its pagination and the rating summary.
 *
 * @since 0.1.0
 * @category response
 */
export class CharacterReviews extends Schema.Class<CharacterReviews>("CharacterReviews")({
  object: Common.OpenLiteral("list"),
  data: Schema.Array(CharacterReview),
  pagination: Schema.Struct({
    page: Schema.Int,
    pageSize: Schema.Int,
    total: Schema.Int,
    totalPages: Schema.Int
  }),
  summary: Schema.Struct({ averageRating: Schema.Finite, totalReviews: Schema.Int })
}) {}
