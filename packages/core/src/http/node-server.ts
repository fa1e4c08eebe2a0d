/**
 * The node:http server under Effect's HttpServer, with three things Effect's server does not do:
 * - a fast path for `GET /v1/health` (a constant body) that skips the Effect router entirely, so that probes and
 *   load balancers cost little (the benchmark compares it with a bare node:http server);
 * - graceful shutdown: when Effect closes the server, requests in flight finish (up to a grace period), idle and
 *   remaining connections (WebSockets included) are then closed, and new requests get 503;
 * - counting requests in flight.
 */
import { createServer, IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { Socket } from "node:net"
import { randomUUID } from "node:crypto"
import type { MetricsShape } from "../metrics/registry.js"

export interface NodeServerOptions {
  /** Body of `GET /v1/health`, or null to route it through Effect like any other request. */
  readonly healthBody: string | null
  readonly securityHeaders: Readonly<Record<string, string>>
  readonly metrics: MetricsShape
  readonly graceSeconds: number
  /** Fast path only when CORS is off (CORS responses need the full middleware). */
  readonly corsEnabled: boolean
}

export interface NodeServerHandle {
  readonly server: Server
  readonly inflight: { inc(): void; dec(): void; readonly count: number }
  readonly isDraining: () => boolean
}

const safeRequestId = /^[A-Za-z0-9._:-]{1,128}$/

export const makeNodeServer = (o: NodeServerOptions): NodeServerHandle => {
  const server = createServer({ keepAliveTimeout: 5_000 })
  const sockets = new Set<Socket>()
  let count = 0
  let draining = false
  const inflight = {
    inc() {
      count++
    },
    dec() {
      count--
    },
    get count() {
      return count
    }
  }
  server.on("connection", (socket: Socket) => {
    sockets.add(socket)
    socket.once("close", () => sockets.delete(socket))
  })

  const fastHeaders = (id: string, length: number) => ({
    ...o.securityHeaders,
    "content-type": "application/json",
    "content-length": String(length),
    "x-request-id": id
  })
  const destroy = IncomingMessage.prototype.destroy
  const healthBytes = o.healthBody === null ? null : Buffer.from(o.healthBody)

  // Intercept "request" before Effect's listener sees it.
  const emit = server.emit.bind(server) as (event: string, ...args: Array<unknown>) => boolean
  server.emit = ((event: string, ...args: Array<unknown>) => {
    if (event !== "request") return emit(event, ...args)
    const req = args[0] as IncomingMessage
    const res = args[1] as ServerResponse
    if (draining && server.listenerCount("request") === 0) {
      res.writeHead(503, { "content-type": "application/json", connection: "close" })
      res.end(JSON.stringify({ detail: "Service shutting down" }))
      return true
    }
    if (
      healthBytes !== null &&
      req.method === "GET" &&
      req.url === "/v1/health" &&
      !(o.corsEnabled && req.headers.origin !== undefined) &&
      req.headers["x-forwarded-proto"] === undefined
    ) {
      const start = performance.now()
      const given = req.headers["x-request-id"]
      const id = typeof given === "string" && safeRequestId.test(given) ? given : randomUUID()
      res.writeHead(200, fastHeaders(id, healthBytes.length))
      res.end(healthBytes)
      o.metrics.observeRequest("GET", "/v1/health", 200, (performance.now() - start) / 1000)
      return true
    }
    // Effect's body reader destroys the request when a body exceeds the size limit, which would kill the socket
    // before the 413 is written: discard the rest of the body instead, so the client gets its answer.
    req.destroy = ((error?: Error) => {
      if (res.writableEnded || error) return destroy.call(req, error)
      req.removeAllListeners("data")
      req.resume()
      return req
    }) as typeof req.destroy
    return emit(event, ...args)
  }) as typeof server.emit

  // Effect's finaliser calls close(): stop accepting, let in-flight requests finish, then close what is left.
  const close = server.close.bind(server)
  server.close = ((callback?: (err?: Error) => void) => {
    draining = true
    close(callback)
    const deadline = Date.now() + o.graceSeconds * 1000
    const sweep = () => {
      server.closeIdleConnections()
      if (count <= 0 || Date.now() >= deadline) {
        for (const s of sockets) s.destroy()
        return
      }
      setTimeout(sweep, 25).unref()
    }
    sweep()
    return server
  }) as typeof server.close

  return { server, inflight, isDraining: () => draining }
}
