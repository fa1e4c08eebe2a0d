/**
 * Fixed-window rate limiting, in memory, per process: a window starts at a key's first request; over the limit a
 * request gets 429 with `Retry-After`. Keys are `key:<api key digest>` when authenticated, else `ip:<address>`.
 */
export interface RateDecision {
  readonly allowed: boolean
  readonly limit: number
  readonly remaining: number
  /** Whole seconds until the window ends. */
  readonly reset: number
}

export const makeRateLimiter = (limit: number, windowSeconds: number, now: () => number = Date.now) => {
  const windows = new Map<string, { start: number; count: number }>()
  const windowMs = windowSeconds * 1000
  let lastSweep = now()
  return {
    hit(key: string): RateDecision {
      const t = now()
      // Forget expired windows now and then so that many distinct clients cannot grow the map without bound.
      if (t - lastSweep > windowMs) {
        for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k)
        lastSweep = t
      }
      let w = windows.get(key)
      if (!w || t - w.start >= windowMs) {
        w = { start: t, count: 0 }
        windows.set(key, w)
      }
      w.count++
      const reset = Math.max(1, Math.ceil((w.start + windowMs - t) / 1000))
      return { allowed: w.count <= limit, limit, remaining: Math.max(0, limit - w.count), reset }
    }
  }
}
export type RateLimiter = ReturnType<typeof makeRateLimiter>
