/**
 * The emulator's limiters, as plain synchronous data structures (the server calls them inside `Effect.sync` with
 * the time read from `Clock`, so `TestClock` drives every window).
 */

/** The state of one window, as headers report it. */
export interface WindowState {
  readonly limit: number
  readonly remaining: number
  /** Unix ms of the window's end. */
  readonly reset: number
}

interface Bucket {
  start: number
  count: number
}

const SWEEP_EVERY = 1024

/**
 * Fixed windows per bucket: a window opens at the first hit of a bucket and lasts `windowMillis`; at most `limit`
 * units are taken within it.
 */
export class FixedWindows {
  private readonly buckets = new Map<string, Bucket>()
  private ops = 0

  private current(key: string, now: number, windowMillis: number): Bucket | undefined {
    const bucket = this.buckets.get(key)
    if (bucket !== undefined && now >= bucket.start + windowMillis) {
      this.buckets.delete(key)
      return undefined
    }
    return bucket
  }

  private sweep(now: number, windowMillis: number): void {
    if (++this.ops % SWEEP_EVERY !== 0) return
    for (const [key, bucket] of this.buckets) if (now >= bucket.start + windowMillis) this.buckets.delete(key)
  }

  /** Takes `amount` units if the window has room for one more request; reports the state after. */
  take(
    key: string,
    now: number,
    limit: number,
    windowMillis: number,
    amount = 1
  ): WindowState & { readonly allowed: boolean } {
    this.sweep(now, windowMillis)
    let bucket = this.current(key, now, windowMillis)
    if (bucket !== undefined && bucket.count >= limit) {
      return { allowed: false, limit, remaining: 0, reset: bucket.start + windowMillis }
    }
    if (bucket === undefined) {
      bucket = { start: now, count: 0 }
      this.buckets.set(key, bucket)
    }
    bucket.count += amount
    return { allowed: true, limit, remaining: Math.max(0, limit - bucket.count), reset: bucket.start + windowMillis }
  }

  /** Adds `amount` without checking the limit (e.g. tokens used by an admitted request). */
  add(key: string, now: number, windowMillis: number, amount: number): void {
    let bucket = this.current(key, now, windowMillis)
    if (bucket === undefined) {
      bucket = { start: now, count: 0 }
      this.buckets.set(key, bucket)
    }
    bucket.count += amount
  }

  peek(key: string, now: number, limit: number, windowMillis: number): WindowState {
    const bucket = this.current(key, now, windowMillis)
    return bucket === undefined
      ? { limit, remaining: limit, reset: now + windowMillis }
      : { limit, remaining: Math.max(0, limit - bucket.count), reset: bucket.start + windowMillis }
  }

  clear(): void {
    this.buckets.clear()
  }
}

/**
 * Venice's failed-request error budget (skill venice-errors §Error budget): 4xx responses other than 429 are counted
 * per bucket (key or IP, model, OpenAI `user`) in a window that opens at the first failure; once `threshold` failures
 * are counted (`state(...).remaining === 0`), every request of the bucket is refused until the window ends.
 */
export class ErrorBudget {
  private readonly windows = new FixedWindows()

  constructor(readonly threshold: number, readonly windowMillis: number) {}

  recordFailure(bucket: string, now: number): void {
    this.windows.add(bucket, now, this.windowMillis, 1)
  }

  state(bucket: string, now: number): WindowState {
    return this.windows.peek(bucket, now, this.threshold, this.windowMillis)
  }

  clear(): void {
    this.windows.clear()
  }
}

/** A TTL cache (crypto RPC idempotency keys, SIWX nonces). */
export class TtlCache<A> {
  private readonly entries = new Map<string, { readonly value: A; readonly expires: number }>()
  private ops = 0

  get(key: string, now: number): A | undefined {
    const entry = this.entries.get(key)
    if (entry === undefined) return undefined
    if (now >= entry.expires) {
      this.entries.delete(key)
      return undefined
    }
    return entry.value
  }

  set(key: string, value: A, now: number, ttlMillis: number): void {
    if (++this.ops % SWEEP_EVERY === 0) {
      for (const [k, e] of this.entries) if (now >= e.expires) this.entries.delete(k)
    }
    this.entries.set(key, { value, expires: now + ttlMillis })
  }

  clear(): void {
    this.entries.clear()
  }
}
