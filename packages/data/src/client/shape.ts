/**
 * The JuniperData client interface (upstream client 0.4.2's methods in camelCase). The real client (HTTP) and
 * FakeDataClient (in-process, same generators and ids) both implement it and are provided as Layers.
 */
import { Context, type Effect } from "effect"
import type { HealthResponse, ReadinessResponse } from "@juniper/core"
import type { Float32Npy } from "../npz/npz.js"
import type { CreateDatasetRequest, CreateDatasetResponse, DatasetMeta, GeneratorInfo, Preview } from "../schema.js"
import type { DataClientFailure } from "./errors.js"

export interface CreateDatasetOptions {
  readonly persist?: boolean
  readonly name?: string
  readonly description?: string
  readonly createdBy?: string
  readonly parentDatasetId?: string
  readonly tags?: ReadonlyArray<string>
  readonly ttlSeconds?: number
}

export interface SpiralOptions {
  readonly nSpirals?: number
  readonly nPointsPerSpiral?: number
  readonly noise?: number
  readonly seed?: number
  readonly algorithm?: "modern" | "legacy_cascor"
  readonly trainRatio?: number
  readonly extra?: Readonly<Record<string, unknown>>
}

type Call<A> = Effect.Effect<A, DataClientFailure>

export interface JuniperDataClientShape {
  readonly baseUrl: string
  readonly healthCheck: () => Call<HealthResponse>
  readonly readiness: () => Call<ReadinessResponse>
  /** status == "ready"; any error (503 included) → false. */
  readonly isReady: () => Effect.Effect<boolean>
  /** Polls isReady until true or `timeoutMs` (default 30 s) passes. */
  readonly waitForReady: (options?: { readonly timeoutMs?: number; readonly pollIntervalMs?: number }) => Effect.Effect<boolean>
  readonly listGenerators: () => Call<ReadonlyArray<GeneratorInfo>>
  readonly getGeneratorSchema: (name: string) => Call<Record<string, unknown>>
  readonly createDataset: (generator: string, params?: Readonly<Record<string, unknown>>, options?: CreateDatasetOptions) => Call<CreateDatasetResponse>
  readonly createSpiralDataset: (options?: SpiralOptions) => Call<CreateDatasetResponse>
  readonly listDatasets: (options?: { readonly limit?: number; readonly offset?: number }) => Call<ReadonlyArray<string>>
  readonly getDatasetMetadata: (id: string) => Call<DatasetMeta>
  readonly downloadArtifactBytes: (id: string) => Call<Uint8Array>
  /** The NPZ decoded: `{ X_train: {dtype, shape, data}, … }`. */
  readonly downloadArtifactNpz: (id: string) => Call<Record<string, Float32Npy>>
  readonly getPreview: (id: string, n?: number) => Call<Preview>
  /** true when deleted (404 → DataClientNotFoundError). */
  readonly deleteDataset: (id: string) => Call<true>
}

export class JuniperDataClient extends Context.Tag("@juniper/data/JuniperDataClient")<JuniperDataClient, JuniperDataClientShape>() {}

/** The D1 request: generator, params and persist as given; the optional fields at their defaults unless set. */
export const createBody = (generator: string, params: Readonly<Record<string, unknown>>, o: CreateDatasetOptions = {}): CreateDatasetRequest => ({
  generator,
  params: { ...params },
  persist: o.persist ?? true,
  name: o.name ?? null,
  description: o.description ?? null,
  created_by: o.createdBy ?? null,
  parent_dataset_id: o.parentDatasetId ?? null,
  tags: [...(o.tags ?? [])],
  ttl_seconds: o.ttlSeconds ?? null
})

/** create_spiral_dataset's params: those keys, `seed` only when given. */
export const spiralParams = (o: SpiralOptions = {}) => ({
  n_spirals: o.nSpirals ?? 2,
  n_points_per_spiral: o.nPointsPerSpiral ?? 100,
  noise: o.noise ?? 0.1,
  ...(o.seed !== undefined ? { seed: o.seed } : {}),
  algorithm: o.algorithm ?? "modern",
  train_ratio: o.trainRatio ?? 0.8,
  ...(o.extra ?? {})
})
