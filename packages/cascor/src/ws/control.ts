/**
 * `/ws/control` (§7): admission (kill switch, cooldown 4029, fail-closed Origin allowlist 4003, API key 4001, caps
 * 1013), greeting, then commands `{"type":"command","command","command_id"?,"params"?}` answered by
 * `command_response` frames correlated by `command_id`. A 10/s leaky bucket per connection, per-command timeouts
 * (start 10 s, set_params 1 s, others 2 s), idle close after 120 s, and the bad-input rules: a frame over 64 KB → error
 * (socket stays open); malformed JSON → error, then close 1003; JSON that is not an object → `invalid_message`.
 */
import type { HttpServerRequest } from "@effect/platform"
import { Duration, Effect, Either, ParseResult, Schema } from "effect"
import { CloseCode, type ControlErrorCode, TrainingParams, TrainingStartRequest } from "../api/schema.js"
import type { SessionError } from "../session/errors.js"
import type { TrainingSession } from "../session/session.js"
import type { WsContext } from "./context.js"
import { type Connection, remoteAddressOf, serveConnection } from "./socket.js"

export const MAX_CONTROL_FRAME_BYTES = 64 * 1024

const TIMEOUT_MS: Record<string, number> = { start: 10_000, stop: 2_000, pause: 2_000, resume: 2_000, reset: 2_000, set_params: 1_000 }

interface CommandFailure {
  readonly code: ControlErrorCode
  readonly message: string
}

const codeOf = (e: SessionError): ControlErrorCode =>
  e._tag === "SessionNotFound" ? "not_found" : e._tag === "SessionConflict" ? "conflict" : e._tag === "SessionInvalid" ? "invalid_params" : "internal"

const decode = <A, I>(schema: Schema.Schema<A, I>, u: unknown): Either.Either<A, CommandFailure> =>
  Either.mapLeft(Schema.decodeUnknownEither(schema, { errors: "first" })(u), (e) => {
    const issue = ParseResult.ArrayFormatter.formatErrorSync(e)[0]
    return { code: "invalid_params" as const, message: issue ? `${issue.path.join(".") || "params"}: ${issue.message}` : "invalid params" }
  })

const StartParams = Schema.NullOr(TrainingStartRequest)

/** One command against the session, as an Effect that fails with an in-band error. */
export const runCommand = (session: TrainingSession, name: string, params: unknown): Effect.Effect<unknown, CommandFailure> => {
  const fromSession = <A>(e: Effect.Effect<A, SessionError>) => Effect.mapError(e, (err) => ({ code: codeOf(err), message: err.message }))
  let op: Effect.Effect<unknown, CommandFailure>
  switch (name) {
    case "start": {
      const p = decode(StartParams, params ?? null)
      if (Either.isLeft(p)) return Effect.fail(p.left)
      op = fromSession(session.start(p.right))
      break
    }
    case "stop":
      op = session.stop()
      break
    case "pause":
      op = fromSession(session.pause())
      break
    case "resume":
      op = fromSession(session.resume())
      break
    case "reset":
      op = fromSession(session.reset())
      break
    case "set_params": {
      const p = decode(TrainingParams, params ?? {})
      if (Either.isLeft(p)) return Effect.fail(p.left)
      op = fromSession(session.patchParams(p.right))
      break
    }
    default:
      return Effect.fail({ code: "unknown_command", message: `Unknown command '${name.slice(0, 100)}'` })
  }
  const ms = TIMEOUT_MS[name] ?? 2_000
  return op.pipe(Effect.timeoutFail({ duration: Duration.millis(ms), onTimeout: () => ({ code: "timeout" as const, message: `Command '${name}' timed out after ${ms / 1000} s` }) }))
}

export const controlSocket = (ctx: WsContext, session: TrainingSession, req: HttpServerRequest.HttpServerRequest) => {
  const s = ctx.settings
  const b = session.broadcaster
  const ip = remoteAddressOf(req)
  const key = req.headers["x-api-key"]
  const identity = ctx.auth.enabled && key ? `key:${key.slice(0, 8)}…${key.length}` : null
  const ticket = { endpoint: "control", ip, identity }
  let admitted = false
  // Commands run concurrently; a close requested by a malformed frame waits for those already running to answer.
  let inflight = 0
  let closeAfterInflight = false
  // Leaky bucket: `level` leaks at `rate` per second; a command that would overflow `rate` is refused.
  const rate = s.controlRateLimitPerSec
  let level = 0
  let lastLeak = Date.now()

  const respond = (conn: Connection, data: Record<string, unknown>, flat: Record<string, unknown> = {}) =>
    conn.send(b.personal("command_response", data, flat))
  const error = (conn: Connection, command: unknown, commandId: unknown, code: ControlErrorCode, message: string) =>
    respond(conn, {
      command: typeof command === "string" ? command : null,
      command_id: typeof commandId === "string" ? commandId : null,
      status: "error",
      error: message,
      code
    })

  const admission = (conn: Connection): boolean => {
    if (ctx.admission.blocked(ip)) {
      conn.close(CloseCode.rateLimited, "Too many rejected connections; try again later")
      return false
    }
    const allowed = s.controlAllowedOrigins
    const origin = req.headers["origin"]
    if (allowed !== null && (origin === undefined || !allowed.includes(origin))) {
      ctx.admission.reject(ip)
      conn.close(CloseCode.originRejected, "Origin not allowed")
      return false
    }
    if (ctx.auth.check(key) !== "ok") {
      ctx.admission.reject(ip)
      conn.close(CloseCode.authFailed, "Authentication required")
      return false
    }
    const verdict = ctx.admission.admit(ticket)
    if (!verdict.ok) {
      conn.close(CloseCode.tryAgainLater, verdict.reason)
      return false
    }
    return true
  }

  return serveConnection(
    req,
    {
      bufferFrames: s.clientBufferFrames,
      sendTimeoutMs: s.sendTimeoutSeconds * 1000,
      heartbeatIntervalMs: 0,
      pongTimeoutMs: 0,
      idleTimeoutMs: s.controlIdleTimeoutSec * 1000
    },
    {
      onOpen: (conn) => {
        if (!admission(conn)) return
        admitted = true
        ctx.connections.add(conn)
        conn.send(
          b.personal("connection_established", {
            channel: "control",
            connections: ctx.admission.count("control"),
            server_instance_id: b.instanceId,
            server_start_time: b.startTime,
            replay_buffer_capacity: s.replayBufferSize
          })
        )
      },
      onMessage: (conn, data) => {
        if (!admitted || conn.outbox.isEnded || closeAfterInflight) return
        const size = typeof data === "string" ? Buffer.byteLength(data) : data.byteLength
        if (size > MAX_CONTROL_FRAME_BYTES)
          return error(conn, null, null, "frame_too_large", `Frame too large: ${size} bytes (limit ${MAX_CONTROL_FRAME_BYTES})`)
        let msg: unknown
        try {
          msg = JSON.parse(typeof data === "string" ? data : Buffer.from(data).toString("utf8"))
        } catch {
          error(conn, null, null, "invalid_message", "Malformed JSON")
          if (inflight === 0) return conn.close(CloseCode.unsupportedData, "Malformed JSON")
          closeAfterInflight = true
          return
        }
        if (typeof msg !== "object" || msg === null || Array.isArray(msg))
          return error(conn, null, null, "invalid_message", "A command must be a JSON object")
        const m = msg as Record<string, unknown>
        const command = m["command"]
        const commandId = m["command_id"]
        if (m["type"] !== undefined && m["type"] !== "command")
          return error(conn, command, commandId, "invalid_message", `Unknown message type '${String(m["type"]).slice(0, 100)}'`)
        if (typeof command !== "string") return error(conn, command, commandId, "invalid_message", "Missing 'command' (a string)")
        if (commandId !== undefined && typeof commandId !== "string")
          return error(conn, command, null, "invalid_message", "'command_id' must be a string")
        const now = Date.now()
        level = Math.max(0, level - ((now - lastLeak) / 1000) * rate)
        lastLeak = now
        if (level + 1 > rate) {
          const limited = { command, command_id: commandId ?? null, status: "rate_limited", retry_after: 0.1 }
          return respond(conn, limited, limited)
        }
        level += 1
        inflight++
        return runCommand(session, command, m["params"]).pipe(
          Effect.match({
            onFailure: (f) => error(conn, command, commandId, f.code, f.message),
            onSuccess: (result) => respond(conn, { command, command_id: commandId ?? null, status: "success", result })
          }),
          Effect.ensuring(
            Effect.sync(() => {
              inflight--
              if (closeAfterInflight && inflight === 0) conn.close(CloseCode.unsupportedData, "Malformed JSON")
            })
          )
        )
      },
      onClose: (conn) => {
        ctx.connections.delete(conn)
        if (admitted) ctx.admission.release(ticket)
      }
    }
  )
}
