/**
 * The JuniperCanopy HTTP API (canopy-ui §3.1, tier C) as an Effect HttpApi: the server, OpenAPI (/openapi.json) and
 * any typed client derive from this definition. Payloads are the schemas of ./schema.ts, failures the error classes
 * of ./errors.ts. The WebSockets and the dashboard's static files are plain routes beside it (../server.ts).
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import {
  CanopyBadGateway,
  CanopyBadRequest,
  CanopyConflict,
  CanopyForbidden,
  CanopyGatewayTimeout,
  CanopyNotFound,
  CanopyNotImplemented,
  CanopyUnavailable,
  CanopyValidationError
} from "./errors.js"
import {
  CanopyHealth,
  CanopyState,
  CanopyStatus,
  CancelPendingResponse,
  CanopyTopology,
  ControlResult,
  CsrfResponse,
  DatasetResponse,
  DecisionBoundaryResponse,
  GeneratorsResponse,
  Liveness,
  MetricsEntry,
  MetricsHistoryResponse,
  NetworkStatsResponse,
  Readiness,
  RelayStatistics,
  RestartBody,
  RestartResponse,
  StageDatasetBody,
  StageDatasetResponse,
  SetParamsResponse,
  SnapshotDetail,
  SnapshotListResponse,
  SnapshotRestoreResponse,
  StreamHealth,
  Topology,
  TrainStatus,
  WorkerListResponse,
  WorkerStatsResponse
} from "./schema.js"

/** Query integers: digits only (a bad value is a 422 naming the parameter). */
const IntParam = Schema.NumberFromString.pipe(Schema.int())
const BoolParam = Schema.transform(Schema.Literal("true", "false", "1", "0", "True", "False"), Schema.Boolean, {
  strict: true,
  decode: (s) => s === "true" || s === "1" || s === "True",
  encode: (b) => (b ? "true" : "false")
})

export const MetricsHistoryParams = Schema.Struct({
  /** Rows to return, newest last; 0 = all (capped at 10,000). Default 100. */
  limit: Schema.optional(IntParam.pipe(Schema.greaterThanOrEqualTo(0)))
})
export const DecisionBoundaryParams = Schema.Struct({
  /** Grid size per axis; clamped to 5..200. Default 100. */
  resolution: Schema.optional(IntParam)
})
export const StartParams = Schema.Struct({ reset: Schema.optional(BoolParam), start_fresh: Schema.optional(BoolParam) })
export const SnapshotListParams = Schema.Struct({
  limit: Schema.optional(IntParam.pipe(Schema.between(1, 1000))),
  offset: Schema.optional(IntParam.pipe(Schema.greaterThanOrEqualTo(0)))
})
export const SnapshotCreateParams = Schema.Struct({
  name: Schema.optional(Schema.String.pipe(Schema.maxLength(200))),
  description: Schema.optional(Schema.String.pipe(Schema.maxLength(1000)))
})
const SnapshotPath = Schema.Struct({ id: Schema.String })

/** The set_params body: `nn_*`/`cn_*` and legacy keys (§6); values are checked by the handler (422 naming the key). */
export const SetParamsBody = Schema.Record({ key: Schema.String, value: Schema.Unknown })

export class HealthGroup extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("health", "/v1/health").addSuccess(CanopyHealth))
  .add(HttpApiEndpoint.get("live", "/v1/health/live").addSuccess(Liveness).addError(Liveness, { status: 503 }))
  .add(HttpApiEndpoint.get("ready", "/v1/health/ready").addSuccess(Readiness).addError(Readiness, { status: 503 }))
  .add(HttpApiEndpoint.get("legacyHealth", "/health").addSuccess(CanopyHealth).annotate(OpenApi.Deprecated, true))
  .add(HttpApiEndpoint.get("legacyApiHealth", "/api/health").addSuccess(CanopyHealth).annotate(OpenApi.Deprecated, true)) {}

export class ReadGroup extends HttpApiGroup.make("read")
  .add(HttpApiEndpoint.get("status", "/api/status").addSuccess(CanopyStatus))
  .add(HttpApiEndpoint.get("state", "/api/state").addSuccess(CanopyState))
  .add(HttpApiEndpoint.get("streamHealth", "/api/stream_health").addSuccess(StreamHealth))
  .add(HttpApiEndpoint.get("metrics", "/api/metrics").addSuccess(MetricsEntry).addError(CanopyNotFound))
  .add(HttpApiEndpoint.get("metricsHistory", "/api/metrics/history").setUrlParams(MetricsHistoryParams).addSuccess(MetricsHistoryResponse))
  .add(HttpApiEndpoint.get("topology", "/api/topology").addSuccess(CanopyTopology))
  .add(HttpApiEndpoint.get("rawTopology", "/api/topology/raw").addSuccess(Topology))
  .add(HttpApiEndpoint.get("networkStats", "/api/network/stats").addSuccess(NetworkStatsResponse))
  .add(HttpApiEndpoint.get("dataset", "/api/dataset").addSuccess(DatasetResponse))
  .add(HttpApiEndpoint.get("generators", "/api/dataset/generators").addSuccess(GeneratorsResponse))
  .add(HttpApiEndpoint.get("decisionBoundary", "/api/decision_boundary").setUrlParams(DecisionBoundaryParams).addSuccess(DecisionBoundaryResponse))
  .add(HttpApiEndpoint.get("csrf", "/api/csrf").addSuccess(CsrfResponse))
  .add(HttpApiEndpoint.get("statistics", "/api/statistics").addSuccess(RelayStatistics))
  .add(
    HttpApiEndpoint.post("setParams", "/api/set_params")
      .setPayload(SetParamsBody)
      .addSuccess(SetParamsResponse)
  ) {}

const control = <Name extends string>(name: Name, path: `/${string}`) =>
  HttpApiEndpoint.post(name, path).addSuccess(ControlResult).addError(CanopyConflict)

export class TrainingGroup extends HttpApiGroup.make("training")
  .add(control("start", "/api/train/start").setUrlParams(StartParams))
  .add(control("pause", "/api/train/pause"))
  .add(control("resume", "/api/train/resume"))
  .add(control("stop", "/api/train/stop"))
  .add(control("reset", "/api/train/reset"))
  .add(HttpApiEndpoint.get("status", "/api/train/status").addSuccess(TrainStatus))
  .add(HttpApiEndpoint.post("restart", "/api/train/restart").setPayload(Schema.NullOr(RestartBody)).addSuccess(RestartResponse)) {}

export class DatasetGroup extends HttpApiGroup.make("dataset")
  .add(HttpApiEndpoint.post("stage", "/api/stage_dataset").setPayload(StageDatasetBody).addSuccess(StageDatasetResponse))
  .add(HttpApiEndpoint.del("cancel", "/api/cancel_pending_dataset").addSuccess(CancelPendingResponse)) {}

export class SnapshotsGroup extends HttpApiGroup.make("snapshots")
  .add(HttpApiEndpoint.get("list", "/api/v1/snapshots").setUrlParams(SnapshotListParams).addSuccess(SnapshotListResponse))
  .add(HttpApiEndpoint.post("create", "/api/v1/snapshots").setUrlParams(SnapshotCreateParams).addSuccess(SnapshotDetail, { status: 201 }))
  .add(HttpApiEndpoint.get("get", "/api/v1/snapshots/:id").setPath(SnapshotPath).addSuccess(SnapshotDetail))
  .add(HttpApiEndpoint.post("restore", "/api/v1/snapshots/:id/restore").setPath(SnapshotPath).addSuccess(SnapshotRestoreResponse)) {}

export class WorkersGroup extends HttpApiGroup.make("workers")
  .add(HttpApiEndpoint.get("list", "/api/v1/workers/list").addSuccess(WorkerListResponse))
  .add(HttpApiEndpoint.get("stats", "/api/v1/workers/stats").addSuccess(WorkerStatsResponse)) {}

export class CanopyApi extends HttpApi.make("juniper-canopy")
  .add(HealthGroup)
  .add(ReadGroup)
  .add(TrainingGroup)
  .add(DatasetGroup)
  .add(SnapshotsGroup)
  .add(WorkersGroup)
  // Every route may answer any of the error bodies (one shape, §3.1).
  .addError(CanopyBadRequest)
  .addError(CanopyForbidden)
  .addError(CanopyNotFound)
  .addError(CanopyConflict)
  .addError(CanopyValidationError)
  .addError(CanopyNotImplemented)
  .addError(CanopyBadGateway)
  .addError(CanopyUnavailable)
  .addError(CanopyGatewayTimeout)
  .annotate(OpenApi.Title, "JuniperCanopy")
  .annotate(
    OpenApi.Description,
    "The Juniper dashboard's API: backend status, metrics, topology, dataset, decision boundary, training control and parameters, snapshots and workers. WebSockets: /ws/training (frames) and /ws/control (commands)."
  ) {}
