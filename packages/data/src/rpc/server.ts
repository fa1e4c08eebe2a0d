/** The RPC handlers (over the same DatasetService as the HTTP handlers) and their routes. */
import { RpcSerialization, RpcServer } from "@effect/rpc"
import { Effect, Layer } from "effect"
import { DatasetService } from "../service/dataset-service.js"
import { DataRpcs } from "./group.js"

export const DataRpcsLive = DataRpcs.toLayer(
  Effect.map(DatasetService, (s) => DataRpcs.of({
    ListGenerators: () => s.generators,
    GetGeneratorSchema: ({ name }) => s.generatorSchema(name),
    CreateDataset: (request) => Effect.map(s.create(request), (o) => o.response),
    ListDatasets: (options) => s.list(options),
    GetDataset: ({ id }) => s.getMeta(id),
    DownloadArtifact: ({ id }) => s.getArtifact(id),
    GetPreview: ({ id, n }) => s.preview(id, n),
    DeleteDataset: ({ id }) => s.delete(id)
  }))
)

/** `/rpc`: POST for HTTP (ndjson), GET upgrades to a WebSocket. */
export const DataRpcRoutes = Layer.mergeAll(
  RpcServer.layerHttpRouter({ group: DataRpcs, path: "/rpc", protocol: "http" }),
  RpcServer.layerHttpRouter({ group: DataRpcs, path: "/rpc", protocol: "websocket" })
).pipe(Layer.provide([DataRpcsLive, RpcSerialization.layerNdjson]))
