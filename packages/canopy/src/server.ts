/**
 * JuniperCanopy as a Layer: the backend chosen at start-up, the WebSocket hub fed by it, readiness with live probes
 * of JuniperData and JuniperCascor, the HttpApi, the two sockets and the dashboard's files, on Canopy's server.
 */
import { HttpLayerRouter } from "@effect/platform"
import { Effect, Layer } from "effect"
import { type DependencyProbe, Health, layerMetrics, makeHealth, packageVersion, type SdNotify, serve } from "@juniper/core"
import { layerJuniperDataClient } from "@juniper/data"
import { CanopyApi } from "./api/http-api.js"
import { SERVICE_NAME } from "./api/schema.js"
import { CanopyBackend } from "./backend/backend.js"
import { layerBackend } from "./backend/layers.js"
import { probeLive, type Selection, trimUrl } from "./backend/select.js"
import { type CanopySettings, redactedValue } from "./config.js"
import { CanopyApiLive } from "./http/handlers.js"
import { layerCsrf, securityHeadersFor } from "./http/security.js"
import { staticRoutePatterns, staticRoutes } from "./http/static.js"
import { canopyWireErrors } from "./http/wire-errors.js"
import { CanopyRuntime } from "./runtime.js"
import { controlSocket } from "./ws/control.js"
import { CanopyHub, layerHub } from "./ws/hub.js"
import { trainingSocket } from "./ws/training.js"

export const VERSION = packageVersion(import.meta.url)

/** A dependency probe of `<url>/v1/health/live` (≤ 5 s; §3.2); the message is the URL. */
export const liveProbe = (key: string, name: string, url: string | null, fixed?: { status: "healthy" | "not_configured"; message: string }): DependencyProbe => ({
  key,
  name,
  critical: false,
  timeout: "5 seconds",
  check:
    fixed !== undefined
      ? Effect.succeed(fixed)
      : url === null
        ? Effect.succeed({ status: "not_configured" as const, message: "not configured" })
        : Effect.map(probeLive(url, 5000), (ok) => ({ status: ok ? ("healthy" as const) : ("unhealthy" as const), message: trimUrl(url) }))
})

/** Paths that skip the edge's API-key check and rate limit: the page, the sockets (their own gates), CSRF, probes. */
export const authExempt = (path: string): boolean =>
  path === "/" ||
  path === "/dashboard" ||
  path.startsWith("/dashboard/") ||
  path.startsWith("/ws/") ||
  path === "/api/csrf" ||
  path.startsWith("/api/train/") ||
  path === "/health" ||
  path === "/api/health" ||
  path === "/openapi.json" ||
  path === "/docs"

const healthLayer = (settings: CanopySettings, selection: Selection) =>
  Layer.effect(
    Health,
    Effect.gen(function* () {
      const backend = yield* CanopyBackend
      const hub = yield* CanopyHub
      const cascor =
        selection.mode === "fake"
          ? liveProbe("juniper_cascor", "JuniperCascor Service", null, { status: "healthy", message: "fake (in-process FakeCascorClient)" })
          : liveProbe("juniper_cascor", "JuniperCascor Service", backend.upstreamUrl)
      return yield* makeHealth({
        service: SERVICE_NAME,
        version: VERSION,
        gitSha: settings.http.gitSha,
        buildDate: settings.http.buildDate,
        probes: [liveProbe("juniper_data", "JuniperData Service", settings.juniperDataUrl), cascor],
        // A demo training phase runs on the event loop between two yields; only a much longer stall is "unresponsive".
        maxTickMs: 2000,
        details: Effect.gen(function* () {
          const training = yield* backend.isTrainingActive.pipe(Effect.timeout("1 second"), Effect.orElseSucceed(() => false))
          return { mode: backend.backendType, active_connections: hub.connections, training_active: training }
        })
      })
    })
  )

/** The whole service for `settings`, with the backend `selection` chose. */
export const canopyServer = (settings: CanopySettings, selection: Selection): Layer.Layer<never, unknown, SdNotify> => {
  const runtime = Layer.succeed(CanopyRuntime, { settings, version: VERSION })
  const backend = layerBackend(settings, selection)
  const ws = settings.websocket
  const hub = layerHub({
    replayBufferSize: ws.replayBufferSize,
    chunkThresholdBytes: 60_000,
    chunkPayloadBytes: 32_000,
    maxConnections: ws.maxConnections,
    maxConnectionsPerIp: ws.maxConnectionsPerIp
  })
  const csrf = layerCsrf({ enabled: settings.csrfEnabled, ttlSeconds: settings.csrfTokenTtlSeconds, secret: settings.csrfSecret })
  const dataKey = redactedValue(settings.juniperDataApiKey)
  const dataClient = layerJuniperDataClient({ baseUrl: settings.juniperDataUrl, timeoutMs: 5000, retries: 0, ...(dataKey ? { apiKey: dataKey } : {}) })
  const routes = Layer.mergeAll(
    HttpLayerRouter.add("GET", "/ws/training", trainingSocket),
    HttpLayerRouter.add("GET", "/ws/control", controlSocket),
    staticRoutes(settings.staticDir)
  )
  const server = Layer.unwrapEffect(
    Effect.map(CanopyHub, (h) =>
      serve({
        api: CanopyApi,
        handlers: CanopyApiLive,
        routes,
        routePatterns: [...staticRoutePatterns, { method: "GET", path: "/ws/training" }, { method: "GET", path: "/ws/control" }],
        settings: settings.http,
        errors: canopyWireErrors,
        authExempt,
        securityHeaders: securityHeadersFor,
        onShutdownSignal: () => h.shutdown(),
        // /v1/health reports connections and training: dynamic, so no constant-body fast path.
        healthFastPath: false,
        metricsAccess: { enabled: settings.metricsEnabled, trustedIps: settings.metricsTrustedIps }
      })
    )
  )
  const core = Layer.mergeAll(hub, Layer.empty).pipe(Layer.provideMerge(backend))
  return server.pipe(
    Layer.provide(healthLayer(settings, selection)),
    Layer.provide(layerMetrics("juniper_canopy", { version: VERSION, gitSha: settings.http.gitSha, buildDate: settings.http.buildDate })),
    Layer.provide(csrf),
    Layer.provide(dataClient),
    Layer.provide(runtime),
    Layer.provide(core)
  ) as Layer.Layer<never, unknown, SdNotify>
}
