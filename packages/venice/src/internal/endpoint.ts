import * as ProviderEndpoint from "@venice-effect/core/ProviderEndpoint"
import * as VeniceClient from "../VeniceClient.js"

/** How an endpoint turns its (validated) input into a request: core's `ProviderEndpoint.JsonEndpoint`. */
export type JsonEndpoint<ReqA, ReqI, ResA, ResI> = ProviderEndpoint.JsonEndpoint<ReqA, ReqI, ResA, ResI>

/** Validates the input locally, sends it, decodes the response: the shape of most Venice endpoints. */
export const jsonEndpoint = ProviderEndpoint.json(VeniceClient.VeniceClient)
