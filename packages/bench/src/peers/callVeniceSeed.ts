/**
 * The seed guide's reference retry loop (`seeds/003`, "Reference retry loop"), re-typed for TypeScript strict mode and
 * otherwise unchanged: 400/401/403/415 throw; 402 `PAYMENT_REQUIRED` tops up and continues; 422 throws; 429 waits
 * `Retry-After` seconds, else until `x-ratelimit-reset` (Unix seconds), else the backoff delay, plus up to 250 ms of
 * jitter; 5xx back off from 500 ms (×2) with the same jitter; at most 5 retries. A peer in the benchmarks: it runs on
 * whatever `fn` sends (here: the global `fetch`).
 */

export interface VeniceHttpError extends Error {
  readonly status: number
  readonly body: unknown
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

/** The guide calls an x402 top-up here; the benchmarks use API keys, so a 402 `PAYMENT_REQUIRED` never comes. */
const topUpX402 = async (_usd: unknown): Promise<void> => {
  throw new Error("x402 top-up is not part of the benchmarks")
}

const fail = (message: string, status: number, body: unknown): VeniceHttpError =>
  Object.assign(new Error(message), { status, body })

export async function callVenice<T>(fn: () => Promise<Response>): Promise<T> {
  const maxRetries = 5
  let delay = 500
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    const res = await fn()
    if (res.ok) return res.json() as Promise<T>
    const body = (await res.clone().json().catch(() => ({}))) as {
      error?: unknown
      code?: unknown
      suggestedTopUpUsd?: unknown
    }
    const { status } = res
    if ([400, 401, 403, 415].includes(status)) {
      throw fail(typeof body.error === "string" ? body.error : "Venice error", status, body)
    }
    if (status === 402 && body.code === "PAYMENT_REQUIRED") {
      await topUpX402(body.suggestedTopUpUsd)
      continue
    }
    if (status === 422) {
      throw fail("Content policy", status, body)
    }
    if (status === 429) {
      const retryAfterSec = Number(res.headers.get("retry-after"))
      const resetSec = Number(res.headers.get("x-ratelimit-reset"))
      const waitMs = !Number.isNaN(retryAfterSec) && retryAfterSec > 0
        ? retryAfterSec * 1000
        : !Number.isNaN(resetSec) && resetSec > 0
        ? Math.max(resetSec * 1000 - Date.now(), delay)
        : delay
      await sleep(waitMs + Math.random() * 250)
      delay *= 2
      continue
    }
    if (status >= 500 && attempt < maxRetries) {
      await sleep(delay + Math.random() * 250)
      delay *= 2
      continue
    }
    throw fail(typeof body.error === "string" ? body.error : "Venice error", status, body)
  }
  throw new Error("Exceeded max retries")
}
