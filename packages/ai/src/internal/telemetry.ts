/**
 * OpenTelemetry GenAI attributes on `@effect/ai`'s span (`LanguageModel.generateText` …), as `@effect/ai`'s own
 * providers set them: system, operation, request parameters, response id / model / finish reasons, usage. Never the
 * prompt, the answer or a credential (those only with `AiTelemetry.withContentCapture`, A3).
 */
import type * as Response from "@effect/ai/Response"
import * as Telemetry from "@effect/ai/Telemetry"
import type { Span } from "effect/Tracer"

/** The request fields the GenAI conventions name. */
export interface RequestFacts {
  readonly model: string
  readonly temperature?: number | undefined
  readonly top_p?: number | undefined
  readonly top_k?: number | undefined
  readonly max_tokens?: number | undefined
  readonly max_completion_tokens?: number | undefined
  readonly stop?: string | ReadonlyArray<string> | null | undefined
  readonly frequency_penalty?: number | undefined
  readonly presence_penalty?: number | undefined
  readonly seed?: number | undefined
}

/** Request attributes, set before the call. */
export const annotateRequest = (span: Span, system: string, request: RequestFacts): void => {
  const stop = request.stop
  Telemetry.addGenAIAnnotations(span, {
    system,
    operation: { name: "chat" },
    request: {
      model: request.model,
      temperature: request.temperature,
      topP: request.top_p,
      topK: request.top_k,
      maxTokens: request.max_completion_tokens ?? request.max_tokens,
      stopSequences: typeof stop === "string" ? [stop] : stop ?? undefined,
      frequencyPenalty: request.frequency_penalty,
      presencePenalty: request.presence_penalty,
      seed: request.seed
    }
  })
}

/** Response attributes, from the response's parts (plain or streamed). */
export const annotateParts = (
  span: Span,
  parts: ReadonlyArray<Response.PartEncoded | Response.StreamPartEncoded>
): void => {
  for (const part of parts) {
    if (part.type === "response-metadata") {
      Telemetry.addGenAIAnnotations(span, { response: { id: part.id, model: part.modelId } })
    } else if (part.type === "finish") {
      Telemetry.addGenAIAnnotations(span, {
        response: { finishReasons: [part.reason] },
        usage: { inputTokens: part.usage.inputTokens, outputTokens: part.usage.outputTokens }
      })
    }
  }
}

/** Embedding request and usage attributes. */
export const annotateEmbeddings = (
  span: Span,
  system: string,
  facts: { readonly model: string; readonly dimensions?: number | undefined; readonly inputTokens?: number | undefined }
): void => {
  Telemetry.addGenAIAnnotations(span, {
    system,
    operation: { name: "embeddings" },
    request: { model: facts.model },
    usage: { inputTokens: facts.inputTokens }
  })
  if (facts.dimensions !== undefined) span.attribute("gen_ai.embeddings.dimension.count", facts.dimensions)
}
