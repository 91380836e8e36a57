/**
 * Every Venice route of the emulator, one file per route family: what Venice answers on success and on the
 * route-specific failures the reference documents. Common concerns (auth, body parsing, limiters, faults, headers)
 * live in `../server.ts`; helpers the families share in `./common.ts`.
 */
import type { RouteSpec } from "../context.js"
import { accountRoutes } from "./account.js"
import { audioRoutes } from "./audio.js"
import { augmentRoutes } from "./augment.js"
import { billingRoutes } from "./billing.js"
import { characterRoutes } from "./characters.js"
import { chatRoutes } from "./chat.js"
import { cryptoRpcRoutes } from "./cryptoRpc.js"
import { embeddingsRoutes } from "./embeddings.js"
import { imageRoutes } from "./images.js"
import { jobRoutes } from "./jobs.js"
import { modelMappingRoutes } from "./modelMappings.js"
import { modelsRoutes } from "./models.js"
import { responsesRoutes } from "./responses.js"
import { voiceRoutes } from "./voices.js"
import { x402Routes } from "./x402.js"

export { paymentHeader } from "./x402.js"

/** Every Venice route of the emulator. */
export const routes: ReadonlyArray<RouteSpec> = [
  ...chatRoutes,
  ...responsesRoutes,
  ...modelsRoutes,
  ...embeddingsRoutes,
  ...imageRoutes,
  ...audioRoutes,
  ...jobRoutes,
  ...billingRoutes,
  ...cryptoRpcRoutes,
  ...x402Routes,
  ...accountRoutes,
  ...characterRoutes,
  ...modelMappingRoutes,
  ...voiceRoutes,
  ...augmentRoutes
]
