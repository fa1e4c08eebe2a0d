// The single writer of the client stores: /ws/training frames (and resume failures) → stores. Rendering happens
// elsewhere, coalesced per animation frame.
import type { AppContext } from "./context.js"
import { loadHistory, loadState, loadStatus, loadTopology } from "./load.js"
import type { CandidateProgress, CascadeAdd, EventData, InitialMetrics, MetricsEntry, ParamsUpdated } from "../api/types.js"
import type { Fsm } from "../api/normalize.js"
import { nowMs, perf } from "../perf/instrument.js"

const tsMs = (t: unknown): number | null => {
  if (typeof t === "number" && Number.isFinite(t)) return t < 1e12 ? t * 1000 : t
  if (typeof t === "string") {
    const v = Date.parse(t)
    return Number.isNaN(v) ? null : v
  }
  return null
}

const EVENT_FSM: Readonly<Record<string, Fsm>> = {
  training_started: "STARTED",
  training_stopped: "STOPPED",
  training_complete: "COMPLETED",
  training_failed: "FAILED"
}

export const wireFrames = (ctx: AppContext): void => {
  const { socket, status, metrics, topology, candidates, evolution, params } = ctx
  let historyLoaded = false

  socket.on("*", (f) => {
    perf.framesByType[f.type] = (perf.framesByType[f.type] ?? 0) + 1
  })
  socket.handlers.timing = (type, ms) => (perf.handlerMs[type] = (perf.handlerMs[type] ?? 0) + ms)
  socket.on("initial_status", (f) => status.applyDoc(f.data))
  socket.on("state", (f) => {
    const d = (f.data ?? {}) as Record<string, unknown>
    if (d["action"] === "snapshot_restored") {
      ctx.toasts.show({ kind: "info", title: "Snapshot restored", body: String(d["snapshot_id"] ?? ""), timeoutMs: 8_000 })
      void Promise.all([loadState(ctx), loadHistory(ctx), loadTopology(ctx)]).then(() => ctx.reloaded.emit("snapshot_restored"))
    }
    status.applyDoc(d)
    params.merge(d)
    candidates.state(status.current.allCorrelations, status.current.phase)
    status.stateFrame.emit(status.current)
  })
  socket.on("initial_metrics", (f) => {
    const d = (f.data ?? {}) as InitialMetrics
    const rows = d.metrics ?? []
    // A fresh server with an empty history after we had data: the run was reset or the server restarted.
    if (rows.length === 0 && (d.count ?? 0) === 0 && metrics.length > 0 && historyLoaded) metrics.clear()
    metrics.append(rows, false)
    if (!historyLoaded) {
      historyLoaded = true
      void loadHistory(ctx)
    }
  })
  socket.on("metrics", (f) => {
    perf.metricsFrames++
    const row = (f.data ?? {}) as MetricsEntry
    metrics.append([row])
    const p = metrics.latest
    if (p) status.patch({ ...(p.hiddenUnits !== null ? { hiddenUnits: p.hiddenUnits } : {}), ...(p.step !== null ? { step: p.step } : {}) })
  })
  socket.on("topology", (f) => {
    topology.setTopology(f.data)
    const g = topology.graph
    if (g) {
      evolution.topology(g)
      status.patch({ hiddenUnits: g.hidden.length })
    }
  })
  socket.on("cascade_add", (f) => {
    const d = (f.data ?? {}) as CascadeAdd
    const serverMs = tsMs(d.timestamp) ?? tsMs(f.timestamp)
    perf.cascades.push({ unit: d.hidden_unit_index, serverMs, receivedMs: nowMs(), appliedMs: null, shownMs: null })
    if (perf.cascades.length > 1000) perf.cascades.splice(0, 500)
    topology.addUnit(d.hidden_unit_index, serverMs)
    candidates.installed(d.hidden_unit_index, d.correlation ?? null)
    const total = d.total_hidden_units ?? (topology.graph ? topology.graph.hidden.length : null)
    const latest = metrics.latest
    evolution.add({
      hiddenUnits: total ?? d.hidden_unit_index + 1,
      unit: d.hidden_unit_index,
      correlation: d.correlation ?? null,
      loss: latest?.loss ?? null,
      accuracy: latest?.accuracy ?? null,
      valAccuracy: latest?.valAccuracy ?? null,
      step: status.current.step,
      at: serverMs ?? Date.now()
    })
    if (total !== null) status.patch({ hiddenUnits: total })
    ctx.cascade.emit({ index: d.hidden_unit_index, total })
  })
  socket.on("candidate_progress", (f) => candidates.progress((f.data ?? {}) as CandidateProgress))
  socket.on("event", (f) => {
    const d = (f.data ?? {}) as EventData
    const name = d.event ?? d.event_type ?? ""
    const details = (d.details ?? {}) as Record<string, unknown>
    const fsm = EVENT_FSM[name]
    const reason = d.completion_reason ?? (typeof details["completion_reason"] === "string" ? details["completion_reason"] : undefined)
    const error = d.error ?? (typeof details["error"] === "string" ? details["error"] : undefined)
    if (fsm) status.patch({ fsm, ...(reason !== undefined ? { completionReason: reason } : {}), ...(error !== undefined ? { error } : {}) })
    // Staging and cancelling a dataset are pushed too (the banner follows without a status reload).
    if ("pending_dataset" in d) status.patch({ pendingDataset: (d as { pending_dataset?: unknown }).pending_dataset ?? null })
    if (name === "training_failed") ctx.toasts.show({ kind: "error", title: "Training failed", body: error ?? "see the server log", timeoutMs: 15_000 })
  })
  socket.on("params_updated", (f) => params.merge((f.data as ParamsUpdated | undefined)?.params))
  socket.on("resume_failed", () => {
    // The server could not replay what we missed: reload the documents and start the metrics over.
    metrics.clear()
    void Promise.all([loadStatus(ctx), loadState(ctx), loadHistory(ctx), loadTopology(ctx)]).then(() => ctx.reloaded.emit("resume_failed"))
  })
}
