/** API-key authentication: constant-time comparison against every configured key, with no early exit. */
import { createHash, timingSafeEqual } from "node:crypto"
import { Redacted } from "effect"

const digest = (s: string) => createHash("sha256").update(s, "utf8").digest()

export interface ApiKeyCheck {
  readonly enabled: boolean
  /** "ok", or why not. */
  readonly check: (presented: string | undefined) => "ok" | "missing" | "invalid"
}

export const makeApiKeyCheck = (keys: ReadonlyArray<Redacted.Redacted<string>>): ApiKeyCheck => {
  // Comparing fixed-length digests keeps timingSafeEqual's length requirement and hides key lengths.
  const digests = keys.map((k) => digest(Redacted.value(k)))
  return {
    enabled: digests.length > 0,
    check: (presented) => {
      if (digests.length === 0) return "ok"
      if (presented === undefined || presented === "") return "missing"
      const d = digest(presented)
      let match = false
      for (const k of digests) match = timingSafeEqual(k, d) || match
      return match ? "ok" : "invalid"
    }
  }
}
