/**
 * What both Canopy sockets share: the admission gates of canopy-ui §4.1 (API key when present, optional bearer
 * subprotocol, Origin allowlist, connection caps), and a small connection wrapper over Effect's Socket (an inbound
 * queue, text writes, close with a code).
 */
import { HttpServerRequest, Socket } from "@effect/platform"
import { Effect, Fiber, Option, Queue, type Scope } from "effect"
import { CanopyCloseCode } from "../api/schema.js"
import { keyMatches, originAllowed } from "../http/security.js"
import type { CanopyRuntimeShape } from "../runtime.js"
import type { Hub } from "./hub.js"

export interface Connection {
  readonly ip: string
  /** Inbound text frames (binary frames are decoded as UTF-8). */
  readonly inbound: Queue.Dequeue<string>
  readonly send: (text: string) => Effect.Effect<void>
  readonly close: (code: number, reason: string) => Effect.Effect<void>
  /** Completes when the peer (or we) closed the socket. */
  readonly closed: Effect.Effect<void>
}

const decoder = new TextDecoder()

/** Upgrades the request and wraps the socket; the reader runs until the socket closes. */
export const openConnection: Effect.Effect<Connection, never, HttpServerRequest.HttpServerRequest | Scope.Scope> = Effect.gen(function* () {
  const req = yield* HttpServerRequest.HttpServerRequest
  const socket = yield* Effect.orDie(req.upgrade)
  const write = yield* socket.writer
  const inbound = yield* Queue.unbounded<string>()
  const reader = yield* Effect.forkScoped(
    socket.runRaw((data) => {
      inbound.unsafeOffer(typeof data === "string" ? data : decoder.decode(data))
    }).pipe(Effect.ignore)
  )
  const ip = Option.getOrElse(req.remoteAddress, () => "unknown")
  let isClosed = false
  return {
    ip,
    inbound,
    send: (text) => (isClosed ? Effect.void : Effect.ignore(write(text))),
    close: (code, reason) =>
      Effect.suspend(() => {
        if (isClosed) return Effect.void
        isClosed = true
        return Effect.ignore(write(new Socket.CloseEvent(code, reason.slice(0, 120))))
      }),
    closed: Effect.asVoid(Fiber.await(reader))
  }
})

/**
 * §4.1 gates, in order; on refusal the socket is upgraded and closed with the contract's code, and `admitted` is
 * false. Admitted connections are counted by the hub until the scope closes.
 */
export const admit = (conn: Connection, runtime: CanopyRuntimeShape, hub: Hub) =>
  Effect.gen(function* () {
    const req = yield* HttpServerRequest.HttpServerRequest
    const { settings } = runtime
    const keys = settings.http.apiKeys
    const key = req.headers["x-api-key"]
    if (key !== undefined && keys.length > 0 && !keyMatches(key, keys)) {
      yield* conn.close(CanopyCloseCode.authFailed, "Authentication failed")
      return false
    }
    if (settings.wsAuthEnabled && keys.length > 0 && !(key !== undefined && keyMatches(key, keys))) {
      const protocols = (req.headers["sec-websocket-protocol"] ?? "").split(",").map((p) => p.trim())
      const bearer = protocols.find((p) => p !== "bearer" && protocols.includes("bearer"))
      if (!bearer || !keyMatches(bearer, keys)) {
        yield* conn.close(CanopyCloseCode.authFailed, "Authentication required")
        return false
      }
    }
    if (!originAllowed(req.headers["origin"], req.headers["host"], settings.allowedOrigins)) {
      yield* conn.close(CanopyCloseCode.originRejected, "Origin not allowed")
      return false
    }
    if (!hub.admit(conn.ip)) {
      yield* conn.close(CanopyCloseCode.tryAgainLater, "Too many connections")
      return false
    }
    yield* Effect.addFinalizer(() => Effect.sync(() => hub.release(conn.ip)))
    return true
  })

/** JSON.parse without throwing. */
export const parseJson = (text: string): { ok: true; value: unknown } | { ok: false } => {
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch {
    return { ok: false }
  }
}
