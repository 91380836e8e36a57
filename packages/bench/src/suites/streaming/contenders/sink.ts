/**
 * What every contender does with each chat chunk it gets: reads `choices[0].delta.content` (so no parser can skip
 * materializing it) and folds its length into a checksum the worker reports.
 */
export const sink = { checksum: 0 }

export const consume = (chunk: unknown): void => {
  const choices = (chunk as { readonly choices?: ReadonlyArray<{ readonly delta?: { readonly content?: unknown } }> })
    .choices
  const content = choices?.[0]?.delta?.content
  sink.checksum = (sink.checksum + (typeof content === "string" ? content.length : 1)) | 0
}

/** How one run ended. */
export interface RunResult {
  /** Chunks delivered to `consume`. */
  readonly events: number
  /** `done`: the stream ended at `[DONE]`; `error`: it failed on the in-band error (the expected typed failure). */
  readonly outcome: "done" | "error" | "unexpected"
  readonly detail?: string | undefined
}

/** A contender: set up once per worker (clients, runtimes), then run once per measured run. */
export type Setup = (
  port: number,
  options: { readonly maxEventBytes: number }
) => Promise<(workload: string) => Promise<RunResult>>
