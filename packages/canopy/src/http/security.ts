/**
 * Browser-facing security (canopy-ui §3.1 auth column, §4, §5): the Origin allowlist, CSRF tokens (1 h sliding TTL,
 * server-side, HMAC-signed), the "browser" gate of the control routes, the API-key check of the sockets, and the
 * per-path security headers (the dashboard's CSP allows only its own scripts, styles and images).
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { Context, Effect, Layer, Redacted } from "effect"
import { defaultSecurityHeaders } from "@juniper/core"

/** An Origin is acceptable when absent (not a browser), allow-listed, or the page's own origin (same Host). */
export const originAllowed = (origin: string | undefined, host: string | undefined, allowed: ReadonlyArray<string>): boolean => {
  if (origin === undefined || origin === "") return true
  if (allowed.includes(origin)) return true
  if (host === undefined) return false
  try {
    return new URL(origin).host === host
  } catch {
    return false
  }
}

export interface CsrfShape {
  readonly enabled: boolean
  readonly ttlSeconds: number
  /** A new token. */
  readonly issue: Effect.Effect<string>
  /** True when the token is known, signed and not expired; a valid use slides its expiry. */
  readonly verify: (token: string | undefined) => Effect.Effect<boolean>
}

export class Csrf extends Context.Tag("@juniper/canopy/Csrf")<Csrf, CsrfShape>() {}

export const makeCsrf = (o: { readonly enabled: boolean; readonly ttlSeconds: number; readonly secret: Redacted.Redacted<string> | null; readonly maxTokens?: number }): CsrfShape => {
  const secret = o.secret ? Redacted.value(o.secret) : randomBytes(32).toString("hex")
  const ttl = o.ttlSeconds * 1000
  const max = o.maxTokens ?? 10_000
  const tokens = new Map<string, number>()
  const sign = (nonce: string) => createHmac("sha256", secret).update(nonce).digest("base64url")
  const prune = (now: number) => {
    for (const [t, exp] of tokens) if (exp <= now) tokens.delete(t)
    while (tokens.size >= max) {
      const oldest = tokens.keys().next().value
      if (oldest === undefined) break
      tokens.delete(oldest)
    }
  }
  return {
    enabled: o.enabled,
    ttlSeconds: o.ttlSeconds,
    issue: Effect.sync(() => {
      const now = Date.now()
      prune(now)
      const nonce = randomBytes(18).toString("base64url")
      const token = `${nonce}.${sign(nonce)}`
      tokens.set(token, now + ttl)
      return token
    }),
    verify: (token) =>
      Effect.sync(() => {
        if (!o.enabled) return true
        if (token === undefined || token.length > 200) return false
        const [nonce, sig] = token.split(".")
        if (!nonce || !sig) return false
        const expected = Buffer.from(sign(nonce))
        const given = Buffer.from(sig)
        if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false
        const exp = tokens.get(token)
        const now = Date.now()
        if (exp === undefined || exp <= now) {
          tokens.delete(token)
          return false
        }
        tokens.delete(token)
        tokens.set(token, now + ttl) // sliding, and most recently used last
        return true
      })
  }
}

export const layerCsrf = (o: Parameters<typeof makeCsrf>[0]) => Layer.sync(Csrf, () => makeCsrf(o))

/** Constant-time check of an API key against the configured ones. */
export const keyMatches = (given: string | undefined, keys: ReadonlyArray<Redacted.Redacted<string>>): boolean => {
  if (given === undefined) return false
  const g = Buffer.from(given)
  let ok = false
  for (const k of keys) {
    const v = Buffer.from(Redacted.value(k))
    if (v.length === g.length && timingSafeEqual(v, g)) ok = true
  }
  return ok
}

/** §5 CSP for the dashboard: self-hosted scripts, styles and images only. */
export const DASHBOARD_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; frame-ancestors 'none'"

const dashboardHeaders: Readonly<Record<string, string>> = { ...defaultSecurityHeaders, "content-security-policy": DASHBOARD_CSP }
const docsHeaders: Readonly<Record<string, string>> = {
  ...defaultSecurityHeaders,
  "content-security-policy": "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'"
}

/** Security headers per path: the dashboard's CSP under / and /dashboard, the strict default for the API. */
export const securityHeadersFor = (path: string): Readonly<Record<string, string>> =>
  path === "/" || path === "/dashboard" || path.startsWith("/dashboard/") ? dashboardHeaders : path === "/docs" ? docsHeaders : defaultSecurityHeaders
