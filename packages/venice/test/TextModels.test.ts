/**
 * The model id of chat and `/responses` requests: a literal union of the known text model ids (editor completion)
 * that still accepts any string, generated from the skills' routing matrix and the emulator's catalog. The type-level
 * assertions are checked by `tsc -b` (they fail to compile if `model` is a plain `string`).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { describe, expect, it } from "@effect/vitest"
import * as VeniceEmulator from "@venice-effect/emulator/VeniceEmulator"
import type * as Chat from "@venice-effect/venice/Chat"
import type * as ChatStream from "@venice-effect/venice/ChatStream"
import * as Models from "@venice-effect/venice/Models"
import type * as Responses from "@venice-effect/venice/Responses"
import * as TextModels from "@venice-effect/venice/schema/TextModels"
import * as VeniceClient from "@venice-effect/venice/VeniceClient"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { expectTypeOf } from "vitest"

type ChatModel = Chat.ChatCompletionRequest["model"]
type ResponsesModel = Responses.ResponsesRequest["model"]

describe("TextModelId", () => {
  it("known ids and traits are literal members of `model`; any other id is accepted too", () => {
    expectTypeOf<Extract<ChatModel, "zai-org-glm-5-1">>().toEqualTypeOf<"zai-org-glm-5-1">()
    expectTypeOf<Extract<ChatModel, "most_uncensored">>().toEqualTypeOf<"most_uncensored">()
    expectTypeOf<Extract<ResponsesModel, "venice-uncensored">>().toEqualTypeOf<"venice-uncensored">()
    expectTypeOf<"a-model-from-next-week">().toMatchTypeOf<ChatModel>()
    expectTypeOf<Extract<NonNullable<Chat.ChatOptions["fallbackModels"]>[number], "qwen3-4b">>().toEqualTypeOf<
      "qwen3-4b"
    >()
    expectTypeOf<NonNullable<ChatStream.StreamOptions["fallbackModels"]>[number]>().toEqualTypeOf<
      TextModels.TextModelId
    >()
  })

  it("decodes any non-empty id (a newer model, a feature suffix) and refuses an empty one with one message", () => {
    const decode = Schema.decodeUnknownEither(TextModels.TextModelId)
    expect(decode("zai-org-glm-5-1:enable_web_search=on")).toMatchObject({ _tag: "Right" })
    expect(decode("")).toMatchObject({ _tag: "Left" })
    expect(decode(7)).toMatchObject({ _tag: "Left" })
  })

  it.scoped("lists every text model the emulator serves (GET /models), and the trait shortcuts", () =>
    Effect.gen(function*() {
      const emulator = yield* VeniceEmulator.make({ keys: ["k"] })
      const served = yield* Models.list({ type: "text" }).pipe(
        Effect.provide(VeniceClient.layer({ apiKey: Redacted.make("k"), baseUrl: emulator.baseUrl })),
        Effect.provide(NodeHttpClient.layerUndici)
      )
      expect(served.data.length).toBeGreaterThan(0)
      expect(TextModels.ids).toEqual(expect.arrayContaining(served.data.map((m) => m.id)))
      expect(TextModels.traits).toEqual(expect.arrayContaining(["default", "default_code", "most_uncensored"]))
      expect(new Set(TextModels.ids).size).toBe(TextModels.ids.length)
    }))
})
