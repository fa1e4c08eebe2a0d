/**
 * `/ws/training` (§6): greeting, optional resume within the resume window (replay of the buffered frames with
 * seq > last_seq), else a fresh connect (`initial_status`, `state`, `initial_metrics`), then the session's
 * broadcasts. Switching a client from "pending" to "live" is synchronous (replay or snapshot + subscribe in one
 * step), so no broadcast can fall between the replay and the live stream. Inbound: `pong`, `resume`,
 * `subscribe_metrics`; anything else, garbage included, is ignored.
 */
import type { HttpServerRequest } from "@effect/platform"
import { Effect } from "effect"
import { CloseCode } from "../api/schema.js"
import type { TrainingSession } from "../session/session.js"
import type { WsContext } from "./context.js"
import { type Connection, remoteAddressOf, serveConnection } from "./socket.js"

const parse = (data: string | Uint8Array): unknown => {
  try {
    return JSON.parse(typeof data === "string" ? data : Buffer.from(data).toString("utf8"))
  } catch {
    return undefined
  }
}
const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

export const trainingSocket = (ctx: WsContext, session: TrainingSession, req: HttpServerRequest.HttpServerRequest) => {
  const s = ctx.settings
  const b = session.broadcaster
  const ip = remoteAddressOf(req)
  const auth = ctx.auth.check(req.headers["x-api-key"])
  const ticket = { endpoint: "training", ip, identity: null }
  let admitted = false
  let mode: "pending" | "live" | "closed" = "pending"
  let unsubscribe: (() => void) | null = null
  let resumeTimer: ReturnType<typeof setTimeout> | null = null

  const goLive = (conn: Connection) => {
    mode = "live"
    if (resumeTimer) clearTimeout(resumeTimer)
    unsubscribe = b.subscribe({ deliver: (f) => conn.send(f) })
  }
  const fresh = (conn: Connection) => {
    if (mode !== "pending") return
    conn.send(b.personal("initial_status", session.statusNow()))
    conn.send(b.personal("state", session.stateFrameData()))
    conn.send(b.personal("initial_metrics", session.initialMetrics()))
    goLive(conn)
  }
  const resume = (conn: Connection, msg: Record<string, unknown>) => {
    const data = msg["data"]
    const lastSeq = isObject(data) ? data["last_seq"] : undefined
    const instance = isObject(data) ? data["server_instance_id"] : undefined
    const fail = (reason: string) => {
      conn.send(b.personal("resume_failed", { reason }))
      fresh(conn)
    }
    if (typeof lastSeq !== "number" || !Number.isInteger(lastSeq) || lastSeq < 0 || typeof instance !== "string") return fail("malformed_resume")
    if (instance !== b.instanceId) return fail("server_restarted")
    const frames = b.replayAfter(lastSeq)
    if (frames === null) return fail("out_of_range")
    conn.send(b.personal("resume_ok", { replayed_count: frames.length }))
    for (const f of frames) conn.send(f)
    goLive(conn)
  }

  return serveConnection(
    req,
    {
      bufferFrames: s.clientBufferFrames,
      sendTimeoutMs: s.sendTimeoutSeconds * 1000,
      heartbeatIntervalMs: s.heartbeatIntervalSec > 0 ? s.heartbeatIntervalSec * 1000 : 0,
      pongTimeoutMs: s.pongTimeoutSec * 1000,
      idleTimeoutMs: 0
    },
    {
      onOpen: (conn) => {
        if (auth !== "ok") return conn.close(CloseCode.authFailed, "Authentication required")
        const verdict = ctx.admission.admit(ticket)
        if (!verdict.ok) return conn.close(CloseCode.tryAgainLater, verdict.reason)
        admitted = true
        ctx.connections.add(conn)
        conn.send(
          b.personal("connection_established", {
            connections: ctx.admission.count("training"),
            server_instance_id: b.instanceId,
            server_start_time: b.startTime,
            replay_buffer_capacity: s.replayBufferSize,
            channel: "training",
            current_seq: b.currentSeq
          })
        )
        resumeTimer = setTimeout(() => fresh(conn), s.resumeTimeoutSec * 1000)
        resumeTimer.unref?.()
      },
      onMessage: (conn, data) => {
        if (!admitted || mode === "closed") return
        const msg = parse(data)
        const type = isObject(msg) ? msg["type"] : undefined
        if (mode === "pending") {
          if (type === "resume") return resume(conn, msg as Record<string, unknown>)
          fresh(conn)
        }
        if (type === "subscribe_metrics") {
          const d = (msg as Record<string, unknown>)["data"]
          const n = isObject(d) && typeof d["max_count"] === "number" && Number.isFinite(d["max_count"]) ? Math.round(d["max_count"]) : s.initialMetricsCount
          conn.send(b.personal("initial_metrics", session.initialMetrics(Math.max(1, Math.min(100, n)))))
        }
      },
      onClose: (conn) => {
        mode = "closed"
        if (resumeTimer) clearTimeout(resumeTimer)
        unsubscribe?.()
        ctx.connections.delete(conn)
        if (admitted) ctx.admission.release(ticket)
      }
    }
  )
}

export const trainingHandler = (ctx: WsContext, session: TrainingSession) => (req: HttpServerRequest.HttpServerRequest) =>
  Effect.suspend(() => trainingSocket(ctx, session, req))
