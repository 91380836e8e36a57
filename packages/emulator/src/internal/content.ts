/**
 * Deterministic fake content: completion tokens, token counts, audio / image / video bytes, embedding vectors, and
 * oversized bodies.
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as Zlib from "node:zlib"

const SENTENCE =
  "Hello from the Venice emulator. This reply is generated locally, token by token, so streams and errors can be tested without the real API."

const WORDS = SENTENCE.split(" ").map((word, i) => (i === 0 ? word : ` ${word}`))

/** `count` tokens of the emulator's reply (the sentence, repeated). */
export const tokens = (count: number): ReadonlyArray<string> => {
  const out: Array<string> = []
  for (let i = 0; i < count; i++) {
    const word = WORDS[i % WORDS.length]! // an index below WORDS.length
    out.push(i > 0 && i % WORDS.length === 0 ? ` ${word}` : word)
  }
  return out
}

/** A rough token count (4 characters per token), at least 1. */
export const countTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

/** All the text of a JSON value (message contents, inputs …). */
export const textOf = (value: unknown): string => {
  if (typeof value === "string") return value
  if (Array.isArray(value)) return value.map(textOf).join(" ")
  if (typeof value === "object" && value !== null) {
    return Object.entries(value).map(([k, v]) => (k === "role" || k === "type" ? "" : textOf(v))).join(" ")
  }
  return ""
}

const fromBase64 = (b64: string): Uint8Array => new Uint8Array(Buffer.from(b64, "base64"))

/** 1×1 images. */
export const images = {
  png: "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
  webp: "UklGRiQAAABXRUJQVlA4IBgAAAAwAQCdASoBAAEAAwA0JaQAA3AA/vuUAAA=",
  jpeg:
    "/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA="
} as const

/** Image bytes of a format. */
export const imageBytes = (format: keyof typeof images): Uint8Array => fromBase64(images[format])

/** Audio bytes of about `size` bytes in a format (a WAV header and silence, MP3 frames of silence, …). */
export const audioBytes = (format: string, size: number): Uint8Array => {
  const n = Math.max(64, size)
  const out = new Uint8Array(n)
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i++) out[offset + i] = text.charCodeAt(i)
  }
  const view = new DataView(out.buffer)
  switch (format) {
    case "wav": {
      ascii(0, "RIFF")
      view.setUint32(4, n - 8, true)
      ascii(8, "WAVE")
      ascii(12, "fmt ")
      view.setUint32(16, 16, true)
      view.setUint16(20, 1, true)
      view.setUint16(22, 1, true)
      view.setUint32(24, 24_000, true)
      view.setUint32(28, 48_000, true)
      view.setUint16(32, 2, true)
      view.setUint16(34, 16, true)
      ascii(36, "data")
      view.setUint32(40, n - 44, true)
      break
    }
    case "mp3":
      for (let offset = 0; offset + 4 <= n; offset += 417) {
        out[offset] = 0xff
        out[offset + 1] = 0xfb
        out[offset + 2] = 0x90
        out[offset + 3] = 0x64
      }
      break
    case "flac":
      ascii(0, "fLaC")
      break
    case "opus":
      ascii(0, "OggS")
      break
    default:
      break
  }
  return out
}

/** A minimal MP4 (an `ftyp` box and an empty `mdat`). */
export const videoBytes = (): Uint8Array => {
  const ftyp = [0, 0, 0, 0x18, ...Buffer.from("ftypisom"), 0, 0, 2, 0, ...Buffer.from("isomiso2")]
  const mdat = [0, 0, 0x10, 0x08, ...Buffer.from("mdat")]
  const out = new Uint8Array(ftyp.length + 0x1008)
  out.set(ftyp, 0)
  out.set(mdat, ftyp.length)
  return out
}

/** FNV-1a of a string. */
const fnv = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** A deterministic unit vector for a text. */
export const embedding = (text: string, dimensions: number): Array<number> => {
  let state = fnv(text) || 1
  const v: Array<number> = new Array(dimensions)
  let norm = 0
  for (let i = 0; i < dimensions; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    const x = state / 0xffffffff - 0.5
    v[i] = x
    norm += x * x
  }
  const scale = 1 / Math.sqrt(norm || 1)
  return v.map((x) => Math.round(x * scale * 1e6) / 1e6)
}

/** A float vector as base64 of little-endian float32 (OpenAI's `encoding_format: "base64"`). */
export const embeddingBase64 = (vector: ReadonlyArray<number>): string => {
  const buffer = new Float32Array(vector)
  return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength).toString("base64")
}

// ─── oversized bodies (Faults.HugeBody) ──────────────────────────────────────────────────────────

const PAD_CHUNK = 1024 * 1024
const padChunk = new Uint8Array(PAD_CHUNK).fill(0x61) // "a"
const padPrefix = new TextEncoder().encode("{\"padding\":\"")

/** `bytes` bytes of a JSON-looking body (`{"padding":"aaaa…`), streamed in 1 MiB chunks, never held whole. */
export const padding = (bytes: number): Stream.Stream<Uint8Array> =>
  Stream.suspend(() => {
    let left = bytes
    const prefix = padPrefix.subarray(0, Math.min(padPrefix.length, left))
    left -= prefix.length
    return Stream.make(prefix).pipe(
      Stream.concat(Stream.repeatEffectOption(Effect.suspend(() => {
        if (left <= 0) return Effect.fail(Option.none())
        const size = Math.min(PAD_CHUNK, left)
        left -= size
        return Effect.succeed(size === PAD_CHUNK ? padChunk : padChunk.subarray(0, size))
      })))
    )
  })

const gzipCache = new Map<number, Promise<Uint8Array>>()

/** The gzip compression of {@link padding} (`bytes` inflated), built once per size, in 1 MiB steps (a bomb). */
export const gzippedPadding = (bytes: number): Effect.Effect<Uint8Array> =>
  Effect.promise(() => {
    let cached = gzipCache.get(bytes)
    if (cached === undefined) {
      cached = new Promise<Uint8Array>((resolve, reject) => {
        const gzip = Zlib.createGzip({ level: 9 })
        const out: Array<Buffer> = []
        gzip.on("data", (chunk: Buffer) => out.push(chunk))
        gzip.on("end", () => resolve(new Uint8Array(Buffer.concat(out))))
        gzip.on("error", reject)
        let left = bytes
        const prefix = padPrefix.subarray(0, Math.min(padPrefix.length, left))
        left -= prefix.length
        gzip.write(prefix)
        const pump = () => {
          while (left > 0) {
            const size = Math.min(PAD_CHUNK, left)
            left -= size
            if (!gzip.write(size === PAD_CHUNK ? padChunk : padChunk.subarray(0, size))) {
              return void gzip.once("drain", pump)
            }
          }
          gzip.end()
        }
        pump()
      })
      gzipCache.set(bytes, cached)
    }
    return cached
  })
