import { describe, expect, it } from "@effect/vitest"
import * as ClientError from "@venice-effect/core/ClientError"
import * as RequestValidation from "@venice-effect/core/RequestValidation"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"

const Request = Schema.Struct({
  model: Schema.String.pipe(Schema.minLength(1)),
  n: Schema.optional(Schema.Int),
  messages: Schema.Array(Schema.Struct({ role: Schema.Literal("user", "system") }))
})

describe("RequestValidation.validate", () => {
  it.effect("passes a valid request through", () =>
    Effect.gen(function*() {
      const value = yield* RequestValidation.validate("p", "op", Request, { model: "m", messages: [{ role: "user" }] })
      expect(value).toEqual({ model: "m", messages: [{ role: "user" }] })
    }))

  it.effect("reports every issue with its field path, naming the provider and operation", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        RequestValidation.validate("novita", "chat.completions", Request, {
          model: "",
          n: 1.5,
          messages: [{ role: "bot" }]
        })
      )
      expect(error).toBeInstanceOf(ClientError.RequestValidationError)
      expect(error.provider).toBe("novita")
      expect(error.operation).toBe("chat.completions")
      // a union (an optional field, a literal list) reports one issue per member
      expect([...new Set(error.issues.map((i) => i.split(":")[0]))]).toEqual(["model", "n", "messages.0.role"])
      expect(error.message).toMatch(/^novita chat\.completions: invalid request, not sent — model: /)
    }))

  it.effect("the root itself", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(RequestValidation.validate("p", "op", Request, null))
      expect(error.issues[0]).toMatch(/^\(root\): /)
    }))
})
