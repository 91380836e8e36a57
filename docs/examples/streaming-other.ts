// docs/streaming.md: /responses events and streamed speech.
import { Responses, SpeechStream } from "@venice-effect/venice"
import { Effect, Option, Stream } from "effect"
import * as fs from "node:fs"

// `/responses`: typed events; `response.failed` fails the stream with ResponseFailedError.
export const text = Responses.stream({ model: "venice-uncensored", input: "Write a haiku" }).pipe(
  Stream.filterMap((event) =>
    event.type === "response.output_text.delta" && "delta" in event && typeof event.delta === "string"
      ? Option.some(event.delta)
      : Option.none()
  ),
  Stream.mkString
)
export const final = Responses.finalResponse(Responses.stream({ model: "venice-uncensored", input: "Write a haiku" }))

// `/audio/speech` with `streaming: true`: bytes; an early end fails with StreamTruncatedError.
export const speech = Effect.acquireUseRelease(
  Effect.sync(() => fs.createWriteStream("hello.mp3")),
  (out) =>
    SpeechStream.stream({ model: "tts-kokoro", input: "Hello there", response_format: "mp3" }).pipe(
      Stream.runForEach((bytes) => Effect.sync(() => out.write(bytes)))
    ),
  (out) => Effect.sync(() => out.end())
)
