/** Handlers of the JuniperData HttpApi: thin adapters from the DatasetService to the wire. */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"
import { healthHandlers } from "@juniper/core"
import { formatApiDateTime } from "../datetime.js"
import { DatasetService } from "../service/dataset-service.js"
import { DataApi } from "./api.js"
import { httpErrors, NotFound } from "./errors.js"

const GeneratorsLive = HttpApiBuilder.group(DataApi, "generators", (h) =>
  h
    .handle("listGenerators", () => Effect.flatMap(DatasetService, (s) => s.generators))
    .handle("getGeneratorSchema", ({ path }) =>
      Effect.flatMap(DatasetService, (s) => s.generatorSchema(path.name)).pipe(
        Effect.catchTag("UnknownGenerator", (e) => Effect.fail(new NotFound({ detail: e.notFoundDetail })))
      )
    )
)

const DatasetsLive = HttpApiBuilder.group(DataApi, "datasets", (h) =>
  h
    .handle("createDataset", ({ payload }) =>
      Effect.flatMap(DatasetService, (s) => s.create(payload)).pipe(
        httpErrors,
        // 201 on a cache hit too (upstream's behaviour); the optional header says it was one.
        Effect.map(({ cacheHit, response }) =>
          cacheHit ? HttpServerResponse.unsafeJson(response, { status: 201, headers: { "x-juniper-cache": "hit" } }) : response
        )
      )
    )
    .handle("listDatasets", ({ urlParams }) => Effect.flatMap(DatasetService, (s) => s.list(urlParams)).pipe(httpErrors))
    .handle("getDataset", ({ path }) => Effect.flatMap(DatasetService, (s) => s.getMeta(path.id)).pipe(httpErrors))
    .handle("downloadArtifact", ({ path }) =>
      Effect.flatMap(DatasetService, (s) => s.getArtifact(path.id)).pipe(
        httpErrors,
        Effect.map((bytes) =>
          HttpServerResponse.uint8Array(bytes, {
            contentType: "application/octet-stream",
            headers: { "content-disposition": `attachment; filename=${path.id}.npz` }
          })
        )
      )
    )
    .handle("getPreview", ({ path, urlParams }) => Effect.flatMap(DatasetService, (s) => s.preview(path.id, urlParams.n)).pipe(httpErrors))
    .handle("deleteDataset", ({ path }) => Effect.flatMap(DatasetService, (s) => s.delete(path.id)).pipe(httpErrors))
)

const CatalogLive = HttpApiBuilder.group(DataApi, "catalog", (h) =>
  h
    .handle("filterDatasets", ({ urlParams }) =>
      Effect.flatMap(DatasetService, (s) => s.catalog.filter(urlParams)).pipe(httpErrors)
    )
    .handle("datasetStats", () => Effect.flatMap(DatasetService, (s) => s.catalog.stats).pipe(httpErrors))
    .handle("batchDelete", ({ payload }) => Effect.flatMap(DatasetService, (s) => s.catalog.batchDelete(payload.dataset_ids)).pipe(httpErrors))
    .handle("cleanupExpired", () => Effect.flatMap(DatasetService, (s) => s.catalog.cleanupExpired).pipe(httpErrors))
    .handle("batchCreate", ({ payload }) =>
      Effect.flatMap(DatasetService, (s) => s.catalog.batchCreate(payload.datasets)).pipe(
        // 201 when at least one was created, else 200 (§2 D6).
        Effect.map((r) => (r.total_created > 0 ? r : HttpServerResponse.unsafeJson(r, { status: 200 })))
      )
    )
    .handle("batchExport", ({ payload }) =>
      Effect.flatMap(DatasetService, (s) => s.catalog.batchExport(payload.dataset_ids)).pipe(
        httpErrors,
        Effect.catchTag("NotFound", () => Effect.fail(new NotFound({ detail: "None of the requested datasets were found" }))),
        Effect.map((zip) =>
          HttpServerResponse.uint8Array(zip, { contentType: "application/zip", headers: { "content-disposition": "attachment; filename=datasets.zip" } })
        )
      )
    )
    .handle("batchTags", ({ payload }) =>
      Effect.flatMap(DatasetService, (s) => s.catalog.batchTags(payload.dataset_ids, payload.add_tags, payload.remove_tags)).pipe(httpErrors)
    )
    .handle("listVersions", ({ urlParams }) => Effect.flatMap(DatasetService, (s) => s.catalog.versions(urlParams.name)).pipe(httpErrors))
    .handle("getLatest", ({ urlParams }) =>
      Effect.flatMap(DatasetService, (s) => s.catalog.latest(urlParams.name)).pipe(
        httpErrors,
        Effect.catchTag("NotFound", () => Effect.fail(new NotFound({ detail: `No versions found for dataset '${urlParams.name}'` })))
      )
    )
    .handle("updateTags", ({ path, payload }) =>
      Effect.flatMap(DatasetService, (s) => s.catalog.updateTags(path.id, payload.add_tags, payload.remove_tags)).pipe(httpErrors)
    )
    .handle("getAccess", ({ path }) =>
      Effect.flatMap(DatasetService, (s) => s.catalog.access(path.id)).pipe(
        httpErrors,
        Effect.map((a) =>
          HttpServerResponse.unsafeJson(
            { ...a, last_accessed_at: a.last_accessed_at === null ? null : formatApiDateTime(a.last_accessed_at) },
            { headers: { "cache-control": "no-store" } }
          )
        )
      )
    )
)

/** All handlers; needs DatasetService and core's Health. */
export const DataApiLive = Layer.mergeAll(GeneratorsLive, DatasetsLive, CatalogLive, healthHandlers(DataApi))
