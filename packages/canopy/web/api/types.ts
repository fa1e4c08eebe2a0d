// Wire types of the canopy HTTP/WS surface as the browser reads them (canopy-ui §3, §4; cascor-api §4, §6.3).
// Documents with one canonical shape are the service's own types (src/api/schema.ts, type-only imports, erased
// from the bundle). Frame payloads keep loose reader types here: the readers in normalize.ts accept every
// documented variant (service vs demo, legacy aliases) so that one code path serves all modes.
export type {
  CanopyHealth as Health,
  CanopyState,
  CommandResponseFrame,
  ControlResult,
  CsrfResponse,
  DatasetResponse as DatasetDoc,
  DecisionBoundaryResponse as DecisionBoundary,
  GeneratorsResponse,
  ParamBound,
  Readiness,
  RestartResponse,
  StageDatasetResponse,
  SetParamsResponse,
  SnapshotListResponse,
  StreamHealth,
  WorkerListResponse,
  WorkerStatsResponse
} from "../../src/api/schema.js"
import type { GeneratorsResponse, SnapshotListResponse, WorkerListResponse } from "../../src/api/schema.js"

export type GeneratorInfo = GeneratorsResponse["generators"][number]
export type SnapshotMeta = SnapshotListResponse["snapshots"][number]
export type Worker = WorkerListResponse["workers"][number]

export type Num = number | null

/** Envelope of every /ws/training frame. */
export interface Frame<D = unknown> {
  readonly type: string
  readonly timestamp?: number
  readonly seq?: number
  readonly server_instance_id?: string
  readonly emitted_at_monotonic?: number
  readonly data?: D
  readonly ts?: number
}

/** Metrics entry (§3.3): the union of the cascor row, a nested block and the flat legacy aliases. */
export interface MetricsEntry {
  readonly epoch?: number
  readonly engine_epoch?: number
  readonly timestamp?: string | number
  readonly loss?: Num
  readonly accuracy?: Num
  readonly learning_rate?: Num
  readonly hidden_units?: number
  readonly phase?: string
  readonly validation_loss?: Num
  readonly validation_accuracy?: Num
  readonly kind?: string
  readonly f1?: Num
  readonly precision?: Num
  readonly recall?: Num
  readonly roc_auc?: Num
  readonly train_loss?: Num
  readonly train_accuracy?: Num
  readonly val_loss?: Num
  readonly val_accuracy?: Num
  readonly metrics?: { readonly loss?: Num; readonly accuracy?: Num; readonly val_loss?: Num; readonly val_accuracy?: Num }
  readonly network_topology?: { readonly input_units?: number; readonly hidden_units?: number; readonly output_units?: number }
}

export interface InitialMetrics {
  readonly metrics?: ReadonlyArray<MetricsEntry>
  readonly count?: number
  readonly current_seq?: number
}

/** Cascor-native topology (cascor-api §4.2), the `topology` frame and /api/topology/raw. */
export interface RawTopology {
  readonly input_size: number
  readonly output_size: number
  readonly hidden_units: ReadonlyArray<{ readonly id: number; readonly weights: ReadonlyArray<number>; readonly bias?: number; readonly activation?: string }>
  readonly output_weights: ReadonlyArray<ReadonlyArray<number>>
  readonly output_bias?: ReadonlyArray<number>
}

/** Canopy graph topology (/api/topology). */
export interface GraphTopology {
  readonly input_units: number
  readonly hidden_units: number
  readonly output_units: number
  readonly nodes: ReadonlyArray<{ readonly id: string; readonly type: "input" | "hidden" | "output"; readonly layer?: number; readonly label?: string }>
  readonly connections: ReadonlyArray<{ readonly from: string; readonly to: string; readonly weight: number }>
}

export interface CascadeAdd {
  readonly hidden_unit_index: number
  readonly correlation?: number
  readonly total_hidden_units?: number
  readonly timestamp?: number | string
}

export interface CandidateProgress {
  readonly candidate_id?: number | null
  readonly candidate_uuid?: string | null
  readonly epoch?: number
  readonly total_epochs?: number
  readonly correlation?: Num
  readonly unit?: number
  readonly final?: boolean
  readonly all_correlations?: ReadonlyArray<number>
}

export interface EventData {
  readonly event?: string
  readonly event_type?: string
  readonly details?: Record<string, unknown>
  readonly completion_reason?: string | null
  readonly error?: string | null
}

export interface ControlAck {
  readonly command?: string
  readonly success?: boolean
  readonly message?: string
}

export interface ParamsUpdated {
  readonly params?: Record<string, unknown>
  readonly applied?: ReadonlyArray<string>
  readonly skipped?: ReadonlyArray<string>
}

/** `command_response` on /ws/control (§4.2). */

/** Every control result (§2.1). */






export interface JsonSchemaProp {
  readonly title?: string
  readonly type?: string
  readonly default?: unknown
  readonly minimum?: number
  readonly maximum?: number
  readonly exclusiveMinimum?: number
  readonly exclusiveMaximum?: number
  readonly enum?: ReadonlyArray<unknown>
  readonly anyOf?: ReadonlyArray<JsonSchemaProp>
  readonly description?: string
}

export interface JsonSchema {
  readonly title?: string
  readonly properties?: Readonly<Record<string, JsonSchemaProp>>
}




