/**
 * `POST /api/v1/embeddings` (OpenAI-compatible): the request (non-empty string or 1–2048 strings; token arrays are
 * not supported) and the response (float vectors, or base64 strings with `encoding_format: "base64"`).
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Common from "./Common.js"

const optional = <S extends Schema.Schema.All>(schema: S) => Schema.optionalWith(schema, { exact: true })

/**
 * Embedding model ids the spec lists (the catalog changes: any non-empty id is accepted; see
 * `GET /models?type=embedding`).
 *
 * @since 0.1.0
 * @category request
 */
export const EmbeddingModelId = Common.KnownModelId(
  "text-embedding-bge-m3",
  "text-embedding-bge-en-icl",
  "text-embedding-qwen3-8b",
  "text-embedding-qwen3-0-6b",
  "text-embedding-multilingual-e5-large-instruct",
  "text-embedding-3-small",
  "text-embedding-3-large",
  "gemini-embedding-2-preview",
  "text-embedding-nemotron-embed-vl-1b-v2"
)

/**
 * What to embed: one non-empty string, or 1–2048 strings (one embedding each, in order). Token arrays are rejected
 * by Venice (LangChain's `OpenAIEmbeddings` needs `check_embedding_ctx_length=False`).
 *
 * @since 0.1.0
 * @category request
 */
export const EmbeddingInput = Schema.Union(
  Schema.String.pipe(Schema.minLength(1, { message: () => "input must not be an empty string" })),
  Schema.Array(Schema.String).pipe(
    Schema.minItems(1, { message: () => "input must contain at least one string" }),
    Schema.maxItems(2048, { message: () => "input must contain 2048 strings or less" })
  )
)

/**
 * The request body of `POST /embeddings`.
 *
 * @since 0.1.0
 * @category request
 */
export class EmbeddingRequest extends Schema.Class<EmbeddingRequest>("EmbeddingRequest")(
  {
    /** Embedding model id. */
    model: EmbeddingModelId,
    /** Text to embed (each string within the model's `maxInputTokens`, typically 8192). */
    input: EmbeddingInput,
    /** `float` (default) or `base64` (about 4× smaller; decode client side). */
    encoding_format: optional(Schema.Literal("float", "base64")),
    /** Output dimensions (integer ≥ 1); meaningful with `model_spec.supportsCustomDimensions`. */
    dimensions: optional(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))),
    /** Accepted for OpenAI compatibility; discarded. */
    user: optional(Schema.String)
  },
  [undefined, undefined, Common.rejectExcess]
) {}

/**
 * One embedding: a float vector, or a base64 string of little-endian float32 values with
 * `encoding_format: "base64"`.
 *
 * @since 0.1.0
 * @category response
 */
export const Embedding = Schema.Struct({
  object: Schema.Literal("embedding"),
  /** Position of the input this embeds. */
  index: Schema.Finite,
  /** The vector. */
  embedding: Schema.Union(Schema.Array(Schema.Finite), Schema.String)
}).annotations({ identifier: "Embedding" })

/**
 * The response of `POST /embeddings`.
 *
 * @since 0.1.0
 * @category response
 */
export class EmbeddingResponse extends Schema.Class<EmbeddingResponse>("EmbeddingResponse")({
  object: Schema.Literal("list"),
  /** The model that produced the embeddings. */
  model: Schema.String,
  /** One embedding per input, with matching `index`. */
  data: Schema.Array(Embedding),
  /** Token usage. */
  usage: Schema.Struct({
    prompt_tokens: Schema.Finite,
    total_tokens: Schema.Finite
  })
}) {}
