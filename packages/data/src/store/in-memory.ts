// An in-memory DatasetStore with LocalFS semantics (FakeDataClient, tests).
import { Clock, Effect, Layer } from "effect"
import { DatasetNotFound } from "../errors.js"
import type { StoredDatasetMeta } from "../schema.js"
import { compareCodePoints } from "../dataset-id/python-json.js"
import { checkDatasetId } from "./dataset-id-check.js"
import { DatasetStore, type DatasetStoreShape } from "./dataset-store.js"

interface Entry {
  meta: StoredDatasetMeta
  readonly artifact: Uint8Array
}

export interface InMemoryDatasetStore extends DatasetStoreShape {
  /** Forget every dataset (the fake client's reset()). */
  readonly clear: Effect.Effect<void>
}

export const makeInMemoryDatasetStore = (): InMemoryDatasetStore => {
  const entries = new Map<string, Entry>()
  const lookup = (id: string) =>
    Effect.flatMap(checkDatasetId(id), () => {
      const e = entries.get(id)
      return e ? Effect.succeed(e) : Effect.fail(new DatasetNotFound({ dataset_id: id }))
    })
  const sortedIds = () => [...entries.keys()].sort((a, b) => compareCodePoints(`${a}.meta.json`, `${b}.meta.json`))
  const update = (id: string, f: (m: StoredDatasetMeta) => StoredDatasetMeta) =>
    Effect.map(lookup(id), (e) => {
      e.meta = { ...f(e.meta), dataset_id: id }
      return e.meta
    })
  return {
    location: "memory",
    save: (meta, artifact) =>
      Effect.map(checkDatasetId(meta.dataset_id), (id) => {
        const existing = entries.get(id)
        if (existing) return { created: false, meta: existing.meta }
        // Copy: callers may reuse their buffer.
        entries.set(id, { meta, artifact: artifact.slice() })
        return { created: true, meta }
      }),
    exists: (id) => Effect.map(checkDatasetId(id), () => entries.has(id)),
    getMeta: (id) => Effect.map(lookup(id), (e) => e.meta),
    getArtifact: (id) => Effect.map(lookup(id), (e) => e.artifact),
    recordAccess: (id) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        update(id, (m) => ({ ...m, access_count: m.access_count + 1, last_accessed_at: new Date(now) }))
      ),
    updateMeta: update,
    list: ({ limit, offset }) => Effect.sync(() => sortedIds().slice(offset, offset + limit)),
    listMeta: Effect.sync(() => sortedIds().map((id) => entries.get(id)!.meta)),
    delete: (id) =>
      Effect.flatMap(checkDatasetId(id), () =>
        entries.delete(id) ? Effect.void : Effect.fail(new DatasetNotFound({ dataset_id: id }))
      ),
    count: Effect.sync(() => entries.size),
    health: Effect.sync(() => ({ healthy: true, message: `memory (${entries.size} datasets)`, datasets: entries.size })),
    clear: Effect.sync(() => entries.clear())
  }
}

/** A fresh, empty in-memory store per layer build. */
export const InMemoryDatasetStoreLayer: Layer.Layer<DatasetStore> = Layer.sync(DatasetStore, makeInMemoryDatasetStore)
