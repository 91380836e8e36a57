/**
 * Writing a finished job's media where the step wants it — a file (streamed to `<path>.part`, then renamed into place
 * once complete) or bytes in memory — with a size bound checked against `Content-Length` first and then while the
 * body streams. Restartable: a step that dies mid-download downloads again into the same `.part` file, and a reader
 * of `path` never sees a partial file.
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

class TooLarge {
  constructor(readonly receivedBytes: number) {}
}

class WriteFailed {
  constructor(readonly message: string) {}
}

/**
 * Drains `body` into `sink`. The body's own failures (a reset mid-body) are the caller's `E`; the bound and the
 * file system answer in {@link Written}.
 */
export const write = <E>(
  body: Stream.Stream<Uint8Array, E>,
  options: {
    readonly sink: Sink
    readonly contentType: string
    readonly contentLength: number | undefined
    readonly maxBytes: number
  }
): Effect.Effect<Written, E, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const { contentLength, contentType, maxBytes, sink } = options
    if (contentLength !== undefined && contentLength > maxBytes) {
      return { _tag: "TooLarge", receivedBytes: contentLength } as const
    }
    const hash = Crypto.createHash("sha256")
    let size = 0
    const counted = body.pipe(
      Stream.mapError((e): E | TooLarge => e),
      Stream.mapChunksEffect((chunk) => {
        for (const bytes of chunk) size += bytes.byteLength
        if (size > maxBytes) return Effect.fail(new TooLarge(size))
        for (const bytes of chunk) hash.update(bytes)
        return Effect.succeed(chunk)
      })
    )
    const tooLarge = (e: E | TooLarge): Effect.Effect<Written, E> =>
      e instanceof TooLarge ? Effect.succeed({ _tag: "TooLarge", receivedBytes: e.receivedBytes }) : Effect.fail(e)
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
        }),
        Effect.catchAll(tooLarge)
      )
    }
    const fs = yield* FileSystem.FileSystem
    const part = `${sink.path}.part`
    const failed = (message: string): Written => ({ _tag: "WriteFailed", path: sink.path, message })
    const toFile = EffectSink.mapError(fs.sink(part), (e) => new WriteFailed(e.message))
    const stopped = yield* Stream.run(counted, toFile).pipe(
      Effect.as<Written | undefined>(undefined),
      Effect.catchAll((e: E | TooLarge | WriteFailed) =>
        e instanceof WriteFailed ? Effect.succeed(failed(e.message)) : tooLarge(e)
      )
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
