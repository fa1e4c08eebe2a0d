/** What the WebSocket endpoints share: settings, admission, API-key check, and the open connections (for shutdown). */
import type { ApiKeyCheck } from "@juniper/core"
import type { WsSettings } from "../config.js"
import type { Admission } from "./admission.js"
import type { Connection } from "./socket.js"

export interface WsContext {
  readonly settings: WsSettings
  readonly admission: Admission
  readonly auth: ApiKeyCheck
  readonly connections: Set<Connection>
}
