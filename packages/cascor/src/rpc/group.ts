/**
 * The JuniperCascor operations as an Effect RPC group, served at `/rpc` (POST: HTTP ndjson; GET: WebSocket): the
 * REST operations on the default run, plus `WatchTraining`, a streaming subscription to the /ws/training frames
 * (fresh-connect frames first, or a replay after `last_seq`, then the live broadcasts). Payloads and results are the
 * wire types of ../api/schema.ts; failures are the session's tagged errors.
 */
import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import {
  DatasetData,
  DatasetInfo,
  DecisionBoundary,
  DeleteNetworkResult,
  GenericFrame,
  HiddenUnitAddRequest,
  HiddenUnitAddResult,
  HiddenUnitRemoveResult,
  HyperParameters,
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
  SnapshotDeleteResult,
  SnapshotList,
  SnapshotMeta,
  SnapshotRestoreResult,
  SnapshotResumeResult,
  SnapshotRetrainResult,
  StartResult,
  StopResult,
  Topology,
  TrainingParams,
  TrainingStartRequest,
  TrainingStatus,
  TransportMetrics,
  WeightEditRequest,
  WeightEditResult,
  Worker,
  WorkerList,
  WorkerStats
} from "../api/schema.js"
import { SessionError } from "../session/errors.js"

const error = SessionError
const Id = { id: Schema.String }

export class CascorRpcs extends RpcGroup.make(
  Rpc.make("CreateNetwork", { payload: NetworkCreateRequest, success: NetworkInfo, error }),
  Rpc.make("GetNetwork", { success: NetworkInfo, error }),
  Rpc.make("DeleteNetwork", { success: DeleteNetworkResult, error }),
  Rpc.make("GetTopology", { success: Topology, error }),
  Rpc.make("GetStatistics", { success: NetworkStats, error }),
  Rpc.make("EditWeights", { payload: WeightEditRequest, success: WeightEditResult, error }),
  Rpc.make("AddHiddenUnit", { payload: HiddenUnitAddRequest, success: HiddenUnitAddResult, error }),
  Rpc.make("RemoveHiddenUnit", { payload: { idx: Schema.Int }, success: HiddenUnitRemoveResult, error }),
  Rpc.make("StartTraining", { payload: TrainingStartRequest, success: StartResult, error }),
  Rpc.make("StopTraining", { success: StopResult }),
  Rpc.make("PauseTraining", { success: PauseResult, error }),
  Rpc.make("ResumeTraining", { success: ResumeResult, error }),
  Rpc.make("ResetTraining", { success: ResetResult, error }),
  Rpc.make("GetTrainingStatus", { success: TrainingStatus }),
  Rpc.make("GetTrainingParams", { success: HyperParameters, error }),
  Rpc.make("UpdateTrainingParams", { payload: TrainingParams, success: ParamsUpdateResult, error }),
  Rpc.make("GetMetrics", { success: MetricsResponse, error }),
  Rpc.make("GetMetricsHistory", { payload: { count: Schema.optional(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))) }, success: MetricsHistory }),
  Rpc.make("ClearMetrics", { success: MetricsClearResult }),
  Rpc.make("UndoClearMetrics", { success: MetricsUndoResult, error }),
  Rpc.make("GetTransportMetrics", { success: TransportMetrics }),
  Rpc.make("GetDataset", { success: DatasetInfo }),
  Rpc.make("GetDatasetData", { success: DatasetData, error }),
  Rpc.make("GetDecisionBoundary", { payload: { resolution: Schema.optional(Schema.Int.pipe(Schema.between(5, 512))) }, success: DecisionBoundary, error }),
  Rpc.make("SaveSnapshot", { payload: { description: Schema.optional(Schema.String) }, success: SnapshotMeta, error }),
  Rpc.make("ListSnapshots", {
    payload: { limit: Schema.optional(Schema.Int.pipe(Schema.between(1, 10_000))), offset: Schema.optional(Schema.Int.pipe(Schema.nonNegative())) },
    success: SnapshotList
  }),
  Rpc.make("GetSnapshot", { payload: Id, success: SnapshotMeta, error }),
  Rpc.make("RestoreSnapshot", { payload: Id, success: SnapshotRestoreResult, error }),
  Rpc.make("RetrainSnapshot", { payload: Id, success: SnapshotRetrainResult, error }),
  Rpc.make("ResumeSnapshot", { payload: Id, success: SnapshotResumeResult, error }),
  Rpc.make("DeleteSnapshot", { payload: Id, success: SnapshotDeleteResult, error }),
  Rpc.make("ListWorkers", { success: WorkerList }),
  Rpc.make("GetWorkerStats", { success: WorkerStats }),
  Rpc.make("GetWorker", { payload: { worker_id: Schema.String }, success: Worker, error }),
  /** Frames of /ws/training (personal ones without `seq`), as a stream. */
  Rpc.make("WatchTraining", { payload: { last_seq: Schema.optional(Schema.Int.pipe(Schema.nonNegative())) }, success: GenericFrame, stream: true })
) {}
