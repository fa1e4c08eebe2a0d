/**
 * Opening a WebSocket as an @effect/platform Socket with the headers the service needs (X-API-Key, Origin). The
 * `ws` package is used on every Node version (Node 20 has no global WebSocket, and the global one cannot send
 * headers). The socket is closed (1000) when its scope closes.
 */
import { Socket } from "@effect/platform"
import { Effect } from "effect"
import WebSocket from "ws"

export interface SocketOptions {
  readonly headers: Readonly<Record<string, string>>
  /** Default 10 000 ms. */
  readonly openTimeoutMs?: number
}

export const openSocket = (url: string, options: SocketOptions): Effect.Effect<Socket.Socket> =>
  Socket.fromWebSocket(
    Effect.acquireRelease(
      Effect.sync(() => {
        const ws = new WebSocket(url, { headers: { ...options.headers }, handshakeTimeout: options.openTimeoutMs ?? 10_000 })
        // Errors are reported through the Socket (event listeners); this keeps an emitter error from being unhandled.
        ws.on("error", () => undefined)
        return ws as unknown as globalThis.WebSocket
      }),
      (ws) =>
        Effect.sync(() => {
          try {
            ws.close(1000)
          } catch {
            // already closing
          }
        })
    ),
    { closeCodeIsError: () => true, openTimeout: options.openTimeoutMs ?? 10_000 }
  )

/** The headers of a connection: X-API-Key and Origin when set. */
export const connectionHeaders = (apiKey: string | undefined, origin: string | undefined): Record<string, string> => ({
  ...(apiKey !== undefined ? { "x-api-key": apiKey } : {}),
  ...(origin !== undefined ? { origin } : {})
})
