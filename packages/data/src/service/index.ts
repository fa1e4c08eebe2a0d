export {
  artifactUrl,
  createDataset,
  type CreateDatasetError,
  type CreateDatasetOptions,
  type CreateDatasetOutcome,
  deleteDataset,
  DatasetService,
  type DatasetServiceConfig,
  type DatasetServiceShape,
  generatorSchema,
  getDatasetArtifact,
  getDatasetMeta,
  listDatasets,
  previewDataset
} from "./dataset-service.js"
export { buildDatasetMeta } from "./meta.js"
