import type * as Effect from "effect/Effect"
import * as EffectM from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as RetryPolicy from "../RetryPolicy.js"
import * as VeniceClient from "../VeniceClient.js"

/** How an endpoint turns its (validated) input into a request. */
export interface JsonEndpoint<ReqA, ReqI, ResA, ResI> {
  readonly operation: string
  readonly method: VeniceClient.RequestSpec["method"]
  readonly path: string | ((input: ReqI) => string)
  readonly request: Schema.Schema<ReqA, ReqI>
  readonly response: Schema.Schema<ResA, ResI>
  readonly model?: (input: ReqI) => string | undefined
  readonly user?: (input: ReqI) => string | undefined
  readonly query?: (input: ReqI) => Readonly<Record<string, string | undefined>>
  /** Send a JSON body (default for every method but GET). */
  readonly body?: boolean
  /** The JSON body for an input (default: the input itself). */
  readonly bodyOf?: (input: ReqI) => unknown
  readonly resendable?: boolean
  readonly route?: "crypto-rpc"
  readonly headers?: (input: ReqI) => Readonly<Record<string, string>>
}

/** Validates the input locally, sends it, decodes the response: the shape of most Venice endpoints. */
export const jsonEndpoint = <ReqA, ReqI, ResA, ResI>(endpoint: JsonEndpoint<ReqA, ReqI, ResA, ResI>) =>
<R = never>(
  input: ReqI,
  options?: VeniceClient.CallOptions<R>
): Effect.Effect<VeniceClient.Response<ResA>, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
  EffectM.gen(function*() {
    const client = yield* VeniceClient.VeniceClient
    yield* VeniceClient.validateRequest(endpoint.operation, endpoint.request, input)
    const sendBody = endpoint.body ?? endpoint.method !== "GET"
    return yield* client.json(
      {
        operation: endpoint.operation,
        method: endpoint.method,
        path: typeof endpoint.path === "string" ? endpoint.path : endpoint.path(input),
        ...(sendBody
          ? { body: { _tag: "json" as const, value: endpoint.bodyOf ? endpoint.bodyOf(input) : input } }
          : {}),
        ...(endpoint.query !== undefined ? { query: endpoint.query(input) } : {}),
        model: endpoint.model?.(input),
        user: endpoint.user?.(input),
        resendable: endpoint.resendable,
        route: endpoint.route,
        ...(endpoint.headers !== undefined ? { headers: endpoint.headers(input) } : {})
      },
      endpoint.response,
      options
    )
  })
