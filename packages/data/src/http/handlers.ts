/** Handlers of the JuniperData HttpApi: thin adapters from the DatasetService to the wire. */
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect, Layer } from "effect"
import { healthHandlers } from "@juniper/core"
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

/** All handlers; needs DatasetService and core's Health. */
export const DataApiLive = Layer.mergeAll(GeneratorsLive, DatasetsLive, healthHandlers(DataApi))
