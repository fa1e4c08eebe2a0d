export { checkDatasetId, validateDatasetId } from "./dataset-id-check.js"
export {
  DatasetStore,
  type DatasetStoreShape,
  type ListOptions,
  type SaveResult,
  type StorageHealth
} from "./dataset-store.js"
export { InMemoryDatasetStoreLayer, type InMemoryDatasetStore, makeInMemoryDatasetStore } from "./in-memory.js"
export { type LocalFsOptions, LocalFsDatasetStoreLayer, makeLocalFsDatasetStore, type SweepReport } from "./local-fs.js"
export { metaFromJson, metaToJson } from "./meta-file.js"
