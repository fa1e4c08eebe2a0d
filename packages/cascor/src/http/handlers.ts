/** Handlers of the JuniperCascor HttpApi: thin adapters from the default run's session to the envelope. */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Layer, Option } from "effect"
import { healthHandlers } from "@juniper/core"
import { nowMeta } from "../api/errors.js"
import { CascorApi } from "../api/http-api.js"
import { RunsLive } from "../cluster/http-handlers.js"
import { SessionInvalid } from "../session/errors.js"
import { CascorRuns } from "../session/registry.js"
import type { TrainingSession } from "../session/session.js"
import { WsTransport } from "../ws/context.js"
import { transportMetricsOf } from "../ws/transport-metrics.js"
import { httpErrors } from "./errors.js"

/** `{"status":"success","data":…,"meta":{timestamp, version}}`. */
export const ok = <A>(data: A) => ({ status: "success" as const, data, meta: nowMeta() })

const withSession = <A, E, R>(f: (s: TrainingSession) => Effect.Effect<A, E, R>) => Effect.flatMap(CascorRuns, (runs) => f(runs.default))

/** E3's `{idx}`: an integer (a negative one names no unit: the session's 404), else a 400 naming it. */
const hiddenUnitIndex = (idx: string): Effect.Effect<number, SessionInvalid> =>
  /^-?\d{1,15}$/.test(idx)
    ? Effect.succeed(Number(idx))
    : Effect.fail(
        new SessionInvalid({
          message: `idx: expected an integer hidden unit index, got '${idx.slice(0, 50)}'`,
          status: 400,
          issues: [{ type: "int_parsing", loc: ["path", "idx"], msg: "expected an integer", input: idx.slice(0, 50) }]
        })
      )

/** Large payloads skip schema encoding (they are built from the schema's own types). */
const okRaw = <A>(data: A) => HttpServerResponse.unsafeJson(ok(data))

const NetworkLive = HttpApiBuilder.group(CascorApi, "network", (h) =>
  h
    .handle("createNetwork", ({ payload }) => withSession((s) => s.createNetwork(payload ?? {})).pipe(httpErrors, Effect.map(ok)))
    .handle("getNetwork", () => withSession((s) => s.networkInfo()).pipe(httpErrors, Effect.map(ok)))
    .handle("deleteNetwork", () => withSession((s) => s.deleteNetwork()).pipe(httpErrors, Effect.map(ok)))
    .handle("getTopology", () => withSession((s) => s.topology()).pipe(httpErrors, Effect.map(okRaw)))
    .handle("getStatistics", () => withSession((s) => s.stats()).pipe(httpErrors, Effect.map(ok)))
    .handle("editWeights", ({ payload }) => withSession((s) => s.editWeights(payload)).pipe(httpErrors, Effect.map(ok)))
    .handle("addHiddenUnit", ({ payload }) => withSession((s) => s.addHiddenUnit(payload)).pipe(httpErrors, Effect.map(ok)))
    .handle("removeHiddenUnit", ({ path }) =>
      withSession((s) => Effect.flatMap(hiddenUnitIndex(path.idx), (idx) => s.removeHiddenUnit(idx))).pipe(httpErrors, Effect.map(ok))
    )
)

const TrainingLive = HttpApiBuilder.group(CascorApi, "training", (h) =>
  h
    .handle("startTraining", ({ payload }) => withSession((s) => s.start(payload)).pipe(httpErrors, Effect.map(ok)))
    .handle("stopTraining", () => withSession((s) => s.stop()).pipe(Effect.map(ok)))
    .handle("pauseTraining", () => withSession((s) => s.pause()).pipe(httpErrors, Effect.map(ok)))
    .handle("resumeTraining", () => withSession((s) => s.resume()).pipe(httpErrors, Effect.map(ok)))
    .handle("resetTraining", () => withSession((s) => s.reset()).pipe(httpErrors, Effect.map(ok)))
    .handle("getTrainingStatus", () => withSession((s) => s.status()).pipe(Effect.map(ok)))
    .handle("getTrainingParams", () => withSession((s) => s.trainingParams()).pipe(httpErrors, Effect.map(ok)))
    .handle("updateTrainingParams", ({ payload }) => withSession((s) => s.patchParams(payload)).pipe(httpErrors, Effect.map(ok)))
)

const MetricsLive = HttpApiBuilder.group(CascorApi, "metrics", (h) =>
  Effect.map(Effect.serviceOption(WsTransport), (ws) =>
    h
      .handle("getMetrics", () => withSession((s) => s.metrics()).pipe(httpErrors, Effect.map(ok)))
      .handle("getMetricsHistory", ({ urlParams }) => withSession((s) => s.metricsHistory(urlParams.count)).pipe(Effect.map(okRaw)))
      .handle("clearMetrics", () => withSession((s) => s.clearMetrics()).pipe(Effect.map(ok)))
      .handle("undoClearMetrics", () => withSession((s) => s.undoClearMetrics()).pipe(httpErrors, Effect.map(ok)))
      .handle("getTransportMetrics", () => withSession((s) => Effect.sync(() => ok(transportMetricsOf(s.broadcaster, Option.getOrNull(ws))))))
  )
)

const DatasetLive = HttpApiBuilder.group(CascorApi, "dataset", (h) =>
  h
    .handle("getDataset", () => withSession((s) => s.datasetInfo()).pipe(Effect.map(ok)))
    .handle("getDatasetData", () => withSession((s) => s.datasetData()).pipe(httpErrors, Effect.map(okRaw)))
    .handle("getDecisionBoundary", ({ urlParams }) =>
      withSession((s) => s.decisionBoundary(urlParams.resolution ?? 100)).pipe(httpErrors, Effect.map(okRaw))
    )
)

const SnapshotsLive = HttpApiBuilder.group(CascorApi, "snapshots", (h) =>
  h
    .handle("saveSnapshot", ({ payload }) => withSession((s) => s.saveSnapshot(payload?.description ?? "")).pipe(httpErrors, Effect.map(ok)))
    .handle("listSnapshots", ({ urlParams }) => withSession((s) => s.listSnapshots(urlParams.limit, urlParams.offset)).pipe(Effect.map(ok)))
    .handle("getSnapshot", ({ path }) => withSession((s) => s.getSnapshot(path.id)).pipe(httpErrors, Effect.map(ok)))
    .handle("restoreSnapshot", ({ path }) => withSession((s) => s.restoreSnapshot(path.id)).pipe(httpErrors, Effect.map(ok)))
    .handle("retrainSnapshot", ({ path }) => withSession((s) => s.retrainSnapshot(path.id)).pipe(httpErrors, Effect.map(ok)))
    .handle("resumeSnapshot", ({ path }) => withSession((s) => s.resumeSnapshot(path.id)).pipe(httpErrors, Effect.map(ok)))
    .handle("deleteSnapshot", ({ path }) => withSession((s) => s.deleteSnapshot(path.id)).pipe(httpErrors, Effect.map(ok)))
)

const WorkersLive = HttpApiBuilder.group(CascorApi, "workers", (h) =>
  h
    .handle("listWorkers", () => withSession((s) => s.workers()).pipe(Effect.map(ok)))
    .handle("getWorkerStats", () => withSession((s) => s.workerStats()).pipe(Effect.map(ok)))
    .handle("getWorker", ({ path }) => withSession((s) => s.worker(path.worker_id)).pipe(httpErrors, Effect.map(ok)))
)

/** All handlers; needs CascorRuns and core's Health. */
export const CascorApiLive = Layer.mergeAll(NetworkLive, TrainingLive, MetricsLive, DatasetLive, SnapshotsLive, WorkersLive, RunsLive, healthHandlers(CascorApi))
