/** Readiness dependency: JuniperData's liveness (`<url>/v1/health/live`, ≤ 5 s); down → `degraded` (inline data still works). */
import { Effect } from "effect"
import type { DependencyProbe } from "@juniper/core"

export const juniperDataProbe = (url: string | null): DependencyProbe => ({
  key: "juniper_data",
  name: "JuniperData Service",
  critical: false,
  timeout: "5 seconds",
  check:
    url === null || url === ""
      ? Effect.succeed({ status: "not_configured" as const, message: null })
      : Effect.tryPromise({
          try: async (signal) => {
            const base = url.replace(/\/+$/, "").replace(/\/v1$/, "")
            const res = await fetch(`${base}/v1/health/live`, { signal })
            await res.arrayBuffer()
            return res.ok ? ({ status: "healthy", message: url } as const) : ({ status: "unhealthy", message: url } as const)
          },
          catch: () => url
        }).pipe(Effect.catchAll(() => Effect.succeed({ status: "unhealthy" as const, message: url })))
})
