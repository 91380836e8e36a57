// docs/endpoints.md: images as bytes, edits from files or base64.
import { Images } from "@venice-effect/venice"
import { Effect } from "effect"
import * as fs from "node:fs"

export const program = Effect.gen(function*() {
  // `return_binary: true`: the image itself, with its content type and the response's facts
  const image = yield* Images.generate({ model: "z-image-turbo", prompt: "a lighthouse at dusk", return_binary: true })
  console.log(image.contentType, image.meta.contentViolation)

  // a Blob goes as multipart/form-data, a string (base64 or an https URL) as JSON
  const edited = yield* Images.edit({
    image: new Blob([image.bytes.slice()]),
    prompt: "make it night",
    enhance_prompt: true
  })
  console.log(edited.meta.enhancedPrompt) // the prompt Venice used, URL-decoded

  const upscaled = yield* Images.upscale({ image: new Blob([edited.bytes.slice()]), scale: 2 })
  fs.writeFileSync("lighthouse.png", upscaled.bytes)
})
