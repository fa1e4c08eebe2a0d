// The catalogue operations over the DatasetStore (data-api S and L tiers): filter with cursor paging, stats, tags,
// batch delete/create/tags/export, expiry cleanup, access counters, name versions.
import { Clock, Effect, Either } from "effect"
import { formatIsoDateTime, parseIsoDateTime } from "../datetime.js"
import { BadCursor, DatasetNotFound, type InvalidDatasetId, type StorageError } from "../errors.js"
import { zipDeflate } from "../npz/zip.js"
import {
  type BatchCreateResponse,
  type BatchDeleteResponse,
  type BatchTagsResponse,
  type CreateDatasetRequest,
  type FilterResponse,
  type FilterUrlParams,
  type StatsResponse,
  type StoredDatasetMeta,
  toApiMeta,
  type VersionsResponse
} from "../schema.js"
import { DatasetStore } from "../store/dataset-store.js"
import { validateDatasetId } from "../store/dataset-id-check.js"
import { artifactUrl, type CreateDatasetError, type CreateDatasetOutcome } from "./dataset-service.js"

const isExpired = (m: StoredDatasetMeta, now: number) => m.expires_at !== null && m.expires_at.getTime() <= now

/** Newest first, then id ascending (§8.3). */
const order = (a: StoredDatasetMeta, b: StoredDatasetMeta) =>
  b.created_at.getTime() - a.created_at.getTime() || (a.dataset_id < b.dataset_id ? -1 : a.dataset_id > b.dataset_id ? 1 : 0)

const encodeCursor = (m: StoredDatasetMeta) => Buffer.from(`${formatIsoDateTime(m.created_at)}|${m.dataset_id}`).toString("base64url")

const decodeCursor = (cursor: string): Either.Either<{ at: number; id: string }, BadCursor> => {
  const text = Buffer.from(cursor, "base64url").toString("utf8")
  const bar = text.lastIndexOf("|")
  const at = bar > 0 ? parseIsoDateTime(text.slice(0, bar)) : undefined
  return at === undefined || bar === text.length - 1 ? Either.left(new BadCursor({ cursor })) : Either.right({ at: at.getTime(), id: text.slice(bar + 1) })
}

const splitTags = (tags: string | undefined) => (tags ?? "").split(",").map((t) => t.trim()).filter((t) => t !== "")

/** D3. A cursor together with offset ≠ 0, or an undecodable cursor, is a 400. */
export const filterDatasets = (q: FilterUrlParams): Effect.Effect<FilterResponse, BadCursor | StorageError, DatasetStore> =>
  Effect.gen(function* () {
    if (q.cursor !== undefined && q.offset !== 0) return yield* Effect.fail(new BadCursor({ cursor: q.cursor, reason: "cursor cannot be combined with offset" }))
    const after = q.cursor === undefined ? undefined : yield* Either.match(decodeCursor(q.cursor), { onLeft: Effect.fail, onRight: Effect.succeed })
    const now = yield* Clock.currentTimeMillis
    const tags = splitTags(q.tags)
    const createdAfter = q.created_after === undefined ? undefined : Date.parse(q.created_after)
    const createdBefore = q.created_before === undefined ? undefined : Date.parse(q.created_before)
    const all = (yield* (yield* DatasetStore).listMeta).filter((m) => {
      if (q.generator !== undefined && m.generator !== q.generator) return false
      if (tags.length > 0 && !(q.tags_match === "all" ? tags.every((t) => m.tags.includes(t)) : tags.some((t) => m.tags.includes(t)))) return false
      if (createdAfter !== undefined && m.created_at.getTime() < createdAfter) return false
      if (createdBefore !== undefined && m.created_at.getTime() > createdBefore) return false
      if (q.min_samples !== undefined && m.n_samples < q.min_samples) return false
      if (q.max_samples !== undefined && m.n_samples > q.max_samples) return false
      return q.include_expired || !isExpired(m, now)
    })
    all.sort(order)
    const start = after === undefined ? q.offset : all.findIndex((m) => m.created_at.getTime() < after.at || (m.created_at.getTime() === after.at && m.dataset_id > after.id))
    const page = start === -1 ? [] : all.slice(start, start + q.limit)
    const last = page[page.length - 1]
    return { datasets: page.map(toApiMeta), total: all.length, limit: q.limit, offset: q.offset, next_cursor: last ? encodeCursor(last) : null }
  })

/** D4. */
export const datasetStats: Effect.Effect<StatsResponse, StorageError, DatasetStore> = Effect.gen(function* () {
  const all = yield* (yield* DatasetStore).listMeta
  const now = yield* Clock.currentTimeMillis
  const byGenerator: Record<string, number> = {}
  const byTag: Record<string, number> = {}
  let samples = 0
  let oldest: Date | null = null
  let newest: Date | null = null
  for (const m of all) {
    byGenerator[m.generator] = (byGenerator[m.generator] ?? 0) + 1
    for (const t of m.tags) byTag[t] = (byTag[t] ?? 0) + 1
    samples += m.n_samples
    if (oldest === null || m.created_at < oldest) oldest = m.created_at
    if (newest === null || m.created_at > newest) newest = m.created_at
  }
  return {
    total_datasets: all.length,
    total_samples: samples,
    by_generator: byGenerator,
    by_tag: byTag,
    oldest_created_at: oldest,
    newest_created_at: newest,
    expired_count: all.filter((m) => isExpired(m, now)).length
  }
})

/** Runs `f` on each id; invalid and unknown ids are reported as not found. */
const perId = <A>(ids: ReadonlyArray<string>, f: (id: string) => Effect.Effect<A, DatasetNotFound | InvalidDatasetId | StorageError, DatasetStore>) =>
  Effect.gen(function* () {
    const done: Array<string> = []
    const notFound: Array<string> = []
    for (const id of ids) {
      if (Either.isLeft(validateDatasetId(id))) {
        notFound.push(id)
        continue
      }
      const r = yield* Effect.either(f(id))
      if (Either.isRight(r)) done.push(id)
      else if (r.left._tag === "StorageError") return yield* Effect.fail(r.left)
      else notFound.push(id)
    }
    return { done, notFound }
  })

/** D5. */
export const batchDelete = (ids: ReadonlyArray<string>): Effect.Effect<BatchDeleteResponse, StorageError, DatasetStore> =>
  Effect.map(perId(ids, (id) => Effect.flatMap(DatasetStore, (s) => s.delete(id))), ({ done, notFound }) => ({
    deleted: done,
    not_found: notFound,
    total_deleted: done.length
  }))

/** D9: deletes every expired dataset; returns their ids. */
export const cleanupExpired: Effect.Effect<ReadonlyArray<string>, StorageError, DatasetStore> = Effect.gen(function* () {
  const store = yield* DatasetStore
  const now = yield* Clock.currentTimeMillis
  const expired = (yield* store.listMeta).filter((m) => isExpired(m, now)).map((m) => m.dataset_id)
  const { done } = yield* perId(expired, (id) => store.delete(id))
  return done
})

const retag = (add: ReadonlyArray<string>, remove: ReadonlyArray<string>) => (m: StoredDatasetMeta): StoredDatasetMeta => {
  const tags = new Set([...m.tags, ...add])
  for (const t of remove) tags.delete(t)
  return { ...m, tags: [...tags].sort() }
}

/** D17. */
export const updateTags = (id: string, add: ReadonlyArray<string>, remove: ReadonlyArray<string>) =>
  Effect.flatMap(DatasetStore, (s) => Effect.map(s.updateMeta(id, retag(add, remove)), toApiMeta))

/** D7. */
export const batchTags = (ids: ReadonlyArray<string>, add: ReadonlyArray<string>, remove: ReadonlyArray<string>): Effect.Effect<BatchTagsResponse, StorageError, DatasetStore> =>
  Effect.map(perId(ids, (id) => Effect.flatMap(DatasetStore, (s) => s.updateMeta(id, retag(add, remove)))), ({ done, notFound }) => ({
    updated: done,
    not_found: notFound,
    total_updated: done.length
  }))

/** D6: each item independently; failures are reported per item. */
export const batchCreate = (
  items: ReadonlyArray<CreateDatasetRequest>,
  create: (r: CreateDatasetRequest) => Effect.Effect<CreateDatasetOutcome, CreateDatasetError>
): Effect.Effect<BatchCreateResponse> =>
  Effect.map(
    Effect.forEach(items, (item, index) =>
      Effect.match(create(item), {
        onFailure: (e) => ({ index, dataset_id: null, generator: item.generator, success: false, error: "detail" in e ? e.detail : String(e), artifact_url: null }),
        onSuccess: (o) => ({ index, dataset_id: o.response.dataset_id, generator: item.generator, success: true, error: null, artifact_url: artifactUrl(o.response.dataset_id) })
      })
    ),
    (results) => ({ results, total_created: results.filter((r) => r.success).length, total_failed: results.filter((r) => !r.success).length })
  )

/** D8: a zip of `<id>.npz`; `manifest.json` only when some are missing; none found → DatasetNotFound. */
export const batchExport = (ids: ReadonlyArray<string>): Effect.Effect<Uint8Array, DatasetNotFound | StorageError, DatasetStore> =>
  Effect.gen(function* () {
    const store = yield* DatasetStore
    const members: Array<{ name: string; data: Uint8Array }> = []
    const missing: Record<string, string> = {}
    for (const id of ids) {
      if (Either.isLeft(validateDatasetId(id))) {
        missing[id] = "invalid dataset id"
        continue
      }
      const r = yield* Effect.either(store.getArtifact(id))
      if (Either.isRight(r)) members.push({ name: `${id}.npz`, data: r.right })
      else if (r.left._tag === "StorageError") return yield* Effect.fail(r.left)
      else missing[id] = "not found"
    }
    if (members.length === 0) return yield* Effect.fail(new DatasetNotFound({ dataset_id: ids.join(",") }))
    if (Object.keys(missing).length > 0)
      members.push({ name: "manifest.json", data: Buffer.from(JSON.stringify({ requested: ids, exported: members.map((m) => m.name.slice(0, -4)), missing }, null, 2)) })
    return zipDeflate(members, { level: 0 })
  })

/** D13 (does not itself count as an access). */
export const datasetAccess = (id: string) =>
  Effect.flatMap(DatasetStore, (s) => Effect.map(s.getMeta(id), (m) => ({ dataset_id: m.dataset_id, access_count: m.access_count, last_accessed_at: m.last_accessed_at })))

/** D10. */
export const datasetVersions = (name: string): Effect.Effect<VersionsResponse, StorageError, DatasetStore> =>
  Effect.map(Effect.flatMap(DatasetStore, (s) => s.listMeta), (all) => {
    const versions = all.filter((m) => m.dataset_name === name).sort((a, b) => (a.dataset_version ?? 0) - (b.dataset_version ?? 0))
    const latest = versions.reduce<number | null>((mx, m) => (m.dataset_version !== null && (mx === null || m.dataset_version > mx) ? m.dataset_version : mx), null)
    return { dataset_name: name, versions: versions.map(toApiMeta), total: versions.length, latest_version: latest }
  })

/** D11: the meta of the highest version; none → NoVersions. */
export const latestVersion = (name: string) =>
  Effect.flatMap(datasetVersions(name), (v) => {
    const last = v.versions[v.versions.length - 1]
    return last ? Effect.succeed(last) : Effect.fail(new DatasetNotFound({ dataset_id: name }))
  })
