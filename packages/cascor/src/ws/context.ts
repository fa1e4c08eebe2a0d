/**
 * What the WebSocket endpoints share: settings, admission, API-key check, and the open connections (for shutdown).
 * One per server, as the `WsTransport` service, so that the REST side (`GET /v1/metrics/transport`) sees the same
 * connections the sockets admitted.
 */
import { Context, Layer } from "effect"
import type { ApiKeyCheck, HttpSettings } from "@juniper/core"
import { makeApiKeyCheck } from "@juniper/core"
import type { WsSettings } from "../config.js"
import { Admission } from "./admission.js"
import type { Connection } from "./socket.js"

export interface WsContext {
  readonly settings: WsSettings
  readonly admission: Admission
  readonly auth: ApiKeyCheck
  readonly connections: Set<Connection>
}

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

export class WsTransport extends Context.Tag("@juniper/cascor/WsTransport")<WsTransport, WsContext>() {}

export const layerWsTransport = (settings: WsSettings, http: HttpSettings): Layer.Layer<WsTransport> =>
  Layer.sync(WsTransport, () => makeWsContext(settings, http))
