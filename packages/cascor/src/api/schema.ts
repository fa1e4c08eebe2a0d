/**
 * The JuniperCascor wire contract (shared/reference/cascor-api.md) as Effect Schemas: every REST request and response
 * payload, the `{status, data, meta}` success envelope, the error envelope, and the WebSocket frames of `/ws/training`
 * and `/ws/control`. The server, the HttpApi definition (./http-api.ts), the RPC group, the clients and the fakes all
 * derive from this one module.
 *
 * Compatibility rules: every object may carry additive keys (decoding ignores unknown keys, except in TrainingParams
 * which is `extra="forbid"` as upstream); numbers that may be non-finite are `NullOr(Number)` (JSON has no NaN, the
 * server emits `null`). Fields marked "extension" are ours, not upstream's.
 *
 * Stability: this module is public API. Changes are additive only.
 */
import { Schema } from "effect"

// ---------------------------------------------------------------------------------------------------------------
// Primitives and constants
// ---------------------------------------------------------------------------------------------------------------

/** `meta.version` of every envelope: the upstream API version this service speaks. */
export const API_VERSION = "0.4.0"
export const SERVICE_NAME = "juniper-cascor"

/** A number that the server emits as `null` when it is not finite. */
export const NullableNumber = Schema.NullOr(Schema.Number)
const FiniteNumber = Schema.Number.pipe(Schema.finite())
const PositiveNumber = FiniteNumber.pipe(Schema.positive())
const NonNegativeNumber = FiniteNumber.pipe(Schema.nonNegative())
const IntAtLeast = (min: number) => Schema.Int.pipe(Schema.greaterThanOrEqualTo(min))

/** FSM status (`state_machine.status`; §4.5). Clients compare case-insensitively. */
export const FsmStatus = Schema.Literal("STOPPED", "STARTED", "PAUSED", "COMPLETED", "FAILED", "INVESTIGATING", "REPLAYING", "RESUME_READY")
export type FsmStatus = typeof FsmStatus.Type
/** FSM phase (§5). */
export const FsmPhase = Schema.Literal("IDLE", "OUTPUT", "CANDIDATE", "INFERENCE")
export type FsmPhase = typeof FsmPhase.Type
/** `training_state.status` spelling (§4.5). */
export const TrainingStateStatus = Schema.Literal("Started", "Stopped", "Paused", "Completed", "Failed")
export type TrainingStateStatus = typeof TrainingStateStatus.Type

/** `completion_reason` values (§5) plus the limits that share the field. */
export const CompletionReason = Schema.String
export const COMPLETION_REASONS = [
  "residual_collapsed",
  "no_candidate",
  "below_threshold",
  "early_stopped",
  "max_iterations",
  "candidate_training_failed",
  "max_hidden_units",
  "target_accuracy"
] as const

/** Growth algorithm (extension): Fahlman's faithful Cascade-Correlation, or upstream's PyTorch-style variant. */
export const AlgorithmName = Schema.Literal("fahlman", "upstream")
export type AlgorithmName = typeof AlgorithmName.Type

export const OptimizerType = Schema.Literal(
  "Adam", "AdamW", "SGD", "RMSprop", "NAdam", "RAdam", "Adamax", "Adagrad", "Adadelta", "Adafactor", "ASGD", "LBFGS", "Rprop", "Muon"
)
export type OptimizerType = typeof OptimizerType.Type

/**
 * Hidden-unit activation (§3.1's list). The engine implements Tanh, Sigmoid and (extensions) SymmetricSigmoid and
 * Gaussian; the other contract names are accepted by the schema and refused with a 422 naming the field.
 */
export const ActivationFunctionName = Schema.Literal(
  "Identity", "Tanh", "Sigmoid", "ReLU", "LeakyReLU", "ELU", "SELU", "GELU", "Softmax", "Softplus", "Hardtanh", "Softshrink", "Tanhshrink",
  "SymmetricSigmoid", "Gaussian"
)
export type ActivationFunctionName = typeof ActivationFunctionName.Type

export const InitOutputWeights = Schema.Literal("zero", "random")
export const CandidateSelection = Schema.Literal("top", "random", "mixed")

// ---------------------------------------------------------------------------------------------------------------
// Envelopes (§1.1, §1.2)
// ---------------------------------------------------------------------------------------------------------------

export const Meta = Schema.Struct({
  /** Unix seconds (float). */
  timestamp: Schema.Number,
  version: Schema.String
})
export type Meta = typeof Meta.Type

/** `{"status":"success","data":<payload>,"meta":{…}}`. */
export const Envelope = <A, I, R>(data: Schema.Schema<A, I, R>) =>
  Schema.Struct({ status: Schema.Literal("success"), data, meta: Meta })
export type Envelope<A> = { readonly status: "success"; readonly data: A; readonly meta: Meta }

/** A FastAPI validation issue (422's top-level `detail` list). */
export const ValidationIssue = Schema.Struct({
  type: Schema.String,
  loc: Schema.Array(Schema.Union(Schema.String, Schema.Number)),
  msg: Schema.String,
  input: Schema.Unknown
})
export type ValidationIssue = typeof ValidationIssue.Type

/** Machine-readable error codes (upstream pins VALIDATION_ERROR and INTERNAL_ERROR; the others are ours). */
export const ErrorCode = Schema.Literal(
  "VALIDATION_ERROR", "UNAUTHORIZED", "FORBIDDEN", "NOT_FOUND", "METHOD_NOT_ALLOWED", "CONFLICT", "PAYLOAD_TOO_LARGE",
  "RATE_LIMITED", "INTERNAL_ERROR", "SERVICE_UNAVAILABLE"
)
export type ErrorCode = typeof ErrorCode.Type

export const ErrorBody = Schema.Struct({
  code: Schema.String,
  message: Schema.String,
  detail: Schema.NullOr(Schema.String)
})
export type ErrorBody = typeof ErrorBody.Type

/** The fields of the error envelope: `{"status":"error","error":{code,message,detail},"detail","meta"}`. */
export const ErrorEnvelopeFields = {
  status: Schema.Literal("error"),
  error: ErrorBody,
  /** The message again (FastAPI readers), or for 422 the FastAPI issue list. */
  detail: Schema.Union(Schema.String, Schema.Array(ValidationIssue)),
  meta: Meta
}
export const ErrorEnvelope = Schema.Struct(ErrorEnvelopeFields)
export type ErrorEnvelope = typeof ErrorEnvelope.Type

// ---------------------------------------------------------------------------------------------------------------
// Requests (§3)
// ---------------------------------------------------------------------------------------------------------------

/** The hyper-parameters shared by NetworkCreateRequest and TrainingParams (§3.1 / §3.3), all optional. */
const hyperParameterFields = {
  learning_rate: Schema.optional(PositiveNumber),
  candidate_learning_rate: Schema.optional(PositiveNumber),
  max_hidden_units: Schema.optional(IntAtLeast(0)),
  candidate_pool_size: Schema.optional(IntAtLeast(1)),
  correlation_threshold: Schema.optional(PositiveNumber.pipe(Schema.lessThanOrEqualTo(1))),
  patience: Schema.optional(IntAtLeast(1)),
  candidate_patience: Schema.optional(IntAtLeast(1)),
  candidate_epochs: Schema.optional(IntAtLeast(1)),
  output_epochs: Schema.optional(IntAtLeast(1)),
  max_iterations: Schema.optional(IntAtLeast(1)),
  convergence_threshold: Schema.optional(NonNegativeNumber),
  candidate_convergence_threshold: Schema.optional(NonNegativeNumber),
  init_output_weights: Schema.optional(InitOutputWeights),
  optimizer_type: Schema.optional(OptimizerType),
  activation_function_name: Schema.optional(ActivationFunctionName),
  multi_candidate: Schema.optional(Schema.Boolean),
  candidate_selection: Schema.optional(CandidateSelection),
  selected_candidates: Schema.optional(IntAtLeast(1)),
  top_candidates: Schema.optional(IntAtLeast(0)),
  random_candidates: Schema.optional(IntAtLeast(0)),
  auto_snap_best: Schema.optional(Schema.Boolean),
  /** Derived and read-only: accepted (≥ 1) and never applied. */
  epochs_max: Schema.optional(IntAtLeast(1))
}

/** POST /v1/network (§3.1). Every field optional; unknown keys are ignored. */
export const NetworkCreateRequest = Schema.Struct({
  input_size: Schema.optional(IntAtLeast(1)),
  output_size: Schema.optional(IntAtLeast(1)),
  ...hyperParameterFields,
  random_seed: Schema.optional(Schema.Int.pipe(Schema.between(0, Number.MAX_SAFE_INTEGER))),
  /** Extension: the growth algorithm (default "fahlman"). */
  algorithm: Schema.optional(AlgorithmName),
  /**
   * Extension: raw engine parameters (packages/cascor/src/engine/params.ts `CascorParams`, camelCase) applied after
   * the mapping of the contract fields, e.g. `{"outputEpsilon":1,"inputEpsilon":100}`. Validated by the engine.
   */
  engine_params: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})
export type NetworkCreateRequest = typeof NetworkCreateRequest.Type

/** PATCH /v1/training/params (§3.3): every field optional, unknown keys → 422 (`extra="forbid"`). */
export const TrainingParams = Schema.Struct(hyperParameterFields).annotations({
  identifier: "TrainingParams",
  parseOptions: { onExcessProperty: "error" }
})
export type TrainingParams = typeof TrainingParams.Type

/** `dataset` of TrainingStartRequest (§3.2). */
export const DatasetRequest = Schema.Struct({
  source: Schema.optional(Schema.String),
  url: Schema.optional(Schema.String),
  generator: Schema.optional(Schema.String),
  params: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  /** Extension: load an existing JuniperData dataset by id. */
  dataset_id: Schema.optional(Schema.String)
})
export type DatasetRequest = typeof DatasetRequest.Type

const InlineRows = Schema.Array(Schema.Array(FiniteNumber).pipe(Schema.minItems(1))).pipe(Schema.maxItems(100))

/** `inline_data` (§3.2): at most 100 train and 100 val rows, finite numbers, 2-D `train_y`. */
export const InlineData = Schema.Struct({
  train_x: InlineRows.pipe(Schema.minItems(1)),
  train_y: InlineRows.pipe(Schema.minItems(1)),
  val_x: Schema.optional(Schema.NullOr(InlineRows)),
  val_y: Schema.optional(Schema.NullOr(InlineRows))
})
export type InlineData = typeof InlineData.Type

/** POST /v1/training/start (§3.2); the body is optional (an empty body is `null`). */
export const TrainingStartRequest = Schema.Struct({
  /** Deprecated shorthand; does not change the derived epochs_max. */
  epochs: Schema.optional(Schema.Int),
  dataset: Schema.optional(Schema.NullOr(DatasetRequest)),
  inline_data: Schema.optional(Schema.NullOr(InlineData)),
  params: Schema.optional(Schema.NullOr(TrainingParams)),
  start_fresh: Schema.optional(Schema.Boolean)
})
export type TrainingStartRequest = typeof TrainingStartRequest.Type

/** POST /v1/snapshots body (optional). */
export const SnapshotCreateRequest = Schema.Struct({
  description: Schema.optional(Schema.String.pipe(Schema.maxLength(1000)))
})
export type SnapshotCreateRequest = typeof SnapshotCreateRequest.Type

/** `^[A-Za-z0-9_-]{1,128}$` (P3/P4; anything else is a 400). */
export const SNAPSHOT_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/

export const MetricsHistoryUrlParams = Schema.Struct({
  count: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.greaterThanOrEqualTo(1)))
})
export const DecisionBoundaryUrlParams = Schema.Struct({
  resolution: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(5, 512)))
})
export const SnapshotListUrlParams = Schema.Struct({
  limit: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.between(1, 10_000))),
  offset: Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.greaterThanOrEqualTo(0)))
})

// ---------------------------------------------------------------------------------------------------------------
// Responses (§4)
// ---------------------------------------------------------------------------------------------------------------

/** The live hyper-parameter set under §3.1's names (network info, T7, PATCH result). */
export const HyperParameters = Schema.Struct({
  learning_rate: Schema.Number,
  candidate_learning_rate: Schema.Number,
  max_hidden_units: Schema.Int,
  candidate_pool_size: Schema.Int,
  correlation_threshold: Schema.Number,
  patience: Schema.Int,
  candidate_patience: Schema.Int,
  candidate_epochs: Schema.Int,
  output_epochs: Schema.Int,
  max_iterations: Schema.Int,
  convergence_threshold: Schema.Number,
  candidate_convergence_threshold: Schema.Number,
  init_output_weights: InitOutputWeights,
  optimizer_type: Schema.String,
  activation_function_name: Schema.String,
  random_seed: Schema.Number,
  multi_candidate: Schema.Boolean,
  candidate_selection: CandidateSelection,
  selected_candidates: Schema.Int,
  top_candidates: Schema.Int,
  random_candidates: Schema.Int,
  auto_snap_best: Schema.Boolean,
  /** Derived: output_epochs + min(max_iterations, max_hidden_units) × (candidate_epochs + output_epochs). */
  epochs_max: Schema.Int,
  /** Extension. */
  algorithm: AlgorithmName
})
export type HyperParameters = typeof HyperParameters.Type

/** §4.1 network info. */
export const NetworkInfo = Schema.Struct({
  input_size: Schema.Int,
  output_size: Schema.Int,
  hidden_units: Schema.Int,
  uuid: Schema.String,
  ...HyperParameters.fields,
  /** Extension: the engine parameters in effect (camelCase, engine/params.ts). */
  engine_params: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  /** Extension: the kernels backend in use ("ts" | "cpu" | "cuda"). */
  backend: Schema.optional(Schema.String),
  /** Extension: trained or not. */
  trained: Schema.optional(Schema.Boolean)
})
export type NetworkInfo = typeof NetworkInfo.Type

export const DeleteNetworkResult = Schema.Struct({ deleted: Schema.Literal(true) })

export const TopologyHiddenUnit = Schema.Struct({
  id: Schema.Int,
  /** I + id weights: inputs first, then earlier hidden units (the bias is separate). */
  weights: Schema.Array(Schema.Number),
  bias: Schema.Number,
  activation: Schema.String
})
export type TopologyHiddenUnit = typeof TopologyHiddenUnit.Type

/** §4.2 topology. */
export const Topology = Schema.Struct({
  input_size: Schema.Int,
  output_size: Schema.Int,
  hidden_units: Schema.Array(TopologyHiddenUnit),
  /** (I+H)×O: rows are the inputs, then the hidden units. */
  output_weights: Schema.Array(Schema.Array(Schema.Number)),
  output_bias: Schema.Array(Schema.Number),
  /** Extension: the output units' activation ("Linear", "SymmetricSigmoid", …). */
  output_activation: Schema.optional(Schema.String)
})
export type Topology = typeof Topology.Type

/** §4.3 stats. */
export const NetworkStats = Schema.Struct({
  total_hidden_units: Schema.Int,
  output_weight_mean: NullableNumber,
  output_weight_std: NullableNumber,
  output_weight_min: NullableNumber,
  output_weight_max: NullableNumber,
  input_size: Schema.Int,
  output_size: Schema.Int,
  total_parameters: Schema.Int,
  output_layer_parameters: Schema.Int,
  hidden_layer_parameters: Schema.Int,
  hidden_weight_mean: NullableNumber,
  hidden_weight_std: NullableNumber,
  /** Per hidden unit: id, fan-in (bias included), weight norm. */
  layers: Schema.Array(Schema.Struct({ id: Schema.Int, fan_in: Schema.Int, weight_norm: NullableNumber }))
})
export type NetworkStats = typeof NetworkStats.Type

export const MetricsKind = Schema.Literal("training_step", "output_epoch")

/** §4.4 metrics row. */
export const MetricsRow = Schema.Struct({
  /** The training step (initial output pass + one per growth iteration), as `current_epoch` in the status. */
  epoch: Schema.Int,
  /** ISO 8601. */
  timestamp: Schema.String,
  loss: NullableNumber,
  accuracy: NullableNumber,
  learning_rate: NullableNumber,
  hidden_units: Schema.Int,
  phase: Schema.String,
  validation_loss: NullableNumber,
  validation_accuracy: NullableNumber,
  kind: MetricsKind,
  f1: NullableNumber,
  precision: NullableNumber,
  recall: NullableNumber,
  roc_auc: NullableNumber,
  /** Extension: the engine's global epoch count (Fahlman's accounting, inner epochs). */
  engine_epoch: Schema.optional(Schema.Int)
})
export type MetricsRow = typeof MetricsRow.Type

export const EvalMetrics = Schema.Struct({
  enabled: Schema.Boolean,
  average: Schema.NullOr(Schema.Literal("binary", "macro")),
  split: Schema.NullOr(Schema.Literal("validation", "train")),
  n_samples: Schema.Int,
  n_classes: Schema.Int,
  undefined: Schema.NullOr(Schema.Literal("empty_batch", "single_class", "invalid_output"))
})
export type EvalMetrics = typeof EvalMetrics.Type

/** M1: the latest row plus `eval_metrics`. */
export const MetricsResponse = Schema.Struct({ ...MetricsRow.fields, eval_metrics: EvalMetrics })
export type MetricsResponse = typeof MetricsResponse.Type

export const MetricsHistory = Schema.Struct({ metrics: Schema.Array(MetricsRow) })
export type MetricsHistory = typeof MetricsHistory.Type

/** M3: the history is set aside (one level of undo) and emptied. */
export const MetricsClearResult = Schema.Struct({ status: Schema.Literal("cleared"), cleared_count: Schema.Int, undo_available: Schema.Literal(true) })
export type MetricsClearResult = typeof MetricsClearResult.Type

/** M4: the rows set aside by the last clear come back in front of the rows recorded since. */
export const MetricsUndoResult = Schema.Struct({ status: Schema.Literal("restored"), restored_count: Schema.Int, undo_available: Schema.Literal(false) })
export type MetricsUndoResult = typeof MetricsUndoResult.Type

const Counts = Schema.Record({ key: Schema.String, value: Schema.Int })

/** M5: the default run's /ws/training broadcast counters since start, the open WebSockets and the replay ring. */
export const TransportMetrics = Schema.Struct({
  server_instance_id: Schema.String,
  current_seq: Schema.Int,
  messages_by_type: Counts,
  bytes_by_type: Counts,
  total_messages: Schema.Int,
  total_bytes: Schema.Int,
  /** Admitted WebSockets by endpoint (`training`, `control`) and in all. */
  connections: Schema.Struct({ training: Schema.Int, control: Schema.Int, total: Schema.Int }),
  /** Live subscribers of the default run's broadcast (WebSocket clients past their greeting, RPC streams). */
  subscribers: Schema.Int,
  /** Droppable frames (metrics, progress) shed by full client buffers, over the open connections. */
  dropped_frames: Schema.Int,
  replay_buffer: Schema.Struct({ occupancy: Schema.Int, capacity: Schema.Int })
})
export type TransportMetrics = typeof TransportMetrics.Type

export const StateMachine = Schema.Struct({
  status: FsmStatus,
  phase: FsmPhase,
  paused_phase: Schema.NullOr(FsmPhase),
  has_candidate_state: Schema.Boolean
})
export type StateMachine = typeof StateMachine.Type

export const Monitor = Schema.Struct({
  is_training: Schema.Boolean,
  current_epoch: Schema.Int,
  current_hidden_units: Schema.Int,
  current_phase: FsmPhase,
  total_metrics: Schema.Int
})
export type Monitor = typeof Monitor.Type

/** `training_state` (§4.5), also the `data` of WS `state` frames (plus the selection fields). */
export const TrainingState = Schema.Struct({
  status: TrainingStateStatus,
  phase: FsmPhase,
  learning_rate: NullableNumber,
  max_hidden_units: Schema.Int,
  max_epochs: Schema.Int,
  current_epoch: Schema.Int,
  current_step: Schema.Int,
  network_name: Schema.String,
  dataset_name: Schema.NullOr(Schema.String),
  threshold_function: Schema.String,
  optimizer_name: Schema.String,
  timestamp: Schema.Number,
  phase_detail: Schema.NullOr(Schema.Literal("training_output", "training_candidates", "adding_candidate")),
  grow_iteration: Schema.Int,
  grow_max: Schema.Int,
  best_correlation: NullableNumber,
  candidates_trained: Schema.Int,
  candidates_total: Schema.Int,
  phase_started_at: Schema.NullOr(Schema.Number),
  candidate_epoch: Schema.Int,
  candidate_total_epochs: Schema.Int,
  output_epoch: Schema.Int,
  output_total_epochs: Schema.Int,
  max_iterations: Schema.Int
})
export type TrainingState = typeof TrainingState.Type

/** Selection fields added to `state` frames (§6.3). */
export const SelectionFields = Schema.Struct({
  best_candidate_id: Schema.NullOr(Schema.Int),
  second_candidate_id: Schema.NullOr(Schema.Int),
  all_correlations: Schema.Array(Schema.Number),
  candidate_pool_size: Schema.Int,
  correlation_threshold: Schema.Number,
  convergence_threshold: Schema.Number
})

/** `data` of a WS `state` frame. */
export const StateFrameData = Schema.Struct({ ...TrainingState.fields, ...SelectionFields.fields })
export type StateFrameData = typeof StateFrameData.Type

/** §4.5 training status (T6; also `initial_status`). */
export const TrainingStatus = Schema.Struct({
  state_machine: StateMachine,
  monitor: Monitor,
  training_state: TrainingState,
  network_loaded: Schema.Boolean,
  training_active: Schema.Boolean,
  completion_reason: Schema.NullOr(Schema.String),
  metrics_clear_undo_available: Schema.Boolean,
  snapshot_seq: Schema.Int,
  server_instance_id: Schema.String,
  is_training: Schema.Boolean,
  current_epoch: Schema.Int,
  /** Extension: the kernels backend and the algorithm of the current network. */
  backend: Schema.optional(Schema.String),
  algorithm: Schema.optional(Schema.NullOr(AlgorithmName)),
  /** Extension: the failure message of a FAILED run. */
  error: Schema.optional(Schema.NullOr(Schema.String))
})
export type TrainingStatus = typeof TrainingStatus.Type

export const StartResult = Schema.Struct({ status: Schema.Literal("training_started"), timestamp: Schema.Number })
export const StopResult = Schema.Struct({ status: Schema.Literal("stop_requested"), stopped: Schema.Literal(true), epoch: Schema.Int })
export const PauseResult = Schema.Struct({ status: Schema.Literal("paused") })
export const ResumeResult = Schema.Struct({ status: Schema.Literal("resumed") })
export const ResetResult = Schema.Struct({ status: Schema.Literal("reset") })
export type StartResult = typeof StartResult.Type
export type StopResult = typeof StopResult.Type
export type PauseResult = typeof PauseResult.Type
export type ResumeResult = typeof ResumeResult.Type
export type ResetResult = typeof ResetResult.Type

export const SkippedParam = Schema.Struct({ key: Schema.String, reason: Schema.String })
export type SkippedParam = typeof SkippedParam.Type

/** T8 result: the merged params plus what was applied and what was skipped (with a reason). */
export const ParamsUpdateResult = Schema.Struct({
  ...HyperParameters.fields,
  applied: Schema.Array(Schema.String),
  skipped: Schema.Array(SkippedParam)
})
export type ParamsUpdateResult = typeof ParamsUpdateResult.Type

export const DatasetSource = Schema.Struct({
  /** "juniper-data" | "inline" | "builtin" | "snapshot". */
  type: Schema.String,
  generator: Schema.optional(Schema.NullOr(Schema.String)),
  params: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  dataset_id: Schema.optional(Schema.NullOr(Schema.String)),
  url: Schema.optional(Schema.NullOr(Schema.String)),
  /** How targets were mapped for the output units ("none", "shift_half", "scale_tanh"). */
  target_transform: Schema.optional(Schema.String)
})
export type DatasetSource = typeof DatasetSource.Type

/** D1. */
export const DatasetInfo = Schema.Struct({
  loaded: Schema.Boolean,
  train_samples: Schema.Int,
  test_samples: Schema.Int,
  input_features: Schema.Int,
  output_features: Schema.Int,
  source: Schema.NullOr(DatasetSource)
})
export type DatasetInfo = typeof DatasetInfo.Type

const Matrix = Schema.Array(Schema.Array(Schema.Number))

/** D2: the arrays as loaded (targets as given, before any transform for the output units). */
export const DatasetData = Schema.Struct({
  X_train: Matrix,
  y_train: Matrix,
  X_val: Schema.NullOr(Matrix),
  y_val: Schema.NullOr(Matrix)
})
export type DatasetData = typeof DatasetData.Type

/** §4.6 decision boundary. */
export const DecisionBoundary = Schema.Struct({
  x_range: Schema.Tuple(Schema.Number, Schema.Number),
  y_range: Schema.Tuple(Schema.Number, Schema.Number),
  resolution: Schema.Int,
  grid_x: Matrix,
  grid_y: Matrix,
  predictions: Schema.Array(Schema.Array(Schema.Int))
})
export type DecisionBoundary = typeof DecisionBoundary.Type

/** §4.7 snapshot metadata. */
export const SnapshotMeta = Schema.Struct({
  snapshot_id: Schema.String,
  path: Schema.String,
  created_at: Schema.String,
  description: Schema.String,
  network: Schema.Struct({ input_size: Schema.Int, output_size: Schema.Int, hidden_units: Schema.Int }),
  kind: Schema.Literal("manual", "auto"),
  /** Extensions. */
  format: Schema.optional(Schema.String),
  format_version: Schema.optional(Schema.Int),
  size_bytes: Schema.optional(Schema.Int),
  algorithm: Schema.optional(AlgorithmName),
  fsm_state: Schema.optional(FsmStatus),
  current_epoch: Schema.optional(Schema.Int),
  engine_epoch: Schema.optional(Schema.Int)
})
export type SnapshotMeta = typeof SnapshotMeta.Type

export const SnapshotList = Schema.Struct({ snapshots: Schema.Array(SnapshotMeta), total: Schema.Int })
export type SnapshotList = typeof SnapshotList.Type

export const SnapshotRestoreResult = Schema.Struct({
  snapshot_id: Schema.String,
  operation: Schema.Literal("restore"),
  fsm_state: FsmStatus,
  time_index: Schema.Struct({
    snapshot_window: Schema.Struct({ current_epoch: Schema.Int, engine_epoch: Schema.Int, hidden_units: Schema.Int })
  }),
  training_params: HyperParameters,
  status: Schema.Literal("restored")
})
export type SnapshotRestoreResult = typeof SnapshotRestoreResult.Type

export const SnapshotDeleteResult = Schema.Struct({ snapshot_id: Schema.String, deleted: Schema.Literal(true) })
export type SnapshotDeleteResult = typeof SnapshotDeleteResult.Type

/** R1 `POST /v1/snapshots/{id}/retrain`: the snapshot's network, history and counters cleared; FSM → STOPPED. */
export const SnapshotRetrainResult = Schema.Struct({
  snapshot_id: Schema.String,
  operation: Schema.Literal("retrain"),
  status: Schema.Literal("ready"),
  fsm_state: FsmStatus,
  /** Extension: hidden units of the network training starts from. */
  hidden_units: Schema.optional(Schema.Int)
})
export type SnapshotRetrainResult = typeof SnapshotRetrainResult.Type

/** R2 `POST /v1/snapshots/{id}/resume`: the run restored for an exact continuation; FSM → RESUME_READY. */
export const SnapshotResumeResult = Schema.Struct({
  snapshot_id: Schema.String,
  operation: Schema.Literal("resume"),
  status: Schema.Literal("ready"),
  /** The training step (`current_epoch`) the run continues from. */
  resume_point_epoch: Schema.Int,
  fsm_state: FsmStatus,
  /** Extensions: the engine's inner epoch count and the hidden units at the resume point. */
  engine_epoch: Schema.optional(Schema.Int),
  hidden_units: Schema.optional(Schema.Int)
})
export type SnapshotResumeResult = typeof SnapshotResumeResult.Type

// ---------------------------------------------------------------------------------------------------------------
// Network editing (E1–E3, tier L): only while INVESTIGATING (after a snapshot restore)
// ---------------------------------------------------------------------------------------------------------------

/**
 * `values` of E1 in the topology's shapes (§4.2): output weights (I+H)×O (rows: inputs, then hidden units), output
 * bias O numbers, hidden unit k's weights I+k numbers, a hidden unit's bias one number. The schema takes a number, or
 * an array of numbers and arrays of numbers, so a wrong shape is the service's 400 naming the part; a value that is
 * not finite as float32 (e.g. 1e39) is a 422.
 */
export const WeightValues = Schema.Union(Schema.Number, Schema.Array(Schema.Union(Schema.Number, Schema.Array(Schema.Number))))
export type WeightValues = typeof WeightValues.Type

/** E1 `PATCH /v1/network/weights`. */
export const WeightEditRequest = Schema.Struct({
  target: Schema.Literal("output", "hidden_unit"),
  field: Schema.Literal("weights", "bias"),
  values: WeightValues,
  /** Required when `target` is "hidden_unit" (0-based); a unit that does not exist is a 404. */
  hidden_unit_index: Schema.optional(Schema.Int),
  /** The values' dtype: float32 (default) or float64 (stored as float32); anything else is a 422. */
  dtype: Schema.optional(Schema.String)
})
export type WeightEditRequest = typeof WeightEditRequest.Type

/** E1 result: network info (§4.1) plus the operation and the FSM state. */
export const WeightEditResult = Schema.Struct({
  ...NetworkInfo.fields,
  operation: Schema.Literal("edit_weights"),
  fsm_state: FsmStatus,
  /** Extensions: what was edited. */
  target: Schema.optional(Schema.Literal("output", "hidden_unit")),
  field: Schema.optional(Schema.Literal("weights", "bias")),
  hidden_unit_index: Schema.optional(Schema.NullOr(Schema.Int))
})
export type WeightEditResult = typeof WeightEditResult.Type

/** E2 `POST /v1/network/hidden-units`: a unit fed by every input and hidden unit, appended; its output weights are zero. */
export const HiddenUnitAddRequest = Schema.Struct({
  /** I + H numbers: inputs, then the existing hidden units. */
  weights: Schema.Array(Schema.Number),
  bias: Schema.Number,
  /** The network's hidden activation (case-insensitive, e.g. "Tanh" for a tanh network); another is a 422. */
  activation: Schema.optional(Schema.String),
  /** Only "tail" (a cascade unit can only be appended); another value is a 400. */
  position: Schema.optional(Schema.String)
})
export type HiddenUnitAddRequest = typeof HiddenUnitAddRequest.Type

export const HiddenUnitAddResult = Schema.Struct({
  unit_index: Schema.Int,
  num_hidden_units: Schema.Int,
  operation: Schema.Literal("add_hidden_unit"),
  fsm_state: FsmStatus
})
export type HiddenUnitAddResult = typeof HiddenUnitAddResult.Type

/** E3 `DELETE /v1/network/hidden-units/{idx}`. */
export const HiddenUnitRemoveResult = Schema.Struct({
  removed_index: Schema.Int,
  num_hidden_units: Schema.Int,
  operation: Schema.Literal("remove_hidden_unit"),
  fsm_state: FsmStatus
})
export type HiddenUnitRemoveResult = typeof HiddenUnitRemoveResult.Type

/** §4.8 worker. */
export const Worker = Schema.Struct({
  worker_id: Schema.String,
  kind: Schema.Literal("local", "remote"),
  status: Schema.Literal("idle", "busy", "stale"),
  health_score: Schema.Number,
  last_heartbeat_at: Schema.NullOr(Schema.Number),
  current_task_id: Schema.NullOr(Schema.String),
  capabilities: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  tasks_completed: Schema.Int,
  tasks_failed: Schema.Int,
  in_flight_tasks: Schema.Int,
  rss_mb: NullableNumber,
  gpu_utilization_pct: NullableNumber,
  last_task_duration_seconds: NullableNumber
})
export type Worker = typeof Worker.Type

export const WorkerList = Schema.Struct({ workers: Schema.Array(Worker), count: Schema.Int })
export type WorkerList = typeof WorkerList.Type

export const WorkerStats = Schema.Struct({
  total: Schema.Int,
  idle: Schema.Int,
  busy: Schema.Int,
  stale: Schema.Int,
  total_tasks_completed: Schema.Int,
  total_tasks_failed: Schema.Int,
  average_health_score: Schema.Number,
  timestamp: Schema.Number
})
export type WorkerStats = typeof WorkerStats.Type

// ---------------------------------------------------------------------------------------------------------------
// /ws/training frames (§6)
// ---------------------------------------------------------------------------------------------------------------

/** Server → client message types of /ws/training and /ws/control. */
export const MessageType = {
  connectionEstablished: "connection_established",
  initialStatus: "initial_status",
  initialMetrics: "initial_metrics",
  resumeOk: "resume_ok",
  resumeFailed: "resume_failed",
  state: "state",
  metrics: "metrics",
  topology: "topology",
  cascadeAdd: "cascade_add",
  candidateProgress: "candidate_progress",
  event: "event",
  chunkedMessage: "chunked_message",
  ping: "ping",
  commandResponse: "command_response",
  error: "error"
} as const

/** Broadcast types (they carry `seq`). */
export const BroadcastType = Schema.Literal("state", "metrics", "topology", "cascade_add", "candidate_progress", "event", "chunked_message")
export type BroadcastType = typeof BroadcastType.Type

export const CascadeAddData = Schema.Struct({
  timestamp: Schema.Number,
  hidden_unit_index: Schema.Int,
  correlation: Schema.Number,
  total_hidden_units: Schema.Int
})
export type CascadeAddData = typeof CascadeAddData.Type

export const CandidateProgressData = Schema.Struct({
  candidate_id: Schema.NullOr(Schema.Int),
  candidate_uuid: Schema.NullOr(Schema.String),
  epoch: Schema.Int,
  total_epochs: Schema.Int,
  correlation: NullableNumber,
  /** Extensions: the unit being grown, the phase is over, every candidate's score (at the end of a phase). */
  unit: Schema.optional(Schema.Int),
  final: Schema.optional(Schema.Boolean),
  all_correlations: Schema.optional(Schema.Array(Schema.Number))
})
export type CandidateProgressData = typeof CandidateProgressData.Type

export const LifecycleEvent = Schema.Literal("training_started", "training_stopped", "training_complete", "training_failed")
export type LifecycleEvent = typeof LifecycleEvent.Type

export const EventData = Schema.Struct({
  event: LifecycleEvent,
  /** Extensions. */
  completion_reason: Schema.optional(Schema.NullOr(Schema.String)),
  current_epoch: Schema.optional(Schema.Int),
  hidden_units: Schema.optional(Schema.Int),
  error: Schema.optional(Schema.NullOr(Schema.String)),
  restored: Schema.optional(Schema.Boolean),
  backend: Schema.optional(Schema.String)
})
export type EventData = typeof EventData.Type

export const ChunkedMessageData = Schema.Struct({
  chunk_id: Schema.String,
  chunk_index: Schema.Int,
  total_chunks: Schema.Int,
  original_type: Schema.String,
  /** A slice of the original frame's JSON text (the original frame carries no `seq`; its chunks do). */
  payload: Schema.String
})
export type ChunkedMessageData = typeof ChunkedMessageData.Type

const broadcastHeader = {
  timestamp: Schema.Number,
  seq: Schema.Int,
  emitted_at_monotonic: Schema.optional(Schema.Number)
}

export const MetricsFrame = Schema.Struct({ type: Schema.Literal("metrics"), ...broadcastHeader, data: MetricsRow })
export const StateFrame = Schema.Struct({ type: Schema.Literal("state"), ...broadcastHeader, data: StateFrameData })
export const TopologyFrame = Schema.Struct({ type: Schema.Literal("topology"), ...broadcastHeader, data: Topology })
export const CascadeAddFrame = Schema.Struct({ type: Schema.Literal("cascade_add"), ...broadcastHeader, data: CascadeAddData })
export const CandidateProgressFrame = Schema.Struct({ type: Schema.Literal("candidate_progress"), ...broadcastHeader, data: CandidateProgressData })
export const EventFrame = Schema.Struct({ type: Schema.Literal("event"), ...broadcastHeader, data: EventData })
export const ChunkedMessageFrame = Schema.Struct({ type: Schema.Literal("chunked_message"), ...broadcastHeader, data: ChunkedMessageData })

/** Heartbeat: top level `{"type":"ping","ts"}`, no data, no seq. */
export const PingFrame = Schema.Struct({ type: Schema.Literal("ping"), ts: Schema.Number })

export const ConnectionEstablishedData = Schema.Struct({
  connections: Schema.Int,
  server_instance_id: Schema.String,
  server_start_time: Schema.Number,
  replay_buffer_capacity: Schema.Int,
  /** "training" | "control" (control's greeting always says "control"). */
  channel: Schema.optional(Schema.String),
  /** Extension: the seq of the last broadcast. */
  current_seq: Schema.optional(Schema.Int)
})
export const ConnectionEstablishedFrame = Schema.Struct({ type: Schema.Literal("connection_established"), timestamp: Schema.Number, data: ConnectionEstablishedData })
export const InitialStatusFrame = Schema.Struct({ type: Schema.Literal("initial_status"), timestamp: Schema.Number, data: TrainingStatus })
export const InitialMetricsData = Schema.Struct({ metrics: Schema.Array(MetricsRow), count: Schema.Int, current_seq: Schema.Int })
export const InitialMetricsFrame = Schema.Struct({ type: Schema.Literal("initial_metrics"), timestamp: Schema.Number, data: InitialMetricsData })
export const ResumeOkFrame = Schema.Struct({ type: Schema.Literal("resume_ok"), timestamp: Schema.Number, data: Schema.Struct({ replayed_count: Schema.Int }) })
export const ResumeFailedReason = Schema.Literal("malformed_resume", "server_restarted", "out_of_range")
export const ResumeFailedFrame = Schema.Struct({ type: Schema.Literal("resume_failed"), timestamp: Schema.Number, data: Schema.Struct({ reason: ResumeFailedReason }) })

/** Every frame the server sends on /ws/training. */
export const TrainingServerFrame = Schema.Union(
  MetricsFrame,
  StateFrame,
  TopologyFrame,
  CascadeAddFrame,
  CandidateProgressFrame,
  EventFrame,
  ChunkedMessageFrame,
  PingFrame,
  ConnectionEstablishedFrame,
  InitialStatusFrame,
  InitialMetricsFrame,
  ResumeOkFrame,
  ResumeFailedFrame
)
export type TrainingServerFrame = typeof TrainingServerFrame.Type

/** Any broadcast frame (the union members that carry `seq`). */
export const BroadcastFrame = Schema.Union(MetricsFrame, StateFrame, TopologyFrame, CascadeAddFrame, CandidateProgressFrame, EventFrame, ChunkedMessageFrame)
export type BroadcastFrame = typeof BroadcastFrame.Type

/** A frame's common shape, for readers that dispatch on `type` before decoding `data`. */
export const GenericFrame = Schema.Struct({
  type: Schema.String,
  timestamp: Schema.optional(Schema.Number),
  seq: Schema.optional(Schema.Int),
  data: Schema.optional(Schema.Unknown)
})
export type GenericFrame = typeof GenericFrame.Type

/** Client → server on /ws/training. */
export const ResumeMessage = Schema.Struct({
  type: Schema.Literal("resume"),
  data: Schema.Struct({ last_seq: Schema.Int.pipe(Schema.nonNegative()), server_instance_id: Schema.String })
})
export const PongMessage = Schema.Struct({ type: Schema.Literal("pong") })
export const SubscribeMetricsMessage = Schema.Struct({
  type: Schema.Literal("subscribe_metrics"),
  data: Schema.optional(Schema.Struct({ max_count: Schema.optional(Schema.Number) }))
})
export const TrainingClientMessage = Schema.Union(ResumeMessage, PongMessage, SubscribeMetricsMessage)
export type TrainingClientMessage = typeof TrainingClientMessage.Type

// ---------------------------------------------------------------------------------------------------------------
// /ws/control (§7)
// ---------------------------------------------------------------------------------------------------------------

export const ControlCommandName = Schema.Literal("start", "stop", "pause", "resume", "reset", "set_params")
export type ControlCommandName = typeof ControlCommandName.Type

/** Client → server. `start.params` is the REST start body; `set_params.params` the PATCH body. */
export const ControlCommand = Schema.Struct({
  type: Schema.optional(Schema.Literal("command")),
  command: Schema.String,
  command_id: Schema.optional(Schema.String),
  params: Schema.optional(Schema.Unknown)
})
export type ControlCommand = typeof ControlCommand.Type

/** `code` of an error response (the last four are extensions for the REST statuses). */
export const ControlErrorCode = Schema.Literal(
  "unknown_command", "invalid_params", "invalid_message", "timeout", "conflict", "not_found", "internal", "frame_too_large"
)
export type ControlErrorCode = typeof ControlErrorCode.Type

export const CommandResponseData = Schema.Struct({
  command: Schema.NullOr(Schema.String),
  command_id: Schema.optional(Schema.NullOr(Schema.String)),
  status: Schema.Literal("success", "error", "rate_limited"),
  result: Schema.optional(Schema.Unknown),
  error: Schema.optional(Schema.String),
  code: Schema.optional(ControlErrorCode),
  retry_after: Schema.optional(Schema.Number)
})
export type CommandResponseData = typeof CommandResponseData.Type

/** Server → client. Rate-limited replies also repeat command/command_id/status/retry_after at the top level. */
export const CommandResponseFrame = Schema.Struct({
  type: Schema.Literal("command_response"),
  timestamp: Schema.Number,
  data: CommandResponseData,
  command: Schema.optional(Schema.NullOr(Schema.String)),
  command_id: Schema.optional(Schema.NullOr(Schema.String)),
  status: Schema.optional(Schema.String),
  retry_after: Schema.optional(Schema.Number)
})
export type CommandResponseFrame = typeof CommandResponseFrame.Type

/** Every frame the server sends on /ws/control. */
export const ControlServerFrame = Schema.Union(ConnectionEstablishedFrame, CommandResponseFrame, PingFrame)
export type ControlServerFrame = typeof ControlServerFrame.Type

/** WebSocket close codes (§8). */
export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  unsupportedData: 1003,
  internalError: 1011,
  tryAgainLater: 1013,
  authFailed: 4001,
  originRejected: 4003,
  workersNotInitialized: 4004,
  workerFrameTooLarge: 4005,
  workerInvalidJson: 4006,
  workerNotRegistered: 4007,
  workerInvalidRegistration: 4008,
  workerRegistryFull: 4013,
  rateLimited: 4029
} as const
