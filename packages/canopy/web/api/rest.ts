// Fetch wrapper for canopy's /api routes: JSON in and out, a timeout, and errors that carry the server's detail
// (every canopy error body is {"error","detail","status_code"}; FastAPI-style {"detail"} is accepted too).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
    readonly body: unknown,
    readonly retryAfterS: number | null = null
  ) {
    super(detail)
    this.name = "ApiError"
  }
}

export interface RequestOptions {
  readonly method?: "GET" | "POST" | "PATCH" | "DELETE"
  readonly body?: unknown
  readonly headers?: Readonly<Record<string, string>>
  readonly timeoutMs?: number
  readonly query?: Readonly<Record<string, string | number | boolean | undefined>>
}

const DEFAULT_TIMEOUT_MS = 10_000

const describe = (status: number, body: unknown, fallback: string): string => {
  if (body && typeof body === "object") {
    const b = body as Record<string, unknown>
    const detail = b["detail"] ?? b["message"] ?? b["error"]
    if (typeof detail === "string" && detail) return typeof b["error"] === "string" && b["error"] !== detail ? `${b["error"]}: ${detail}` : detail
    if (Array.isArray(detail)) return detail.map((d) => (d && typeof d === "object" && "msg" in d ? String((d as { msg: unknown }).msg) : String(d))).join("; ")
  }
  return `${fallback} (HTTP ${status})`
}

export const request = async <T>(path: string, opts: RequestOptions = {}): Promise<T> => {
  const url = new URL(path, location.origin)
  for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v))
  const ctrl = new AbortController()
  const timer = setTimeout(() => ctrl.abort(), opts.timeoutMs ?? DEFAULT_TIMEOUT_MS)
  const headers: Record<string, string> = { Accept: "application/json", ...opts.headers }
  if (opts.body !== undefined) headers["Content-Type"] = "application/json"
  let res: Response
  try {
    res = await fetch(url, {
      method: opts.method ?? "GET",
      headers,
      body: opts.body === undefined ? null : JSON.stringify(opts.body),
      signal: ctrl.signal,
      credentials: "same-origin"
    })
  } catch (err) {
    throw new ApiError(0, ctrl.signal.aborted ? `${path} timed out` : `${path}: network error`, null)
  } finally {
    clearTimeout(timer)
  }
  const text = await res.text()
  let body: unknown = null
  if (text) {
    try {
      body = JSON.parse(text)
    } catch {
      body = text
    }
  }
  if (!res.ok) {
    const ra = Number(res.headers.get("Retry-After"))
    throw new ApiError(res.status, describe(res.status, body, res.statusText || "request failed"), body, Number.isFinite(ra) && ra > 0 ? ra : null)
  }
  return body as T
}

export const getJson = <T>(path: string, query?: RequestOptions["query"], timeoutMs?: number): Promise<T> =>
  request<T>(path, { ...(query ? { query } : {}), ...(timeoutMs ? { timeoutMs } : {}) })

export const postJson = <T>(path: string, body?: unknown, opts: Omit<RequestOptions, "method" | "body"> = {}): Promise<T> =>
  request<T>(path, { ...opts, method: "POST", ...(body === undefined ? {} : { body }) })

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err))
