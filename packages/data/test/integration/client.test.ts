// JuniperDataClient (HTTP) and the RPC client against a real server; FakeDataClient returns the same data.
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { existsSync, mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { createServer } from "node:http"
import { Effect, Either, Layer, ManagedRuntime } from "effect"
import { RpcClient, RpcSerialization } from "@effect/rpc"
import { FetchHttpClient } from "@effect/platform"
import { repoRoot, type ServiceProcess, startService } from "@juniper/core"
import { JuniperDataClient, layerFakeDataClient, layerJuniperDataClient, normalizeBaseUrl } from "../../src/client/index.js"
import { DataRpcs } from "../../src/rpc/group.js"

const entry = join(repoRoot, "dist/data/index.js")

describe("normalizeBaseUrl", () => {
  it("adds a scheme, drops query, fragment, trailing slash and /v1", () => {
    expect(normalizeBaseUrl(" localhost:8100/v1/?x=1#y ")).toBe("http://localhost:8100")
    expect(normalizeBaseUrl("https://data.example/")).toBe("https://data.example")
    expect(normalizeBaseUrl()).toBe("http://localhost:8100")
  })
})

describe.runIf(existsSync(entry))("data clients against node dist/data", () => {
  let svc: ServiceProcess
  beforeAll(async () => {
    svc = await startService(entry, { JUNIPER_DATA_PORT: "0", JUNIPER_DATA_STORAGE_PATH: mkdtempSync(join(tmpdir(), "jd-client-")), JUNIPER_DATA_RATE_LIMIT_ENABLED: "false" })
  })
  afterAll(async () => {
    await svc?.stop()
  })

  const real = () => ManagedRuntime.make(layerJuniperDataClient({ baseUrl: `${svc.baseUrl}/v1/`, retries: 1, backoffMs: 10 }))
  const fake = () => ManagedRuntime.make(layerFakeDataClient())

  it("drives every method with upstream's names and typed failures", async () => {
    const calls: Array<string> = []
    const rt = ManagedRuntime.make(layerJuniperDataClient({ baseUrl: svc.baseUrl, onRequest: (m, u, s) => { calls.push(`${m} ${s}`); throw new Error("ignored") } }))
    const out = await rt.runPromise(Effect.gen(function* () {
      const c = yield* JuniperDataClient
      expect((yield* c.healthCheck()).service).toBe("juniper-data")
      expect(yield* c.isReady()).toBe(true)
      expect(yield* c.waitForReady({ timeoutMs: 10_000 })).toBe(true)
      expect((yield* c.listGenerators()).length).toBe(6)
      expect((yield* c.getGeneratorSchema("xor")).available).toBe(true)
      const created = yield* c.createSpiralDataset({ seed: 42 })
      expect(created.dataset_id).toBe("spiral-1.0.0-7188c37ef7f777a4")
      const npz = yield* c.downloadArtifactNpz(created.dataset_id)
      expect(npz["X_train"]!.shape).toEqual([160, 2])
      expect(Array.from(npz["X_full"]!.data.subarray(0, 2))).toEqual([0.03047170862555504, -0.037816256284713745])
      expect((yield* c.listDatasets({ limit: 10 }))).toContain(created.dataset_id)
      expect((yield* c.getDatasetMetadata(created.dataset_id)).n_train).toBe(160)
      expect((yield* c.getPreview(created.dataset_id, 2)).X_sample.length).toBe(2)
      const missing = yield* Effect.either(c.getDatasetMetadata("nope-1"))
      expect(Either.isLeft(missing) && missing.left._tag).toBe("DataClientNotFoundError")
      const invalid = yield* Effect.either(c.createDataset("spiral", { n_spirals: 1 }))
      expect(Either.isLeft(invalid) && invalid.left._tag).toBe("DataClientValidationError")
      expect(Either.isLeft(invalid) && invalid.left.message).toMatch(/^Validation error \(400\): Invalid parameters/)
      const unknown = yield* Effect.either(c.createDataset("nope"))
      expect(Either.isLeft(unknown) && unknown.left._tag).toBe("DataClientValidationError")
      expect(yield* c.deleteDataset(created.dataset_id)).toBe(true)
      return "done"
    }))
    expect(out).toBe("done")
    expect(calls.length).toBeGreaterThan(10)
    await rt.dispose()
  })

  it("reports a connection failure as DataClientConnectionError after retrying GETs", async () => {
    const rt = ManagedRuntime.make(layerJuniperDataClient({ baseUrl: "http://127.0.0.1:1", retries: 2, backoffMs: 5 }))
    const r = await rt.runPromise(Effect.either(Effect.flatMap(JuniperDataClient, (c) => c.listDatasets())))
    expect(Either.isLeft(r) && r.left._tag).toBe("DataClientConnectionError")
    expect(await rt.runPromise(Effect.flatMap(JuniperDataClient, (c) => c.isReady()))).toBe(false)
    await rt.dispose()
  })

  it("retries a GET on 503 and honours Retry-After, never retries a POST", async () => {
    let gets = 0
    let posts = 0
    const flaky = createServer((req, res) => {
      if (req.method === "GET") {
        gets++
        if (gets < 3) {
          res.writeHead(503, { "content-type": "application/json", "retry-after": "1" })
          return res.end(JSON.stringify({ detail: "busy" }))
        }
        res.writeHead(200, { "content-type": "application/json" })
        return res.end(JSON.stringify(["a", "b"]))
      }
      posts++
      res.writeHead(503, { "content-type": "application/json" })
      res.end(JSON.stringify({ detail: "busy" }))
    })
    await new Promise<void>((r) => flaky.listen(0, "127.0.0.1", () => r()))
    const port = (flaky.address() as { port: number }).port
    const rt = ManagedRuntime.make(layerJuniperDataClient({ baseUrl: `http://127.0.0.1:${port}`, retries: 3, backoffMs: 10 }))
    const t0 = Date.now()
    expect(await rt.runPromise(Effect.flatMap(JuniperDataClient, (c) => c.listDatasets()))).toEqual(["a", "b"])
    expect(gets).toBe(3)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1900) // two waits of Retry-After: 1 s
    const post = await rt.runPromise(Effect.either(Effect.flatMap(JuniperDataClient, (c) => c.createDataset("xor"))))
    expect(posts).toBe(1)
    expect(Either.isLeft(post) && post.left._tag).toBe("DataClientError")
    await rt.dispose()
    flaky.close()
  })

  it("FakeDataClient returns exactly what the server returns", async () => {
    const [r, f] = [real(), fake()]
    const scenario = Effect.gen(function* () {
      const c = yield* JuniperDataClient
      const created = yield* c.createDataset("circles", { seed: 3, noise: 0.05 })
      const npz = yield* c.downloadArtifactNpz(created.dataset_id)
      const preview = yield* c.getPreview(created.dataset_id, 5)
      const missing = yield* Effect.either(c.getDatasetMetadata("missing-id"))
      return {
        id: created.dataset_id,
        meta: { ...created.meta, created_at: null },
        arrays: Object.fromEntries(Object.entries(npz).map(([k, v]) => [k, { shape: v.shape, data: Array.from(v.data) }])),
        preview,
        missing: Either.isLeft(missing) ? missing.left.message : null
      }
    })
    const fromServer = await r.runPromise(scenario)
    const fromFake = await f.runPromise(scenario)
    expect(fromFake).toEqual(fromServer)
    await r.dispose()
    await f.dispose()
  })

  it("serves the RPC group at /rpc with a typed client", async () => {
    const rt = ManagedRuntime.make(
      RpcClient.layerProtocolHttp({ url: `${svc.baseUrl}/rpc` }).pipe(Layer.provide([FetchHttpClient.layer, RpcSerialization.layerNdjson]))
    )
    const out = await rt.runPromise(Effect.scoped(Effect.gen(function* () {
      const client = yield* RpcClient.make(DataRpcs)
      const created = yield* client.CreateDataset({ generator: "xor", params: { seed: 42 }, persist: true, tags: [], ttl_seconds: null, name: null, description: null, created_by: null, parent_dataset_id: null })
      const bytes = yield* client.DownloadArtifact({ id: created.dataset_id })
      const missing = yield* client.GetDataset({ id: "nope" }).pipe(Effect.catchTag("DatasetNotFound", (e) => Effect.succeed(e.detail)))
      const bad = yield* client.CreateDataset({ generator: "nope", params: {}, persist: true, tags: [], ttl_seconds: null, name: null, description: null, created_by: null, parent_dataset_id: null }).pipe(
        Effect.catchTag("UnknownGenerator", (e) => Effect.succeed(e.generator))
      )
      return { id: created.dataset_id, size: bytes.length, missing, bad }
    })))
    expect(out).toMatchObject({ id: "xor-1.0.0-dcbc70e45f7b3611", missing: "Dataset 'nope' not found", bad: "nope" })
    expect(out.size).toBeGreaterThan(1000)
    await rt.dispose()
  })
})
