/**
 * The JuniperData HTTP API (data-api §2) as an Effect HttpApi: the server, the typed client and OpenAPI all derive
 * from this one definition. Wire types live in ../schema.ts.
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import { HealthGroup } from "@juniper/core"
import {
  AccessResponse,
  BatchCreateRequest,
  BatchCreateResponse,
  BatchDeleteRequest,
  BatchDeleteResponse,
  BatchExportRequest,
  BatchTagsRequest,
  BatchTagsResponse,
  FilterResponse,
  FilterUrlParams,
  StatsResponse,
  UpdateTagsRequest,
  VersionsResponse,
  VersionsUrlParams,
  CreateDatasetRequest,
  CreateDatasetResponse,
  DatasetIdList,
  DatasetMeta,
  GeneratorInfo,
  GeneratorSchemaResponse,
  ListDatasetsUrlParams,
  Preview,
  PreviewUrlParams
} from "../schema.js"
import { BadRequest, InternalError, NotFound } from "./errors.js"

const DatasetPath = Schema.Struct({ id: Schema.String })

export class GeneratorsGroup extends HttpApiGroup.make("generators")
  .add(HttpApiEndpoint.get("listGenerators", "/generators").addSuccess(Schema.Array(GeneratorInfo)))
  .add(
    HttpApiEndpoint.get("getGeneratorSchema", "/generators/:name/schema")
      .setPath(Schema.Struct({ name: Schema.String }))
      .addSuccess(GeneratorSchemaResponse)
      .addError(NotFound)
  ) {}

export class DatasetsGroup extends HttpApiGroup.make("datasets")
  .add(
    HttpApiEndpoint.post("createDataset", "/datasets")
      .setPayload(CreateDatasetRequest)
      .addSuccess(CreateDatasetResponse, { status: 201 })
      .addError(BadRequest)
      .addError(InternalError)
  )
  .add(HttpApiEndpoint.get("listDatasets", "/datasets").setUrlParams(ListDatasetsUrlParams).addSuccess(DatasetIdList))
  .add(
    HttpApiEndpoint.get("getDataset", "/datasets/:id")
      .setPath(DatasetPath)
      .addSuccess(DatasetMeta)
      .addError(NotFound)
      .addError(BadRequest)
  )
  .add(
    HttpApiEndpoint.get("downloadArtifact", "/datasets/:id/artifact")
      .setPath(DatasetPath)
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/octet-stream" }))
      .addError(NotFound)
      .addError(BadRequest)
  )
  .add(
    HttpApiEndpoint.get("getPreview", "/datasets/:id/preview")
      .setPath(DatasetPath)
      .setUrlParams(PreviewUrlParams)
      .addSuccess(Preview)
      .addError(NotFound)
      .addError(BadRequest)
  )
  .add(
    HttpApiEndpoint.del("deleteDataset", "/datasets/:id")
      .setPath(DatasetPath)
      .addSuccess(HttpApiSchema.NoContent)
      .addError(NotFound)
      .addError(BadRequest)
  )
  .addError(InternalError) {}

/** S and L tiers: catalogue queries, tags, batches, expiry, access counters, versions (§2). */
export class CatalogGroup extends HttpApiGroup.make("catalog")
  .add(HttpApiEndpoint.get("filterDatasets", "/datasets/filter").setUrlParams(FilterUrlParams).addSuccess(FilterResponse).addError(BadRequest))
  .add(HttpApiEndpoint.get("datasetStats", "/datasets/stats").addSuccess(StatsResponse))
  .add(HttpApiEndpoint.post("batchDelete", "/datasets/batch-delete").setPayload(BatchDeleteRequest).addSuccess(BatchDeleteResponse))
  .add(HttpApiEndpoint.post("cleanupExpired", "/datasets/cleanup-expired").addSuccess(Schema.Array(Schema.String)))
  .add(HttpApiEndpoint.post("batchCreate", "/datasets/batch-create").setPayload(BatchCreateRequest).addSuccess(BatchCreateResponse, { status: 201 }))
  .add(
    HttpApiEndpoint.post("batchExport", "/datasets/batch-export")
      .setPayload(BatchExportRequest)
      .addSuccess(HttpApiSchema.Uint8Array({ contentType: "application/zip" }))
      .addError(NotFound)
  )
  .add(HttpApiEndpoint.patch("batchTags", "/datasets/batch-tags").setPayload(BatchTagsRequest).addSuccess(BatchTagsResponse))
  .add(HttpApiEndpoint.get("listVersions", "/datasets/versions").setUrlParams(VersionsUrlParams).addSuccess(VersionsResponse))
  .add(HttpApiEndpoint.get("getLatest", "/datasets/latest").setUrlParams(VersionsUrlParams).addSuccess(DatasetMeta).addError(NotFound))
  .add(
    HttpApiEndpoint.patch("updateTags", "/datasets/:id/tags")
      .setPath(DatasetPath)
      .setPayload(UpdateTagsRequest)
      .addSuccess(DatasetMeta)
      .addError(NotFound)
      .addError(BadRequest)
  )
  .add(HttpApiEndpoint.get("getAccess", "/datasets/:id/access").setPath(DatasetPath).addSuccess(AccessResponse).addError(NotFound).addError(BadRequest))
  .addError(InternalError) {}

export class DataApi extends HttpApi.make("juniper-data")
  .add(HealthGroup)
  .add(GeneratorsGroup)
  .add(DatasetsGroup)
  .add(CatalogGroup)
  .prefix("/v1")
  .annotate(OpenApi.Title, "JuniperData")
  .annotate(OpenApi.Description, "Dataset generation and storage for the Juniper platform (NumPy-compatible generators, NPZ artifacts).") {}
