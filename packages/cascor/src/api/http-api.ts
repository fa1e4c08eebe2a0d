/**
 * The JuniperCascor REST API (cascor-api §2: tier C, plus M3–M5, E1–E3, R1–R2) as an Effect HttpApi: the server, the typed client
 * (`HttpApiClient.make(CascorApi, { baseUrl })`) and OpenAPI all derive from this definition. Payloads are the
 * schemas of ./schema.ts; every success is wrapped in the `{status, data, meta}` envelope, every failure is one of
 * the error-envelope classes of ./errors.ts. Health (H1–H3) is core's HealthGroup: bare JSON.
 *
 * Stability: public API; endpoints and schemas change additively only.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { HealthGroup } from "@juniper/core"
import { RunsGroup } from "../cluster/http-api.js"
import {
  CascorBadRequest,
  CascorConflict,
  CascorInternalError,
  CascorNotFound,
  CascorPayloadTooLarge,
  CascorRateLimited,
  CascorUnauthorized,
  CascorUnavailable,
  CascorValidationFailed
} from "./errors.js"
import {
  DatasetData,
  DatasetInfo,
  DecisionBoundary,
  DecisionBoundaryUrlParams,
  DeleteNetworkResult,
  Envelope,
  HiddenUnitAddRequest,
  HiddenUnitAddResult,
  HiddenUnitRemoveResult,
  HyperParameters,
  MetricsClearResult,
  MetricsHistory,
  MetricsUndoResult,
  MetricsHistoryUrlParams,
  MetricsResponse,
  NetworkCreateRequest,
  NetworkInfo,
  NetworkStats,
  ParamsUpdateResult,
  PauseResult,
  ResetResult,
  ResumeResult,
  SnapshotCreateRequest,
  SnapshotDeleteResult,
  SnapshotList,
  SnapshotListUrlParams,
  SnapshotMeta,
  SnapshotRestoreResult,
  SnapshotResumeResult,
  SnapshotRetrainResult,
  StartResult,
  StopResult,
  Topology,
  TransportMetrics,
  TrainingParams,
  TrainingStartRequest,
  TrainingStatus,
  WeightEditRequest,
  WeightEditResult,
  Worker,
  WorkerList,
  WorkerStats
} from "./schema.js"

/** Snapshot ids are checked by the handler (a bad id is a 400, not a 422). */
const SnapshotPath = Schema.Struct({ id: Schema.String })
const WorkerPath = Schema.Struct({ worker_id: Schema.String })
/** A hidden unit's index is checked by the handler (not an integer: a 400). */
const HiddenUnitPath = Schema.Struct({ idx: Schema.String })

export class NetworkGroup extends HttpApiGroup.make("network")
  .add(
    HttpApiEndpoint.post("createNetwork", "/network")
      .setPayload(Schema.NullOr(NetworkCreateRequest))
      .addSuccess(Envelope(NetworkInfo))
      .addError(CascorConflict)
  )
  .add(HttpApiEndpoint.get("getNetwork", "/network").addSuccess(Envelope(NetworkInfo)).addError(CascorNotFound))
  .add(HttpApiEndpoint.del("deleteNetwork", "/network").addSuccess(Envelope(DeleteNetworkResult)).addError(CascorConflict).addError(CascorNotFound))
  .add(HttpApiEndpoint.get("getTopology", "/network/topology").addSuccess(Envelope(Topology)).addError(CascorNotFound))
  .add(HttpApiEndpoint.get("getStatistics", "/network/stats").addSuccess(Envelope(NetworkStats)).addError(CascorNotFound))
  // E1–E3 (tier L): network editing while INVESTIGATING.
  .add(
    HttpApiEndpoint.patch("editWeights", "/network/weights")
      .setPayload(WeightEditRequest)
      .addSuccess(Envelope(WeightEditResult))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
      .addError(CascorConflict)
      .addError(CascorValidationFailed)
  )
  .add(
    HttpApiEndpoint.post("addHiddenUnit", "/network/hidden-units")
      .setPayload(HiddenUnitAddRequest)
      .addSuccess(Envelope(HiddenUnitAddResult))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
      .addError(CascorConflict)
      .addError(CascorValidationFailed)
  )
  .add(
    HttpApiEndpoint.del("removeHiddenUnit", "/network/hidden-units/:idx")
      .setPath(HiddenUnitPath)
      .addSuccess(Envelope(HiddenUnitRemoveResult))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
      .addError(CascorConflict)
  ) {}

export class TrainingGroup extends HttpApiGroup.make("training")
  .add(
    HttpApiEndpoint.post("startTraining", "/training/start")
      .setPayload(Schema.NullOr(TrainingStartRequest))
      .addSuccess(Envelope(StartResult))
      .addError(CascorNotFound)
      .addError(CascorConflict)
      .addError(CascorBadRequest)
  )
  .add(HttpApiEndpoint.post("stopTraining", "/training/stop").addSuccess(Envelope(StopResult)))
  .add(HttpApiEndpoint.post("pauseTraining", "/training/pause").addSuccess(Envelope(PauseResult)).addError(CascorConflict))
  .add(HttpApiEndpoint.post("resumeTraining", "/training/resume").addSuccess(Envelope(ResumeResult)).addError(CascorConflict))
  .add(HttpApiEndpoint.post("resetTraining", "/training/reset").addSuccess(Envelope(ResetResult)))
  .add(HttpApiEndpoint.get("getTrainingStatus", "/training/status").addSuccess(Envelope(TrainingStatus)))
  .add(HttpApiEndpoint.get("getTrainingParams", "/training/params").addSuccess(Envelope(HyperParameters)).addError(CascorNotFound))
  .add(
    HttpApiEndpoint.patch("updateTrainingParams", "/training/params")
      .setPayload(TrainingParams)
      .addSuccess(Envelope(ParamsUpdateResult))
      .addError(CascorNotFound)
  ) {}

export class MetricsGroup extends HttpApiGroup.make("metrics")
  .add(HttpApiEndpoint.get("getMetrics", "/metrics").addSuccess(Envelope(MetricsResponse)).addError(CascorNotFound))
  .add(HttpApiEndpoint.get("getMetricsHistory", "/metrics/history").setUrlParams(MetricsHistoryUrlParams).addSuccess(Envelope(MetricsHistory)))
  .add(HttpApiEndpoint.post("clearMetrics", "/training/metrics/clear").addSuccess(Envelope(MetricsClearResult)))
  .add(HttpApiEndpoint.post("undoClearMetrics", "/training/metrics/clear/undo").addSuccess(Envelope(MetricsUndoResult)).addError(CascorConflict))
  .add(HttpApiEndpoint.get("getTransportMetrics", "/metrics/transport").addSuccess(Envelope(TransportMetrics))) {}

export class DatasetGroup extends HttpApiGroup.make("dataset")
  .add(HttpApiEndpoint.get("getDataset", "/dataset").addSuccess(Envelope(DatasetInfo)))
  .add(HttpApiEndpoint.get("getDatasetData", "/dataset/data").addSuccess(Envelope(DatasetData)).addError(CascorNotFound))
  .add(
    HttpApiEndpoint.get("getDecisionBoundary", "/decision-boundary")
      .setUrlParams(DecisionBoundaryUrlParams)
      .addSuccess(Envelope(DecisionBoundary))
      .addError(CascorNotFound)
  ) {}

export class SnapshotsGroup extends HttpApiGroup.make("snapshots")
  .add(
    HttpApiEndpoint.post("saveSnapshot", "/snapshots")
      .setPayload(Schema.NullOr(SnapshotCreateRequest))
      .addSuccess(Envelope(SnapshotMeta))
      .addError(CascorNotFound)
  )
  .add(HttpApiEndpoint.get("listSnapshots", "/snapshots").setUrlParams(SnapshotListUrlParams).addSuccess(Envelope(SnapshotList)))
  .add(
    HttpApiEndpoint.get("getSnapshot", "/snapshots/:id")
      .setPath(SnapshotPath)
      .addSuccess(Envelope(SnapshotMeta))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
  )
  .add(
    HttpApiEndpoint.post("restoreSnapshot", "/snapshots/:id/restore")
      .setPath(SnapshotPath)
      .addSuccess(Envelope(SnapshotRestoreResult))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
      .addError(CascorConflict)
  )
  // R1, R2 (tier L).
  .add(
    HttpApiEndpoint.post("retrainSnapshot", "/snapshots/:id/retrain")
      .setPath(SnapshotPath)
      .addSuccess(Envelope(SnapshotRetrainResult))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
      .addError(CascorConflict)
      .addError(CascorValidationFailed)
  )
  .add(
    HttpApiEndpoint.post("resumeSnapshot", "/snapshots/:id/resume")
      .setPath(SnapshotPath)
      .addSuccess(Envelope(SnapshotResumeResult))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
      .addError(CascorConflict)
      .addError(CascorValidationFailed)
  )
  .add(
    HttpApiEndpoint.del("deleteSnapshot", "/snapshots/:id")
      .setPath(SnapshotPath)
      .addSuccess(Envelope(SnapshotDeleteResult))
      .addError(CascorBadRequest)
      .addError(CascorNotFound)
  ) {}

export class WorkersGroup extends HttpApiGroup.make("workers")
  .add(HttpApiEndpoint.get("listWorkers", "/workers").addSuccess(Envelope(WorkerList)))
  .add(HttpApiEndpoint.get("getWorkerStats", "/workers/stats").addSuccess(Envelope(WorkerStats)))
  .add(HttpApiEndpoint.get("getWorker", "/workers/:worker_id").setPath(WorkerPath).addSuccess(Envelope(Worker)).addError(CascorNotFound)) {}

/**
 * The API. Errors declared on the API (any endpoint may answer with them: edge errors, and the session's 404/409
 * where an operation can meet them) come on top of the per-endpoint declarations.
 */
export class CascorApi extends HttpApi.make("juniper-cascor")
  .add(HealthGroup)
  .add(NetworkGroup)
  .add(TrainingGroup)
  .add(MetricsGroup)
  .add(DatasetGroup)
  .add(SnapshotsGroup)
  .add(WorkersGroup)
  .add(RunsGroup)
  .addError(CascorBadRequest)
  .addError(CascorNotFound)
  .addError(CascorConflict)
  .addError(CascorValidationFailed)
  .addError(CascorUnauthorized)
  .addError(CascorPayloadTooLarge)
  .addError(CascorRateLimited)
  .addError(CascorInternalError)
  .addError(CascorUnavailable)
  .prefix("/v1")
  .annotate(OpenApi.Title, "JuniperCascor")
  .annotate(OpenApi.Description, "Cascade-Correlation training service of the Juniper platform (upstream API 0.4.0).") {}
