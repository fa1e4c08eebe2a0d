// The CSRF token from /api/csrf (1 h sliding TTL): the first frame of /ws/control and the X-CSRF-Token header of
// the REST control fallback. Cached, refreshed on demand after a rejection.
import { getJson } from "./rest.js"

interface CsrfDoc {
  readonly csrf_token?: string
  readonly enabled?: boolean
}

let cached: { token: string; at: number } | null = null
const MAX_AGE_MS = 30 * 60_000

export const csrfToken = async (refresh = false): Promise<string> => {
  if (!refresh && cached && Date.now() - cached.at < MAX_AGE_MS) return cached.token
  const doc = await getJson<CsrfDoc>("/api/csrf", undefined, 5_000)
  cached = { token: doc.csrf_token ?? "", at: Date.now() }
  return cached.token
}

export const forgetCsrfToken = (): void => {
  cached = null
}
