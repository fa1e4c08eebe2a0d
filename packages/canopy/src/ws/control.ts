/**
 * `/ws/control` (canopy-ui §4.2): the browser command channel. Same gates as /ws/training; the first frame must be
 * `{"type":"auth","csrf_token"}` within `ws_control_auth_timeout` (absent, invalid or late → close 1008). Commands
 * (`start|stop|pause|resume|reset|set_params`, ≤ 64 KB) go to the backend — one acknowledgement path, so a command is
 * never executed twice — within the server budgets (start 10 s, set_params 1 s, others 2 s) and are answered with a
 * `command_response` whose top-level `ok`, `command`, `state` and `error` repeat `data` for legacy readers.
 */
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Duration, Effect, Option, Queue } from "effect"
import { CanopyCloseCode, type CommandResponseData, type ControlResult } from "../api/schema.js"
import { CanopyBackend, type CanopyBackendShape } from "../backend/backend.js"
import type { BackendError } from "../backend/errors.js"
import { Csrf } from "../http/security.js"
import { CanopyRuntime } from "../runtime.js"
import { CanopyHub } from "./hub.js"
import { admit, openConnection, parseJson } from "./socket.js"

type Outcome = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: string; readonly code: NonNullable<CommandResponseData["code"]> }

const fromControl = (r: ControlResult): Outcome => (r.ok ? { ok: true, result: r } : { ok: false, error: r.error ?? "command failed", code: "command_failed" })
const fromError = (e: BackendError): Outcome => ({
  ok: false,
  error: e.message,
  code: e._tag === "BackendInvalid" ? "invalid_params" : "command_failed"
})

/** Runs one command on the backend. */
export const runCommand = (backend: CanopyBackendShape, command: string, params: unknown, reset: boolean | undefined): Effect.Effect<Outcome> => {
  switch (command) {
    case "start": {
      const p = (params ?? {}) as { reset?: unknown; start_fresh?: unknown }
      const r = reset ?? (typeof p.reset === "boolean" ? p.reset : true)
      return Effect.map(backend.startTraining({ reset: r, startFresh: p.start_fresh === true }), fromControl)
    }
    case "stop":
      return Effect.map(backend.stopTraining, fromControl)
    case "pause":
      return Effect.map(backend.pauseTraining, fromControl)
    case "resume":
      return Effect.map(backend.resumeTraining, fromControl)
    case "reset":
      return Effect.map(backend.resetTraining, fromControl)
    case "set_params":
      if (params === null || typeof params !== "object" || Array.isArray(params))
        return Effect.succeed({ ok: false, error: "set_params needs `params`: an object of parameter keys", code: "invalid_params" })
      return backend.applyParams(params as Record<string, unknown>).pipe(
        Effect.map((r): Outcome => ({ ok: true, result: r })),
        Effect.catchAll((e) => Effect.succeed(fromError(e)))
      )
    default:
      return Effect.succeed({ ok: false, error: `Unknown command '${String(command).slice(0, 64)}'`, code: "unknown_command" })
  }
}

export const controlSocket = Effect.scoped(
  Effect.gen(function* () {
    const runtime = yield* CanopyRuntime
    const hub = yield* CanopyHub
    const backend = yield* CanopyBackend
    const csrf = yield* Csrf
    const s = runtime.settings
    const conn = yield* openConnection
    if (!(yield* admit(conn, runtime, hub))) {
      yield* conn.closed.pipe(Effect.timeout("2 seconds"), Effect.ignore)
      return HttpServerResponse.empty()
    }
    const unregister = hub.onShutdown((text) => {
      Effect.runFork(Effect.zipRight(conn.send(text), conn.close(CanopyCloseCode.goingAway, "Server shutting down")))
    })
    yield* Effect.addFinalizer(() => Effect.sync(unregister))

    yield* conn.send(
      hub.personal("connection_established", { channel: "control", server_instance_id: hub.instanceId, connections: hub.connections, replay_buffer_capacity: 0, mode: backend.backendType })
    )

    // Authentication: the CSRF token as the first frame.
    const first = yield* Queue.take(conn.inbound).pipe(Effect.timeout(Duration.seconds(s.wsControlAuthTimeout)), Effect.option)
    let pendingFirst: string | null = null
    if (csrf.enabled) {
      const msg = Option.isSome(first) ? parseJson(first.value) : { ok: false as const }
      const auth = msg.ok && msg.value !== null && typeof msg.value === "object" ? (msg.value as { type?: unknown; csrf_token?: unknown }) : null
      const valid = auth?.type === "auth" && typeof auth.csrf_token === "string" && (yield* csrf.verify(auth.csrf_token))
      if (!valid) {
        yield* conn.close(CanopyCloseCode.policyViolation, Option.isNone(first) ? "Authentication timeout" : "Invalid or missing CSRF token")
        yield* conn.closed.pipe(Effect.timeout("2 seconds"), Effect.ignore)
        return HttpServerResponse.empty()
      }
      yield* conn.send(hub.personal("auth_ok", { channel: "control" }))
    } else if (Option.isSome(first)) {
      const msg = parseJson(first.value)
      if (!(msg.ok && (msg.value as { type?: unknown } | null)?.type === "auth")) pendingFirst = first.value
    }

    const budget = (command: string) =>
      Duration.seconds(command === "start" ? s.wsControlStartTimeout : command === "set_params" ? s.wsControlSetParamsTimeout : s.wsControlStopTimeout)

    const respond = (command: string | null, commandId: string | null | undefined, outcome: Outcome) =>
      Effect.gen(function* () {
        const state = yield* backend.getStatus.pipe(Effect.timeout("1 second"), Effect.option)
        const data: CommandResponseData = {
          command,
          status: outcome.ok ? "success" : "error",
          ...(commandId !== undefined ? { command_id: commandId } : {}),
          ...(outcome.ok ? { result: outcome.result } : { error: outcome.error, code: outcome.code })
        }
        yield* conn.send(
          JSON.stringify({
            type: "command_response",
            timestamp: Date.now() / 1000,
            data,
            ok: outcome.ok,
            command,
            ...(commandId !== undefined ? { command_id: commandId } : {}),
            ...(Option.isSome(state) ? { state: state.value } : {}),
            ...(outcome.ok ? {} : { error: outcome.error })
          })
        )
      })

    const handle = (text: string) =>
      Effect.gen(function* () {
        if (Buffer.byteLength(text) > s.websocket.maxMessageSizeControl)
          return yield* respond(null, undefined, { ok: false, error: `Frame too large (limit ${s.websocket.maxMessageSizeControl} bytes)`, code: "frame_too_large" })
        const parsed = parseJson(text)
        if (!parsed.ok) {
          yield* respond(null, undefined, { ok: false, error: "Malformed JSON", code: "invalid_message" })
          return yield* conn.close(CanopyCloseCode.unsupportedData, "Malformed JSON")
        }
        const msg = parsed.value
        if (msg === null || typeof msg !== "object" || Array.isArray(msg))
          return yield* respond(null, undefined, { ok: false, error: "A command must be a JSON object", code: "invalid_message" })
        const m = msg as { type?: unknown; command?: unknown; command_id?: unknown; params?: unknown; reset?: unknown }
        if (m.type === "ping") return yield* conn.send(JSON.stringify({ type: "pong", timestamp: Date.now() / 1000, data: {} }))
        if (m.type === "pong" || m.type === "auth") return
        const commandId = typeof m.command_id === "string" ? m.command_id : m.command_id === undefined ? undefined : null
        if (m.type !== undefined && m.type !== "command")
          return yield* respond(null, commandId, { ok: false, error: `Unknown message type '${String(m.type).slice(0, 64)}'`, code: "invalid_message" })
        if (typeof m.command !== "string")
          return yield* respond(null, commandId, { ok: false, error: "Missing `command`", code: "invalid_message" })
        if (m.reset !== undefined && typeof m.reset !== "boolean")
          return yield* respond(m.command, commandId, { ok: false, error: "`reset` must be a boolean", code: "invalid_params" })
        const command = m.command
        const outcome = yield* runCommand(backend, command, m.params, m.reset as boolean | undefined).pipe(
          Effect.timeoutTo({
            duration: budget(command),
            onTimeout: (): Outcome => ({ ok: false, error: `${command} did not complete within ${Duration.format(budget(command))}`, code: "timeout" }),
            onSuccess: (o) => o
          })
        )
        yield* respond(command, commandId, outcome)
      })

    let lastInbound = Date.now()
    if (pendingFirst !== null) yield* handle(pendingFirst)
    const idle = Effect.forever(
      Effect.gen(function* () {
        yield* Effect.sleep(Duration.seconds(Math.min(5, s.websocket.idleTimeoutSeconds)))
        if (Date.now() - lastInbound > s.websocket.idleTimeoutSeconds * 1000) yield* conn.close(CanopyCloseCode.normal, "Idle timeout")
      })
    )
    yield* Effect.forkScoped(idle)
    const loop = Effect.forever(
      Effect.flatMap(Queue.take(conn.inbound), (text) => {
        lastInbound = Date.now()
        return handle(text)
      })
    )
    yield* Effect.raceFirst(conn.closed, loop)
    return HttpServerResponse.empty()
  })
) satisfies Effect.Effect<HttpServerResponse.HttpServerResponse, never, CanopyRuntime | CanopyHub | CanopyBackend | Csrf | HttpServerRequest.HttpServerRequest>
