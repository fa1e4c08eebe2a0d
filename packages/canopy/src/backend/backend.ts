/**
 * The backend interface (canopy-ui §2.1, roadmap Phase 5 "BackendProtocol") as an Effect service. Route handlers and
 * the sockets call only this; the Demo, Service and Fake layers (./layers.ts) provide it. There is no `if demo`
 * anywhere above this line.
 */
import { Context, type Effect, type Queue, type Scope, type Stream } from "effect"
import type {
  BackendMode,
  CanopyState,
  CanopyStatus,
  CanopyTopology,
  ControlResult,
  DatasetResponse,
  DecisionBoundaryResponse,
  Execution,
  MetricsEntry,
  NetworkStatsResponse,
  PendingDataset,
  RestartResponse,
  StageDatasetBody,
  SetParamsResponse,
  SnapshotDetail,
  SnapshotListResponse,
  SnapshotRestoreResponse,
  StreamHealth,
  Topology,
  WorkerListResponse,
  WorkerStatsResponse
} from "../api/schema.js"
import type { BackendError } from "./errors.js"
import type { UpstreamFrame } from "./link.js"

export interface StartOptions {
  /** Start over with a fresh network and history (default true); false continues the current network. */
  readonly reset?: boolean
  readonly startFresh?: boolean
}

/** A frame for browsers, in cascor's shapes (the relay stamps Canopy's `seq` and normalises metrics entries). */
export type BackendFrame = UpstreamFrame

export interface CanopyBackendShape {
  // Identity
  readonly backendType: BackendMode
  readonly execution: Execution

  // Control: failures are `ok:false` results, never errors.
  readonly startTraining: (options?: StartOptions) => Effect.Effect<ControlResult>
  readonly stopTraining: Effect.Effect<ControlResult>
  readonly pauseTraining: Effect.Effect<ControlResult>
  readonly resumeTraining: Effect.Effect<ControlResult>
  readonly resetTraining: Effect.Effect<ControlResult>
  readonly isTrainingActive: Effect.Effect<boolean>

  // Read
  readonly getStatus: Effect.Effect<CanopyStatus, BackendError>
  readonly getState: Effect.Effect<CanopyState, BackendError>
  /** The latest metrics entry (404 before the first). */
  readonly getMetrics: Effect.Effect<MetricsEntry, BackendError>
  /** Oldest first; `count` 0 = everything retained (capped at 10,000). */
  readonly getMetricsHistory: (count: number) => Effect.Effect<ReadonlyArray<MetricsEntry>, BackendError>
  readonly hasNetwork: Effect.Effect<boolean>
  readonly getNetworkTopology: Effect.Effect<CanopyTopology, BackendError>
  readonly getRawTopology: Effect.Effect<Topology, BackendError>
  readonly getNetworkStats: Effect.Effect<NetworkStatsResponse, BackendError>
  readonly getDataset: Effect.Effect<DatasetResponse, BackendError>
  readonly getDecisionBoundary: (resolution: number) => Effect.Effect<DecisionBoundaryResponse, BackendError>
  readonly streamHealth: Effect.Effect<StreamHealth>

  // Params: `set_params` keys (§6) → clamped, validated, applied by the backend; applied/skipped reported.
  readonly applyParams: (body: Readonly<Record<string, unknown>>) => Effect.Effect<SetParamsResponse & { readonly ok: boolean }, BackendError>

  // Dataset staging and restart (§3.1, S tier)
  readonly stageDataset: (body: StageDatasetBody) => Effect.Effect<PendingDataset, BackendError>
  /** true when something was pending. */
  readonly cancelPendingDataset: Effect.Effect<boolean>
  /** Stop (waiting for the run to end), then start with the staged dataset; a stop that does not end in time → 504. */
  readonly restartTraining: (options: StartOptions) => Effect.Effect<RestartResponse, BackendError>

  // Snapshots and workers (§3.1)
  readonly listSnapshots: (limit: number, offset: number) => Effect.Effect<SnapshotListResponse, BackendError>
  readonly getSnapshot: (id: string) => Effect.Effect<SnapshotDetail, BackendError>
  readonly createSnapshot: (name: string, description: string) => Effect.Effect<SnapshotDetail, BackendError>
  readonly restoreSnapshot: (id: string) => Effect.Effect<SnapshotRestoreResponse, BackendError>
  readonly listWorkers: Effect.Effect<WorkerListResponse, BackendError>
  readonly workerStats: Effect.Effect<WorkerStatsResponse, BackendError>

  // Lifecycle: the Layer acquires the backend and releases it with its scope (shutdown); `initialize` starts what
  // the backend runs by itself (the demo's first run) once frames have a consumer; idempotent.
  readonly initialize: Effect.Effect<boolean>
  readonly shutdown: Effect.Effect<void>

  /** The upstream's URL (probed by readiness), or null in-process. */
  readonly upstreamUrl: string | null

  /** Cascor-shaped frames for browsers, from now on (each subscriber gets every frame). */
  readonly frames: Stream.Stream<BackendFrame>
  /** The same frames as a queue subscribed at once (for as long as the scope lives). */
  readonly subscribe: Effect.Effect<Queue.Dequeue<BackendFrame>, never, Scope.Scope>
}

export class CanopyBackend extends Context.Tag("@juniper/canopy/CanopyBackend")<CanopyBackend, CanopyBackendShape>() {}
