/**
 * `GET /models/traits` and `GET /models/compatibility_mapping` (skill venice-models): per model type (default
 * `text`), the traits of the emulator's catalog and the aliases it maps. A bad `type` gets the same zod answer as
 * `GET /models`.
 */
import * as Effect from "effect/Effect"
import type { RouteSpec } from "../context.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import { V1 } from "./common.js"

const mapping = (
  name: "traits" | "compatibility_mapping",
  data: (type: string) => Readonly<Record<string, string>>
): RouteSpec => ({
  name: `models/${name}`,
  method: "GET",
  path: `${V1}/models/${name}`,
  auth: "none",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const type = ctx.search.get("type") ?? "text"
      if (!Catalog.isTypeFilter(type)) return Reply.json(400, Catalog.invalidTypeBody(type))
      return Reply.json(200, { object: "list", type, data: data(type === "code" ? "text" : type) })
    })
})

/** The model mapping routes of this file. */
export const modelMappingRoutes: ReadonlyArray<RouteSpec> = [
  mapping("traits", Catalog.traitsOf),
  mapping("compatibility_mapping", Catalog.compatibilityOf)
]
