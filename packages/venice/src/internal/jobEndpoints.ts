import * as CoreRetryPolicy from "@venice-effect/core/RetryPolicy"
import * as Effect from "effect/Effect"
import type * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as JobMedia from "../JobMedia.js"
import * as Jobs from "../Jobs.js"
import type * as RetryPolicy from "../RetryPolicy.js"
import type * as AudioSchemas from "../schema/Audio.js"
import * as VeniceClient from "../VeniceClient.js"
import { jsonEndpoint } from "./endpoint.js"

/** The job a queue answer names. */
interface Queued {
  readonly model: string
  readonly queue_id: string
  readonly download_url?: string | undefined
}

/** The queue / quote / retrieve / generate / resume / download / complete endpoints shared by `/video/*` and `/audio/*`. */
export const jobEndpoints = <
  QA,
  QI extends { readonly model: string },
  QRA extends Queued,
  QRI,
  RA,
  RI extends { readonly model: string; readonly queue_id: string },
  PA,
  PI extends { readonly model: string },
  PRA,
  PRI
>(
  kind: "video" | "audio",
  schemas: {
    readonly queueRequest: Schema.Schema<QA, QI>
    readonly queueResponse: Schema.Schema<QRA, QRI>
    readonly retrieveRequest: Schema.Schema<RA, RI>
    readonly quoteRequest: Schema.Schema<PA, PI>
    readonly quoteResponse: Schema.Schema<PRA, PRI>
  }
) => {
  /** A JSON endpoint of the kind (`${kind}/${name}`), answering its decoded body. */
  const call = <A, I extends { readonly model: string }, RA, RI>(
    name: "queue" | "quote",
    request: Schema.Schema<A, I>,
    response: Schema.Schema<RA, RI>,
    resendable: boolean
  ): Jobs.Call<I, RA> => {
    const endpoint = jsonEndpoint({
      operation: `${kind}.${name}`,
      method: "POST",
      path: `${kind}/${name}`,
      request,
      response,
      model: (req) => req.model,
      resendable
    })
    return (input, options) => Effect.map(endpoint(input, options), (answer) => answer.value)
  }

  // R9: queueing may bill; never re-send once it may have reached Venice
  const queue = call("queue", schemas.queueRequest, schemas.queueResponse, false)
  const quote = call("quote", schemas.quoteRequest, schemas.quoteResponse, true)

  const complete: Jobs.Call<typeof AudioSchemas.CompleteJobRequest.Encoded, AudioSchemas.CompleteJobResponse> = (
    request,
    options
  ) => JobMedia.complete(kind, request, options)

  /** A retrieve of any job of this kind (validated against the kind's retrieve schema first). */
  const retrieveJob = <R = never>(
    request: { readonly model: string; readonly queue_id: string },
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

  const retrieve: Jobs.Retrieve<RI> = retrieveJob

  /** Polls a queued job: each retrieve is sent once (polling is its retry policy) unless `retry` is given. */
  const resume: Jobs.Resume = (queueId, options) => {
    const { downloadUrl, model, pollFor, polling, ...callOptions } = options
    return Jobs.poll(
      { queueId, model },
      retrieveJob({ model, queue_id: queueId }, {
        ...callOptions,
        retry: callOptions.retry ?? CoreRetryPolicy.none,
        ...(downloadUrl !== undefined ? { downloadUrl } : {})
      }),
      { schedule: polling, pollFor, maxWait: callOptions.maxWait }
    )
  }

  /**
   * Polls a queued job like {@link resume}, then streams its media as it arrives instead of reading it whole: the
   * retrieve's body, or the `download_url` when the media is elsewhere — through `JobMedia`'s one bounded reader
   * (size `maxBytes`, idle `idleTimeout`).
   */
  const download: JobMedia.Download = <R = never, Out = unknown, R2 = never>(
    queueId: string,
    options: Jobs.ResumeOptions<R, Out, R2> & JobMedia.DownloadOptions
  ) => {
    const { downloadUrl, idleTimeout, maxBytes, model, pollFor, polling, timeout: _, ...callOptions } = options
    const job = { queueId, model }
    return Stream.unwrapScoped(Effect.gen(function*() {
      let media: Stream.Stream<Uint8Array, JobMedia.DownloadError, VeniceClient.VeniceClient> | undefined
      const once = Effect.map(
        JobMedia.retrieve<R>(kind, { ...job, downloadUrl }, { ...callOptions, maxBytes, idleTimeout }),
        (seen): Jobs.JobState => {
          if (seen._tag === "Processing") return seen
          media = seen.bytes
          // only "done" matters to the polling: the bytes are streamed below
          return { _tag: "Media", bytes: new Uint8Array(0), contentType: seen.contentType }
        }
      )
      yield* Jobs.await_(Jobs.poll(job, once, { schedule: polling, pollFor, maxWait: callOptions.maxWait }))
      return media ?? Stream.dieMessage(`venice ${kind}.retrieve: the job ended without media`)
    }))
  }

  const generate: Jobs.Generate<QI> = (request, options) =>
    Stream.unwrap(
      Effect.map(queue(request, options), (queued) =>
        resume(queued.queue_id, {
          ...options,
          model: queued.model,
          ...(queued.download_url !== undefined ? { downloadUrl: queued.download_url } : {})
        }))
    )

  return { queue, quote, retrieve, resume, download, generate, complete }
}
