// Readers that turn every documented payload variant into one view model: canopy's flat /api/status, cascor's
// TrainingState (`state` frames), cascor's nested TrainingStatus, and the three metrics-entry spellings (§3.3).
import type { GraphTopology, MetricsEntry, Num, RawTopology } from "./types.js"

export type Fsm = "STOPPED" | "STARTED" | "PAUSED" | "COMPLETED" | "FAILED" | "INVESTIGATING" | "REPLAYING" | "RESUME_READY" | "UNKNOWN"

export interface ViewStatus {
  readonly fsm: Fsm
  readonly phase: string
  readonly step: number | null
  readonly hiddenUnits: number | null
  readonly maxHiddenUnits: number | null
  readonly learningRate: number | null
  readonly completionReason: string | null
  readonly error: string | null
  readonly phaseDetail: string | null
  readonly growIteration: number | null
  readonly growMax: number | null
  readonly bestCorrelation: number | null
  readonly candidatesTrained: number | null
  readonly candidatesTotal: number | null
  readonly candidateEpoch: number | null
  readonly candidateTotalEpochs: number | null
  readonly outputEpoch: number | null
  readonly outputTotalEpochs: number | null
  readonly phaseStartedAt: number | null
  readonly maxIterations: number | null
  readonly poolSize: number | null
  readonly allCorrelations: ReadonlyArray<number> | null
  readonly bestCandidateId: number | null
  readonly networkName: string | null
  readonly datasetName: string | null
  readonly optimizer: string | null
  readonly thresholdFunction: string | null
  readonly inputSize: number | null
  readonly outputSize: number | null
  readonly pendingDataset: unknown
}

export const EMPTY_STATUS: ViewStatus = {
  fsm: "UNKNOWN", phase: "IDLE", step: null, hiddenUnits: null, maxHiddenUnits: null, learningRate: null,
  completionReason: null, error: null, phaseDetail: null, growIteration: null, growMax: null, bestCorrelation: null,
  candidatesTrained: null, candidatesTotal: null, candidateEpoch: null, candidateTotalEpochs: null, outputEpoch: null,
  outputTotalEpochs: null, phaseStartedAt: null, maxIterations: null, poolSize: null, allCorrelations: null,
  bestCandidateId: null, networkName: null, datasetName: null, optimizer: null, thresholdFunction: null,
  inputSize: null, outputSize: null, pendingDataset: null
}

type Obj = Readonly<Record<string, unknown>>
const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v)
const num = (o: Obj, ...keys: string[]): number | undefined => {
  for (const k of keys) {
    const v = o[k]
    if (typeof v === "number" && Number.isFinite(v)) return v
  }
  return undefined
}
const str = (o: Obj, ...keys: string[]): string | undefined => {
  for (const k of keys) {
    const v = o[k]
    if (typeof v === "string" && v) return v
  }
  return undefined
}

/** "Started" | "STARTED" | "running" → the FSM name (statuses are compared case-insensitively, cascor-api §4.5). */
export const fsmOf = (s: string): Fsm => {
  const u = s.toUpperCase()
  if (u === "STARTED" || u === "RUNNING" || u === "TRAINING" || u === "ACTIVE") return "STARTED"
  if (u === "PAUSED") return "PAUSED"
  if (u === "STOPPED" || u === "IDLE") return "STOPPED"
  if (u === "COMPLETED" || u === "COMPLETE") return "COMPLETED"
  if (u === "FAILED" || u === "ERROR") return "FAILED"
  if (u === "INVESTIGATING" || u === "REPLAYING" || u === "RESUME_READY") return u
  return "UNKNOWN"
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

/** A partial status from any status/state document; absent fields are left out so that patches merge. */
export const statusPatch = (doc: unknown): Partial<ViewStatus> => {
  if (!isObj(doc)) return {}
  const out: Partial<Mutable<ViewStatus>> = {}
  // cascor's nested TrainingStatus: flatten its parts, the most specific last.
  if (isObj(doc["training_state"]) || isObj(doc["state_machine"])) {
    const ts = isObj(doc["training_state"]) ? statusPatch(doc["training_state"]) : {}
    Object.assign(out, ts)
    const sm = doc["state_machine"]
    if (isObj(sm)) {
      const s = str(sm, "status")
      if (s) out.fsm = fsmOf(s)
      const p = str(sm, "phase")
      if (p) out.phase = p.toUpperCase()
    }
    const mon = doc["monitor"]
    if (isObj(mon)) {
      const hu = num(mon, "current_hidden_units")
      if (hu !== undefined) out.hiddenUnits = hu
    }
  }
  const fsmStatus = str(doc, "fsm_status")
  const status = str(doc, "status")
  if (fsmStatus) out.fsm = fsmOf(fsmStatus)
  else if (status && !isObj(doc["state_machine"])) {
    const f = fsmOf(status)
    if (f !== "UNKNOWN") out.fsm = f
  } else if (out.fsm === undefined && typeof doc["is_running"] === "boolean") {
    out.fsm = doc["failed"] ? "FAILED" : doc["completed"] ? "COMPLETED" : doc["is_paused"] ? "PAUSED" : doc["is_running"] || doc["is_training"] ? "STARTED" : "STOPPED"
  }
  const phase = str(doc, "phase")
  if (phase && !isObj(doc["state_machine"])) out.phase = phase.toUpperCase()
  const setNum = (key: keyof ViewStatus, ...names: string[]) => {
    const v = num(doc, ...names)
    if (v !== undefined) (out as Record<string, unknown>)[key] = v
  }
  setNum("step", "current_epoch", "current_step")
  setNum("hiddenUnits", "hidden_units", "current_hidden_units", "total_hidden_units")
  setNum("maxHiddenUnits", "max_hidden_units", "nn_max_hidden_units")
  setNum("learningRate", "learning_rate", "nn_learning_rate")
  setNum("growIteration", "grow_iteration")
  setNum("growMax", "grow_max")
  setNum("bestCorrelation", "best_correlation")
  setNum("candidatesTrained", "candidates_trained")
  setNum("candidatesTotal", "candidates_total")
  setNum("candidateEpoch", "candidate_epoch")
  setNum("candidateTotalEpochs", "candidate_total_epochs")
  setNum("outputEpoch", "output_epoch")
  setNum("outputTotalEpochs", "output_total_epochs")
  setNum("phaseStartedAt", "phase_started_at")
  setNum("maxIterations", "max_iterations", "nn_max_iterations")
  setNum("poolSize", "candidate_pool_size", "pool_size", "cn_pool_size")
  setNum("bestCandidateId", "best_candidate_id", "top_candidate_id")
  setNum("inputSize", "input_size")
  setNum("outputSize", "output_size")
  if ("completion_reason" in doc) out.completionReason = typeof doc["completion_reason"] === "string" ? doc["completion_reason"] : null
  if ("error" in doc && (typeof doc["error"] === "string" || doc["error"] === null)) out.error = doc["error"] as string | null
  if ("phase_detail" in doc) out.phaseDetail = typeof doc["phase_detail"] === "string" ? doc["phase_detail"] : null
  if ("pending_dataset" in doc) out.pendingDataset = doc["pending_dataset"] ?? null
  const corr = doc["all_correlations"]
  if (Array.isArray(corr)) out.allCorrelations = corr.filter((c): c is number => typeof c === "number")
  const s = (key: keyof ViewStatus, ...names: string[]) => {
    const v = str(doc, ...names)
    if (v !== undefined) (out as Record<string, unknown>)[key] = v
  }
  s("networkName", "network_name")
  s("datasetName", "dataset_name")
  s("optimizer", "optimizer_name", "optimizer")
  s("thresholdFunction", "threshold_function")
  return out
}

/** One chart point from a metrics entry of any shape. */
export interface MetricPoint {
  readonly key: string
  readonly step: number | null
  readonly engineEpoch: number | null
  readonly timeMs: number | null
  readonly loss: Num
  readonly accuracy: Num
  readonly valLoss: Num
  readonly valAccuracy: Num
  readonly f1: Num
  readonly precision: Num
  readonly recall: Num
  readonly rocAuc: Num
  readonly hiddenUnits: number | null
  readonly learningRate: Num
  readonly phase: string | null
  readonly kind: string | null
}

const n = (...vs: ReadonlyArray<unknown>): Num => {
  for (const v of vs) if (typeof v === "number" && Number.isFinite(v)) return v
  return null
}

export const metricPoint = (e: MetricsEntry): MetricPoint => {
  const nested = e.metrics ?? {}
  const t = e.timestamp
  const timeMs = typeof t === "number" ? (t < 1e12 ? t * 1000 : t) : typeof t === "string" ? Date.parse(t) : NaN
  const hidden = n(e.hidden_units, e.network_topology?.hidden_units)
  return {
    key: `${String(t)}|${e.kind ?? ""}|${e.epoch ?? ""}|${e.engine_epoch ?? ""}|${String(e.loss ?? nested.loss ?? e.train_loss)}|${String(e.validation_loss ?? e.val_loss)}`,
    step: n(e.epoch),
    engineEpoch: n(e.engine_epoch),
    timeMs: Number.isFinite(timeMs) ? timeMs : null,
    loss: n(e.loss, nested.loss, e.train_loss),
    accuracy: n(e.accuracy, nested.accuracy, e.train_accuracy),
    valLoss: n(e.validation_loss, e.val_loss, nested.val_loss),
    valAccuracy: n(e.validation_accuracy, e.val_accuracy, nested.val_accuracy),
    f1: n(e.f1),
    precision: n(e.precision),
    recall: n(e.recall),
    rocAuc: n(e.roc_auc),
    hiddenUnits: hidden,
    learningRate: n(e.learning_rate),
    phase: typeof e.phase === "string" ? e.phase : null,
    kind: typeof e.kind === "string" ? e.kind : null
  }
}

/** A graph view of either topology shape: node ids input_<i>, hidden_<k>, output_<j> (§3.1). */
export interface GraphModel {
  readonly inputs: number
  readonly outputs: number
  readonly hidden: ReadonlyArray<number>
  readonly edges: ReadonlyArray<{ readonly from: string; readonly to: string; readonly weight: number }>
}

export const isRawTopology = (t: unknown): t is RawTopology => isObj(t) && Array.isArray(t["hidden_units"]) && typeof t["input_size"] === "number"
export const isGraphTopology = (t: unknown): t is GraphTopology => isObj(t) && Array.isArray(t["nodes"]) && Array.isArray(t["connections"])

export const graphOf = (t: unknown): GraphModel | null => {
  if (isRawTopology(t)) {
    const I = t.input_size
    const O = t.output_size
    const edges: Array<{ from: string; to: string; weight: number }> = []
    const hidden = t.hidden_units.map((u, k) => (typeof u.id === "number" ? u.id : k))
    t.hidden_units.forEach((u, k) => {
      const id = hidden[k]!
      u.weights.forEach((w, i) => {
        const from = i < I ? `input_${i}` : `hidden_${hidden[i - I] ?? i - I}`
        edges.push({ from, to: `hidden_${id}`, weight: w })
      })
    })
    t.output_weights.forEach((row, r) => {
      const from = r < I ? `input_${r}` : `hidden_${hidden[r - I] ?? r - I}`
      row.forEach((w, j) => edges.push({ from, to: `output_${j}`, weight: w }))
    })
    return { inputs: I, outputs: O, hidden, edges }
  }
  if (isGraphTopology(t)) {
    const hidden = t.nodes.filter((nd) => nd.type === "hidden").map((nd) => Number(nd.id.replace(/^hidden_/, ""))).filter((k) => Number.isFinite(k))
    return {
      inputs: t.input_units ?? t.nodes.filter((nd) => nd.type === "input").length,
      outputs: t.output_units ?? t.nodes.filter((nd) => nd.type === "output").length,
      hidden,
      edges: t.connections.map((c) => ({ from: c.from, to: c.to, weight: c.weight }))
    }
  }
  return null
}

/** Class index of a label: an int, or the argmax of a one-hot row. */
export const classOf = (y: ReadonlyArray<number> | number | undefined): number => {
  if (typeof y === "number") return Math.round(y)
  if (!y || y.length === 0) return 0
  if (y.length === 1) return (y[0] ?? 0) >= 0.5 ? 1 : 0
  let best = 0
  for (let i = 1; i < y.length; i++) if ((y[i] ?? -Infinity) > (y[best] ?? -Infinity)) best = i
  return best
}
