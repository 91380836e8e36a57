/**
 * The `LanguageModel` both providers share: build the request (provider-specific), send it through the provider's
 * client, turn the answer into `@effect/ai` parts, check structured output, annotate the span, and map every failure
 * to an `AiError` that carries it.
 */
import type * as AiError from "@effect/ai/AiError"
import * as LanguageModel from "@effect/ai/LanguageModel"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Scope from "effect/Scope"
import * as Stream from "effect/Stream"
import * as Wire from "./chat.js"
import * as Errors from "./errors.js"
import * as Telemetry from "./telemetry.js"

/** What a provider module plugs in. */
export interface Backend<Request extends Telemetry.RequestFacts, Call, Chunk extends Wire.WireChunk> {
  readonly info: Wire.ProviderInfo
  /** The provider's request (and its per-call options) from the `@effect/ai` options and the configuration. */
  readonly request: (
    options: LanguageModel.ProviderOptions
  ) => Effect.Effect<{ readonly request: Request; readonly call: Call }, AiError.AiError>
  /** Sends a plain request: the completion and the facts of its response (request id, cost …). */
  readonly complete: (
    request: Request,
    call: Call
  ) => Effect.Effect<
    {
      readonly completion: Wire.WireCompletion
      readonly facts: Wire.ResponseFacts
      readonly requestId?: string | undefined
    },
    Errors.Failure
  >
  /** Opens a stream: its chunks, and the facts of its response once the last chunk is known. */
  readonly open: (
    request: Request,
    call: Call
  ) => Effect.Effect<
    {
      readonly chunks: Stream.Stream<Chunk, Errors.Failure>
      readonly facts: (model: string, last: Chunk | undefined) => Wire.ResponseFacts
    },
    Errors.Failure,
    Scope.Scope
  >
}

const fromEither = <A>(
  either: Either.Either<A, Errors.Failure>,
  site: Errors.Site
): Effect.Effect<A, AiError.AiError> =>
  Either.match(either, {
    onLeft: (failure) => Effect.fail(Errors.toAiError(failure, site)),
    onRight: Effect.succeed
  })

/** The `LanguageModel` service over a backend. */
export const make = <Request extends Telemetry.RequestFacts, Call, Chunk extends Wire.WireChunk>(
  backend: Backend<Request, Call, Chunk>
): Effect.Effect<LanguageModel.Service> => {
  const { info } = backend
  const site = (method: string): Errors.Site => ({ module: info.module, method })
  const prepare = (options: LanguageModel.ProviderOptions) =>
    Effect.tap(
      backend.request(options),
      ({ request }) => Effect.sync(() => Telemetry.annotateRequest(options.span, info.name, request))
    )

  const generateText = (options: LanguageModel.ProviderOptions) =>
    Effect.gen(function*() {
      const method = options.responseFormat.type === "json" ? "generateObject" : "generateText"
      const { call, request } = yield* prepare(options)
      const { completion, facts, requestId } = yield* Effect.mapError(
        backend.complete(request, call),
        (failure) => Errors.toAiError(failure, site(method))
      )
      const parts = yield* fromEither(Wire.completionParts(info, completion, facts), site(method))
      yield* fromEither(
        Wire.checkStructuredOutput(options, info, parts, { model: completion.model, requestId }),
        site(method)
      )
      Telemetry.annotateParts(options.span, parts)
      return parts
    })

  const streamText = (options: LanguageModel.ProviderOptions) =>
    Stream.unwrapScoped(Effect.gen(function*() {
      const { call, request } = yield* prepare(options)
      const opened = yield* Effect.mapError(backend.open(request, call), (f) => Errors.toAiError(f, site("streamText")))
      const assembler = new Wire.StreamAssembler(info)
      let model = request.model
      let last: Chunk | undefined
      return opened.chunks.pipe(
        Stream.mapError((failure) => Errors.toAiError(failure, site("streamText"))),
        Stream.mapEffect((chunk) => {
          model = chunk.model
          last = chunk
          return fromEither(assembler.push(chunk), site("streamText"))
        }),
        Stream.concat(Stream.suspend(() =>
          Stream.fromEffect(fromEither(assembler.end(opened.facts(model, last)), site("streamText")))
        )),
        Stream.tap((parts) =>
          Effect.sync(() => Telemetry.annotateParts(options.span, parts))
        ),
        Stream.flattenIterables
      )
    }))

  return LanguageModel.make({ generateText, streamText })
}
