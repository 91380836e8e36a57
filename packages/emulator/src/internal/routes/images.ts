/**
 * The image routes that answer with the image itself (skill venice-image-edit): `/image/edit`, `/image/multi-edit`,
 * `/image/upscale`, `/image/background-remove`. Each takes JSON (base64 or `http(s)` URLs) or `multipart/form-data`
 * (files), validates with the SDK's request schemas (Venice's zod answer on failure), checks the file limit and the
 * balance (`402 { error: "Insufficient balance" }` for a key, as the skill documents for image paths), charges, and
 * answers PNG / JPEG / WebP bytes. A prompt containing `[content-violation]` comes back flagged by
 * `x-venice-is-content-violation`, like `/image/generate`; `enhance_prompt` echoes the rewritten prompt URL-encoded in
 * `x-venice-enhanced-prompt`.
 */
import * as Image from "@venice-effect/venice/schema/Image"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type * as Schema from "effect/Schema"
import * as Content from "../content.js"
import type { Ctx, RouteSpec } from "../context.js"
import * as Errors from "../errors.js"
import * as Catalog from "../models.js"
import * as Reply from "../reply.js"
import { validate } from "../validation.js"
import { insufficient, isReply, modelHeaders, resolveModel, round, V1 } from "./common.js"
import * as Forms from "./forms.js"

const CONTENT_VIOLATION_MARK = "[content-violation]"
const BASE64 = /^(?:data:image\/[a-z+.-]+;base64,)?[A-Za-z0-9+/]+={0,2}$/

const imageGenerate: RouteSpec = {
  name: "image/generate",
  method: "POST",
  path: `${V1}/image/generate`,
  auth: "any",
  body: "json",
  modelType: "image",
  handle: (ctx) =>
    Effect.gen(function*() {
      const model = resolveModel(ctx, "image")
      if (isReply(model)) return model
      const decoded = validate(Image.GenerateImageRequest, ctx.body)
      if (Either.isLeft(decoded)) return Reply.json(400, decoded.left)
      const request = decoded.right
      const format = request.format ?? "webp"
      const variants = request.return_binary === true ? 1 : request.variants ?? 1
      // A blocked image is a 200 with `x-venice-is-content-violation: true` (skill venice-errors §5); the emulator
      // blocks prompts containing "[content-violation]".
      const violation = request.prompt.includes(CONTENT_VIOLATION_MARK)
      const headers = {
        ...modelHeaders(model),
        "x-venice-is-content-violation": String(violation),
        "x-venice-is-blurred": String(violation && request.safe_mode !== false),
        "x-venice-is-adult-model-content-violation": "false"
      }
      const id = `generate-image-${yield* ctx.hex(16)}`
      ctx.charge({ usd: round(0.01 * variants), model: model.model.id, requestId: id })
      if (request.return_binary === true) {
        return {
          status: 200,
          headers,
          body: { _tag: "bytes", value: Content.imageBytes(format), contentType: Image.contentTypeByFormat[format] }
        }
      }
      return Reply.json(200, {
        id,
        images: Array.from({ length: variants }, () => Content.images[format]),
        timing: { inferenceDuration: 412, inferencePreprocessingTime: 3, inferenceQueueTime: 11, total: 426 },
        request: ctx.body
      }, headers)
    })
}

/** Venice's plain Bearer 402 on the image routes (skills venice-image-generate, venice-image-edit §Errors). */
const insufficientBalance = (ctx: Ctx, price: number): Reply.Reply | undefined => {
  const refused = insufficient(ctx, price)
  return refused !== undefined && ctx.identity._tag !== "wallet" ? Reply.standard(402, "Insufficient balance") : refused
}

/** An input image that is neither a file, an `http(s)` URL nor base64 is unreadable. */
const unreadable = (images: ReadonlyArray<unknown>, urls: boolean, ctx: Ctx): Reply.Reply | undefined => {
  for (const image of images) {
    if (image instanceof Blob) {
      if (image.size > ctx.env.settings.maxFileBytes) {
        return Reply.standard(400, "Image file is too large. Maximum size is 25MB")
      }
      if (image.size === 0) return Errors.codeReply("CORRUPTED_IMAGE", ctx.errorEnv)
    } else if (typeof image === "string") {
      if (/^https?:\/\//i.test(image)) {
        if (!urls) return Reply.standard(400, "Image URLs are not supported on this endpoint: send base64 or a file")
      } else if (!BASE64.test(image.replace(/\s+/g, ""))) {
        return Errors.codeReply("CORRUPTED_IMAGE", ctx.errorEnv)
      }
    }
  }
  return undefined
}

const BOOLEAN_FIELDS = ["enhance_prompt", "disable_prompt_optimization_thinking", "safe_mode"] as const
const kinds: Readonly<Record<string, Forms.FieldKind>> = {
  ...Object.fromEntries(BOOLEAN_FIELDS.map((field) => [field, "boolean" as const])),
  scale: "number",
  creativity: "number"
}

/** The flags every image answer carries, and the enhanced prompt when asked for. */
const imageHeaders = (
  request: { readonly prompt?: string; readonly enhance_prompt?: boolean; readonly safe_mode?: boolean }
) => {
  const violation = request.prompt?.includes(CONTENT_VIOLATION_MARK) ?? false
  return {
    "x-venice-is-content-violation": String(violation),
    "x-venice-is-blurred": String(violation && request.safe_mode !== false),
    ...(request.enhance_prompt === true && request.prompt !== undefined
      ? { "x-venice-enhanced-prompt": encodeURIComponent(`${request.prompt}, crisp detail, natural light`) }
      : {})
  }
}

const outputFormat = (request: { readonly output_format?: Image.ImageFormat; readonly resolution?: string }) =>
  request.output_format ?? (request.resolution === undefined || request.resolution === "1K" ? "png" : "jpeg")

const bytes = (format: Image.ImageFormat, headers: Readonly<Record<string, string>>): Reply.Reply => ({
  status: 200,
  headers,
  body: { _tag: "bytes", value: Content.imageBytes(format), contentType: Image.contentTypeOf(format) }
})

/** Reads the fields (JSON or multipart) and validates them with `schema`. */
const read = <A, I>(
  ctx: Ctx,
  schema: Schema.Schema<A, I>,
  repeated: ReadonlyArray<string> = []
): Effect.Effect<Reply.Reply | { readonly request: A; readonly record: Readonly<Record<string, unknown>> }> =>
  Effect.map(Forms.fields(ctx, { kinds, repeated }), (record) => {
    if (record === undefined) return Reply.standard(400, "Invalid multipart/form-data request")
    const decoded = validate(schema, record)
    return Either.isLeft(decoded) ? Reply.json(400, decoded.left) : { request: decoded.right, record }
  })

/** The edit model of a request (default `firered-image-edit`), or Venice's answer for an unknown one. */
const editModel = (ctx: Ctx, id: string | undefined): Reply.Reply | Catalog.CatalogModel => {
  const wanted = id ?? "firered-image-edit"
  const found = Catalog.resolve(wanted, "inpaint")
  if (found === "not-found") {
    return Errors.codeReply("MODEL_NOT_FOUND", ctx.errorEnv, { message: `Specified model not found: ${wanted}` })
  }
  return found === "wrong-type" ? Errors.codeReply("INVALID_MODEL", ctx.errorEnv) : found
}

const EDIT_PRICE = 0.04

const edit: RouteSpec = {
  name: "image/edit",
  method: "POST",
  path: `${V1}/image/edit`,
  auth: "any",
  body: "either",
  modelType: "inpaint",
  handle: (ctx) =>
    Effect.gen(function*() {
      const read_ = yield* read(ctx, Image.EditImageRequest)
      if ("status" in read_) return read_
      const request = read_.request
      const model = editModel(ctx, request.model ?? request.modelId)
      if (isReply(model)) return model
      const bad = unreadable([request.image], true, ctx)
      if (bad !== undefined) return bad
      const refused = insufficientBalance(ctx, EDIT_PRICE)
      if (refused !== undefined) return refused
      ctx.charge({ usd: EDIT_PRICE, model: model.model.id, requestId: null })
      return bytes(outputFormat(request), { ...modelHeaders(model), ...imageHeaders(request) })
    })
}

const multiEdit: RouteSpec = {
  name: "image/multi-edit",
  method: "POST",
  path: `${V1}/image/multi-edit`,
  auth: "any",
  body: "either",
  modelType: "inpaint",
  handle: (ctx) =>
    Effect.gen(function*() {
      const read_ = yield* read(ctx, Image.MultiEditImageRequest, ["images"])
      if ("status" in read_) return read_
      const request = read_.request
      const model = editModel(ctx, request.modelId)
      if (isReply(model)) return model
      const constraints = model.model.model_spec.constraints
      const combine = constraints !== undefined && "combineImages" in constraints && constraints.combineImages === true
      const declared = constraints !== undefined && "maxInputImages" in constraints
        ? constraints.maxInputImages
        : undefined
      const max = typeof declared === "number" ? declared : combine ? 3 : 1
      if (request.images.length > max) {
        return Reply.standard(400, `Too many images for ${model.model.id}: at most ${max}`)
      }
      const bad = unreadable(request.images, true, ctx)
      if (bad !== undefined) return bad
      const price = EDIT_PRICE * request.images.length
      const refused = insufficientBalance(ctx, price)
      if (refused !== undefined) return refused
      ctx.charge({ usd: round(price), model: model.model.id, requestId: null })
      // multi-edit answers carry no model headers (spec)
      return bytes(outputFormat(request), imageHeaders(request))
    })
}

const upscale: RouteSpec = {
  name: "image/upscale",
  method: "POST",
  path: `${V1}/image/upscale`,
  auth: "any",
  body: "either",
  handle: (ctx) =>
    Effect.gen(function*() {
      const read_ = yield* read(ctx, Image.UpscaleImageRequest)
      if ("status" in read_) return read_
      const request = read_.request
      const bad = unreadable([request.image], false, ctx)
      if (bad !== undefined) return bad
      const price = request.scale === 4 ? 0.08 : 0.02
      const refused = insufficientBalance(ctx, price)
      if (refused !== undefined) return refused
      ctx.charge({ usd: price, model: "upscale", requestId: null })
      return bytes("png", {})
    })
}

const backgroundRemove: RouteSpec = {
  name: "image/background-remove",
  method: "POST",
  path: `${V1}/image/background-remove`,
  auth: "any",
  body: "either",
  handle: (ctx) =>
    Effect.gen(function*() {
      const read_ = yield* read(ctx, Image.BackgroundRemoveImageRequest)
      if ("status" in read_) return read_
      const request = read_.request
      const bad = unreadable(request.image !== undefined ? [request.image] : [], false, ctx)
      if (bad !== undefined) return bad
      const refused = insufficientBalance(ctx, 0.02)
      if (refused !== undefined) return refused
      ctx.charge({ usd: 0.02, model: "background-remove", requestId: null })
      return bytes("png", {})
    })
}

/** The image routes of this file. */
export const imageRoutes: ReadonlyArray<RouteSpec> = [imageGenerate, edit, multiEdit, upscale, backgroundRemove]
