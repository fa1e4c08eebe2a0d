// Full-jitter reconnect delay (§4.3): random × min(60 s, 500 ms × 2^min(n, 7)). Unlimited attempts.

export const BASE_MS = 500
export const CAP_MS = 60_000

export const backoffDelay = (attempt: number, random: () => number = Math.random): number =>
  random() * Math.min(CAP_MS, BASE_MS * 2 ** Math.min(Math.max(attempt, 0), 7))
