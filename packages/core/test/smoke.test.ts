import { describe, expect, it } from "@effect/vitest"
import * as Effect from "effect/Effect"

describe("smoke", () => {
  it.effect("runs", () => Effect.sync(() => expect(1 + 1).toBe(2)))
})
