/**
 * The newer reference retry loop of the official `venice-errors` skill ("Reference retry loop"), re-typed for
 * TypeScript strict mode and otherwise unchanged: 400/401/403/404/410/413/415/422 throw; 402 tops up once (never here:
 * the benchmarks use API keys); 429 waits `Retry-After`, else until `x-ratelimit-reset-requests` /
 * `x-ratelimit-resets` (Unix ms) or `x-ratelimit-reset` (Unix s), never less than the backoff delay; 5xx wait the
 * backoff delay (500 ms ×2, ≤ 30 s); up to 250 ms of jitter on every wait; at most 5 retries. A peer in the
 * benchmarks, on the global `fetch`.
 */

export interface VeniceHttpError extends Error {
  readonly status: number
  readonly body: unknown
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

const USER_TOP_UP_CAP_USD = 0
const topUpAllowed = async (): Promise<boolean> => false
const topUpX402 = async (_usd: number): Promise<void> => {
  throw new Error("x402 top-up is not part of the benchmarks")
}

function waitMs(res: Response, fallback: number): number {
  const retryAfter = Number(res.headers.get("retry-after"))
  if (retryAfter > 0) return retryAfter * 1000
  const msReset = Number(res.headers.get("x-ratelimit-reset-requests") ?? res.headers.get("x-ratelimit-resets"))
  if (msReset > 0) return Math.max(msReset - Date.now(), fallback)
  const secReset = Number(res.headers.get("x-ratelimit-reset")) // crypto RPC
  if (secReset > 0) return Math.max(secReset * 1000 - Date.now(), fallback)
  return fallback
}

// fn must build a fresh SIGN-IN-WITH-X header on every call; nonces are single-use.
export async function callVenice<T>(fn: () => Promise<Response>): Promise<T> {
  const maxRetries = 5
  let delay = 500
  for (let attempt = 0; attempt <= maxRetries; attempt++) {
    const res = await fn()
    if (res.ok) return res.json() as Promise<T>

    const body = (await res.clone().json().catch(() => ({}))) as {
      error?: string | { message?: string }
      code?: unknown
      suggestedTopUpUsd?: number
    }
    const message = typeof body.error === "string" ? body.error : body.error?.message ?? "Venice error"
    const fail = (): VeniceHttpError => Object.assign(new Error(message), { status: res.status, body })

    if ([400, 401, 403, 404, 410, 413, 415, 422].includes(res.status)) throw fail()

    if (res.status === 402) {
      // topUpAllowed must enforce the user's cap and check GET /x402/balance first.
      if (body.code === "PAYMENT_REQUIRED" && attempt === 0 && (await topUpAllowed())) {
        await topUpX402(Math.min(body.suggestedTopUpUsd ?? 0, USER_TOP_UP_CAP_USD))
        continue
      }
      throw fail()
    }

    if ((res.status === 429 || res.status >= 500) && attempt < maxRetries) {
      await sleep((res.status === 429 ? waitMs(res, delay) : delay) + Math.random() * 250)
      delay = Math.min(delay * 2, 30_000)
      continue
    }

    throw fail()
  }
  throw new Error("Exceeded max retries")
}
