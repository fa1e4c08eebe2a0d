/**
 * The JuniperCascor REST client interface (cascor-api §13.1, upstream `juniper-cascor-client` 0.8.x in camelCase).
 * The HTTP client (./http-client.ts) and FakeCascorClient (./fake/) both implement it and are provided as Layers of
 * the `JuniperCascorClient` tag, so a consumer (JuniperCanopy's Service and Fake backends) differs only by the layer.
 *
 * Every method unwraps the envelope's `data`; the health methods return the bare body. Payload types are the wire
 * schemas' (../api/schema.ts).
 */
import { Context, type Effect } from "effect"
import type { HealthResponse, LivenessResponse, ReadinessResponse } from "@juniper/core"
import type {
  DatasetData,
  DatasetInfo,
  DatasetRequest,
  DecisionBoundary,
  HiddenUnitAddRequest,
  HiddenUnitAddResult,
  HiddenUnitRemoveResult,
  HyperParameters,
  InlineData,
  MetricsClearResult,
  MetricsHistory,
  MetricsUndoResult,
  MetricsResponse,
  NetworkCreateRequest,
  NetworkInfo,
  NetworkStats,
  ParamsUpdateResult,
  PauseResult,
  ResetResult,
  ResumeResult,
  SnapshotList,
  SnapshotMeta,
  SnapshotRestoreResult,
  SnapshotResumeResult,
  SnapshotRetrainResult,
  StartResult,
  StopResult,
  Topology,
  TrainingParams,
  TrainingStatus,
  TransportMetrics,
  WeightEditRequest,
  WeightEditResult,
  Worker,
  WorkerList,
  WorkerStats
} from "../api/schema.js"
import type { CascorClientFailure } from "./errors.js"

/** `start_training(epochs, dataset, inline_data, params)` plus `start_fresh` (§3.2). */
export interface StartTrainingOptions {
  /** Deprecated shorthand; does not change the derived epochs_max. */
  readonly epochs?: number
  readonly dataset?: DatasetRequest
  readonly inlineData?: InlineData
  readonly params?: TrainingParams
  readonly startFresh?: boolean
}

export interface WaitForReadyOptions {
  /** Default 30 000 ms. */
  readonly timeoutMs?: number
  /** Default 500 ms. */
  readonly pollIntervalMs?: number
  /**
   * true (default, upstream): wait until `isReady()`, i.e. a network is loaded. false: wait until the service answers
   * readiness with `ready` or `degraded` (the service is up, with or without a network).
   */
  readonly requireNetwork?: boolean
}

export interface ListSnapshotsOptions {
  readonly limit?: number
  readonly offset?: number
}

type Call<A> = Effect.Effect<A, CascorClientFailure>

/** §4.6: the range the client accepts for `getDecisionBoundary` (§14: 5..512). */
export const DECISION_BOUNDARY_MIN = 5
export const DECISION_BOUNDARY_MAX = 512
export const DEFAULT_DECISION_BOUNDARY_RESOLUTION = 50

export interface JuniperCascorClientShape {
  readonly baseUrl: string
  // --- health (bare bodies) ---
  /** H1. */
  readonly healthCheck: () => Call<HealthResponse>
  /** H2: true when the service answers `alive`; any failure → false. */
  readonly isAlive: () => Effect.Effect<boolean>
  /** H3 in full (200 `ready`/`degraded`; a 503 `not_ready` → CascorServiceUnavailableError). */
  readonly readiness: () => Call<ReadinessResponse>
  /** H3's `details.network_loaded` (upstream's `is_ready()`); any failure → false. */
  readonly isReady: () => Effect.Effect<boolean>
  /** Polls readiness (see WaitForReadyOptions); true when ready before the timeout. */
  readonly waitForReady: (options?: WaitForReadyOptions) => Effect.Effect<boolean>
  /** H2 in full (extension). */
  readonly liveness: () => Call<LivenessResponse>
  // --- network ---
  readonly createNetwork: (request?: NetworkCreateRequest) => Call<NetworkInfo>
  readonly getNetwork: () => Call<NetworkInfo>
  readonly deleteNetwork: () => Call<{ readonly deleted: true }>
  readonly getTopology: () => Call<Topology>
  readonly getStatistics: () => Call<NetworkStats>
  /** E1: sets output or hidden-unit weights or biases, in the topology's shapes (409 unless INVESTIGATING). */
  readonly editWeights: (request: WeightEditRequest) => Call<WeightEditResult>
  /** E2: appends a hidden unit (I + H weights, a bias); its output weights are zero (409 unless INVESTIGATING). */
  readonly addHiddenUnit: (request: HiddenUnitAddRequest) => Call<HiddenUnitAddResult>
  /** E3: removes hidden unit `index` (404 when there is none; 409 unless INVESTIGATING). */
  readonly removeHiddenUnit: (index: number) => Call<HiddenUnitRemoveResult>
  // --- training ---
  readonly startTraining: (options?: StartTrainingOptions) => Call<StartResult>
  readonly stopTraining: () => Call<StopResult>
  readonly pauseTraining: () => Call<PauseResult>
  readonly resumeTraining: () => Call<ResumeResult>
  readonly resetTraining: () => Call<ResetResult>
  readonly getTrainingStatus: () => Call<TrainingStatus>
  readonly getTrainingParams: () => Call<HyperParameters>
  readonly updateParams: (params: TrainingParams) => Call<ParamsUpdateResult>
  // --- metrics ---
  readonly getMetrics: () => Call<MetricsResponse>
  /** The last `count` rows (all retained when omitted), oldest first. */
  readonly getMetricsHistory: (count?: number) => Call<MetricsHistory>
  /** M3: empties the history, setting it aside for one undo. */
  readonly clearMetrics: () => Call<MetricsClearResult>
  /** M4: brings the last cleared rows back (409 → ConflictError when there is nothing to undo). */
  readonly undoClearMetrics: () => Call<MetricsUndoResult>
  /** M5: the /ws/training broadcast counters, open WebSockets and replay-ring occupancy. */
  readonly getTransportMetrics: () => Call<TransportMetrics>
  // --- data ---
  readonly getDataset: () => Call<DatasetInfo>
  readonly getDatasetData: () => Call<DatasetData>
  /** `resolution` default 50; outside 5..512 → CascorValidationError before any request. */
  readonly getDecisionBoundary: (resolution?: number) => Call<DecisionBoundary>
  // --- snapshots ---
  readonly listSnapshots: (options?: ListSnapshotsOptions) => Call<SnapshotList>
  readonly getSnapshot: (id: string) => Call<SnapshotMeta>
  readonly saveSnapshot: (description?: string) => Call<SnapshotMeta>
  /** P4: restore (FSM → INVESTIGATING). */
  readonly loadSnapshot: (id: string) => Call<SnapshotRestoreResult>
  /** R1: the snapshot's network with history and counters cleared (FSM → STOPPED): a start trains it anew. */
  readonly retrainSnapshot: (id: string) => Call<SnapshotRetrainResult>
  /** R2: restore for an exact continuation (FSM → RESUME_READY): a start continues the run. */
  readonly resumeSnapshot: (id: string) => Call<SnapshotResumeResult>
  // --- workers ---
  readonly listWorkers: () => Call<WorkerList>
  readonly getWorker: (id: string) => Call<Worker>
  readonly getWorkerStats: () => Call<WorkerStats>
}

export class JuniperCascorClient extends Context.Tag("@juniper/cascor/JuniperCascorClient")<JuniperCascorClient, JuniperCascorClientShape>() {}

/** The T1 body for StartTrainingOptions (null when there is nothing to send). */
export const startBody = (o: StartTrainingOptions = {}) => {
  const body = {
    ...(o.epochs !== undefined ? { epochs: o.epochs } : {}),
    ...(o.dataset !== undefined ? { dataset: o.dataset } : {}),
    ...(o.inlineData !== undefined ? { inline_data: o.inlineData } : {}),
    ...(o.params !== undefined ? { params: o.params } : {}),
    ...(o.startFresh !== undefined ? { start_fresh: o.startFresh } : {})
  }
  return Object.keys(body).length === 0 ? null : body
}
