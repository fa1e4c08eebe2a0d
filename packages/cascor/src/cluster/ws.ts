/**
 * `/ws/training?run=<id>`: a distributed run's training stream. The run trains on some runner; this process follows
 * it through the run table (polled while somebody listens) and broadcasts what changed with the same framing as the
 * default run's stream (session/broadcaster.ts: `seq`, replay ring, resume by `last_seq`, chunking):
 *
 * - on connect: `connection_established`, then (unless a `resume` arrives within the resume window) `initial_status`
 *   and `state` (the run's RunInfo, as GET /v1/runs/:id) and `initial_metrics` (one row per phase so far);
 * - live: `metrics` (one row per phase, MetricsRow-shaped: `epoch` = phase index, `engine_epoch` = Fahlman's
 *   epoch), `cascade_add` (a unit installed), `state` (RunInfo whenever state/phase/control changes) and one `event`
 *   at the end (`training_complete` | `training_stopped` | `training_failed`).
 *
 * An unknown run is an HTTP 404 (the upgrade is refused with the error envelope), a malformed id a 400.
 */
import type { HttpServerRequest } from "@effect/platform"
import { HttpServerResponse } from "@effect/platform"
import { Context, Effect, Fiber, Layer } from "effect"
import { CloseCode, type MetricsRow } from "../api/schema.js"
import { Broadcaster, type BroadcastSettings } from "../session/broadcaster.js"
import type { WsContext } from "../ws/context.js"
import { remoteAddressOf, serveConnection } from "../ws/socket.js"
import { DEFAULT_RUN, type RunError, type RunInfo, type RunPhase } from "./api-schema.js"
import { toHttpRunError } from "./http-handlers.js"
import { ClusterRuns } from "./runs.js"

interface Feed {
  readonly broadcaster: Broadcaster
  info: RunInfo
  rows: Array<MetricsRow>
  nextPhase: number
  ended: boolean
  listeners: number
  poller: Fiber.RuntimeFiber<void> | null
  lastUsed: number
}

export interface RunFeedsShape {
  /** The run's feed (404/400 for an unknown or malformed id); `attach` counts a listener while it is open. */
  readonly open: (runId: string) => Effect.Effect<{ readonly feed: Feed; readonly attach: () => () => void }, RunError>
}

export class RunFeeds extends Context.Tag("@juniper/cascor/cluster/RunFeeds")<RunFeeds, RunFeedsShape>() {}

const terminal = (s: RunInfo["state"]) => s === "completed" || s === "stopped" || s === "failed"

const rowOf = (p: RunPhase): MetricsRow => ({
  epoch: p.phase,
  timestamp: new Date().toISOString(),
  loss: p.loss,
  accuracy: Number.isFinite(p.accuracy) ? p.accuracy : null,
  learning_rate: null,
  hidden_units: p.hidden_units,
  phase: p.kind === "output" ? "OUTPUT" : "CANDIDATE",
  validation_loss: null,
  validation_accuracy: null,
  kind: "training_step",
  f1: null,
  precision: null,
  recall: null,
  roc_auc: null,
  engine_epoch: p.epoch
})

const changed = (a: RunInfo, b: RunInfo) => a.state !== b.state || a.phases !== b.phases || a.desired !== b.desired || a.paused_at !== b.paused_at

export const makeRunFeeds = (o: { readonly broadcast: BroadcastSettings; readonly pollMs: number; readonly maxFeeds: number }) =>
  Effect.gen(function* () {
    const runs = yield* ClusterRuns
    const scope = yield* Effect.scope
    const feeds = new Map<string, Feed>()

    const poll = (runId: string, f: Feed): Effect.Effect<void> =>
      Effect.gen(function* () {
        const info = yield* runs.get(runId)
        const { phases } = yield* runs.metrics(runId, 100_000)
        const b = f.broadcaster
        for (const p of phases) {
          if (p.phase < f.nextPhase) continue
          const row = rowOf(p)
          f.rows.push(row)
          b.publish("metrics", row)
          if (p.kind === "candidate" && p.unit !== null)
            b.publish("cascade_add", { timestamp: Date.now() / 1000, hidden_unit_index: p.unit, correlation: p.best_score ?? 0, total_hidden_units: p.hidden_units })
          f.nextPhase = p.phase + 1
        }
        if (changed(f.info, info)) b.publish("state", info)
        f.info = info
        if (terminal(info.state) && !f.ended) {
          f.ended = true
          const event = info.state === "completed" ? "training_complete" : info.state === "stopped" ? "training_stopped" : "training_failed"
          b.publish("event", { event, current_epoch: info.phases, hidden_units: info.status?.hidden_units ?? 0, error: info.error, completion_reason: info.status?.reason ?? null })
        }
      }).pipe(Effect.catchAll(() => Effect.void))

    const startPolling = (runId: string, f: Feed) => {
      if (f.poller || f.ended) return
      const loop = Effect.gen(function* () {
        while (f.listeners > 0 && !f.ended) {
          yield* poll(runId, f)
          yield* Effect.sleep(o.pollMs)
        }
      }).pipe(Effect.ensuring(Effect.sync(() => (f.poller = null))))
      f.poller = Effect.runFork(Effect.forkIn(loop, scope).pipe(Effect.flatMap(Fiber.join)))
    }

    const open: RunFeedsShape["open"] = (runId) =>
      Effect.gen(function* () {
        let f = feeds.get(runId)
        const info = yield* runs.get(runId)
        if (!f) {
          f = { broadcaster: new Broadcaster(o.broadcast), info, rows: [], nextPhase: 0, ended: false, listeners: 0, poller: null, lastUsed: Date.now() }
          feeds.set(runId, f)
          yield* poll(runId, f)
          // Forget the least recently used idle feeds beyond the cap.
          if (feeds.size > o.maxFeeds)
            for (const [id, g] of [...feeds.entries()].sort((a, b) => a[1].lastUsed - b[1].lastUsed))
              if (feeds.size > o.maxFeeds && g.listeners === 0 && id !== runId) feeds.delete(id)
        }
        const feed = f
        feed.lastUsed = Date.now()
        return {
          feed,
          attach: () => {
            feed.listeners++
            startPolling(runId, feed)
            return () => {
              feed.listeners--
              feed.lastUsed = Date.now()
            }
          }
        }
      })
    return { open } satisfies RunFeedsShape
  })

export const layerRunFeeds = (o: { readonly broadcast: BroadcastSettings; readonly pollMs?: number }): Layer.Layer<RunFeeds, never, ClusterRuns> =>
  Layer.scoped(RunFeeds, makeRunFeeds({ broadcast: o.broadcast, pollMs: o.pollMs ?? 500, maxFeeds: 256 }))

/** The `run` query parameter of a request (null when absent or the default run). */
export const runParamOf = (req: HttpServerRequest.HttpServerRequest): string | null => {
  const q = req.url.indexOf("?")
  if (q < 0) return null
  const run = new URLSearchParams(req.url.slice(q + 1)).get("run")
  return run === null || run === "" || run === DEFAULT_RUN ? null : run
}

const isObject = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)
const parse = (data: string | Uint8Array): unknown => {
  try {
    return JSON.parse(typeof data === "string" ? data : Buffer.from(data).toString("utf8"))
  } catch {
    return undefined
  }
}

/** Serves `/ws/training?run=<id>` (same admission, auth, heartbeat and resume rules as the default run's stream). */
export const runTrainingSocket = (
  ctx: WsContext,
  feeds: RunFeedsShape,
  runId: string,
  req: HttpServerRequest.HttpServerRequest
): Effect.Effect<HttpServerResponse.HttpServerResponse> =>
  Effect.gen(function* () {
    const opened = yield* Effect.either(feeds.open(runId))
    if (opened._tag === "Left") {
      const e = toHttpRunError(opened.left)
      const status = e._tag === "CascorNotFound" ? 404 : e._tag === "CascorBadRequest" ? 400 : 503
      const { _tag, ...body } = e
      return HttpServerResponse.unsafeJson({ _tag, ...body }, { status })
    }
    const { attach, feed } = opened.right
    const s = ctx.settings
    const b = feed.broadcaster
    const auth = ctx.auth.check(req.headers["x-api-key"])
    const ticket = { endpoint: "training", ip: remoteAddressOf(req), identity: null }
    let admitted = false
    let mode: "pending" | "live" | "closed" = "pending"
    let unsubscribe: (() => void) | null = null
    let detach: (() => void) | null = null
    let timer: ReturnType<typeof setTimeout> | null = null
    const goLive = (conn: { send: (f: ReturnType<Broadcaster["personal"]>) => void }) => {
      mode = "live"
      if (timer) clearTimeout(timer)
      unsubscribe = b.subscribe({ deliver: (f) => conn.send(f) })
      detach = attach()
    }
    const fresh = (conn: { send: (f: ReturnType<Broadcaster["personal"]>) => void }) => {
      if (mode !== "pending") return
      conn.send(b.personal("initial_status", feed.info))
      conn.send(b.personal("state", feed.info))
      const metrics = feed.rows.slice(-100)
      conn.send(b.personal("initial_metrics", { metrics, count: metrics.length, current_seq: b.currentSeq }))
      goLive(conn)
    }
    return yield* serveConnection(
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
              run_id: runId,
              current_seq: b.currentSeq
            })
          )
          timer = setTimeout(() => fresh(conn), s.resumeTimeoutSec * 1000)
          timer.unref?.()
        },
        onMessage: (conn, data) => {
          if (!admitted || mode !== "pending") return
          const msg = parse(data)
          if (!isObject(msg) || msg["type"] !== "resume") return fresh(conn)
          const d = msg["data"]
          const lastSeq = isObject(d) ? d["last_seq"] : undefined
          const instance = isObject(d) ? d["server_instance_id"] : undefined
          const fail = (reason: string) => (conn.send(b.personal("resume_failed", { reason })), fresh(conn))
          if (typeof lastSeq !== "number" || !Number.isInteger(lastSeq) || lastSeq < 0 || typeof instance !== "string") return fail("malformed_resume")
          if (instance !== b.instanceId) return fail("server_restarted")
          const frames = b.replayAfter(lastSeq)
          if (frames === null) return fail("out_of_range")
          conn.send(b.personal("resume_ok", { replayed_count: frames.length }))
          for (const f of frames) conn.send(f)
          goLive(conn)
        },
        onClose: (conn) => {
          mode = "closed"
          if (timer) clearTimeout(timer)
          unsubscribe?.()
          detach?.()
          ctx.connections.delete(conn)
          if (admitted) ctx.admission.release(ticket)
        }
      }
    )
  })
