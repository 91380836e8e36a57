/**
 * The image routes over loopback HTTP against the emulator: binary answers with their content type and header facts,
 * JSON and multipart bodies, local validation (nothing sent), the plain image 402, and each route's retry class.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Faults from "@venice-effect/emulator/Faults"
import { VeniceEmulator } from "@venice-effect/emulator/VeniceEmulator"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Images from "../src/Images.js"
import * as VeniceError from "../src/VeniceError.js"
import { drive, failureOf, layer } from "./support.js"

const PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
const png = () => new Blob([Buffer.from(PNG_BASE64, "base64")], { type: "image/png" })

describe("Images against the emulator", () => {
  it.scoped("generate with return_binary answers bytes with the content type, not a decode failure", () =>
    Effect.gen(function*() {
      const image = yield* Images.generate({
        model: "z-image-turbo",
        prompt: "a lighthouse",
        format: "png",
        return_binary: true
      })
      expect(image.contentType).toBe("image/png")
      expect([...image.bytes.subarray(1, 4)]).toEqual([0x50, 0x4e, 0x47]) // "PNG"
      expect(image.meta.contentViolation).toBe(false)
      expect(image.meta.modelId).toBe("z-image-turbo")
      // JSON stays JSON
      const json = yield* Images.generate({ model: "z-image-turbo", prompt: "a lighthouse", variants: 2 })
      expect(json.images).toHaveLength(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("variants > 1 with return_binary is refused locally (Venice answers 400): nothing is sent", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const error = failureOf(
        yield* Effect.exit(Images.generateBinary({ model: "z-image-turbo", prompt: "x", variants: 2 }))
      )
      expect(error).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count()).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("edit: a Blob goes as multipart, a string as JSON; the enhanced prompt is read back URL-decoded", () =>
    Effect.gen(function*() {
      const fromFile = yield* Images.edit({ image: png(), prompt: "make it night", enhance_prompt: true })
      expect(fromFile.contentType).toBe("image/png")
      expect(fromFile.meta.enhancedPrompt).toBe("make it night, crisp detail, natural light")
      const fromBase64 = yield* Images.edit({ image: PNG_BASE64, prompt: "add a moon", output_format: "webp" })
      expect(fromBase64.contentType).toBe("image/webp")
      expect(fromBase64.meta.enhancedPrompt).toBeUndefined()
      const flagged = yield* Images.edit({ image: PNG_BASE64, prompt: "[content-violation] something" })
      expect(flagged.meta.contentViolation).toBe(true)
    }).pipe(Effect.provide(layer())))

  it.scoped("multi-edit: files (multipart) or strings (JSON), never a mix; over the model's maximum is a 400 sent once", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const combined = yield* Images.multiEdit({ images: [png(), png()], prompt: "put them together" })
      expect(combined.contentType).toBe("image/png")
      const mixed = failureOf(yield* Effect.exit(Images.multiEdit({ images: [png(), PNG_BASE64], prompt: "x" })))
      expect(mixed).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count({ route: "image/multi-edit" })).toBe(1)
      const tooMany = failureOf(
        yield* Effect.exit(Images.multiEdit({ images: [PNG_BASE64, PNG_BASE64, PNG_BASE64, PNG_BASE64], prompt: "x" }))
      )
      expect(tooMany).toMatchObject({ _tag: "VeniceStandardError", status: 400 })
      expect(VeniceError.retryClass(tooMany as VeniceError.VeniceError)).toBe("never")
      expect(yield* emu.count({ route: "image/multi-edit" })).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("upscale and background removal answer PNG; their field rules are checked before sending", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const upscaled = yield* Images.upscale({ image: png(), scale: 4, creativity: 0.02 })
      expect(upscaled.contentType).toBe("image/png")
      const cutout = yield* Images.removeBackground({ image_url: "https://example.com/photo.jpg" })
      expect(cutout.contentType).toBe("image/png")
      const badScale = failureOf(yield* Effect.exit(Images.upscale({ image: png(), scale: 3 as 2 })))
      expect(badScale).toMatchObject({ _tag: "RequestValidationError" })
      const both = failureOf(
        yield* Effect.exit(Images.removeBackground({ image: PNG_BASE64, image_url: "https://example.com/a.png" }))
      )
      expect(both).toMatchObject({ _tag: "RequestValidationError" })
      expect(yield* emu.count()).toBe(2)
    }).pipe(Effect.provide(layer())))

  it.scoped("a file over 25 MB and a JSON body over 35 MB are refused locally, before any upload", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const big = new Blob([new Uint8Array(25 * 1024 * 1024 + 1)], { type: "image/png" })
      const file = failureOf(yield* Effect.exit(Images.edit({ image: big, prompt: "x" })))
      expect(file).toMatchObject({ _tag: "RequestValidationError" })
      expect((file as { issues: ReadonlyArray<string> }).issues[0]).toMatch(/^image: .* over Venice's 25\.0 MB limit/)
      const huge = "A".repeat(18 * 1024 * 1024)
      const json = failureOf(yield* Effect.exit(Images.multiEdit({ images: [huge, huge], prompt: "x" })))
      expect(json).toMatchObject({ _tag: "RequestValidationError" })
      expect((json as { issues: ReadonlyArray<string> }).issues[0]).toMatch(/over Venice's 35\.0 MB limit/)
      expect(yield* emu.count()).toBe(0)
    }).pipe(Effect.provide(layer())))

  it.scoped("a key short of the price gets the image routes' plain 402: INSUFFICIENT_BALANCE, never retried", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      const error = failureOf(yield* drive(Images.edit({ image: PNG_BASE64, prompt: "x" })))
      expect(error).toMatchObject({ _tag: "VeniceStandardError", status: 402, code: "INSUFFICIENT_BALANCE" })
      expect(error).toMatchObject({ message: "Insufficient balance" })
      expect(yield* emu.count({ route: "image/edit" })).toBe(1)
    }).pipe(Effect.provide(layer({ keys: [{ key: "test-key-0123456789abcdef", balanceUsd: 0.01 }] }))))

  it.scoped("503 at capacity is retried with backoff until the image comes", () =>
    Effect.gen(function*() {
      const emu = yield* VeniceEmulator
      yield* emu.script({ route: "image/upscale" }, 2, Faults.error("MODEL_AT_CAPACITY"))
      const exit = yield* drive(Images.upscale({ image: PNG_BASE64 }))
      expect(Exit.isSuccess(exit)).toBe(true)
      expect((yield* emu.requests).map((r) => r.status)).toEqual([503, 503, 200])
    }).pipe(Effect.provide(layer())))
})
