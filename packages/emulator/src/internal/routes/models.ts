/**
 * `GET /models`: the catalog, filtered by `type`.
 */
import * as Effect from "effect/Effect"
import type { RouteSpec } from "../context.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import { V1 } from "./common.js"

const models: RouteSpec = {
  name: "models",
  method: "GET",
  path: `${V1}/models`,
  auth: "none",
  body: "none",
  handle: (ctx) =>
    Effect.sync(() => {
      const type = ctx.search.get("type") ?? "text"
      if (!Catalog.isTypeFilter(type)) return Reply.json(400, Catalog.invalidTypeBody(type))
      return Reply.json(200, { object: "list", type, data: Catalog.list(type) })
    })
}

/** The models routes. */
export const modelsRoutes: ReadonlyArray<RouteSpec> = [models]
