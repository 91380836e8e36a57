/**
 * The machine a report was measured on.
 */
import * as os from "node:os"

export interface Machine {
  readonly cpus: number
  readonly cpuModel: string
  readonly memoryGiB: number
  readonly node: string
  readonly v8: string
  readonly platform: string
}

export const describeMachine = (): Machine => {
  const cpus = os.cpus()
  return {
    cpus: typeof os.availableParallelism === "function" ? os.availableParallelism() : cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? "unknown",
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    v8: process.versions.v8,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`
  }
}

export const machineMarkdown = (m: Machine): string =>
  `${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB RAM, Node ${m.node} (V8 ${m.v8}), ${m.platform}`
