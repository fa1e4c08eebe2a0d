/**
 * The JuniperData operations as an Effect RPC group, served at `/rpc` (POST: HTTP ndjson; GET: WebSocket). Payloads
 * and results are the wire types of ../schema.ts; failures are the data layer's own tagged errors.
 */
import { Rpc, RpcGroup } from "@effect/rpc"
import { Schema } from "effect"
import { DatasetNotFound, GenerationFailed, InvalidDatasetId, InvalidParameters, StorageError, UnknownGenerator } from "../errors.js"
import { CreateDatasetRequest, CreateDatasetResponse, DatasetIdList, DatasetMeta, GeneratorInfo, Preview } from "../schema.js"

const Lookup = Schema.Union(DatasetNotFound, InvalidDatasetId, StorageError)

export class DataRpcs extends RpcGroup.make(
  Rpc.make("ListGenerators", { success: Schema.Array(GeneratorInfo) }),
  Rpc.make("GetGeneratorSchema", { payload: { name: Schema.String }, success: Schema.Record({ key: Schema.String, value: Schema.Unknown }), error: UnknownGenerator }),
  Rpc.make("CreateDataset", {
    payload: CreateDatasetRequest,
    success: CreateDatasetResponse,
    error: Schema.Union(UnknownGenerator, InvalidParameters, GenerationFailed, InvalidDatasetId, StorageError)
  }),
  Rpc.make("ListDatasets", {
    payload: Schema.Struct({
      limit: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1000)), { default: () => 100 }),
      offset: Schema.optionalWith(Schema.Int.pipe(Schema.nonNegative()), { default: () => 0 })
    }),
    success: DatasetIdList,
    error: StorageError
  }),
  Rpc.make("GetDataset", { payload: { id: Schema.String }, success: DatasetMeta, error: Lookup }),
  // Binary as base64 over ndjson.
  Rpc.make("DownloadArtifact", { payload: Schema.Struct({ id: Schema.String }), success: Schema.Uint8ArrayFromBase64, error: Lookup }),
  Rpc.make("GetPreview", { payload: Schema.Struct({ id: Schema.String, n: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1000)), { default: () => 100 }) }), success: Preview, error: Lookup }),
  Rpc.make("DeleteDataset", { payload: { id: Schema.String }, error: Lookup })
) {}
