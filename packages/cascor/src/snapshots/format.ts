/**
 * The snapshot file format (documented in packages/cascor/README.md, "Snapshot format"), version 1.
 *
 * One file per snapshot, `<snapshot_id>.json` in the snapshots directory, two parts separated by the first "\n":
 *   1. a header line: `{"format":"juniper.cascor.snapshot","format_version":1,"meta":{…SnapshotMeta without path},
 *      "body_bytes":N,"body_sha256":"<hex>"}` — listing reads only this line;
 *   2. the body: JSON of `SnapshotBody` (network configuration, the dataset as base64 float32, the engine's run
 *      snapshot with weights, optimiser state, errors cache, counters, RNG state and phase history, the session's
 *      counters, and the metrics history).
 * Loading checks the length and the SHA-256 of the body, then the schemas (a mismatch is a corrupt snapshot → 422).
 */
import { Schema } from "effect"
import { FsmStatus, MetricsRow, SnapshotMeta } from "../api/schema.js"
import { LoadedDatasetSchema } from "../session/dataset.js"
import { NetworkConfigSchema } from "../session/params.js"

export const SNAPSHOT_FORMAT = "juniper.cascor.snapshot"
export const SNAPSHOT_FORMAT_VERSION = 1

/** Metadata stored in the header (the REST metadata minus `path`, which depends on where the file is read). */
export const StoredMeta = Schema.Struct({
  ...SnapshotMeta.fields,
  path: Schema.optional(Schema.String)
})
export type StoredMeta = typeof StoredMeta.Type

export const SnapshotHeader = Schema.Struct({
  format: Schema.Literal(SNAPSHOT_FORMAT),
  format_version: Schema.Literal(SNAPSHOT_FORMAT_VERSION),
  meta: StoredMeta,
  body_bytes: Schema.Int,
  body_sha256: Schema.String
})
export type SnapshotHeader = typeof SnapshotHeader.Type

export const SessionCounters = Schema.Struct({
  step: Schema.Int,
  fsm_state: FsmStatus,
  completion_reason: Schema.NullOr(Schema.String),
  /** The kernels backend the run trained on (an exact continuation needs the same one). */
  backend: Schema.String,
  saved_at: Schema.Number
})

export const SnapshotBody = Schema.Struct({
  network: NetworkConfigSchema,
  dataset: Schema.NullOr(LoadedDatasetSchema),
  /** The engine's RunSnapshot, encoded (engine/runs.ts); null before any data was loaded. */
  run: Schema.NullOr(Schema.Unknown),
  session: SessionCounters,
  metrics: Schema.Array(MetricsRow)
})
export type SnapshotBody = typeof SnapshotBody.Type
export type SnapshotBodyEncoded = typeof SnapshotBody.Encoded
