// The storage port of JuniperData (§8.1). Two layers implement it: LocalFS (the service) and InMemory
// (FakeDataClient and tests); both keep the same semantics.
import { Context, type Effect } from "effect"
import type { DatasetNotFound, InvalidDatasetId, StorageError } from "../errors.js"
import type { StoredDatasetMeta } from "../schema.js"

export interface SaveResult {
  /** False when the id was already stored (another request won): nothing was overwritten. */
  readonly created: boolean
  /** The meta that is stored now: ours when created, the first writer's otherwise. */
  readonly meta: StoredDatasetMeta
}

export interface ListOptions {
  readonly limit: number
  readonly offset: number
}

export interface StorageHealth {
  readonly healthy: boolean
  /** `<path> (<N> datasets)` or `<path> not found or not a directory` (§3.5). */
  readonly message: string
  readonly datasets: number
}

type Lookup<A> = Effect.Effect<A, DatasetNotFound | InvalidDatasetId | StorageError>

export interface DatasetStoreShape {
  /** Human-readable location (the storage path, or "memory"). */
  readonly location: string
  /** Store the artifact, then the meta. Concurrent saves of one id yield one dataset (first writer wins). */
  readonly save: (meta: StoredDatasetMeta, artifact: Uint8Array) => Effect.Effect<SaveResult, InvalidDatasetId | StorageError>
  /** Both files present. */
  readonly exists: (id: string) => Effect.Effect<boolean, InvalidDatasetId | StorageError>
  readonly getMeta: (id: string) => Lookup<StoredDatasetMeta>
  readonly getArtifact: (id: string) => Lookup<Uint8Array>
  /** access_count + 1, last_accessed_at = now (D12/D14). */
  readonly recordAccess: (id: string) => Lookup<StoredDatasetMeta>
  /** Rewrite the meta (e.g. PATCH tags); the dataset_id cannot change. */
  readonly updateMeta: (id: string, f: (meta: StoredDatasetMeta) => StoredDatasetMeta) => Lookup<StoredDatasetMeta>
  /** Ids in ascending `*.meta.json` name order, then offset/limit. */
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<string>, StorageError>
  /** Every readable meta, in list order (filter/stats). */
  readonly listMeta: Effect.Effect<ReadonlyArray<StoredDatasetMeta>, StorageError>
  /** Remove whichever files exist; DatasetNotFound only if neither did. */
  readonly delete: (id: string) => Effect.Effect<void, DatasetNotFound | InvalidDatasetId | StorageError>
  /** Number of stored artifacts (`*.npz`), for readiness. */
  readonly count: Effect.Effect<number, StorageError>
  readonly health: Effect.Effect<StorageHealth>
}

export class DatasetStore extends Context.Tag("@juniper/data/DatasetStore")<DatasetStore, DatasetStoreShape>() {}
