/**
 * The REST retry policy (§13.1): GET/HEAD only, on 429/502/503/504 and on connection failures; the n-th retry waits
 * backoff·2ⁿ plus a random jitter, or the server's Retry-After when that is longer (capped at 60 s).
 */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 502, 503, 504])
export const RETRY_METHODS: ReadonlySet<string> = new Set(["GET", "HEAD"])
const RETRY_AFTER_CAP_MS = 60_000

/** Retry-After as milliseconds: delta-seconds or an HTTP date; null when absent or unparseable. */
export const parseRetryAfter = (value: string | undefined, now = Date.now()): number | null => {
  if (value === undefined) return null
  const v = value.trim()
  if (/^\d+(\.\d+)?$/.test(v)) return Math.min(RETRY_AFTER_CAP_MS, Number(v) * 1000)
  const at = Date.parse(v)
  return Number.isNaN(at) ? null : Math.min(RETRY_AFTER_CAP_MS, Math.max(0, at - now))
}

/** Whether attempt n (0-based) of `method` may be retried after a failure with this status (null = no response). */
export const shouldRetry = (method: string, status: number | null, connectionFailure: boolean, attempt: number, retries: number): boolean =>
  attempt < retries && RETRY_METHODS.has(method.toUpperCase()) && (status === null ? connectionFailure : RETRY_STATUSES.has(status))

/** The wait before retry n (0-based). */
export const retryDelayMs = (attempt: number, backoffMs: number, jitter: number, retryAfterMs: number | null): number =>
  Math.max(backoffMs * 2 ** attempt + jitter, retryAfterMs ?? 0)
