/**
 * JuniperCascor as a Layer: the HttpApi (REST under /v1), the WebSockets (/ws/training, /ws/control) and the RPC
 * group (/rpc) on core's server, over one run registry (CascorRuns) built from the kernels chosen by
 * JUNIPER_CASCOR_BACKEND, the JuniperData client and the snapshot store. Readiness probes JuniperData (degraded when
 * it is down); /metrics carries the training gauges; auto-start runs in the background when enabled.
 */
import { Context, Effect, Layer } from "effect"
import {
  Health,
  makeHealth,
  makeMetrics,
  Metrics,
  packageVersion,
  serve,
  type SdNotify
} from "@juniper/core"
import { layerJuniperDataClient } from "@juniper/data"
import { CascorApi } from "./api/http-api.js"
import { CascorBackend, kernelsLayerFor } from "./backend/registry.js"
import { offloadTsKernels } from "./backend/ts-offload.js"
import { clusterLayer } from "./cluster/layers.js"
import type { CascorSettings } from "./config.js"
import { CascorKernels } from "./engine/service.js"
import { CascorApiLive } from "./http/handlers.js"
import { cascorErrors } from "./http/wire-errors.js"
import { CascorRpcRoutes } from "./rpc/server.js"
import { layerAutoStart } from "./service/autostart.js"
import { registerTrainingGauges } from "./service/prometheus.js"
import { juniperDataProbe } from "./service/readiness.js"
import { layerSnapshotStore } from "./snapshots/store.js"
import { CascorRuns, defaultSessionSettings, layerCascorRuns } from "./session/registry.js"
import { layerWsTransport } from "./ws/context.js"
import { WS_ROUTE_PATTERNS, wsRoutes } from "./ws/routes.js"

export const SERVICE = "juniper-cascor"
export const VERSION = packageVersion(import.meta.url)

/** The run registry and what it stands on (kernels, data client, snapshot store). */
export const runsLayer = (s: CascorSettings) =>
  layerCascorRuns({
    session: { ...defaultSessionSettings, evalMetricsEnabled: s.evalMetricsEnabled, initialMetricsCount: s.ws.initialMetricsCount },
    broadcast: {
      replayBufferSize: s.ws.replayBufferSize,
      maxMessageSizeBytes: s.ws.maxMessageSizeBytes,
      chunkPayloadSizeBytes: s.ws.chunkPayloadSizeBytes
    },
    dataApiKey: s.juniperDataApiKey,
    stepIntervalSec: s.trainingStepIntervalSec
  }).pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        // Large TypeScript candidate phases on a worker thread (no native addon here): the event loop keeps serving.
        kernelsLayerFor(s.backend).pipe(Layer.map((ctx) => Context.add(ctx, CascorKernels, offloadTsKernels(Context.get(ctx, CascorKernels))))),
        layerJuniperDataClient({ baseUrl: s.juniperDataUrl, ...(s.juniperDataApiKey ? { apiKey: s.juniperDataApiKey } : {}) }),
        layerSnapshotStore({ directory: s.snapshotsDir, autoRetain: s.snapshotsAutoRetain, writeDelayMs: s.snapshotWriteDelayMs })
      )
    )
  )

/** The server (everything but SdNotify, which runService provides). */
export const CascorServiceLive = (s: CascorSettings): Layer.Layer<never, unknown, SdNotify> => {
  const build = { version: VERSION, gitSha: s.http.gitSha, buildDate: s.http.buildDate }
  const health = Layer.effect(
    Health,
    Effect.flatMap(CascorRuns, (runs) =>
      makeHealth({
        service: SERVICE,
        version: VERSION,
        gitSha: s.http.gitSha,
        buildDate: s.http.buildDate,
        probes: [juniperDataProbe(s.juniperDataUrl)],
        details: Effect.sync(() => ({ network_loaded: runs.default.networkLoaded, training_state: runs.default.fsmState }))
      })
    )
  )
  const metrics = Layer.effect(
    Metrics,
    Effect.gen(function* () {
      const runs = yield* CascorRuns
      const backend = yield* CascorBackend
      const m = makeMetrics("juniper_cascor", build)
      registerTrainingGauges(m, runs, backend.backend)
      return m
    })
  )
  const server = serve({
    api: CascorApi,
    handlers: CascorApiLive,
    routes: Layer.mergeAll(CascorRpcRoutes, wsRoutes),
    routePatterns: [...WS_ROUTE_PATTERNS, { method: "POST", path: "/rpc" }, { method: "GET", path: "/rpc" }],
    settings: s.http,
    errors: cascorErrors,
    authExempt: (path) => path.startsWith("/ws/")
  })
  return Layer.mergeAll(server, layerAutoStart(s.autoStart)).pipe(
    Layer.provide(health),
    Layer.provide(metrics),
    // One WebSocket admission for the sockets and GET /v1/metrics/transport.
    Layer.provide(layerWsTransport(s.ws, s.http)),
    Layer.provide(clusterLayer(s.cluster, s.ws)),
    Layer.provide(runsLayer(s))
  ) as Layer.Layer<never, unknown, SdNotify>
}
