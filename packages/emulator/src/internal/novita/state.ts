/**
 * The Novita emulator's mutable state: settings, API keys (by hash), async tasks, scripted faults, the optional
 * request windows and the request log. Read and written synchronously (inside `Effect.sync`) with times from `Clock`.
 */
import type { RequestRecord } from "../../NovitaEmulator.js"
import { type Fault, isStreamFault } from "../../NovitaFaults.js"
import { FixedWindows } from "../limiters.js"

/** Everything the server needs, with defaults applied. */
export interface Settings {
  readonly host: string
  readonly port: number
  readonly admin: boolean
  readonly models: ReadonlyArray<string>
  readonly stream: { readonly tokens: number; readonly paceMillis: number; readonly keepalive: boolean }
  readonly tasks: { readonly durationMillis: number; readonly queuedMillis: number }
  readonly rateLimit: { readonly requestsPerWindow: number | undefined; readonly windowMillis: number }
  readonly defaultBalanceUsd: number
}

/** An API key as the emulator remembers it (never the key itself). */
export interface KeyRecord {
  readonly hash: string
  readonly label: string
  balanceUsd: number
  readonly initialUsd: number
}

/** An async task. */
export interface Task {
  readonly id: string
  /** `TXT_TO_IMG` … */
  readonly type: string
  /** `images`, `videos` or `audios`. */
  readonly output: "images" | "videos" | "audios"
  readonly count: number
  readonly owner: string
  readonly submittedAt: number
  readonly queuedMillis: number
  readonly durationMillis: number
  /** Set when a `TaskFailure` fault was scripted for the submission. */
  readonly failure: { readonly reason: string } | undefined
}

/** A stored script: the key of its match is hashed. */
export interface StoredScript {
  readonly match: {
    readonly keyHash?: string | undefined
    readonly keyLabel?: string | undefined
    readonly route?: string | undefined
    readonly model?: string | undefined
  }
  remaining: number
  readonly fault: Fault
}

/** What a request is matched on. */
export interface MatchInput {
  readonly keyHash: string | undefined
  readonly keyLabel: string | undefined
  readonly route: string
  readonly path: string
  readonly model: string | undefined
  readonly streaming: boolean
  readonly submission: boolean
}

/** A log entry, completed when the request is answered. */
export type LogEntry = { -readonly [K in keyof RequestRecord]: RequestRecord[K] }

const MAX_LOG = 20_000

const routeMatches = (wanted: string, input: MatchInput): boolean => {
  const w = wanted.replace(/^\/+|\/+$/g, "")
  return w === input.route || `/${w}` === input.path || wanted === input.path
}

const matches = (script: StoredScript, input: MatchInput): boolean => {
  const m = script.match
  if (isStreamFault(script.fault) && !input.streaming) return false
  if (script.fault._tag === "TaskFailure" && !input.submission) return false
  if (m.keyHash !== undefined && m.keyHash !== input.keyHash) return false
  if (m.keyLabel !== undefined && m.keyLabel !== input.keyLabel) return false
  if (m.route !== undefined && !routeMatches(m.route, input)) return false
  if (m.model !== undefined && m.model !== input.model) return false
  return true
}

/** The emulator's state. */
export class State {
  readonly keys = new Map<string, KeyRecord>()
  readonly tasks = new Map<string, Task>()
  readonly windows = new FixedWindows()
  scripts: Array<StoredScript> = []
  log: Array<LogEntry> = []
  seq = 0
  openConnections = 0

  constructor(readonly settings: Settings) {}

  addKey(record: KeyRecord): void {
    this.keys.set(record.hash, record)
  }

  addScript(script: StoredScript): void {
    this.scripts.push(script)
  }

  /** Takes the first script matching the request. */
  takeFault(input: MatchInput): Fault | undefined {
    for (let i = 0; i < this.scripts.length; i++) {
      const script = this.scripts[i]! // i < length
      if (!matches(script, input)) continue
      script.remaining--
      if (script.remaining <= 0) this.scripts.splice(i, 1)
      return script.fault
    }
    return undefined
  }

  /** Logs a request as it arrives (status `0` until {@link answer}). */
  arrive(entry: Pick<RequestRecord, "at" | "method" | "path" | "route" | "key">): LogEntry {
    const record: LogEntry = {
      ...entry,
      seq: ++this.seq,
      model: undefined,
      stream: false,
      status: 0,
      fault: undefined,
      taskId: undefined,
      answeredAt: entry.at
    }
    this.log.push(record)
    if (this.log.length > MAX_LOG) this.log.splice(0, this.log.length - MAX_LOG)
    return record
  }

  /** Completes a log entry with what was answered. */
  answer(
    record: LogEntry,
    fields: Pick<RequestRecord, "model" | "stream" | "status" | "fault" | "answeredAt" | "taskId">
  ): void {
    Object.assign(record, fields)
  }

  /** Back to the configured state: faults, tasks, windows, balances, log (open connections stay). */
  reset(): void {
    this.scripts = []
    this.tasks.clear()
    this.windows.clear()
    this.log = []
    this.seq = 0
    for (const key of this.keys.values()) key.balanceUsd = key.initialUsd
  }
}

/** A task's result document at `now` (Novita's `GET /v3/async/task-result` body). */
export const taskResult = (task: Task, now: number, origin: string) => {
  const elapsed = Math.max(0, now - task.submittedAt)
  const remaining = Math.max(0, task.durationMillis - elapsed)
  const base = { task_id: task.id, task_type: task.type }
  const empty = { images: [], videos: [], audios: [] }
  const extra = { seed: "-1", debug_info: { submit_time_ms: String(task.submittedAt) } }
  if (elapsed < task.queuedMillis) {
    return {
      task: {
        ...base,
        status: "TASK_STATUS_QUEUED",
        reason: "",
        eta: Math.ceil(remaining / 1000),
        progress_percent: 0
      },
      extra,
      ...empty
    }
  }
  if (elapsed < task.durationMillis) {
    const span = Math.max(1, task.durationMillis - task.queuedMillis)
    const percent = Math.min(99, Math.max(1, Math.floor((100 * (elapsed - task.queuedMillis)) / span)))
    return {
      task: {
        ...base,
        status: "TASK_STATUS_PROCESSING",
        reason: "",
        eta: Math.ceil(remaining / 1000),
        progress_percent: percent
      },
      extra,
      ...empty
    }
  }
  if (task.failure !== undefined) {
    return {
      task: { ...base, status: "TASK_STATUS_FAILED", reason: task.failure.reason, eta: 0, progress_percent: 0 },
      extra,
      ...empty
    }
  }
  const url = (i: number, ext: string) => `${origin}/__outputs/${task.id}/${i}.${ext}`
  const list = Array.from({ length: task.count }, (_, i) => i)
  return {
    task: { ...base, status: "TASK_STATUS_SUCCEED", reason: "", eta: 0, progress_percent: 100 },
    extra,
    images: task.output === "images"
      ? list.map((i) => ({
        image_url: url(i, "png"),
        image_url_ttl: "3600",
        image_type: "png",
        nsfw_detection_result: null
      }))
      : [],
    videos: task.output === "videos"
      ? list.map((i) => ({ video_url: url(i, "mp4"), video_url_ttl: "3600", video_type: "mp4" }))
      : [],
    audios: task.output === "audios"
      ? list.map((i) => ({ audio_url: url(i, "mp3"), audio_url_ttl: "3600", audio_type: "mp3" }))
      : []
  }
}
