/**
 * JuniperCascor shapes → Canopy shapes (canopy-ui §3.3): metrics entries as the union of three shapes, topology as
 * nodes and connections, weight statistics, the decision boundary's field names, the status summary, and the frames
 * relayed to browsers. Pure functions, shared by every mode.
 */
import type {
  DecisionBoundary,
  MetricsRow,
  Topology,
  TrainingStatus
} from "@juniper/cascor/api/schema"
import type {
  BackendMode,
  CanopyEventName,
  CanopyStatus,
  CanopyTopology,
  DecisionBoundaryResponse,
  MetricsEntry,
  NetworkStatsResponse,
  TopologyConnection,
  TopologyNode,
  WeightStatistics
} from "../api/schema.js"
import type { UpstreamFrame } from "./link.js"

export interface Sizes {
  readonly input: number
  readonly output: number
}

const num = (v: unknown): number | null => (typeof v === "number" && Number.isFinite(v) ? v : null)

/** A metrics entry: cascor's row, plus the nested demo shape, plus the flat legacy aliases (§3.3). */
export const metricsEntry = (row: MetricsRow | Readonly<Record<string, unknown>>, sizes: Sizes): MetricsEntry => {
  const r = row as Record<string, unknown>
  const loss = num(r["loss"] ?? r["train_loss"])
  const accuracy = num(r["accuracy"] ?? r["train_accuracy"])
  const valLoss = num(r["validation_loss"] ?? r["val_loss"])
  const valAccuracy = num(r["validation_accuracy"] ?? r["val_accuracy"])
  const hidden = typeof r["hidden_units"] === "number" ? (r["hidden_units"] as number) : 0
  return {
    ...r,
    epoch: typeof r["epoch"] === "number" ? (r["epoch"] as number) : 0,
    timestamp: typeof r["timestamp"] === "string" ? (r["timestamp"] as string) : new Date().toISOString(),
    loss,
    accuracy,
    learning_rate: num(r["learning_rate"]),
    hidden_units: hidden,
    phase: typeof r["phase"] === "string" ? (r["phase"] as string) : "IDLE",
    validation_loss: valLoss,
    validation_accuracy: valAccuracy,
    kind: r["kind"] === "output_epoch" ? "output_epoch" : "training_step",
    f1: num(r["f1"]),
    precision: num(r["precision"]),
    recall: num(r["recall"]),
    roc_auc: num(r["roc_auc"]),
    metrics: { loss, accuracy, val_loss: valLoss, val_accuracy: valAccuracy },
    network_topology: { input_units: sizes.input, hidden_units: hidden, output_units: sizes.output },
    train_loss: loss,
    train_accuracy: accuracy,
    val_loss: valLoss,
    val_accuracy: valAccuracy
  } as MetricsEntry
}

/** Nodes `input_<i>`, `hidden_<k>`, `output_<j>` and every weighted connection (§3.1). */
export const canopyTopology = (t: Topology): CanopyTopology => {
  const I = t.input_size
  const H = t.hidden_units.length
  const O = t.output_size
  const nodes: Array<TopologyNode> = []
  const connections: Array<TopologyConnection> = []
  for (let i = 0; i < I; i++) nodes.push({ id: `input_${i}`, type: "input", layer: 0, label: `Input ${i}` })
  t.hidden_units.forEach((u, k) => {
    nodes.push({ id: `hidden_${k}`, type: "hidden", layer: k + 1, label: `Hidden ${k}`, bias: u.bias, activation: u.activation })
    u.weights.forEach((w, j) => connections.push({ from: j < I ? `input_${j}` : `hidden_${j - I}`, to: `hidden_${k}`, weight: w }))
  })
  for (let o = 0; o < O; o++) {
    const bias = t.output_bias[o]
    nodes.push({ id: `output_${o}`, type: "output", layer: H + 1, label: `Output ${o}`, ...(bias !== undefined ? { bias } : {}), ...(t.output_activation ? { activation: t.output_activation } : {}) })
  }
  t.output_weights.forEach((row, j) =>
    row.forEach((w, o) => connections.push({ from: j < I ? `input_${j}` : `hidden_${j - I}`, to: `output_${o}`, weight: w }))
  )
  return { input_units: I, hidden_units: H, output_units: O, nodes, connections }
}

const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return 0
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

/** Descriptive statistics of a weight list (population moments; excess kurtosis). */
export const weightStatistics = (weights: ReadonlyArray<number>): WeightStatistics => {
  const n = weights.length
  const sorted = [...weights].sort((a, b) => a - b)
  const mean = n === 0 ? 0 : weights.reduce((a, b) => a + b, 0) / n
  let m2 = 0
  let m3 = 0
  let m4 = 0
  for (const w of weights) {
    const d = w - mean
    m2 += d * d
    m3 += d * d * d
    m4 += d * d * d * d
  }
  const variance = n === 0 ? 0 : m2 / n
  const std = Math.sqrt(variance)
  const median = quantile(sorted, 0.5)
  const deviations = weights.map((w) => Math.abs(w - median)).sort((a, b) => a - b)
  const z = { "0-1": 0, "1-2": 0, "2-3": 0, "3+": 0 }
  for (const w of weights) {
    const s = std === 0 ? 0 : Math.abs((w - mean) / std)
    if (s < 1) z["0-1"]++
    else if (s < 2) z["1-2"]++
    else if (s < 3) z["2-3"]++
    else z["3+"]++
  }
  return {
    total_weights: n,
    positive_weights: weights.filter((w) => w > 0).length,
    negative_weights: weights.filter((w) => w < 0).length,
    zero_weights: weights.filter((w) => w === 0).length,
    mean,
    std_dev: std,
    variance,
    skewness: n === 0 || std === 0 ? 0 : m3 / n / std ** 3,
    kurtosis: n === 0 || std === 0 ? 0 : m4 / n / variance ** 2 - 3,
    median,
    mad: quantile(deviations, 0.5),
    iqr: quantile(sorted, 0.75) - quantile(sorted, 0.25),
    min: n === 0 ? 0 : sorted[0]!,
    max: n === 0 ? 0 : sorted[n - 1]!,
    z_score_distribution: z
  }
}

/** GET /api/network/stats from the topology and the status (threshold function and optimizer names). */
export const networkStats = (t: Topology, status: TrainingStatus | null): NetworkStatsResponse => {
  const topo = canopyTopology(t)
  const weights = topo.connections.map((c) => c.weight)
  const ts = status?.training_state
  return {
    threshold_function: ts?.threshold_function ?? t.hidden_units[0]?.activation ?? "Tanh",
    optimizer: ts?.optimizer_name ?? "Adam",
    total_nodes: topo.nodes.length,
    total_edges: topo.connections.length,
    total_connections: topo.connections.length,
    weight_statistics: weightStatistics(weights),
    input_units: topo.input_units,
    hidden_units: topo.hidden_units,
    output_units: topo.output_units,
    growth_iteration: ts?.grow_iteration ?? topo.hidden_units
  }
}

/** cascor `grid_x`/`grid_y`/`predictions` → `xx`/`yy`/`Z`, ranges from `x_range`/`y_range` (§3.3). */
export const decisionBoundary = (d: DecisionBoundary, hiddenUnits?: number): DecisionBoundaryResponse => ({
  xx: d.grid_x as Array<Array<number>>,
  yy: d.grid_y as Array<Array<number>>,
  Z: d.predictions as Array<Array<number>>,
  x_min: d.x_range[0],
  x_max: d.x_range[1],
  y_min: d.y_range[0],
  y_max: d.y_range[1],
  resolution: d.resolution,
  ...(hiddenUnits !== undefined ? { hidden_units: hiddenUnits } : {})
})

/** GET /api/status from cascor's training status (§4.5). */
export const canopyStatus = (
  s: TrainingStatus,
  extra: {
    readonly mode: BackendMode
    readonly connected: boolean
    readonly sizes: Sizes | null
    readonly pendingDataset: Readonly<Record<string, unknown>> | null
    readonly stream: string
  }
): CanopyStatus => {
  const fsm = s.state_machine.status
  const ts = s.training_state
  return {
    is_training: fsm === "STARTED",
    is_running: fsm === "STARTED" || fsm === "PAUSED",
    is_paused: fsm === "PAUSED",
    completed: fsm === "COMPLETED",
    failed: fsm === "FAILED",
    fsm_status: fsm,
    phase: s.state_machine.phase,
    current_epoch: s.current_epoch,
    hidden_units: s.monitor.current_hidden_units,
    network_connected: extra.connected && s.network_loaded,
    monitoring_active: extra.connected,
    input_size: extra.sizes?.input ?? 0,
    output_size: extra.sizes?.output ?? 0,
    learning_rate: ts.learning_rate,
    max_hidden_units: ts.max_hidden_units,
    max_epochs: ts.max_epochs,
    completion_reason: s.completion_reason,
    pending_dataset: extra.pendingDataset as CanopyStatus["pending_dataset"],
    backend: extra.mode,
    execution: "live",
    phase_detail: ts.phase_detail,
    stream: extra.stream,
    error: s.error ?? null
  }
}

const LIFECYCLE: ReadonlySet<string> = new Set(["training_complete", "training_failed", "training_started", "training_stopped", "status_change", "cascade_add"])

/** `event` data: cascor `{event, …}` ∪ demo `{event_type, details}` (§9). */
export const eventData = (data: unknown): Record<string, unknown> => {
  const d = (data ?? {}) as Record<string, unknown>
  const name = (typeof d["event"] === "string" ? d["event"] : typeof d["event_type"] === "string" ? d["event_type"] : "status_change") as string
  const event = (LIFECYCLE.has(name) ? name : "status_change") as CanopyEventName
  const { event: _e, event_type: _t, details, ...rest } = d
  return { ...rest, event, event_type: event, details: { ...rest, ...(details && typeof details === "object" ? (details as object) : {}) } }
}

/** A frame as browsers receive it: metrics as entries, state with `top_candidate_id`, events as the union. */
export const browserFrame = (frame: UpstreamFrame, sizes: Sizes): { type: string; timestamp: number; data: unknown } => {
  const timestamp = frame.timestamp ?? Date.now() / 1000
  switch (frame.type) {
    case "metrics":
      return { type: "metrics", timestamp, data: metricsEntry(frame.data as MetricsRow, sizes) }
    case "initial_metrics": {
      const d = (frame.data ?? {}) as { metrics?: ReadonlyArray<MetricsRow>; count?: number }
      const metrics = (d.metrics ?? []).map((m) => metricsEntry(m, sizes))
      return { type: "initial_metrics", timestamp, data: { ...d, metrics, count: metrics.length } }
    }
    case "state": {
      const d = (frame.data ?? {}) as Record<string, unknown>
      return { type: "state", timestamp, data: "best_candidate_id" in d ? { ...d, top_candidate_id: d["best_candidate_id"] } : d }
    }
    case "event":
      return { type: "event", timestamp, data: eventData(frame.data) }
    default:
      return { type: frame.type, timestamp, data: frame.data ?? {} }
  }
}
