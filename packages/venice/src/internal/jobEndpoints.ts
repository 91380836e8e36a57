import * as CoreRetryPolicy from "@venice-effect/core/RetryPolicy"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as Jobs from "../Jobs.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import * as StreamError from "../StreamError.js"
import * as VeniceClient from "../VeniceClient.js"
import { jsonEndpoint } from "./endpoint.js"
import * as Streaming from "./streaming.js"

/** The queue / retrieve / generate / resume quartet shared by `/video/*` and `/audio/*`. */
export const jobEndpoints = <QA, QI extends { readonly model: string }, RA, RI extends { readonly model: string; readonly queue_id: string }>(
  kind: "video" | "audio",
  schemas: {
    readonly queueRequest: Schema.Schema<QA, QI>
    readonly queueResponse: Schema.Schema<{ readonly model: string; readonly queue_id: string; readonly download_url?: string | undefined }, unknown>
    readonly retrieveRequest: Schema.Schema<RA, RI>
  }
) => {
  const queueEndpoint = jsonEndpoint({
    operation: `${kind}.queue`,
    method: "POST",
    path: `${kind}/queue`,
    request: schemas.queueRequest,
    response: schemas.queueResponse,
    model: (req) => req.model,
    // SPEC R9: queueing may bill; never re-send once it may have reached Venice
    resendable: false
  })

  const queue = <R = never>(request: QI, options?: VeniceClient.CallOptions<R>) =>
    Effect.map(queueEndpoint(request, options), (response) => response.value)

  const retrieve = <R = never>(
    request: RI,
    options?: VeniceClient.CallOptions<R> & { readonly downloadUrl?: string | undefined }
  ): Effect.Effect<Jobs.JobState, RetryPolicy.VeniceClientError, VeniceClient.VeniceClient | R> =>
    Effect.gen(function*() {
      const client = yield* VeniceClient.VeniceClient
      yield* VeniceClient.validateRequest(`${kind}.retrieve`, schemas.retrieveRequest, request)
      return yield* client.execute(
        {
          operation: `${kind}.retrieve`,
          method: "POST",
          path: `${kind}/retrieve`,
          body: { _tag: "json", value: request },
          model: request.model
        },
        (raw) => Jobs.readRetrieve(`${kind}.retrieve`, raw, options?.downloadUrl),
        options
      )
    })

  /** Polls a queued job: each retrieve is sent once (polling is its retry policy) unless `retry` is given. */
  const resume = <R = never, Out = unknown, R2 = never>(
    queueId: string,
    options: Jobs.PollingOptions<R, Out, R2> & { readonly model: string; readonly downloadUrl?: string | undefined }
  ): Stream.Stream<Jobs.JobState, Jobs.JobFailedError | Jobs.JobTimeoutError, VeniceClient.VeniceClient | R | R2> => {
    const { downloadUrl, model, pollFor, polling, ...callOptions } = options
    return Jobs.poll(
      { queueId, model },
      retrieve({ model, queue_id: queueId } as RI, {
        ...callOptions,
        retry: callOptions.retry ?? CoreRetryPolicy.none,
        ...(downloadUrl !== undefined ? { downloadUrl } : {})
      }),
      { schedule: polling, pollFor, maxWait: callOptions.maxWait }
    )
  }

  /**
   * Polls a queued job like {@link resume}, then streams its media as it arrives instead of reading it whole (no size
   * bound; the stream's idle bound applies between chunks). A job whose media is elsewhere (`downloadUrl`) fails
   * with `JobFailedError` `rejected` naming the URL.
   */
  const download = <R = never, Out = unknown, R2 = never>(
    queueId: string,
    options: Jobs.PollingOptions<R, Out, R2> & {
      readonly model: string
      readonly idleTimeout?: Duration.DurationInput | undefined
    }
  ): Stream.Stream<
    Uint8Array,
    Jobs.JobFailedError | Jobs.JobTimeoutError | StreamError.VeniceStreamError,
    VeniceClient.VeniceClient | R | R2
  > => {
    const { idleTimeout, model, pollFor, polling, ...callOptions } = options
    const job = { queueId, model }
    return Stream.unwrapScoped(Effect.gen(function*() {
      const client = yield* VeniceClient.VeniceClient
      let media: Stream.Stream<Uint8Array, StreamError.VeniceStreamError> | undefined
      const retrieveOnce = Effect.gen(function*() {
        const request = { model, queue_id: queueId } as RI
        yield* VeniceClient.validateRequest(`${kind}.retrieve`, schemas.retrieveRequest, request)
        return yield* client.execute(
          { operation: `${kind}.retrieve`, method: "POST", path: `${kind}/retrieve`, body: { _tag: "json", value: request }, model },
          (raw): Effect.Effect<Jobs.JobState, RetryPolicy.VeniceClientError> => {
            const contentType = raw.response.headers["content-type"] ?? "application/octet-stream"
            if (/\bjson\b/i.test(contentType)) return Jobs.readRetrieve(`${kind}.retrieve`, raw)
            const ctx: Streaming.StreamContext = {
              operation: `${kind}.retrieve`,
              facts: raw.facts,
              requestId: raw.response.headers["x-request-id"]
            }
            let received = 0
            media = Streaming.bounded(
              raw.response.stream,
              () => received,
              { firstEvent: Duration.infinity, idle: Streaming.boundsOf({ idleTimeout }).idle },
              (which, after) => Streaming.boundError(ctx, received, which, after, "byte(s)")
            ).pipe(
              Stream.tap((bytes) => Effect.sync(() => void (received += bytes.byteLength))),
              Stream.mapError((error) =>
                StreamError.isVeniceStreamError(error) ? error : Streaming.transportError(ctx, received, error.cause, received)
              )
            )
            return Effect.succeed<Jobs.JobState>({ _tag: "Media", bytes: new Uint8Array(0), contentType })
          },
          { ...callOptions, retry: callOptions.retry ?? CoreRetryPolicy.none, headersOnly: true }
        )
      })
      const done = yield* Jobs.await_(Jobs.poll(job, retrieveOnce, { schedule: polling, pollFor, maxWait: callOptions.maxWait }))
      const bytes: Stream.Stream<Uint8Array, Jobs.JobFailedError | StreamError.VeniceStreamError> = media ?? Stream.fail(
          new Jobs.JobFailedError({
            ...job,
            reason: "rejected",
            message: `venice job ${queueId} (${model}) is done, and its media is not in the retrieve answer${
              done._tag === "Completed" && done.downloadUrl !== undefined ? `: it is at ${done.downloadUrl}` : ""
            }`,
            cause: done
          })
        )
      return bytes
    }))
  }

  const generate = <R = never, Out = unknown, R2 = never>(
    request: QI,
    options?: Jobs.PollingOptions<R, Out, R2>
  ): Stream.Stream<Jobs.JobState, Jobs.JobError, VeniceClient.VeniceClient | R | R2> =>
    Stream.unwrap(
      Effect.map(queue(request, options), (queued) =>
        resume<R, Out, R2>(queued.queue_id, {
          ...options,
          model: queued.model,
          ...(queued.download_url !== undefined ? { downloadUrl: queued.download_url } : {})
        }))
    )

  return { queue, retrieve, resume, download, generate }
}
