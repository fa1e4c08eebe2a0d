/**
 * A session's mutable state (one plain record, owned by the session) and the wire views computed from it: the
 * `training_state` object, `state` frame data, the training status (§4.5), the local worker (§4.8), gauge values.
 */
import { cpus } from "node:os"
import type { EvalMetrics, FsmPhase, FsmStatus, MetricsRow, StateFrameData, TrainingState, TrainingStatus, Worker } from "../api/schema.js"
import type { CascorParams } from "../engine/params.js"
import type { CascorRun } from "../engine/run.js"
import type { EngineData, LoadedDataset } from "./dataset.js"
import { MetricsRing } from "./metrics.js"
import type { NetworkConfig } from "./params.js"

/** Progress of the phase in flight and counters of the run (reported in `training_state` and the worker view). */
export interface Progress {
  phaseStartedAt: number | null
  phaseDetail: TrainingState["phase_detail"]
  outputEpoch: number
  candidateEpoch: number
  lastProgressEpoch: number
  lastProgressAt: number
  bestCorrelation: number | null
  best: number | null
  second: number | null
  allCorrelations: Array<number>
  candidatesTrained: number
  engineEpoch: number
  lastCandidateSeconds: number | null
  candidateTasks: number
  candidateFailures: number
}

export const freshProgress = (): Progress => ({
  phaseStartedAt: null,
  phaseDetail: null,
  outputEpoch: 0,
  candidateEpoch: 0,
  lastProgressEpoch: 0,
  lastProgressAt: 0,
  bestCorrelation: null,
  best: null,
  second: null,
  allCorrelations: [],
  candidatesTrained: 0,
  engineEpoch: 0,
  lastCandidateSeconds: null,
  candidateTasks: 0,
  candidateFailures: 0
})

export interface SessionState {
  fsm: FsmStatus
  phase: FsmPhase
  pausedPhase: FsmPhase | null
  config: NetworkConfig | null
  params: CascorParams | null
  /** The engine run: on the loaded data, or a preview on a one-row placeholder before any data arrives. */
  run: CascorRun | null
  runHasData: boolean
  data: LoadedDataset | null
  engine: EngineData | null
  /** Training steps: the initial output pass plus one per growth iteration. */
  step: number
  completionReason: string | null
  error: string | null
  progress: Progress
  snapshotSeq: number
  /** The auto-snapshot ratchet (`auto_snap_best`). */
  bestLoss: number
  latestEval: EvalMetrics | null
  readonly history: MetricsRing
  /** The rows the last metrics clear set aside (M3), until an undo (M4), reset or restore; null: nothing to undo. */
  clearedMetrics: Array<MetricsRow> | null
  /**
   * The run's network holds weights that a rebuild of the run would lose: edited (E1–E3) or taken from a snapshot to
   * retrain (R1). Counts as trained; a run on the placeholder dataset carries it over when data arrives.
   */
  customNetwork: boolean
}

export const initialState = (): SessionState => ({
  fsm: "STOPPED",
  phase: "IDLE",
  pausedPhase: null,
  config: null,
  params: null,
  run: null,
  runHasData: false,
  data: null,
  engine: null,
  step: 0,
  completionReason: null,
  error: null,
  progress: freshProgress(),
  snapshotSeq: 0,
  bestLoss: Number.POSITIVE_INFINITY,
  latestEval: null,
  history: new MetricsRing(),
  clearedMetrics: null,
  customNetwork: false
})

const statusSpelling: Record<FsmStatus, TrainingState["status"]> = {
  STOPPED: "Stopped",
  STARTED: "Started",
  PAUSED: "Paused",
  COMPLETED: "Completed",
  FAILED: "Failed",
  INVESTIGATING: "Stopped",
  REPLAYING: "Started",
  RESUME_READY: "Stopped"
}

/** The network has trained (or is training): keys that need a new network are refused from then on. */
export const isTrained = (st: SessionState): boolean => {
  if (st.fsm === "STARTED" || st.fsm === "PAUSED") return true
  if (!st.run) return false
  if (st.customNetwork) return true
  const s = st.run.status()
  return st.step > 0 || s.epoch > 0 || s.hiddenUnits > 0
}

/** `training_state` (§4.5). */
export const trainingStateOf = (st: SessionState): TrainingState => {
  const c = st.config
  const h = c?.hyper
  const p = st.params
  const s = st.run?.status()
  const upstream = p?.algorithm === "upstream"
  return {
    status: statusSpelling[st.fsm],
    phase: st.phase,
    learning_rate: h?.learning_rate ?? null,
    max_hidden_units: h?.max_hidden_units ?? 0,
    max_epochs: h?.epochs_max ?? 0,
    current_epoch: st.step,
    current_step: s?.epoch ?? 0,
    network_name: c ? `CasCor-${c.inputSize}x${c.outputSize}` : "CasCor",
    dataset_name: st.data?.name ?? null,
    threshold_function: h?.activation_function_name ?? "SymmetricSigmoid",
    optimizer_name: upstream ? "Adam" : "Quickprop",
    timestamp: Date.now() / 1000,
    phase_detail: st.phase === "IDLE" ? null : st.progress.phaseDetail,
    grow_iteration: s?.hiddenUnits ?? 0,
    grow_max: p?.rounds ?? 0,
    best_correlation: st.progress.bestCorrelation,
    candidates_trained: st.progress.candidatesTrained,
    candidates_total: p?.poolSize ?? 0,
    phase_started_at: st.progress.phaseStartedAt,
    candidate_epoch: st.progress.candidateEpoch,
    candidate_total_epochs: p ? (upstream ? p.upstream.candidateEpochs : p.inLimit) : 0,
    output_epoch: st.progress.outputEpoch,
    output_total_epochs: p ? (upstream ? p.upstream.outputEpochs : p.outLimit) : 0,
    max_iterations: h?.max_iterations ?? 0
  }
}

/** `data` of a `state` frame: `training_state` plus the selection fields (§6.3). */
export const stateFrameDataOf = (st: SessionState): StateFrameData => {
  const h = st.config?.hyper
  return {
    ...trainingStateOf(st),
    best_candidate_id: st.progress.best,
    second_candidate_id: st.progress.second,
    all_correlations: st.progress.allCorrelations,
    candidate_pool_size: st.params?.poolSize ?? 0,
    correlation_threshold: h?.correlation_threshold ?? 0,
    convergence_threshold: h?.convergence_threshold ?? 0
  }
}

/** The training status (§4.5; T6 and `initial_status`). */
export const statusOf = (st: SessionState, instanceId: string, backend: string): TrainingStatus => {
  const training = st.fsm === "STARTED" || st.fsm === "PAUSED"
  return {
    state_machine: {
      status: st.fsm,
      phase: st.phase,
      paused_phase: st.pausedPhase,
      has_candidate_state: st.phase === "CANDIDATE" || st.pausedPhase === "CANDIDATE"
    },
    monitor: {
      is_training: st.fsm === "STARTED",
      current_epoch: st.step,
      current_hidden_units: st.run?.status().hiddenUnits ?? 0,
      current_phase: st.phase,
      total_metrics: st.history.size
    },
    training_state: trainingStateOf(st),
    network_loaded: st.config !== null,
    training_active: training,
    completion_reason: st.completionReason,
    metrics_clear_undo_available: st.clearedMetrics !== null,
    snapshot_seq: st.snapshotSeq,
    server_instance_id: instanceId,
    is_training: st.fsm === "STARTED",
    current_epoch: st.step,
    backend,
    algorithm: st.params?.algorithm ?? null,
    error: st.error
  }
}

/** Gauge values for Prometheus. */
export interface SessionGauges {
  readonly step: number
  readonly engineEpoch: number
  readonly hiddenUnits: number
  readonly loss: number | null
  readonly accuracy: number | null
  readonly candidatePhaseSeconds: number | null
  readonly training: boolean
  readonly fsm: FsmStatus
}

export const gaugesOf = (st: SessionState): SessionGauges => {
  const row = st.history.latest()
  const s = st.run?.status()
  return {
    step: st.step,
    engineEpoch: s?.epoch ?? 0,
    hiddenUnits: s?.hiddenUnits ?? 0,
    loss: row?.loss ?? null,
    accuracy: row?.accuracy ?? null,
    candidatePhaseSeconds: st.progress.lastCandidateSeconds,
    training: st.fsm === "STARTED",
    fsm: st.fsm
  }
}

/** The in-process candidate executor as a worker (§4.8, `kind: "local"`). */
export const localWorkerOf = (st: SessionState, backend: string): Worker => {
  const busy = st.fsm === "STARTED" && st.phase === "CANDIDATE"
  return {
    worker_id: `local-${process.pid}`,
    kind: "local",
    status: busy ? "busy" : "idle",
    health_score: 1,
    last_heartbeat_at: Date.now() / 1000,
    current_task_id: busy ? `candidate-${st.run?.status().hiddenUnits ?? 0}` : null,
    capabilities: {
      cpu_cores: cpus().length,
      gpu: backend === "cuda",
      backend,
      node_version: process.version,
      os: `${process.platform}-${process.arch}`
    },
    tasks_completed: st.progress.candidateTasks,
    tasks_failed: st.progress.candidateFailures,
    in_flight_tasks: busy ? 1 : 0,
    rss_mb: Math.round((process.memoryUsage.rss() / 2 ** 20) * 10) / 10,
    gpu_utilization_pct: null,
    last_task_duration_seconds: st.progress.lastCandidateSeconds
  }
}
