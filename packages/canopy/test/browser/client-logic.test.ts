// The dashboard's pure client logic, in Node (no browser): reconnect backoff, chunk reassembly, handler lists,
// payload readers, the metrics store, parameter validation, the WS badge and the control gates.
import { describe, expect, it } from "vitest"
import { classOf, graphOf, metricPoint, statusPatch } from "../../web/api/normalize.js"
import { allowed } from "../../web/chrome/controls.js"
import { badgeFor } from "../../web/chrome/ws-badge.js"
import { applySummary } from "../../web/params/apply.js"
import { PARAM_BY_KEY, withBounds } from "../../web/params/param-defs.js"
import { parseField, sameValue, selectionErrors } from "../../web/params/validate.js"
import { CandidateStore } from "../../web/store/candidate-store.js"
import { MetricsStore } from "../../web/store/metrics-store.js"
import { TopologyStore } from "../../web/store/topology-store.js"
import { backoffDelay, CAP_MS } from "../../web/ws/backoff.js"
import { ChunkAssembler } from "../../web/ws/chunks.js"
import { HandlerRegistry } from "../../web/ws/handlers.js"
import { TrainingSocket } from "../../web/ws/training-socket.js"
import { parseGenField } from "../../web/tabs/generator-form.js"

describe("reconnect backoff (full jitter)", () => {
  it("is random × min(60 s, 500 ms × 2^min(n,7))", () => {
    expect(backoffDelay(0, () => 1)).toBe(500)
    expect(backoffDelay(3, () => 1)).toBe(4000)
    expect(backoffDelay(7, () => 1)).toBe(60_000)
    expect(backoffDelay(50, () => 1)).toBe(60_000)
    expect(backoffDelay(5, () => 0)).toBe(0)
    for (let n = 0; n < 20; n++) expect(backoffDelay(n)).toBeLessThanOrEqual(CAP_MS)
  })
})

describe("chunk reassembly", () => {
  const text = JSON.stringify({ type: "topology", data: { big: "x".repeat(100) } })
  const parts = [text.slice(0, 30), text.slice(30, 70), text.slice(70)]
  it("joins chunks in index order, whatever the arrival order", () => {
    const a = new ChunkAssembler()
    expect(a.add({ chunk_id: "c1", chunk_index: 2, total_chunks: 3, payload: parts[2]! })).toBeNull()
    expect(a.add({ chunk_id: "c1", chunk_index: 0, total_chunks: 3, payload: parts[0]! })).toBeNull()
    expect(a.add({ chunk_id: "c1", chunk_index: 1, total_chunks: 3, payload: parts[1]! })).toBe(text)
    expect(a.openGroups).toBe(0)
  })
  it("keeps at most 8 groups open, dropping the oldest", () => {
    const a = new ChunkAssembler(8)
    for (let g = 0; g < 9; g++) a.add({ chunk_id: `g${g}`, chunk_index: 0, total_chunks: 2, payload: "a" })
    expect(a.openGroups).toBe(8)
    expect(a.dropped).toBe(1)
    // g0 was dropped: its second half alone completes nothing; g8 still completes.
    expect(a.add({ chunk_id: "g0", chunk_index: 1, total_chunks: 2, payload: "b" })).toBeNull()
    expect(a.add({ chunk_id: "g8", chunk_index: 1, total_chunks: 2, payload: "b" })).toBe("ab")
  })
  it("ignores malformed chunks and duplicates", () => {
    const a = new ChunkAssembler()
    expect(a.add({ chunk_id: "x", chunk_index: 5, total_chunks: 2, payload: "a" })).toBeNull()
    expect(a.add({ chunk_id: "d", chunk_index: 0, total_chunks: 2, payload: "a" })).toBeNull()
    expect(a.add({ chunk_id: "d", chunk_index: 0, total_chunks: 2, payload: "z" })).toBeNull()
    expect(a.add({ chunk_id: "d", chunk_index: 1, total_chunks: 2, payload: "b" })).toBe("ab")
  })
})

describe("handler registry", () => {
  it("keeps a list per type: a second handler never replaces the first", () => {
    const r = new HandlerRegistry()
    const seen: string[] = []
    r.on("metrics", () => seen.push("chart"))
    const off = r.on("metrics", () => seen.push("beacon"))
    r.on("*", (f) => seen.push(`any:${f.type}`))
    r.dispatch({ type: "metrics" })
    off()
    r.dispatch({ type: "metrics" })
    expect(seen).toEqual(["chart", "beacon", "any:metrics", "chart", "any:metrics"])
  })
  it("isolates a failing handler", () => {
    const r = new HandlerRegistry()
    let ran = false
    r.on("state", () => {
      throw new Error("boom")
    })
    r.on("state", () => (ran = true))
    r.dispatch({ type: "state" })
    expect(ran).toBe(true)
  })
})

describe("payload readers", () => {
  it("reads canopy's flat status, cascor's TrainingState and cascor's nested status alike", () => {
    expect(statusPatch({ fsm_status: "PAUSED", phase: "OUTPUT", current_epoch: 4, hidden_units: 3, max_hidden_units: 10, completion_reason: null })).toMatchObject({ fsm: "PAUSED", phase: "OUTPUT", step: 4, hiddenUnits: 3, maxHiddenUnits: 10, completionReason: null })
    expect(statusPatch({ is_running: false, is_paused: false, completed: true, failed: false })).toMatchObject({ fsm: "COMPLETED" })
    expect(statusPatch({ status: "Started", phase: "CANDIDATE", current_epoch: 2, grow_iteration: 2, grow_max: 9, candidate_epoch: 50, candidate_total_epochs: 600, all_correlations: [0.1, 0.3] })).toMatchObject({ fsm: "STARTED", phase: "CANDIDATE", growIteration: 2, candidateEpoch: 50, allCorrelations: [0.1, 0.3] })
    expect(statusPatch({ state_machine: { status: "COMPLETED", phase: "IDLE" }, monitor: { current_hidden_units: 7 }, training_state: { status: "Completed", current_epoch: 8 }, completion_reason: "max_iterations" })).toMatchObject({ fsm: "COMPLETED", phase: "IDLE", hiddenUnits: 7, step: 8, completionReason: "max_iterations" })
  })
  it("reads every metrics-entry spelling (§3.3)", () => {
    const cascor = metricPoint({ epoch: 2, loss: 0.5, accuracy: 0.8, validation_loss: 0.6, validation_accuracy: 0.7, hidden_units: 1, timestamp: "2026-01-01T00:00:00Z" })
    const nested = metricPoint({ metrics: { loss: 0.5, accuracy: 0.8, val_loss: 0.6, val_accuracy: 0.7 }, network_topology: { hidden_units: 1 } })
    const flat = metricPoint({ train_loss: 0.5, train_accuracy: 0.8, val_loss: 0.6, val_accuracy: 0.7, hidden_units: 1 })
    for (const p of [cascor, nested, flat]) expect(p).toMatchObject({ loss: 0.5, accuracy: 0.8, valLoss: 0.6, valAccuracy: 0.7, hiddenUnits: 1 })
    expect(cascor.timeMs).toBe(Date.parse("2026-01-01T00:00:00Z"))
  })
  it("turns both topology shapes into one graph", () => {
    const raw = graphOf({ input_size: 2, output_size: 1, hidden_units: [{ id: 0, weights: [0.5, -0.5], bias: 0 }, { id: 1, weights: [1, 2, 3], bias: 0 }], output_weights: [[1], [2], [3], [4]], output_bias: [0] })
    expect(raw?.hidden).toEqual([0, 1])
    expect(raw?.edges).toContainEqual({ from: "hidden_0", to: "hidden_1", weight: 3 })
    expect(raw?.edges).toContainEqual({ from: "hidden_1", to: "output_0", weight: 4 })
    expect(raw?.edges).toHaveLength(2 + 3 + 4)
    const graph = graphOf({ input_units: 2, hidden_units: 1, output_units: 1, nodes: [{ id: "input_0", type: "input" }, { id: "input_1", type: "input" }, { id: "hidden_0", type: "hidden" }, { id: "output_0", type: "output" }], connections: [{ from: "input_0", to: "hidden_0", weight: 0.2 }] })
    expect(graph).toMatchObject({ inputs: 2, outputs: 1, hidden: [0] })
    expect(graphOf({ nope: 1 })).toBeNull()
  })
  it("reads class labels as ints or one-hot rows", () => {
    expect(classOf([0, 1])).toBe(1)
    expect(classOf([0.9, 0.1, 0])).toBe(0)
    expect(classOf(2)).toBe(2)
    expect(classOf([0.7])).toBe(1)
  })
})

describe("metrics store", () => {
  const row = (e: number, hidden = 0) => ({ epoch: 0, engine_epoch: e, timestamp: `t${e}`, kind: "output_epoch", loss: 1 / (e + 1), accuracy: 0.5, hidden_units: hidden })
  it("appends, deduplicates overlapping history and frames, and marks growth", () => {
    const m = new MetricsStore()
    const changes: string[] = []
    m.changed.subscribe((c) => changes.push(`${c.kind}@${c.from}`))
    expect(m.append([row(0), row(25)])).toBe(2)
    expect(m.append([row(25)])).toBe(0)
    m.append([row(50, 1)])
    expect(m.length).toBe(3)
    expect(m.markers).toEqual([{ x: 50, units: 1 }])
    m.replaceWithHistory([row(0), row(25), row(50, 1), row(75, 1)])
    expect(m.length).toBe(4)
    expect(m.x).toEqual([0, 25, 50, 75])
    expect(changes).toEqual(["append@0", "append@2", "reset@0"])
    expect(m.liveAppended).toBe(3)
  })
  it("continues the x axis when a new run restarts the engine epochs", () => {
    const m = new MetricsStore()
    m.append([row(0), row(100), { ...row(0), timestamp: "run2-0" }, { ...row(50), timestamp: "run2-50" }])
    expect(m.x).toEqual([0, 100, 101, 151])
  })
})

describe("parameter validation (§6)", () => {
  const lr = PARAM_BY_KEY.get("nn_learning_rate")!
  it("refuses out-of-bounds, empty and non-integer values with a message naming the bounds", () => {
    expect(parseField(lr, "0.5")).toEqual({ ok: true, value: 0.5 })
    const out = parseField(lr, "5")
    expect(out.ok).toBe(false)
    if (!out.ok) expect(out.error).toContain("out of bounds (allowed 0.0001 to 1)")
    expect(parseField(lr, "").ok).toBe(false)
    expect(parseField(PARAM_BY_KEY.get("cn_pool_size")!, "3.5").ok).toBe(false)
    expect(parseField(PARAM_BY_KEY.get("nn_init_output_weights")!, "random")).toEqual({ ok: true, value: "random" })
  })
  it("uses the server's bounds table when it sends one", () => {
    const moved = withBounds(lr, { min: 0.001, max: 0.5, default: 0.02 })
    expect(parseField(moved, "0.7").ok).toBe(false)
    expect(parseField(moved, "0.0005").ok).toBe(false)
  })
  it("applies cascor's selection rules", () => {
    expect(selectionErrors({ cn_pool_size: 8, cn_selected_candidates: 9 })).toHaveLength(1)
    expect(selectionErrors({ cn_pool_size: 8, cn_selected_candidates: 3, cn_multi_candidate: true, cn_top_candidates: 1, cn_random_candidates: 2 })).toEqual([])
    expect(selectionErrors({ cn_pool_size: 8, cn_selected_candidates: 3, cn_multi_candidate: true, cn_top_candidates: 2, cn_random_candidates: 2 })).toHaveLength(1)
  })
  it("treats top_tier as top and numbers numerically", () => {
    expect(sameValue("cn_candidate_selection", "top_tier", "top")).toBe(true)
    expect(sameValue("nn_learning_rate", "0.010", 0.01)).toBe(true)
  })
  it("summarises applied, skipped and clamped keys as §6 words it", () => {
    expect(applySummary(["a"], { status: "success", state: {}, applied: ["a"], skipped: [], skipped_detail: [], clamped: [] })).toBe("Parameters applied")
    expect(applySummary(["a", "b"], { status: "partial", state: {}, applied: ["a"], skipped: ["b"], skipped_detail: [{ key: "b", reason: "read-only" }], clamped: [{ key: "a", requested: 5, applied: 1 }] })).toBe(
      "Applied 1 of 2; 1 skipped: b (read-only) (clamped to bounds: a 5 → 1)"
    )
  })
  it("validates generator fields from the JSON Schema", () => {
    const f = { name: "noise", prop: { type: "number", minimum: 0, maximum: 1, default: 0.25 } }
    expect(parseGenField(f, "0.5")).toEqual({ ok: true, value: 0.5 })
    expect(parseGenField(f, "2").ok).toBe(false)
    expect(parseGenField({ name: "seed", prop: { anyOf: [{ type: "integer" }, { type: "null" }], default: 42 } }, "")).toEqual({ ok: true, value: null })
    expect(parseGenField({ name: "origin", prop: { type: "array" } }, "0, 1")).toEqual({ ok: true, value: [0, 1] })
    expect(parseGenField({ name: "r", prop: { type: "number", exclusiveMinimum: 0 } }, "0").ok).toBe(false)
  })
})

describe("WS badge (§7.1)", () => {
  const open = { state: "open", attempts: 0, lastClose: null } as const
  it("maps socket state and stream health to the badge", () => {
    expect(badgeFor({ state: "connecting", attempts: 0, lastClose: null }, null, null)).toEqual({ label: "WS: --", tone: "grey" })
    expect(badgeFor(open, { overall: "healthy", relay: "healthy", control: "healthy" }, "service")).toEqual({ label: "Connected", tone: "green" })
    expect(badgeFor(open, { overall: "n/a", relay: "n/a", control: "n/a" }, "demo")).toEqual({ label: "Demo", tone: "grey" })
    expect(badgeFor(open, { overall: "reconnecting", relay: "reconnecting", control: "healthy" }, "service").label).toBe("Upstream reconnecting")
    expect(badgeFor(open, { overall: "degraded", relay: "degraded", control: "healthy" }, "service").label).toBe("Upstream degraded")
    expect(badgeFor({ state: "reconnecting", attempts: 1, lastClose: null }, null, null)).toEqual({ label: "Reconnecting", tone: "amber" })
    expect(badgeFor({ state: "reconnecting", attempts: 9, lastClose: null }, null, null)).toEqual({ label: "Offline", tone: "red" })
    expect(badgeFor({ state: "connecting", attempts: 2, lastClose: null }, null, null)).toEqual({ label: "Reconnecting", tone: "amber" })
    expect(badgeFor(open, null, null, false).label).toBe("Offline")
  })
})

describe("control gates", () => {
  it("follows cascor's transitions", () => {
    expect(allowed("STOPPED", "start")).toBe(true)
    expect(allowed("STARTED", "start")).toBe(false)
    expect(allowed("STARTED", "pause")).toBe(true)
    expect(allowed("PAUSED", "resume")).toBe(true)
    expect(allowed("PAUSED", "stop")).toBe(true)
    expect(allowed("COMPLETED", "stop")).toBe(false)
    expect(allowed("COMPLETED", "start")).toBe(true)
  })
})

describe("topology and candidate stores", () => {
  it("adds a unit from cascade_add before its weights arrive", () => {
    const t = new TopologyStore()
    t.setTopology({ input_size: 2, output_size: 1, hidden_units: [], output_weights: [[1], [2]], output_bias: [0] })
    t.addUnit(0, 1000)
    expect(t.graph?.hidden).toEqual([0])
    expect(t.graph?.edges.filter((e) => e.to === "hidden_0")).toHaveLength(2)
    expect(t.newest).toBe(0)
  })
  it("tracks the pool and closes it into one history card", () => {
    const c = new CandidateStore()
    c.progress({ candidate_id: 0, epoch: 50, total_epochs: 600, correlation: 0.2, unit: 0 })
    c.progress({ candidate_id: 1, epoch: 50, total_epochs: 600, correlation: -0.4, unit: 0 })
    c.progress({ candidate_id: null, epoch: 100, total_epochs: 600, correlation: 0.4, unit: 0, final: true, all_correlations: [0.2, -0.4] })
    c.installed(0, 0.4)
    expect(c.history).toHaveLength(1)
    expect(c.history[0]).toMatchObject({ unit: 0, installed: true, bestId: 1, best: 0.4 })
    expect(c.trace.epochs).toEqual([50, 100])
  })
})

describe("training socket frame handling", () => {
  it("tracks seq, warns on gaps, drops replayed duplicates and dispatches reassembled chunks", () => {
    const sock = new TrainingSocket()
    const got: string[] = []
    sock.on("*", (f) => got.push(`${f.type}:${f.seq ?? "-"}`))
    sock.handleFrame({ type: "connection_established", data: { server_instance_id: "A" } })
    sock.handleFrame({ type: "metrics", seq: 1, data: {} })
    sock.handleFrame({ type: "metrics", seq: 2, data: {} })
    sock.handleFrame({ type: "metrics", seq: 2, data: {} })
    sock.handleFrame({ type: "metrics", seq: 5, data: {} })
    const inner = JSON.stringify({ type: "topology", data: { input_size: 2 } })
    sock.handleFrame({ type: "chunked_message", seq: 6, data: { chunk_id: "k", chunk_index: 1, total_chunks: 2, original_type: "topology", payload: inner.slice(10) } })
    sock.handleFrame({ type: "chunked_message", seq: 7, data: { chunk_id: "k", chunk_index: 0, total_chunks: 2, original_type: "topology", payload: inner.slice(0, 10) } })
    expect(got).toEqual(["connection_established:-", "metrics:1", "metrics:2", "metrics:5", "topology:7"])
    expect(sock.stats.seqGaps).toBe(1)
    expect(sock.stats.duplicates).toBe(1)
    expect(sock.seq).toBe(7)
    // A different server instance resets the sequence: its seq 1 is new, not a duplicate.
    sock.handleFrame({ type: "connection_established", data: { server_instance_id: "B" } })
    sock.handleFrame({ type: "metrics", seq: 1, data: {} })
    expect(got.at(-1)).toBe("metrics:1")
    expect(sock.instanceId).toBe("B")
  })
})
