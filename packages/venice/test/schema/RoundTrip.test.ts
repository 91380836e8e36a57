/**
 * Property tests: any value a schema accepts survives `encode → JSON → decode → encode` unchanged (in JSON), so a
 * request built with the SDK is sent as exactly the body its schema validated, and a decoded response re-encodes to
 * what Venice sent.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Audio from "@venice-effect/venice/schema/Audio"
import * as Chat from "@venice-effect/venice/schema/Chat"
import * as CryptoRpc from "@venice-effect/venice/schema/CryptoRpc"
import * as Embeddings from "@venice-effect/venice/schema/Embeddings"
import * as Image from "@venice-effect/venice/schema/Image"
import * as Models from "@venice-effect/venice/schema/Models"
import * as Responses from "@venice-effect/venice/schema/Responses"
import * as Video from "@venice-effect/venice/schema/Video"
import * as Schema from "effect/Schema"

const json = (value: unknown): string => JSON.stringify(value)

const roundTrips = <A, I>(name: string, schema: Schema.Schema<A, I>, numRuns = 40) =>
  it.prop(name, [schema], ([value]) => {
    const first = json(Schema.encodeSync(schema)(value))
    const decoded = Schema.decodeUnknownSync(schema)(JSON.parse(first))
    expect(json(Schema.encodeSync(schema)(decoded))).toBe(first)
  }, { fastCheck: { numRuns } })

describe("encode → JSON → decode round trips", () => {
  roundTrips("Chat.ChatCompletionRequest", Chat.ChatCompletionRequest)
  roundTrips("Chat.ChatCompletion", Chat.ChatCompletion)
  roundTrips("Chat.ChatCompletionStreamEvent", Chat.ChatCompletionStreamEvent)
  roundTrips("Responses.ResponsesRequest", Responses.ResponsesRequest)
  roundTrips("Responses.ResponsesResponse", Responses.ResponsesResponse, 20)
  roundTrips("Responses.ResponseStreamEvent", Responses.ResponseStreamEvent, 20)
  roundTrips("Models.ModelList", Models.ModelList, 20)
  roundTrips("Embeddings.EmbeddingRequest", Embeddings.EmbeddingRequest)
  roundTrips("Image.GenerateImageRequest", Image.GenerateImageRequest)
  roundTrips("Audio.SpeechRequest", Audio.SpeechRequest)
  roundTrips("Audio.QueueAudioRequest", Audio.QueueAudioRequest)
  roundTrips("Video.QueueVideoRequest", Video.QueueVideoRequest)
  roundTrips("Video.RetrieveVideoStatus", Video.RetrieveVideoStatus)
  roundTrips("CryptoRpc.CryptoRpcRequest", CryptoRpc.CryptoRpcRequest)
})
