// The JuniperData wire contract (data-api §3) as Effect Schemas. Field names are snake_case as on the wire.
// The HTTP API, the client, the RPC group and the tests import these.
import { Schema } from "effect"
import { ApiDateTime, IsoDateTime } from "./datetime.js"

const Int = Schema.Int
const NonNegativeInt = Schema.Int.pipe(Schema.nonNegative())
const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const withDefault = <S extends Schema.Schema.Any>(schema: S, value: () => Schema.Schema.Type<S>) =>
  Schema.optionalWith(schema, { default: value })

/**
 * DatasetMeta's fields, keys in the contract's order (§3.3). Fields that older upstream releases lack
 * (the sequence family, checksum, request fields, tags, TTL) default when missing, so old meta files decode.
 */
const metaFields = <D extends Schema.Schema<Date, string>>(dateTime: D) => ({
  dataset_id: Schema.String,
  generator: Schema.String,
  generator_version: Schema.String,
  /** Full validated params: canonical names, defaults filled in, tuples as arrays. */
  params: JsonObject,
  n_samples: NonNegativeInt,
  n_features: NonNegativeInt,
  task_type: Schema.Literal("classification", "regression"),
  n_classes: Schema.NullOr(NonNegativeInt),
  n_train: NonNegativeInt,
  n_val: NonNegativeInt,
  n_test: NonNegativeInt,
  /** Counts of argmax(y_full), keys are class indices as strings. */
  class_distribution: Schema.NullOr(Schema.Record({ key: Schema.String, value: Int })),
  sequence: withDefault(Schema.Boolean, () => false),
  // Sequence (L) generators only; null for tabular data. Their upstream types vary, hence Unknown.
  lookback: withDefault(Schema.Unknown, () => null),
  time_unit: withDefault(Schema.Unknown, () => null),
  dt_scaling: withDefault(Schema.Unknown, () => null),
  target_scaling: withDefault(Schema.Unknown, () => null),
  truncation: withDefault(Schema.Unknown, () => null),
  data_quality: withDefault(Schema.Unknown, () => null),
  artifact_formats: withDefault(Schema.Array(Schema.String), () => ["npz"]),
  created_at: dateTime,
  checksum: withDefault(Schema.NullOr(Schema.String), () => null),
  dataset_name: withDefault(Schema.NullOr(Schema.String), () => null),
  dataset_version: withDefault(Schema.NullOr(Int), () => null),
  parent_dataset_id: withDefault(Schema.NullOr(Schema.String), () => null),
  description: withDefault(Schema.NullOr(Schema.String), () => null),
  created_by: withDefault(Schema.NullOr(Schema.String), () => null),
  tags: withDefault(Schema.Array(Schema.String), () => []),
  ttl_seconds: withDefault(Schema.NullOr(Int), () => null),
  expires_at: withDefault(Schema.NullOr(dateTime), () => null)
})

/** DatasetMeta as API bodies carry it (§3.3): datetimes `…Z`, no access counters. */
export const DatasetMeta = Schema.Struct(metaFields(ApiDateTime)).annotations({ identifier: "DatasetMeta" })
export type DatasetMeta = typeof DatasetMeta.Type

/** The `.meta.json` file (§8.1): DatasetMeta plus the access counters, datetimes as isoformat `+00:00`. */
export const StoredDatasetMeta = Schema.Struct({
  ...metaFields(IsoDateTime),
  access_count: withDefault(NonNegativeInt, () => 0),
  last_accessed_at: withDefault(Schema.NullOr(IsoDateTime), () => null)
}).annotations({ identifier: "StoredDatasetMeta" })
export type StoredDatasetMeta = typeof StoredDatasetMeta.Type

/** The API view of a stored meta (drops access_count / last_accessed_at, which D13 serves). */
export const toApiMeta = (m: StoredDatasetMeta): DatasetMeta => {
  const { access_count: _count, last_accessed_at: _last, ...meta } = m
  return meta
}

/** POST /v1/datasets body (§3.1). Unknown top-level keys are ignored; a non-object `params` is a 422. */
export const CreateDatasetRequest = Schema.Struct({
  generator: Schema.String,
  params: withDefault(JsonObject, () => ({})),
  persist: withDefault(Schema.Boolean, () => true),
  tags: withDefault(Schema.Array(Schema.String), () => []),
  ttl_seconds: withDefault(Schema.NullOr(Schema.Int.pipe(Schema.greaterThanOrEqualTo(1))), () => null),
  name: withDefault(Schema.NullOr(Schema.String), () => null),
  description: withDefault(Schema.NullOr(Schema.String.pipe(Schema.maxLength(500))), () => null),
  created_by: withDefault(Schema.NullOr(Schema.String.pipe(Schema.maxLength(100))), () => null),
  parent_dataset_id: withDefault(Schema.NullOr(Schema.String), () => null)
}).annotations({ identifier: "CreateDatasetRequest" })
export type CreateDatasetRequest = typeof CreateDatasetRequest.Type

/** 201 body of D1 (§3.2). */
export const CreateDatasetResponse = Schema.Struct({
  dataset_id: Schema.String,
  generator: Schema.String,
  meta: DatasetMeta,
  artifact_url: Schema.String
}).annotations({ identifier: "CreateDatasetResponse" })
export type CreateDatasetResponse = typeof CreateDatasetResponse.Type

/** One entry of GET /v1/generators (§3.4). The wire key of the JSON Schema is `schema`. */
export const GeneratorInfo = Schema.Struct({
  name: Schema.String,
  version: Schema.String,
  description: Schema.String,
  available: Schema.Boolean,
  install_hint: Schema.NullOr(Schema.String),
  schema: JsonObject
}).annotations({ identifier: "GeneratorInfo" })
export type GeneratorInfo = typeof GeneratorInfo.Type

/** G2: the params JSON Schema plus a top-level `available`. */
export const GeneratorSchemaResponse = JsonObject.annotations({ identifier: "GeneratorSchema" })

/** D15 body: the first k = min(n, n_train) rows of X_train / y_train. */
export const Preview = Schema.Struct({
  n_samples: NonNegativeInt,
  X_sample: Schema.Array(Schema.Array(Schema.Number)),
  y_sample: Schema.Array(Schema.Array(Schema.Number))
}).annotations({ identifier: "Preview" })
export type Preview = typeof Preview.Type

/** D2 body: dataset ids. */
export const DatasetIdList = Schema.Array(Schema.String)

const QueryInt = (min: number, max: number | undefined, dflt: number) => {
  const atLeast = Schema.NumberFromString.pipe(Schema.int(), Schema.greaterThanOrEqualTo(min))
  const bounded: Schema.Schema<number, string> = max === undefined ? atLeast : atLeast.pipe(Schema.lessThanOrEqualTo(max))
  return withDefault(bounded, () => dflt)
}

/** D2 query: limit 1..1000 (100), offset ≥ 0 (0). String-encoded, as URL params are. */
export const ListDatasetsUrlParams = Schema.Struct({ limit: QueryInt(1, 1000, 100), offset: QueryInt(0, undefined, 0) })
export type ListDatasetsUrlParams = typeof ListDatasetsUrlParams.Type

/** D15 query: n 1..1000 (100). */
export const PreviewUrlParams = Schema.Struct({ n: QueryInt(1, 1000, 100) })
export type PreviewUrlParams = typeof PreviewUrlParams.Type

// ── S and L tier (data-api §2, §8.3) ──────────────────────────────────────────────────────────────────────────────

const OptionalQueryInt = (min: number) =>
  Schema.optional(Schema.NumberFromString.pipe(Schema.int(), Schema.greaterThanOrEqualTo(min)))
const QueryBool = Schema.transform(Schema.Literal("true", "false", "1", "0", "yes", "no", "True", "False"), Schema.Boolean, {
  strict: true,
  decode: (s) => ["true", "1", "yes", "True"].includes(s),
  encode: (b) => (b ? "true" : "false")
})
const QueryDateTime = Schema.String.pipe(
  Schema.filter((s) => !Number.isNaN(Date.parse(s)) || "Expected an ISO 8601 datetime"),
  Schema.annotations({ identifier: "IsoDateTimeParam" })
)

/** D3 query (§8.3). */
export const FilterUrlParams = Schema.Struct({
  generator: Schema.optional(Schema.String),
  tags: Schema.optional(Schema.String),
  tags_match: withDefault(Schema.Literal("any", "all"), () => "any" as const),
  created_after: Schema.optional(QueryDateTime),
  created_before: Schema.optional(QueryDateTime),
  min_samples: OptionalQueryInt(1),
  max_samples: OptionalQueryInt(1),
  include_expired: withDefault(QueryBool, () => false),
  limit: QueryInt(1, 1000, 100),
  offset: QueryInt(0, undefined, 0),
  cursor: Schema.optional(Schema.String)
})
export type FilterUrlParams = typeof FilterUrlParams.Type

/** D3 body. */
export const FilterResponse = Schema.Struct({
  datasets: Schema.Array(DatasetMeta),
  total: NonNegativeInt,
  limit: NonNegativeInt,
  offset: NonNegativeInt,
  next_cursor: Schema.NullOr(Schema.String)
}).annotations({ identifier: "FilterResponse" })
export type FilterResponse = typeof FilterResponse.Type

/** D4 body. */
export const StatsResponse = Schema.Struct({
  total_datasets: NonNegativeInt,
  total_samples: NonNegativeInt,
  by_generator: Schema.Record({ key: Schema.String, value: Int }),
  by_tag: Schema.Record({ key: Schema.String, value: Int }),
  oldest_created_at: Schema.NullOr(ApiDateTime),
  newest_created_at: Schema.NullOr(ApiDateTime),
  expired_count: NonNegativeInt
}).annotations({ identifier: "StatsResponse" })
export type StatsResponse = typeof StatsResponse.Type

const IdList = (max: number) => Schema.Array(Schema.String).pipe(Schema.minItems(1), Schema.maxItems(max))

/** D5 body and response. */
export const BatchDeleteRequest = Schema.Struct({ dataset_ids: IdList(100) }).annotations({ identifier: "BatchDeleteRequest" })
export const BatchDeleteResponse = Schema.Struct({
  deleted: Schema.Array(Schema.String),
  not_found: Schema.Array(Schema.String),
  total_deleted: NonNegativeInt
}).annotations({ identifier: "BatchDeleteResponse" })
export type BatchDeleteResponse = typeof BatchDeleteResponse.Type

/** D17 body: `tags = sorted(set(old) ∪ add − remove)`. */
export const UpdateTagsRequest = Schema.Struct({
  add_tags: withDefault(Schema.Array(Schema.String), () => []),
  remove_tags: withDefault(Schema.Array(Schema.String), () => [])
}).annotations({ identifier: "UpdateTagsRequest" })
export type UpdateTagsRequest = typeof UpdateTagsRequest.Type

/** D7 body and response. */
export const BatchTagsRequest = Schema.Struct({
  dataset_ids: IdList(100),
  add_tags: withDefault(Schema.Array(Schema.String), () => []),
  remove_tags: withDefault(Schema.Array(Schema.String), () => [])
}).annotations({ identifier: "BatchTagsRequest" })
export const BatchTagsResponse = Schema.Struct({
  updated: Schema.Array(Schema.String),
  not_found: Schema.Array(Schema.String),
  total_updated: NonNegativeInt
}).annotations({ identifier: "BatchTagsResponse" })
export type BatchTagsResponse = typeof BatchTagsResponse.Type

/** D6 body and response. */
export const BatchCreateRequest = Schema.Struct({
  datasets: Schema.Array(CreateDatasetRequest).pipe(Schema.minItems(1), Schema.maxItems(50))
}).annotations({ identifier: "BatchCreateRequest" })
export const BatchCreateResult = Schema.Struct({
  index: NonNegativeInt,
  dataset_id: Schema.NullOr(Schema.String),
  generator: Schema.String,
  success: Schema.Boolean,
  error: Schema.NullOr(Schema.String),
  artifact_url: Schema.NullOr(Schema.String)
})
export const BatchCreateResponse = Schema.Struct({
  results: Schema.Array(BatchCreateResult),
  total_created: NonNegativeInt,
  total_failed: NonNegativeInt
}).annotations({ identifier: "BatchCreateResponse" })
export type BatchCreateResponse = typeof BatchCreateResponse.Type

/** D8 body (the response is a zip). */
export const BatchExportRequest = Schema.Struct({ dataset_ids: IdList(50) }).annotations({ identifier: "BatchExportRequest" })

/** D13 body. */
export const AccessResponse = Schema.Struct({
  dataset_id: Schema.String,
  access_count: NonNegativeInt,
  last_accessed_at: Schema.NullOr(ApiDateTime)
}).annotations({ identifier: "AccessResponse" })

/** D10/D11 query and D10 body. */
export const VersionsUrlParams = Schema.Struct({ name: Schema.String.pipe(Schema.minLength(1)) })
export const VersionsResponse = Schema.Struct({
  dataset_name: Schema.String,
  versions: Schema.Array(DatasetMeta),
  total: NonNegativeInt,
  latest_version: Schema.NullOr(Int)
}).annotations({ identifier: "VersionsResponse" })
export type VersionsResponse = typeof VersionsResponse.Type
