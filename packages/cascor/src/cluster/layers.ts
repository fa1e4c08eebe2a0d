/**
 * The cluster as Layers, by mode and role (settings in ./config.ts):
 *
 * | mode / role        | sharding                                   | storage                         | this process runs            |
 * |--------------------|--------------------------------------------|---------------------------------|------------------------------|
 * | single / all       | one in-process runner, no sockets          | memory (messages, runners, runs)| API, workflows, jobs         |
 * | postgres / all     | socket runner (RUNNER_HOST:RUNNER_PORT)    | PostgreSQL                      | API, workflows, jobs         |
 * | postgres / runner  | socket runner                              | PostgreSQL                      | workflows, jobs (+ health)   |
 * | postgres / api     | client only (no shards)                    | PostgreSQL                      | API: sends runs, reads table |
 *
 * Runner health: `ping` (runners ping each other) or `k8s` (pod readiness from the Kubernetes API; needs a service
 * account that may list pods). Messages between runners are msgpack over TCP (binary job payloads as they are).
 */
import { ClusterWorkflowEngine, MessageStorage, RunnerAddress, RunnerHealth, Runners, RunnerStorage, Sharding, ShardingConfig, SocketRunner, SqlMessageStorage, SqlRunnerStorage } from "@effect/cluster"
import { NodeClusterSocket } from "@effect/platform-node"
import { RpcSerialization } from "@effect/rpc"
import { PgClient } from "@effect/sql-pg"
import type { WorkflowEngine } from "@effect/workflow/WorkflowEngine"
import { Duration, Effect, Layer, Option, Redacted } from "effect"
import type { CascorKernels } from "../engine/service.js"
import type { WsSettings } from "../config.js"
import type { ClusterSettings } from "./config.js"
import { layerRunFeeds } from "./ws.js"
import { layerCompute, RunnerIdentity, runnerIdentity } from "./compute.js"
import { ClusterRuns, layerClusterRuns } from "./runs.js"
import { layerMemoryRunStore, layerSqlRunStore, RunStore } from "./store.js"
import { layerCandidateTrainer } from "./trainer.js"
import { CandidateTransport, layerClusterTransport } from "./transport.js"
import { TrainingWorkflowLive } from "./workflow.js"

export const isRunner = (s: ClusterSettings): boolean => s.role !== "api"

export const shardingConfigOf = (s: ClusterSettings): Partial<ShardingConfig.ShardingConfig["Type"]> => {
  const runner = isRunner(s)
  return {
    runnerAddress: runner ? Option.some(RunnerAddress.make(s.runnerHost, s.runnerPort)) : Option.none(),
    runnerListenAddress: runner ? Option.some(RunnerAddress.make(s.runnerListenHost, s.runnerPort)) : Option.none(),
    shardsPerGroup: s.shardsPerGroup,
    entityTerminationTimeout: Duration.seconds(s.entityTerminationTimeoutSec),
    runnerHealthCheckInterval: Duration.seconds(s.healthCheckIntervalSec),
    refreshAssignmentsInterval: Duration.seconds(s.refreshAssignmentsIntervalSec),
    entityMessagePollInterval: Duration.seconds(s.messagePollIntervalSec),
    // Local entities skip the encode/decode round trip in single mode (nothing leaves the process).
    simulateRemoteSerialization: s.mode !== "single"
  }
}

type Core = Sharding.Sharding | MessageStorage.MessageStorage | ShardingConfig.ShardingConfig | WorkflowEngine | RunStore

/** Sharding + message storage + workflow engine + run store, for the mode and role. */
export const clusterCore = (s: ClusterSettings): Layer.Layer<Core | RunnerStorage.RunnerStorage, unknown> => {
  const config = ShardingConfig.layer(shardingConfigOf(s))
  if (s.mode === "single") {
    const sharding = Sharding.layer.pipe(
      Layer.provideMerge(Runners.layerNoop),
      Layer.provideMerge(MessageStorage.layerMemory),
      Layer.provideMerge(RunnerStorage.layerMemory),
      Layer.provide(RunnerHealth.layerNoop),
      Layer.provideMerge(config)
    )
    return ClusterWorkflowEngine.layer.pipe(
      Layer.provideMerge(sharding),
      Layer.provideMerge(layerMemoryRunStore)
    ) as Layer.Layer<Core | RunnerStorage.RunnerStorage, unknown>
  }
  const pg = PgClient.layer({
    url: Option.getOrThrow(s.databaseUrl) as Redacted.Redacted,
    maxConnections: s.databaseMaxConnections,
    applicationName: `juniper-cascor-${s.role}`
  })
  const storage = Layer.mergeAll(
    Layer.orDie(SqlMessageStorage.layerWith({ prefix: s.tablePrefix })),
    Layer.orDie(SqlRunnerStorage.layerWith({ prefix: s.tablePrefix }))
  ).pipe(Layer.provideMerge(config))
  const serialization = RpcSerialization.layerMsgPackWith({ maxBufferSize: s.maxMessageMb * 2 ** 20 })
  const protocol = NodeClusterSocket.layerClientProtocol.pipe(Layer.provide(serialization))
  const health = s.health === "k8s"
    ? RunnerHealth.layerK8s({
        namespace: Option.getOrUndefined(s.k8sNamespace),
        labelSelector: Option.getOrUndefined(s.k8sLabelSelector)
      }).pipe(Layer.provide(NodeClusterSocket.layerK8sHttpClient))
    : RunnerHealth.layerPing.pipe(Layer.provide(Runners.layerRpc), Layer.provide(protocol))
  const sharding = isRunner(s)
    ? SocketRunner.layer.pipe(
        Layer.provide(NodeClusterSocket.layerSocketServer),
        Layer.provide(health),
        Layer.provide(protocol),
        Layer.provide(serialization)
      )
    : SocketRunner.layerClientOnly.pipe(Layer.provide(protocol))
  return ClusterWorkflowEngine.layer.pipe(
    Layer.provideMerge(sharding),
    Layer.provideMerge(storage),
    Layer.provideMerge(layerSqlRunStore(s.tablePrefix)),
    Layer.provide(pg)
  ) as Layer.Layer<Core | RunnerStorage.RunnerStorage, unknown>
}

/** What a runner adds: the compute service, the CandidateTrainer entity, the transport and the training workflow. */
export const runnerParts = (s: ClusterSettings) =>
  Layer.mergeAll(TrainingWorkflowLive, layerCandidateTrainer({ concurrency: s.jobConcurrency })).pipe(
    Layer.provideMerge(layerClusterTransport({ partBytes: s.valuesPartKb * 1024 })),
    Layer.provideMerge(layerCompute({ workers: s.computeWorkers, cacheBytes: s.valuesCacheMb * 2 ** 20 })),
    Layer.provideMerge(Layer.succeed(RunnerIdentity, runnerIdentity(s.runnerHost, s.runnerPort)))
  )

/**
 * Everything the service process needs for its role: `ClusterRuns` (API side, roles all and api) over the cluster
 * core, plus the runner parts (roles all and runner). Needs the kernels (and sees the default session's registry
 * when the server provides it).
 */
export const clusterLayer = (
  s: ClusterSettings,
  ws?: Pick<WsSettings, "replayBufferSize" | "maxMessageSizeBytes" | "chunkPayloadSizeBytes">
): Layer.Layer<ClusterRuns | CandidateTransport | Core | RunnerStorage.RunnerStorage, unknown, CascorKernels> => {
  const core = clusterCore(s)
  const feeds = ws
    ? layerRunFeeds({ broadcast: { replayBufferSize: ws.replayBufferSize, maxMessageSizeBytes: ws.maxMessageSizeBytes, chunkPayloadSizeBytes: ws.chunkPayloadSizeBytes } })
    : Layer.empty
  const api = s.role === "runner" ? Layer.empty : Layer.provideMerge(feeds, layerClusterRuns(s))
  const runner = isRunner(s) ? runnerParts(s) : Layer.empty
  const withLog = Layer.effectDiscard(
    Effect.logInfo(
      `cluster: mode ${s.mode}, role ${s.role}` +
        (isRunner(s) && s.mode === "postgres" ? `, runner ${s.runnerHost}:${s.runnerPort} (listening on ${s.runnerListenHost})` : "")
    )
  )
  return Layer.mergeAll(api, runner, withLog).pipe(Layer.provideMerge(core)) as Layer.Layer<
    ClusterRuns | CandidateTransport | Core | RunnerStorage.RunnerStorage,
    unknown,
    CascorKernels
  >
}

export const redacted = Redacted.make
