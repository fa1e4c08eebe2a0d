/**
 * `/ws/training` (canopy-ui §4.1): the browser stream. After the gates, the connection is greeted
 * (`connection_established`), then either resumed (a `resume` frame within the resume window: `resume_ok` and the
 * buffered frames after `last_seq`) or freshly started (`initial_status` → `state` → `initial_metrics`), then fed
 * every broadcast of the hub in seq order. Inbound: ping → pong, pong, resume (also later), subscribe_metrics;
 * frames over the size limit are refused with an `error` frame; anything else is ignored. Heartbeat ping every 30 s;
 * 120 s without inbound traffic closes the socket (1000).
 */
import { type HttpServerRequest, HttpServerResponse } from "@effect/platform"
import { Duration, Effect, Option, Queue } from "effect"
import { CanopyCloseCode } from "../api/schema.js"
import { CanopyBackend } from "../backend/backend.js"
import { CanopyRuntime } from "../runtime.js"
import { CanopyHub, type HubFrame } from "./hub.js"
import { admit, type Connection, openConnection, parseJson } from "./socket.js"

const clampCount = (n: unknown) => (typeof n === "number" && Number.isFinite(n) ? Math.max(1, Math.min(100, Math.round(n))) : 100)

export const trainingSocket = Effect.scoped(
  Effect.gen(function* () {
    const runtime = yield* CanopyRuntime
    const hub = yield* CanopyHub
    const backend = yield* CanopyBackend
    const ws = runtime.settings.websocket
    const conn = yield* openConnection
    if (!(yield* admit(conn, runtime, hub))) {
      yield* conn.closed.pipe(Effect.timeout("2 seconds"), Effect.ignore)
      return HttpServerResponse.empty()
    }

    // Broadcasts arrive from now on; they wait in `pending` until the greeting sequence is out.
    let live = false
    let lastSent = 0
    const pending: Array<HubFrame> = []
    const out = yield* Queue.unbounded<string>()
    const deliver = (f: HubFrame) => {
      if (!live) {
        pending.push(f)
        return
      }
      if (f.seq !== null) {
        if (f.seq <= lastSent) return
        lastSent = f.seq
      }
      out.unsafeOffer(f.text)
    }
    const unsubscribe = hub.subscribe({ deliver })
    yield* Effect.addFinalizer(() => Effect.sync(unsubscribe))
    const unregister = hub.onShutdown((text) => {
      Effect.runFork(Effect.zipRight(conn.send(text), conn.close(CanopyCloseCode.goingAway, "Server shutting down")))
    })
    yield* Effect.addFinalizer(() => Effect.sync(unregister))

    // Writer: everything goes out through one queue, in order.
    yield* Effect.forkScoped(Effect.forever(Effect.flatMap(Queue.take(out), conn.send)))
    const send = (text: string) => Effect.sync(() => out.unsafeOffer(text))
    const goLive = (after: number) =>
      Effect.sync(() => {
        lastSent = Math.max(lastSent, after)
        live = true
        for (const f of pending.splice(0)) deliver(f)
      })

    const initialMetrics = (count: number) =>
      Effect.gen(function* () {
        const seq = hub.currentSeq
        const rows = yield* backend.getMetricsHistory(count).pipe(Effect.orElseSucceed(() => []))
        return { text: hub.personal("initial_metrics", { metrics: rows, count: rows.length, current_seq: seq }), seq }
      })

    const fresh = Effect.gen(function* () {
      const status = yield* Effect.either(backend.getStatus)
      if (status._tag === "Right") yield* send(hub.personal("initial_status", status.right))
      const state = yield* Effect.either(backend.getState)
      if (state._tag === "Right") yield* send(hub.personal("state", state.right, { server_instance_id: hub.instanceId }))
      const m = yield* initialMetrics(ws.replayBufferSize > 0 ? 100 : 100)
      yield* send(m.text)
      yield* goLive(m.seq)
    })

    /** `resume`: replay from the ring when this instance still holds every frame after last_seq. */
    const resume = (data: unknown, first: boolean) =>
      Effect.gen(function* () {
        const d = (data ?? {}) as { last_seq?: unknown; server_instance_id?: unknown }
        if (typeof d.last_seq !== "number" || !Number.isInteger(d.last_seq) || typeof d.server_instance_id !== "string") {
          yield* send(hub.personal("resume_failed", { reason: "malformed_resume" }))
          if (first) yield* fresh
          return
        }
        const replay = d.server_instance_id === hub.instanceId ? hub.replayAfter(d.last_seq) : null
        if (replay === null) {
          yield* send(hub.personal("resume_failed", { reason: d.server_instance_id === hub.instanceId ? "out_of_range" : "server_restarted" }))
          if (first) yield* fresh
          return
        }
        yield* send(hub.personal("resume_ok", { replayed_count: replay.length }))
        for (const f of replay) if (!live || (f.seq ?? 0) > lastSent) yield* send(f.text)
        const top = replay.length > 0 ? (replay[replay.length - 1]!.seq ?? d.last_seq) : d.last_seq
        if (!live) yield* goLive(top)
        else lastSent = Math.max(lastSent, top)
      })

    let lastInbound = Date.now()
    const handle = (text: string, first: boolean) =>
      Effect.gen(function* () {
        lastInbound = Date.now()
        if (Buffer.byteLength(text) > ws.maxMessageSizeTraining) {
          yield* send(hub.personal("error", { message: `Frame too large (limit ${ws.maxMessageSizeTraining} bytes)`, code: "frame_too_large" }))
          if (first) yield* fresh
          return
        }
        const parsed = parseJson(text)
        const msg = parsed.ok && parsed.value !== null && typeof parsed.value === "object" ? (parsed.value as { type?: unknown; data?: unknown }) : null
        if (msg?.type === "resume") return yield* resume(msg.data, first)
        if (first) yield* fresh
        switch (msg?.type) {
          case "ping":
            yield* send(JSON.stringify({ type: "pong", timestamp: Date.now() / 1000, data: {} }))
            return
          case "subscribe_metrics": {
            const m = yield* initialMetrics(clampCount((msg.data as { max_count?: unknown } | undefined)?.max_count))
            yield* send(m.text)
            return
          }
          default:
            return // pong and anything else: ignored
        }
      })

    // Greeting, then the first frame decides: resume or fresh connect.
    yield* conn.send(
      hub.personal("connection_established", {
        server_instance_id: hub.instanceId,
        connections: hub.connections,
        replay_buffer_capacity: hub.capacity,
        current_seq: hub.currentSeq,
        mode: backend.backendType,
        resume_window_ms: ws.resumeWindowMs
      })
    )
    const first = yield* Queue.take(conn.inbound).pipe(Effect.timeout(Duration.millis(Math.max(0, ws.resumeWindowMs))), Effect.option)
    if (Option.isSome(first)) yield* handle(first.value, true)
    else yield* fresh

    // Heartbeat and idle timeout.
    if (ws.heartbeatInterval > 0)
      yield* Effect.forkScoped(
        Effect.forever(Effect.zipRight(Effect.sleep(Duration.seconds(ws.heartbeatInterval)), send(JSON.stringify({ type: "ping", ts: Date.now() / 1000 }))))
      )
    const idle = Effect.forever(
      Effect.gen(function* () {
        yield* Effect.sleep(Duration.seconds(Math.min(5, ws.idleTimeoutSeconds)))
        if (Date.now() - lastInbound > ws.idleTimeoutSeconds * 1000) yield* conn.close(CanopyCloseCode.normal, "Idle timeout")
      })
    )
    yield* Effect.forkScoped(idle)

    const loop = Effect.forever(Effect.flatMap(Queue.take(conn.inbound), (text) => handle(text, false)))
    yield* Effect.raceFirst(conn.closed, loop)
    return HttpServerResponse.empty()
  })
) satisfies Effect.Effect<HttpServerResponse.HttpServerResponse, never, CanopyRuntime | CanopyHub | CanopyBackend | HttpServerRequest.HttpServerRequest>

export type { Connection }
