/**
 * FakeDataClient: the JuniperDataClient interface served in-process by the real generators, ids and NPZ code over an
 * in-memory store, so that fake and server return identical data (unlike upstream's fake). For users' tests.
 */
import { Context, Effect, Either, Layer } from "effect"
import { HealthResponse, ReadinessResponse } from "@juniper/core"
import { DatasetService } from "../service/dataset-service.js"
import { decodeTabularNpz } from "../npz/npz.js"
import { DatasetStore } from "../store/dataset-store.js"
import { makeInMemoryDatasetStore } from "../store/in-memory.js"
import type { DataFailure } from "../http/errors.js"
import { DataClientError, type DataClientFailure, statusFailure } from "./errors.js"
import { createBody, JuniperDataClient, type JuniperDataClientShape, spiralParams } from "./shape.js"

/** The fake's test hooks. */
export interface FakeDataClientControl {
  /** Forget every dataset. */
  readonly reset: Effect.Effect<void>
}
export class FakeDataClient extends Context.Tag("@juniper/data/FakeDataClientControl")<FakeDataClient, FakeDataClientControl>() {}

const toClientFailure = (e: DataFailure): DataClientFailure => {
  switch (e._tag) {
    case "DatasetNotFound":
      return statusFailure(404, e.detail)
    case "StorageError":
      return statusFailure(500, e.detail)
    default:
      return statusFailure(400, e.detail)
  }
}

export const makeFakeDataClient = (options: { readonly baseUrl?: string; readonly defaultSeed?: number } = {}) =>
  Effect.gen(function* () {
    const store = makeInMemoryDatasetStore()
    const service = yield* Effect.provide(DatasetService, DatasetService.layer({ defaultSeed: options.defaultSeed ?? 42 }).pipe(Layer.provide(Layer.succeed(DatasetStore, store))))
    const run = <A>(effect: Effect.Effect<A, DataFailure>): Effect.Effect<A, DataClientFailure> => Effect.mapError(effect, toClientFailure)
    const baseUrl = options.baseUrl ?? "http://fake-data:8100"
    const readiness = () =>
      Effect.map(store.health, (h) =>
        new ReadinessResponse({
          status: "ready",
          version: "fake",
          service: "juniper-data",
          timestamp: Date.now() / 1000,
          git_sha: null,
          build_date: null,
          dependencies: { storage: { name: "Dataset Storage", status: "healthy", latency_ms: 0, message: h.message } },
          details: { generators_loaded: 6 }
        })
      )
    const client: JuniperDataClientShape = {
      baseUrl,
      healthCheck: () => Effect.succeed(new HealthResponse({ status: "ok", version: "fake", service: "juniper-data", git_sha: null, build_date: null })),
      readiness,
      isReady: () => Effect.succeed(true),
      waitForReady: () => Effect.succeed(true),
      listGenerators: () => service.generators,
      getGeneratorSchema: (name) =>
        Effect.mapError(service.generatorSchema(name), (e) => statusFailure(404, e.notFoundDetail)),
      createDataset: (generator, params = {}, o = {}) =>
        Effect.map(run(service.create(createBody(generator, params, o))), (outcome) => outcome.response),
      createSpiralDataset: (o = {}) => client.createDataset("spiral", spiralParams(o)),
      listDatasets: (o = {}) => run(service.list({ limit: o.limit ?? 100, offset: o.offset ?? 0 })),
      getDatasetMetadata: (id) => run(service.getMeta(id)),
      downloadArtifactBytes: (id) => run(service.getArtifact(id)),
      downloadArtifactNpz: (id) =>
        Effect.flatMap(run(service.getArtifact(id)), (bytes) =>
          Either.match(decodeTabularNpz(bytes), {
            onLeft: (reason) => Effect.fail(new DataClientError({ message: reason, statusCode: 200, detail: null })),
            onRight: Effect.succeed
          })
        ),
      getPreview: (id, n = 100) => run(service.preview(id, n)),
      deleteDataset: (id) => Effect.as(run(service.delete(id)), true as const)
    }
    return { client, control: { reset: store.clear } satisfies FakeDataClientControl }
  })

/** FakeDataClient as a Layer of JuniperDataClient, plus its control hooks. */
export const layerFakeDataClient = (options: { readonly baseUrl?: string; readonly defaultSeed?: number } = {}) =>
  Layer.effectContext(
    Effect.map(makeFakeDataClient(options), ({ client, control }) =>
      Context.make(JuniperDataClient, client).pipe(Context.add(FakeDataClient, control))
    )
  )
