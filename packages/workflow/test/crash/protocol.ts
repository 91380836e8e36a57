/**
 * What the crash tests and their worker processes say to each other: the worker's config (in an environment
 * variable) and its IPC messages.
 */
import type * as DurablePayments from "@venice-effect/workflow/DurablePayments"
import type * as VeniceWorkflows from "@venice-effect/workflow/VeniceWorkflows"

export interface WorkerConfig {
  readonly baseUrl: string
  readonly auth:
    | { readonly _tag: "wallet"; readonly key: `0x${string}` }
    | { readonly _tag: "key"; readonly apiKey: string }
  readonly storage:
    | { readonly _tag: "sqlite"; readonly filename: string }
    | { readonly _tag: "pg"; readonly url: string; readonly runner: { readonly host: string; readonly port: number } }
  readonly payments?: DurablePayments.Options | undefined
  readonly payload: Parameters<typeof VeniceWorkflows.videoToFile>[0]
}

export type FromWorker =
  | { readonly _tag: "ready"; readonly pid: number }
  | { readonly _tag: "result"; readonly result: unknown }
  | { readonly _tag: "failure"; readonly error: string; readonly message: string }

export const CONFIG_ENV = "VENICE_WORKFLOW_TEST_WORKER"
