/** The RPC handlers (over the same default session as the REST handlers) and their routes at /rpc. */
import { RpcSerialization, RpcServer } from "@effect/rpc"
import { Effect, Layer, Option, Stream } from "effect"
import type { GenericFrame } from "../api/schema.js"
import type { OutFrame } from "../session/broadcaster.js"
import { CascorRuns } from "../session/registry.js"
import type { TrainingSession } from "../session/session.js"
import { WsTransport } from "../ws/context.js"
import { Outbox } from "../ws/outbox.js"
import { transportMetricsOf } from "../ws/transport-metrics.js"
import { CascorRpcs } from "./group.js"
import { CascorClusterRpcs, RunRpcsLive } from "../cluster/rpc.js"

/** Frames buffered per RPC subscriber (same policy as a WebSocket client). */
const SUBSCRIBER_BUFFER = 1024

/** The /ws/training sequence as a stream: fresh-connect frames (or a replay after lastSeq), then the broadcasts. */
export const watchTraining = (session: TrainingSession, lastSeq?: number): Stream.Stream<GenericFrame> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const b = session.broadcaster
      const outbox = new Outbox(SUBSCRIBER_BUFFER)
      const replay = lastSeq === undefined ? null : b.replayAfter(lastSeq)
      const first: Array<OutFrame> =
        replay !== null
          ? [b.personal("resume_ok", { replayed_count: replay.length }), ...replay]
          : [
              ...(lastSeq !== undefined ? [b.personal("resume_failed", { reason: "out_of_range" })] : []),
              b.personal("initial_status", session.statusNow()),
              b.personal("state", session.stateFrameData()),
              b.personal("initial_metrics", session.initialMetrics())
            ]
      for (const f of first) outbox.push(f)
      yield* Effect.acquireRelease(
        Effect.sync(() => b.subscribe({ deliver: (f) => outbox.push(f) })),
        (unsubscribe) => Effect.sync(() => (unsubscribe(), outbox.shutdown()))
      )
      return Stream.repeatEffectOption(
        Effect.flatMap(outbox.take, (item) =>
          item !== null && "frame" in item ? Effect.succeed(JSON.parse(item.frame.text) as GenericFrame) : Effect.fail(Option.none())
        )
      )
    })
  )

export const CascorRpcsLive = CascorRpcs.toLayer(
  Effect.gen(function* () {
    const s = (yield* CascorRuns).default
    const ws = Option.getOrNull(yield* Effect.serviceOption(WsTransport))
    return CascorRpcs.of({
      CreateNetwork: (req) => s.createNetwork(req),
      GetNetwork: () => s.networkInfo(),
      DeleteNetwork: () => s.deleteNetwork(),
      GetTopology: () => s.topology(),
      GetStatistics: () => s.stats(),
      EditWeights: (req) => s.editWeights(req),
      AddHiddenUnit: (req) => s.addHiddenUnit(req),
      RemoveHiddenUnit: ({ idx }) => s.removeHiddenUnit(idx),
      StartTraining: (req) => s.start(req),
      StopTraining: () => s.stop(),
      PauseTraining: () => s.pause(),
      ResumeTraining: () => s.resume(),
      ResetTraining: () => s.reset(),
      GetTrainingStatus: () => s.status(),
      GetTrainingParams: () => s.trainingParams(),
      UpdateTrainingParams: (p) => s.patchParams(p),
      GetMetrics: () => s.metrics(),
      GetMetricsHistory: ({ count }) => s.metricsHistory(count),
      ClearMetrics: () => s.clearMetrics(),
      UndoClearMetrics: () => s.undoClearMetrics(),
      GetTransportMetrics: () => Effect.sync(() => transportMetricsOf(s.broadcaster, ws)),
      GetDataset: () => s.datasetInfo(),
      GetDatasetData: () => s.datasetData(),
      GetDecisionBoundary: ({ resolution }) => s.decisionBoundary(resolution ?? 100),
      SaveSnapshot: ({ description }) => s.saveSnapshot(description ?? ""),
      ListSnapshots: ({ limit, offset }) => s.listSnapshots(limit, offset),
      GetSnapshot: ({ id }) => s.getSnapshot(id),
      RestoreSnapshot: ({ id }) => s.restoreSnapshot(id),
      RetrainSnapshot: ({ id }) => s.retrainSnapshot(id),
      ResumeSnapshot: ({ id }) => s.resumeSnapshot(id),
      DeleteSnapshot: ({ id }) => s.deleteSnapshot(id),
      ListWorkers: () => s.workers(),
      GetWorkerStats: () => s.workerStats(),
      GetWorker: ({ worker_id }) => s.worker(worker_id),
      WatchTraining: ({ last_seq }) => watchTraining(s, last_seq)
    })
  })
)

/** `/rpc`: POST for HTTP (ndjson), GET upgrades to a WebSocket. */
export const CascorRpcRoutes = Layer.mergeAll(
  RpcServer.layerHttpRouter({ group: CascorClusterRpcs, path: "/rpc", protocol: "http" }),
  RpcServer.layerHttpRouter({ group: CascorClusterRpcs, path: "/rpc", protocol: "websocket" })
).pipe(Layer.provide([CascorRpcsLive, RunRpcsLive, RpcSerialization.layerNdjson]))
