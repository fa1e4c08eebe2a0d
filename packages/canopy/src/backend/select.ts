/**
 * Backend selection at start-up (canopy-ui §2.3), first rule that applies wins:
 * 1. `JUNIPER_CANOPY_BACKEND` = demo | service | fake (project extension; `auto` continues);
 * 2. `JUNIPER_CANOPY_DEMO_MODE` (legacy `CASCOR_DEMO_MODE`) → demo;
 * 3. `JUNIPER_CANOPY_CASCOR_SERVICE_URL` (legacy `CASCOR_SERVICE_URL`) → service, after probing `<url>/v1/health/live`;
 *    unreachable → WARNING and demo;
 * 4. discovery (default on): `http://<host>:<port>/v1/health/live` with a 2 s timeout → service;
 * 5. demo.
 */
import { Effect } from "effect"
import type { BackendMode } from "../api/schema.js"

export interface Selection {
  readonly mode: Extract<BackendMode, "demo" | "service" | "fake">
  /** The JuniperCascor base URL (service mode). */
  readonly url: string | null
  /** Why this mode, for the start-up log. */
  readonly reason: string
}

export interface SelectionInput {
  readonly backend: "auto" | "demo" | "service" | "fake"
  readonly demoMode: boolean
  readonly cascorServiceUrl: string | null
  readonly discovery: { readonly enabled: boolean; readonly host: string; readonly ports: ReadonlyArray<number>; readonly timeoutSeconds: number }
}

export const trimUrl = (url: string): string => {
  let u = url.trim()
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(u)) u = `http://${u}`
  u = u.replace(/[?#].*$/, "").replace(/\/+$/, "")
  return u.endsWith("/v1") ? u.slice(0, -3) : u
}

/** True when `<url>/v1/health/live` answers 2xx within the timeout. */
export const probeLive = (url: string, timeoutMs: number): Effect.Effect<boolean> =>
  Effect.tryPromise({
    try: async (signal) => {
      const ctl = AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)])
      const res = await fetch(`${trimUrl(url)}/v1/health/live`, { signal: ctl })
      await res.arrayBuffer().catch(() => undefined)
      return res.ok
    },
    catch: () => false
  }).pipe(Effect.orElseSucceed(() => false))

export const selectBackend = (s: SelectionInput, probe: (url: string, timeoutMs: number) => Effect.Effect<boolean> = probeLive): Effect.Effect<Selection> =>
  Effect.gen(function* () {
    const discovered = () => `http://${s.discovery.host}:${s.discovery.ports[0] ?? 8200}`
    if (s.backend === "demo") return { mode: "demo", url: null, reason: "JUNIPER_CANOPY_BACKEND=demo" }
    if (s.backend === "fake") return { mode: "fake", url: null, reason: "JUNIPER_CANOPY_BACKEND=fake" }
    if (s.backend === "service") {
      const url = trimUrl(s.cascorServiceUrl ?? discovered())
      return { mode: "service", url, reason: `JUNIPER_CANOPY_BACKEND=service (${url})` }
    }
    if (s.demoMode) return { mode: "demo", url: null, reason: "JUNIPER_CANOPY_DEMO_MODE=true" }
    if (s.cascorServiceUrl !== null) {
      const url = trimUrl(s.cascorServiceUrl)
      if (yield* probe(url, 5000)) return { mode: "service", url, reason: `JUNIPER_CANOPY_CASCOR_SERVICE_URL=${url}` }
      yield* Effect.logWarning(`JuniperCascor unreachable at ${url} — falling back to demo mode`)
      return { mode: "demo", url: null, reason: `JuniperCascor unreachable at ${url}` }
    }
    if (s.discovery.enabled) {
      for (const port of s.discovery.ports) {
        const url = `http://${s.discovery.host}:${port}`
        if (yield* probe(url, s.discovery.timeoutSeconds * 1000)) return { mode: "service", url, reason: `discovered JuniperCascor at ${url}` }
      }
    }
    return { mode: "demo", url: null, reason: s.discovery.enabled ? "no JuniperCascor configured or discovered" : "no JuniperCascor configured" }
  })
