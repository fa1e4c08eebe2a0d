/**
 * Dependency probes for readiness: each runs with a timeout and a measured latency, and results are cached briefly
 * so that a storm of readiness calls does not become a storm of probes.
 */
import { Cause, Clock, Duration, Effect, SynchronizedRef } from "effect"
import { DependencyStatus, type DependencyState, ReadinessResponse, type ReadinessState } from "./schema.js"

export interface ProbeResult {
  readonly status: DependencyState
  readonly message: string | null
}

export interface DependencyProbe {
  /** Key in `dependencies` (e.g. "storage", "juniper_data"). */
  readonly key: string
  /** Human-readable name (e.g. "Dataset Storage"). */
  readonly name: string
  /** A critical dependency that is down makes the service `not_ready` (503); a non-critical one `degraded` (200). */
  readonly critical: boolean
  readonly check: Effect.Effect<ProbeResult, unknown>
  readonly timeout?: Duration.DurationInput
}

/** Runs one probe: timeout → unhealthy, failure → unhealthy with the error, latency always measured. */
export const runProbe = (probe: DependencyProbe): Effect.Effect<DependencyStatus> =>
  Effect.gen(function* () {
    const start = yield* Clock.currentTimeNanos
    const result = yield* probe.check.pipe(
      Effect.timeoutFail({ duration: probe.timeout ?? "2 seconds", onTimeout: () => "timed out" }),
      Effect.catchAllCause((cause) =>
        Effect.succeed<ProbeResult>({ status: "unhealthy", message: (Cause.pretty(cause).split("\n")[0] ?? "").slice(0, 300) })
      )
    )
    const end = yield* Clock.currentTimeNanos
    return new DependencyStatus({
      name: probe.name,
      status: result.status,
      latency_ms: Math.round(Number(end - start) / 1e4) / 100,
      message: result.message
    })
  })

/** Worst status wins: a critical dependency that is not healthy → not_ready; any other problem → degraded. */
export const overallStatus = (
  probes: ReadonlyArray<DependencyProbe>,
  results: ReadonlyArray<DependencyStatus>
): ReadinessState => {
  let status: ReadinessState = "ready"
  results.forEach((r, i) => {
    if (r.status === "healthy" || r.status === "not_configured") return
    if (probes[i]?.critical && r.status === "unhealthy") status = "not_ready"
    else if (status === "ready") status = "degraded"
  })
  return status
}

export interface ReadinessOptions {
  readonly service: string
  readonly version: string
  readonly gitSha: string | null
  readonly buildDate: string | null
  readonly probes: ReadonlyArray<DependencyProbe>
  /** Service-specific fields, computed per call (cheap). */
  readonly details?: Effect.Effect<Record<string, unknown>>
  /** How long probe results are reused (default 2 s). */
  readonly cacheFor?: Duration.DurationInput
  /** Extra not-ready condition (e.g. shutting down). */
  readonly draining?: Effect.Effect<boolean>
}

/**
 * Builds the readiness check. Concurrent callers share one probe run; results are cached for `cacheFor`.
 */
export const makeReadiness = (options: ReadinessOptions): Effect.Effect<Effect.Effect<ReadinessResponse>> =>
  Effect.gen(function* () {
    const ttl = Duration.toMillis(options.cacheFor ?? "2 seconds")
    const cache = yield* SynchronizedRef.make<{ at: number; results: ReadonlyArray<DependencyStatus> } | null>(null)
    const results = SynchronizedRef.modifyEffect(cache, (cached) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        if (cached && now - cached.at < ttl) return [cached.results, cached] as const
        const fresh = yield* Effect.forEach(options.probes, runProbe, { concurrency: "unbounded" })
        return [fresh, { at: yield* Clock.currentTimeMillis, results: fresh }] as const
      })
    )
    return Effect.gen(function* () {
      const deps = yield* results
      const draining = options.draining ? yield* options.draining : false
      const details = options.details ? yield* options.details : {}
      const dependencies: Record<string, DependencyStatus> = {}
      options.probes.forEach((p, i) => {
        const r = deps[i]
        if (r) dependencies[p.key] = r
      })
      return new ReadinessResponse({
        status: draining ? "not_ready" : overallStatus(options.probes, deps),
        version: options.version,
        service: options.service,
        timestamp: (yield* Clock.currentTimeMillis) / 1000,
        git_sha: options.gitSha,
        build_date: options.buildDate,
        dependencies,
        details: draining ? { ...details, shutting_down: true } : details
      })
    })
  })

/** A probe of another Juniper service's `/v1/health` over HTTP (status 2xx = healthy). */
export const httpProbe = (key: string, name: string, url: string | null, critical = false): DependencyProbe => ({
  key,
  name,
  critical,
  timeout: "2 seconds",
  check:
    url === null
      ? Effect.succeed({ status: "not_configured", message: "not configured" })
      : Effect.tryPromise({
          try: async (signal) => {
            const res = await fetch(`${url.replace(/\/$/, "")}/v1/health`, { signal })
            await res.arrayBuffer()
            return res.ok
              ? ({ status: "healthy", message: url } as const)
              : ({ status: "unhealthy", message: `${url}: HTTP ${res.status}` } as const)
          },
          catch: (e) => e
        }).pipe(
          Effect.catchAll((e) =>
            Effect.succeed({ status: "unhealthy" as const, message: `${url}: ${e instanceof Error ? e.message : String(e)}` })
          )
        )
})
