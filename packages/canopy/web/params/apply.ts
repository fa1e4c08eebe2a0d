// POST /api/set_params with the §6 limits: 2 s REST timeout, 3 tries, Retry-After honoured but capped at 2 s.
// The toast text follows §6: "Applied N of M…; K skipped: key (reason)" or "Parameters applied", plus clamping.
import { ApiError, postJson } from "../api/rest.js"
import type { SetParamsResponse } from "../api/types.js"

const TRIES = 3
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const setParams = async (body: Readonly<Record<string, unknown>>): Promise<SetParamsResponse> => {
  let last: unknown = null
  for (let i = 0; i < TRIES; i++) {
    try {
      return await postJson<SetParamsResponse>("/api/set_params", body, { timeoutMs: 2_000 })
    } catch (err) {
      last = err
      // Retry only what may succeed later: timeouts, network errors, 429 and 503.
      if (!(err instanceof ApiError) || !(err.status === 0 || err.status === 429 || err.status === 503)) throw err
      await sleep(Math.min(2_000, (err.retryAfterS ?? 0.5) * 1000))
    }
  }
  throw last
}

export const applySummary = (sent: ReadonlyArray<string>, r: SetParamsResponse): string => {
  const skippedDetail = r.skipped_detail ?? (r.skipped ?? []).map((key) => ({ key, reason: "skipped" }))
  const applied = r.applied ?? sent.filter((k) => !skippedDetail.some((s) => s.key === k))
  const clamped = (r.clamped ?? []).map((c) => `${c.key} ${String(c.requested)} → ${String(c.applied)}`)
  const clampText = clamped.length ? ` (clamped to bounds: ${clamped.join(", ")})` : ""
  if (skippedDetail.length === 0) return `Parameters applied${clampText}`
  const skippedText = skippedDetail.map((s) => `${s.key} (${s.reason})`).join(", ")
  return `Applied ${applied.length} of ${sent.length}; ${skippedDetail.length} skipped: ${skippedText}${clampText}`
}
