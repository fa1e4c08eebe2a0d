// The JuniperData use cases as Effects over the DatasetStore port. HttpApi handlers, the RPC group and the
// fake client call these directly; each failure is a tagged error that carries its wire `detail`.
import { Clock, Context, Effect, Either, Layer } from "effect"
import { unzipSync } from "fflate"
import type { BadCursor, DatasetNotFound, GenerationFailed, InvalidDatasetId, InvalidParameters, UnknownGenerator } from "../errors.js"
import { StorageError } from "../errors.js"
import { DEFAULT_GENERATOR_SEED } from "../generators/params.js"
import { prepareDataset, runGenerator } from "../generators/prepare.js"
import { generatorInfo, type GeneratorInfoJson, listGeneratorInfo, resolveGenerator } from "../generators/registry.js"
import { decodeNpy } from "../npz/npy.js"
import { datasetToNpz } from "../npz/npz.js"
import {
  type BatchCreateResponse,
  type BatchDeleteResponse,
  type BatchTagsResponse,
  type FilterResponse,
  type FilterUrlParams,
  type StatsResponse,
  type VersionsResponse,
  type CreateDatasetRequest,
  type CreateDatasetResponse,
  type DatasetMeta,
  type Preview,
  type StoredDatasetMeta,
  toApiMeta
} from "../schema.js"
import { DatasetStore, type ListOptions } from "../store/dataset-store.js"
import * as catalog from "./catalog.js"
import { buildDatasetMeta } from "./meta.js"

export interface CreateDatasetOutcome {
  readonly response: CreateDatasetResponse
  /** True when the id was already stored (nothing regenerated): the optional `X-Juniper-Cache: hit`. */
  readonly cacheHit: boolean
}

export type CreateDatasetError = UnknownGenerator | InvalidParameters | GenerationFailed | InvalidDatasetId | StorageError
type Lookup<A> = Effect.Effect<A, DatasetNotFound | InvalidDatasetId | StorageError, DatasetStore>

export interface CreateDatasetOptions {
  /** JUNIPER_DATA_DEFAULT_GENERATOR_SEED (42 when absent). */
  readonly defaultSeed?: number
}

export const artifactUrl = (id: string): string => `/v1/datasets/${id}/artifact`

const respond = (meta: StoredDatasetMeta, cacheHit: boolean): CreateDatasetOutcome => ({
  response: { dataset_id: meta.dataset_id, generator: meta.generator, meta: toApiMeta(meta), artifact_url: artifactUrl(meta.dataset_id) },
  cacheHit
})

const fromEither = <A, E>(e: Either.Either<A, E>): Effect.Effect<A, E> =>
  Either.match(e, { onLeft: Effect.fail, onRight: Effect.succeed })

/**
 * D1 (§2): resolve → validate → id → cache hit returns the stored meta → generate → meta → persist
 * (NPZ, then meta) unless `persist: false`. A concurrent create of the same id returns the winner's meta.
 */
export const createDataset = (
  request: CreateDatasetRequest,
  options: CreateDatasetOptions = {}
): Effect.Effect<CreateDatasetOutcome, CreateDatasetError, DatasetStore> =>
  Effect.gen(function* () {
    const store = yield* DatasetStore
    const prepared = yield* fromEither(prepareDataset(request.generator, request.params, options))
    if (yield* store.exists(prepared.datasetId)) {
      const stored = yield* Effect.either(store.getMeta(prepared.datasetId))
      if (Either.isRight(stored)) return respond(stored.right, true)
    }
    const generated = yield* Effect.suspend(() => fromEither(runGenerator(prepared)))
    const createdAt = new Date(yield* Clock.currentTimeMillis)
    const built = buildDatasetMeta(prepared, generated, request, createdAt)
    // A named dataset gets the next version of that name (L tier); callers serialise named creates.
    const meta =
      request.name === null
        ? built
        : {
            ...built,
            dataset_version:
              (yield* store.listMeta).reduce((mx, m) => (m.dataset_name === request.name ? Math.max(mx, m.dataset_version ?? 0) : mx), 0) + 1
          }
    if (!request.persist) return respond(meta, false)
    const saved = yield* store.save(meta, datasetToNpz(generated))
    return respond(saved.meta, !saved.created)
  }).pipe(Effect.withSpan("JuniperData.createDataset", { attributes: { generator: request.generator } }))

/** D12: the API meta; records an access. */
export const getDatasetMeta = (id: string): Lookup<DatasetMeta> =>
  Effect.flatMap(DatasetStore, (store) => Effect.map(store.recordAccess(id), toApiMeta))

/** D14: the NPZ bytes; records an access. */
export const getDatasetArtifact = (id: string): Lookup<Uint8Array> =>
  Effect.flatMap(DatasetStore, (store) => Effect.zipLeft(store.getArtifact(id), store.recordAccess(id)))

/** D15: the first k = min(n, n_train) rows of X_train / y_train. */
export const previewDataset = (id: string, n: number): Lookup<Preview> =>
  Effect.gen(function* () {
    const store = yield* DatasetStore
    const bytes = yield* store.getArtifact(id)
    const corrupt = (reason: string) => new StorageError({ operation: "preview", reason: `${id}: ${reason}` })
    // Only the two members the preview needs are inflated.
    const files = yield* Effect.try({
      try: () => unzipSync(bytes, { filter: (f) => f.name === "X_train.npy" || f.name === "y_train.npy" }),
      catch: (e) => corrupt(String(e))
    })
    const rows = (name: string) =>
      Effect.gen(function* () {
        const member = files[`${name}.npy`]
        if (!member) return yield* Effect.fail(corrupt(`${name} missing`))
        const a = yield* Effect.mapError(fromEither(decodeNpy(member)), corrupt)
        const [count = 0, cols = 1] = a.shape
        const k = Math.min(n, count)
        const out: Array<Array<number>> = []
        for (let r = 0; r < k; r++) out.push(Array.from(a.data.subarray(r * cols, (r + 1) * cols) as Float32Array))
        return out
      })
    const X = yield* rows("X_train")
    const y = yield* rows("y_train")
    return { n_samples: X.length, X_sample: X, y_sample: y }
  })

/** D2. */
export const listDatasets = (options: ListOptions): Effect.Effect<ReadonlyArray<string>, StorageError, DatasetStore> =>
  Effect.flatMap(DatasetStore, (store) => store.list(options))

/** D16. */
export const deleteDataset = (id: string): Effect.Effect<void, DatasetNotFound | InvalidDatasetId | StorageError, DatasetStore> =>
  Effect.flatMap(DatasetStore, (store) => store.delete(id))

/** G2: the params JSON Schema plus `available` (UnknownGenerator → 404 `Generator '<name>' not found`). */
export const generatorSchema = (
  name: string,
  defaultSeed = DEFAULT_GENERATOR_SEED
): Effect.Effect<Record<string, unknown>, UnknownGenerator> =>
  Effect.map(fromEither(resolveGenerator(name)), (g) => ({ ...generatorInfo(g, defaultSeed).schema, available: true }))

/** The service as one object, for handlers: `const data = yield* DatasetService`. */
export interface DatasetServiceShape {
  readonly create: (request: CreateDatasetRequest) => Effect.Effect<CreateDatasetOutcome, CreateDatasetError>
  readonly getMeta: (id: string) => Effect.Effect<DatasetMeta, DatasetNotFound | InvalidDatasetId | StorageError>
  readonly getArtifact: (id: string) => Effect.Effect<Uint8Array, DatasetNotFound | InvalidDatasetId | StorageError>
  readonly preview: (id: string, n: number) => Effect.Effect<Preview, DatasetNotFound | InvalidDatasetId | StorageError>
  readonly list: (options: ListOptions) => Effect.Effect<ReadonlyArray<string>, StorageError>
  readonly delete: (id: string) => Effect.Effect<void, DatasetNotFound | InvalidDatasetId | StorageError>
  readonly generators: Effect.Effect<ReadonlyArray<GeneratorInfoJson>>
  /** The S and L tier catalogue operations (./catalog.ts), bound to the same store. */
  readonly catalog: {
    readonly filter: (q: FilterUrlParams) => Effect.Effect<FilterResponse, BadCursor | StorageError>
    readonly stats: Effect.Effect<StatsResponse, StorageError>
    readonly batchDelete: (ids: ReadonlyArray<string>) => Effect.Effect<BatchDeleteResponse, StorageError>
    readonly cleanupExpired: Effect.Effect<ReadonlyArray<string>, StorageError>
    readonly updateTags: (id: string, add: ReadonlyArray<string>, remove: ReadonlyArray<string>) => Effect.Effect<DatasetMeta, DatasetNotFound | InvalidDatasetId | StorageError>
    readonly batchTags: (ids: ReadonlyArray<string>, add: ReadonlyArray<string>, remove: ReadonlyArray<string>) => Effect.Effect<BatchTagsResponse, StorageError>
    readonly batchCreate: (items: ReadonlyArray<CreateDatasetRequest>) => Effect.Effect<BatchCreateResponse>
    readonly batchExport: (ids: ReadonlyArray<string>) => Effect.Effect<Uint8Array, DatasetNotFound | StorageError>
    readonly access: (id: string) => Effect.Effect<{ dataset_id: string; access_count: number; last_accessed_at: Date | null }, DatasetNotFound | InvalidDatasetId | StorageError>
    readonly versions: (name: string) => Effect.Effect<VersionsResponse, StorageError>
    readonly latest: (name: string) => Effect.Effect<DatasetMeta, DatasetNotFound | StorageError>
  }
  readonly generatorSchema: (name: string) => Effect.Effect<Record<string, unknown>, UnknownGenerator>
}

export interface DatasetServiceConfig {
  /** JUNIPER_DATA_DEFAULT_GENERATOR_SEED. */
  readonly defaultSeed: number
}

export class DatasetService extends Context.Tag("@juniper/data/DatasetService")<DatasetService, DatasetServiceShape>() {
  /** Needs a DatasetStore (LocalFS or InMemory). */
  static readonly layer = (config: Partial<DatasetServiceConfig> = {}): Layer.Layer<DatasetService, never, DatasetStore> =>
    Layer.effect(
      DatasetService,
      Effect.map(Effect.zip(DatasetStore, Effect.makeSemaphore(1)), ([store, naming]) => {
        const defaultSeed = config.defaultSeed ?? DEFAULT_GENERATOR_SEED
        const run = <A, E>(eff: Effect.Effect<A, E, DatasetStore>) => Effect.provideService(eff, DatasetStore, store)
        // Version allocation reads then writes: one named create at a time.
        const create = (request: CreateDatasetRequest) =>
          request.name === null ? run(createDataset(request, { defaultSeed })) : naming.withPermits(1)(run(createDataset(request, { defaultSeed })))
        return {
          // Version allocation reads then writes: one named create at a time.
          create,
          getMeta: (id) => run(getDatasetMeta(id)),
          getArtifact: (id) => run(getDatasetArtifact(id)),
          preview: (id, n) => run(previewDataset(id, n)),
          list: (options) => run(listDatasets(options)),
          delete: (id) => run(deleteDataset(id)),
          generators: Effect.sync(() => listGeneratorInfo(defaultSeed)),
          catalog: {
            filter: (q) => run(catalog.filterDatasets(q)),
            stats: run(catalog.datasetStats),
            batchDelete: (ids) => run(catalog.batchDelete(ids)),
            cleanupExpired: run(catalog.cleanupExpired),
            updateTags: (id, add, remove) => run(catalog.updateTags(id, add, remove)),
            batchTags: (ids, add, remove) => run(catalog.batchTags(ids, add, remove)),
            batchCreate: (items) => catalog.batchCreate(items, create),
            batchExport: (ids) => run(catalog.batchExport(ids)),
            access: (id) => run(catalog.datasetAccess(id)),
            versions: (name) => run(catalog.datasetVersions(name)),
            latest: (name) => run(catalog.latestVersion(name))
          },
          generatorSchema: (name) => generatorSchema(name, defaultSeed)
        }
      })
    )
}
