/**
 * Serving a Juniper service: its HttpApi (with OpenAPI at /openapi.json and offline docs at /docs), extra routes (RPC,
 * WebSockets, static files), /metrics, the edge middleware, the node server with its health fast path and graceful
 * shutdown, and sd_notify for systemd.
 */
import {
  type HttpApi,
  HttpApiScalar,
  HttpLayerRouter,
  HttpMiddleware,
  HttpServer,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Ref } from "effect"
import type { HttpSettings } from "../config/http-settings.js"
import { Health } from "../health/service.js"
import { Metrics } from "../metrics/registry.js"
import { SdNotify } from "../runtime/sd-notify.js"
import { defaultSecurityHeaders, makeEdge } from "./edge.js"
import { makeNodeServer } from "./node-server.js"
import { apiRoutes, makeRouteTable, type RoutePattern } from "./route-table.js"
import type { WireErrors } from "./wire-errors.js"

export interface ServeOptions {
  readonly api: HttpApi.HttpApi.Any
  /** The API's handler layers (HttpApiBuilder.group …), health included. */
  readonly handlers: Layer.Layer<any, any, any>
  /** Further routes on the same router (RPC, WebSockets, static assets). */
  readonly routes?: Layer.Layer<never, any, any>
  /** Patterns of those routes, for metrics labels and 405 detection. */
  readonly routePatterns?: ReadonlyArray<RoutePattern>
  readonly settings: HttpSettings
  readonly errors: WireErrors
  /** Paths exempt from auth and rate limiting; health and metrics always are. */
  readonly authExempt?: (path: string) => boolean
  readonly securityHeaders?: (path: string) => Readonly<Record<string, string>>
  /** Serve OpenAPI and /docs (default true). */
  readonly docs?: boolean
  /** Rewrites the OpenAPI document (e.g. to document the service's own error shapes). */
  readonly openapi?: (spec: Record<string, unknown>) => Record<string, unknown>
}

const alwaysExempt = (path: string) => path === "/metrics" || path === "/metrics/" || path.startsWith("/v1/health")

const metricsRoutes = Layer.unwrapEffect(
  Effect.map(Metrics, (metrics) => {
    const handler = Effect.map(metrics.render, ({ body, contentType }) =>
      HttpServerResponse.text(body, { contentType, headers: { "cache-control": "no-store" } })
    )
    // The router ignores trailing slashes, so this also serves "/metrics/".
    return HttpLayerRouter.add("GET", "/metrics", handler)
  })
)

/**
 * The server layer: needs Health and Metrics (and whatever the handlers need); binds settings.host:settings.port.
 * Provides HttpServer so tests can read the bound address (port 0 → a random free port).
 */
export const serve = (o: ServeOptions) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const health = yield* Health
      const metrics = yield* Metrics
      const { settings } = o
      const docs = o.docs ?? true
      const securityHeaders = o.securityHeaders ?? (() => defaultSecurityHeaders)
      const node = makeNodeServer({
        healthBody: JSON.stringify(health.info),
        securityHeaders: securityHeaders("/v1/health"),
        metrics,
        graceSeconds: settings.shutdownGraceSeconds,
        corsEnabled: settings.corsOrigins.length > 0
      })
      // Readiness turns not_ready as soon as a shutdown is requested, before connections are drained.
      const onTerm = () => Effect.runSync(Ref.set(health.draining, true))
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
        ...(o.routePatterns ?? []),
        { method: "GET", path: "/metrics" },
        ...(docs ? [{ method: "GET", path: "/openapi.json" }, { method: "GET", path: "/docs" }] : [])
      ]
      const edge = makeEdge({
        settings,
        errors: o.errors,
        routes: makeRouteTable(patterns),
        metrics,
        exempt: (path) => alwaysExempt(path) || (o.authExempt?.(path) ?? false),
        securityHeaders,
        inflight: node.inflight
      })
      const apiLayer = HttpLayerRouter.addHttpApi(o.api as HttpApi.HttpApi<string, any, any, any>, docs ? { openapiPath: "/openapi.json" } : {}).pipe(Layer.provide(o.handlers))
      const all = Layer.mergeAll(
        apiLayer,
        metricsRoutes,
        o.routes ?? Layer.empty,
        docs ? HttpApiScalar.layerHttpLayerRouter({ api: o.api, path: "/docs", scalar: { withDefaultFonts: false } }) : Layer.empty,
        HttpLayerRouter.middleware(edge as never, { global: true }) as Layer.Layer<never>
      )
      const served = HttpLayerRouter.serve(all, { disableLogger: true, disableListenLog: true, routerConfig: { maxParamLength: 1024 } }).pipe(
        HttpMiddleware.withTracerDisabledWhen(() => true),
        Layer.provideMerge(NodeHttpServer.layer(() => node.server, { host: settings.host, port: settings.port }))
      )
      // Announce readiness to systemd once the socket is listening.
      const announce = Layer.scopedDiscard(
        Effect.gen(function* () {
          const server = yield* HttpServer.HttpServer
          const notify = yield* SdNotify
          yield* Effect.logInfo("listening").pipe(
            Effect.annotateLogs({ service: health.info.service, version: health.info.version, address: server.address })
          )
          yield* notify.ready
          yield* Effect.addFinalizer(() => notify.stopping)
        })
      )
      return Layer.provideMerge(announce, served)
    })
  )
