import { Cause, Effect, Either, Exit, Layer, Option, Schema } from "effect"
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { prepareDataset, runGenerator } from "../src/generators/index.js"
import { decodeNpz } from "../src/npz/index.js"
import { CreateDatasetRequest, CreateDatasetResponse, DatasetMeta } from "../src/schema.js"
import { createDataset, DatasetService, getDatasetMeta, previewDataset } from "../src/service/index.js"
import { DatasetStore, InMemoryDatasetStoreLayer, LocalFsDatasetStoreLayer } from "../src/store/index.js"

const request = (input: Record<string, unknown>) => Schema.decodeUnknownSync(CreateDatasetRequest)(input)
const withMemory = <A, E>(eff: Effect.Effect<A, E, DatasetStore | DatasetService>) =>
  Effect.runPromise(Effect.provide(eff, DatasetService.layer().pipe(Layer.provideMerge(InMemoryDatasetStoreLayer))))
const failure = async <A, E>(eff: Effect.Effect<A, E, DatasetStore>) => {
  const exit = await Effect.runPromiseExit(Effect.provide(eff, InMemoryDatasetStoreLayer))
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  return Option.getOrThrow(Cause.failureOption(exit.cause)) as { _tag: string; detail: string }
}

const CONTRACT_KEYS = [
  "dataset_id", "generator", "generator_version", "params", "n_samples", "n_features", "task_type", "n_classes",
  "n_train", "n_val", "n_test", "class_distribution", "sequence", "lookback", "time_unit", "dt_scaling",
  "target_scaling", "truncation", "data_quality", "artifact_formats", "created_at", "checksum", "dataset_name",
  "dataset_version", "parent_dataset_id", "description", "created_by", "tags", "ttl_seconds", "expires_at"
]

describe("createDataset (D1)", () => {
  it("spiral defaults: response shape, meta in contract key order, wire encoding", async () => {
    const out = await withMemory(createDataset(request({ generator: "spiral", tags: ["t"], name: "demo" })))
    expect(out.cacheHit).toBe(false)
    const wire = Schema.encodeSync(CreateDatasetResponse)(out.response) as Record<string, unknown> & { meta: Record<string, unknown> }
    expect(Object.keys(wire)).toEqual(["dataset_id", "generator", "meta", "artifact_url"])
    expect(wire["dataset_id"]).toBe("spiral-1.0.0-20b8434af6769210")
    expect(wire["artifact_url"]).toBe("/v1/datasets/spiral-1.0.0-20b8434af6769210/artifact")
    expect(Object.keys(wire.meta)).toEqual(CONTRACT_KEYS)
    expect(wire.meta).toMatchObject({
      generator_version: "1.0.0",
      n_samples: 194,
      n_features: 2,
      task_type: "classification",
      n_classes: 2,
      n_train: 155,
      n_val: 0,
      n_test: 39,
      class_distribution: { "0": 97, "1": 97 },
      sequence: false,
      artifact_formats: ["npz"],
      checksum: null,
      dataset_name: "demo",
      tags: ["t"],
      expires_at: null
    })
    expect(wire.meta["params"]).toEqual({
      n_spirals: 2, n_points_per_spiral: 97, n_rotations: 3, noise: 0.25, clockwise: true, seed: 42,
      algorithm: "modern", radius: 10, origin: [0, 0], train_ratio: 0.8, test_ratio: 0.2, shuffle: true
    })
    expect(wire.meta["created_at"]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{6})?Z$/)
  })

  it("a cache hit returns the stored meta without regenerating; request extras are ignored", async () => {
    await withMemory(
      Effect.gen(function* () {
        const first = yield* createDataset(request({ generator: "xor", params: { seed: 3 }, tags: ["first"] }))
        const second = yield* createDataset(request({ generator: "xor", params: { seed: 3, unknown: 1 }, tags: ["second"], ttl_seconds: 5 }))
        expect(second.cacheHit).toBe(true)
        expect(second.response.meta).toEqual(first.response.meta)
        expect(second.response.meta.tags).toEqual(["first"])
      })
    )
  })

  it("persist: false stores nothing but returns full meta; ttl sets expires_at", async () => {
    await withMemory(
      Effect.gen(function* () {
        const out = yield* createDataset(request({ generator: "moon", persist: false, ttl_seconds: 60 }))
        expect(out.response.meta.n_samples).toBe(200)
        expect(out.response.meta.expires_at!.getTime() - out.response.meta.created_at.getTime()).toBe(60_000)
        const store = yield* DatasetStore
        expect(yield* store.list({ limit: 10, offset: 0 })).toEqual([])
      })
    )
  })

  it("failures carry the wire detail", async () => {
    expect(await failure(createDataset(request({ generator: "nope" })))).toMatchObject({
      _tag: "UnknownGenerator",
      detail: "Unknown generator 'nope'. Available: ['spiral', 'xor', 'gaussian', 'circles', 'moon', 'checkerboard']"
    })
    const bad = await failure(createDataset(request({ generator: "spiral", params: { n_spirals: 1 } })))
    expect(bad._tag).toBe("InvalidParameters")
    expect(bad.detail).toBe("Invalid parameters: n_spirals: Input should be greater than or equal to 2")
    expect(await failure(createDataset(request({ generator: "gaussian", params: { centers: [[1, 2, 3]] } })))).toMatchObject({
      _tag: "GenerationFailed",
      detail: "Invalid request parameters"
    })
  })

  it("the default seed is configurable through the service layer", async () => {
    const layer = DatasetService.layer({ defaultSeed: 7 }).pipe(Layer.provide(InMemoryDatasetStoreLayer))
    const out = await Effect.runPromise(Effect.provide(Effect.flatMap(DatasetService, (s) => s.create(request({ generator: "spiral" }))), layer))
    expect(out.response.meta.params["seed"]).toBe(7)
    expect(out.response.dataset_id).toBe(Either.getOrThrow(prepareDataset("spiral", { seed: 7 })).datasetId)
    const gens = await Effect.runPromise(Effect.provide(Effect.flatMap(DatasetService, (s) => s.generators), layer))
    expect(gens.map((g) => g.name)).toEqual(["spiral", "xor", "gaussian", "circles", "moon", "checkerboard"])
    const schema = await Effect.runPromise(Effect.provide(Effect.flatMap(DatasetService, (s) => s.generatorSchema("moon")), layer))
    expect(schema).toMatchObject({ title: "MoonParams", available: true })
  })
})

describe("read paths", () => {
  it("meta records an access; preview gives the first rows of X_train / y_train", async () => {
    await withMemory(
      Effect.gen(function* () {
        const { response } = yield* createDataset(request({ generator: "spiral" }))
        const id = response.dataset_id
        yield* getDatasetMeta(id)
        const store = yield* DatasetStore
        expect((yield* store.getMeta(id)).access_count).toBe(1)
        const expected = Either.getOrThrow(runGenerator(Either.getOrThrow(prepareDataset("spiral", {}))))
        const p = yield* previewDataset(id, 3)
        expect(p.n_samples).toBe(3)
        expect(p.X_sample).toEqual([0, 1, 2].map((r) => Array.from(expected.arrays.X_train.data.subarray(2 * r, 2 * r + 2))))
        expect(p.X_sample[0]).toEqual([4.095326900482178, 2.969475269317627])
        expect(p.y_sample[0]).toEqual([0, 1])
        expect((yield* previewDataset(id, 1000)).n_samples).toBe(155)
        const svc = yield* DatasetService
        const npz = Either.getOrThrow(decodeNpz(yield* svc.getArtifact(id)))
        expect(Object.keys(npz)).toEqual(["X_train", "y_train", "X_test", "y_test", "X_full", "y_full", "X_val", "y_val"])
        expect((yield* store.getMeta(id)).access_count).toBe(2)
        yield* svc.delete(id)
        expect(yield* svc.list({ limit: 10, offset: 0 })).toEqual([])
      })
    )
  })

  it("end to end over LocalFS: both files, 2-space meta, a second service instance sees the dataset", async () => {
    const dir = mkdtempSync(join(tmpdir(), "juniper-svc-"))
    afterAll(() => rmSync(dir, { recursive: true, force: true }))
    const layer = DatasetService.layer().pipe(Layer.provide(LocalFsDatasetStoreLayer({ directory: dir })))
    const create = Effect.flatMap(DatasetService, (s) => s.create(request({ generator: "checkerboard" })))
    const first = await Effect.runPromise(Effect.provide(create, layer))
    expect(readdirSync(dir).sort()).toEqual([`${first.response.dataset_id}.meta.json`, `${first.response.dataset_id}.npz`])
    expect(readFileSync(join(dir, `${first.response.dataset_id}.meta.json`), "utf8")).toMatch(/"created_at": "[^"]+\+00:00"/)
    const again = await Effect.runPromise(Effect.provide(create, layer))
    expect(again.cacheHit).toBe(true)
    expect(Schema.encodeSync(DatasetMeta)(again.response.meta)).toEqual(Schema.encodeSync(DatasetMeta)(first.response.meta))
  })
})
