// JuniperData: the pure layer (RNG, generators, dataset ids, NPZ, storage, use cases) and the wire schemas.
// The HTTP service (HttpApi handlers) builds on DatasetService + the schemas in ./schema.ts.
export * from "./dataset-id/index.js"
export { ApiDateTime, formatApiDateTime, formatIsoDateTime, IsoDateTime, parseIsoDateTime } from "./datetime.js"
export * from "./errors.js"
export * from "./generators/index.js"
export * from "./npz/index.js"
export * from "./rng/index.js"
export * from "./schema.js"
export * from "./service/index.js"
export * from "./store/index.js"
// The data client (used by JuniperCascor to load datasets); `spiralParams`/`CreateDatasetOptions` stay the generators'/service's.
export {
  DataClientConnectionError,
  DataClientError,
  DataClientNotFoundError,
  DataClientTimeoutError,
  DataClientValidationError,
  type DataClientFailure,
  FakeDataClient,
  type FakeDataClientControl,
  isDataClientFailure,
  JuniperDataClient,
  type JuniperDataClientShape,
  layerFakeDataClient,
  layerJuniperDataClient,
  makeFakeDataClient,
  makeJuniperDataClient,
  normalizeBaseUrl,
  type DataClientOptions
} from "./client/index.js"
