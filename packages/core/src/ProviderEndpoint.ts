/**
 * The shape of most provider endpoints, once: validate the input locally against its schema (B2), send it through
 * the provider's client, decode the 2xx body with the response schema. A provider package describes an endpoint
 * ({@link JsonEndpoint}) and gets the call; the client comes from the provider's `Context.Tag`.
 *
 * @example
 * ```ts
 * import type * as ProviderClient from "@venice-effect/core/ProviderClient"
 * import * as ProviderEndpoint from "@venice-effect/core/ProviderEndpoint"
 * import { Context, Schema } from "effect"
 *
 * class MyClient extends Context.Tag("MyClient")<MyClient, ProviderClient.Service<never, {}>>() {}
 *
 * const echo = ProviderEndpoint.json(MyClient)({
 *   operation: "echo",
 *   method: "POST",
 *   path: "/echo",
 *   request: Schema.Struct({ text: Schema.NonEmptyString }),
 *   response: Schema.Struct({ text: Schema.String })
 * })
 * // echo({ text: "hi" }): Effect<ProviderClient.Response<{ text: string }, {}>, ClientError, MyClient>
 * ```
 *
 * @since 0.2.0
 */
import type * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import type * as ClientError from "./ClientError.js"
import type * as ProviderClient from "./ProviderClient.js"
import * as RequestValidation from "./RequestValidation.js"

/**
 * How an endpoint turns its input (validated against `request` first) into a request.
 *
 * @since 0.2.0
 * @category models
 */
export interface JsonEndpoint<ReqA, ReqI, ResA, ResI> {
  readonly operation: string
  readonly method: ProviderClient.RequestSpec["method"]
  readonly path: string | ((input: ReqI) => string)
  readonly request: Schema.Schema<ReqA, ReqI>
  readonly response: Schema.Schema<ResA, ResI>
  readonly model?: ((input: ReqI) => string | undefined) | undefined
  readonly user?: ((input: ReqI) => string | undefined) | undefined
  readonly query?: ((input: ReqI) => Readonly<Record<string, string | undefined>>) | undefined
  /** Send a JSON body (default for every method but GET). */
  readonly body?: boolean | undefined
  /** The JSON body for an input (default: the input itself, which is what gets validated). */
  readonly bodyOf?: ((input: ReqI) => unknown) | undefined
  readonly resendable?: boolean | undefined
  readonly route?: ProviderClient.RequestSpec["route"]
  readonly headers?: ((input: ReqI) => Readonly<Record<string, string>>) | undefined
}

/**
 * The call of a JSON endpoint on the client behind `tag`: validates the input locally (nothing is sent when it is
 * invalid), sends it, decodes the answer; with the response's status, headers and provider facts.
 *
 * @since 0.2.0
 * @category constructors
 */
export const json =
  <I, E, Meta>(tag: Context.Tag<I, ProviderClient.Service<E, Meta>>) =>
  <ReqA, ReqI, ResA, ResI>(endpoint: JsonEndpoint<ReqA, ReqI, ResA, ResI>) =>
  <R = never>(
    input: ReqI,
    options?: ProviderClient.CallOptions<E, R>
  ): Effect.Effect<ProviderClient.Response<ResA, Meta>, E | ClientError.ClientError, I | R> =>
    Effect.flatMap(tag, (client) =>
      Effect.zipRight(
        // first: nothing below reads the input before it is known to be what the schema says (B3)
        RequestValidation.validate(client.provider, endpoint.operation, endpoint.request, input),
        Effect.suspend(() => {
          const sendBody = endpoint.body ?? endpoint.method !== "GET"
          return client.json(
            {
              operation: endpoint.operation,
              method: endpoint.method,
              path: typeof endpoint.path === "string" ? endpoint.path : endpoint.path(input),
              ...(sendBody
                ? { body: { _tag: "json", value: endpoint.bodyOf === undefined ? input : endpoint.bodyOf(input) } }
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
      ))
