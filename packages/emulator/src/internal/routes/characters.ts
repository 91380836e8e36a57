/**
 * The character routes (skill venice-characters, preview API): a small fixed catalog, searched, filtered (adult
 * characters only with `isAdult=true`), sorted and paged like Venice, with reviews paged and summarized (and the
 * `x-pagination-*` headers). An unknown slug is `404 CHARACTER_NOT_FOUND`.
 */
import * as Characters from "@venice-effect/venice/schema/Characters"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { Ctx, RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Reply from "../reply.js"
import { validate } from "../validation.js"
import { V1 } from "./common.js"

const character = (
  id: string,
  slug: string,
  name: string,
  modelId: string,
  fields: {
    readonly tags: ReadonlyArray<string>
    readonly adult?: boolean
    readonly featured?: boolean
    readonly rating: number
    readonly imports: number
  }
) => ({
  id,
  slug,
  name,
  description: `${name}, a character of the Venice emulator.`,
  author: "k3x9q",
  adult: fields.adult ?? false,
  featured: fields.featured ?? false,
  webEnabled: true,
  modelId,
  tags: fields.tags,
  photoUrl: null,
  shareUrl: `https://venice.ai/c/${slug}`,
  stats: {
    averageRating: fields.rating,
    imports: fields.imports,
    ratingCount: 4,
    ratingSum: Math.round(fields.rating * 4),
    userRating: null
  },
  createdAt: "2024-12-20T21:28:08.934Z",
  updatedAt: "2025-02-09T03:23:53.708Z"
})

/** @internal */
export const catalog = [
  character("2f460055-7595-4640-9cb6-c442c4c869b0", "alan-watts", "Alan Watts", "venice-uncensored", {
    tags: ["philosophy", "zen"],
    featured: true,
    rating: 4.7,
    imports: 112
  }),
  character("7c1d2a4e-31f0-4b6e-8f0a-2d5b9e1c0a11", "code-coach", "Code Coach", "qwen3-coder-480b-a35b-instruct", {
    tags: ["coding"],
    rating: 4.2,
    imports: 40
  }),
  character("b93e0f52-6a1d-4c8e-9d27-5f4a3c2b1e00", "night-owl", "Night Owl", "venice-uncensored", {
    tags: ["roleplay"],
    adult: true,
    rating: 3.9,
    imports: 12
  })
]

const reviewsOf = (slug: string) =>
  Array.from({ length: 4 }, (_, i) => ({
    id: `1e38fb78-043f-4ce2-b3bc-${slug.length.toString(16).padStart(8, "0")}000${i}`,
    characterId: catalog.find((c) => c.slug === slug)?.id ?? "",
    createdAt: new Date(Date.UTC(2025, 1, 9 + i)).toISOString(),
    rating: 5 - (i % 2),
    message: i === 3 ? null : "Thoughtful and grounded.",
    locale: "en",
    username: `product_user_${42 + i}`,
    isOwner: false,
    userAvatarUrl: null
  }))

const list = (value: string | undefined): ReadonlyArray<string> | undefined =>
  value === undefined ? undefined : value.split(",").map((s) => s.trim()).filter((s) => s.length > 0)

const parse = (ctx: Ctx) => {
  const q = ctx.search
  const out: Record<string, unknown> = {}
  for (const key of new Set(q.keys())) {
    const all = q.getAll(key)
    out[key] = ["categories", "tags", "modelId"].includes(key) ? all.flatMap((v) => list(v) ?? []) : all[all.length - 1]
  }
  return numeric(out, ["limit", "offset"])
}

/** Query numbers as numbers (anything else is left for the request schema to refuse). */
const numeric = (query: Record<string, unknown>, keys: ReadonlyArray<string>): Record<string, unknown> => {
  for (const key of keys) {
    const value = query[key]
    if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value))) query[key] = Number(value)
  }
  return query
}

const featured = (c: (typeof catalog)[number]): number => (c.featured ? 1 : 0)
const sorters: Readonly<Record<string, (c: (typeof catalog)[number]) => number>> = {
  featured,
  highestRating: (c) => c.stats.averageRating,
  highlyRated: (c) => c.stats.averageRating,
  highlyRatedAndRecent: (c) => c.stats.averageRating,
  imports: (c) => c.stats.imports,
  mostRecent: (c) => Date.parse(c.createdAt),
  ratingCount: (c) => c.stats.ratingCount
}

const listCharacters: RouteSpec = {
  name: "characters",
  method: "GET",
  path: `${V1}/characters`,
  auth: "any",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const decoded = validate(Characters.ListCharactersParams, parse(ctx))
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const p = decoded.right
      const search = p.search?.replace(/^#/, "").toLowerCase()
      const found = catalog.filter((c) =>
        (p.isAdult === "true" ? c.adult : !c.adult) &&
        (search === undefined || [c.name, c.description, ...c.tags].some((t) => t.toLowerCase().includes(search))) &&
        (p.tags === undefined || p.tags.length === 0 || p.tags.some((t) => c.tags.includes(t))) &&
        (p.modelId === undefined || p.modelId.length === 0 || p.modelId.includes(c.modelId))
      )
      const sort = sorters[p.sortBy ?? "featured"] ?? featured
      const ordered = [...found].sort((a, b) => (p.sortOrder === "asc" ? sort(a) - sort(b) : sort(b) - sort(a)))
      const offset = p.offset ?? 0
      return Reply.json(200, { object: "list", data: ordered.slice(offset, offset + (p.limit ?? 50)) })
    })
}

const getCharacter: RouteSpec = {
  name: "characters/slug",
  method: "GET",
  path: `${V1}/characters/:slug`,
  auth: "any",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const found = catalog.find((c) => c.slug === ctx.params.slug)
      return found === undefined
        ? Errors.codeReply("CHARACTER_NOT_FOUND", ctx.errorEnv)
        : Reply.json(200, { object: "character", data: found })
    })
}

const reviews: RouteSpec = {
  name: "characters/slug/reviews",
  method: "GET",
  path: `${V1}/characters/:slug/reviews`,
  auth: "any",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const decoded = validate(Characters.ReviewsParams, numeric(Object.fromEntries(ctx.search), ["page", "pageSize"]))
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const found = catalog.find((c) => c.slug === ctx.params.slug)
      if (found === undefined) return Errors.codeReply("CHARACTER_NOT_FOUND", ctx.errorEnv)
      const all = reviewsOf(found.slug)
      const page = decoded.right.page ?? 1
      const pageSize = decoded.right.pageSize ?? 20
      const totalPages = Math.ceil(all.length / pageSize)
      const average = all.reduce((s, r) => s + r.rating, 0) / all.length
      return Reply.json(200, {
        object: "list",
        data: all.slice((page - 1) * pageSize, page * pageSize),
        pagination: { page, pageSize, total: all.length, totalPages },
        summary: { averageRating: Math.round(average * 10) / 10, totalReviews: all.length }
      }, {
        "x-pagination-limit": String(pageSize),
        "x-pagination-page": String(page),
        "x-pagination-total": String(all.length),
        "x-pagination-total-pages": String(totalPages)
      })
    })
}

/** The character routes of this file. */
export const characterRoutes: ReadonlyArray<RouteSpec> = [listCharacters, getCharacter, reviews]
