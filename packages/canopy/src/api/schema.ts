/**
 * The JuniperCanopy wire contract (shared/reference/canopy-ui.md §3–§4, §6) as Effect Schemas: every `/api/*`
 * response, the error body, the health bodies, and the frames of Canopy's `/ws/training` and `/ws/control`.
 *
 * The server (HttpApi definition in ./http-api.ts, the WebSocket relay) and the browser dashboard share this one
 * module. It imports nothing but `effect` and JuniperCascor's schema module (itself `effect`-only), so esbuild can
 * bundle it for the browser.
 *
 * Compatibility: every object may carry additive keys; readers ignore unknown keys. Fields marked "extension" are
 * ours, not upstream's. Stability: public API, additive changes only.
 */
import { Schema } from "effect"
import {
  CandidateProgressData,
  CascadeAddData,
  ChunkedMessageData,
  DecisionBoundary as CascorDecisionBoundary,
  HyperParameters,
  MetricsRow,
  SnapshotMeta,
  StateFrameData,
  Topology,
  TrainingState,
  Worker,
  WorkerStats
} from "@juniper/cascor/api/schema"

export {
  CandidateProgressData,
  CascadeAddData,
  ChunkedMessageData,
  CascorDecisionBoundary,
  HyperParameters,
  MetricsRow,
  SnapshotMeta,
  StateFrameData,
  Topology,
  TrainingState,
  Worker,
  WorkerStats
}

export const SERVICE_NAME = "juniper-canopy"
export const DEFAULT_PORT = 8050

/** Anything else a response may carry (additive keys survive encoding). */
const Extra = Schema.Record({ key: Schema.String, value: Schema.Unknown })
const Nullable = <S extends Schema.Schema.Any>(s: S) => Schema.NullOr(s)
const NullableNumber = Schema.NullOr(Schema.Number)
const Matrix = Schema.Array(Schema.Array(Schema.Number))

// ---------------------------------------------------------------------------------------------------------------
// Errors (§3.1 "Error body")
// ---------------------------------------------------------------------------------------------------------------

/** Every non-2xx body: `{"error","detail","status_code","error_id"?}` (`_tag` is additive: a stable machine name). */
export const ErrorBodyFields = {
  error: Schema.String,
  detail: Schema.NullOr(Schema.String),
  status_code: Schema.Int,
  error_id: Schema.optional(Schema.String)
}
export const ErrorBody = Schema.Struct(ErrorBodyFields)
export type ErrorBody = typeof ErrorBody.Type

// ---------------------------------------------------------------------------------------------------------------
// Backends (§2)
// ---------------------------------------------------------------------------------------------------------------

export const BackendMode = Schema.Literal("demo", "service", "fake", "recurrence")
export type BackendMode = typeof BackendMode.Type
export const Execution = Schema.Literal("live", "one_shot")
export type Execution = typeof Execution.Type

/** Every control result (§2.1); `ok:false` is a failure. */
export const ControlResult = Schema.Struct({
  ok: Schema.Boolean,
  error: Schema.optional(Schema.String),
  message: Schema.optional(Schema.String),
  data: Schema.optional(Schema.Unknown)
})
export type ControlResult = typeof ControlResult.Type

// ---------------------------------------------------------------------------------------------------------------
// Health (§3.1, §3.2)
// ---------------------------------------------------------------------------------------------------------------

export const CanopyHealth = Schema.Struct({
  status: Schema.Literal("ok"),
  service: Schema.String,
  timestamp: Schema.Number,
  version: Schema.String,
  active_connections: Schema.Int,
  training_active: Schema.Boolean,
  demo_mode: Schema.Boolean,
  juniper_data_available: Schema.Boolean,
  git_sha: Schema.optional(Schema.NullOr(Schema.String)),
  build_date: Schema.optional(Schema.NullOr(Schema.String)),
  /** Extension: the backend mode. */
  mode: Schema.optional(BackendMode)
})
export type CanopyHealth = typeof CanopyHealth.Type

export const Liveness = Schema.Struct({ status: Schema.Literal("alive", "unresponsive"), tick: Schema.optional(Schema.String), duration_ms: Schema.optional(Schema.Number), error: Schema.optional(Schema.String) })

export const DependencyStatus = Schema.Struct({
  name: Schema.String,
  status: Schema.Literal("healthy", "unhealthy", "degraded", "not_configured"),
  latency_ms: NullableNumber,
  message: Schema.NullOr(Schema.String)
})

export const Readiness = Schema.Struct({
  status: Schema.Literal("ready", "degraded", "not_ready"),
  version: Schema.String,
  service: Schema.String,
  timestamp: Schema.Number,
  git_sha: Schema.NullOr(Schema.String),
  build_date: Schema.NullOr(Schema.String),
  dependencies: Schema.Record({ key: Schema.String, value: DependencyStatus }),
  details: Schema.Struct({ mode: BackendMode, active_connections: Schema.Int, training_active: Schema.Boolean }, Extra)
})
export type Readiness = typeof Readiness.Type

// ---------------------------------------------------------------------------------------------------------------
// Read routes (§3.1, §3.3)
// ---------------------------------------------------------------------------------------------------------------

/** GET /api/status. */
export const CanopyStatus = Schema.Struct(
  {
    is_training: Schema.Boolean,
    is_running: Schema.Boolean,
    is_paused: Schema.Boolean,
    completed: Schema.Boolean,
    failed: Schema.Boolean,
    /** STOPPED | STARTED | PAUSED | COMPLETED | FAILED | … (cascor's `state_machine.status`). */
    fsm_status: Schema.String,
    /** IDLE | OUTPUT | CANDIDATE | INFERENCE. */
    phase: Schema.String,
    current_epoch: Schema.Int,
    hidden_units: Schema.Int,
    network_connected: Schema.Boolean,
    monitoring_active: Schema.Boolean,
    input_size: Schema.Int,
    output_size: Schema.Int,
    learning_rate: NullableNumber,
    max_hidden_units: Schema.Int,
    max_epochs: Schema.Int,
    completion_reason: Schema.NullOr(Schema.String),
    pending_dataset: Schema.NullOr(Extra),
    /** Extensions: backend identity, the FSM's phase detail and the stream health summary. */
    backend: Schema.optional(BackendMode),
    execution: Schema.optional(Execution),
    phase_detail: Schema.optional(Schema.NullOr(Schema.String)),
    stream: Schema.optional(Schema.String),
    error: Schema.optional(Schema.NullOr(Schema.String))
  },
  Extra
)
export type CanopyStatus = typeof CanopyStatus.Type

/** GET /api/train/status: `{"backend","execution",…status}`. */
export const TrainStatus = Schema.Struct({ ...CanopyStatus.fields, backend: BackendMode, execution: Execution }, Extra)
export type TrainStatus = typeof TrainStatus.Type

/** One parameter's UI bounds (§6); enums carry `options`, booleans neither bound. */
export const ParamBound = Schema.Struct({
  min: Schema.optional(Schema.Number),
  max: Schema.optional(Schema.Number),
  default: Schema.Unknown,
  type: Schema.Literal("int", "float", "enum", "bool", "string"),
  options: Schema.optional(Schema.Array(Schema.String)),
  /** The cascor field it maps to ("" when Canopy keeps it itself). */
  cascor_field: Schema.optional(Schema.String),
  read_only: Schema.optional(Schema.Boolean)
})
export type ParamBound = typeof ParamBound.Type

/**
 * GET /api/state: cascor's TrainingState plus the candidate-pool fields, every `nn_*`/`cn_*` key (§6), and when the
 * answer comes from cache (upstream unreachable) `stale:true` with its age. Extension: `param_bounds`.
 */
export const CanopyState = Schema.Struct(
  {
    ...TrainingState.fields,
    best_candidate_id: Schema.optional(Schema.NullOr(Schema.Int)),
    top_candidate_id: Schema.optional(Schema.NullOr(Schema.Int)),
    second_candidate_id: Schema.optional(Schema.NullOr(Schema.Int)),
    all_correlations: Schema.optional(Schema.Array(Schema.Number)),
    candidate_pool_size: Schema.optional(Schema.Int),
    correlation_threshold: Schema.optional(Schema.Number),
    convergence_threshold: Schema.optional(Schema.Number),
    fsm_status: Schema.optional(Schema.String),
    completion_reason: Schema.optional(Schema.NullOr(Schema.String)),
    stale: Schema.optional(Schema.Boolean),
    stale_age_seconds: Schema.optional(Schema.Number),
    param_bounds: Schema.optional(Schema.Record({ key: Schema.String, value: ParamBound }))
  },
  Extra
)
export type CanopyState = typeof CanopyState.Type

/** The three shapes of a metrics entry, in one object (§3.3). */
export const MetricsEntry = Schema.Struct(
  {
    ...MetricsRow.fields,
    metrics: Schema.Struct({ loss: NullableNumber, accuracy: NullableNumber, val_loss: NullableNumber, val_accuracy: NullableNumber }),
    network_topology: Schema.Struct({ input_units: Schema.Int, hidden_units: Schema.Int, output_units: Schema.Int }),
    train_loss: NullableNumber,
    train_accuracy: NullableNumber,
    val_loss: NullableNumber,
    val_accuracy: NullableNumber
  },
  Extra
)
export type MetricsEntry = typeof MetricsEntry.Type

export const MetricsHistoryResponse = Schema.Struct({ history: Schema.Array(MetricsEntry), count: Schema.optional(Schema.Int) })
export type MetricsHistoryResponse = typeof MetricsHistoryResponse.Type

export const StreamState = Schema.Literal("healthy", "degraded", "reconnecting", "n/a")
export type StreamState = typeof StreamState.Type

/** GET /api/stream_health. Extensions: mode, seconds since the last upstream frame, the circuit breaker. */
export const StreamHealth = Schema.Struct({
  overall: StreamState,
  relay: StreamState,
  control: StreamState,
  mode: Schema.optional(BackendMode),
  last_frame_age_seconds: Schema.optional(NullableNumber),
  reconnect_attempts: Schema.optional(Schema.Int),
  circuit: Schema.optional(Schema.Literal("closed", "open", "half_open")),
  /** How commands reach the backend now. */
  control_channel: Schema.optional(Schema.Literal("websocket", "rest", "in-process")),
  message: Schema.optional(Schema.NullOr(Schema.String))
})
export type StreamHealth = typeof StreamHealth.Type

export const TopologyNode = Schema.Struct({
  id: Schema.String,
  type: Schema.Literal("input", "hidden", "output"),
  layer: Schema.Int,
  label: Schema.String,
  /** Extension: the unit's bias (hidden and output units). */
  bias: Schema.optional(Schema.Number),
  activation: Schema.optional(Schema.String)
})
export type TopologyNode = typeof TopologyNode.Type

export const TopologyConnection = Schema.Struct({ from: Schema.String, to: Schema.String, weight: Schema.Number })
export type TopologyConnection = typeof TopologyConnection.Type

/** GET /api/topology. */
export const CanopyTopology = Schema.Struct({
  input_units: Schema.Int,
  hidden_units: Schema.Int,
  output_units: Schema.Int,
  nodes: Schema.Array(TopologyNode),
  connections: Schema.Array(TopologyConnection)
})
export type CanopyTopology = typeof CanopyTopology.Type

export const WeightStatistics = Schema.Struct({
  total_weights: Schema.Int,
  positive_weights: Schema.Int,
  negative_weights: Schema.Int,
  zero_weights: Schema.Int,
  mean: Schema.Number,
  std_dev: Schema.Number,
  variance: Schema.Number,
  skewness: Schema.Number,
  kurtosis: Schema.Number,
  median: Schema.Number,
  mad: Schema.Number,
  iqr: Schema.Number,
  min: Schema.Number,
  max: Schema.Number,
  /** Counts of |z| in [0,1), [1,2), [2,3), ≥3. */
  z_score_distribution: Schema.Record({ key: Schema.String, value: Schema.Int })
})
export type WeightStatistics = typeof WeightStatistics.Type

/** GET /api/network/stats. */
export const NetworkStatsResponse = Schema.Struct(
  {
    threshold_function: Schema.String,
    optimizer: Schema.String,
    total_nodes: Schema.Int,
    total_edges: Schema.Int,
    total_connections: Schema.Int,
    weight_statistics: WeightStatistics,
    /** Extensions. */
    input_units: Schema.optional(Schema.Int),
    hidden_units: Schema.optional(Schema.Int),
    output_units: Schema.optional(Schema.Int),
    growth_iteration: Schema.optional(Schema.Int)
  },
  Extra
)
export type NetworkStatsResponse = typeof NetworkStatsResponse.Type

/** GET /api/dataset: cascor `/v1/dataset` ∪ `/v1/dataset/data`. */
export const DatasetResponse = Schema.Struct(
  {
    loaded: Schema.Boolean,
    generator: Schema.NullOr(Schema.String),
    dataset_id: Schema.NullOr(Schema.String),
    train_samples: Schema.Int,
    test_samples: Schema.Int,
    input_features: Schema.Int,
    output_features: Schema.Int,
    X_train: Schema.NullOr(Matrix),
    y_train: Schema.NullOr(Matrix),
    X_val: Schema.NullOr(Matrix),
    y_val: Schema.NullOr(Matrix),
    /** Extensions. */
    name: Schema.optional(Schema.NullOr(Schema.String)),
    params: Schema.optional(Schema.NullOr(Extra)),
    source: Schema.optional(Schema.NullOr(Extra))
  },
  Extra
)
export type DatasetResponse = typeof DatasetResponse.Type

/** One JuniperData generator (GET /api/dataset/generators). */
export const GeneratorEntry = Schema.Struct({ name: Schema.String, description: Schema.optional(Schema.String), schema: Schema.optional(Extra) }, Extra)
export const GeneratorsResponse = Schema.Struct({
  generators: Schema.Array(GeneratorEntry),
  /** "juniper-data" when proxied, "fallback" when JuniperData is unreachable. */
  source: Schema.Literal("juniper-data", "fallback")
})
export type GeneratorsResponse = typeof GeneratorsResponse.Type

/** GET /api/decision_boundary. */
export const DecisionBoundaryResponse = Schema.Struct({
  xx: Matrix,
  yy: Matrix,
  Z: Matrix,
  x_min: Schema.Number,
  x_max: Schema.Number,
  y_min: Schema.Number,
  y_max: Schema.Number,
  resolution: Schema.Int,
  /** Extension: hidden units of the network that drew it. */
  hidden_units: Schema.optional(Schema.Int)
})
export type DecisionBoundaryResponse = typeof DecisionBoundaryResponse.Type

export const SkippedDetail = Schema.Struct({ key: Schema.String, reason: Schema.String })
export const ClampedDetail = Schema.Struct({ key: Schema.String, requested: Schema.Unknown, applied: Schema.Unknown })

/** POST /api/set_params. Extension: `clamped` (values moved into the §6 bounds). */
export const SetParamsResponse = Schema.Struct({
  status: Schema.Literal("success", "partial"),
  state: Extra,
  applied: Schema.Array(Schema.String),
  skipped: Schema.Array(Schema.String),
  skipped_detail: Schema.Array(SkippedDetail),
  clamped: Schema.Array(ClampedDetail)
})
export type SetParamsResponse = typeof SetParamsResponse.Type

/** POST /api/stage_dataset body (S tier): the dataset for the next (re)start. */
export const StageDatasetBody = Schema.Struct(
  {
    nn_dataset_type: Schema.String,
    nn_dataset_elements: Schema.optional(Schema.Number),
    nn_dataset_noise: Schema.optional(Schema.Number),
    nn_spiral_rotations: Schema.optional(Schema.Number),
    nn_spiral_number: Schema.optional(Schema.Number),
    /** The generator's own parameters (its JuniperData JSON Schema); they win over the nn_* shortcuts. */
    nn_dataset_params: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  },
  Extra
)
export type StageDatasetBody = typeof StageDatasetBody.Type

/** A staged dataset: what was asked, and the generator request it becomes. */
export const PendingDataset = Schema.Struct(
  {
    nn_dataset_type: Schema.String,
    generator: Schema.String,
    params: Extra,
    staged_at: Schema.Number
  },
  Extra
)
export type PendingDataset = typeof PendingDataset.Type

export const StageDatasetResponse = Schema.Struct({ status: Schema.Literal("staged"), pending_dataset: PendingDataset })
export const CancelPendingResponse = Schema.Struct({ status: Schema.Literal("cancelled", "nothing_pending"), cancelled: Schema.Boolean })

/** POST /api/train/restart body (S tier). */
export const RestartBody = Schema.Struct({ start_fresh: Schema.optional(Schema.Boolean), reset: Schema.optional(Schema.Boolean) })
export const RestartStep = Schema.Struct({ step: Schema.String, ok: Schema.Boolean, detail: Schema.NullOr(Schema.String) })
export const RestartResponse = Schema.Struct({
  success: Schema.Boolean,
  steps: Schema.Array(RestartStep),
  was_active: Schema.Boolean,
  start_fresh: Schema.Boolean,
  instant_complete: Schema.Boolean,
  status: Schema.Literal("restarted", "failed"),
  /** Extension: the dataset the restart loaded (the staged one), if any. */
  dataset: Schema.optional(Schema.NullOr(PendingDataset))
})
export type RestartResponse = typeof RestartResponse.Type

/** GET /api/statistics (S tier): the WebSocket relay's counters. */
export const RelayStatistics = Schema.Struct({
  active_connections: Schema.Int,
  total_broadcasts: Schema.Int,
  total_bytes: Schema.Number,
  current_seq: Schema.Int,
  replay_buffer_capacity: Schema.Int,
  replay_buffer_occupancy: Schema.Int,
  server_instance_id: Schema.String,
  server_start_time: Schema.Number,
  stream: StreamHealth
})
export type RelayStatistics = typeof RelayStatistics.Type

export const CsrfResponse = Schema.Struct({ csrf_token: Schema.String, enabled: Schema.Boolean, expires_in: Schema.optional(Schema.Number) })
export type CsrfResponse = typeof CsrfResponse.Type

export const SnapshotListResponse = Schema.Struct({
  snapshots: Schema.Array(Schema.Struct({ ...SnapshotMeta.fields, demo: Schema.optional(Schema.Boolean) }, Extra)),
  total: Schema.Int,
  limit: Schema.Int,
  offset: Schema.Int
})
export type SnapshotListResponse = typeof SnapshotListResponse.Type
export const SnapshotDetail = Schema.Struct({ ...SnapshotMeta.fields, meta_params: Schema.optional(Schema.NullOr(Extra)) }, Extra)
export type SnapshotDetail = typeof SnapshotDetail.Type
export const SnapshotRestoreResponse = Schema.Struct({ snapshot_id: Schema.String, status: Schema.Literal("restored"), fsm_state: Schema.optional(Schema.String) }, Extra)
export type SnapshotRestoreResponse = typeof SnapshotRestoreResponse.Type

export const WorkerListResponse = Schema.Struct({ workers: Schema.Array(Worker), count: Schema.Int, demo: Schema.optional(Schema.Boolean) })
export type WorkerListResponse = typeof WorkerListResponse.Type
export const WorkerStatsResponse = Schema.Struct({ ...WorkerStats.fields, demo: Schema.optional(Schema.Boolean) })
export type WorkerStatsResponse = typeof WorkerStatsResponse.Type

// ---------------------------------------------------------------------------------------------------------------
// /ws/training (§4.1)
// ---------------------------------------------------------------------------------------------------------------

/** `event` frame data: cascor's `{event}` ∪ demo's `{event_type, details}` (§9). */
export const CanopyEventName = Schema.Literal(
  "training_complete", "training_failed", "training_started", "training_stopped", "status_change", "cascade_add"
)
export type CanopyEventName = typeof CanopyEventName.Type
export const CanopyEventData = Schema.Struct({ event: CanopyEventName, event_type: CanopyEventName, details: Extra }, Extra)
export type CanopyEventData = typeof CanopyEventData.Type

export const ControlAckData = Schema.Struct({ command: Schema.String, success: Schema.Boolean, message: Schema.String })
export const ParamsUpdatedData = Schema.Struct({ params: Extra, applied: Schema.Array(Schema.String), skipped: Schema.Array(Schema.String) })

export const ConnectionEstablishedData = Schema.Struct(
  {
    server_instance_id: Schema.String,
    connections: Schema.Int,
    replay_buffer_capacity: Schema.Int,
    /** Extensions: the seq of the last broadcast, the backend mode, how long a `resume` is awaited before a fresh connect. */
    current_seq: Schema.optional(Schema.Int),
    mode: Schema.optional(BackendMode),
    resume_window_ms: Schema.optional(Schema.Int)
  },
  Extra
)
export const InitialMetricsData = Schema.Struct({ metrics: Schema.Array(MetricsEntry), count: Schema.Int, current_seq: Schema.Int })
export type InitialMetricsData = typeof InitialMetricsData.Type

/**
 * Server → browser frame types. Broadcasts carry Canopy's own `seq` and `server_instance_id`; personal frames
 * (connection_established, initial_status, initial_metrics on connect, resume_ok, resume_failed, ping) do not.
 * Canopy also broadcasts `initial_metrics` (with `seq`) when the upstream history was replaced (cascor restarted).
 */
export const TrainingFrameType = Schema.Literal(
  "connection_established", "initial_status", "state", "initial_metrics", "metrics", "topology", "cascade_add",
  "candidate_progress", "event", "control_ack", "params_updated", "resume_ok", "resume_failed", "chunked_message", "ping",
  "pong", "server_shutdown"
)
export type TrainingFrameType = typeof TrainingFrameType.Type

/** The envelope of every frame; readers dispatch on `type` and decode `data` with the schema of that type. */
export const TrainingFrame = Schema.Struct({
  type: Schema.String,
  timestamp: Schema.optional(Schema.Number),
  data: Schema.optional(Schema.Unknown),
  seq: Schema.optional(Schema.Int),
  server_instance_id: Schema.optional(Schema.String),
  ts: Schema.optional(Schema.Number)
})
export type TrainingFrame = typeof TrainingFrame.Type

/** `data` schema per frame type, for typed readers. */
export const TrainingFrameData = {
  connection_established: ConnectionEstablishedData,
  initial_status: CanopyStatus,
  state: Schema.Struct({ ...StateFrameData.fields, top_candidate_id: Schema.optional(Schema.NullOr(Schema.Int)) }, Extra),
  initial_metrics: InitialMetricsData,
  metrics: MetricsEntry,
  topology: Topology,
  cascade_add: CascadeAddData,
  candidate_progress: CandidateProgressData,
  event: CanopyEventData,
  control_ack: ControlAckData,
  params_updated: ParamsUpdatedData,
  resume_ok: Schema.Struct({ replayed_count: Schema.Int }),
  resume_failed: Schema.Struct({ reason: Schema.Literal("malformed_resume", "server_restarted", "out_of_range") }),
  chunked_message: ChunkedMessageData,
  server_shutdown: Schema.Struct({})
} as const

/** Browser → server on /ws/training. */
export const TrainingClientMessage = Schema.Union(
  Schema.Struct({ type: Schema.Literal("ping") }),
  Schema.Struct({ type: Schema.Literal("pong") }),
  Schema.Struct({ type: Schema.Literal("resume"), data: Schema.Struct({ last_seq: Schema.Int, server_instance_id: Schema.String }) }),
  Schema.Struct({ type: Schema.Literal("subscribe_metrics"), data: Schema.optional(Schema.Struct({ max_count: Schema.optional(Schema.Number) })) })
)
export type TrainingClientMessage = typeof TrainingClientMessage.Type

// ---------------------------------------------------------------------------------------------------------------
// /ws/control (§4.2)
// ---------------------------------------------------------------------------------------------------------------

export const ControlCommandName = Schema.Literal("start", "stop", "pause", "resume", "reset", "set_params")
export type ControlCommandName = typeof ControlCommandName.Type

/** First frame: `{"type":"auth","csrf_token"}` within 5 s. */
export const ControlAuthMessage = Schema.Struct({ type: Schema.Literal("auth"), csrf_token: Schema.String })

/** A command (`type:"command"` optional). */
export const ControlCommandMessage = Schema.Struct({
  type: Schema.optional(Schema.Literal("command")),
  command: Schema.String,
  command_id: Schema.optional(Schema.String),
  params: Schema.optional(Schema.Unknown),
  reset: Schema.optional(Schema.Boolean)
})
export type ControlCommandMessage = typeof ControlCommandMessage.Type

export const ControlResponseCode = Schema.Literal("unknown_command", "command_failed", "invalid_params", "invalid_message", "timeout", "frame_too_large")
export type ControlResponseCode = typeof ControlResponseCode.Type

export const CommandResponseData = Schema.Struct({
  command: Schema.NullOr(Schema.String),
  status: Schema.Literal("success", "error"),
  command_id: Schema.optional(Schema.NullOr(Schema.String)),
  result: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.String),
  code: Schema.optional(ControlResponseCode)
})
export type CommandResponseData = typeof CommandResponseData.Type

/** Top-level `ok`, `command`, `state` and `error` duplicate `data` for legacy readers. */
export const CommandResponseFrame = Schema.Struct({
  type: Schema.Literal("command_response"),
  timestamp: Schema.Number,
  data: CommandResponseData,
  ok: Schema.Boolean,
  command: Schema.NullOr(Schema.String),
  command_id: Schema.optional(Schema.NullOr(Schema.String)),
  state: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.String)
})
export type CommandResponseFrame = typeof CommandResponseFrame.Type

/** Close codes Canopy uses on its sockets. */
export const CanopyCloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  policyViolation: 1008,
  messageTooBig: 1009,
  tryAgainLater: 1013,
  authFailed: 4001,
  originRejected: 4003
} as const

/** Limits the browser client can rely on. */
export const WS_LIMITS = {
  replayBufferCapacity: 1024,
  chunkThresholdBytes: 60_000,
  chunkPayloadBytes: 32_000,
  initialMetricsCount: 100,
  maxInboundTrainingBytes: 4096,
  maxInboundControlBytes: 65_536
} as const
