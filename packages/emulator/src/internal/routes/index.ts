/**
 * The Venice routes that live in their own files, one file per route family (the routes of `../routes.ts` are moved
 * here family by family).
 */
import type { RouteSpec } from "../context.js"
import { accountRoutes } from "./account.js"
import { augmentRoutes } from "./augment.js"
import { characterRoutes } from "./characters.js"
import { imageRoutes } from "./images.js"
import { jobRoutes } from "./jobs.js"
import { modelMappingRoutes } from "./modelMappings.js"
import { voiceRoutes } from "./voices.js"

/** Every route of this folder. */
export const familyRoutes: ReadonlyArray<RouteSpec> = [
  ...imageRoutes,
  ...accountRoutes,
  ...characterRoutes,
  ...modelMappingRoutes,
  ...jobRoutes,
  ...voiceRoutes,
  ...augmentRoutes
]
