/**
 * Circuit breaker for upstream calls (canopy-ui §2.2): opens after `threshold` consecutive unavailability failures,
 * answers "open" at once while open, lets one trial call through after `recoveryMs` (half-open), and closes again on
 * a success. Only unavailability counts (connection refused, timeout, 503); a 404 or 409 proves the upstream is up.
 */
import { Effect } from "effect"
import { LinkError } from "./link.js"

export type CircuitState = "closed" | "open" | "half_open"

export interface Breaker {
  readonly state: () => CircuitState
  readonly call: <A>(effect: Effect.Effect<A, LinkError>) => Effect.Effect<A, LinkError>
  /** A success seen elsewhere (a frame arrived): close the circuit. */
  readonly succeed: () => void
}

export const makeBreaker = (threshold: number, recoveryMs: number, now: () => number = Date.now): Breaker => {
  let failures = 0
  let openedAt: number | null = null
  let trial = false
  const state = (): CircuitState => (openedAt === null ? "closed" : now() - openedAt >= recoveryMs ? "half_open" : "open")
  const succeed = () => {
    failures = 0
    openedAt = null
    trial = false
  }
  const fail = () => {
    failures++
    trial = false
    if (failures >= threshold) openedAt = now()
  }
  return {
    state,
    succeed,
    call: (effect) =>
      Effect.suspend(() => {
        const s = state()
        if (s === "open" || (s === "half_open" && trial))
          return Effect.fail(new LinkError({ kind: "unavailable", message: "JuniperCascor circuit open (recent calls failed); retrying shortly", status: 503 }))
        if (s === "half_open") trial = true
        return effect.pipe(
          Effect.tapBoth({
            onSuccess: () => Effect.sync(succeed),
            onFailure: (e) => Effect.sync(() => (e.kind === "unavailable" ? fail() : succeed()))
          })
        )
      })
  }
}
