/**
 * Child processes for benchmarks: a server or a worker forked from a compiled module, talking over IPC. Each
 * measured configuration runs in a fresh worker so its peak RSS is its own.
 */
import * as child from "node:child_process"

export interface Child<Out> {
  /** The next message from the child. */
  readonly next: () => Promise<Out>
  readonly send: (message: unknown) => void
  readonly kill: () => void
  readonly exited: Promise<number | null>
}

/** Forks `modulePath` (a compiled `.js`) with `--expose-gc` and optional extra Node flags. */
export const fork = <Out>(modulePath: string, execArgv: ReadonlyArray<string> = []): Child<Out> => {
  const proc = child.fork(modulePath, [], {
    execArgv: ["--expose-gc", ...execArgv],
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const queue: Array<Out> = []
  const waiting: Array<{ resolve: (o: Out) => void; reject: (e: Error) => void }> = []
  let exitCode: number | null | undefined
  proc.on("message", (m) => {
    const w = waiting.shift()
    if (w !== undefined) w.resolve(m as Out)
    else queue.push(m as Out)
  })
  const exited = new Promise<number | null>((resolve) =>
    proc.on("exit", (code) => {
      exitCode = code
      for (const w of waiting.splice(0)) w.reject(new Error(`${modulePath} exited with ${code}`))
      resolve(code)
    })
  )
  return {
    next: () => {
      const m = queue.shift()
      if (m !== undefined) return Promise.resolve(m)
      if (exitCode !== undefined) return Promise.reject(new Error(`${modulePath} exited with ${exitCode}`))
      return new Promise((resolve, reject) => waiting.push({ resolve, reject }))
    },
    send: (message) => proc.send(message as child.Serializable),
    kill: () => {
      if (proc.exitCode === null) proc.kill()
    },
    exited
  }
}
