/**
 * The WebSocket routes on the service's HTTP router (`/ws/training`, `/ws/control`): plain HttpLayerRouter GET
 * routes whose handlers upgrade the request. On SIGTERM/SIGINT every open WebSocket is closed with 1001 at once, so
 * the graceful shutdown does not wait for long-lived connections.
 */
import { HttpLayerRouter } from "@effect/platform"
import { Effect, Layer } from "effect"
import { type HttpSettings, makeApiKeyCheck } from "@juniper/core"
import { CloseCode } from "../api/schema.js"
import type { WsSettings } from "../config.js"
import { CascorRuns } from "../session/registry.js"
import { Admission } from "./admission.js"
import type { WsContext } from "./context.js"
import { controlSocket } from "./control.js"
import { trainingSocket } from "./training.js"

export const WS_ROUTE_PATTERNS = [
  { method: "GET", path: "/ws/training" },
  { method: "GET", path: "/ws/control" }
] as const

export const makeWsContext = (settings: WsSettings, http: HttpSettings): WsContext => ({
  settings,
  admission: new Admission({
    global: settings.maxConnectionsGlobal,
    perIp: settings.maxConnectionsPerIp,
    perIdentity: settings.maxConnectionsPerIdentity,
    perEndpoint: { training: settings.maxConnections }
  }),
  auth: makeApiKeyCheck(http.apiKeys),
  connections: new Set()
})

export const wsRoutes = (settings: WsSettings, http: HttpSettings) =>
  Layer.unwrapScoped(
    Effect.gen(function* () {
      const runs = yield* CascorRuns
      const ctx = makeWsContext(settings, http)
      const goAway = () => {
        for (const c of ctx.connections) c.close(CloseCode.goingAway, "Server shutting down")
      }
      process.once("SIGTERM", goAway)
      process.once("SIGINT", goAway)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          process.off("SIGTERM", goAway)
          process.off("SIGINT", goAway)
          goAway()
        })
      )
      const session = runs.default
      const training = HttpLayerRouter.add("GET", "/ws/training", (req) => trainingSocket(ctx, session, req))
      const control = settings.disableControlEndpoint
        ? Layer.empty
        : HttpLayerRouter.add("GET", "/ws/control", (req) => controlSocket(ctx, session, req))
      return Layer.mergeAll(training, control)
    })
  )
