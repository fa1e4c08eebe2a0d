/**
 * JuniperData as a Layer: the HttpApi (+ RPC) on core's server, over the LocalFS store (or any DatasetStore), with
 * readiness checking the storage directory.
 */
import { Effect, Layer } from "effect"
import { stat } from "node:fs/promises"
import { type DependencyProbe, fastApiErrors, layerHealth, layerMetrics, packageVersion, serve, SdNotify } from "@juniper/core"
import type { DataSettings } from "./config.js"
import { GENERATORS } from "./generators/registry.js"
import { DataApi } from "./http/api.js"
import { DataApiLive } from "./http/handlers.js"
import { DataRpcRoutes } from "./rpc/server.js"
import { DatasetService } from "./service/dataset-service.js"
import { DatasetStore } from "./store/dataset-store.js"
import { LocalFsDatasetStoreLayer } from "./store/local-fs.js"

export const SERVICE = "juniper-data"
export const VERSION = packageVersion(import.meta.url)

const storageProbe: DependencyProbe = {
  key: "storage",
  name: "Dataset Storage",
  critical: true,
  check: Effect.flatMap(DatasetStore, (store) =>
    Effect.map(store.health, (h) => ({ status: h.healthy ? ("healthy" as const) : ("unhealthy" as const), message: h.message }))
  ) as Effect.Effect<{ status: "healthy" | "unhealthy"; message: string }>
}

/** The HTTP server over whatever DatasetStore is provided. */
export const dataServer = (settings: DataSettings) =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const store = yield* DatasetStore
      const probe: DependencyProbe = { ...storageProbe, check: Effect.provideService(storageProbe.check, DatasetStore, store) }
      const health = layerHealth({
        service: SERVICE,
        version: VERSION,
        gitSha: settings.http.gitSha,
        buildDate: settings.http.buildDate,
        probes: [probe],
        details: Effect.succeed({ generators_loaded: GENERATORS.length }),
        liveCheck: Effect.tryPromise({ try: () => stat(settings.storagePath), catch: () => "storage not found" }).pipe(
          Effect.flatMap((s) => (s.isDirectory() ? Effect.void : Effect.fail("storage is not a directory"))),
          Effect.when(() => store.location !== "memory"),
          Effect.asVoid
        )
      })
      return serve({
        api: DataApi,
        handlers: DataApiLive,
        routes: DataRpcRoutes,
        routePatterns: [{ method: "POST", path: "/rpc" }, { method: "GET", path: "/rpc" }],
        settings: settings.http,
        errors: fastApiErrors
      }).pipe(
        Layer.provide(health),
        Layer.provide(layerMetrics("juniper_data", { version: VERSION, gitSha: settings.http.gitSha, buildDate: settings.http.buildDate })),
        Layer.provide(DatasetService.layer({ defaultSeed: settings.defaultGeneratorSeed }))
      )
    })
  )

/** The service as deployed: LocalFS storage under settings.storagePath. */
export const DataServiceLive = (settings: DataSettings): Layer.Layer<never, unknown, SdNotify> =>
  dataServer(settings).pipe(Layer.provide(LocalFsDatasetStoreLayer({ directory: settings.storagePath })))
