/**
 * Canopy's server: core's edge middleware, node server, route table and metrics, composed like core's `serve` but
 * with two differences Canopy needs: `GET /v1/health` is dynamic (connections, training, data availability), so the
 * constant-body fast path is off; and a graceful shutdown first says `server_shutdown` to every browser socket and
 * closes them, so open WebSockets do not hold the shutdown for the grace period.
 *
 * (A `healthFastPath: false` option in core's `serve` would make this file unnecessary.)
 */
import { type HttpApi, HttpApiScalar, HttpLayerRouter, HttpMiddleware, HttpServer, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Ref } from "effect"
import {
  apiRoutes,
  type HttpSettings,
  Health,
  makeEdge,
  makeNodeServer,
  makeRouteTable,
  Metrics,
  type RoutePattern,
  SdNotify,
  type WireErrors
} from "@juniper/core"

export interface CanopyServeOptions {
  readonly api: HttpApi.HttpApi.Any
  readonly handlers: Layer.Layer<any, any, any>
  readonly routes: Layer.Layer<never, any, any>
  readonly routePatterns: ReadonlyArray<RoutePattern>
  readonly settings: HttpSettings
  readonly errors: WireErrors
  readonly authExempt: (path: string) => boolean
  readonly securityHeaders: (path: string) => Readonly<Record<string, string>>
  /** Called as soon as SIGTERM/SIGINT arrives (before connections are drained). */
  readonly onShutdownSignal: () => void
  /** Serve /metrics (Prometheus) — `…_METRICS_ENABLED`. */
  readonly metricsEnabled: boolean
  readonly metricsTrustedIps: ReadonlyArray<string>
}

const alwaysExempt = (path: string) => path === "/metrics" || path.startsWith("/v1/health")

export const serveCanopy = (o: CanopyServeOptions) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const health = yield* Health
      const metrics = yield* Metrics
      const { settings } = o
      const node = makeNodeServer({
        healthBody: null,
        securityHeaders: o.securityHeaders("/v1/health"),
        metrics,
        graceSeconds: settings.shutdownGraceSeconds,
        corsEnabled: settings.corsOrigins.length > 0
      })
      const onTerm = () => {
        Effect.runSync(Ref.set(health.draining, true))
        o.onShutdownSignal()
        // A safety net: whatever a finaliser waits for, the process is gone shortly after the grace period.
        setTimeout(() => {
          process.stderr.write("shutdown did not finish in time; exiting\n")
          process.exit(1)
        }, (settings.shutdownGraceSeconds + 5) * 1000).unref()
      }
      process.once("SIGTERM", onTerm)
      process.once("SIGINT", onTerm)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          process.off("SIGTERM", onTerm)
          process.off("SIGINT", onTerm)
        })
      )
      const patterns: Array<RoutePattern> = [
        ...apiRoutes(o.api),
        ...o.routePatterns,
        { method: "GET", path: "/metrics" },
        { method: "GET", path: "/openapi.json" },
        { method: "GET", path: "/docs" }
      ]
      const edge = makeEdge({
        settings,
        errors: o.errors,
        routes: makeRouteTable(patterns),
        metrics,
        exempt: (path) => alwaysExempt(path) || o.authExempt(path),
        securityHeaders: o.securityHeaders,
        inflight: node.inflight
      })
      const trusted = new Set(o.metricsTrustedIps)
      const metricsRoute = HttpLayerRouter.add(
        "GET",
        "/metrics",
        Effect.gen(function* () {
          const req = yield* HttpServerRequest.HttpServerRequest
          const ip = req.remoteAddress._tag === "Some" ? req.remoteAddress.value.replace(/^::ffff:/, "") : ""
          if (!o.metricsEnabled) return HttpServerResponse.unsafeJson({ error: "Not Found", detail: "Metrics are disabled (JUNIPER_CANOPY_METRICS_ENABLED)", status_code: 404 }, { status: 404 })
          if (!trusted.has(ip) && !trusted.has(`::ffff:${ip}`)) return HttpServerResponse.unsafeJson({ error: "Forbidden", detail: "Metrics are restricted to trusted IPs", status_code: 403 }, { status: 403 })
          const { body, contentType } = yield* metrics.render
          return HttpServerResponse.text(body, { contentType, headers: { "cache-control": "no-store" } })
        })
      )
      const apiLayer = HttpLayerRouter.addHttpApi(o.api as HttpApi.HttpApi<string, any, any, any>, { openapiPath: "/openapi.json" }).pipe(Layer.provide(o.handlers))
      const all = Layer.mergeAll(
        apiLayer,
        metricsRoute,
        o.routes,
        HttpApiScalar.layerHttpLayerRouter({ api: o.api, path: "/docs", scalar: { withDefaultFonts: false } }),
        HttpLayerRouter.middleware(edge as never, { global: true }) as Layer.Layer<never>
      )
      const served = HttpLayerRouter.serve(all, { disableLogger: true, disableListenLog: true, routerConfig: { maxParamLength: 1024 } }).pipe(
        HttpMiddleware.withTracerDisabledWhen(() => true),
        Layer.provideMerge(NodeHttpServer.layer(() => node.server, { host: settings.host, port: settings.port }))
      )
      const announce = Layer.scopedDiscard(
        Effect.gen(function* () {
          const server = yield* HttpServer.HttpServer
          const notify = yield* SdNotify
          yield* Effect.logInfo("listening").pipe(Effect.annotateLogs({ service: health.info.service, version: health.info.version, address: server.address }))
          yield* notify.ready
          yield* Effect.addFinalizer(() => notify.stopping)
        })
      )
      return Layer.provideMerge(announce, served)
    })
  )
