/**
 * Writing a finished job's media where the step wants it — a file (streamed to `<path>.part`, then renamed into place
 * once complete) or bytes in memory. The body comes bounded from the SDK (`JobMedia`: size and idle bounds).
 * Restartable: a step that dies mid-download downloads again into the same `.part` file, and a reader of `path`
 * never sees a partial file.
 *
 * @internal
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as EffectSink from "effect/Sink"
import * as Stream from "effect/Stream"
import * as Crypto from "node:crypto"

/** Where the media goes. */
export type Sink =
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "Bytes" }

/** What the media came to. */
export type Written =
  | {
    readonly _tag: "File"
    readonly path: string
    readonly size: number
    readonly sha256: string
    readonly contentType: string
  }
  | {
    readonly _tag: "Bytes"
    readonly bytes: Uint8Array
    readonly size: number
    readonly sha256: string
    readonly contentType: string
  }
  | { readonly _tag: "TooLarge"; readonly receivedBytes: number }
  | { readonly _tag: "WriteFailed"; readonly path: string; readonly message: string }

class WriteFailed {
  constructor(readonly message: string) {}
}

/**
 * Drains `body` into `sink`. The body's own failures (a reset mid-body, its bounds) are the caller's `E`; the file
 * system answers in {@link Written}.
 */
export const write = <E, R>(
  body: Stream.Stream<Uint8Array, E, R>,
  options: { readonly sink: Sink; readonly contentType: string }
): Effect.Effect<Written, E, FileSystem.FileSystem | R> =>
  Effect.gen(function*() {
    const { contentType, sink } = options
    const hash = Crypto.createHash("sha256")
    let size = 0
    const counted = body.pipe(
      Stream.mapChunks((chunk) => {
        for (const bytes of chunk) {
          size += bytes.byteLength
          hash.update(bytes)
        }
        return chunk
      })
    )
    if (sink._tag === "Bytes") {
      return yield* Stream.runCollect(counted).pipe(
        Effect.map((chunks): Written => {
          const bytes = new Uint8Array(size)
          let offset = 0
          for (const part of Chunk.toReadonlyArray(chunks)) {
            bytes.set(part, offset)
            offset += part.byteLength
          }
          return { _tag: "Bytes", bytes, size, sha256: hash.digest("hex"), contentType }
        })
      )
    }
    const fs = yield* FileSystem.FileSystem
    const part = `${sink.path}.part`
    const failed = (message: string): Written => ({ _tag: "WriteFailed", path: sink.path, message })
    const toFile = EffectSink.mapError(fs.sink(part), (e) => new WriteFailed(e.message))
    const stopped = yield* Stream.run(counted, toFile).pipe(
      Effect.as<Written | undefined>(undefined),
      Effect.catchAll((e: E | WriteFailed): Effect.Effect<Written | undefined, E> =>
        e instanceof WriteFailed ? Effect.succeed(failed(e.message)) : Effect.fail(e)
      ),
      // a body that failed (its bounds, a reset) leaves no part file behind either
      Effect.tapError(() => Effect.ignore(fs.remove(part)))
    )
    if (stopped !== undefined) {
      yield* Effect.ignore(fs.remove(part))
      return stopped
    }
    return yield* fs.rename(part, sink.path).pipe(
      Effect.as<Written>({ _tag: "File", path: sink.path, size, sha256: hash.digest("hex"), contentType }),
      Effect.catchAll((error) => Effect.succeed(failed(error.message)))
    )
  })
