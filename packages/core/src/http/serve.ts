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
  HttpServerRequest,
  HttpServerResponse
} from "@effect/platform"
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Option, Ref } from "effect"
import type { HttpSettings } from "../config/http-settings.js"
import { Health } from "../health/service.js"
import { Metrics } from "../metrics/registry.js"
import { SdNotify } from "../runtime/sd-notify.js"
import { defaultSecurityHeaders, makeEdge } from "./edge.js"
import { makeNodeServer } from "./node-server.js"
import { apiRoutes, makeRouteTable, type RoutePattern } from "./route-table.js"
import { makeIpAllowlist } from "./ip-allowlist.js"
import type { EdgeError, WireErrors } from "./wire-errors.js"

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
  /** Answer `GET /v1/health` from a constant body on the node fast path (default true; off when it is dynamic). */
  readonly healthFastPath?: boolean
  /** `/metrics` access: off → 404; `trustedIps` (addresses or CIDR ranges) → 403 for others. Default: open. */
  readonly metricsAccess?: { readonly enabled: boolean; readonly trustedIps?: ReadonlyArray<string> }
  /** Called as soon as SIGTERM/SIGINT arrives, before connections are drained (e.g. tell browser sockets). */
  readonly onShutdownSignal?: () => void
}

const alwaysExempt = (path: string) => path === "/metrics" || path === "/metrics/" || path.startsWith("/v1/health")

const metricsRoutes = (o: ServeOptions) =>
  Layer.unwrapEffect(
    Effect.map(Metrics, (metrics) => {
      const access = o.metricsAccess ?? { enabled: true }
      const trusted = access.trustedIps && access.trustedIps.length > 0 ? makeIpAllowlist(access.trustedIps) : () => true
      const handler = Effect.gen(function* () {
        const req = yield* HttpServerRequest.HttpServerRequest
        const render = (e: EdgeError) => {
          const { status, body } = o.errors(e)
          return HttpServerResponse.unsafeJson(body, { status })
        }
        if (!access.enabled) return render({ _tag: "NotFound" })
        if (!trusted(Option.getOrElse(req.remoteAddress, () => ""))) return render({ _tag: "Forbidden", message: "Metrics are restricted to trusted IPs" })
        const { body, contentType } = yield* metrics.render
        return HttpServerResponse.text(body, { contentType, headers: { "cache-control": "no-store" } })
      })
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
        healthBody: o.healthFastPath === false ? null : JSON.stringify(health.info),
        securityHeaders: securityHeaders("/v1/health"),
        metrics,
        graceSeconds: settings.shutdownGraceSeconds,
        corsEnabled: settings.corsOrigins.length > 0
      })
      // Readiness turns not_ready as soon as a shutdown is requested, before connections are drained.
      const onTerm = () => {
        Effect.runSync(Ref.set(health.draining, true))
        o.onShutdownSignal?.()
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
        metricsRoutes(o),
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
