// Building DatasetMeta (§3.3) from a prepared request and its generated arrays.
import type { GeneratedDataset } from "../generators/split.js"
import type { PreparedDataset } from "../generators/prepare.js"
import type { CreateDatasetRequest, StoredDatasetMeta } from "../schema.js"

export const buildDatasetMeta = (
  prepared: PreparedDataset,
  generated: GeneratedDataset,
  request: Pick<CreateDatasetRequest, "name" | "description" | "created_by" | "parent_dataset_id" | "tags" | "ttl_seconds">,
  createdAt: Date
): StoredDatasetMeta => ({
  dataset_id: prepared.datasetId,
  generator: prepared.generator.name,
  generator_version: prepared.generator.version,
  params: prepared.metaParams,
  n_samples: generated.nTrain + generated.nVal + generated.nTest,
  n_features: generated.arrays.X_train.cols,
  task_type: "classification",
  n_classes: generated.arrays.y_train.cols,
  n_train: generated.nTrain,
  n_val: generated.nVal,
  n_test: generated.nTest,
  class_distribution: generated.classDistribution,
  sequence: false,
  lookback: null,
  time_unit: null,
  dt_scaling: null,
  target_scaling: null,
  truncation: null,
  data_quality: null,
  artifact_formats: ["npz"],
  created_at: createdAt,
  checksum: null,
  dataset_name: request.name,
  dataset_version: null,
  parent_dataset_id: request.parent_dataset_id,
  description: request.description,
  created_by: request.created_by,
  tags: request.tags,
  ttl_seconds: request.ttl_seconds,
  expires_at: request.ttl_seconds === null ? null : new Date(createdAt.getTime() + request.ttl_seconds * 1000),
  access_count: 0,
  last_accessed_at: null
})
